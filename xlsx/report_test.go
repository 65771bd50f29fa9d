package xlsx_test

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
	"github.com/xuri/excelize/v2"
)

func sampleReport() *qingqian.Report {
	a := qingqian.GroupFigures{Baseline: 96_855_380_000, RepaidPeriod: 1_234_567, RepaidToDate: 96_855_380_000, Outstanding: 0, Rate: 10000,
		Items: 180, Payments: 230, BaselineLocked: true}
	b := qingqian.GroupFigures{Baseline: 49_297_000_00, RepaidToDate: 9_081_500_00, Outstanding: 40_215_500_00, Disputed: 40_215_500_00, InCourt: 40_215_500_00,
		Rate: 1842, NewItems: 2, NewAmount: 100_000_000, Items: 12, Payments: 4, PaymentsNoVoucher: 1, RepaidNoVoucher: 50_000_000}
	r := &qingqian.Report{Period: qingqian.Period{No: 29, Title: "第29期 清欠月报（截至2021年10月31日）", StartsOn: qingqian.MustParseDate("2021-10-01"),
		AsOf: qingqian.MustParseDate("2021-10-31")}, Office: "示范省国资委", Submitted: 1, ZeroReports: 1,
		Issued: true, IssuedAt: time.Date(2021, 11, 5, 2, 0, 0, 0, time.UTC),
		Rows: []qingqian.ReportRow{{OrgName: "示范能源", State: qingqian.StateApproved, Zero: true, Figures: a},
			{OrgName: "示范交建", State: qingqian.StateMissing, Live: true, Figures: b}}}
	a.Reconcile()
	b.Reconcile()
	r.Rows[0].Figures, r.Rows[1].Figures = a, b
	r.Total.Add(a)
	r.Total.Add(b)
	return r
}

const csvShown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false"

// The consolidated report opens in LibreOffice with every figure in 万元 to the cent.
func TestReportOpensInLibreOffice(t *testing.T) {
	soffice(t)
	r := sampleReport()
	var buf bytes.Buffer
	if err := xlsx.WriteReport(&buf, r, "xlsx"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.xlsx")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// Saved as shown: the cells' number formats (thousands separators, two decimals, per cent).
	rows := readCSV(t, convert(t, path, csvShown, ""))
	if len(rows) != 7 || rows[0][0] != "第29期 清欠月报（截至2021年10月31日） 汇总表" || !strings.Contains(rows[1][0], "编制单位：示范省国资委") || !strings.Contains(rows[1][0], "已印发 2021年11月5日 10:00") {
		t.Fatalf("header area %q", rows[:min(2, len(rows))])
	}
	for i, c := range xlsx.ReportColumns(r) {
		if rows[2][i] != c.Header {
			t.Fatalf("header %d = %q, want %q", i, rows[2][i], c.Header)
		}
	}
	want := [][]string{
		{"1", "示范能源", "已签批报送", "96,855.38", "1.23", "96,855.38", "0.00", "0.00", "0.00", "0.00", "0.00", "100.00%", "0", "0.00", "180", "230", "0", "0.00", "是"},
		{"2", "示范交建", "未报送", "4,929.70", "0.00", "908.15", "100.00", "4,021.55", "0.00", "4,021.55", "4,021.55", "18.42%", "2", "100.00", "12", "4", "1", "50.00", ""},
		{"合计", "2 家集团，已报送 1 家", "", "101,785.08", "1.23", "97,763.53", "100.00", "4,021.55", "0.00", "4,021.55", "4,021.55", "96.05%", "2", "100.00", "192", "234", "1", "50.00", "1"},
	}
	for n, w := range want {
		got := rows[3+n]
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("row %d %s = %q, want %q", n+1, xlsx.ReportColumns(r)[i].Header, got[i], w[i])
			}
		}
	}
	if !strings.Contains(rows[6][0], qingqian.RoundingNote) {
		t.Errorf("no rounding note under the table: %q", rows[6])
	}
	// The CSV carries the same values, exact in 万元.
	buf.Reset()
	if err := xlsx.WriteReport(&buf, r, "csv"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "合计,2 家集团，已报送 1 家,,101785.08,1.234567,97763.53,100.00,4021.55,0.00,4021.55,4021.55,96.05%,2,100.00,192,234,1,50.00,1") {
		t.Fatalf("csv:\n%s", buf.String())
	}
}

// The cells of amounts in 万元 hold the exact amount (displayed with two decimals), so that a
// spreadsheet's SUM of the rows gives the total: two rows of 0.005 万元 show 0.01 each and a
// total of 0.01, and their cells add up to it.
func TestReportCellsAddUpToTheTotal(t *testing.T) {
	r := sampleReport()
	r.Rows[0].Figures.RepaidPeriod, r.Rows[1].Figures.RepaidPeriod = 5_000, 5_000
	r.Total = qingqian.GroupFigures{}
	r.Total.Add(r.Rows[0].Figures)
	r.Total.Add(r.Rows[1].Figures)
	var buf bytes.Buffer
	if err := xlsx.WriteReport(&buf, r, "xlsx"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	col := 0
	for i, c := range qingqian.ReportColumns {
		if c.Header == "本期清偿" {
			col = i + 1
		}
	}
	val := func(row int, raw bool) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		v, err := f.GetCellValue(sheet, name, excelize.Options{RawCellValue: raw})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var sum float64
	for row := 4; row <= 5; row++ {
		if shown := val(row, false); shown != "0.01" {
			t.Errorf("row %d shows %q", row, shown)
		}
		v, err := strconv.ParseFloat(val(row, true), 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	total, err := strconv.ParseFloat(val(6, true), 64)
	if err != nil || val(6, false) != "0.01" || math.Abs(sum-total) > 1e-9 {
		t.Fatalf("SUM of the rows %v, total cell %v (%q)", sum, total, val(6, false))
	}
}

// A report in the current layout has the new arrears apart (其中：新增拖欠); a line whose frozen
// figures were made before they were counted apart shows a dash there, not a zero, and so does
// the total, which cannot add them up.
func TestReportNewArrearsColumns(t *testing.T) {
	r := sampleReport()
	r.Layout = qingqian.ReportLayoutCurrent
	r.Rows[1].Figures.ArrearsApart, r.Rows[1].Figures.ArrearsItems, r.Rows[1].Figures.ArrearsAmount = true, 1, 60_000_000
	r.Total = qingqian.GroupFigures{}
	for _, row := range r.Rows {
		r.Total.Add(row.Figures)
	}
	r.MarkTotal()
	read := func(r *qingqian.Report) [][]string {
		var buf bytes.Buffer
		if err := xlsx.WriteReport(&buf, r, "xlsx"); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	rows := read(r)
	amt, cnt := -1, -1
	for i, h := range rows[2] {
		switch h {
		case "其中：新增拖欠（万元）":
			amt = i
		case "其中：新增拖欠（笔）":
			cnt = i
		}
	}
	if amt < 0 || cnt < 0 || len(rows[2]) != len(qingqian.ReportColumns) {
		t.Fatalf("headings %q", rows[2])
	}
	if rows[3][amt] != "—" || rows[3][cnt] != "—" || rows[4][amt] != "60.00" || rows[4][cnt] != "1" || rows[5][amt] != "—" {
		t.Fatalf("new arrears cells: %q %q %q / %q %q", rows[3][amt], rows[3][cnt], rows[4][amt], rows[4][cnt], rows[5][amt])
	}
	// Every line apart: the total adds them up.
	r.Rows[0].Figures.ArrearsApart = true
	r.MarkTotal()
	if rows = read(r); rows[5][amt] != "60.00" || rows[5][cnt] != "1" {
		t.Fatalf("total %q %q", rows[5][amt], rows[5][cnt])
	}
	// The layout before: no such column, as issued.
	r.Layout = 0
	if rows = read(r); len(rows[2]) != len(qingqian.ReportColumns)-2 || strings.Contains(strings.Join(rows[2], ","), "新增拖欠") {
		t.Fatalf("old layout headings %q", rows[2])
	}
}
