package xlsx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// The sheets of contracts and of their events, as an ERP or a clerk fills them in.

var (
	contractKindOptions = enumOf(qingqian.ContractKinds...)
	buyerOptions        = enumOf(qingqian.BuyerLarge, qingqian.BuyerInstitution, qingqian.BuyerOrgan)
	settlementOptions   = enumOf(qingqian.SettleOnce, qingqian.SettleProgress, qingqian.SettlePeriod)
	eventKindOptions    = enumOf(qingqian.EventKinds...)
)

// ContractImportColumns are the columns of the contracts sheet: one contract a row.
var ContractImportColumns = []Column{
	{Key: "org", Header: "采购单位", Required: true, Width: 28, Note: "单位全称，须为本单位或下级单位"},
	{Key: "no", Header: "合同编号", Required: true, Width: 18, Note: "本单位内唯一；已登记的编号再次导入时，条款相同的跳过，不同的报错（更正请在合同页面进行）"},
	{Key: "name", Header: "合同名称", Required: true, Width: 28},
	{Key: "kind", Header: "合同类型", kind: enumCol, options: contractKindOptions, Required: true, Width: 10},
	{Key: "buyer", Header: "采购方类型", kind: enumCol, options: buyerOptions, Width: 12, Note: "默认大型企业"},
	{Key: "uscc", Header: "供应商统一社会信用代码", kind: usccCol, Required: true, Width: 22},
	{Key: "creditor", Header: "供应商名称", Width: 28, Note: "新供应商须填写"},
	{Key: "size", Header: "签订时声明的规模", kind: enumCol, options: sizeOptions, Required: true, Width: 12},
	{Key: "size_declared_on", Header: "规模声明日期", kind: dateCol, Width: 12},
	{Key: "size_evidence", Header: "规模声明依据", Width: 18},
	{Key: "signed_on", Header: "签订日期", kind: dateCol, Required: true, Width: 12, Note: "决定适用2020年或2025年修订的条例"},
	{Key: "amount", Header: "合同金额（元）", kind: moneyCol, Required: true, Width: 16, Note: "表头写“（万元）”时按万元读取"},
	{Key: "settlement", Header: "结算方式", kind: enumCol, options: settlementOptions, Width: 14, Note: "默认一次性结算"},
	{Key: "agreed_days", Header: "约定付款期限（日）", Width: 10, Note: "未约定留空"},
	{Key: "acceptance", Header: "验收为付款条件", Width: 10, Note: "是或否，默认否"},
	{Key: "acceptance_days", Header: "约定验收期限（日）", Width: 10},
	{Key: "rate", Header: "约定逾期利率（%）", Width: 12, Note: "如 4.35；未约定留空"},
	{Key: "rate_basis", Header: "利率单位", Width: 8, Note: "年或日，默认年"},
	{Key: "pay_when_paid", Header: "背靠背条款", Width: 8, Note: "是或否"},
	{Key: "audit_basis", Header: "以审计结果为结算依据", Width: 10, Note: "是或否"},
	{Key: "forced_bills", Header: "强制以票据支付", Width: 8, Note: "是或否"},
	{Key: "note", Header: "备注", Width: 20},
}

// ContractEventColumns are the columns of the contract events sheet: one event a row.
var ContractEventColumns = []Column{
	{Key: "org", Header: "采购单位", Required: true, Width: 28},
	{Key: "no", Header: "合同编号", Required: true, Width: 18},
	{Key: "kind", Header: "事件", kind: enumCol, options: eventKindOptions, Required: true, Width: 14},
	{Key: "on", Header: "日期", kind: dateCol, Required: true, Width: 12},
	{Key: "amount", Header: "金额（元）", kind: moneyCol, Width: 16, Note: "结算、发票、付款、争议、诉讼填写"},
	{Key: "method", Header: "付款方式", kind: enumCol, options: methodOptions, Width: 14, Note: "付款事件填写"},
	{Key: "voucher_no", Header: "凭证号", Width: 18},
	{Key: "end_on", Header: "争议解决或诉讼结束日期", kind: dateCol, Width: 14},
	{Key: "late_by_supplier", Header: "验收延迟系供应商原因", Width: 10, Note: "是或否"},
	{Key: "note", Header: "备注", Width: 20},
	{Key: "key", Header: "幂等键", Width: 18, Note: "同一合同内相同幂等键的事件只记录一次（ERP的单据号）"},
}

// parseYesNo reads 是/否 (or Y/N, true/false, 1/0); empty is no.
func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(fold(s)) {
	case "", "否", "n", "no", "false", "0", "无":
		return false, nil
	case "是", "y", "yes", "true", "1", "有":
		return true, nil
	}
	return false, fmt.Errorf("应填“是”或“否”")
}

// parseDays reads a number of days, 0 to 3650; empty is 0.
func parseDays(s string) (int, error) {
	s = fold(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, "日"))
	if err != nil || n < 0 || n > 3650 {
		return 0, fmt.Errorf("应为0到3650的整数天数")
	}
	return n, nil
}

func parseContract(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.ContractRow, bool) {
	r := &qingqian.ContractRow{Sheet: h.sheet, Row: rowNum}
	k := &r.Contract
	k.Buyer, k.Settlement = qingqian.BuyerLarge, qingqian.SettleOnce
	cr := &qingqian.Creditor{Ownership: qingqian.OwnershipPrivate}
	k.Creditor = cr
	perDay := false
	ok := eachCell(ContractImportColumns, h, cells, bad, func(c *Column, v string) (err error) {
		var code string
		switch c.Key {
		case "org":
			r.OrgName = v
		case "no":
			k.No = v
		case "name":
			k.Name = v
		case "kind":
			code, err = c.enum(v)
			k.Kind = qingqian.ItemKind(code)
		case "buyer":
			if v != "" {
				code, err = c.enum(v)
				k.Buyer = qingqian.BuyerKind(code)
			}
		case "uscc":
			cr.USCC, err = ParseUSCC(v)
		case "creditor":
			cr.Name = v
		case "size":
			code, err = c.enum(v)
			k.SupplierSize = qingqian.Size(code)
		case "size_declared_on":
			k.SizeDeclaredOn, err = ParseDate(v)
		case "size_evidence":
			k.SizeEvidence = v
		case "signed_on":
			k.SignedOn, err = ParseDate(v)
		case "amount":
			k.Amount, err = ParseAmountIn(v, h.unit[c.Key])
		case "settlement":
			if v != "" {
				code, err = c.enum(v)
				k.Settlement = qingqian.Settlement(code)
			}
		case "agreed_days":
			k.AgreedDays, err = parseDays(v)
		case "acceptance":
			k.AcceptanceCondition, err = parseYesNo(v)
		case "acceptance_days":
			k.AcceptanceDays, err = parseDays(v)
		case "rate":
			if v != "" {
				k.AgreedRate, err = qingqian.ParsePercent(fold(v))
				if err != nil {
					err = fmt.Errorf("应为百分数，最多四位小数，如 4.35")
				}
			}
		case "rate_basis":
			switch fold(v) {
			case "", "年", "年利率":
			case "日", "日利率":
				perDay = true
			default:
				err = fmt.Errorf("应填“年”或“日”")
			}
		case "pay_when_paid":
			k.PayWhenPaid, err = parseYesNo(v)
		case "audit_basis":
			k.AuditBasis, err = parseYesNo(v)
		case "forced_bills":
			k.ForcedBills, err = parseYesNo(v)
		case "note":
			k.Note = v
		}
		return err
	})
	k.AgreedRate.PerDay = perDay && !k.AgreedRate.IsZero()
	cr.Size, cr.SizeDeclaredOn, cr.SizeEvidence = k.SupplierSize, k.SizeDeclaredOn, k.SizeEvidence
	return r, ok
}

func parseContractEvent(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.ContractEventRow, bool) {
	r := &qingqian.ContractEventRow{Sheet: h.sheet, Row: rowNum}
	e := &r.Event
	ok := eachCell(ContractEventColumns, h, cells, bad, func(c *Column, v string) (err error) {
		var code string
		switch c.Key {
		case "org":
			r.OrgName = v
		case "no":
			r.ContractNo = v
		case "kind":
			code, err = c.enum(v)
			e.Kind = qingqian.EventKind(code)
		case "on":
			e.On, err = ParseDate(v)
		case "amount":
			e.Amount, err = ParseAmountIn(v, h.unit[c.Key])
		case "method":
			if v != "" {
				code, err = c.enum(v)
				e.Method = qingqian.PayMethod(code)
			}
		case "voucher_no":
			e.VoucherNo = v
		case "end_on":
			e.EndOn, err = ParseDate(v)
		case "late_by_supplier":
			e.LateBySupplier, err = parseYesNo(v)
		case "note":
			e.Note = v
		case "key":
			e.Key = v
		}
		return err
	})
	return r, ok
}
