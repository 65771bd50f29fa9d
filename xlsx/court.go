package xlsx

import (
	"fmt"
	"io"

	"github.com/qingqian/qingqian"
)

// DisputeColumns are the columns of 剩余有分歧账款推动解决情况表. The last three make each row
// reconcile: 认定金额 = 已清偿 + 核减核销 + 未清偿 (of which 有分歧金额 is the disputed part).
var DisputeColumns = []Column{
	{Header: "序号", Width: 6}, {Header: "欠款单位", Width: 22}, {Header: "债权企业", Width: 24}, {Header: "台账编号", Width: 12},
	{Header: "有分歧金额（万元）", Width: 14}, {Header: "分歧原因", Width: 24}, {Header: "解决途径", Width: 10}, {Header: "所处阶段", Width: 12},
	{Header: "案号", Width: 24}, {Header: "本月进展", Width: 40}, {Header: "下一步工作", Width: 30}, {Header: "预计解决时间", Width: 12},
	{Header: "已清偿（万元）", Width: 14}, {Header: "责任人", Width: 12},
	{Header: "认定金额（万元）", Width: 14}, {Header: "核减核销（万元）", Width: 14}, {Header: "未清偿（万元）", Width: 14},
}

// DisputeTitle names the table.
func DisputeTitle(t *qingqian.DisputeTable) string {
	return fmt.Sprintf("%s剩余有分歧账款推动解决情况表（截至%d年%d月%d日）", t.OrgName, t.AsOf.Year(), t.AsOf.Month(), t.AsOf.Day())
}

// WriteDisputes writes the monthly table, amounts in 万元, A4 landscape.
func WriteDisputes(w io.Writer, t *qingqian.DisputeTable, format string, meta Meta) error {
	meta.Title, meta.Sheet = DisputeTitle(t), "有分歧账款"
	meta.Line = fmt.Sprintf("数据截至：%s　金额单位：万元　导出人：%s", t.AsOf, meta.User)
	wr, err := newWriter(w, format, DisputeColumns, meta)
	if err != nil {
		return err
	}
	if x, ok := wr.(*xlsxWriter); ok {
		if err := x.printSetup(meta.Sheet, 3); err != nil {
			return err
		}
	}
	for i, r := range t.Rows {
		next := r.NextStep
		if r.ExpectedPassed {
			next += "（预计解决时间已过）"
		}
		if err := wr.row([]any{fmt.Sprint(i + 1), r.OrgName, r.Creditor, r.ItemNo, Wan(r.Amount), r.Reason, r.Route.Label(),
			r.StageText(), r.CaseNo, r.Progress, next, r.ExpectedOn, Wan(r.Repaid), r.Responsible,
			Wan(r.Recognised), Wan(r.Reduced), Wan(r.Outstanding)}); err != nil {
			return err
		}
	}
	if err := wr.row([]any{"合计", fmt.Sprintf("%d 笔", len(t.Rows)), "", "", Wan(t.Total), "", "", "", "", "", "", nil, Wan(t.Repaid), "",
		Wan(t.Recognised), Wan(t.Reduced), Wan(t.Outstanding)}); err != nil {
		return err
	}
	if err := roundingNote(wr); err != nil {
		return err
	}
	return wr.close()
}
