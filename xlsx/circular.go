package xlsx

import (
	"io"

	"github.com/qingqian/qingqian"
)

// ReceiptColumns are the columns of a circular's receipts.
var ReceiptColumns = []Column{
	{Header: "收文单位", Width: 28}, {Header: "签收人", Width: 12}, {Header: "签收时间", Width: 18}, {Header: "回复", Width: 60},
	{Header: "回复人", Width: 12}, {Header: "回复时间", Width: 18}, {Header: "回复逾期", Width: 10},
}

// WriteReceipts writes who signed for a circular and replied, and whose reply is overdue.
func WriteReceipts(w io.Writer, c *qingqian.Circular, format string, meta Meta) error {
	meta.Title = "签收回复情况：" + c.Title
	meta.Sheet = "签收"
	wr, err := newWriter(w, format, ReceiptColumns, meta)
	if err != nil {
		return err
	}
	at := func(r qingqian.Receipt, read bool) string {
		t := r.RepliedAt
		if read {
			t = r.ReadAt
		}
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	}
	for _, r := range c.Receipts {
		overdue := "否"
		if r.Overdue {
			overdue = "是"
		}
		if err := wr.row([]any{r.OrgName, r.ReadBy, at(r, true), r.Reply, r.RepliedBy, at(r, false), overdue}); err != nil {
			return err
		}
	}
	return wr.close()
}
