package sqldb

// The benchmark province: a large ledger written straight into the tables, for measuring the
// read side and `verify` at a province's size. It bypasses the services but writes what they
// would have: every entry with the hash-chained audit record that wrote it, in its group's
// chain, so that `verify` passes on it and can be timed. The running totals, their monthly roll-up and the gross movement are
// summed in memory while the rows are made and written once at the end, not recomputed from
// the entries after the load; TestBenchProvinceTotals checks them against the recomputation.

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/qingqian/qingqian"
)

// BenchProvince describes a loaded benchmark province: the regulator, its 50 groups and the
// third-level units that hold the items.
type BenchProvince struct {
	Root   int64
	Groups []int64
	Leaves []int64
	Items  int
}

// benchDay is a key of the province's daily running totals: every row made by the loader is
// recorded on its business day (rec_day = day) and is of origin baseline.
type benchDay struct {
	org  int64
	day  qingqian.Date
	kind string
}

// benchSums are the running totals, monthly roll-up and gross movement of the loaded rows.
type benchSums struct {
	days   map[benchDay]*measures
	months map[benchDay]*measures // day is the month's first day
	volume map[int64]int64        // per group
}

// add adds m, dated day, of an item of kind held by the units holders, to the sums.
func (s *benchSums) add(holders []int64, day qingqian.Date, kind string, m measures) {
	month := qingqian.NewDate(day.Year(), day.Month(), 1)
	for _, h := range holders {
		for _, k := range []struct {
			to  map[benchDay]*measures
			key benchDay
		}{{s.days, benchDay{h, day, kind}}, {s.months, benchDay{h, month, kind}}} {
			p := k.to[k.key]
			if p == nil {
				p = &measures{}
				k.to[k.key] = p
			}
			p.add(m)
		}
	}
}

// LoadBenchProvince fills an empty database with 50 groups, 150 second-level units, 1,500
// third-level units, 1,000 creditors and n items arisen over 2019–2021, each with its recognise
// entry and two repayments; every tenth item has a disputed part, and three in ten have no
// funding source yet. The same n gives the same province. It refuses a database that already
// holds units.
func (db *DB) LoadBenchProvince(ctx context.Context, n int) (_ *BenchProvince, err error) {
	defer wrapErr(&err, "load the benchmark province")
	var units int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs`).Scan(&units); err != nil {
		return nil, err
	}
	if units > 0 {
		return nil, fmt.Errorf("the database already holds %d units", units)
	}
	var p *BenchProvince
	if err := db.bulkLoad(ctx, func(w *bulkWriter) (err error) {
		p, err = writeBenchProvince(ctx, w, n)
		return err
	}); err != nil {
		return nil, err
	}
	// The planner's statistics, for the indexes to be chosen over a table it has just seen grow.
	_, err = db.write.ExecContext(ctx, `ANALYZE`)
	return p, err
}

// writeBenchProvince makes the province's rows and hands them to w, then the running totals.
func writeBenchProvince(ctx context.Context, w *bulkWriter, n int) (*BenchProvince, error) {
	p := &BenchProvince{Root: 1, Items: n}
	now := benchInstant(time.Now().UTC().Truncate(time.Microsecond))
	orgCols := []string{"id", "parent_id", "path", "depth", "name", "search", "kind", "created_at", "updated_at"}
	orgs := w.table("orgs", orgCols)
	org := func(id int64, parent any, path string, depth int, name, kind string) error {
		return orgs.add(ctx, id, parent, path, int64(depth), name, name, kind, now, now)
	}
	if err := org(1, nil, "/1/", 0, "省国资委", "regulator"); err != nil {
		return nil, err
	}
	holders := map[int64][]int64{} // leaf → the units whose totals hold its items
	paths := map[int64]string{}    // leaf → its path
	id := int64(1)
	for g := range 50 {
		id++
		gid, gpath := id, fmt.Sprintf("/1/%d/", id)
		p.Groups = append(p.Groups, gid)
		if err := org(gid, int64(1), gpath, 1, fmt.Sprintf("集团%d", g), "group"); err != nil {
			return nil, err
		}
		for s := range 3 {
			id++
			sid, spath := id, fmt.Sprintf("%s%d/", gpath, id)
			if err := org(sid, gid, spath, 2, fmt.Sprintf("集团%d子公司%d", g, s), "subsidiary"); err != nil {
				return nil, err
			}
			for l := range 10 {
				id++
				p.Leaves = append(p.Leaves, id)
				path := fmt.Sprintf("%s%d/", spath, id)
				holders[id] = totalsHolders(path)
				paths[id] = path
				if err := org(id, sid, path, 3, fmt.Sprintf("集团%d子公司%d项目部%d", g, s, l), "subsidiary"); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := orgs.flush(ctx); err != nil {
		return nil, err
	}
	creditors := w.table("creditors", []string{"id", "name", "uscc", "ownership", "search", "created_at", "updated_at"})
	for c := int64(1); c <= 1000; c++ {
		if err := creditors.add(ctx, c, fmt.Sprintf("债权企业%d", c), fmt.Sprintf("U%017d", c), "private", fmt.Sprintf("债权企业%d U%017d", c, c), now, now); err != nil {
			return nil, err
		}
	}
	if err := creditors.flush(ctx); err != nil {
		return nil, err
	}
	items := w.table("items", []string{"id", "org_id", "creditor_id", "contract_no", "kind", "arisen_on", "due_on", "undisputed", "disputed", "funding_source", "origin",
		"search", "rec_u", "rec_d", "rep_u", "out_u", "out_d", "status", "created_at", "created_on", "updated_at"})
	entries := w.table("entries", []string{"id", "item_id", "kind", "cat", "on_date", "recorded_at", "recorded_on", "backdated", "du", "dd", "method", "actor_name"})
	entries.refs = items
	trail := newBenchTrail(w)
	trail.audit.refs = entries
	var eid int64
	// entry writes an entry of item i held by leaf, and the audit record that wrote it.
	entry := func(i, leaf int64, kind qingqian.EntryKind, cat qingqian.Category, on qingqian.Date, du, dd int64, method qingqian.PayMethod) error {
		eid++
		at := benchAt10(on)
		if err := entries.add(ctx, eid, i, string(kind), string(cat), on, at, on, false, du, dd, string(method), "bench"); err != nil {
			return err
		}
		return trail.entry(ctx, holders[leaf][0], paths[leaf], &qingqian.Entry{ID: eid, ItemID: i, Kind: kind, Category: cat, On: on,
			RecordedAt: time.Time(at), Undisputed: qingqian.Money(du), Disputed: qingqian.Money(dd), Method: method, ActorName: "bench",
			Vouchers: []qingqian.VoucherRef{}})
	}
	sums := &benchSums{days: map[benchDay]*measures{}, months: map[benchDay]*measures{}, volume: map[int64]int64{}}
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"works", "goods", "services", "retention", "other"}
	fundings := []string{"", "own", "", "loan", "fiscal", "", "own", "assets", "own", "other"}
	d0 := qingqian.NewDate(2019, 1, 1)
	for i := 1; i <= n; i++ {
		amt := 1000_00 + rng.Int64N(5_000_000_00)
		arisen := d0.AddDays(rng.IntN(1000))
		due := arisen.AddDays(30 + rng.IntN(150))
		var disp int64
		if i%10 == 0 {
			disp = amt / 5
			amt -= disp
		}
		pay1, pay2 := amt/2, amt/4
		on1, on2 := arisen.AddDays(30+rng.IntN(60)), arisen.AddDays(120+rng.IntN(200))
		at := benchAt10(arisen)
		leaf, kind := p.Leaves[i%len(p.Leaves)], kinds[i%5]
		if err := items.add(ctx, int64(i), leaf, int64(1+i%1000), fmt.Sprintf("HT%07d", i), kind, arisen, due, amt, disp, fundings[i%10], "baseline",
			fmt.Sprintf("ht%07d", i), amt, disp, pay1+pay2, amt-pay1-pay2, disp, "partial", at, arisen, at); err != nil {
			return nil, err
		}
		if err := entry(int64(i), leaf, qingqian.EntryRecognise, qingqian.CatRecognise, arisen, amt, disp, ""); err != nil {
			return nil, err
		}
		for _, r := range []struct {
			on  qingqian.Date
			pay int64
		}{{on1, pay1}, {on2, pay2}} {
			if err := entry(int64(i), leaf, qingqian.EntryRepay, qingqian.CatRepay, r.on, -r.pay, 0, qingqian.MethodTransfer); err != nil {
				return nil, err
			}
			sums.add(holders[leaf], r.on, kind, entryMeasures(qingqian.EntryRepay, qingqian.CatRepay, qingqian.Money(-r.pay), 0, false))
		}
		rec := entryMeasures(qingqian.EntryRecognise, qingqian.CatRecognise, qingqian.Money(amt), qingqian.Money(disp), false)
		rec[mItems] = 1 // the item is counted on the day it arose, recorded that day
		sums.add(holders[leaf], arisen, kind, rec)
		sums.volume[holders[leaf][0]] += amt + disp + pay1 + pay2 // the group
	}
	if err := trail.finish(ctx); err != nil { // the items and entries first
		return nil, err
	}
	if err := writeBenchSums(ctx, w, sums); err != nil {
		return nil, err
	}
	// The rows were given their keys; the sequences continue after them.
	return p, w.resetSequences(ctx, "orgs", "creditors", "items", "entries")
}

// writeBenchSums writes the running totals, their monthly roll-up and the gross movement.
func writeBenchSums(ctx context.Context, w *bulkWriter, s *benchSums) error {
	cols := func(key ...string) []string {
		for _, c := range measureCols {
			key = append(key, c.col)
		}
		return key
	}
	// In the order of the tables' keys, so that each row goes at the end of the index.
	days := w.table("org_totals", cols("org_id", "day", "rec_day", "kind", "origin"))
	for _, k := range sortedBenchKeys(s.days) {
		if err := days.add(ctx, append([]any{k.org, k.day, k.day, k.kind, "baseline"}, s.days[k].values()...)...); err != nil {
			return err
		}
	}
	months := w.table("org_totals_month", cols("org_id", "month", "kind", "origin"))
	for _, k := range sortedBenchKeys(s.months) {
		if err := months.add(ctx, append([]any{k.org, k.day, k.kind, "baseline"}, s.months[k].values()...)...); err != nil {
			return err
		}
	}
	volume := w.table("ledger_volume", []string{"org_id", "gross"})
	for g, v := range s.volume {
		if err := volume.add(ctx, g, v); err != nil {
			return err
		}
	}
	for _, t := range []*bulkTable{days, months, volume} {
		if err := t.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// sortedBenchKeys are the keys of m by unit, day and kind.
func sortedBenchKeys(m map[benchDay]*measures) []benchDay {
	return slices.SortedFunc(maps.Keys(m), func(a, b benchDay) int {
		return cmp.Or(cmp.Compare(a.org, b.org), a.day.Compare(b.day), cmp.Compare(a.kind, b.kind))
	})
}

// benchInstant is an instant the loader writes (created_at, recorded_at).
type benchInstant time.Time

// benchAt10 is 10:00 China time on a day.
func benchAt10(d qingqian.Date) benchInstant {
	return benchInstant(d.EndOfDay().Add(-14 * time.Hour).UTC())
}

// PlainItemSum counts the items and sums their outstanding amounts, walking the whole table:
// the yardstick the benchmarks measure the pages against.
func (db *DB) PlainItemSum(ctx context.Context) (n int, outstanding int64, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(out_u + out_d), 0) AS BIGINT) FROM items`).Scan(&n, &outstanding)
	return n, outstanding, err
}

// IsBenchProvince tells whether the database holds the benchmark province (its first entry was
// written by the loader), so that a benchmark adds its accounts to no real ledger.
func (db *DB) IsBenchProvince(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE id = 1 AND actor_name = 'bench'`).Scan(&n)
	return n == 1, err
}

// ForgetKept drops every answer kept until the ledger's next change (counts, sums, totals,
// progress, signals: ADR 27), as a write would: the benchmark's cold views.
func (db *DB) ForgetKept() {
	db.cache.mu.Lock()
	defer db.cache.mu.Unlock()
	db.cache.m = nil
}
