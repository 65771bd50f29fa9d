package sqldb

// Checking the running totals against the entries in time linear in the ledger: each unit's rows
// must equal what its own items' entries add plus its children's rows (the root's: its own items'
// alone). Every side is read in key
// order and merged, so no side is held in memory and no join of two large tables is made.

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingqian/qingqian"
)

// rowKey is the key of a row of the running totals (rec is zero for the monthly table).
type rowKey struct {
	org          int64
	day, rec     qingqian.Date
	kind, origin string
}

func (a rowKey) compare(b rowKey) int {
	switch {
	case a.org != b.org:
		return cmpInt(a.org, b.org)
	case a.day != b.day:
		return a.day.Compare(b.day)
	case a.rec != b.rec:
		return a.rec.Compare(b.rec)
	case a.kind != b.kind:
		return cmpString(a.kind, b.kind)
	}
	return cmpString(a.origin, b.origin)
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	} else if a > b {
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	if a < b {
		return -1
	} else if a > b {
		return 1
	}
	return 0
}

type keyedRow struct {
	key rowKey
	m   measures
}

func scanDaily(r rowScanner) (keyedRow, error) {
	var t keyedRow
	err := r.Scan(append([]any{&t.key.org, &t.key.day, &t.key.rec, &t.key.kind, &t.key.origin}, t.m.pointers()...)...)
	return t, err
}

func scanMonthly(r rowScanner) (keyedRow, error) {
	var t keyedRow
	err := r.Scan(append([]any{&t.key.org, &t.key.day, &t.key.kind, &t.key.origin}, t.m.pointers()...)...)
	return t, err
}

// signedStream is a stream of totals rows, added to or taken from the balance of each key.
type signedStream struct {
	st   *stream[keyedRow]
	sign int64
	live bool
}

// mergeTotals merges streams ordered by key and calls bad for every key whose signed sum is not
// zero in every measure, and tick for every key.
func mergeTotals(streams []*signedStream, tick func(), bad func(rowKey, measures)) error {
	for _, s := range streams {
		s.live = s.st.Next()
		if err := s.st.Err(); err != nil {
			return err
		}
	}
	for {
		var min *rowKey
		for _, s := range streams {
			if s.live && (min == nil || s.st.Row().key.compare(*min) < 0) {
				k := s.st.Row().key
				min = &k
			}
		}
		if min == nil {
			return nil
		}
		key := *min
		tick()
		var sum measures
		for _, s := range streams {
			for s.live && s.st.Row().key.compare(key) == 0 {
				m := s.st.Row().m
				for i := range sum {
					sum[i] += s.sign * m[i]
				}
				s.live = s.st.Next()
				if err := s.st.Err(); err != nil {
					return err
				}
			}
		}
		if sum != (measures{}) {
			bad(key, sum)
		}
	}
}

// maxResiduals bounds the disagreements kept to locate the units at fault.
const maxResiduals = 100000

// verifyTotals recomputes the running totals from the entries within the snapshot and returns a
// description of the first unit whose stored totals differ, or "".
func (db *DB) verifyTotals(ctx context.Context, s *snapshot) (_ string, err error) {
	defer wrapErr(&err, "verify the running totals")
	d := db.d
	keyOrder := func(org, day, rec, kind, origin string) string {
		cols := []string{org, day}
		if rec != "" {
			cols = append(cols, rec)
		}
		out := ""
		for _, c := range append(cols, d.bytewise(kind), d.bytewise(origin)) {
			if out != "" {
				out += ", "
			}
			out += c
		}
		return ` ORDER BY ` + out
	}
	cat := func(c, col string) string {
		return `CAST(SUM(CASE WHEN e.cat = '` + c + `' THEN ` + col + ` ELSE 0 END) AS BIGINT)`
	}
	unvouchedReversal := `e.kind = 'reversal' AND e.cat = 'rep' AND NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.reverses_id)`
	ofEntries := computedMeasures(map[measure]string{
		mRecU: cat("rec", "e.du"), mRecD: cat("rec", "e.dd"),
		mRepU: cat("rep", "-e.du"), mRepD: cat("rep", "-e.dd"),
		mAdjU: cat("adj", "e.du"), mAdjD: cat("adj", "e.dd"),
		mPayN:  `CAST(SUM(CASE WHEN e.kind = 'repay' THEN 1 WHEN e.kind = 'reversal' AND e.cat = 'rep' THEN -1 ELSE 0 END) AS BIGINT)`,
		mPayNV: `CAST(SUM(CASE WHEN e.kind = 'repay' THEN 1 WHEN ` + unvouchedReversal + ` THEN -1 ELSE 0 END) AS BIGINT)`,
		mRepNV: `CAST(SUM(CASE WHEN e.kind = 'repay' OR (` + unvouchedReversal + `) THEN -(e.du + e.dd) ELSE 0 END) AS BIGINT)`,
	})
	ofFirstVouchers := computedMeasures(map[measure]string{mPayNV: `CAST(-COUNT(*) AS BIGINT)`, mRepNV: `CAST(SUM(e.du + e.dd) AS BIGINT)`})
	ofItems := computedMeasures(map[measure]string{mItems: `CAST(COUNT(*) AS BIGINT)`})
	queries := []struct {
		sign int64
		q    string
	}{
		// The stored rows,
		{1, `SELECT ` + totalsKeyCols + `, ` + totalsCols + ` FROM org_totals` + keyOrder("org_id", "day", "rec_day", "kind", "origin")},
		// less the children's stored rows (but for the root's, which hold its own items only:
		// its figures add its groups' rows when read, ADR 22),
		{-1, `SELECT o.parent_id, t.day, t.rec_day, t.kind, t.origin, ` + totalsSums + `
			FROM org_totals t JOIN orgs o ON o.id = t.org_id JOIN orgs p ON p.id = o.parent_id WHERE p.parent_id IS NOT NULL
			GROUP BY o.parent_id, t.day, t.rec_day, t.kind, t.origin` + keyOrder("o.parent_id", "t.day", "t.rec_day", "t.kind", "t.origin")},
		// less what the unit's own items' entries add,
		{-1, `SELECT i.org_id, e.on_date, e.recorded_on, i.kind, i.origin, ` + ofEntries + `
			FROM entries e JOIN items i ON i.id = e.item_id
			GROUP BY i.org_id, e.on_date, e.recorded_on, i.kind, i.origin` + keyOrder("i.org_id", "e.on_date", "e.recorded_on", "i.kind", "i.origin")},
		// the day each repayment's first voucher came,
		{-1, `SELECT i.org_id, e.on_date, fv.first_on, i.kind, i.origin, ` + ofFirstVouchers + `
			FROM (SELECT entry_id, MIN(attached_on) AS first_on FROM entry_vouchers GROUP BY entry_id) fv
				JOIN entries e ON e.id = fv.entry_id JOIN items i ON i.id = e.item_id
			WHERE e.kind = 'repay' GROUP BY i.org_id, e.on_date, fv.first_on, i.kind, i.origin` + keyOrder("i.org_id", "e.on_date", "fv.first_on", "i.kind", "i.origin")},
		// and the items that arose,
		{-1, `SELECT i.org_id, i.arisen_on, i.created_on, i.kind, i.origin, ` + ofItems + `
			FROM items i GROUP BY i.org_id, i.arisen_on, i.created_on, i.kind, i.origin` + keyOrder("i.org_id", "i.arisen_on", "i.created_on", "i.kind", "i.origin")},
	}
	var streams []*signedStream
	defer func() {
		for _, s := range streams {
			s.st.Close()
		}
	}()
	for _, q := range queries {
		st, err := openStream(ctx, s, q.q, scanDaily)
		if err != nil {
			return "", err
		}
		streams = append(streams, &signedStream{st: st, sign: q.sign})
	}
	// A unit whose stored row is off by x leaves x on itself and -x on its parent: what is
	// wrong at each unit is the sum of what is left over its subtree.
	residuals := map[rowKey]measures{}
	many := false
	var keys int64
	tick := func() { keys++; s.tick("汇总数的键", keys) }
	if err := mergeTotals(streams, tick, func(k rowKey, m measures) {
		if len(residuals) < maxResiduals {
			residuals[k] = m
		} else {
			many = true
		}
	}); err != nil {
		return "", err
	}
	if len(residuals) > 0 {
		parents := map[int64]int64{}
		rows, err := s.tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0) FROM orgs`)
		if err != nil {
			return "", fmt.Errorf("read orgs: %w", err)
		}
		for rows.Next() {
			var id, parent int64
			if err := rows.Scan(&id, &parent); err != nil {
				rows.Close()
				return "", err
			}
			parents[id] = parent
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
		wrong := map[rowKey]measures{}
		for k, m := range residuals {
			for org, n := k.org, 0; org != 0 && n < 64; n++ {
				at := k
				at.org = org
				w := wrong[at]
				for i := range w {
					w[i] += m[i]
				}
				wrong[at] = w
				if p := parents[org]; p != 0 && parents[p] == 0 {
					break // the root's rows do not include its groups'
				}
				org = parents[org]
			}
		}
		var orgs []int64
		seen := map[int64]bool{}
		for k, m := range wrong {
			if m != (measures{}) && !seen[k.org] {
				seen[k.org] = true
				orgs = append(orgs, k.org)
			}
		}
		sort.Slice(orgs, func(i, j int) bool { return orgs[i] < orgs[j] })
		if len(orgs) == 0 || many {
			// Only when the disagreements were too many to locate.
			return "汇总数与明细分录大量不一致", nil
		}
		return fmt.Sprintf("单位 %d 的汇总数与明细分录不一致", orgs[0]), nil
	}
	// The monthly roll-up must equal the months of the daily rows, now known to be right.
	monthly := []struct {
		sign int64
		q    string
	}{
		{1, `SELECT ` + monthKeyCols + `, ` + totalsCols + ` FROM org_totals_month` + keyOrder("org_id", "month", "", "kind", "origin")},
		{-1, `SELECT org_id, ` + d.monthOf("day") + `, kind, origin, ` + totalsSums + ` FROM org_totals
			GROUP BY org_id, ` + d.monthOf("day") + `, kind, origin` + keyOrder("org_id", d.monthOf("day"), "", "kind", "origin")},
	}
	streams = streams[:0]
	for _, q := range monthly {
		st, err := openStream(ctx, s, q.q, scanMonthly)
		if err != nil {
			return "", err
		}
		streams = append(streams, &signedStream{st: st, sign: q.sign})
	}
	var first int64
	if err := mergeTotals(streams, func() {}, func(k rowKey, _ measures) {
		if first == 0 || k.org < first {
			first = k.org
		}
	}); err != nil {
		return "", err
	}
	if first != 0 {
		return fmt.Sprintf("单位 %d 的月度汇总数与明细分录不一致", first), nil
	}
	return "", nil
}

// VerifyTotals recomputes the running totals from the entries, in one snapshot of the
// database, and reports the first unit whose stored totals differ, or "" when they all agree.
// It writes nothing and never waits for writers.
func (db *DB) VerifyTotals(ctx context.Context) (_ string, err error) {
	defer serviceErr(&err, "verify the running totals")
	s, err := db.beginSnapshot(ctx)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return db.verifyTotals(ctx, s)
}

// VerifyBalances reports, in one snapshot of the database, the balances no ledger can have and
// a gross movement that differs from the entries (see verifyBalances); none when the ledger is
// sound. It writes nothing and never waits for writers.
func (db *DB) VerifyBalances(ctx context.Context) (_ []string, err error) {
	defer serviceErr(&err, "verify the balances")
	s, err := db.beginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return db.verifyBalances(ctx, s.tx)
}
