package xlsx

import (
	"io"
	"strconv"

	"github.com/qingqian/qingqian"
)

// LetterColumns are the columns of the list of confirmation letters.
var LetterColumns = []Column{
	{Header: "函号", Width: 22}, {Header: "债务单位", Width: 28}, {Header: "债权人", Width: 28}, {Header: "统一社会信用代码", Width: 20},
	{Header: "发函日期", Width: 12}, {Header: "回函期限", Width: 12}, {Header: "询证笔数", Width: 10}, {Header: "函列清偿金额（元）", Width: 16},
	{Header: "回函状态", Width: 14}, {Header: "回函日期", Width: 12}, {Header: "债权人确认金额（元）", Width: 18}, {Header: "差异（元）", Width: 14},
	{Header: "差异处理", Width: 14}, {Header: "处理方式", Width: 14}, {Header: "逾期回函（天）", Width: 14}, {Header: "在线回复", Width: 10},
}

// WriteLetters writes the confirmation letters and where their replies stand.
func WriteLetters(w io.Writer, letters []*qingqian.Letter, format string, meta Meta) error {
	meta.Title = "询证函台账"
	meta.Sheet = "询证函"
	wr, err := newWriter(w, format, LetterColumns, meta)
	if err != nil {
		return err
	}
	for _, l := range letters {
		var confirmed, diff any = "", ""
		if l.State != qingqian.LetterSent {
			confirmed, diff = l.CreditorTotal, l.Difference
		}
		resolution := ""
		if l.Resolution != "" {
			resolution = l.Resolution.Label()
		}
		var late any = ""
		if l.LateDays > 0 {
			late = int64(l.LateDays)
		}
		online := "否"
		if l.OnlineReply {
			online = "是"
		}
		if err := wr.row([]any{l.No, l.OrgName, l.CreditorName, l.CreditorUSCC, l.IssuedOn, l.ReplyBy, int64(len(l.Lines)), l.Total,
			l.StatusLabel(), l.RepliedOn, confirmed, diff, l.FindingState.Label(), resolution, late, online}); err != nil {
			return err
		}
	}
	return wr.close()
}

// SignalColumns are the columns of the signals' list.
var SignalColumns = []Column{
	{Header: "信号", Width: 24}, {Header: "规则", Width: 50}, {Header: "单位", Width: 28}, {Header: "债权人", Width: 28},
	{Header: "日期", Width: 12}, {Header: "金额（元）", Width: 16}, {Header: "说明", Width: 50},
}

// WriteSignals writes every signal's count and amount, then the records each points at.
func WriteSignals(w io.Writer, rep *qingqian.SignalReport, format string, meta Meta) error {
	meta.Title = "预警信号：" + rep.OrgName + "（截至" + rep.AsOf.String() + "）"
	meta.Sheet = "预警信号"
	wr, err := newWriter(w, format, SignalColumns, meta)
	if err != nil {
		return err
	}
	for _, s := range rep.Signals {
		if err := wr.row([]any{s.Title, s.Rule, "合计", "", qingqian.Date{}, s.Amount, strconv.Itoa(s.Count) + "项"}); err != nil {
			return err
		}
		for _, h := range s.Hits {
			if err := wr.row([]any{s.Title, "", h.OrgName, h.Creditor, h.On, h.Amount, h.Text}); err != nil {
				return err
			}
		}
	}
	return wr.close()
}
