package xlsx

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/qingqian/qingqian"
)

// ContractColumns are the columns of the contract register (合同台账).
var ContractColumns = []Column{
	{Header: "合同编号", Width: 18}, {Header: "合同名称", Width: 28}, {Header: "合同类型", Width: 8}, {Header: "采购单位", Width: 28},
	{Header: "采购方类型", Width: 10}, {Header: "供应商", Width: 28}, {Header: "统一社会信用代码", Width: 20}, {Header: "签订时声明的规模", Width: 10},
	{Header: "签订日期", Width: 12}, {Header: "合同金额（元）", Width: 16}, {Header: "结算方式", Width: 14}, {Header: "约定付款期限（日）", Width: 10},
	{Header: "验收为付款条件", Width: 8}, {Header: "约定验收期限（日）", Width: 10}, {Header: "约定逾期利率", Width: 12},
	{Header: "违法条款及提示", Width: 48}, {Header: "状态", Width: 24},
}

// ExportContracts writes the contract register the filter selects, page by page: each
// contract's terms and what the rules find wrong with them; a cancelled contract says so.
func ExportContracts(ctx context.Context, contracts qingqian.ContractService, f qingqian.ContractFilter, w io.Writer, format string, meta Meta) error {
	meta.Title, meta.Sheet = "合同台账", "合同台账"
	wr, err := newWriter(w, format, ContractColumns, meta)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, 500
	for {
		p, err := contracts.FindContracts(ctx, f)
		if err != nil {
			return err
		}
		if err := writeContracts(wr, p.Contracts); err != nil {
			return err
		}
		if len(p.Contracts) < f.Limit {
			return wr.close()
		}
		f.Offset += len(p.Contracts)
	}
}

func writeContracts(wr writer, ks []*qingqian.Contract) error {
	for _, k := range ks {
		days := func(n int) any {
			if n == 0 {
				return "未约定"
			}
			return fmt.Sprint(n)
		}
		rate := k.AgreedRate.String()
		if rate == "" {
			rate = "未约定"
		}
		var flags []string
		for _, f := range k.Flags {
			if f.Unlawful {
				flags = append(flags, "【违法】"+f.Text)
			} else {
				flags = append(flags, f.Text)
			}
		}
		state := "有效"
		if k.Cancelled() {
			state = fmt.Sprintf("已作废（%s）：%s", qingqian.DateOf(k.CancelledAt), k.CancelReason)
		}
		if err := wr.row([]any{k.No, k.Name, k.Kind.Label(), k.OrgName, k.Buyer.Label(), k.CreditorName, k.CreditorUSCC, k.SupplierSize.Label(),
			k.SignedOn, k.Amount, k.Settlement.Label(), days(k.AgreedDays), yesNo(k.AcceptanceCondition), days(k.AcceptanceDays), rate,
			strings.Join(flags, "；"), state}); err != nil {
			return err
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// OpenPayableColumns are the columns of the open payables as of a date (the aging's drill-down).
var OpenPayableColumns = []Column{
	{Header: "合同编号", Width: 18}, {Header: "合同名称", Width: 28}, {Header: "采购单位", Width: 28}, {Header: "供应商", Width: 28},
	{Header: "第几笔", Width: 8}, {Header: "到期日", Width: 12}, {Header: "未付金额（元）", Width: 16}, {Header: "账龄", Width: 14},
}

// ExportOpenPayables writes the payables the filter selects as open on its date, page by page,
// with their aging bucket.
func ExportOpenPayables(ctx context.Context, aging qingqian.AgingService, f qingqian.PayableFilter, w io.Writer, format string, meta Meta) error {
	meta.Title, meta.Sheet, meta.AsOf = "未付应付账款明细", "应付款", f.AsOf
	wr, err := newWriter(w, format, OpenPayableColumns, meta)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = 0, 500
	for {
		ps, err := aging.FindOpenPayables(ctx, f)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if err := wr.row([]any{p.ContractNo, p.ContractName, p.OrgName, p.CreditorName, fmt.Sprint(p.Seq), p.DueOn, p.Open, p.Bucket.Label()}); err != nil {
				return err
			}
		}
		if len(ps) < f.Limit {
			return wr.close()
		}
		f.Offset += len(ps)
	}
}

// PayableColumns are the columns of one contract's payables, with how each was computed.
var PayableColumns = []Column{
	{Header: "第几笔", Width: 8}, {Header: "依据", Width: 12}, {Header: "金额（元）", Width: 16}, {Header: "按期应付（元）", Width: 16},
	{Header: "起算日", Width: 12}, {Header: "到期日", Width: 12}, {Header: "已付（元）", Width: 16}, {Header: "未付（元）", Width: 16},
	{Header: "逾期天数", Width: 8}, {Header: "逾期利息（元）", Width: 14}, {Header: "利率", Width: 12}, {Header: "状态", Width: 10},
	{Header: "适用规则", Width: 22}, {Header: "到期日如何计算", Width: 60}, {Header: "逾期利息如何计算", Width: 60}, {Header: "提示", Width: 40},
}

// WriteContractPayables writes a contract's payables as of meta.AsOf, each with the explanation
// of its due date and its interest: the same steps the contract's page shows.
func WriteContractPayables(w io.Writer, k *qingqian.Contract, format string, meta Meta) error {
	meta.Title = fmt.Sprintf("合同%s（%s）应付款计算表", k.No, k.Name)
	if k.Cancelled() {
		meta.Title += "（已作废）"
	}
	meta.Sheet = "应付款"
	wr, err := newWriter(w, format, PayableColumns, meta)
	if err != nil {
		return err
	}
	steps := func(ss []string) string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = fmt.Sprintf("%d. %s", i+1, s)
		}
		return strings.Join(out, "\n")
	}
	pad := func(vs ...any) []any {
		out := make([]any, len(PayableColumns))
		for i := range out {
			out[i] = ""
		}
		copy(out, vs)
		return out
	}
	if k.Cancelled() {
		// A cancelled contract owes nothing: said in the row's status, not left an empty sheet.
		row := pad("—", "合同已作废")
		row[11] = "已作废"
		row[15] = fmt.Sprintf("合同于%s作废：%s；作废的合同不产生应付款", qingqian.DateOf(k.CancelledAt), k.CancelReason)
		if err := wr.row(row); err != nil {
			return err
		}
	}
	for _, p := range k.Payables {
		var flags []string
		for _, f := range p.Flags {
			flags = append(flags, f.Text)
		}
		due := any(p.DueOn)
		if p.Provisional != 0 {
			due = fmt.Sprintf("%s（暂定：%d年节假日安排未录入）", p.DueOn, p.Provisional)
		}
		if err := wr.row([]any{fmt.Sprint(p.Seq), p.Basis, p.Amount, p.Due, p.StartOn, due, p.Paid, p.Unpaid, fmt.Sprint(p.OverdueDays),
			p.Interest, p.Rate, p.Status.Label(), p.Rule, steps(p.DueSteps), steps(p.RateSteps), strings.Join(flags, "；")}); err != nil {
			return err
		}
	}
	// The events the payables come from, each with its status: a voided one is listed as voided
	// (the rules leave it out), not as if it counted.
	if len(k.Events) > 0 {
		rows := [][]any{pad(), pad("附：合同履行事项"), pad("序号", "事项", "日期", "金额（元）", "付款方式", "凭证号", "备注", "状态")}
		for i, e := range k.Events {
			rows = append(rows, pad(fmt.Sprint(i+1), e.Kind.Label(), e.On, e.Amount, e.Method.Label(), e.VoucherNo, e.Note, EventState(e)))
		}
		for _, r := range rows {
			if err := wr.row(r); err != nil {
				return err
			}
		}
	}
	return wr.close()
}

// EventState is how an event's status reads in an export: 有效, or 已撤销 with when, by whom
// and why; a dispute or a suit ended says so.
func EventState(e *qingqian.ContractEvent) string {
	switch {
	case e.Voided():
		return fmt.Sprintf("已撤销（%s，%s）：%s；不计入应付款", qingqian.DateOf(e.VoidedAt), e.VoidedBy, e.VoidReason)
	case !e.EndOn.IsZero():
		return fmt.Sprintf("有效（%s结束）", e.EndOn)
	}
	return "有效"
}

// DisclosureColumns are the two columns of the yearly disclosure: what is declared, and its value.
var DisclosureColumns = []Column{{Header: "项目", Width: 40}, {Header: "内容", Width: 60}}

// WriteDisclosure writes a unit's yearly disclosure of overdue unpaid payments to SMEs, with the
// figures the payables give beside the declared ones and whether they contradict.
func WriteDisclosure(w io.Writer, d *qingqian.Disclosure, format string, meta Meta) error {
	meta.Title = fmt.Sprintf("%s %d年度逾期未付中小企业款项公示", d.OrgName, d.Year)
	meta.Sheet = "年度公示"
	meta.AsOf = qingqian.MustParseDate(fmt.Sprintf("%d-12-31", d.Year))
	wr, err := newWriter(w, format, DisclosureColumns, meta)
	if err != nil {
		return err
	}
	has := "无"
	if d.HasOverdue {
		has = "有"
	}
	state := d.State.Label()
	if d.SignedBy != "" {
		state += fmt.Sprintf("（%s %s 签发）", d.SignedBy, d.SignedAt.In(cst).Format("2006-01-02 15:04"))
	}
	check := "一致"
	if c := d.Contradiction(); c != "" {
		check = "不符：" + c
		if d.ContradictionReason != "" {
			check += "；签发人确认按原声明签发，理由：" + d.ContradictionReason
		}
	}
	rows := [][]any{
		{"单位", d.OrgName},
		{fmt.Sprintf("截至%d年12月31日是否有逾期未付中小企业款项", d.Year), has},
		{"逾期未付合同数量（笔）", fmt.Sprint(d.Count)},
		{"逾期未付金额（元）", d.Amount},
		{"说明", d.Note},
		{"应付款计算的逾期未付合同数量（笔）", fmt.Sprint(d.ComputedCount)},
		{"应付款计算的逾期未付金额（元）", d.ComputedAmount},
		{"声明与应付款核对", check},
		{"填报人", d.PreparedBy},
		{"状态", state},
	}
	for _, r := range rows {
		if err := wr.row(r); err != nil {
			return err
		}
	}
	return wr.close()
}
