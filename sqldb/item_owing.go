package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/qingqian/qingqian"
)

// The counts kept per unit in org_owing (migration 0032, ADR 40): the items still owing, those
// of them without a due date or without a funding source, and the disputed ones with their
// sums. The database's triggers on items keep them at every write; verify recounts them.

// owingSet names the filtered sets of the current ledger that org_owing answers.
type owingSet int

const (
	owingNone     owingSet = iota
	owingOverdue           // Overdue: due before today and still owing; the count alone
	owingUnfunded          // without a funding source and still owing; the count alone
	owingDisputed          // a disputed part outstanding; the count and the sums
)

// owingSetOf tells which kept count answers the filter's count, if any: the current ledger of a
// subtree filtered by exactly one of the three conditions, nothing else.
func owingSetOf(f qingqian.ItemFilter, asOf bool) owingSet {
	if asOf || f.NoTotals || f.CreditorID != 0 || f.Status != "" || f.Kind != "" || f.Origin != "" || f.MaxAmount != nil || f.Query != "" {
		return owingNone
	}
	owing := f.MinAmount != nil && *f.MinAmount == 1
	switch {
	case f.Overdue != nil && *f.Overdue && f.Disputed == nil && f.FundingSource == nil && (f.MinAmount == nil || owing) && f.CountOnly:
		return owingOverdue
	case f.FundingSource != nil && *f.FundingSource == qingqian.FundingNone && owing && f.Overdue == nil && f.Disputed == nil && f.CountOnly:
		return owingUnfunded
	case f.Disputed != nil && *f.Disputed && f.Overdue == nil && f.FundingSource == nil && f.MinAmount == nil:
		return owingDisputed
	}
	return owingNone
}

// countOwing answers the set's count (and for the disputed items its sums) from the rows of
// org_owing of the subtree [lo, hi) of units: one row per unit, whatever the number of items.
// The overdue items are the owing ones less those without a due date and those not yet due on
// today, the last read along items_owing unit by unit (a range of due dates from today: the
// items not yet due, few in a ledger of arrears).
func (db *DB) countOwing(ctx context.Context, page *qingqian.ItemPage, set owingSet, lo, hi string, today qingqian.Date) error {
	// Kept until the ledger next changes, as the other counts (ADR 27).
	gen, err := db.ledgerGeneration(ctx)
	if err != nil {
		return err
	}
	key := fmt.Sprint("owing ", set, " ", lo, " ", hi, " ", today)
	if c, ok := db.cache.get(key, gen); ok {
		*page = c.(qingqian.ItemPage)
		page.Items = []*qingqian.Item{}
		return nil
	}
	if err := db.readOwing(ctx, page, set, lo, hi, today); err != nil {
		return err
	}
	c := *page
	c.Items = nil
	db.cache.put(key, gen, c)
	return nil
}

// readOwing is countOwing's reading.
func (db *DB) readOwing(ctx context.Context, page *qingqian.ItemPage, set owingSet, lo, hi string, today qingqian.Date) error {
	units := ` WHERE org_id IN (SELECT id FROM orgs WHERE path >= $1 AND path < $2)`
	query := func(q string, args ...any) *sql.Row {
		if onCountItems != nil {
			onCountItems(q, args)
		}
		return db.read.QueryRowContext(ctx, q, args...)
	}
	switch set {
	case owingDisputed:
		if err := query(`SELECT CAST(COALESCE(SUM(disputed), 0) AS BIGINT), CAST(COALESCE(SUM(disp_out), 0) AS BIGINT),
			CAST(COALESCE(SUM(disp_rec), 0) AS BIGINT), CAST(COALESCE(SUM(disp_rep), 0) AS BIGINT) FROM org_owing`+units, lo, hi).
			Scan(&page.Total, &page.TotalOutstanding, &page.TotalRecognised, &page.TotalRepaid); err != nil {
			return err
		}
		page.Sums = true
		return nil
	case owingUnfunded:
		return query(`SELECT CAST(COALESCE(SUM(unfunded), 0) AS BIGINT) FROM org_owing`+units, lo, hi).Scan(&page.Total)
	}
	// SQLite is told the index: its planner may otherwise take the due dates' own index, which
	// holds every item.
	indexed := ` INDEXED BY items_owing`
	if db.d.name == "postgres" {
		indexed = ``
	}
	var dated, notYetDue int
	if err := query(`SELECT CAST(COALESCE(SUM(owing - undated), 0) AS BIGINT) FROM org_owing`+units, lo, hi).Scan(&dated); err != nil {
		return err
	}
	if err := query(`SELECT COUNT(*) FROM items i`+indexed+`
		WHERE i.org_id IN (SELECT id FROM orgs WHERE path >= $1 AND path < $2) AND i.due_on >= $3 AND i.out_u + i.out_d > 0`, lo, hi, today).Scan(&notYetDue); err != nil {
		return err
	}
	page.Total = dated - notYetDue
	return nil
}
