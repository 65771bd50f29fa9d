package xlsx

import (
	"archive/zip"
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/qingqian/qingqian"
)

// Meta is the header area of an export: what it is, as of when, who exported it.
type Meta struct {
	Title string
	Sheet string
	AsOf  qingqian.Date
	User  string
	At    time.Time
	// Line replaces the standard line under the title (as-of date, user, time).
	Line string
}

var cst = time.FixedZone("CST", 8*3600)

func (m Meta) line() string {
	if m.Line != "" {
		return m.Line
	}
	return fmt.Sprintf("截至 %s　导出人：%s　导出时间：%s", m.AsOf, m.User, m.At.In(cst).Format("2006-01-02 15:04"))
}

// writer writes the rows of a sheet, one at a time. A value is a string, a qingqian.Date, a
// qingqian.Money (in 元) or nil.
type writer interface {
	row(values []any) error
	close() error
	// The ledger's rows are written cell by cell with typed values, which row would box: a
	// row's cells in order, then endRow.
	text(s string)
	date(d qingqian.Date)
	money(m qingqian.Money)
	endRow() error
}

// newWriter starts a streamed export in "xlsx" or "csv".
func newWriter(w io.Writer, format string, cols []Column, meta Meta) (writer, error) {
	switch format {
	case "xlsx":
		return newXLSXWriter(w, cols, meta)
	case "csv":
		return newCSVWriter(w, cols, meta)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

type xlsxWriter struct {
	w          io.Writer
	f          *excelize.File
	sw         *excelize.StreamWriter
	cols       []Column
	n          int
	dateStyle  int
	amt        int
	pct        int
	textStyle  int
	cellValues []any
	// The cells of the row being written cell by cell, and what SetRow is given for them: a
	// pointer to each cell, or nil where the cell stays empty.
	cells []excelize.Cell
	refs  []any
	k     int
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func newXLSXWriter(w io.Writer, cols []Column, meta Meta) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sheet := meta.Sheet
	if sheet == "" {
		sheet = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	x := &xlsxWriter{w: w, f: f, sw: sw, cols: cols, cellValues: make([]any, len(cols)), cells: make([]excelize.Cell, len(cols)), refs: make([]any, len(cols))}
	dateFmt, amtFmt := "yyyy-mm-dd", "#,##0.00"
	if x.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return nil, err
	}
	if x.amt, err = f.NewStyle(&excelize.Style{CustomNumFmt: &amtFmt}); err != nil {
		return nil, err
	}
	if x.pct, err = f.NewStyle(&excelize.Style{NumFmt: 10}); err != nil { // 0.00%
		return nil, err
	}
	if x.textStyle, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": codes stay text
		return nil, err
	}
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	metaStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "666666"}})
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF5"}},
		Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}, Border: []excelize.Border{{Type: "bottom", Color: "999999", Style: 1}}})
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, max(c.Width, 8)); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{Value: meta.Title, StyleID: title}}); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A2", []any{excelize.Cell{Value: meta.line(), StyleID: metaStyle}}); err != nil {
		return nil, err
	}
	hv := make([]any, len(cols))
	for i, c := range cols {
		hv[i] = excelize.Cell{Value: c.Header, StyleID: head}
	}
	if err := sw.SetRow("A3", hv, excelize.RowOpts{Height: 30}); err != nil {
		return nil, err
	}
	x.n = 3
	return x, nil
}

// moneyValue turns 分 into a number of 元 for a cell. The shortest text of the float64, which is
// what the file stores, is exactly the two-decimal amount for any amount below 10^13 元.
func moneyValue(m qingqian.Money) float64 {
	f, _ := strconv.ParseFloat(m.String(), 64)
	return f
}

func (x *xlsxWriter) row(values []any) error {
	x.n++
	for i, v := range values {
		switch v := v.(type) {
		case qingqian.Date:
			if v.IsZero() {
				x.cellValues[i] = nil
			} else {
				x.cellValues[i] = excelize.Cell{Value: time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC), StyleID: x.dateStyle}
			}
		case qingqian.Money:
			x.cellValues[i] = excelize.Cell{Value: moneyValue(v), StyleID: x.amt}
		case Wan:
			// The exact amount in 万元, shown with two decimals: a SUM of the rows gives the total.
			f, _ := strconv.ParseFloat(qingqian.Money(v).WanExact(), 64)
			x.cellValues[i] = excelize.Cell{Value: f, StyleID: x.amt}
		case Rate:
			x.cellValues[i] = excelize.Cell{Value: float64(v) / 10000, StyleID: x.pct}
		case string:
			x.cellValues[i] = excelize.Cell{Value: v, StyleID: x.textStyle}
		default:
			x.cellValues[i] = v
		}
	}
	return x.sw.SetRow(cellName(1, x.n), x.cellValues[:len(values)])
}

// excelFirstSerial is the serial number of 1900-03-01 in the 1900 date system: from that day
// on, a date's serial number is its days since excelEpoch (before, excelize counts the
// 29 February 1900 that Excel believes in).
const excelFirstSerial = 61

// dateSerial is the number excelize stores for the date d at midnight, for every date since
// 1900-03-01 (false before).
func dateSerial(d qingqian.Date) (float64, bool) {
	n := d.Sub(excelEpoch)
	return float64(n), n >= excelFirstSerial
}

// maxExactMoney bounds the amounts whose number of 元 is float64(分)/100: the 分 are exact in a
// float64 below 2^53, and the division, correctly rounded, gives the float64 nearest the amount,
// which is what parsing its text gives.
const maxExactMoney = 1 << 53

func (x *xlsxWriter) cell(v any, style int) {
	x.cells[x.k] = excelize.Cell{Value: v, StyleID: style}
	x.refs[x.k] = &x.cells[x.k]
	x.k++
}

func (x *xlsxWriter) text(s string) { x.cell(s, x.textStyle) }

func (x *xlsxWriter) date(d qingqian.Date) {
	switch f, ok := dateSerial(d); {
	case d.IsZero():
		x.refs[x.k] = nil
		x.k++
	case ok:
		x.cell(f, x.dateStyle)
	default:
		x.cell(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), x.dateStyle)
	}
}

func (x *xlsxWriter) money(m qingqian.Money) {
	if m > -maxExactMoney && m < maxExactMoney {
		x.cell(float64(m)/100, x.amt)
	} else {
		x.cell(moneyValue(m), x.amt)
	}
}

func (x *xlsxWriter) endRow() error {
	x.n++
	refs := x.refs[:x.k]
	x.k = 0
	return x.sw.SetRow("A"+strconv.Itoa(x.n), refs)
}

// note writes a line of text under the table, such as the rounding note.
func (x *xlsxWriter) note(text string) error {
	x.n++
	return x.sw.SetRow(cellName(1, x.n), []any{excelize.Cell{Value: text, StyleID: x.textStyle}})
}

// roundingNote writes qingqian.RoundingNote under a table of amounts in 万元 shown rounded, in
// a workbook (a CSV holds the exact amounts and needs none).
func roundingNote(wr writer) error {
	if x, ok := wr.(*xlsxWriter); ok {
		return x.note("注：" + qingqian.RoundingNote + "。")
	}
	return nil
}

func (x *xlsxWriter) close() error {
	if err := x.sw.MergeCell("A1", cellName(len(x.cols), 1)); err != nil {
		return err
	}
	if err := x.sw.Flush(); err != nil {
		return err
	}
	// excelize assembles the whole zip in a buffer before writing it out, which for a million
	// rows is over 100 MB; its zip writer is replaceable, so the archive goes straight to x.w
	// and the buffer stays empty. (A sheet this large is far below zip64 sizes, the one case
	// where excelize would patch the buffered bytes.)
	x.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(x.w) })
	_, err := x.f.WriteTo(io.Discard)
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// printSetup lays the sheet out for printing: A4 landscape, fitted to the page width, the
// header rows repeated on every page, page numbers in the footer.
func (x *xlsxWriter) printSetup(sheet string, headerRows int) error {
	size, orient, fit := 9, "landscape", 1
	if err := x.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &fit}); err != nil {
		return err
	}
	if err := x.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}); err != nil {
		return err
	}
	return x.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: fmt.Sprintf("'%s'!$1:$%d", sheet, headerRows)})
}

// csvWriter writes what encoding/csv's Writer writes (comma, LF, quotes where it puts them),
// through a buffer of its own, appending the typed values of the ledger's rows without
// converting them to strings first.
type csvWriter struct {
	w   *bufio.Writer
	buf []byte // the record being written
	n   int    // its fields so far
}

// newCSVWriter writes UTF-8 with a byte-order mark, which Excel and WPS need to read Chinese.
func newCSVWriter(w io.Writer, cols []Column, meta Meta) (*csvWriter, error) {
	c := &csvWriter{w: bufio.NewWriterSize(w, 64<<10), buf: make([]byte, 0, 1024)}
	c.w.WriteString("\xEF\xBB\xBF")
	c.text(meta.Title)
	c.endRow()
	c.text(meta.line())
	c.endRow()
	for _, col := range cols {
		c.field(col.Header)
	}
	return c, c.endRow()
}

// field appends a text field as encoding/csv writes it: quoted when it holds a comma, a quote
// or a line break, starts with white space or is \. alone, with its quotes doubled.
func (c *csvWriter) field(s string) {
	if c.n > 0 {
		c.buf = append(c.buf, ',')
	}
	c.n++
	if !csvNeedsQuotes(s) {
		c.buf = append(c.buf, s...)
		return
	}
	c.buf = append(c.buf, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		c.buf = append(c.buf, s[:i+1]...)
		c.buf = append(c.buf, '"')
		s = s[i+1:]
	}
	c.buf = append(c.buf, s...)
	c.buf = append(c.buf, '"')
}

// csvNeedsQuotes is encoding/csv's rule for a field, with a comma as the separator.
func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	if s[0] < utf8.RuneSelf {
		return s[0] == ' ' || s[0] == '\t' || s[0] == '\v' || s[0] == '\f'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// sep starts a field that needs no quotes (numbers, dates).
func (c *csvWriter) sep() {
	if c.n > 0 {
		c.buf = append(c.buf, ',')
	}
	c.n++
}

func (c *csvWriter) text(s string) { c.field(defuse(s)) }

func (c *csvWriter) date(d qingqian.Date) {
	c.sep()
	c.buf = d.Append(c.buf)
}

func (c *csvWriter) money(m qingqian.Money) {
	c.sep()
	c.buf = m.Append(c.buf)
}

func (c *csvWriter) endRow() error {
	c.buf = append(c.buf, '\n')
	_, err := c.w.Write(c.buf)
	c.buf, c.n = c.buf[:0], 0
	return err
}

func (c *csvWriter) row(values []any) error {
	for _, v := range values {
		switch v := v.(type) {
		case qingqian.Date:
			c.date(v)
		case qingqian.Money:
			c.money(v)
		case Wan:
			c.field(qingqian.Money(v).WanExact())
		case Rate:
			c.field(fmt.Sprintf("%d.%02d%%", v/100, v%100))
		case int64:
			c.field(strconv.FormatInt(v, 10))
		case string:
			c.text(v)
		default:
			c.field("")
		}
	}
	return c.endRow()
}

// defuse keeps text text when a spreadsheet opens the CSV: a cell starting with = + - @ (or a
// tab or carriage return) would be taken for a formula, so it gets a leading apostrophe, the
// spreadsheets' own mark for "this is text". Imports remove it again (see undefuse).
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (c *csvWriter) close() error {
	return c.w.Flush()
}

// ledgerRow writes an item as a row of LedgerColumns.
func ledgerRow(out writer, it *qingqian.Item) error {
	b := &it.Balance
	out.text(it.No)
	out.text(it.OrgName)
	out.text(it.CreditorName)
	out.text(it.CreditorUSCC)
	out.text(it.CreditorOwnership.Label())
	out.text(it.ContractNo)
	out.text(it.ContractName)
	out.text(it.Kind.Label())
	out.date(it.ArisenOn)
	out.date(it.DueOn)
	out.money(it.Undisputed)
	out.money(it.Disputed)
	out.text(it.DisputeReason)
	out.text(it.FundingSource.Label())
	out.text(it.Origin.Label())
	out.text(it.Responsible)
	out.text(it.Note)
	out.money(b.Repaid)
	out.money(it.Undisputed + it.Disputed - b.Repaid - b.Outstanding)
	out.money(b.Outstanding)
	out.text(b.Status.Label())
	return out.endRow()
}

// itemStreamer is an item service that hands a filter's items over one at a time, in the order
// of their IDs (sqldb's reads them in large pages by key).
type itemStreamer interface {
	EachItem(ctx context.Context, f qingqian.ItemFilter, fn func(*qingqian.Item) error) error
}

// itemBatch is the number of items the reader of writeItems hands over at a time.
const itemBatch = 1000

// writeItems writes the items of a filter as ledger rows, read in a goroutine of their own
// while the rows are written, a few batches ahead: on two cores the reading (most of a CSV
// export's time) and the writing (most of a workbook's) overlap. A failed write stops the
// reading; a panic of the reader goes on in the caller's goroutine, where the server recovers it.
func writeItems(ctx context.Context, s itemStreamer, f qingqian.ItemFilter, out writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []qingqian.Item, 4)
	var readErr error
	var panicked any
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(batches)
		defer func() { panicked = recover() }()
		batch := make([]qingqian.Item, 0, itemBatch)
		send := func() error {
			select {
			case batches <- batch:
				batch = make([]qingqian.Item, 0, itemBatch)
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		readErr = s.EachItem(ctx, f, func(it *qingqian.Item) error {
			if batch = append(batch, *it); len(batch) < itemBatch {
				return nil
			}
			return send()
		})
		if readErr == nil && len(batch) > 0 {
			readErr = send()
		}
	}()
	var err error
	for batch := range batches {
		for i := 0; i < len(batch) && err == nil; i++ {
			err = ledgerRow(out, &batch[i])
		}
		if err != nil {
			cancel() // the reader stops; what it has sent is drained
		}
	}
	<-done
	if panicked != nil {
		panic(panicked)
	}
	if err != nil {
		return err
	}
	return readErr
}

// ExportLedger writes the items of a filter (the ledger page's filters) to w, streaming in pages
// by key, so a million rows never sit in memory.
func ExportLedger(ctx context.Context, items qingqian.ItemService, f qingqian.ItemFilter, w io.Writer, format string, meta Meta) error {
	if meta.Title == "" {
		meta.Title = "清理拖欠民营企业中小企业账款台账"
	}
	meta.Sheet = "台账"
	out, err := newWriter(w, format, LedgerColumns, meta)
	if err != nil {
		return err
	}
	if s, ok := items.(itemStreamer); ok {
		if err := writeItems(ctx, s, f, out); err != nil {
			return err
		}
		return out.close()
	}
	// Pages by key until one comes back empty: the service decides the page size.
	f.Sort, f.NoTotals, f.Limit, f.Offset, f.AfterID = "id", true, 500, 0, 0
	for {
		page, err := items.FindItems(ctx, f)
		if err != nil {
			return err
		}
		if len(page.Items) == 0 {
			break
		}
		for _, it := range page.Items {
			if err := ledgerRow(out, it); err != nil {
				return err
			}
		}
		f.AfterID = page.Items[len(page.Items)-1].ID
	}
	return out.close()
}

// ExportCreditors writes the creditors the actor sees.
func ExportCreditors(ctx context.Context, creditors qingqian.CreditorService, w io.Writer, format string, meta Meta) error {
	meta.Title, meta.Sheet = "债权企业", "债权企业"
	out, err := newWriter(w, format, CreditorColumns, meta)
	if err != nil {
		return err
	}
	for offset := 0; ; {
		cs, _, err := creditors.FindCreditors(ctx, qingqian.CreditorFilter{Offset: offset, Limit: 500})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			size := ""
			if c.Size != "" {
				size = c.Size.Label()
			}
			if err := out.row([]any{c.Name, c.USCC, c.Ownership.Label(), size, c.SizeDeclaredOn, c.SizeEvidence, c.Region}); err != nil {
				return err
			}
		}
		offset += len(cs)
	}
	return out.close()
}

// ExportOrgs writes the units of the actor's subtree in tree order.
func ExportOrgs(ctx context.Context, orgs qingqian.OrgService, w io.Writer, format string, meta Meta) error {
	meta.Title, meta.Sheet = "单位", "单位"
	out, err := newWriter(w, format, OrgColumns, meta)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for offset := 0; ; {
		os, _, err := orgs.FindOrgs(ctx, qingqian.OrgFilter{Offset: offset, Limit: 500})
		if err != nil {
			return err
		}
		if len(os) == 0 {
			break
		}
		for _, o := range os {
			names[o.ID] = o.Name
			state := "启用"
			if !o.Active {
				state = "停用"
			}
			if err := out.row([]any{o.Name, names[o.ParentID], o.ShortName, o.USCC, o.Kind.Label(), o.LeaderName, o.Department,
				o.LiaisonName, o.LiaisonPhone, state}); err != nil {
				return err
			}
		}
		offset += len(os)
	}
	return out.close()
}
