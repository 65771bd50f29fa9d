package xlsx

import (
	"fmt"
	"io"
	"strings"

	"github.com/qingqian/qingqian"
)

// ClueColumns are the columns of the complaint ledger (投诉举报线索台账), as the web list shows it,
// with the dates that happened, the deadlines counted from them and the marks they carry.
var ClueColumns = []Column{
	{Header: "线索编号", Width: 14}, {Header: "来源", Width: 16}, {Header: "交办文号", Width: 20}, {Header: "收到日期", Width: 12},
	{Header: "投诉企业", Width: 24}, {Header: "统一社会信用代码", Width: 20}, {Header: "被投诉单位（投诉所称）", Width: 20},
	{Header: "投诉金额（元）", Width: 14}, {Header: "承办单位", Width: 20}, {Header: "责任领导", Width: 12}, {Header: "责任人", Width: 12},
	{Header: "转办期限", Width: 12}, {Header: "交办（转办）日期", Width: 12}, {Header: "逾期转办", Width: 16}, {Header: "承办单位收到材料日期", Width: 12},
	{Header: "办结期限", Width: 12}, {Header: "期限说明", Width: 30}, {Header: "状态", Width: 12}, {Header: "核实结论", Width: 14},
	{Header: "是否台账漏报", Width: 10}, {Header: "销号日期", Width: 12}, {Header: "回访满意度", Width: 10}, {Header: "补录", Width: 30},
	{Header: "投诉内容", Width: 40},
}

// WriteClues writes the complaint ledger.
func WriteClues(w io.Writer, clues []*qingqian.Clue, format string, meta Meta) error {
	meta.Title, meta.Sheet = "投诉举报线索台账", "线索"
	wr, err := newWriter(w, format, ClueColumns, meta)
	if err != nil {
		return err
	}
	for _, c := range clues {
		state := c.State.Label()
		if c.Overdue(meta.AsOf) {
			state += "（逾期）"
		}
		concl := c.Conclusion.Label()
		if r := c.OutReason.Label(); r != "" {
			concl += "：" + r
		}
		missing := ""
		if c.MissingDebt {
			missing = "是"
		}
		late := ""
		switch {
		case c.ForwardedLate:
			late = fmt.Sprintf("是（超过期限%d日）", c.ForwardLateDays())
		case c.ForwardOverdue(meta.AsOf):
			late = "逾期未转办"
		}
		if err := wr.row([]any{c.No, c.Channel.Label(), c.TransferNo, c.ReceivedOn, c.CreditorName, c.CreditorUSCC, c.Respondent,
			c.Claimed, c.OrgName, c.ResponsibleLeader, c.ResponsiblePerson, c.ForwardBy, c.AssignedOn, late, c.MaterialsOn,
			c.Deadline(), deadlineNote(c), state, concl, missing, c.ClosedOn, c.Satisfaction.Label(), backdated(c), c.Text}); err != nil {
			return err
		}
	}
	return wr.close()
}

// deadlineNote says which deadlines are provisional and why, and what an extension replaced.
func deadlineNote(c *qingqian.Clue) string {
	var parts []string
	if c.ForwardByProvisional {
		parts = append(parts, "转办期限暂定")
	}
	if c.ResultByProvisional && c.ExtendedTo.IsZero() {
		parts = append(parts, "办结期限暂定")
	}
	if !c.ExtendedTo.IsZero() {
		parts = append(parts, fmt.Sprintf("已延期（原期限 %s）：%s", c.ResultBy, c.ExtendReason))
	}
	if len(parts) > 0 && c.DeadlineNote != "" && (c.ForwardByProvisional || c.ResultByProvisional) {
		parts = append(parts, c.DeadlineNote)
	}
	return strings.Join(parts, "；")
}

// backdated names the steps entered after the day they happened, and when they were entered.
func backdated(c *qingqian.Clue) string {
	var parts []string
	if c.Backdated {
		parts = append(parts, "收到日期（"+c.RecordedAt.In(cst).Format("2006-01-02 15:04")+" 登记）")
	}
	if c.AssignBackdated {
		parts = append(parts, "交办日期（"+c.AssignedAt.In(cst).Format("2006-01-02 15:04")+" 录入）")
	}
	if c.ReassignBackdated {
		parts = append(parts, "转交日期（"+c.ReassignedAt.In(cst).Format("2006-01-02 15:04")+" 录入）")
	}
	return strings.Join(parts, "；")
}
