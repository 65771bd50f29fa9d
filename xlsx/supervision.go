package xlsx

import (
	"fmt"
	"io"

	"github.com/qingqian/qingqian"
)

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
		if err := wr.row([]any{iv.HeldOn, iv.OrgName, iv.Level.Label(), iv.Participants, iv.Minutes, text, int64(open), iv.CreatedBy}); err != nil {
			return err
		}
	}
	return wr.close()
}
