package qingqian

import (
	"context"
	"fmt"
	"time"
)

// BillKind is the kind of instrument a repayment was handed over in.
type BillKind string

// Kinds of bills. Neither is money in the creditor's account until it is honoured (兑付).
const (
	BillCommercial BillKind = "commercial" // 商业汇票
	BillReceivable BillKind = "receivable" // 应收账款电子凭证（电子债权凭证）
)

// BillKinds lists the kinds in display order.
var BillKinds = []BillKind{BillCommercial, BillReceivable}

// BillKindNames are the screen names.
var BillKindNames = map[BillKind]string{BillCommercial: "商业汇票", BillReceivable: "电子债权凭证"}

// Label is how the kind reads on screens.
func (k BillKind) Label() string { return BillKindNames[k] }

// Method is the payment method the repayment written when the bill is honoured carries.
func (k BillKind) Method() PayMethod {
	if k == BillReceivable {
		return MethodReceivable
	}
	return MethodBill
}

// BillState is where a bill stands.
type BillState string

// States of a bill.
const (
	BillPending     BillState = "pending"     // 已交付，未兑付
	BillHonoured    BillState = "honoured"    // 已兑付：计入清偿
	BillDishonoured BillState = "dishonoured" // 拒付：到期日当日或以后未获兑付
	BillReturned    BillState = "returned"    // 到期前退回撤销：债权企业退回、出票方撤销，未到期即了结
)

// BillStateNames are the screen names.
var BillStateNames = map[BillState]string{BillPending: "票据支付未兑付", BillHonoured: "已兑付", BillDishonoured: "拒付", BillReturned: "到期前退回撤销"}

// Label is how the state reads on screens.
func (s BillState) Label() string { return BillStateNames[s] }

// Bill is a commercial bill or an electronic receivable voucher handed to a creditor for an
// item. It is not a ledger entry: until it is honoured it counts only in the figure "paid in bills,
// not yet honoured" (票据支付未兑付); honouring it writes the ordinary repayment entry, dated the
// honour date, with the bill as its proof. A dishonoured bill is closed without an entry, or, if it
// had been honoured, with a reversal of its repayment dated the dishonour date. A bill given back
// or cancelled before its maturity is returned (退回撤销), a closing of its own: it never reached
// the day it could be honoured or dishonoured.
type Bill struct {
	ID           int64     `json:"id"`
	ItemID       int64     `json:"item_id"`
	ItemNo       string    `json:"item_no"`
	OrgID        int64     `json:"org_id"`
	OrgName      string    `json:"org_name"`
	CreditorName string    `json:"creditor_name"`
	Kind         BillKind  `json:"kind"`
	No           string    `json:"no"` // 票据号码 / 凭证编号
	Amount       Money     `json:"amount"`
	Part         Part      `json:"part"`
	IssuedOn     Date      `json:"issued_on"`  // 出票日（开立日）
	HandedOn     Date      `json:"handed_on"`  // 交付债权企业之日
	MaturesOn    Date      `json:"matures_on"` // 到期日
	Acceptor     string    `json:"acceptor"`   // 承兑人（开立方）
	Note         string    `json:"note"`
	State        BillState `json:"state"`
	HonouredOn   Date      `json:"honoured_on,omitzero"`
	// DishonouredOn is the day the bill was closed without being honoured: dishonoured (on or
	// after maturity) or returned (before maturity); State tells which.
	DishonouredOn Date       `json:"dishonoured_on,omitzero"`
	CloseReason   string     `json:"close_reason,omitempty"` // why it was dishonoured or returned
	EntryID       int64      `json:"entry_id,omitempty"`     // the repayment written when honoured
	ReversalID    int64      `json:"reversal_id,omitempty"`  // its reversal, when dishonoured after honouring
	RecordedAt    time.Time  `json:"recorded_at"`
	HonouredAt    time.Time  `json:"honoured_at,omitzero"`
	DishonouredAt time.Time  `json:"dishonoured_at,omitzero"`
	ActorName     string     `json:"actor_name"`
	Flags         []RuleFlag `json:"flags"`
	// OverdueDays is how many days past its maturity a bill still pending is, on the date it was
	// read as of (逾期未兑付); 0 when it is not overdue. Derived, never stored.
	OverdueDays int `json:"overdue_days,omitempty"`
}

// MarkOverdue sets OverdueDays for a bill pending on asOf: the days since its maturity.
func (b *Bill) MarkOverdue(asOf Date) {
	b.OverdueDays = 0
	if b.State == BillPending && b.MaturesOn.Before(asOf) {
		b.OverdueDays = asOf.Sub(b.MaturesOn)
	}
}

// OverdueLabel is the mark of a bill past maturity and not honoured: 逾期未兑付 N 天.
func (b *Bill) OverdueLabel() string {
	if b.OverdueDays <= 0 {
		return ""
	}
	return fmt.Sprintf("逾期未兑付 %d 天", b.OverdueDays)
}

// StateLabel is the bill's state as read on screens: a pending bill past maturity shows so.
func (b *Bill) StateLabel() string {
	if l := b.OverdueLabel(); l != "" {
		return l
	}
	return b.State.Label()
}

// PendingAt reports whether the bill counts as paid in bills, not yet honoured, on a date as
// known at an instant (zero: now): handed over by then, and neither honoured nor dishonoured by
// then.
func (b *Bill) PendingAt(asOf Date, knownAt time.Time) bool {
	known := func(at time.Time) bool { return knownAt.IsZero() || !at.After(knownAt) }
	if b.HandedOn.After(asOf) || !known(b.RecordedAt) {
		return false
	}
	if !b.HonouredOn.IsZero() && !b.HonouredOn.After(asOf) && known(b.HonouredAt) {
		return false
	}
	if !b.DishonouredOn.IsZero() && !b.DishonouredOn.After(asOf) && known(b.DishonouredAt) {
		return false
	}
	return true
}

// MaxBillMonths is the longest term of a commercial bill, from issue to maturity:
// 《商业汇票承兑、贴现与再贴现管理办法》（中国人民银行 国家金融监督管理总局令〔2022〕第4号）第四条,
// "最长不得超过6个月". The Regulation itself (2025, Art. 11) forbids using bills to stretch the
// payment term and forcing them on the SME; it sets no number of months.
const MaxBillMonths = 6

// BillFlags are the flags of a bill: a commercial bill whose term is beyond six months, and any
// bill maturing after the item's due date (the term stretched by a bill, 2025 Art. 11 [10]).
func BillFlags(b *Bill, dueOn Date) []RuleFlag {
	out := []RuleFlag{}
	if b.Kind == BillCommercial && !b.IssuedOn.IsZero() && b.MaturesOn.After(b.IssuedOn.AddMonths(MaxBillMonths)) {
		out = append(out, RuleFlag{Code: "bill_term", Unlawful: true, Text: fmt.Sprintf("票据期限超过%d个月（出票日 %s，到期日 %s）：商业汇票付款期限最长不得超过6个月", MaxBillMonths, b.IssuedOn, b.MaturesOn)})
	}
	if !dueOn.IsZero() && b.MaturesOn.After(dueOn) {
		out = append(out, RuleFlag{Code: "bill_stretch", Unlawful: true, Text: fmt.Sprintf("票据到期日 %s 晚于应付日期 %s：不得利用商业汇票、应收账款电子凭证变相延长付款期限（条例第十一条）", b.MaturesOn, dueOn)})
	}
	return out
}

// BillInput is a bill handed to a creditor for an item.
type BillInput struct {
	ItemID    int64    `json:"item_id"`
	Kind      BillKind `json:"kind"`
	No        string   `json:"no"`
	Amount    Money    `json:"amount"`
	Part      Part     `json:"part"`
	IssuedOn  Date     `json:"issued_on"`
	HandedOn  Date     `json:"handed_on"`
	MaturesOn Date     `json:"matures_on"`
	Acceptor  string   `json:"acceptor"`
	Note      string   `json:"note"`
}

// Validate checks a bill's own fields against today.
func (in *BillInput) Validate(today Date) error {
	v := Validation{}
	if in.ItemID <= 0 {
		v.Add("item_id", "请指定台账条目")
	}
	if _, ok := BillKindNames[in.Kind]; !ok {
		v.Add("kind", "票据种类应为商业汇票或电子债权凭证")
	}
	if in.No == "" {
		v.Add("no", "请填写票据号码")
	} else if len([]rune(in.No)) > 60 {
		v.Add("no", "票据号码不能超过60个字符")
	}
	if in.Amount <= 0 {
		v.Add("amount", "票据金额必须大于零")
	}
	CheckAmount(v, "amount", "票据金额", in.Amount)
	if in.Part == "" {
		in.Part = PartUndisputed
	}
	if in.Part != PartUndisputed && in.Part != PartDisputed {
		v.Add("part", "金额性质应为 undisputed 或 disputed")
	}
	if in.HandedOn.IsZero() {
		v.Add("handed_on", "请填写交付日期")
	} else if in.HandedOn.After(today) {
		v.Add("handed_on", "交付日期不能晚于今天")
	}
	if in.IssuedOn.IsZero() {
		v.Add("issued_on", "请填写出票日期")
	} else if !in.HandedOn.IsZero() && in.IssuedOn.After(in.HandedOn) {
		v.Add("issued_on", "出票日期不能晚于交付日期")
	}
	if in.MaturesOn.IsZero() {
		v.Add("matures_on", "请填写到期日期")
	} else if !in.IssuedOn.IsZero() && in.MaturesOn.Before(in.IssuedOn) {
		v.Add("matures_on", "到期日期不能早于出票日期")
	}
	if in.Acceptor == "" {
		v.Add("acceptor", "请填写承兑人")
	} else if len([]rune(in.Acceptor)) > 100 {
		v.Add("acceptor", "承兑人不能超过100个字")
	}
	if len([]rune(in.Note)) > 500 {
		v.Add("note", "说明不能超过500个字")
	}
	return v.Err()
}

// BillClose is the honouring, the dishonour or the return of a bill: its date, and for an honour the proof
// (voucher files, a voucher number) the repayment entry carries.
type BillClose struct {
	On        Date     `json:"on"`
	Reason    string   `json:"reason"`
	VoucherNo string   `json:"voucher_no"`
	Vouchers  []string `json:"vouchers"`
}

// BillQuery selects the bills not yet honoured in a unit's subtree as of a date (zero: today),
// as known at an instant (zero: now).
type BillQuery struct {
	OrgID   int64     `json:"org_id"`
	AsOf    Date      `json:"as_of"`
	KnownAt time.Time `json:"known_at"`
	Limit   int       `json:"limit"` // of the list; the count and amount cover all
	// Overdue keeps only the bills past maturity on AsOf (逾期未兑付): the list, count and amount.
	Overdue bool `json:"overdue"`
}

// BillSummary is the figure "paid in bills, not yet honoured" (票据支付未兑付): how many bills,
// their amount, and the bills themselves (up to the query's limit), earliest maturity first.
type BillSummary struct {
	AsOf   Date  `json:"as_of"`
	Count  int   `json:"count"`
	Amount Money `json:"amount"`
	// OverdueCount and OverdueAmount are the bills among them past maturity on AsOf.
	OverdueCount  int     `json:"overdue_count"`
	OverdueAmount Money   `json:"overdue_amount"`
	Bills         []*Bill `json:"bills"`
}

// BillAnnexRow is a line of the periodic report's annex of bills not yet honoured: a group's
// count and amount, and those past maturity, as of the period's date.
type BillAnnexRow struct {
	OrgID         int64  `json:"org_id"`
	OrgName       string `json:"org_name"`
	Count         int    `json:"count"`
	Amount        Money  `json:"amount"`
	OverdueCount  int    `json:"overdue_count"`
	OverdueAmount Money  `json:"overdue_amount"`
}

// BillService records bills and their honour or dishonour.
type BillService interface {
	// RecordBill records a bill handed over for an item; it writes no entry. Its amount with the
	// item's other bills not yet honoured may not exceed the part's outstanding amount.
	// Callers: writers whose subtree holds the item. Errors: EINVALID, ENOTFOUND, ECONFLICT (the
	// same bill number twice for the item).
	RecordBill(ctx context.Context, in BillInput) (*Bill, error)
	// HonourBill records that a bill was honoured on a date on or after its maturity: it writes the
	// repayment entry, dated that day, with the proof given. Errors: EINVALID, ENOTFOUND,
	// ECONFLICT (the bill is not pending).
	HonourBill(ctx context.Context, id int64, c BillClose) (*Bill, error)
	// DishonourBill records that a bill was dishonoured (拒付) on a date on or after its maturity.
	// A pending bill is closed without an entry; an honoured one gets a reversal of its repayment
	// dated c.On. A reason is required. Errors: EINVALID (a date before maturity names it).
	DishonourBill(ctx context.Context, id int64, c BillClose) (*Bill, error)
	// ReturnBill records that a pending bill was returned or cancelled before its maturity
	// (到期前退回撤销): closed without an entry. A reason is required. Errors: EINVALID (a date on
	// or after maturity names it: that is a dishonour), ECONFLICT (not pending).
	ReturnBill(ctx context.Context, id int64, c BillClose) (*Bill, error)
	// FindBills returns an item's bills, in the order they were recorded.
	FindBills(ctx context.Context, itemID int64) ([]*Bill, error)
	// FindBillByID returns one bill.
	FindBillByID(ctx context.Context, id int64) (*Bill, error)
	// UnhonouredBills is the figure 票据支付未兑付 of a subtree as of a date: count, amount and list.
	UnhonouredBills(ctx context.Context, q BillQuery) (*BillSummary, error)
	// UnitBills lists every bill of a unit's subtree (the actor's own unit when 0), whatever its
	// state, earliest maturity first, those past maturity and pending marked as of today.
	UnitBills(ctx context.Context, orgID int64) ([]*Bill, error)
}
