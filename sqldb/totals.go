package sqldb

// Reading the running totals: a subtree's figures as of a date, as known now or at an earlier
// time. They are maintained in totals_maintain.go and recomputed in totals_rebuild.go.

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
)

// TotalsService implements qingqian.TotalsService.
type TotalsService struct{ db *DB }

// NewTotalsService returns the totals service over db.
func NewTotalsService(db *DB) *TotalsService { return &TotalsService{db: db} }

var _ qingqian.TotalsService = (*TotalsService)(nil)

type totalsKey struct {
	kind   qingqian.ItemKind
	origin qingqian.Origin
}

// SubtreeTotals implements qingqian.TotalsService. The running totals give the figures as of a
// date, as known at the end of any recording day, in one index range; for an instant within a
// day, what was recorded later that same day is taken off again.
func (s *TotalsService) SubtreeTotals(ctx context.Context, q0 qingqian.TotalsQuery) (_ *qingqian.Totals, err error) {
	defer serviceErr(&err, "totals of org %d", q0.OrgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	orgID := q0.OrgID
	if orgID == 0 {
		orgID = a.OrgID
	}
	var path, name string
	err = s.db.read.QueryRowContext(ctx, `SELECT path, name FROM orgs WHERE id = $1`, orgID).Scan(&path, &name)
	if err != nil && !missing(err) {
		return nil, fmt.Errorf("read org %d: %w", orgID, err)
	}
	if err != nil || !a.Reaches(path) {
		if err == nil {
			s.db.securityEvent(ctx, a, "org", orgID)
		}
		return nil, orgNotFound()
	}
	asOf := q0.AsOf
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	// As known now, the answer holds until the next change (ADR 27).
	var gen int64
	key := fmt.Sprint("subtree totals ", orgID, " ", asOf)
	if q0.KnownAt.IsZero() {
		if gen, err = s.db.ledgerGeneration(ctx); err != nil {
			return nil, err
		}
		if c, ok := s.db.cache.get(key, gen); ok {
			return cloneTotals(c.(*qingqian.Totals)), nil
		}
	}
	t, err := s.db.subtreeTotals(ctx, s.db.read, orgID, path, asOf, q0.KnownAt)
	if err != nil {
		return nil, err
	}
	t.OrgName = name
	if q0.KnownAt.IsZero() {
		s.db.cache.put(key, gen, cloneTotals(t))
	}
	return t, nil
}

// cloneTotals copies t with maps of its own.
func cloneTotals(t *qingqian.Totals) *qingqian.Totals {
	c := *t
	c.ByKind, c.ByOrigin = maps.Clone(t.ByKind), maps.Clone(t.ByOrigin)
	return &c
}

// subtreeTotals computes the totals of the subtree of a unit the caller may reach, through q
// (the read pool, or a write transaction that needs a consistent snapshot).
func (db *DB) subtreeTotals(ctx context.Context, qr queryer, orgID int64, path string, asOf qingqian.Date, knownAt time.Time) (_ *qingqian.Totals, err error) {
	defer wrapErr(&err, "totals under %s", path)
	t := &qingqian.Totals{OrgID: orgID, AsOf: asOf, KnownAt: knownAt,
		ByKind: map[qingqian.ItemKind]qingqian.Figures{}, ByOrigin: map[qingqian.Origin]qingqian.Figures{}}
	sums := map[totalsKey]*measures{}
	get := func(k totalsKey) *measures {
		m := sums[k]
		if m == nil {
			m = &measures{}
			sums[k] = m
		}
		return m
	}
	if knownAt.IsZero() {
		// As known now: the monthly roll-up and the days of the last month.
		all, err := db.sumsUpTo(ctx, qr, []int64{orgID}, asOf)
		if err != nil {
			return nil, err
		}
		sums = all[orgID]
	} else {
		units, err := totalsUnits(ctx, qr, []int64{orgID})
		if err != nil {
			return nil, err
		}
		var q args
		var in []string
		for id := range units {
			in = append(in, q.add(id))
		}
		where := `org_id IN (` + strings.Join(in, ", ") + `) AND day <= ` + q.add(asOf) + ` AND rec_day <= ` + q.add(qingqian.DateOf(knownAt))
		rows, err := qr.QueryContext(ctx, `SELECT kind, origin, `+totalsSums+`
			FROM org_totals WHERE `+where+` GROUP BY kind, origin`, q...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k totalsKey
			var m measures
			if err := rows.Scan(append([]any{&k.kind, &k.origin}, m.pointers()...)...); err != nil {
				rows.Close()
				return nil, err
			}
			get(k).add(m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if !knownAt.IsZero() {
		if err := db.subtractLater(ctx, qr, path, asOf, knownAt, get); err != nil {
			return nil, err
		}
	}
	fillTotals(t, sums)
	return t, nil
}

// fillTotals adds up the sums by kind and origin into t.
func fillTotals(t *qingqian.Totals, sums map[totalsKey]*measures) {
	for k, m := range sums {
		f := figuresOf(m)
		addFigures(&t.Overall, f)
		bk := t.ByKind[k.kind]
		addFigures(&bk, f)
		t.ByKind[k.kind] = bk
		bo := t.ByOrigin[k.origin]
		addFigures(&bo, f)
		t.ByOrigin[k.origin] = bo
	}
	// A status describes one item, not a set of them.
	t.Overall.Status = ""
	for k, f := range t.ByKind {
		f.Status = ""
		t.ByKind[k] = f
	}
	for k, f := range t.ByOrigin {
		f.Status = ""
		t.ByOrigin[k] = f
	}
}

// periodSums are a unit's totals as of a date and what it had repaid before an earlier one.
type periodSums struct {
	t            *qingqian.Totals
	repaidBefore qingqian.Money
}

// totalsFor computes, for each of the units, its subtree's totals as of asOf (as known now)
// and its repayments dated before `before` (none read for a zero `before`), in one pass over
// the running totals. With parallel, the units are split over the read pool's connections.
func (db *DB) totalsFor(ctx context.Context, q queryer, ids []int64, before, asOf qingqian.Date, parallel bool) (_ map[int64]*periodSums, err error) {
	defer wrapErr(&err, "totals of %d units", len(ids))
	if len(ids) == 0 {
		return map[int64]*periodSums{}, nil
	}
	chunks := [][]int64{ids}
	if parallel && len(ids) > 1 {
		n := min(len(ids), max(2, runtime.GOMAXPROCS(0)), 4)
		chunks = make([][]int64, n)
		for i, id := range ids {
			chunks[i%n] = append(chunks[i%n], id)
		}
	}
	results := make([]map[int64]*periodSums, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		wg.Add(1)
		run := func() {
			defer wg.Done()
			results[i], errs[i] = db.totalsChunk(ctx, q, chunk, before, asOf)
		}
		if len(chunks) == 1 {
			run()
		} else {
			go run()
		}
	}
	wg.Wait()
	out := map[int64]*periodSums{}
	for i := range chunks {
		if errs[i] != nil {
			return nil, errs[i]
		}
		maps.Copy(out, results[i])
	}
	return out, nil
}

func (db *DB) totalsChunk(ctx context.Context, q queryer, ids []int64, before, asOf qingqian.Date) (map[int64]*periodSums, error) {
	now, err := db.sumsUpTo(ctx, q, ids, asOf)
	if err != nil {
		return nil, err
	}
	then := map[int64]map[totalsKey]*measures{}
	if !before.IsZero() {
		if then, err = db.sumsUpTo(ctx, q, ids, before.AddDays(-1)); err != nil {
			return nil, err
		}
	}
	out := map[int64]*periodSums{}
	for _, id := range ids {
		ps := &periodSums{t: &qingqian.Totals{OrgID: id, AsOf: asOf, ByKind: map[qingqian.ItemKind]qingqian.Figures{}, ByOrigin: map[qingqian.Origin]qingqian.Figures{}}}
		fillTotals(ps.t, now[id])
		for _, m := range then[id] {
			ps.repaidBefore += qingqian.Money(m[mRepU] + m[mRepD])
		}
		out[id] = ps
	}
	return out, nil
}

// sumsUpTo sums the running totals of each unit, by kind and origin, over every business day
// up to d, as known now: the monthly roll-up for the months before d's, the daily rows of d's
// month. A unit's figures as of any date read at most a row per month and kind, plus a month of
// days.
func (db *DB) sumsUpTo(ctx context.Context, q queryer, ids []int64, d qingqian.Date) (_ map[int64]map[totalsKey]*measures, err error) {
	defer wrapErr(&err, "sums up to %s", d)
	out := map[int64]map[totalsKey]*measures{}
	for _, id := range ids {
		out[id] = map[totalsKey]*measures{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	units, err := totalsUnits(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	var a args
	var in []string
	for id := range units {
		in = append(in, a.add(id))
	}
	set := strings.Join(in, ", ")
	m := a.add(qingqian.NewDate(d.Year(), d.Month(), 1))
	rows, err := q.QueryContext(ctx, `SELECT org_id, kind, origin, `+totalsSums+` FROM (
			SELECT org_id, kind, origin, `+totalsCols+` FROM org_totals_month WHERE org_id IN (`+set+`) AND month < `+m+`
			UNION ALL
			SELECT org_id, kind, origin, `+totalsCols+` FROM org_totals WHERE org_id IN (`+set+`) AND day >= `+m+` AND day <= `+a.add(d)+`
		) t GROUP BY org_id, kind, origin`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k totalsKey
		mm := &measures{}
		if err := rows.Scan(append([]any{&id, &k.kind, &k.origin}, mm.pointers()...)...); err != nil {
			return nil, err
		}
		for _, to := range units[id] {
			if sum := out[to][k]; sum != nil {
				sum.add(*mm)
			} else {
				m := *mm
				out[to][k] = &m
			}
		}
	}
	return out, rows.Err()
}

// totalsUnits maps the units whose running-totals rows make up the figures of the units ids to
// the units of ids they count for: each unit's rows count for itself, and a root's children's
// rows count for the root too (the root's own rows hold only its own items, see totalsHolders).
func totalsUnits(ctx context.Context, q queryer, ids []int64) (_ map[int64][]int64, err error) {
	defer wrapErr(&err, "the units under the root")
	units := map[int64][]int64{}
	var a args
	var in []string
	for _, id := range ids {
		if _, ok := units[id]; !ok {
			units[id] = []int64{id}
			in = append(in, a.add(id))
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.parent_id FROM orgs o JOIN orgs p ON p.id = o.parent_id
		WHERE p.parent_id IS NULL AND p.id IN (`+strings.Join(in, ", ")+`)`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent int64
		if err := rows.Scan(&id, &parent); err != nil {
			return nil, err
		}
		units[id] = append(units[id], parent)
	}
	return units, rows.Err()
}

// subtractLater takes off what was recorded after knownAt on the same day: entries, first
// vouchers of repayments, and items created since.
func (db *DB) subtractLater(ctx context.Context, qr queryer, path string, asOf qingqian.Date, knownAt time.Time, get func(totalsKey) *measures) (err error) {
	defer wrapErr(&err, "take off what was recorded later")
	lo, hi := subtreeRange(path)
	rows, err := qr.QueryContext(ctx, `SELECT i.kind, i.origin, e.kind, e.cat, e.du, e.dd,
			CASE WHEN EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.reverses_id) THEN 1 ELSE 0 END
		FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE e.recorded_at > $1 AND e.recorded_at < $5 AND e.on_date <= $2 AND o.path >= $3 AND o.path < $4`,
		db.d.ts(knownAt), asOf, lo, hi, db.d.ts(qingqian.DateOf(knownAt).EndOfDay()))
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	for rows.Next() {
		var k totalsKey
		var kind qingqian.EntryKind
		var cat qingqian.Category
		var du, dd qingqian.Money
		var had int
		if err := rows.Scan(&k.kind, &k.origin, &kind, &cat, &du, &dd, &had); err != nil {
			rows.Close()
			return err
		}
		get(k).sub(entryMeasures(kind, cat, du, dd, had == 1))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A repayment's first voucher, attached later that day, had not yet made it a fact.
	rows, err = qr.QueryContext(ctx, `SELECT i.kind, i.origin, e.du + e.dd FROM entry_vouchers v
			JOIN entries e ON e.id = v.entry_id JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE v.attached_at > $1 AND v.attached_at < $5 AND e.on_date <= $2 AND o.path >= $3 AND o.path < $4
			AND NOT EXISTS (SELECT 1 FROM entry_vouchers w WHERE w.entry_id = v.entry_id
				AND (w.attached_at < v.attached_at OR w.attached_at = v.attached_at AND w.sha256 < v.sha256))`,
		db.d.ts(knownAt), asOf, lo, hi, db.d.ts(qingqian.DateOf(knownAt).EndOfDay()))
	if err != nil {
		return fmt.Errorf("read entry_vouchers: %w", err)
	}
	for rows.Next() {
		var k totalsKey
		var amount int64
		if err := rows.Scan(&k.kind, &k.origin, &amount); err != nil {
			rows.Close()
			return err
		}
		m := get(k)
		m[mPayNV]++
		m[mRepNV] -= amount // a repayment's amounts are negative
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = qr.QueryContext(ctx, `SELECT i.kind, i.origin, COUNT(*) FROM items i JOIN orgs o ON o.id = i.org_id
		WHERE i.created_at > $1 AND i.created_at < $5 AND i.arisen_on <= $2 AND o.path >= $3 AND o.path < $4 GROUP BY i.kind, i.origin`,
		db.d.ts(knownAt), asOf, lo, hi, db.d.ts(qingqian.DateOf(knownAt).EndOfDay()))
	if err != nil {
		return fmt.Errorf("read items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k totalsKey
		var n int64
		if err := rows.Scan(&k.kind, &k.origin, &n); err != nil {
			return err
		}
		get(k)[mItems] -= n
	}
	return rows.Err()
}

func figuresOf(m *measures) qingqian.Figures {
	f := qingqian.Figures{Items: m[mItems], Payments: m[mPayN], PaymentsNoVoucher: m[mPayNV], RepaidNoVoucher: qingqian.Money(m[mRepNV])}
	f.Add(qingqian.CatRecognise, qingqian.Money(m[mRecU]), qingqian.Money(m[mRecD]))
	f.Add(qingqian.CatRepay, -qingqian.Money(m[mRepU]), -qingqian.Money(m[mRepD]))
	f.Add(qingqian.CatAdjust, qingqian.Money(m[mAdjU]), qingqian.Money(m[mAdjD]))
	return f
}

func addFigures(dst *qingqian.Figures, f qingqian.Figures) {
	dst.Items += f.Items
	dst.Payments += f.Payments
	dst.PaymentsNoVoucher += f.PaymentsNoVoucher
	dst.RepaidNoVoucher += f.RepaidNoVoucher
	dst.Add(qingqian.CatRecognise, f.RecognisedUndisputed, f.RecognisedDisputed)
	dst.Add(qingqian.CatRepay, -f.RepaidUndisputed, -f.RepaidDisputed)
	dst.Add(qingqian.CatAdjust, f.AdjustedUndisputed, f.AdjustedDisputed)
}
