package qingqian

import (
	"context"
	"time"
)

// Figures are the amounts of a set of items: recognised, repaid, adjusted (court reductions,
// write-offs, adjustments, reclassification) and outstanding, each split undisputed/disputed.
type Figures struct {
	Items int64 `json:"items"`
	Balance
	// Payments counts repayments (less those reversed); PaymentsNoVoucher those without a payment
	// voucher, which are claims rather than facts, for RepaidNoVoucher in all.
	Payments          int64 `json:"payments"`
	PaymentsNoVoucher int64 `json:"payments_no_voucher"`
	RepaidNoVoucher   Money `json:"repaid_no_voucher"`
}

// Rate is the share repaid of what was recognised and not reduced otherwise, in basis points
// (10000 = 100%) rounded half-up; 0 when nothing is owed. See RateOf.
func (f *Figures) Rate() int64 { return RateOf(f.Repaid, f.Outstanding) }

// TotalsQuery asks for a subtree's figures as of a business date as known at an instant.
type TotalsQuery struct {
	OrgID   int64     `json:"org_id"` // 0: the actor's own unit
	AsOf    Date      `json:"as_of"`  // zero: today
	KnownAt time.Time `json:"known_at,omitempty"`
}

// Totals are a subtree's figures, overall and broken down by kind and by origin.
type Totals struct {
	OrgID    int64                `json:"org_id"`
	OrgName  string               `json:"org_name"`
	AsOf     Date                 `json:"as_of"`
	KnownAt  time.Time            `json:"known_at,omitzero"`
	Overall  Figures              `json:"overall"`
	ByKind   map[ItemKind]Figures `json:"by_kind"`
	ByOrigin map[Origin]Figures   `json:"by_origin"`
}

// TotalsService computes subtree totals. With AsOf and KnownAt both fixed, the answer never
// changes, so any reported figure can be reproduced.
type TotalsService interface {
	// SubtreeTotals returns the totals of the unit's subtree. Errors: ENOTFOUND outside the
	// actor's subtree.
	SubtreeTotals(ctx context.Context, q TotalsQuery) (*Totals, error)
	// SubtreeSeries returns the overall figures of the unit's subtree (0: the actor's unit) as of
	// each of the dates, as known now, in the dates' order: what SubtreeTotals gives for each,
	// read in one pass. Errors: ENOTFOUND outside the actor's subtree.
	SubtreeSeries(ctx context.Context, orgID int64, dates []Date) ([]Figures, error)
}
