package xlsx

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

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

// InterviewColumns are the columns of the interview list sent to the provincial office.
var InterviewColumns = []Column{
	{Header: "约谈日期", Width: 12}, {Header: "被约谈企业", Width: 24}, {Header: "约谈对象", Width: 14}, {Header: "参加人员", Width: 30},
	{Header: "约谈纪要", Width: 50}, {Header: "承诺事项", Width: 50}, {Header: "未完成承诺（项）", Width: 10}, {Header: "记录人", Width: 12},
}

// WriteInterviews writes the interview list with each interview's commitments in one cell.
func WriteInterviews(w io.Writer, ivs []*qingqian.Interview, format string, meta Meta) error {
	meta.Title = "约谈情况表"
	meta.Sheet = "约谈"
	wr, err := newWriter(w, format, InterviewColumns, meta)
	if err != nil {
		return err
	}
	for _, iv := range ivs {
		var text string
		open := 0
		for i, c := range iv.Commitments {
			if i > 0 {
				text += "\n"
			}
			state := "未完成"
			if !c.DoneOn.IsZero() {
				state = "已于" + c.DoneOn.String() + "完成"
			} else {
				open++
			}
			text += fmt.Sprintf("%d. %s（时限 %s，%s）", i+1, c.Text, c.DueOn, state)
		}
		if err := wr.row([]any{iv.HeldOn, iv.OrgName, qingqian.InterviewLevelNames[iv.Level], iv.Participants, iv.Minutes, text, int64(open), iv.CreatedBy}); err != nil {
			return err
		}
	}
	return wr.close()
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
