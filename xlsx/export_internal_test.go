package xlsx

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingqian/qingqian"
)

// TestCSVWriterAsEncodingCSV checks that the CSV writer writes what encoding/csv writes, for
// fields that need quotes, white space of every kind in front, and the values of a ledger row.
func TestCSVWriterAsEncodingCSV(t *testing.T) {
	fields := []string{"", "a", "a,b", `say "hi"`, `"`, `""`, "line\nbreak", "cr\rhere", "crlf\r\nx", `\.`, `\.x`, " lead", "\tlead", "\vlead",
		"\flead", "\u0085lead", "\u00a0lead", "\u3000全角空格", "\u2028sep", "中文，逗号", "中文,逗号", "=SUM(A1)", "+1", "-1", "@x", "trail ",
		"'quoted", "\xff\xfebad", "a\"b,c\nd"}
	var got bytes.Buffer
	c, err := newCSVWriter(&got, []Column{{Header: "编号"}, {Header: "a,b"}}, Meta{Title: "标题", Line: " 行"})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	want.WriteString("\xEF\xBB\xBF")
	w := csv.NewWriter(&want)
	w.Write([]string{"标题"})
	w.Write([]string{" 行"})
	w.Write([]string{"编号", "a,b"})
	for _, f := range fields {
		if err := c.row([]any{f, "x", f}); err != nil {
			t.Fatal(err)
		}
		w.Write([]string{defuse(f), "x", defuse(f)})
	}
	d := qingqian.MustParseDate("2021-03-04")
	vals := []any{"No-1", qingqian.Money(-123456), d, qingqian.Date{}, Wan(1234567), Rate(1234), int64(-7), nil}
	c.row(vals)
	w.Write([]string{"No-1", "-1234.56", "2021-03-04", "", "1.234567", "12.34%", "-7", ""})
	c.text("x,y")
	c.money(5)
	c.date(d)
	c.date(qingqian.Date{})
	c.endRow()
	w.Write([]string{`x,y`, "0.05", "2021-03-04", ""})
	if err := c.close(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if got.String() != want.String() {
		t.Errorf("got\n%q\nwant\n%q", got.String(), want.String())
	}
}

// TestXLSXTypedCells checks that the cells written from typed values (dates as serial numbers,
// amounts as float64(分)/100) hold what the cells written from times and parsed amounts hold.
func TestXLSXTypedCells(t *testing.T) {
	var buf bytes.Buffer
	x, err := newXLSXWriter(&buf, []Column{{Header: "日期"}, {Header: "金额"}, {Header: "日期"}, {Header: "金额"}}, Meta{Title: "t", Sheet: "S"})
	if err != nil {
		t.Fatal(err)
	}
	var dates []qingqian.Date
	for d := qingqian.NewDate(1899, 12, 25); d.Before(qingqian.NewDate(1900, 4, 1)); d = d.AddDays(1) {
		dates = append(dates, d)
	}
	for d := qingqian.NewDate(1969, 12, 1); d.Before(qingqian.NewDate(2101, 1, 1)); d = d.AddDays(97) {
		dates = append(dates, d)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var amounts []qingqian.Money
	for _, m := range []int64{0, 1, -1, 10, 99, 101, 1999, 96855380000, 1<<53 - 1, -(1<<53 - 1), 1 << 53, 1<<62 + 3} {
		amounts = append(amounts, qingqian.Money(m))
	}
	for len(amounts) < len(dates) {
		amounts = append(amounts, qingqian.Money(r.Int64N(1<<53)-1<<52))
	}
	for i, d := range dates {
		m := amounts[i]
		if err := x.row([]any{d, m}); err != nil {
			t.Fatal(err)
		}
		x.date(d)
		x.money(m)
		if err := x.endRow(); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("S", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[3:]
	if len(rows) != 2*len(dates) {
		t.Fatalf("%d rows, want %d", len(rows), 2*len(dates))
	}
	for i, d := range dates {
		a, b := rows[2*i], rows[2*i+1]
		if len(a) != 2 || len(b) != 2 || a[0] != b[0] || a[1] != b[1] {
			t.Errorf("%s %s: row() wrote %q, the typed cells %q", d, amounts[i], a, b)
		}
		for k := range 2 {
			sa, _ := f.GetCellStyle("S", cellName(k+1, 4+2*i))
			sb, _ := f.GetCellStyle("S", cellName(k+1, 5+2*i))
			if sa != sb {
				t.Errorf("%s: styles %d and %d", d, sa, sb)
			}
		}
	}
	if want := strconv.Itoa(int(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)); want != "43831" {
		t.Fatalf("serial of 2020-01-01: %s", want)
	}
}

// fakeItems hands over n items, then fails with err (nil: ends).
type fakeItems struct {
	n   int
	err error
}

func (s fakeItems) EachItem(ctx context.Context, f qingqian.ItemFilter, fn func(*qingqian.Item) error) error {
	for i := 1; i <= s.n; i++ {
		if err := fn(&qingqian.Item{ID: int64(i), No: "N-" + strconv.Itoa(i), Undisputed: qingqian.Money(i)}); err != nil {
			return err
		}
	}
	return s.err
}

type failingWriter struct{ left int }

var errFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.left < len(p) {
		return 0, errFull
	}
	w.left -= len(p)
	return len(p), nil
}

// TestWriteItemsStops checks that the reader and the writer of writeItems stop each other: every
// item is written, a failed write is returned (the reader stopped), a failed read is returned.
func TestWriteItemsStops(t *testing.T) {
	var buf bytes.Buffer
	out, _ := newCSVWriter(&buf, LedgerColumns, Meta{Title: "t"})
	if err := writeItems(context.Background(), fakeItems{n: 2500}, qingqian.ItemFilter{}, out); err != nil {
		t.Fatal(err)
	}
	out.close()
	if lines := bytes.Count(buf.Bytes(), []byte("\n")); lines != 2503 || !bytes.Contains(buf.Bytes(), []byte("\nN-2500,")) {
		t.Fatalf("%d lines", lines)
	}
	out, _ = newCSVWriter(&failingWriter{left: 100_000}, LedgerColumns, Meta{Title: "t"})
	if err := writeItems(context.Background(), fakeItems{n: 1_000_000}, qingqian.ItemFilter{}, out); !errors.Is(err, errFull) {
		t.Fatalf("a failed write: %v", err)
	}
	broken := errors.New("connection lost")
	out, _ = newCSVWriter(io.Discard, LedgerColumns, Meta{Title: "t"})
	if err := writeItems(context.Background(), fakeItems{n: 1500, err: broken}, qingqian.ItemFilter{}, out); !errors.Is(err, broken) {
		t.Fatalf("a failed read: %v", err)
	}
}
