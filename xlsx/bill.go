package xlsx

import (
	"io"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// BillColumns are the columns of the list of bills.
var BillColumns = []Column{
	{Header: "欠款单位", Width: 28}, {Header: "条目", Width: 16}, {Header: "债权企业", Width: 28}, {Header: "种类", Width: 12}, {Header: "票据号码", Width: 24},
	{Header: "金额（元）", Width: 16}, {Header: "出票日", Width: 12}, {Header: "交付日", Width: 12}, {Header: "到期日", Width: 12}, {Header: "承兑人", Width: 24},
	{Header: "状态", Width: 16}, {Header: "逾期未兑付（天）", Width: 14}, {Header: "兑付日", Width: 12}, {Header: "拒付或退回撤销日", Width: 14},
	{Header: "拒付或退回原因", Width: 30}, {Header: "提示", Width: 50},
}

// WriteBills writes bills with their states; a bill pending past its maturity says by how many
// days.
func WriteBills(w io.Writer, bills []*qingqian.Bill, format string, meta Meta) error {
	if meta.Title == "" {
		meta.Title = "票据支付台账"
	}
	meta.Sheet = "票据"
	wr, err := newWriter(w, format, BillColumns, meta)
	if err != nil {
		return err
	}
	for _, b := range bills {
		var overdue any = ""
		if b.OverdueDays > 0 {
			overdue = int64(b.OverdueDays)
		}
		var flags []string
		for _, f := range b.Flags {
			flags = append(flags, f.Text)
		}
		item := b.ItemNo
		if item == "" {
			item = "#" + strconv.FormatInt(b.ItemID, 10)
		}
		if err := wr.row([]any{b.OrgName, item, b.CreditorName, b.Kind.Label(), b.No, b.Amount, b.IssuedOn, b.HandedOn, b.MaturesOn, b.Acceptor,
			b.StateLabel(), overdue, b.HonouredOn, b.DishonouredOn, b.CloseReason, strings.Join(flags, "；")}); err != nil {
			return err
		}
	}
	return wr.close()
}
