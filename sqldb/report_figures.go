package sqldb

// A group's figures for a period, computed from the running totals, and the signed-off
// baseline that locks them.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/qingqian/qingqian"
)

// lockedBaselines returns the approved baseline figures of the groups under officePath, by
// group, the latest baseline period of each.
func (db *DB) lockedBaselines(ctx context.Context, q queryer, officePath string) (_ map[int64]qingqian.GroupFigures, err error) {
	defer wrapErr(&err, "locked baselines under %s", officePath)
	lo, hi := subtreeRange(officePath)
	rows, err := q.QueryContext(ctx, `SELECT s.org_id, s.figures FROM submissions s JOIN periods p ON p.id = s.period_id JOIN orgs g ON g.id = s.org_id
		WHERE p.kind = 'baseline' AND s.state = 'approved' AND g.path >= $1 AND g.path < $2 ORDER BY p.as_of, p.id`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	defer rows.Close()
	out := map[int64]qingqian.GroupFigures{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		var f qingqian.GroupFigures
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, rows.Err()
}

// baselineLock reports, for a unit at path, the group whose baseline is signed off and locked
// above or at it, or "".
func (tx *Tx) baselineLock(ctx context.Context, path string) (string, error) {
	// An import asks for the same few units a hundred thousand times.
	if lock, ok := tx.locks[path]; ok {
		return lock, nil
	}
	lock, err := findBaselineLock(ctx, tx, path)
	if err == nil {
		if tx.locks == nil {
			tx.locks = map[string]string{}
		}
		tx.locks[path] = lock
	}
	return lock, err
}

func findBaselineLock(ctx context.Context, q rowQueryer, path string) (_ string, err error) {
	defer wrapErr(&err, "baseline lock over %s", path)
	var name string
	var asOf qingqian.Date
	err = q.QueryRowContext(ctx, `SELECT g.name, p.as_of FROM submissions s JOIN periods p ON p.id = s.period_id JOIN orgs g ON g.id = s.org_id
		WHERE p.kind = 'baseline' AND s.state = 'approved' AND substr($1, 1, length(g.path)) = g.path ORDER BY p.as_of LIMIT 1`, path).Scan(&name, &asOf)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s的底数（截至%s）已签批锁定", name, asOf), nil
}

// groupFigures computes a group's figures for a period from the ledger, as known now (through
// q: a write transaction gives a consistent snapshot).
func (db *DB) groupFigures(ctx context.Context, q readQueryer, g *qingqian.Org, p *qingqian.Period, locked map[int64]qingqian.GroupFigures) (qingqian.GroupFigures, error) {
	fs, err := db.groupsFigures(ctx, q, []*qingqian.Org{g}, p, locked)
	return fs[g.ID], err
}

// groupsFigures computes the figures of several groups at once: one pass over the running
// totals, split over the read pool's connections when q is the pool.
func (db *DB) groupsFigures(ctx context.Context, q readQueryer, gs []*qingqian.Org, p *qingqian.Period, locked map[int64]qingqian.GroupFigures) (_ map[int64]qingqian.GroupFigures, err error) {
	defer wrapErr(&err, "figures of %d groups", len(gs))
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	// Split over the pool's connections only when reading through the pool: a transaction
	// (one snapshot) has one connection.
	_, pool := q.(*readPool)
	sums, err := db.totalsFor(ctx, q, ids, p.StartsOn, p.AsOf, pool)
	if err != nil {
		return nil, err
	}
	out := map[int64]qingqian.GroupFigures{}
	for _, g := range gs {
		t, before := sums[g.ID].t, sums[g.ID].repaidBefore
		var f qingqian.GroupFigures
		o := t.Overall
		f.RepaidToDate = o.Repaid
		f.RepaidPeriod = o.Repaid - before
		f.Recognised = o.RecognisedUndisputed + o.RecognisedDisputed
		f.Outstanding, f.Undisputed, f.Disputed = o.Outstanding, o.OutstandingUndisputed, o.OutstandingDisputed
		f.Items, f.Payments, f.PaymentsNoVoucher, f.RepaidNoVoucher = o.Items, o.Payments, o.PaymentsNoVoucher, o.RepaidNoVoucher
		f.Rate = qingqian.RateOf(f.RepaidToDate, f.Outstanding)
		for origin, of := range t.ByOrigin {
			if origin == qingqian.OriginBaseline {
				f.Baseline = of.RecognisedUndisputed + of.RecognisedDisputed
				f.BaselineRepaid, f.BaselineLeft = of.Repaid, of.Outstanding
				continue
			}
			f.NewItems += of.Items
			f.NewAmount += of.RecognisedUndisputed + of.RecognisedDisputed
			f.NewOutstanding += of.Outstanding
			if origin == qingqian.OriginNew {
				f.ArrearsItems = of.Items
				f.ArrearsAmount = of.RecognisedUndisputed + of.RecognisedDisputed
				f.ArrearsOutstanding = of.Outstanding
			}
		}
		f.ArrearsApart = true
		if f.InCourt, err = db.inCourt(ctx, q, g.Path, p.AsOf); err != nil {
			return nil, err
		}
		if b, ok := locked[g.ID]; ok && p.Kind != qingqian.PeriodBaseline {
			f.Baseline, f.BaselineLocked = b.Baseline, true
		}
		f.Reconcile()
		out[g.ID] = f
	}
	return out, nil
}

// zeroFlags explains why a zero report does not match the ledger.
func zeroFlags(f *qingqian.GroupFigures, asOf qingqian.Date) []string {
	var out []string
	if f.Outstanding > 0 {
		out = append(out, fmt.Sprintf("台账显示截至%s仍有未清偿欠款 %s 万元", asOf, f.Outstanding.Wan()))
	}
	if f.RepaidPeriod > 0 {
		out = append(out, fmt.Sprintf("台账显示本期清偿 %s 万元，与零报告不符", f.RepaidPeriod.Wan()))
	}
	return out
}
