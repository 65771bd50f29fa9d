package sqldb

// The benchmark province: a large ledger written straight into the tables, for measuring the
// read side at a province's size. It bypasses the services and the audit trail (it is not a
// ledger anyone entered), then recomputes the running totals from the entries.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
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

// benchRows is how many rows one INSERT statement carries: few statements, so that the load is
// bound by the database's writing rather than by the round trips.
const benchRows = 500

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
	p := &BenchProvince{Root: 1, Items: n}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	if db.d.name != "postgres" {
		// The indexes of a million items do not fit SQLite's default page cache (2 MB): each
		// insert would read its index pages back from the file. The writing connection (there is
		// one) gets 256 MB for the load, and its own size back after.
		var size int64
		if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
			return nil, err
		}
		if _, err := db.write.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return nil, err
		}
		defer db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, size))
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var rows []string
	flush := func(head string) error {
		if len(rows) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, head+strings.Join(rows, ","))
		rows = rows[:0]
		return err
	}
	const orgHead = `INSERT INTO orgs (id, parent_id, path, depth, name, search, kind, created_at, updated_at) VALUES `
	org := func(id int64, parent, path string, depth int, name, kind string) error {
		rows = append(rows, fmt.Sprintf("(%d, %s, '%s', %d, '%s', '%s', '%s', '%s', '%s')", id, parent, path, depth, name, name, kind, now, now))
		if len(rows) == benchRows {
			return flush(orgHead)
		}
		return nil
	}
	if err := org(1, "NULL", "/1/", 0, "省国资委", "regulator"); err != nil {
		return nil, err
	}
	id := int64(1)
	for g := range 50 {
		id++
		gid, gpath := id, fmt.Sprintf("/1/%d/", id)
		p.Groups = append(p.Groups, gid)
		if err := org(gid, "1", gpath, 1, fmt.Sprintf("集团%d", g), "group"); err != nil {
			return nil, err
		}
		for s := range 3 {
			id++
			sid, spath := id, fmt.Sprintf("%s%d/", gpath, id)
			if err := org(sid, fmt.Sprint(gid), spath, 2, fmt.Sprintf("集团%d子公司%d", g, s), "subsidiary"); err != nil {
				return nil, err
			}
			for l := range 10 {
				id++
				p.Leaves = append(p.Leaves, id)
				if err := org(id, fmt.Sprint(sid), fmt.Sprintf("%s%d/", spath, id), 3, fmt.Sprintf("集团%d子公司%d项目部%d", g, s, l), "subsidiary"); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := flush(orgHead); err != nil {
		return nil, err
	}
	const credHead = `INSERT INTO creditors (id, name, uscc, ownership, search, created_at, updated_at) VALUES `
	for c := 1; c <= 1000; c++ {
		rows = append(rows, fmt.Sprintf("(%d, '债权企业%d', 'U%017d', 'private', '债权企业%d U%017d', '%s', '%s')", c, c, c, c, c, now, now))
	}
	if err := flush(credHead); err != nil {
		return nil, err
	}
	const itemHead = `INSERT INTO items (id, org_id, creditor_id, contract_no, kind, arisen_on, due_on, undisputed, disputed, funding_source, origin,
		search, rec_u, rec_d, rep_u, out_u, out_d, status, created_at, created_on, updated_at) VALUES `
	const entryHead = `INSERT INTO entries (item_id, kind, cat, on_date, recorded_at, recorded_on, backdated, du, dd, method, actor_name) VALUES `
	var entries []string
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
		rows = append(rows, fmt.Sprintf("(%d, %d, %d, 'HT%07d', '%s', '%s', '%s', %d, %d, '%s', 'baseline', 'ht%07d', %d, %d, %d, %d, %d, 'partial', '%s', '%s', '%s')",
			i, p.Leaves[i%len(p.Leaves)], 1+i%1000, i, kinds[i%5], arisen, due, amt, disp, fundings[i%10], i, amt, disp, pay1+pay2, amt-pay1-pay2, disp, at, arisen, at))
		entries = append(entries,
			fmt.Sprintf("(%d, 'recognise', 'rec', '%s', '%s', '%s', FALSE, %d, %d, '', 'bench')", i, arisen, at, arisen, amt, disp),
			fmt.Sprintf("(%d, 'repay', 'rep', '%s', '%s', '%s', FALSE, %d, 0, 'transfer', 'bench')", i, on1, benchAt10(on1), on1, -pay1),
			fmt.Sprintf("(%d, 'repay', 'rep', '%s', '%s', '%s', FALSE, %d, 0, 'transfer', 'bench')", i, on2, benchAt10(on2), on2, -pay2))
		if len(rows) == benchRows || i == n {
			if err := flush(itemHead); err != nil {
				return nil, err
			}
			for k := 0; k < len(entries); k += benchRows {
				if _, err := tx.ExecContext(ctx, entryHead+strings.Join(entries[k:min(k+benchRows, len(entries))], ",")); err != nil {
					return nil, err
				}
			}
			entries = entries[:0]
		}
	}
	if db.d.name == "postgres" {
		// The rows were given their keys; the sequences continue after them.
		for _, t := range []string{"orgs", "creditors", "items"} {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if err := db.RebuildTotals(ctx); err != nil {
		return nil, err
	}
	// The planner's statistics, for the indexes to be chosen over a table it has just seen grow.
	_, err = db.write.ExecContext(ctx, `ANALYZE`)
	return p, err
}

// benchAt10 is 10:00 China time on a day, as the database stores an instant.
func benchAt10(d qingqian.Date) string {
	return d.EndOfDay().Add(-14 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z")
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
