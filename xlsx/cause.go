package xlsx

import (
	"fmt"
	"io"

	"github.com/qingqian/qingqian"
)

// CauseColumns are the columns of the list of causes.
var CauseColumns = []Column{
	{Header: "对象", Width: 10}, {Header: "编号", Width: 10}, {Header: "单位", Width: 28}, {Header: "欠款类型", Width: 10}, {Header: "日期", Width: 12},
	{Header: "拖欠原因", Width: 18}, {Header: "说明", Width: 40}, {Header: "记录人", Width: 12},
}

// WriteCauses writes the causes recorded on clues and items.
func WriteCauses(w io.Writer, recs []*qingqian.CauseRecord, format string, meta Meta) error {
	meta.Title = "拖欠原因明细表"
	meta.Sheet = "拖欠原因"
	wr, err := newWriter(w, format, CauseColumns, meta)
	if err != nil {
		return err
	}
	for _, r := range recs {
		kind := ""
		if r.ItemKind != "" {
			kind = r.ItemKind.Label()
		}
		no := r.SubjectNo
		if no == "" {
			no = fmt.Sprintf("#%d", r.SubjectID)
		}
		if err := wr.row([]any{r.Subject.Label(), no, r.OrgName, kind, r.On, r.Cause.Label(), r.Note, r.RecordedBy}); err != nil {
			return err
		}
	}
	return wr.close()
}
