package qingqian

import (
	"context"
	"sort"
	"time"
)

// EntryKind is what an entry does to an item.
type EntryKind string

// Kinds of entries. Entries are immutable; a wrong one is reversed by a reversal that names it.
const (
	EntryRecognise      EntryKind = "recognise"       // 确认欠款
	EntryRepay          EntryKind = "repay"           // 清偿
	EntryAdjust         EntryKind = "adjust"          // 调整（±，须说明原因）
	EntryCourtReduction EntryKind = "court_reduction" // 法院核减
	EntryWriteOff       EntryKind = "write_off"       // 核销
	EntryReclassify     EntryKind = "reclassify"      // 分歧转无分歧（或反向）
	EntryReversal       EntryKind = "reversal"        // 冲正
)

// EntryKindNames are the screen names.
var EntryKindNames = map[EntryKind]string{
	EntryRecognise: "确认欠款", EntryRepay: "清偿", EntryAdjust: "调整", EntryCourtReduction: "法院核减",
	EntryWriteOff: "核销", EntryReclassify: "分歧性质调整", EntryReversal: "冲正",
}

// Label is how the kind of entry reads on screens and in spreadsheets.
func (k EntryKind) Label() string { return EntryKindNames[k] }

// Category groups entries for totals: what was recognised, what was repaid, and everything else.
// A reversal takes the category of the entry it reverses, so a reversed repayment is no longer
// counted as repaid.
type Category string

// Categories.
const (
	CatRecognise Category = "rec"
	CatRepay     Category = "rep"
	CatAdjust    Category = "adj"
)

// CategoryOf returns the category of a kind other than reversal.
func CategoryOf(k EntryKind) Category {
	switch k {
	case EntryRecognise:
		return CatRecognise
	case EntryRepay:
		return CatRepay
	}
	return CatAdjust
}

// PayMethod is how a repayment was made.
type PayMethod string

// Methods. A bill is recorded as such: it is not cash in the creditor's account.
const (
	MethodTransfer   PayMethod = "transfer"   // 银行转账
	MethodCash       PayMethod = "cash"       // 现金
	MethodBill       PayMethod = "bill"       // 商业汇票
	MethodReceivable PayMethod = "receivable" // 应收账款电子凭证
	MethodOffset     PayMethod = "offset"     // 抵账
)

// MethodNames are the screen names.
var MethodNames = map[PayMethod]string{MethodTransfer: "银行转账", MethodCash: "现金", MethodBill: "商业汇票", MethodReceivable: "应收账款电子凭证", MethodOffset: "抵账"}

// Label is how the method reads on screens and in spreadsheets.
func (m PayMethod) Label() string { return MethodNames[m] }

// Part says which part of an item an entry moves.
type Part string

// Parts.
const (
	PartUndisputed Part = "undisputed"
	PartDisputed   Part = "disputed"
)

// Parts lists the parts in display order.
var Parts = []Part{PartUndisputed, PartDisputed}

// PartNames are the screen names.
var PartNames = map[Part]string{PartUndisputed: "无分歧部分", PartDisputed: "有分歧部分"}

// Label is how the part reads on screens and in spreadsheets.
func (p Part) Label() string { return PartNames[p] }

// Entry is one immutable movement on an item. Undisputed and Disputed are signed deltas of the
// two parts (a repayment is negative). On is the business date; RecordedAt is when the system
// learnt of it; Backdated marks an entry whose business date is before the day it was recorded.
type Entry struct {
	ID           int64     `json:"id"`
	ItemID       int64     `json:"item_id"`
	Kind         EntryKind `json:"kind"`
	Category     Category  `json:"category"`
	On           Date      `json:"on"`
	RecordedAt   time.Time `json:"recorded_at"`
	Backdated    bool      `json:"backdated"`
	Undisputed   Money     `json:"undisputed"`
	Disputed     Money     `json:"disputed"`
	Method       PayMethod `json:"method,omitempty"`
	VoucherNo    string    `json:"voucher_no,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	ReversesID   int64     `json:"reverses_id,omitempty"`
	ReversedByID int64     `json:"reversed_by_id,omitempty"`
	// ReversedOn is, for a reversal, the business date of the entry it reverses. A reversal
	// takes effect on that date unless another was asked for (OnOtherDate).
	ReversedOn Date         `json:"reversed_on,omitzero"`
	ActorName  string       `json:"actor_name"`
	Vouchers   []VoucherRef `json:"vouchers"`
}

// OnOtherDate reports whether a reversal was deliberately dated after the entry it reverses:
// between the two dates the reversed entry still counts.
func (e *Entry) OnOtherDate() bool {
	return e.Kind == EntryReversal && !e.ReversedOn.IsZero() && e.On != e.ReversedOn
}

// Amount is the entry's total effect on the outstanding amount.
func (e *Entry) Amount() Money { return e.Undisputed + e.Disputed }

// EntryInput is a request to record an entry. Amount is positive for repayments, court
// reductions and write-offs (they reduce the part named); signed for adjustments; for a
// reclassification a positive amount moves disputed to undisputed. A reversal needs only
// ReversesID and Reason; it takes effect on the reversed entry's business date unless On names
// another (never earlier than that date, never after today).
type EntryInput struct {
	ItemID         int64     `json:"item_id"`
	Kind           EntryKind `json:"kind"`
	On             Date      `json:"on"`
	Amount         Money     `json:"amount"`
	Part           Part      `json:"part"`
	Method         PayMethod `json:"method"`
	VoucherNo      string    `json:"voucher_no"`
	Reason         string    `json:"reason"`
	ReversesID     int64     `json:"reverses_id"`
	Vouchers       []string  `json:"vouchers"` // SHA-256 of uploaded voucher files
	IdempotencyKey string    `json:"-"`
	// BillID names the bill a repayment honours: only honouring a bill (BillService.HonourBill)
	// writes a repayment in a bill or a receivable voucher; handed over, it is not yet repaid.
	BillID int64 `json:"-"`
}

// Deltas validates the input against the item's own rules and returns the signed deltas. It
// does not know the balance; the caller checks the balance with CheckTimeline. A reversal's
// deltas come from the original entry and are not computed here.
func (in *EntryInput) Deltas(today Date) (du, dd Money, err error) {
	v := Validation{}
	if in.ItemID <= 0 && in.Kind != EntryReversal {
		v.Add("item_id", "请指定台账条目")
	}
	if in.Kind == EntryReversal {
		if in.ReversesID <= 0 {
			v.Add("reverses_id", "请指定要冲正的记录")
		}
		if in.Reason == "" {
			v.Add("reason", "冲正须说明原因")
		}
		if in.On.After(today) {
			v.Add("on", "业务日期不能晚于今天")
		}
		return 0, 0, v.Err()
	}
	if _, ok := EntryKindNames[in.Kind]; !ok {
		v.Add("kind", "记录类型不正确")
		return 0, 0, v.Err()
	}
	if in.On.IsZero() {
		v.Add("on", "请填写业务日期")
	} else if in.On.After(today) {
		v.Add("on", "业务日期不能晚于今天")
	}
	part := in.Part
	if part == "" {
		part = PartUndisputed
		if in.Kind == EntryCourtReduction {
			part = PartDisputed
		}
	}
	if part != PartUndisputed && part != PartDisputed {
		v.Add("part", "金额性质应为 undisputed 或 disputed")
	}
	amt := in.Amount
	CheckAmount(v, "amount", "金额", amt)
	switch in.Kind {
	case EntryRepay:
		if amt <= 0 {
			v.Add("amount", "清偿金额必须大于零")
		}
		if _, ok := MethodNames[in.Method]; !ok {
			v.Add("method", "请选择清偿方式")
		} else if in.BillID == 0 && (in.Method == MethodBill || in.Method == MethodReceivable) {
			v.Add("method", "以商业汇票或应收账款电子凭证支付的，请登记票据：票据到期兑付后才计入清偿")
		}
		amt = -amt
	case EntryRecognise:
		if amt <= 0 {
			v.Add("amount", "确认金额必须大于零")
		}
	case EntryCourtReduction, EntryWriteOff:
		if amt <= 0 {
			v.Add("amount", "金额必须大于零")
		}
		if in.Reason == "" {
			v.Add("reason", "请说明原因或文书编号")
		}
		amt = -amt
	case EntryAdjust:
		if amt == 0 {
			v.Add("amount", "调整金额不能为零")
		}
		if in.Reason == "" {
			v.Add("reason", "调整须说明原因")
		}
	case EntryReclassify:
		if amt == 0 {
			v.Add("amount", "调整金额不能为零")
		}
		if in.Reason == "" {
			v.Add("reason", "请说明依据（如判决书、调解书）")
		}
		// Positive: disputed becomes undisputed.
		return amt, -amt, v.Err()
	}
	if in.Kind != EntryRepay && in.Method != "" {
		v.Add("method", "只有清偿记录填写清偿方式")
	}
	if len([]rune(in.Reason)) > 500 {
		v.Add("reason", "原因不能超过500个字")
	}
	if len([]rune(in.VoucherNo)) > 60 {
		v.Add("voucher_no", "凭证号不能超过60个字符")
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	if part == PartDisputed {
		return 0, amt, nil
	}
	return amt, 0, nil
}

// CheckTimeline reports whether, replaying the entries in business-date order (recording order
// within a day), neither part of the item ever goes below zero. A repayment, write-off or
// reversal that would make the item owe a negative amount at any date is refused, which also
// stops a back-dated repayment larger than what was owed on its date.
func CheckTimeline(entries []*Entry) error {
	sorted := make([]*Entry, len(entries))
	copy(sorted, entries)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].On.Before(sorted[j].On) })
	var u, d Money
	for i, e := range sorted {
		u += e.Undisputed
		d += e.Disputed
		// Within one business date only the end of the day counts: a same-day correction
		// recorded after a payment is fine.
		if i+1 < len(sorted) && sorted[i+1].On == e.On {
			continue
		}
		if u < 0 {
			return &Error{Code: EINVALID, Message: "金额超过了该日未清偿的无分歧金额（" + e.On.String() + "）", Fields: map[string]string{"amount": "金额超过未清偿余额"}}
		}
		if d < 0 {
			return &Error{Code: EINVALID, Message: "金额超过了该日未清偿的有分歧金额（" + e.On.String() + "）", Fields: map[string]string{"amount": "金额超过未清偿余额"}}
		}
	}
	return nil
}

// BalanceOf derives an item's balance from its entries as of a date (inclusive) and as known at
// an instant (zero: everything recorded).
func BalanceOf(entries []*Entry, asOf Date, knownAt time.Time) Balance {
	var b Balance
	for _, e := range entries {
		if !asOf.IsZero() && e.On.After(asOf) {
			continue
		}
		if !knownAt.IsZero() && e.RecordedAt.After(knownAt) {
			continue
		}
		b.Add(e.Category, e.Undisputed, e.Disputed)
	}
	b.Status = DeriveStatus(b.Outstanding, b.Repaid)
	return b
}

// EntryService records and reverses entries.
type EntryService interface {
	// RecordEntry records an entry (not a reversal) on an item in one transaction with its
	// audit row, its voucher links, the item's balance and the running totals. With an
	// IdempotencyKey, a retry returns the entry first recorded instead of paying twice.
	// Callers: writers whose subtree holds the item. Errors: EINVALID (including amounts above
	// the balance), ENOTFOUND, EFORBIDDEN, ECONFLICT (key reused for another request).
	RecordEntry(ctx context.Context, in EntryInput) (*Entry, error)
	// RecordEntries records several entries (not reversals) in one transaction: all or none. An
	// error names the failing entry's fields as "entries.N.field". Used by ERP pushes and imports.
	RecordEntries(ctx context.Context, ins []EntryInput) ([]*Entry, error)
	// ReverseEntry records a reversal of an earlier entry. A reversal cannot itself be reversed
	// and an entry can be reversed only once (ECONFLICT).
	ReverseEntry(ctx context.Context, in EntryInput) (*Entry, error)
	// FindEntries returns an item's entries in recording order.
	FindEntries(ctx context.Context, itemID int64) ([]*Entry, error)
	// FindEntryByID returns one entry.
	FindEntryByID(ctx context.Context, id int64) (*Entry, error)
}

// UnvouchedRepayments counts the repayments among an item's entries that stand (not reversed)
// without a payment voucher: claims rather than facts ("凡清偿账款提供支付凭证进行佐证").
func UnvouchedRepayments(es []*Entry) int {
	n := 0
	for _, e := range es {
		if e.Kind == EntryRepay && e.ReversedByID == 0 && len(e.Vouchers) == 0 {
			n++
		}
	}
	return n
}
