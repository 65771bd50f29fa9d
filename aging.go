package qingqian

import "context"

// AgingBucket is where an open payable stands against its due date on a given day.
type AgingBucket string

// Aging buckets, in display order.
const (
	AgeNotDue    AgingBucket = "not_due"     // 未到期（30日以后到期）
	AgeDue30     AgingBucket = "due_30"      // 8至30日内到期
	AgeDue7      AgingBucket = "due_7"       // 7日内到期（含当日）
	AgeOverdue30 AgingBucket = "overdue_30"  // 逾期1–30日
	AgeOverdue90 AgingBucket = "overdue_90"  // 逾期31–90日
	AgeOverdue1y AgingBucket = "overdue_365" // 逾期91–365日
	AgeOver1y    AgingBucket = "overdue_1y"  // 逾期365日以上
	AgeNoTerm    AgingBucket = "no_term"     // 无付款期限
)

// AgingBuckets lists the buckets in display order.
var AgingBuckets = []AgingBucket{AgeNotDue, AgeDue30, AgeDue7, AgeOverdue30, AgeOverdue90, AgeOverdue1y, AgeOver1y, AgeNoTerm}

// AgingBucketNames are the screen names.
var AgingBucketNames = map[AgingBucket]string{AgeNotDue: "未到期（30日后）", AgeDue30: "30日内到期", AgeDue7: "7日内到期", AgeOverdue30: "逾期1–30日",
	AgeOverdue90: "逾期31–90日", AgeOverdue1y: "逾期91–365日", AgeOver1y: "逾期365日以上", AgeNoTerm: "无付款期限"}

// Label is the screen name.
func (b AgingBucket) Label() string { return AgingBucketNames[b] }

// Overdue reports whether the bucket is past the due date.
func (b AgingBucket) Overdue() bool {
	return b == AgeOverdue30 || b == AgeOverdue90 || b == AgeOverdue1y || b == AgeOver1y
}

// BucketOf returns the bucket of a payable due on due, seen on asOf.
func BucketOf(due, asOf Date) AgingBucket {
	if due.IsZero() {
		return AgeNoTerm
	}
	switch d := due.Sub(asOf); {
	case d > 30:
		return AgeNotDue
	case d > 7:
		return AgeDue30
	case d >= 0:
		return AgeDue7
	case d >= -30:
		return AgeOverdue30
	case d >= -90:
		return AgeOverdue90
	case d >= -365:
		return AgeOverdue1y
	}
	return AgeOver1y
}

// AgingCell is the open payables of one bucket: how many and how much.
type AgingCell struct {
	Count  int   `json:"count"`
	Amount Money `json:"amount"`
}

// AgingRow is a unit's open payables by bucket: its own (Own) or its whole subtree.
type AgingRow struct {
	OrgID   int64                     `json:"org_id"`
	OrgName string                    `json:"org_name"`
	Own     bool                      `json:"own"` // the unit's own payables only, not its subtree's
	Cells   map[AgingBucket]AgingCell `json:"cells"`
	Total   AgingCell                 `json:"total"`
	Overdue AgingCell                 `json:"overdue"`
}

// Add counts n payables of amount in bucket b.
func (r *AgingRow) Add(b AgingBucket, n int, amount Money) {
	if r.Cells == nil {
		r.Cells = map[AgingBucket]AgingCell{}
	}
	c := r.Cells[b]
	c.Count += n
	c.Amount += amount
	r.Cells[b] = c
	r.Total.Count += n
	r.Total.Amount += amount
	if b.Overdue() {
		r.Overdue.Count += n
		r.Overdue.Amount += amount
	}
}

// Aging is the aging of the open payables of a unit's subtree as of a date: the unit's own
// payables, each direct subordinate's subtree, and the total.
type Aging struct {
	AsOf  Date        `json:"as_of"`
	OrgID int64       `json:"org_id"`
	Rows  []*AgingRow `json:"rows"`
	Total *AgingRow   `json:"total"`
}

// OpenPayable is an open payable as of a date, for the drill-down of the aging.
type OpenPayable struct {
	ContractID   int64       `json:"contract_id"`
	ContractNo   string      `json:"contract_no"`
	ContractName string      `json:"contract_name"`
	OrgID        int64       `json:"org_id"`
	OrgName      string      `json:"org_name"`
	CreditorName string      `json:"creditor_name"`
	Seq          int         `json:"seq"`
	DueOn        Date        `json:"due_on"`
	Open         Money       `json:"open"`
	Bucket       AgingBucket `json:"bucket"`
}

// PayableFilter selects open payables as of a date.
type PayableFilter struct {
	OrgID   int64 // this unit's own payables; with Subtree, its whole subtree
	Subtree bool
	AsOf    Date
	Bucket  AgingBucket // "" for all
	Limit   int
	Offset  int
}

// AgingService answers the aging of payables.
type AgingService interface {
	// Aging returns the aging of the open payables of the unit's subtree (0: the actor's) as
	// of asOf (zero: today).
	Aging(ctx context.Context, orgID int64, asOf Date) (*Aging, error)
	// FindOpenPayables lists open payables as of a date, most overdue first.
	FindOpenPayables(ctx context.Context, f PayableFilter) ([]*OpenPayable, error)
	// TimelyRates returns the timely-payment rate of the unit's subtree (0: the actor's) for the
	// payables due from from to to.
	TimelyRates(ctx context.Context, orgID int64, from, to Date) (*Timely, error)
}

// Cell returns the bucket's cell (zero when empty).
func (r *AgingRow) Cell(b AgingBucket) AgingCell { return r.Cells[b] }

// TimelyRow is a unit's timely-payment figures for a period: the payables that fell due in it,
// and those of them paid in full by their due date (Art. 9; for performance evaluation).
type TimelyRow struct {
	OrgID     int64  `json:"org_id"`
	OrgName   string `json:"org_name"`
	Own       bool   `json:"own"`
	Due       int    `json:"due"`
	OnTime    int    `json:"on_time"`
	DueAmount Money  `json:"due_amount"`
	// OnTimeAmount is the whole amount of the payables paid in full by their due date: what was
	// paid by the date on a payable not paid in full by then does not count.
	OnTimeAmount Money `json:"on_time_amount"`
	// Rate is OnTime / Due and AmountRate OnTimeAmount / DueAmount, in hundredths of a per cent
	// (9876 is 98.76 %), rounded half-up (2 of 3 is 6667); 0 when nothing fell due.
	Rate       int64 `json:"rate"`
	AmountRate int64 `json:"amount_rate"`
}

// Finish computes the rates, rounded half-up as RateOf rounds.
func (r *TimelyRow) Finish() {
	r.Rate = RateOf(Money(r.OnTime), Money(r.Due-r.OnTime))
	r.AmountRate = RateOf(r.OnTimeAmount, r.DueAmount-r.OnTimeAmount)
}

// Timely is the timely-payment rate of a unit's subtree for the payables due from From to To
// (both included): the unit's own, each direct subordinate's subtree, and the total.
type Timely struct {
	From  Date         `json:"from"`
	To    Date         `json:"to"`
	Rows  []*TimelyRow `json:"rows"`
	Total *TimelyRow   `json:"total"`
}
