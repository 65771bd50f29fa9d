package payrules

import (
	"fmt"

	"github.com/qingqian/qingqian"
)

// The kinds live in the root package, where contracts are stored; these are their names here.
type (
	BuyerKind  = qingqian.BuyerKind
	Size       = qingqian.Size
	Settlement = qingqian.Settlement
	Rate       = qingqian.Rate
)

// Kinds, sizes and modes, as the root package names them.
const (
	BuyerOrgan       = qingqian.BuyerOrgan
	BuyerInstitution = qingqian.BuyerInstitution
	BuyerLarge       = qingqian.BuyerLarge
	SizeMedium       = qingqian.SizeMedium
	SizeSmall        = qingqian.SizeSmall
	SizeMicro        = qingqian.SizeMicro
	SizeLarge        = qingqian.SizeLarge
	SettleOnce       = qingqian.SettleOnce
	SettleProgress   = qingqian.SettleProgress
	SettlePeriod     = qingqian.SettlePeriod
)

// Terms are what a contract says that the rules need.
type Terms struct {
	Signed   qingqian.Date `json:"signed"`
	Buyer    BuyerKind     `json:"buyer_kind"`
	Supplier Size          `json:"supplier_size"`
	Settle   Settlement    `json:"settlement"`
	// AgreedDays is the agreed payment term in days; 0 when the contract agrees none.
	AgreedDays int `json:"agreed_days,omitempty"`
	// AcceptanceCondition: passing inspection or acceptance is a condition of payment.
	AcceptanceCondition bool `json:"acceptance_condition"`
	// AcceptanceDays is the agreed acceptance period in days from delivery; 0 when none.
	AcceptanceDays int `json:"acceptance_days,omitempty"`
	// AgreedRate is the agreed overdue rate; the zero Rate when the contract agrees none.
	AgreedRate Rate `json:"agreed_rate"`
	// The forbidden clauses the contract contains.
	PayWhenPaid bool `json:"pay_when_paid"` // 背靠背
	AuditBasis  bool `json:"audit_basis"`   // 以审计结果作为结算依据
	ForcedBills bool `json:"forced_bills"`  // 强制以商业汇票等支付
}

// Flag is something the rules find wrong with a contract or a payable.
type Flag = qingqian.RuleFlag

// MaxOrganDays is the longest term a 机关 or 事业单位 may agree (Art. 9 [8]).
const MaxOrganDays = 60

// OrganDays is the term of a 机关 or 事业单位 when none is agreed.
const OrganDays = 30

// LargeSupplier is why the Regulation does not apply to a contract whose supplier declared itself
// a large enterprise at signing (Art. 3: size is fixed as of the signing date).
const LargeSupplier = "供应商签约时为大型企业，不适用《保障中小企业款项支付条例》"

// Regulated reports whether the Regulation's payment rules reach the contract's supplier: it
// declared itself a medium, small or micro enterprise at signing.
func Regulated(t Terms) bool { return t.Supplier.SME() }

// LargeDays2025 is the term of a large enterprise under the 2025 rules when none is agreed.
const LargeDays2025 = 60

// Term is the payment term the rules give a contract.
type Term struct {
	Days   int    `json:"days"` // 0 when there is none (2020 rules, large buyer, nothing agreed)
	Agreed bool   `json:"agreed"`
	Rule   string `json:"rule"`
}

// TermOf returns the term of the contract under its version, and what is wrong with the terms.
func TermOf(t Terms) (Term, []Flag) {
	v := VersionOn(t.Signed)
	var flags []Flag
	art := "第九条"
	if !v.Is2025() {
		art = "第八条"
	}
	switch {
	case !v.InForce() || !t.Supplier.SME():
		why := "供应商签约时不是中小企业，条例不适用"
		if !v.InForce() {
			why = "合同签订于条例施行（2020-09-01）之前，条例不适用"
		}
		if t.AgreedDays > 0 {
			return Term{Days: t.AgreedDays, Agreed: true, Rule: fmt.Sprintf("%s；按合同约定%d日", why, t.AgreedDays)}, flags
		}
		return Term{Rule: why + "；合同未约定付款期限"}, flags
	case t.Buyer == BuyerOrgan || t.Buyer == BuyerInstitution:
		who := t.Buyer.Label()
		if t.AgreedDays == 0 {
			return Term{Days: OrganDays, Rule: fmt.Sprintf("%s%s：%s向中小企业采购，自交付之日起%d日内支付（合同未约定）", v.Name, art, who, OrganDays)}, flags
		}
		if t.AgreedDays > MaxOrganDays {
			flags = append(flags, Flag{Code: "term_over_60", Unlawful: true,
				Text: fmt.Sprintf("约定付款期限%d日超过条例%s规定的最长%d日，超出部分无效", t.AgreedDays, art, MaxOrganDays)})
			return Term{Days: MaxOrganDays, Agreed: true, Rule: fmt.Sprintf("%s%s：%s约定的期限不得超过%d日；约定%d日，按%d日计", v.Name, art, who, MaxOrganDays, t.AgreedDays, MaxOrganDays)}, flags
		}
		return Term{Days: t.AgreedDays, Agreed: true, Rule: fmt.Sprintf("%s%s：%s按合同约定%d日（不超过%d日）", v.Name, art, who, t.AgreedDays, MaxOrganDays)}, flags
	case v.Is2025():
		if t.AgreedDays == 0 {
			return Term{Days: LargeDays2025, Rule: fmt.Sprintf("%s%s：大型企业向中小企业采购，自交付之日起%d日内支付（合同未约定）", v.Name, art, LargeDays2025)}, flags
		}
		if t.AgreedDays > LargeDays2025 {
			flags = append(flags, Flag{Code: "term_unreasonable",
				Text: fmt.Sprintf("约定付款期限%d日长于法定的%d日，须公平合理，请核实", t.AgreedDays, LargeDays2025)})
		}
		return Term{Days: t.AgreedDays, Agreed: true, Rule: fmt.Sprintf("%s%s：大型企业按合同约定的合理期限%d日", v.Name, art, t.AgreedDays)}, flags
	default:
		if t.AgreedDays == 0 {
			flags = append(flags, Flag{Code: "term_missing",
				Text: "2020年条例对大型企业未规定默认付款期限，合同又未约定：无法计算到期日，请补充约定"})
			return Term{Rule: fmt.Sprintf("%s%s：大型企业应按约定的合理期限支付，合同未约定期限", v.Name, art)}, flags
		}
		return Term{Days: t.AgreedDays, Agreed: true, Rule: fmt.Sprintf("%s%s：大型企业按合同约定的期限%d日", v.Name, art, t.AgreedDays)}, flags
	}
}

// ClauseFlags are the forbidden clauses of the contract, judged by its version: they are shown
// as unlawful on every view of the contract and its payables.
func ClauseFlags(t Terms) []Flag {
	v := VersionOn(t.Signed)
	var flags []Flag
	if t.PayWhenPaid {
		text := "“背靠背”条款（以第三方向采购方付款为付款条件或按其比例付款）：2025年条例第九条明令禁止，条款无效"
		if !v.Is2025() {
			text = "“背靠背”条款（以第三方向采购方付款为付款条件或按其比例付款）：依《最高人民法院关于大型企业与中小企业约定以第三方支付款项为付款前提条款效力问题的批复》（法释〔2024〕11号）无效"
		}
		flags = append(flags, Flag{Code: "pay_when_paid", Unlawful: true, Text: text})
	}
	if t.AuditBasis {
		if v.Is2025() {
			flags = append(flags, Flag{Code: "audit_basis", Unlawful: true,
				Text: "以审计机关的审计结果作为结算依据：2025年条例第十二条禁止"})
		} else {
			flags = append(flags, Flag{Code: "audit_basis",
				Text: "以审计机关的审计结果作为结算依据：2020年条例第十一条仅在合同明确约定时允许，请核实；不得以审计为由拖延"})
		}
	}
	if t.ForcedBills {
		art := "第十一条"
		if !v.Is2025() {
			art = "第十条"
		}
		flags = append(flags, Flag{Code: "forced_bills", Unlawful: true,
			Text: fmt.Sprintf("强制中小企业接受商业汇票%s等非现金支付方式，或利用其变相延长付款期限：条例%s禁止", map[bool]string{true: "、应收账款电子凭证", false: ""}[v.Is2025()], art)})
	}
	return flags
}
