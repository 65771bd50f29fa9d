package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
)

// measures are the summed columns of org_totals.
type measures struct{ items, recU, recD, repU, repD, adjU, adjD, payN, payNV, repNV int64 }

// totalsCols are the columns of org_totals in the order of measures, after the key.
const totalsCols = `items, rec_u, rec_d, rep_u, rep_d, adj_u, adj_d, pay_n, pay_nv, rep_nv`

// totalsSums sums every measure column, in the order of totalsCols.
var totalsSums = func() string {
	var out []string
	for _, c := range strings.Split(totalsCols, ", ") {
		out = append(out, `CAST(SUM(`+c+`) AS BIGINT)`)
	}
	return strings.Join(out, ", ")
}()

func (m *measures) values() []any {
	return []any{m.items, m.recU, m.recD, m.repU, m.repD, m.adjU, m.adjD, m.payN, m.payNV, m.repNV}
}

func (m *measures) pointers() []any {
	return []any{&m.items, &m.recU, &m.recD, &m.repU, &m.repD, &m.adjU, &m.adjD, &m.payN, &m.payNV, &m.repNV}
}

// sub takes o off m.
func (m *measures) sub(o measures) {
	m.items -= o.items
	m.recU, m.recD = m.recU-o.recU, m.recD-o.recD
	m.repU, m.repD = m.repU-o.repU, m.repD-o.repD
	m.adjU, m.adjD = m.adjU-o.adjU, m.adjD-o.adjD
	m.payN, m.payNV, m.repNV = m.payN-o.payN, m.payNV-o.payNV, m.repNV-o.repNV
}

func measuresOf(cat qingqian.Category, du, dd qingqian.Money) measures {
	switch cat {
	case qingqian.CatRecognise:
		return measures{recU: int64(du), recD: int64(dd)}
	case qingqian.CatRepay:
		return measures{repU: -int64(du), repD: -int64(dd)}
	}
	return measures{adjU: int64(du), adjD: int64(dd)}
}

const totalsUpsert = ` ON CONFLICT (org_id, day, rec_day, kind, origin) DO UPDATE SET
	items = org_totals.items + excluded.items,
	rec_u = org_totals.rec_u + excluded.rec_u, rec_d = org_totals.rec_d + excluded.rec_d,
	rep_u = org_totals.rep_u + excluded.rep_u, rep_d = org_totals.rep_d + excluded.rep_d,
	adj_u = org_totals.adj_u + excluded.adj_u, adj_d = org_totals.adj_d + excluded.adj_d,
	pay_n = org_totals.pay_n + excluded.pay_n, pay_nv = org_totals.pay_nv + excluded.pay_nv,
	rep_nv = org_totals.rep_nv + excluded.rep_nv`

// add adds o to m.
func (m *measures) add(o measures) {
	m.items += o.items
	m.recU, m.recD = m.recU+o.recU, m.recD+o.recD
	m.repU, m.repD = m.repU+o.repU, m.repD+o.repD
	m.adjU, m.adjD = m.adjU+o.adjU, m.adjD+o.adjD
	m.payN, m.payNV, m.repNV = m.payN+o.payN, m.payNV+o.payNV, m.repNV+o.repNV
}

// pendingKey is the key of a running-totals row before it is spread over the unit's ancestors.
type pendingKey struct {
	path   string
	day    qingqian.Date
	kind   qingqian.ItemKind
	origin qingqian.Origin
}

// deferTotals makes the transaction collect its running-totals changes, summed per unit, day,
// kind and origin, instead of writing each one; flushTotals writes them. An import of 100,000
// rows then writes a few thousand rows of totals instead of upserting 200,000 times. Nothing in
// the transaction may read the totals in between.
func (tx *Tx) deferTotals() { tx.pending = map[pendingKey]measures{} }

// flushTotals writes the changes collected since deferTotals, in a stable order, and stops
// collecting.
func (tx *Tx) flushTotals(ctx context.Context) error {
	pending := tx.pending
	tx.pending = nil
	keys := slices.SortedFunc(maps.Keys(pending), func(a, b pendingKey) int {
		return cmp.Or(strings.Compare(a.path, b.path), a.day.Compare(b.day), strings.Compare(string(a.kind), string(b.kind)), strings.Compare(string(a.origin), string(b.origin)))
	})
	for _, k := range keys {
		if err := tx.bumpTotals(ctx, k.path, k.day, k.kind, k.origin, pending[k]); err != nil {
			return err
		}
	}
	return nil
}

// bumpTotals adds one change, recorded now, to the running totals of every unit on the path:
// one statement for the daily rows and one for the monthly roll-up. Their text depends only on
// the number of units, so that SQLite can keep them prepared (see warmStatements). While the
// transaction defers its totals, the change is only collected.
func (tx *Tx) bumpTotals(ctx context.Context, path string, day qingqian.Date, kind qingqian.ItemKind, origin qingqian.Origin, m measures) error {
	if tx.pending != nil {
		k := pendingKey{path, day, kind, origin}
		sum := tx.pending[k]
		sum.add(m)
		tx.pending[k] = sum
		return nil
	}
	ids := ancestors(path)
	vals := m.values()
	for _, monthly := range []bool{false, true} {
		q := make([]any, 0, 4+len(vals)+len(ids))
		if monthly {
			q = append(q, qingqian.NewDate(day.Year(), day.Month(), 1), nil)
		} else {
			q = append(q, day, qingqian.DateOf(tx.now))
		}
		q = append(q, string(kind), string(origin))
		q = append(q, vals...)
		for _, id := range ids {
			q = append(q, id)
		}
		if monthly {
			q = append(q[:1], q[2:]...) // the monthly rows have no recording day
		}
		query := bumpSQL(monthly, len(ids))
		var err error
		if st := tx.stmts[query]; st != nil {
			_, err = st.ExecContext(ctx, q...)
		} else if st := tx.db.bumpStmts[bumpKey{monthly, len(ids)}]; st != nil {
			// The transaction's handle on the statement prepared on its connection, kept for
			// the transaction's later changes.
			txst := tx.Tx.StmtContext(ctx, st)
			if tx.stmts == nil {
				tx.stmts = map[string]*sql.Stmt{}
			}
			tx.stmts[query] = txst
			_, err = txst.ExecContext(ctx, q...)
		} else {
			_, err = tx.ExecContext(ctx, query, q...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type bumpKey struct {
	monthly bool
	units   int
}

// bumpSQLs holds the upserts for trees up to maxWarmDepth deep, built once.
var bumpSQLs = func() map[bumpKey]string {
	m := map[bumpKey]string{}
	for n := 1; n <= maxWarmDepth; n++ {
		for _, monthly := range []bool{false, true} {
			m[bumpKey{monthly, n}] = buildBumpSQL(monthly, n)
		}
	}
	return m
}()

// bumpSQL is the upsert of one change into the daily (or monthly) totals of n units. Arguments:
// the day (or month), the recording day (daily only), kind, origin, the measures, the unit ids.
func bumpSQL(monthly bool, n int) string {
	if q, ok := bumpSQLs[bumpKey{monthly, n}]; ok {
		return q
	}
	return buildBumpSQL(monthly, n)
}

func buildBumpSQL(monthly bool, n int) string {
	var a args
	key := a.add(nil)
	table, cols, upsert := "org_totals", "org_id, day, rec_day, kind, origin, ", totalsUpsert
	if monthly {
		table, cols, upsert = "org_totals_month", "org_id, month, kind, origin, ", monthUpsert
	} else {
		key += ", " + a.add(nil)
	}
	key += ", " + a.add(nil) + ", " + a.add(nil)
	var ms []string
	for range strings.Split(totalsCols, ", ") {
		ms = append(ms, a.add(nil))
	}
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "(" + a.add(nil) + ", " + key + ", " + strings.Join(ms, ", ") + ")"
	}
	return `INSERT INTO ` + table + ` (` + cols + totalsCols + `) VALUES ` + strings.Join(rows, ", ") + upsert
}

// warmStatements prepares, on SQLite's one writing connection, the running-totals upserts for
// trees up to maxWarmDepth deep: a write transaction then uses them without parsing them again
// (a repayment runs each statement once, so the per-transaction cache never helps it).
func (db *DB) warmStatements(ctx context.Context) error {
	if db.d.name != "sqlite" || db.bumpStmts != nil {
		return nil
	}
	stmts := map[bumpKey]*sql.Stmt{}
	for n := 1; n <= maxWarmDepth; n++ {
		for _, monthly := range []bool{false, true} {
			st, err := db.write.PrepareContext(ctx, bumpSQL(monthly, n))
			if err != nil {
				return err
			}
			stmts[bumpKey{monthly, n}] = st
		}
	}
	db.bumpStmts = stmts
	return nil
}

const maxWarmDepth = 8

// monthUpsert adds a change to a monthly row.
var monthUpsert = strings.NewReplacer("(org_id, day, rec_day, kind, origin)", "(org_id, month, kind, origin)", "org_totals.", "org_totals_month.").Replace(totalsUpsert)

// copyTotals adds sign times the totals of unit src to each unit in dst (used when a subtree
// moves).
func (tx *Tx) copyTotals(ctx context.Context, src int64, dst []int64, sign int64) error {
	for _, id := range dst {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_totals (org_id, day, rec_day, kind, origin, `+totalsCols+`)
			SELECT $1, day, rec_day, kind, origin, $2 * items, $2 * rec_u, $2 * rec_d, $2 * rep_u, $2 * rep_d, $2 * adj_u, $2 * adj_d,
				$2 * pay_n, $2 * pay_nv, $2 * rep_nv
			FROM org_totals WHERE org_id = $3`+totalsUpsert, id, sign, src); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_totals_month (org_id, month, kind, origin, `+totalsCols+`)
			SELECT $1, month, kind, origin, $2 * items, $2 * rec_u, $2 * rec_d, $2 * rep_u, $2 * rep_d, $2 * adj_u, $2 * adj_d,
				$2 * pay_n, $2 * pay_nv, $2 * rep_nv
			FROM org_totals_month WHERE org_id = $3`+monthUpsert, id, sign, src); err != nil {
			return err
		}
	}
	return nil
}

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
func (s *TotalsService) SubtreeTotals(ctx context.Context, q0 qingqian.TotalsQuery) (*qingqian.Totals, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	orgID := q0.OrgID
	if orgID == 0 {
		orgID = a.OrgID
	}
	var path, name string
	if err := s.db.read.QueryRowContext(ctx, `SELECT path, name FROM orgs WHERE id = $1`, orgID).Scan(&path, &name); err != nil || !a.Reaches(path) {
		if err == nil {
			s.db.securityEvent(ctx, a, "org", orgID)
		}
		return nil, orgNotFound()
	}
	asOf := q0.AsOf
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	t, err := s.db.subtreeTotals(ctx, s.db.read, orgID, path, asOf, q0.KnownAt)
	if err != nil {
		return nil, qingqian.Internal(err)
	}
	t.OrgName = name
	return t, nil
}

// subtreeTotals computes the totals of the subtree of a unit the caller may reach, through q
// (the read pool, or a write transaction that needs a consistent snapshot).
func (db *DB) subtreeTotals(ctx context.Context, qr queryer, orgID int64, path string, asOf qingqian.Date, knownAt time.Time) (*qingqian.Totals, error) {
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
		var q args
		where := `org_id = ` + q.add(orgID) + ` AND day <= ` + q.add(asOf) + ` AND rec_day <= ` + q.add(qingqian.DateOf(knownAt))
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
			*get(k) = m
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
// and its repayments dated before `before`, in one pass over the running totals. With
// parallel, the units are split over the read pool's connections.
func (db *DB) totalsFor(ctx context.Context, q queryer, ids []int64, before, asOf qingqian.Date, parallel bool) (map[int64]*periodSums, error) {
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
	then, err := db.sumsUpTo(ctx, q, ids, before.AddDays(-1))
	if err != nil {
		return nil, err
	}
	out := map[int64]*periodSums{}
	for _, id := range ids {
		ps := &periodSums{t: &qingqian.Totals{OrgID: id, AsOf: asOf, ByKind: map[qingqian.ItemKind]qingqian.Figures{}, ByOrigin: map[qingqian.Origin]qingqian.Figures{}}}
		fillTotals(ps.t, now[id])
		for _, m := range then[id] {
			ps.repaidBefore += qingqian.Money(m.repU + m.repD)
		}
		out[id] = ps
	}
	return out, nil
}

// sumsUpTo sums the running totals of each unit, by kind and origin, over every business day
// up to d, as known now: the monthly roll-up for the months before d's, the daily rows of d's
// month. A unit's figures as of any date read at most a row per month and kind, plus a month of
// days.
func (db *DB) sumsUpTo(ctx context.Context, q queryer, ids []int64, d qingqian.Date) (map[int64]map[totalsKey]*measures, error) {
	out := map[int64]map[totalsKey]*measures{}
	for _, id := range ids {
		out[id] = map[totalsKey]*measures{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	var in []string
	for _, id := range ids {
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
		if out[id] != nil {
			out[id][k] = mm
		}
	}
	return out, rows.Err()
}

// entryMeasures are what one entry adds to the running totals. A repayment counts as without a
// voucher until one is attached (attachVoucher takes it off again); the reversal of a
// repayment takes off what the repayment still counts.
func entryMeasures(kind qingqian.EntryKind, cat qingqian.Category, du, dd qingqian.Money, reversedHadVoucher bool) measures {
	m := measuresOf(cat, du, dd)
	if cat != qingqian.CatRepay {
		return m
	}
	switch {
	case kind == qingqian.EntryRepay:
		m.payN, m.payNV, m.repNV = 1, 1, -int64(du+dd)
	case kind == qingqian.EntryReversal && reversedHadVoucher:
		m.payN = -1
	case kind == qingqian.EntryReversal:
		m.payN, m.payNV, m.repNV = -1, -1, -int64(du+dd)
	}
	return m
}

// subtractLater takes off what was recorded after knownAt on the same day: entries, first
// vouchers of repayments, and items created since.
func (db *DB) subtractLater(ctx context.Context, qr queryer, path string, asOf qingqian.Date, knownAt time.Time, get func(totalsKey) *measures) error {
	lo, hi := subtreeRange(path)
	rows, err := qr.QueryContext(ctx, `SELECT i.kind, i.origin, e.kind, e.cat, e.du, e.dd,
			CASE WHEN EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.reverses_id) THEN 1 ELSE 0 END
		FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE e.recorded_at > $1 AND e.recorded_at < $5 AND e.on_date <= $2 AND o.path >= $3 AND o.path < $4`,
		db.d.ts(knownAt), asOf, lo, hi, db.d.ts(qingqian.DateOf(knownAt).EndOfDay()))
	if err != nil {
		return err
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
		return err
	}
	for rows.Next() {
		var k totalsKey
		var amount int64
		if err := rows.Scan(&k.kind, &k.origin, &amount); err != nil {
			rows.Close()
			return err
		}
		m := get(k)
		m.payNV++
		m.repNV -= amount // a repayment's amounts are negative
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = qr.QueryContext(ctx, `SELECT i.kind, i.origin, COUNT(*) FROM items i JOIN orgs o ON o.id = i.org_id
		WHERE i.created_at > $1 AND i.created_at < $5 AND i.arisen_on <= $2 AND o.path >= $3 AND o.path < $4 GROUP BY i.kind, i.origin`,
		db.d.ts(knownAt), asOf, lo, hi, db.d.ts(qingqian.DateOf(knownAt).EndOfDay()))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k totalsKey
		var n int64
		if err := rows.Scan(&k.kind, &k.origin, &n); err != nil {
			return err
		}
		get(k).items -= n
	}
	return rows.Err()
}

func figuresOf(m *measures) qingqian.Figures {
	f := qingqian.Figures{Items: m.items, Payments: m.payN, PaymentsNoVoucher: m.payNV, RepaidNoVoucher: qingqian.Money(m.repNV)}
	f.Add(qingqian.CatRecognise, qingqian.Money(m.recU), qingqian.Money(m.recD))
	f.Add(qingqian.CatRepay, -qingqian.Money(m.repU), -qingqian.Money(m.repD))
	f.Add(qingqian.CatAdjust, qingqian.Money(m.adjU), qingqian.Money(m.adjD))
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

// RebuildTotals recomputes every unit's running totals from the entries. Bulk loads use it
// instead of maintaining the totals row by row; VerifyTotals compares against it.
func (db *DB) RebuildTotals(ctx context.Context) error {
	return db.inTx(ctx, qingqian.SystemActor("rebuild"), func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_totals`); err != nil {
			return err
		}
		if err := tx.insertComputedTotals(ctx, "org_totals"); err != nil {
			return err
		}
		return tx.rollUpMonths(ctx, "org_totals", "org_totals_month")
	})
}

// rollUpMonths replaces the monthly table dst with the roll-up of the daily table src.
func (tx *Tx) rollUpMonths(ctx context.Context, src, dst string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+dst); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+dst+` (org_id, month, kind, origin, `+totalsCols+`)
		SELECT org_id, `+tx.db.d.monthOf("day")+`, kind, origin, `+totalsSums+`
		FROM `+src+` GROUP BY org_id, `+tx.db.d.monthOf("day")+`, kind, origin`)
	return err
}

// insertComputedTotals writes into table the totals computed from entries and items, through a
// temporary closure of the tree (each unit with each of its ancestors).
func (tx *Tx) insertComputedTotals(ctx context.Context, table string) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS tmp_closure (org_id BIGINT NOT NULL, anc_id BIGINT NOT NULL)`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tmp_closure`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM orgs`)
	if err != nil {
		return err
	}
	type pair struct{ org, anc int64 }
	var pairs []pair
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return err
		}
		for _, anc := range ancestors(path) {
			pairs = append(pairs, pair{id, anc})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(pairs); start += 400 {
		end := min(start+400, len(pairs))
		var q args
		vals := make([]string, 0, end-start)
		for _, p := range pairs[start:end] {
			vals = append(vals, "("+q.add(p.org)+", "+q.add(p.anc)+")")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tmp_closure (org_id, anc_id) VALUES `+strings.Join(vals, ", "), q...); err != nil {
			return err
		}
	}
	cat := func(c, col string) string {
		return `CAST(SUM(CASE WHEN e.cat = '` + c + `' THEN ` + col + ` ELSE 0 END) AS BIGINT)`
	}
	// The reversal of a repayment whose voucher never came takes it off the voucherless count.
	unvouchedReversal := `e.kind = 'reversal' AND e.cat = 'rep' AND NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.reverses_id)`
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (org_id, day, rec_day, kind, origin, `+totalsCols+`)
		SELECT c.anc_id, e.on_date, e.recorded_on, i.kind, i.origin, 0, `+cat("rec", "e.du")+`, `+cat("rec", "e.dd")+`,
			`+cat("rep", "-e.du")+`, `+cat("rep", "-e.dd")+`, `+cat("adj", "e.du")+`, `+cat("adj", "e.dd")+`,
			CAST(SUM(CASE WHEN e.kind = 'repay' THEN 1 WHEN e.kind = 'reversal' AND e.cat = 'rep' THEN -1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN e.kind = 'repay' THEN 1 WHEN `+unvouchedReversal+` THEN -1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN e.kind = 'repay' OR (`+unvouchedReversal+`) THEN -(e.du + e.dd) ELSE 0 END) AS BIGINT)
		FROM entries e JOIN items i ON i.id = e.item_id JOIN tmp_closure c ON c.org_id = i.org_id
		GROUP BY c.anc_id, e.on_date, e.recorded_on, i.kind, i.origin`); err != nil {
		return err
	}
	upsert := strings.ReplaceAll(totalsUpsert, "org_totals.", table+".")
	// A repayment stops counting as without voucher on the day its first voucher was attached.
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (org_id, day, rec_day, kind, origin, `+totalsCols+`)
		SELECT c.anc_id, e.on_date, fv.first_on, i.kind, i.origin, 0, 0, 0, 0, 0, 0, 0, 0,
			CAST(-COUNT(*) AS BIGINT), CAST(SUM(e.du + e.dd) AS BIGINT)
		FROM (SELECT entry_id, MIN(attached_on) AS first_on FROM entry_vouchers GROUP BY entry_id) fv
			JOIN entries e ON e.id = fv.entry_id JOIN items i ON i.id = e.item_id JOIN tmp_closure c ON c.org_id = i.org_id
		WHERE e.kind = 'repay' GROUP BY c.anc_id, e.on_date, fv.first_on, i.kind, i.origin`+upsert); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (org_id, day, rec_day, kind, origin, `+totalsCols+`)
		SELECT c.anc_id, i.arisen_on, i.created_on, i.kind, i.origin, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0
		FROM items i JOIN tmp_closure c ON c.org_id = i.org_id
		WHERE true GROUP BY c.anc_id, i.arisen_on, i.created_on, i.kind, i.origin`+upsert)
	return err
}

// VerifyTotals recomputes the running totals from the entries and reports the first unit
// whose stored totals differ, or "" when they all agree. It writes nothing lasting.
func (db *DB) VerifyTotals(ctx context.Context) (string, error) {
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer sqltx.Rollback() // the temporary rows go with it
	tx := &Tx{Tx: sqltx, db: db, now: db.Now(), actor: qingqian.SystemActor("verify")}
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS tmp_totals (org_id BIGINT NOT NULL, day `+db.d.dateType()+` NOT NULL, rec_day `+db.d.dateType()+` NOT NULL,
		kind TEXT NOT NULL, origin TEXT NOT NULL, items BIGINT NOT NULL, rec_u BIGINT NOT NULL, rec_d BIGINT NOT NULL,
		rep_u BIGINT NOT NULL, rep_d BIGINT NOT NULL, adj_u BIGINT NOT NULL, adj_d BIGINT NOT NULL,
		pay_n BIGINT NOT NULL, pay_nv BIGINT NOT NULL, rep_nv BIGINT NOT NULL,
		PRIMARY KEY (org_id, day, rec_day, kind, origin))`); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tmp_totals`); err != nil {
		return "", err
	}
	if err := tx.insertComputedTotals(ctx, "tmp_totals"); err != nil {
		return "", err
	}
	// Rows that sum to zero (left by moves and reversals) do not count.
	nonzero := ` WHERE items <> 0 OR rec_u <> 0 OR rec_d <> 0 OR rep_u <> 0 OR rep_d <> 0 OR adj_u <> 0 OR adj_d <> 0
		OR pay_n <> 0 OR pay_nv <> 0 OR rep_nv <> 0`
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(MIN(COALESCE(a.org_id, b.org_id)), 0) AS BIGINT)
		FROM (SELECT * FROM org_totals`+nonzero+`) a FULL OUTER JOIN (SELECT * FROM tmp_totals`+nonzero+`) b
		ON a.org_id = b.org_id AND a.day = b.day AND a.rec_day = b.rec_day AND a.kind = b.kind AND a.origin = b.origin
		WHERE a.org_id IS NULL OR b.org_id IS NULL OR a.items <> b.items OR a.rec_u <> b.rec_u OR a.rec_d <> b.rec_d
			OR a.rep_u <> b.rep_u OR a.rep_d <> b.rep_d OR a.adj_u <> b.adj_u OR a.adj_d <> b.adj_d
			OR a.pay_n <> b.pay_n OR a.pay_nv <> b.pay_nv OR a.rep_nv <> b.rep_nv`).Scan(&id)
	if err != nil {
		return "", err
	}
	if id != 0 {
		return fmt.Sprintf("单位 %d 的汇总数与明细分录不一致", id), nil
	}
	// The monthly roll-up must equal the months of the recomputed totals.
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS tmp_month (org_id BIGINT NOT NULL, month `+db.d.dateType()+` NOT NULL,
		kind TEXT NOT NULL, origin TEXT NOT NULL, items BIGINT NOT NULL, rec_u BIGINT NOT NULL, rec_d BIGINT NOT NULL,
		rep_u BIGINT NOT NULL, rep_d BIGINT NOT NULL, adj_u BIGINT NOT NULL, adj_d BIGINT NOT NULL,
		pay_n BIGINT NOT NULL, pay_nv BIGINT NOT NULL, rep_nv BIGINT NOT NULL, PRIMARY KEY (org_id, month, kind, origin))`); err != nil {
		return "", err
	}
	if err := tx.rollUpMonths(ctx, "tmp_totals", "tmp_month"); err != nil {
		return "", err
	}
	err = tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(MIN(COALESCE(a.org_id, b.org_id)), 0) AS BIGINT)
		FROM (SELECT * FROM org_totals_month`+nonzero+`) a FULL OUTER JOIN (SELECT * FROM tmp_month`+nonzero+`) b
		ON a.org_id = b.org_id AND a.month = b.month AND a.kind = b.kind AND a.origin = b.origin
		WHERE a.org_id IS NULL OR b.org_id IS NULL OR a.items <> b.items OR a.rec_u <> b.rec_u OR a.rec_d <> b.rec_d
			OR a.rep_u <> b.rep_u OR a.rep_d <> b.rep_d OR a.adj_u <> b.adj_u OR a.adj_d <> b.adj_d
			OR a.pay_n <> b.pay_n OR a.pay_nv <> b.pay_nv OR a.rep_nv <> b.rep_nv`).Scan(&id)
	if err != nil {
		return "", err
	}
	if id != 0 {
		return fmt.Sprintf("单位 %d 的月度汇总数与明细分录不一致", id), nil
	}
	return "", nil
}
