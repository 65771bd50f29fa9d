package xlsx

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

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
	date, amt  int
	pct        int
	textStyle  int
	cellValues []any
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
	x := &xlsxWriter{w: w, f: f, sw: sw, cols: cols, cellValues: make([]any, len(cols))}
	dateFmt, amtFmt := "yyyy-mm-dd", "#,##0.00"
	if x.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
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
				x.cellValues[i] = excelize.Cell{Value: time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC), StyleID: x.date}
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

type csvWriter struct {
	w   *csv.Writer
	rec []string
}

// newCSVWriter writes UTF-8 with a byte-order mark, which Excel and WPS need to read Chinese.
func newCSVWriter(w io.Writer, cols []Column, meta Meta) (*csvWriter, error) {
	if _, err := w.Write([]byte("\xEF\xBB\xBF")); err != nil {
		return nil, err
	}
	c := &csvWriter{w: csv.NewWriter(w), rec: make([]string, len(cols))}
	c.w.Write([]string{meta.Title})
	c.w.Write([]string{meta.line()})
	for i, col := range cols {
		c.rec[i] = col.Header
	}
	return c, c.w.Write(c.rec)
}

func (c *csvWriter) row(values []any) error {
	for i, v := range values {
		switch v := v.(type) {
		case qingqian.Date:
			c.rec[i] = v.String()
		case qingqian.Money:
			c.rec[i] = v.String()
		case Wan:
			c.rec[i] = qingqian.Money(v).WanExact()
		case Rate:
			c.rec[i] = fmt.Sprintf("%d.%02d%%", v/100, v%100)
		case int64:
			c.rec[i] = strconv.FormatInt(v, 10)
		case string:
			c.rec[i] = defuse(v)
		default:
			c.rec[i] = ""
		}
	}
	return c.w.Write(c.rec[:len(values)])
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
	c.w.Flush()
	return c.w.Error()
}

// ledgerValues lays an item out in LedgerColumns order.
func ledgerValues(it *qingqian.Item) []any {
	b := it.Balance
	return []any{it.No, it.OrgName, it.CreditorName, it.CreditorUSCC, it.CreditorOwnership.Label(), it.ContractNo, it.ContractName,
		it.Kind.Label(), it.ArisenOn, it.DueOn, it.Undisputed, it.Disputed, it.DisputeReason,
		it.FundingSource.Label(), it.Origin.Label(), it.Responsible, it.Note,
		b.Repaid, it.Undisputed + it.Disputed - b.Repaid - b.Outstanding, b.Outstanding, b.Status.Label()}
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
			if err := out.row(ledgerValues(it)); err != nil {
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
