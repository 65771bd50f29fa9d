package xlsx

import (
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// kind is how a column's cells are read and written.
type kind int

const (
	textCol kind = iota
	dateCol
	moneyCol
	enumCol
	usccCol
)

// option is one allowed value of a coded column: the code stored and the label people type.
type option struct{ code, label string }

// Column describes one column of a sheet. Templates, exports and imports use the same list,
// so an export can be edited and imported back.
type Column struct {
	Key      string
	Header   string
	kind     kind
	options  []option
	Required bool
	Derived  bool // written by exports, ignored by imports (balances, status)
	Width    float64
	Note     string
	// Aliases are other headers the column is known by in files (banks name theirs differently).
	Aliases []string
}

// named reports whether a normalised header names the column.
func (c *Column) named(name string) bool {
	if want, _ := normHeader(c.Header); name == want {
		return true
	}
	for _, a := range c.Aliases {
		if want, _ := normHeader(a); name == want {
			return true
		}
	}
	return false
}

// enumOf lists the values of an enum in order, each with its label.
func enumOf[K interface {
	~string
	Label() string
}](order ...K) []option {
	out := make([]option, 0, len(order))
	for _, k := range order {
		out = append(out, option{string(k), k.Label()})
	}
	return out
}

var (
	kindOptions      = enumOf(qingqian.ItemKinds...)
	originOptions    = enumOf(qingqian.Origins...)
	fundingOptions   = enumOf(qingqian.FundingNone, qingqian.FundingOwn, qingqian.FundingLoan, qingqian.FundingFiscal, qingqian.FundingAssets, qingqian.FundingOther)
	ownershipOptions = enumOf(qingqian.OwnershipPrivate, qingqian.OwnershipIndividual, qingqian.OwnershipForeign, qingqian.OwnershipState)
	sizeOptions      = enumOf(qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium, qingqian.SizeLarge)
	statusOptions    = enumOf(qingqian.StatusUnpaid, qingqian.StatusPartial, qingqian.StatusCleared, qingqian.StatusClosed)
	orgKindOptions   = enumOf(qingqian.OrgRegulator, qingqian.OrgGroup, qingqian.OrgSubsidiary)
)

// LedgerColumns are the columns of the ledger (台账) sheet.
var LedgerColumns = []Column{
	{Key: "no", Header: "台账编号", Width: 12, Note: "本单位内唯一；填写后，再次导入时按编号匹配更新"},
	{Key: "org", Header: "欠款单位", Required: true, Width: 28, Note: "单位全称，须为本单位或下级单位"},
	{Key: "creditor", Header: "债权企业名称", Required: true, Width: 28},
	{Key: "uscc", Header: "统一社会信用代码", kind: usccCol, Required: true, Width: 22, Note: "18位；系统校验两个校验位"},
	{Key: "ownership", Header: "企业性质", kind: enumCol, options: ownershipOptions, Width: 12, Note: "新登记的债权企业须填写，默认民营企业"},
	{Key: "contract_no", Header: "合同编号", Width: 16, Note: "未填台账编号时，按欠款单位、信用代码、合同编号匹配"},
	{Key: "contract_name", Header: "合同名称", Width: 24},
	{Key: "kind", Header: "欠款类型", kind: enumCol, options: kindOptions, Required: true, Width: 10},
	{Key: "arisen_on", Header: "发生日期", kind: dateCol, Required: true, Width: 12},
	{Key: "due_on", Header: "应付日期", kind: dateCol, Width: 12},
	{Key: "undisputed", Header: "无分歧金额（元）", kind: moneyCol, Width: 16, Note: "表头写“（万元）”时按万元读取"},
	{Key: "disputed", Header: "有分歧金额（元）", kind: moneyCol, Width: 16},
	{Key: "dispute_reason", Header: "分歧原因", Width: 20, Note: "有分歧金额时必填"},
	{Key: "funding", Header: "资金来源", kind: enumCol, options: fundingOptions, Width: 10},
	{Key: "origin", Header: "来源", kind: enumCol, options: originOptions, Required: true, Width: 10},
	{Key: "responsible", Header: "责任人", Width: 10},
	{Key: "note", Header: "备注", Width: 20},
	{Key: "repaid", Header: "已清偿（元）", kind: moneyCol, Derived: true, Width: 16, Note: "导出时填写，导入时忽略"},
	{Key: "reduced", Header: "核减核销（元）", kind: moneyCol, Derived: true, Width: 16, Note: "导出时填写，导入时忽略：法院核减、核销及调整；无分歧金额＋有分歧金额＝已清偿＋核减核销＋未清偿"},
	{Key: "outstanding", Header: "未清偿（元）", kind: moneyCol, Derived: true, Width: 16, Note: "导出时填写，导入时忽略"},
	{Key: "status", Header: "状态", kind: enumCol, options: statusOptions, Derived: true, Width: 10, Note: "导出时填写，导入时忽略"},
}

var (
	methodOptions = enumOf(qingqian.MethodTransfer, qingqian.MethodCash, qingqian.MethodBill, qingqian.MethodReceivable, qingqian.MethodOffset)
	partOptions   = enumOf(qingqian.Parts...)
)

// RepaymentColumns are the columns of the repayments sheet: one repayment a row, of an item
// named by its unit and number.
var RepaymentColumns = []Column{
	{Key: "org", Header: "欠款单位", Required: true, Width: 28, Note: "单位全称"},
	{Key: "no", Header: "台账编号", Required: true, Width: 12, Note: "条目在本单位的台账编号"},
	{Key: "on", Header: "清偿日期", kind: dateCol, Required: true, Width: 12},
	{Key: "amount", Header: "清偿金额（元）", kind: moneyCol, Required: true, Width: 16, Note: "不能超过当日未清偿余额"},
	{Key: "method", Header: "清偿方式", kind: enumCol, options: methodOptions, Required: true, Width: 14, Note: "以商业汇票、应收账款电子凭证支付的不在此登记：在条目页登记票据，到期兑付后计入清偿"},
	{Key: "part", Header: "金额性质", kind: enumCol, options: partOptions, Width: 12, Note: "默认无分歧部分"},
	{Key: "voucher_no", Header: "凭证号", Width: 18, Note: "银行回单号等；凭证文件在条目页上传"},
	{Key: "reason", Header: "说明", Width: 24},
}

// PlanColumns are the columns of the repayment plans sheet: one instalment a row; the rows of one
// item together are its plan.
var PlanColumns = []Column{
	{Key: "org", Header: "欠款单位", Required: true, Width: 28},
	{Key: "no", Header: "台账编号", Required: true, Width: 12},
	{Key: "due", Header: "计划日期", kind: dateCol, Required: true, Width: 12},
	{Key: "amount", Header: "计划金额（元）", kind: moneyCol, Required: true, Width: 16, Note: "各期合计不能超过未清偿余额"},
	{Key: "funding", Header: "资金来源", kind: enumCol, options: fundingOptions, Width: 10},
	{Key: "note", Header: "说明", Width: 24},
}

// CreditorColumns are the columns of the creditors sheet.
var CreditorColumns = []Column{
	{Key: "name", Header: "企业名称", Required: true, Width: 30},
	{Key: "uscc", Header: "统一社会信用代码", kind: usccCol, Required: true, Width: 22},
	{Key: "ownership", Header: "企业性质", kind: enumCol, options: ownershipOptions, Required: true, Width: 12},
	{Key: "size", Header: "声明规模", kind: enumCol, options: sizeOptions, Width: 10, Note: "签订合同时企业声明的规模"},
	{Key: "size_declared_on", Header: "声明日期", kind: dateCol, Width: 12},
	{Key: "size_evidence", Header: "声明依据", Width: 20},
	{Key: "region", Header: "地区", Width: 12},
}

// OrgColumns are the columns of the units sheet.
var OrgColumns = []Column{
	{Key: "name", Header: "单位名称", Required: true, Width: 30},
	{Key: "parent", Header: "上级单位", Width: 30},
	{Key: "short_name", Header: "简称", Width: 12},
	{Key: "uscc", Header: "统一社会信用代码", kind: usccCol, Width: 22},
	{Key: "kind", Header: "单位类型", kind: enumCol, options: orgKindOptions, Width: 10},
	{Key: "leader", Header: "分管领导", Width: 10},
	{Key: "department", Header: "责任部门", Width: 14},
	{Key: "liaison", Header: "联络员", Width: 10},
	{Key: "phone", Header: "联络员电话", Width: 14},
	{Key: "active", Header: "状态", Width: 8},
}

// normHeader reduces a header to what identifies it: no spaces, ASCII brackets, no unit.
// It also reports whether the header says the amounts are in 万元.
func normHeader(h string) (string, bool) {
	h = strings.NewReplacer(" ", "", "\u3000", "", "\n", "", "\r", "", "(", "（", ")", "）", "*", "", "＊", "").Replace(strings.TrimSpace(h))
	wan := strings.Contains(h, "万元")
	for _, unit := range []string{"（单位：元）", "（单位：万元）", "（单位：亿元）", "（万元）", "（元）", "（亿元）", "万元", "亿元"} {
		h = strings.ReplaceAll(h, unit, "")
	}
	return h, wan
}

// code returns the code of what someone typed in a coded column: the label or the code itself.
func (c *Column) code(s string) (string, bool) {
	s = fold(s)
	for _, o := range c.options {
		if s == o.label || strings.EqualFold(s, o.code) {
			return o.code, true
		}
	}
	// 资金来源 "未落实" and an empty cell both mean none.
	if s == "" {
		for _, o := range c.options {
			if o.code == "" {
				return "", true
			}
		}
	}
	return "", false
}

func (c *Column) labels() []string {
	out := make([]string, len(c.options))
	for i, o := range c.options {
		out[i] = o.label
	}
	return out
}

// column returns the column with a key; the keys are constants of this package.
func column(cols []Column, key string) *Column {
	for i := range cols {
		if cols[i].Key == key {
			return &cols[i]
		}
	}
	panic("no column " + key)
}

// enum reads a coded cell: its code, "" for an empty cell, or an error listing the choices.
func (c *Column) enum(v string) (string, error) {
	code, found := c.code(v)
	if !found && v != "" {
		return "", fmt.Errorf("应为：%s", strings.Join(c.labels(), "、"))
	}
	return code, nil
}
