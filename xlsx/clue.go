package xlsx

import (
	"io"

	"github.com/qingqian/qingqian"
)

// ClueColumns are the columns of the complaint ledger (投诉举报线索台账), as the web list shows it.
var ClueColumns = []Column{
	{Header: "线索编号", Width: 14}, {Header: "来源", Width: 16}, {Header: "交办文号", Width: 20}, {Header: "收到日期", Width: 12},
	{Header: "投诉企业", Width: 24}, {Header: "统一社会信用代码", Width: 20}, {Header: "被投诉单位（投诉所称）", Width: 20},
	{Header: "投诉金额（元）", Width: 14}, {Header: "承办单位", Width: 20}, {Header: "责任领导", Width: 12}, {Header: "责任人", Width: 12},
	{Header: "转办期限", Width: 12}, {Header: "办结期限", Width: 12}, {Header: "状态", Width: 12}, {Header: "核实结论", Width: 14},
	{Header: "是否台账漏报", Width: 10}, {Header: "销号日期", Width: 12}, {Header: "回访满意度", Width: 10}, {Header: "投诉内容", Width: 40},
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
		if err := wr.row([]any{c.No, c.Channel.Label(), c.TransferNo, c.ReceivedOn, c.CreditorName, c.CreditorUSCC, c.Respondent,
			c.Claimed, c.OrgName, c.ResponsibleLeader, c.ResponsiblePerson, c.ForwardBy, c.Deadline(), state, concl, missing, c.ClosedOn,
			c.Satisfaction.Label(), c.Text}); err != nil {
			return err
		}
	}
	return wr.close()
}
