package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestAgingAtScale measures the aging over QINGQIAN_BENCH_PAYABLES open payables spread over
// 2,000 units (skipped unless set): the service's query against the bare grouping SQL over the
// covering index, and one unit's drill-down. The figures are in docs/benchmarks.md.
func TestAgingAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("QINGQIAN_BENCH_PAYABLES"))
	if n == 0 {
		t.Skip("QINGQIAN_BENCH_PAYABLES not set")
	}
	for _, dialect := range benchDialects() {
		t.Run(dialect, func(t *testing.T) {
			db := sqldbtest.MustOpen(t, dialect)
			f := newFixture(t, db)
			ctx := context.Background()
			const units = 2000
			start := time.Now()
			err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
				// 2,000 subsidiaries under group A, one contract each.
				for i := 0; i < units; i++ {
					var id int64
					if err := tx.QueryRowContext(ctx, `INSERT INTO orgs (parent_id, path, depth, name, kind, created_at, updated_at) VALUES ($1, $2, 2, $3, 'subsidiary', $4, $4) RETURNING id`,
						f.groupA.ID, fmt.Sprintf("%s%d/", f.groupA.Path, 100000+i), fmt.Sprintf("子公司%d", i), f.clock.UTC().Format(time.RFC3339)).Scan(&id); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `UPDATE orgs SET path = $1 WHERE id = $2`, fmt.Sprintf("%s%d/", f.groupA.Path, id), id); err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO contracts (id, org_id, creditor_id, no, name, kind, buyer_kind, signed_on, amount, supplier_size, settlement, created_at, updated_at)
						VALUES ($1, $1, $2, $3, '采购', 'goods', 'large', '2025-06-01', 1, 'small', 'once', $4, $4)`, id, f.creditor.ID, fmt.Sprint("HT", id), f.clock.UTC().Format(time.RFC3339)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// n parts: unit by i mod 2000, due dates over 2024–2026, a third paid.
			gen := `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $1 - 1)
				INSERT INTO payable_parts (contract_id, seq, org_id, start_on, due_on, amount, paid_on, prev_paid_on)
				SELECT c.id, s.i / 2000, c.id, date('2024-01-01', '+' || (s.i % 900) || ' days'), date('2024-03-01', '+' || (s.i % 900) || ' days'),
				  100 + s.i % 1000000, CASE WHEN s.i % 3 = 0 THEN date('2024-03-10', '+' || (s.i % 900) || ' days') END, NULL
				FROM s JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM orgs WHERE depth = 2 AND name LIKE '子公司%') c ON c.k = s.i % 2000`
			if dialect == "postgres" {
				gen = `INSERT INTO payable_parts (contract_id, seq, org_id, start_on, due_on, amount, paid_on, prev_paid_on)
				SELECT c.id, s.i / 2000, c.id, DATE '2024-01-01' + (s.i % 900), DATE '2024-03-01' + (s.i % 900),
				  100 + s.i % 1000000, CASE WHEN s.i % 3 = 0 THEN DATE '2024-03-10' + (s.i % 900) END, NULL
				FROM generate_series(0, $1 - 1) s(i) JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM orgs WHERE depth = 2 AND name LIKE '子公司%') c ON c.k = s.i % 2000`
			}
			if err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, gen, n); return err }); err != nil {
				t.Fatal(err)
			}
			if dialect == "postgres" {
				db.WriteTxForTest(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, `ANALYZE payable_parts`); return err })
			} else {
				db.WriteTxForTest(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, `ANALYZE`); return err })
			}
			t.Logf("%s: %d parts over %d units loaded in %s", dialect, n, units, time.Since(start).Round(time.Millisecond))
			asOf := qingqian.MustParseDate("2025-06-30")
			aging := sqldb.NewAgingService(db)
			best := func(fn func() error) time.Duration {
				var b time.Duration
				for i := 0; i < 3; i++ {
					t0 := time.Now()
					if err := fn(); err != nil {
						t.Fatal(err)
					}
					if d := time.Since(t0); b == 0 || d < b {
						b = d
					}
				}
				return b
			}
			bareSQL := `SELECT org_id, COUNT(*), SUM(amount) FROM payable_parts WHERE start_on <= $1 AND (paid_on IS NULL OR paid_on > $1) GROUP BY org_id`
			if os.Getenv("QINGQIAN_BENCH_BUCKETS") != "" {
				// The same grouping by unit and bucket, without the service around it.
				bareSQL = `SELECT org_id, CASE WHEN due_on IS NULL THEN 0 WHEN due_on > '2025-07-30' THEN 1 WHEN due_on > '2025-07-07' THEN 2 WHEN due_on >= $1 THEN 3
					WHEN due_on >= '2025-05-31' THEN 4 WHEN due_on >= '2025-04-01' THEN 5 WHEN due_on >= '2024-06-30' THEN 6 ELSE 7 END AS b, COUNT(*), SUM(amount)
					FROM payable_parts WHERE start_on <= $1 AND (paid_on IS NULL OR paid_on > $1) GROUP BY org_id, b`
			}
			var ag *qingqian.Aging
			svc := best(func() (err error) { ag, err = aging.Aging(f.sys, f.groupA.ID, asOf); return })
			bare := best(func() error {
				return db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
					rows, err := tx.QueryContext(ctx, bareSQL, asOf)
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
					}
					return rows.Err()
				})
			})
			unit := ag.Rows[len(ag.Rows)-1].OrgID
			drill := best(func() error {
				_, err := aging.FindOpenPayables(f.sys, qingqian.PayableFilter{OrgID: unit, AsOf: asOf, Limit: 200})
				return err
			})
			t.Logf("%s: aging %s (service, per unit by bucket, payables counted once) vs bare grouping SQL %s (%.2f×); one unit's drill-down %s; open %d payables, %s 元",
				dialect, svc.Round(time.Millisecond), bare.Round(time.Millisecond), float64(svc)/float64(bare), drill.Round(time.Microsecond), ag.Total.Total.Count, ag.Total.Total.Amount)
		})
	}
}

// TestEventBatchAtScale times one ERP batch of 10,000 events (a delivery and a payment on each
// of 5,000 contracts) through AddContractEvents (skipped unless QINGQIAN_BENCH_EVENTS is set).
func TestEventBatchAtScale(t *testing.T) {
	if os.Getenv("QINGQIAN_BENCH_EVENTS") == "" {
		t.Skip("QINGQIAN_BENCH_EVENTS not set")
	}
	for _, dialect := range benchDialects() {
		t.Run(dialect, func(t *testing.T) {
			db := sqldbtest.MustOpen(t, dialect)
			f := newFixture(t, db)
			f.at("2026-01-31 10:00")
			ctx := context.Background()
			const contracts = 5000
			ids := make([]int64, contracts)
			err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
				for i := range ids {
					if err := tx.QueryRowContext(ctx, `INSERT INTO contracts (org_id, creditor_id, no, name, kind, buyer_kind, signed_on, amount, supplier_size, settlement, created_at, updated_at)
						VALUES ($1, $2, $3, '采购', 'goods', 'large', '2025-06-01', 100000, 'small', 'once', $4, $4) RETURNING id`,
						f.subA1.ID, f.creditor.ID, fmt.Sprint("ERP", i), f.clock.UTC().Format(time.RFC3339)).Scan(&ids[i]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var es []*qingqian.ContractEvent
			for i, id := range ids {
				es = append(es, &qingqian.ContractEvent{ContractID: id, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01"), Key: fmt.Sprint("d", i)},
					&qingqian.ContractEvent{ContractID: id, Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2025-10-15"), Amount: 100000, Method: qingqian.MethodTransfer, Key: fmt.Sprint("p", i)})
			}
			t0 := time.Now()
			if err := sqldb.NewContractService(db).AddContractEvents(clerkOf(f.subA1), es); err != nil {
				t.Fatal(err)
			}
			first := time.Since(t0)
			t0 = time.Now()
			if err := sqldb.NewContractService(db).AddContractEvents(clerkOf(f.subA1), es); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: a batch of %d events over %d contracts in %s (payables recomputed, audited); the same batch again (all keys known) in %s",
				dialect, len(es), contracts, first.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond))
		})
	}
}
