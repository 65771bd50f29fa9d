package xlsx

import (
	"fmt"
	"io"
	"strconv"

	"github.com/qingqian/qingqian"
)

// Wan is an amount shown in 万元 with two decimals (half-up), as official reports show it.
type Wan qingqian.Money

// Rate is a clearance rate in basis points, shown as a percentage with two decimals.
type Rate int64

// ReportColumns are the columns of a consolidated report, in the order of the printed page.
var ReportColumns = []Column{
	{Header: "序号", Width: 6}, {Header: "集团", Width: 22}, {Header: "报送状态", Width: 12},
	{Header: "底数（万元）", Width: 14}, {Header: "本期清偿（万元）", Width: 14}, {Header: "累计清偿（万元）", Width: 14},
	{Header: "未清偿（万元）", Width: 14}, {Header: "其中无分歧（万元）", Width: 14}, {Header: "其中有分歧（万元）", Width: 14},
	{Header: "其中司法程序中（万元）", Width: 14}, {Header: "清偿率", Width: 10}, {Header: "底数后新增（笔）", Width: 10}, {Header: "底数后新增（万元）", Width: 14},
	{Header: "台账条目（笔）", Width: 10}, {Header: "清偿（笔）", Width: 10}, {Header: "其中无凭证（笔）", Width: 10},
	{Header: "无凭证金额（万元）", Width: 14}, {Header: "零报告", Width: 8},
}

// ReportTitle is the title of a consolidated report.
func ReportTitle(r *qingqian.Report) string {
	return r.Period.Title + " 汇总表"
}

// ReportLine is the line under the title: who prepared it, as of when, issued or draft.
func ReportLine(r *qingqian.Report) string {
	state := "草稿（未印发，未报送集团按台账即时计算）"
	if r.Issued {
		state = "已印发 " + r.IssuedAt.In(cst).Format("2006-01-02 15:04")
	}
	return fmt.Sprintf("编制单位：%s　数据截至：%s　统计区间：%s 至 %s　%s　金额单位：万元", r.Office, r.Period.AsOf, r.Period.StartsOn, r.Period.AsOf, state)
}

// ReportRowValues lays out one row of the report; n is its number, 0 for the total.
func ReportRowValues(n int, name, state string, f *qingqian.GroupFigures, zero string) []any {
	seq := "合计"
	if n > 0 {
		seq = strconv.Itoa(n)
	}
	return []any{seq, name, state, Wan(f.Baseline), Wan(f.RepaidPeriod), Wan(f.RepaidToDate), Wan(f.Outstanding), Wan(f.Undisputed), Wan(f.Disputed), Wan(f.InCourt),
		Rate(f.Rate), f.NewItems, Wan(f.NewAmount), f.Items, f.Payments, f.PaymentsNoVoucher, Wan(f.RepaidNoVoucher), zero}
}

// StateText is how a row's state reads in a report.
func StateText(row *qingqian.ReportRow) string {
	s := qingqian.SubmissionStateNames[row.State]
	if row.Late {
		s += "（逾期）"
	}
	return s
}

// WriteReport writes a consolidated report as xlsx (A4 landscape, page numbers in the footer)
// or CSV, in the layout of the printed page.
func WriteReport(w io.Writer, r *qingqian.Report, format string) error {
	meta := Meta{Title: ReportTitle(r), Sheet: fmt.Sprintf("第%d期", r.Period.No), Line: ReportLine(r)}
	wr, err := newWriter(w, format, ReportColumns, meta)
	if err != nil {
		return err
	}
	if x, ok := wr.(*xlsxWriter); ok {
		if err := x.printSetup(meta.Sheet, 3); err != nil {
			return err
		}
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		zero := ""
		if row.Zero {
			zero = "是"
		}
		if err := wr.row(ReportRowValues(i+1, row.OrgName, StateText(row), &row.Figures, zero)); err != nil {
			return err
		}
	}
	if err := wr.row(ReportRowValues(0, fmt.Sprintf("%d 家集团，已报送 %d 家", len(r.Rows), r.Submitted), "", &r.Total, strconv.Itoa(r.ZeroReports))); err != nil {
		return err
	}
	return wr.close()
}
