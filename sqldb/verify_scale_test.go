package sqldb_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestVerifyAtScale measures verify on a ledger of QINGQIAN_VERIFY_ITEMS items (three entries
// each, every entry with the audit record that wrote it, in 50 groups' chains), loaded in bulk,
// while a clerk records repayments: verify must pass, and the clerk's writes must not wait for it.
// It is skipped unless the variable is set: go test -run TestVerifyAtScale -v ./sqldb.
func TestVerifyAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("QINGQIAN_VERIFY_ITEMS"))
	if n <= 0 {
		t.Skip("set QINGQIAN_VERIFY_ITEMS to the number of items")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		start := time.Now()
		loadVerifiable(t, db, f, n)
		if err := db.RebuildTotals(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("loaded %d items, %d entries in %s", n, 3*n, time.Since(start).Round(time.Millisecond))
		it := f.MustItem(t, as(f.groupB), f.groupB, "2019-01-10", qingqian.Yuan(100000), 0)
		stop, done := make(chan struct{}), make(chan struct{})
		var writes, worst atomic.Int64
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if _, err := f.entries.RecordEntry(as(f.groupB), qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay,
					On: qingqian.MustParseDate("2020-01-01"), Amount: 1, Method: qingqian.MethodTransfer}); err != nil {
					t.Errorf("a write during verify failed: %v", err)
					return
				}
				if d := int64(time.Since(t0)); d > worst.Load() {
					worst.Store(d)
				}
				writes.Add(1)
				time.Sleep(10 * time.Millisecond)
			}
		}()
		t0 := time.Now()
		last, steps := time.Now(), []string{}
		rep, err := db.Verify(ctx, sqldb.VerifyOptions{Progress: func(step string) {
			steps = append(steps, time.Since(last).Round(time.Millisecond).String(), step)
			last = time.Now()
		}})
		steps = append(steps, time.Since(last).Round(time.Millisecond).String())
		t.Logf("steps: %v", steps)
		took := time.Since(t0)
		close(stop)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("verify: %s", strings.Join(rep.Problems, "; "))
		}
		// The yardstick, in the same run: reading every row of the tables verify reads.
		y0 := time.Now()
		for _, table := range []string{"audit_log", "entries", "items", "org_totals"} {
			if _, err := db.CountRows(ctx, table); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.ScanAllForTest(ctx, "audit_log", "entries", "items", "org_totals", "org_totals_month"); err != nil {
			t.Fatal(err)
		}
		yard := time.Since(y0)
		t.Logf("yardstick (every row of audit_log, entries, items and the totals read once): %s; verify/yardstick = %.1f", yard.Round(time.Millisecond), float64(took)/float64(yard))
		t.Logf("verify: %s for %d records in %d chains, %d entries, %d items; %d writes meanwhile, the slowest %s",
			took.Round(time.Millisecond), rep.Records, rep.Chains, rep.Entries, rep.Items, writes.Load(), time.Duration(worst.Load()).Round(time.Millisecond))
	})
}

// loadVerifiable bulk-loads n items under the fixture's groups A and B, with their entries and
// the records that wrote them, as the services would have.
func loadVerifiable(t *testing.T, db *sqldb.DB, f *fixture, n int) {
	t.Helper()
	ctx := context.Background()
	d0 := qingqian.MustParseDate("2019-01-01")
	// 48 more groups, so that the records spread over 50 chains.
	groups := []*qingqian.Org{f.groupA, f.groupB}
	for g := 0; g < 48; g++ {
		groups = append(groups, f.MustOrg(t, f.root.ID, fmt.Sprintf("集团%d", g), qingqian.OrgGroup))
	}
	err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
		item, err := tx.Prepare(`INSERT INTO items (id, org_id, creditor_id, kind, arisen_on, undisputed, disputed, origin, rec_u, rep_u, out_u, status, created_at, created_on, updated_at)
			VALUES ($1, $2, $3, 'works', $4, $5, 0, 'baseline', $5, $6, $7, 'partial', $8, $4, $8)`)
		if err != nil {
			return err
		}
		entry, err := tx.Prepare(`INSERT INTO entries (id, item_id, kind, cat, on_date, recorded_at, recorded_on, backdated, du, dd, method, actor_name)
			VALUES ($1, $2, $3, $4, $5, $6, $5, 1 = 0, $7, 0, $8, 'bench')`)
		if err != nil {
			return err
		}
		audit, err := tx.Prepare(`INSERT INTO audit_log (chain, chain_seq, entry_id, at, actor_id, actor_name, org_path, action, entity, entity_id, before_json, after_json, prev_hash, hash, source)
			VALUES ($1, $2, $3, $4, 0, 'bench', $5, $6, 'item', $7, '', $8, $9, $10, '')`)
		if err != nil {
			return err
		}
		type head struct {
			seq  int64
			hash string
			last int64
		}
		heads := map[int64]*head{}
		var seq int64
		var maxSeq int64
		if err := tx.QueryRow(`SELECT COALESCE(MAX(seq), 0) FROM audit_log`).Scan(&maxSeq); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT chain, seq, hash, last_seq FROM audit_heads`)
		if err != nil {
			return err
		}
		for rows.Next() {
			h := &head{}
			var c int64
			if err := rows.Scan(&c, &h.seq, &h.hash, &h.last); err != nil {
				return err
			}
			heads[c] = h
		}
		rows.Close()
		seq = maxSeq
		rng := rand.New(rand.NewPCG(1, 2))
		eid := int64(1_000_000)
		for i := 1; i <= n; i++ {
			id := int64(1_000_000 + i)
			g := groups[i%len(groups)]
			amt := qingqian.Money(1000_00 + rng.Int64N(5_000_000_00))
			arisen := d0.AddDays(rng.IntN(1000))
			pay1, pay2 := amt/2, amt/4
			on1, on2 := arisen.AddDays(30+rng.IntN(60)), arisen.AddDays(120+rng.IntN(200))
			at := func(d qingqian.Date) time.Time { return d.EndOfDay().Add(-14 * time.Hour).UTC() }
			if _, err := item.Exec(id, g.ID, f.creditor.ID, arisen, amt, pay1+pay2, amt-pay1-pay2, at(arisen).Format("2006-01-02T15:04:05.000000Z")); err != nil {
				return err
			}
			for _, e := range []qingqian.Entry{
				{Kind: qingqian.EntryRecognise, Category: qingqian.CatRecognise, On: arisen, Undisputed: amt},
				{Kind: qingqian.EntryRepay, Category: qingqian.CatRepay, On: on1, Undisputed: -pay1, Method: qingqian.MethodTransfer},
				{Kind: qingqian.EntryRepay, Category: qingqian.CatRepay, On: on2, Undisputed: -pay2, Method: qingqian.MethodTransfer},
			} {
				eid++
				e.ID, e.ItemID, e.RecordedAt, e.ActorName, e.Vouchers = eid, id, at(e.On), "bench", []qingqian.VoucherRef{}
				ts := e.RecordedAt.Format("2006-01-02T15:04:05.000000Z")
				if _, err := entry.Exec(e.ID, id, e.Kind, e.Category, e.On, ts, e.Undisputed, e.Method); err != nil {
					return err
				}
				after, _ := json.Marshal(e)
				h := heads[g.ID]
				if h == nil {
					h = &head{}
					heads[g.ID] = h
				}
				seq++
				r := qingqian.AuditRecord{Chain: g.ID, ChainSeq: h.seq + 1, At: e.RecordedAt, ActorName: "bench", OrgPath: g.Path,
					Action: "entry." + string(e.Kind), Entity: "item", EntityID: id, After: after, PrevHash: h.hash}
				r.Hash = r.ComputeHash()
				if _, err := audit.Exec(r.Chain, r.ChainSeq, e.ID, ts, r.OrgPath, r.Action, id, string(after), r.PrevHash, r.Hash); err != nil {
					return err
				}
				h.seq, h.hash, h.last = r.ChainSeq, r.Hash, seq
			}
		}
		for c, h := range heads {
			if _, err := tx.Exec(`INSERT INTO audit_heads (chain, seq, hash, last_seq) VALUES ($1, $2, $3, $4)
				ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, last_seq = excluded.last_seq`, c, h.seq, h.hash, h.last); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
