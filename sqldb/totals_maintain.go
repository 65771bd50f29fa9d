package sqldb

// Maintaining the running totals (ADR 4, 13, 14, 22): every change to the ledger adds to the
// daily and monthly rows of its unit and each ancestor below the root, in the transaction that
// makes it. The root's rows hold only its own items: its figures are its rows and its children's
// summed when read (sumsUpTo), so that no row is written by every group's transactions.

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/qingqian/qingqian"
)

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

// flushTotals writes the changes collected since deferTotals and stops collecting. The rows are
// written in the order every writer takes their locks: all the daily rows, then all the monthly
// ones, each by day (month), kind, origin and unit path, a unit's ancestors before it. A single
// change (bumpTotals) writes its daily rows, then its monthly ones, in that same order, so two
// transactions never wait for each other's rows in a circle.
func (tx *Tx) flushTotals(ctx context.Context) (err error) {
	defer wrapErr(&err, "write the running totals")
	pending := tx.pending
	tx.pending = nil
	order := func(a, b pendingKey) int {
		return cmp.Or(a.day.Compare(b.day), strings.Compare(string(a.kind), string(b.kind)), strings.Compare(string(a.origin), string(b.origin)), strings.Compare(a.path, b.path))
	}
	for _, k := range slices.SortedFunc(maps.Keys(pending), order) {
		if err := tx.writeTotals(ctx, false, k.path, k.day, k.kind, k.origin, pending[k]); err != nil {
			return err
		}
	}
	months := map[pendingKey]measures{}
	for k, m := range pending {
		k.day = qingqian.NewDate(k.day.Year(), k.day.Month(), 1)
		sum := months[k]
		sum.add(m)
		months[k] = sum
	}
	for _, k := range slices.SortedFunc(maps.Keys(months), order) {
		if err := tx.writeTotals(ctx, true, k.path, k.day, k.kind, k.origin, months[k]); err != nil {
			return err
		}
	}
	return nil
}

// bumpTotals adds one change, recorded now, to the running totals of every unit on the path:
// one statement for the daily rows and one for the monthly roll-up. Their text depends only on
// the number of units, so that the connection keeps them prepared (stmtcache.go). While the
// transaction defers its totals, the change is only collected.
func (tx *Tx) bumpTotals(ctx context.Context, path string, day qingqian.Date, kind qingqian.ItemKind, origin qingqian.Origin, m measures) (err error) {
	defer wrapErr(&err, "running totals of %s", path)
	if tx.pending != nil {
		k := pendingKey{path, day, kind, origin}
		sum := tx.pending[k]
		sum.add(m)
		tx.pending[k] = sum
		return nil
	}
	for _, monthly := range []bool{false, true} {
		if err := tx.writeTotals(ctx, monthly, path, day, kind, origin, m); err != nil {
			return err
		}
	}
	return nil
}

// writeTotals adds one change to the daily (or monthly) running totals of every unit holding the
// totals of path, in one statement.
func (tx *Tx) writeTotals(ctx context.Context, monthly bool, path string, day qingqian.Date, kind qingqian.ItemKind, origin qingqian.Origin, m measures) error {
	ids := totalsHolders(path)
	vals := m.values()
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
	_, err := tx.ExecContext(ctx, query, q...)
	return err
}

type bumpKey struct {
	monthly bool
	units   int
}

// bumpSQLs holds the upserts for trees up to maxBuiltDepth deep, built once.
var bumpSQLs = func() map[bumpKey]string {
	m := map[bumpKey]string{}
	for n := 1; n <= maxBuiltDepth; n++ {
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
	table, cols, upsert := "org_totals", totalsKeyCols, totalsUpsert
	if monthly {
		table, cols, upsert = "org_totals_month", monthKeyCols, monthUpsert
	} else {
		key += ", " + a.add(nil)
	}
	key += ", " + a.add(nil) + ", " + a.add(nil)
	var ms []string
	for range numMeasures {
		ms = append(ms, a.add(nil))
	}
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "(" + a.add(nil) + ", " + key + ", " + strings.Join(ms, ", ") + ")"
	}
	return `INSERT INTO ` + table + ` (` + cols + `, ` + totalsCols + `) VALUES ` + strings.Join(rows, ", ") + upsert
}

const maxBuiltDepth = 8

// totalsHolders are the units whose running totals a change to a unit at path adds to: the unit
// and its ancestors, but not the root (the regulator) when the unit is below it. Every group's
// writes then touch rows of that group only.
func totalsHolders(path string) []int64 {
	ids := ancestors(path)
	if len(ids) > 1 {
		ids = ids[1:]
	}
	return ids
}

// copyTotals adds sign times the totals of unit src to each unit in dst (used when a subtree
// moves).
func (tx *Tx) copyTotals(ctx context.Context, src int64, dst []int64, sign int64) (err error) {
	defer wrapErr(&err, "move the totals of org %d", src)
	for _, id := range dst {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_totals (`+totalsKeyCols+`, `+totalsCols+`)
			SELECT $1, day, rec_day, kind, origin, `+scaledMeasures("$2")+`
			FROM org_totals WHERE org_id = $3`+totalsUpsert, id, sign, src); err != nil {
			return fmt.Errorf("insert into org_totals: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_totals_month (`+monthKeyCols+`, `+totalsCols+`)
			SELECT $1, month, kind, origin, `+scaledMeasures("$2")+`
			FROM org_totals_month WHERE org_id = $3`+monthUpsert, id, sign, src); err != nil {
			return fmt.Errorf("insert into org_totals_month: %w", err)
		}
	}
	return nil
}
