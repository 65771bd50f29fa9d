package qingqian

import (
	"context"
	"fmt"
	"time"
)

// BuyerKind is what the buyer of a contract is; the Regulation on Ensuring Payments to SMEs
// sets different payment terms for each.
type BuyerKind string

// Kinds of buyer.
const (
	BuyerOrgan       BuyerKind = "organ"       // 机关
	BuyerInstitution BuyerKind = "institution" // 事业单位
	BuyerLarge       BuyerKind = "large"       // 大型企业 (the SOE groups and their subsidiaries)
)

// BuyerKindNames are the screen names.
var BuyerKindNames = map[BuyerKind]string{BuyerOrgan: "机关", BuyerInstitution: "事业单位", BuyerLarge: "大型企业"}

// Label is the screen name.
func (k BuyerKind) Label() string { return BuyerKindNames[k] }

// SME reports whether the size is a small or medium-sized enterprise (中小企业, micro included).
func (z Size) SME() bool { return z == SizeMedium || z == SizeSmall || z == SizeMicro }

// Settlement is how a contract settles.
type Settlement string

// Settlement modes.
const (
	SettleOnce     Settlement = "once"     // 一次性结算
	SettleProgress Settlement = "progress" // 按履行进度结算
	SettlePeriod   Settlement = "period"   // 定期结算
)

// SettlementNames are the screen names.
var SettlementNames = map[Settlement]string{SettleOnce: "一次性结算", SettleProgress: "按履行进度结算", SettlePeriod: "定期结算"}

// Label is the screen name.
func (s Settlement) Label() string { return SettlementNames[s] }

// ContractKinds are the kinds of contract: goods, works, services.
var ContractKinds = []ItemKind{KindGoods, KindWorks, KindServices}

// RuleFlag is something the payment rules find wrong with a contract or a payable.
type RuleFlag struct {
	Code     string `json:"code"`
	Text     string `json:"text"`
	Unlawful bool   `json:"unlawful"` // shown as unlawful on every view; otherwise a warning
}

// Contract is a purchase contract of a unit with a supplier (合同台账). The supplier's size is the
// one declared at signing, with its evidence and date: it is never reclassified.
type Contract struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	OrgName      string    `json:"org_name"`
	CreditorID   int64     `json:"creditor_id"`
	CreditorName string    `json:"creditor_name"`
	CreditorUSCC string    `json:"creditor_uscc"`
	No           string    `json:"no"`
	Name         string    `json:"name"`
	Kind         ItemKind  `json:"kind"`
	Buyer        BuyerKind `json:"buyer_kind"`
	SignedOn     Date      `json:"signed_on"`
	Amount       Money     `json:"amount"`
	// The supplier's size as declared at signing, and its evidence.
	SupplierSize   Size       `json:"supplier_size"`
	SizeDeclaredOn Date       `json:"size_declared_on"`
	SizeEvidence   string     `json:"size_evidence"`
	Settlement     Settlement `json:"settlement"`
	// AgreedDays is the agreed payment term in days, 0 when none is agreed.
	AgreedDays          int  `json:"agreed_days"`
	AcceptanceCondition bool `json:"acceptance_condition"`
	AcceptanceDays      int  `json:"acceptance_days"`
	// AgreedRate is the agreed overdue rate, zero when none.
	AgreedRate  Rate      `json:"agreed_rate"`
	PayWhenPaid bool      `json:"pay_when_paid"` // 背靠背
	AuditBasis  bool      `json:"audit_basis"`   // 以审计结果作为结算依据
	ForcedBills bool      `json:"forced_bills"`  // 强制以商业汇票等支付
	Note        string    `json:"note"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// CancelledAt is when a contract registered by mistake was cancelled (作废), with the reason;
	// a cancelled contract has no payables and takes no events.
	CancelledAt  time.Time `json:"cancelled_at,omitzero"`
	CancelReason string    `json:"cancel_reason,omitempty"`

	// Filled by FindContractByID: the events, and the payables derived from them as of a date.
	Events   []*ContractEvent `json:"events,omitempty"`
	Payables []*Payable       `json:"payables,omitempty"`
	Flags    []RuleFlag       `json:"flags,omitempty"` // the forbidden clauses and terms, judged by the rules
	// Creditor, when CreditorID is 0, names the supplier by its USCC (as items do).
	Creditor *Creditor `json:"-"`
}

// Validate checks a contract's own fields.
func (c *Contract) Validate() error {
	v := Validation{}
	if c.OrgID <= 0 {
		v.Add("org_id", "请选择采购单位")
	}
	if c.CreditorID <= 0 && c.Creditor == nil {
		v.Add("creditor_id", "请选择供应商")
	}
	if c.No == "" {
		v.Add("no", "请填写合同编号")
	} else if len([]rune(c.No)) > 60 {
		v.Add("no", "合同编号不能超过60个字符")
	}
	if c.Name == "" {
		v.Add("name", "请填写合同名称")
	} else if len([]rune(c.Name)) > 200 {
		v.Add("name", "合同名称不能超过200个字")
	}
	if c.Kind != KindGoods && c.Kind != KindWorks && c.Kind != KindServices {
		v.Add("kind", "合同类型应为 goods（货物）、works（工程）或 services（服务）")
	}
	if _, ok := BuyerKindNames[c.Buyer]; !ok {
		v.Add("buyer_kind", "采购方类型应为 organ（机关）、institution（事业单位）或 large（大型企业）")
	}
	if c.SignedOn.IsZero() {
		v.Add("signed_on", "请填写签订日期")
	} else if c.SignedOn.After(Today()) {
		v.Add("signed_on", "签订日期不能晚于今天")
	}
	if c.Amount <= 0 {
		v.Add("amount", "合同金额必须大于零")
	} else if c.Amount > MaxAmount {
		v.Add("amount", fmt.Sprintf("合同金额超过上限%s元（1,000亿元），请核对是否多输了位数或把万元当成了元", MaxAmount))
	}
	if _, ok := SizeNames[c.SupplierSize]; !ok {
		v.Add("supplier_size", "供应商规模应为 micro、small、medium 或 large（签订时声明的规模）")
	}
	if !c.SizeDeclaredOn.IsZero() && !c.SignedOn.IsZero() && c.SizeDeclaredOn.After(c.SignedOn) {
		v.Add("size_declared_on", "规模声明日期不能晚于签订日期（规模以签订时为准）")
	}
	if len([]rune(c.SizeEvidence)) > 200 {
		v.Add("size_evidence", "规模声明依据不能超过200个字")
	}
	if _, ok := SettlementNames[c.Settlement]; !ok {
		v.Add("settlement", "结算方式应为 once、progress 或 period")
	}
	if c.AgreedDays < 0 || c.AgreedDays > 3650 {
		v.Add("agreed_days", "约定付款期限应为0到3650日（0为未约定）")
	}
	if c.AcceptanceDays < 0 || c.AcceptanceDays > 3650 {
		v.Add("acceptance_days", "约定验收期限应为0到3650日（0为未约定）")
	}
	if c.AcceptanceDays > 0 && !c.AcceptanceCondition {
		v.Add("acceptance_days", "约定了验收期限，请同时勾选“验收合格为付款条件”")
	}
	if c.AgreedRate.Micro < 0 || c.AgreedRate.Micro > 1_000_000 {
		v.Add("agreed_rate", "约定逾期利率不正确")
	}
	if len([]rune(c.Note)) > 500 {
		v.Add("note", "备注不能超过500个字")
	}
	return v.Err()
}

// EventKind is what happened on a contract.
type EventKind string

// Kinds of contract event.
const (
	EventDelivery   EventKind = "delivery"   // 交付
	EventAcceptance EventKind = "acceptance" // 验收合格
	EventSettlement EventKind = "settlement" // 结算金额确认
	EventInvoice    EventKind = "invoice"    // 收到发票
	EventPayment    EventKind = "payment"    // 付款
	EventDispute    EventKind = "dispute"    // 部分金额有争议
	EventCourt      EventKind = "court"      // 诉讼（该部分暂停计算）
)

// EventKinds lists the kinds in display order.
var EventKinds = []EventKind{EventDelivery, EventAcceptance, EventSettlement, EventInvoice, EventPayment, EventDispute, EventCourt}

// EventKindNames are the screen names.
var EventKindNames = map[EventKind]string{EventDelivery: "交付", EventAcceptance: "验收合格", EventSettlement: "结算金额确认",
	EventInvoice: "收到发票", EventPayment: "付款", EventDispute: "部分金额有争议", EventCourt: "提起诉讼"}

// Label is the screen name.
func (k EventKind) Label() string { return EventKindNames[k] }

// Cancelled reports whether the contract was cancelled.
func (c *Contract) Cancelled() bool { return !c.CancelledAt.IsZero() }

// ContractEvent is one dated event on a contract. Events are never changed or deleted: one
// entered by mistake is voided (撤销), with the reason, and the rules leave it out; a dispute or
// a court case gets its end date once, when it ends.
type ContractEvent struct {
	ID         int64     `json:"id"`
	ContractID int64     `json:"contract_id"`
	Kind       EventKind `json:"kind"`
	On         Date      `json:"on"`
	Amount     Money     `json:"amount"` // settlement, invoice, payment, disputed or litigated amount
	// Method and VoucherNo of a payment (as repayments have).
	Method    PayMethod `json:"method,omitempty"`
	VoucherNo string    `json:"voucher_no,omitempty"`
	// LateBySupplier marks an acceptance that came late through the supplier.
	LateBySupplier bool `json:"late_by_supplier,omitempty"`
	// EndOn is when a dispute was settled or a court case closed; zero while open.
	EndOn Date   `json:"end_on"`
	Note  string `json:"note"`
	Key   string `json:"key,omitempty"` // idempotency key of an ERP
	// OrgID and ContractNo name the contract in a batch instead of ContractID.
	OrgID      int64     `json:"-"`
	ContractNo string    `json:"-"`
	ActorName  string    `json:"actor_name"`
	CreatedAt  time.Time `json:"created_at"`
	// VoidedAt is when the event was voided as entered by mistake, by whom and why.
	VoidedAt   time.Time `json:"voided_at,omitzero"`
	VoidedBy   string    `json:"voided_by,omitempty"`
	VoidReason string    `json:"void_reason,omitempty"`
}

// Voided reports whether the event was voided.
func (e *ContractEvent) Voided() bool { return !e.VoidedAt.IsZero() }

// Validate checks an event's own fields.
func (e *ContractEvent) Validate() error {
	v := Validation{}
	if _, ok := EventKindNames[e.Kind]; !ok {
		v.Add("kind", "事件类型应为交付（delivery）、验收合格（acceptance）、结算金额确认（settlement）、收到发票（invoice）、付款（payment）、部分金额有争议（dispute）或提起诉讼（court）")
	}
	if e.On.IsZero() {
		v.Add("on", "请填写日期")
	} else if e.On.After(Today()) {
		v.Add("on", "日期不能晚于今天")
	}
	switch e.Kind {
	case EventSettlement, EventPayment, EventDispute, EventCourt:
		if e.Amount <= 0 {
			v.Add("amount", "请填写大于零的金额")
		}
	}
	if e.Amount > MaxAmount {
		v.Add("amount", fmt.Sprintf("金额超过上限%s元（1,000亿元），请核对是否多输了位数", MaxAmount))
	}
	switch e.Kind {
	case EventDelivery, EventAcceptance:
		if e.Amount != 0 {
			v.Add("amount", "交付、验收事件不填金额")
		}
	}
	if e.Kind == EventPayment {
		if _, ok := MethodNames[e.Method]; !ok {
			v.Add("method", "付款方式应为银行转账（transfer）、现金（cash）、商业汇票（bill）、应收账款电子凭证（receivable）或抵账（offset）")
		}
	} else if e.Method != "" || e.VoucherNo != "" {
		v.Add("method", "只有付款事件填写付款方式和凭证号")
	}
	if e.LateBySupplier && e.Kind != EventAcceptance {
		v.Add("late_by_supplier", "只有验收事件可以标注“供应商原因延迟”")
	}
	if !e.EndOn.IsZero() {
		if e.Kind != EventDispute && e.Kind != EventCourt {
			v.Add("end_on", "只有争议和诉讼事件有结束日期")
		} else if e.EndOn.Before(e.On) {
			v.Add("end_on", "结束日期不能早于开始日期")
		}
	}
	if len([]rune(e.VoucherNo)) > 60 {
		v.Add("voucher_no", "凭证号不能超过60个字符")
	}
	if len(e.Key) > 100 {
		v.Add("key", "幂等键不能超过100个字符")
	}
	if len([]rune(e.Note)) > 500 {
		v.Add("note", "备注不能超过500个字")
	}
	return v.Err()
}

// PayableStatus is where a payable stands as of a date.
type PayableStatus string

// Payable statuses.
const (
	PayableNotStarted PayableStatus = "not_started" // 未起算
	PayableNoTerm     PayableStatus = "no_term"     // 无付款期限
	PayableOpen       PayableStatus = "open"        // 未到期
	PayableOverdue    PayableStatus = "overdue"     // 逾期未付
	PayablePaid       PayableStatus = "paid"        // 按期付清
	PayablePaidLate   PayableStatus = "paid_late"   // 逾期付清
)

// PayableStatusNames are the screen names.
var PayableStatusNames = map[PayableStatus]string{PayableNotStarted: "未起算", PayableNoTerm: "无付款期限", PayableOpen: "未到期",
	PayableOverdue: "逾期未付", PayablePaid: "按期付清", PayablePaidLate: "逾期付清"}

// Label is the screen name.
func (s PayableStatus) Label() string { return PayableStatusNames[s] }

// PayablePart is a part of a payable with the day it was paid (zero while unpaid): what aging
// reads, as of any date.
//
// A part that was held (under dispute or before a court) has the days of the hold: it is out of
// the aging on the days HeldFrom <= D < HeldTo (HeldTo zero while the hold is open).
type PayablePart struct {
	Amount   Money `json:"amount"`
	PaidOn   Date  `json:"paid_on"`
	Days     int   `json:"days"`               // overdue days (to the as-of date while unpaid), paused days left out
	Paused   int   `json:"paused,omitempty"`   // overdue days not counted because the amount was held
	HeldFrom Date  `json:"held_from"`          // the day the dispute was raised or the case filed
	HeldTo   Date  `json:"held_to"`            // the day it closed; zero while open
	InBills  bool  `json:"in_bills,omitempty"` // paid by commercial bill or electronic receivable voucher
}

// Payable is an amount owed under a contract (应付款), derived from its events by the payment
// rules as of a date, with the explanation of every date and amount.
type Payable struct {
	Seq      int    `json:"seq"`
	Basis    string `json:"basis"` // 合同金额、第2次结算……
	Amount   Money  `json:"amount"`
	Disputed Money  `json:"disputed"` // not due on time while the dispute is open (Art. 15)
	InCourt  Money  `json:"in_court"` // before a court: its clock is paused
	Due      Money  `json:"due"`      // the part due on time: Amount − Disputed − InCourt
	StartOn  Date   `json:"start_on"`
	DueOn    Date   `json:"due_on"`
	// Provisional is a year the due date reached whose holiday arrangement is not entered.
	Provisional int           `json:"provisional,omitempty"`
	Rule        string        `json:"rule"` // which version of the Regulation
	Paid        Money         `json:"paid"`
	PaidOnTime  Money         `json:"paid_on_time"`
	Unpaid      Money         `json:"unpaid"`
	OverdueDays int           `json:"overdue_days"`
	Interest    Money         `json:"interest"`
	Rate        string        `json:"rate"`
	Status      PayableStatus `json:"status"`
	Parts       []PayablePart `json:"parts,omitempty"`
	Flags       []RuleFlag    `json:"flags,omitempty"`
	DueSteps    []string      `json:"due_explanation"`
	RateSteps   []string      `json:"interest_explanation"`
}

// ContractFilter selects contracts.
type ContractFilter struct {
	OrgID    int64 // subtree; 0 = the actor's whole subtree
	Query    string
	Unlawful *bool // has a forbidden clause
	Offset   int
	Limit    int
}

// ContractPage is a page of contracts.
type ContractPage struct {
	Contracts []*Contract `json:"contracts"`
	Total     int         `json:"total"`
}

// ContractService keeps the contracts with suppliers and their events.
type ContractService interface {
	// CreateContract registers a contract. Callers: writers whose subtree holds the unit.
	// Errors: EINVALID, ECONFLICT (the unit already has the number).
	CreateContract(ctx context.Context, c *Contract) error
	// FindContractByID returns a contract with its events and the payables derived as of asOf
	// (zero: today).
	FindContractByID(ctx context.Context, id int64, asOf Date) (*Contract, error)
	FindContracts(ctx context.Context, f ContractFilter) (*ContractPage, error)
	// AddContractEvent records an event and recomputes the contract's payables. An event with
	// a key already recorded on the contract is not recorded again: the first one is returned.
	AddContractEvent(ctx context.Context, e *ContractEvent) error
	// AddContractEvents records a batch of events (at most MaxEventBatch) in one transaction:
	// all or none. An event names its contract by ContractID, or by OrgID and ContractNo. Events
	// whose key is already recorded on their contract are returned as recorded, not added again.
	// Errors name the event: "events.N.field".
	AddContractEvents(ctx context.Context, es []*ContractEvent) error
	// RaiseArrears turns the payables of the actor's subtree that are overdue and unpaid today,
	// or were paid late, into ledger items (origin 新增欠款), once each, with their late payments
	// as repayments; later payments recorded on the contract are recorded on the item too. It
	// returns the number of contracts it made items for. Meant to run daily.
	RaiseArrears(ctx context.Context) (int, error)
	// CorrectContract corrects the registered terms of contract c.ID at version c.Version (the
	// unit, the supplier and the number stay) and recomputes its payables. Refused (ECONFLICT)
	// when the change would alter a payable already in the ledger as a new arrear, naming it.
	// Errors: EINVALID (a reason is required), ECONFLICT (a stale version), ENOTFOUND.
	CorrectContract(ctx context.Context, c *Contract, reason string) error
	// CancelContract cancels a contract registered by mistake: refused while it has payments
	// not voided or a payable in the ledger. Its payables are removed from every figure.
	CancelContract(ctx context.Context, id int64, version int, reason string) error
	// VoidContractEvent voids an event entered by mistake (with a reason) and recomputes the
	// payables; refused (ECONFLICT) when that would alter a payable already in the ledger. It
	// returns the event as voided.
	VoidContractEvent(ctx context.Context, id int64, reason string) (*ContractEvent, error)
	// EndContractEvent records the day an open dispute was settled or a court case closed, and
	// returns the event as ended.
	EndContractEvent(ctx context.Context, id int64, on Date, note string) (*ContractEvent, error)
}

// MaxReason is the longest reason a correction, cancellation or void takes, in characters.
const MaxReason = 200

// CheckReason validates the reason given for a correction, a cancellation or a void.
func CheckReason(reason string) error {
	switch {
	case reason == "":
		return &Error{Code: EINVALID, Message: "请填写原因", Fields: map[string]string{"reason": "请填写原因"}}
	case len([]rune(reason)) > MaxReason:
		return &Error{Code: EINVALID, Message: "原因不能超过200个字", Fields: map[string]string{"reason": "不能超过200个字"}}
	}
	return nil
}

// MaxEventBatch is the largest batch of events AddContractEvents takes.
const MaxEventBatch = 10000
