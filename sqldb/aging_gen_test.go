package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// genPart is one generated payable part, as stored.
type genPart struct {
	contract, seq, org int64
	start, due         qingqian.Date // due zero: no term
	amount             qingqian.Money
	paid, prevPaid     qingqian.Date // zero: unpaid / first part
	heldFrom, heldTo   qingqian.Date // zero: never held / held still
}

// held is prevPaid of the first held part of a payable while some of the amount never held is
// unpaid (the rules' convention).
var heldUnpaid = qingqian.MustParseDate("9999-12-31")

// agingGen generates payable parts straight into payable_parts, bypassing the rules: payables of
// one to three parts (paid in order, the last one open when not all is paid) and some an amount
// held for a time or still, due over 2023–2026, some without a term,
// some paid early, on time, late or in part. Deterministic for a seed.
type agingGen struct {
	rnd  *rand.Rand
	keep bool      // keep the parts in memory (for the naive computation)
	kept []genPart // when keep
}

var genBase = qingqian.MustParseDate("2023-01-01")

// payable appends the parts of one payable of contract k, seq, unit org, to out.
func (g *agingGen) payable(k, seq, org int64, out []genPart) []genPart {
	r := g.rnd
	var due qingqian.Date
	start := genBase.AddDays(r.IntN(1460))
	if r.IntN(20) != 0 {
		due = start.AddDays(15 + r.IntN(75))
	}
	// Fully paid in one to three payments, paid in part (the rest one open part), or unpaid.
	n, paidParts := 1, 0
	switch x := r.IntN(10); {
	case x < 5:
		n = 1 + r.IntN(3)
		paidParts = n
	case x < 7:
		n = 2 + r.IntN(2)
		paidParts = n - 1
	}
	ref := due
	if ref.IsZero() {
		ref = start.AddDays(60)
	}
	day := ref.AddDays(-40 + r.IntN(40))
	var prev qingqian.Date
	for i := 0; i < n; i++ {
		p := genPart{contract: k, seq: seq, org: org, start: start, due: due, amount: qingqian.Money(100 + r.IntN(5_000_000)), prevPaid: prev}
		if i < paidParts {
			day = day.AddDays(r.IntN(90))
			if day.Before(start) {
				day = start
			}
			p.paid = day
		}
		prev = p.paid
		out = append(out, p)
	}
	// One payable in twelve has an amount held (a dispute or a court case) for a time or still:
	// a part of its own, counting the payable when all the rest is paid.
	if r.IntN(12) == 0 {
		p := genPart{contract: k, seq: seq, org: org, start: start, due: due, amount: qingqian.Money(100 + r.IntN(1_000_000)), prevPaid: heldUnpaid}
		if paidParts == n {
			p.prevPaid = prev
		}
		p.heldFrom = ref.AddDays(-30 + r.IntN(90))
		if r.IntN(5) < 3 {
			p.heldTo = p.heldFrom.AddDays(1 + r.IntN(200))
			if r.IntN(2) == 0 {
				p.paid = p.heldTo.AddDays(r.IntN(60))
			}
		}
		out = append(out, p)
	}
	return out
}

// load inserts about n parts spread evenly over units (contracts per unit 4) in one transaction
// with prepared multi-row inserts, and returns the number of parts written.
func (g *agingGen) load(tb testing.TB, db *sqldb.DB, f *fixture, units []int64, n int) int {
	tb.Helper()
	ctx := context.Background()
	const perStmt = 100
	cols := []string{"contract_id", "seq", "org_id", "start_on", "due_on", "amount", "paid_on", "prev_paid_on", "held_from", "held_to"}
	row := func(i int) string {
		ph := make([]string, len(cols))
		for j := range cols {
			ph[j] = fmt.Sprintf("$%d", i*len(cols)+j+1)
		}
		return "(" + strings.Join(ph, ", ") + ")"
	}
	var rows []string
	for i := 0; i < perStmt; i++ {
		rows = append(rows, row(i))
	}
	ins := `INSERT INTO payable_parts (` + strings.Join(cols, ", ") + `) VALUES ` + strings.Join(rows, ", ")
	written := 0
	err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
		// A big load goes in without the table's indexes, made again from their own
		// definitions once the rows are in: sorting once is faster than inserting in order.
		var indexes []string
		if n >= 100_000 {
			q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payable_parts' AND sql IS NOT NULL`
			if db.Dialect() == "postgres" {
				q = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'payable_parts' AND schemaname = current_schema()`
			} else if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -524288`); err != nil {
				return err
			}
			rows, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			var names []string
			for rows.Next() {
				var name, def string
				if err := rows.Scan(&name, &def); err != nil {
					rows.Close()
					return err
				}
				names, indexes = append(names, name), append(indexes, def)
			}
			rows.Close()
			for _, name := range names {
				if _, err := tx.ExecContext(ctx, `DROP INDEX `+name); err != nil {
					return err
				}
			}
		}
		defer func() {
			for _, def := range indexes {
				if _, err := tx.ExecContext(ctx, def); err != nil {
					tb.Errorf("%s: %v", def, err)
				}
			}
		}()
		st, err := tx.PrepareContext(ctx, ins)
		if err != nil {
			return err
		}
		defer st.Close()
		args := make([]any, 0, perStmt*len(cols))
		var buf []genPart
		flush := func(all bool) error {
			for len(buf) >= perStmt || (all && len(buf) > 0) {
				m := min(len(buf), perStmt)
				args = args[:0]
				for _, p := range buf[:m] {
					args = append(args, p.contract, p.seq, p.org, p.start, p.due, p.amount, p.paid, p.prevPaid, p.heldFrom, p.heldTo)
				}
				if m == perStmt {
					if _, err := st.ExecContext(ctx, args...); err != nil {
						return err
					}
				} else if _, err := tx.ExecContext(ctx, `INSERT INTO payable_parts (`+strings.Join(cols, ", ")+`) VALUES `+strings.Join(rows[:m], ", "), args...); err != nil {
					return err
				}
				if g.keep {
					g.kept = append(g.kept, buf[:m]...)
				}
				written += m
				buf = append(buf[:0], buf[m:]...)
			}
			return nil
		}
		now := f.clock.UTC().Format(time.RFC3339)
		per := n / len(units)
		for ui, org := range units {
			var ks [4]int64
			for c := range ks {
				if err := tx.QueryRowContext(ctx, `INSERT INTO contracts (org_id, creditor_id, no, name, kind, buyer_kind, signed_on, amount, supplier_size, settlement, created_at, updated_at)
					VALUES ($1, $2, $3, '采购', 'goods', 'large', '2023-01-01', 1, 'small', 'once', $4, $4) RETURNING id`, org, f.creditor.ID, fmt.Sprintf("AG%d-%d", ui, c), now).Scan(&ks[c]); err != nil {
					return err
				}
			}
			seqs := [4]int64{}
			for made := 0; made < per; {
				c := g.rnd.IntN(4)
				before := len(buf)
				buf = g.payable(ks[c], seqs[c], org, buf)
				seqs[c]++
				made += len(buf) - before
				if err := flush(false); err != nil {
					return err
				}
			}
		}
		return flush(true)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return written
}

// insert writes parts one by one, and keeps them when g.keep.
func (g *agingGen) insert(tb testing.TB, db *sqldb.DB, parts []genPart) {
	tb.Helper()
	ctx := context.Background()
	err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
		for _, p := range parts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO payable_parts (contract_id, seq, org_id, start_on, due_on, amount, paid_on, prev_paid_on, held_from, held_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				p.contract, p.seq, p.org, p.start, p.due, p.amount, p.paid, p.prevPaid, p.heldFrom, p.heldTo); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if g.keep {
		g.kept = append(g.kept, parts...)
	}
}
