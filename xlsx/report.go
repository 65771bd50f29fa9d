package xlsx

import (
	"fmt"
	"io"

	"github.com/qingqian/qingqian"
)

// Wan is an amount shown in 万元 with two decimals (half-up), as official reports show it.
type Wan qingqian.Money

// Rate is a clearance rate in basis points, shown as a percentage with two decimals.
type Rate int64

// ReportColumns are the columns of a consolidated report in its layout (Report.Columns: one
// issued before a column was added is written without it), each headed with its unit.
func ReportColumns(r *qingqian.Report) []Column {
	cs := r.Columns()
	out := make([]Column, len(cs))
	for i, c := range cs {
		out[i] = Column{Header: c.Heading(), Width: c.Width}
	}
	return out
}

// ReportTitle is the title of a consolidated report.
func ReportTitle(r *qingqian.Report) string {
	return r.Period.Title + " 汇总表"
}

// ReportLine is the line under the title: who prepared it, as of when, issued or draft.
func ReportLine(r *qingqian.Report) string {
	state := "草稿（未印发，未报送集团按台账即时计算）"
	if r.Issued {
		at := r.IssuedAt.In(cst)
		state = "已印发 " + qingqian.DateOf(at).Chinese() + at.Format(" 15:04")
	}
	line := fmt.Sprintf("编制单位：%s　数据截至：%s　统计区间：%s至%s　%s　金额单位：万元", r.Office, r.Period.AsOf.Chinese(), r.Period.StartsOn.Chinese(), r.Period.AsOf.Chinese(), state)
	if r.Issued && r.AuditDigest != "" {
		line += "　审计链锚点：" + r.AuditDigest
	}
	return line
}

// reportValues lays out line i of a report (len(r.Rows) for the total) in ReportColumns order;
// a figure the line's frozen figures do not hold is left blank.
func reportValues(r *qingqian.Report, i int) []any {
	cs := r.Columns()
	out := make([]any, len(cs))
	for k, c := range cs {
		switch {
		case c.Unit == qingqian.UnitText:
			out[k] = c.Text(r, i)
		case c.Blank(r, i):
			out[k] = "—" // frozen before the figure was counted apart
		case c.Unit == qingqian.UnitWan:
			out[k] = Wan(c.Figure(r.FiguresAt(i)))
		case c.Unit == qingqian.UnitRate:
			out[k] = Rate(c.Figure(r.FiguresAt(i)))
		default:
			out[k] = c.Figure(r.FiguresAt(i))
		}
	}
	return out
}

// WriteReport writes a consolidated report as xlsx (A4 landscape, page numbers in the footer)
// or CSV, in the layout of the printed page.
func WriteReport(w io.Writer, r *qingqian.Report, format string) error {
	meta := Meta{Title: ReportTitle(r), Sheet: fmt.Sprintf("第%d期", r.Period.No), Line: ReportLine(r)}
	cols := ReportColumns(r)
	wr, err := newWriter(w, format, cols, meta)
	if err != nil {
		return err
	}
	if x, ok := wr.(*xlsxWriter); ok {
		if err := x.printSetup(meta.Sheet, 3); err != nil {
			return err
		}
	}
	for i := range len(r.Rows) + 1 {
		if err := wr.row(reportValues(r, i)); err != nil {
			return err
		}
	}
	if err := writeAnnex(wr, r, len(cols)); err != nil {
		return err
	}
	if err := roundingNote(wr); err != nil {
		return err
	}
	return wr.close()
}

// writeAnnex writes the report's annex under its table, in its first columns: the bills not
// yet honoured by group, then, when the annex holds them, the confirmations and the signals.
func writeAnnex(wr writer, r *qingqian.Report, width int) error {
	an := r.Annex
	if an == nil {
		return nil
	}
	pad := func(vs ...any) []any {
		out := make([]any, width)
		for i := range out {
			out[i] = ""
		}
		copy(out, vs)
		return out
	}
	state := "按导出时已登记的情况计算"
	if an.Frozen {
		state = "印发时随表固定"
	} else if r.Issued {
		state = "按印发时已登记的情况计算"
	}
	rows := [][]any{
		pad(),
		pad("附：票据支付未兑付（截至" + an.AsOf.Chinese() + "，" + state + "；不计入已清偿）"),
		pad("单位", "张数", "金额（万元）", "其中逾期未兑付张数", "逾期未兑付金额（万元）"),
	}
	for _, x := range append(append([]qingqian.BillAnnexRow(nil), an.Bills...), an.BillsTotal) {
		rows = append(rows, pad(x.OrgName, int64(x.Count), Wan(x.Amount), int64(x.OverdueCount), Wan(x.OverdueAmount)))
	}
	if an.Note != "" {
		rows = append(rows, pad("注："+an.Note))
	}
	if sr := an.Signals; sr != nil {
		rows = append(rows, pad(), pad("附表：已清偿金额核实情况与预警信号（"+sr.OrgName+"，"+state+"）"), pad("项目", "笔数／项数", "金额（元）"))
		if c := sr.Confirmations; c != nil {
			rows = append(rows, pad("回函相符", int64(c.ConfirmedCount), c.Confirmed), pad("回函不符", int64(c.DisputedCount), c.Disputed),
				pad("未经确认（未询证或未回函）", int64(c.UnconfirmedCount), c.Unconfirmed))
		}
		for _, sig := range sr.Signals {
			rows = append(rows, pad("预警信号："+sig.Title, int64(sig.Count), sig.Amount))
		}
	}
	for _, row := range rows {
		if err := wr.row(row); err != nil {
			return err
		}
	}
	return nil
}
