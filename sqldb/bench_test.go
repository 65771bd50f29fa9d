package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// benchDialects are the databases a benchmark runs on: SQLite, and PostgreSQL when configured.
func benchDialects() []string {
	if os.Getenv(sqldbtest.EnvPostgres) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// BenchmarkRecordRepayment records single repayments through the service layer, each in its
// own transaction with its audit record, balance check and running totals.
func BenchmarkRecordRepayment(b *testing.B) {
	for _, dialect := range benchDialects() {
		b.Run(dialect, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, dialect)
			f := newFixture(&testing.T{}, db)
			f.clock = time.Now()
			db.Now = time.Now
			clerk := as(f.subA1)
			items := make([]int64, 500)
			for i := range items {
				items[i] = f.MustItem(b, clerk, f.subA1, "2019-01-10", qingqian.Yuan(10_000_000), 0).ID
			}
			on := qingqian.MustParseDate("2019-06-01")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: items[i%len(items)], Kind: qingqian.EntryRepay, On: on, Amount: 1, Method: qingqian.MethodTransfer}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "repayments/s")
		})
	}
}

// BenchmarkRecordRepaymentsBatch records repayments 100 to a transaction (an ERP push).
func BenchmarkRecordRepaymentsBatch(b *testing.B) {
	for _, dialect := range benchDialects() {
		b.Run(dialect, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, dialect)
			f := newFixture(&testing.T{}, db)
			db.Now = time.Now
			clerk := as(f.subA1)
			items := make([]int64, 500)
			for i := range items {
				items[i] = f.MustItem(b, clerk, f.subA1, "2019-01-10", qingqian.Yuan(10_000_000), 0).ID
			}
			on := qingqian.MustParseDate("2019-06-01")
			batch := make([]qingqian.EntryInput, 100)
			b.ResetTimer()
			n := 0
			for i := 0; i < b.N; i++ {
				for k := range batch {
					batch[k] = qingqian.EntryInput{ItemID: items[(i*100+k)%len(items)], Kind: qingqian.EntryRepay, On: on, Amount: 1, Method: qingqian.MethodTransfer}
				}
				if _, err := f.entries.RecordEntries(clerk, batch); err != nil {
					b.Fatal(err)
				}
				n += len(batch)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "repayments/s")
		})
	}
}

// province is the benchmark province (sqldb.LoadBenchProvince): 50 groups, 150 second-level
// units, 1,500 third-level units, 1,000,000 items and 3,000,000 entries (recognition and two
// repayments each) over 2019–2022.
type province struct {
	dir      string
	db       *sqldb.DB
	root     int64
	groups   []int64
	leaves   []int64
	items    int
	loadTime time.Duration
}

var (
	bigOnce sync.Once
	big     *province
)

const (
	bigItems = 1_000_000
	dayZero  = "2019-01-01"
)

func loadProvince(b *testing.B) *province {
	bigOnce.Do(func() {
		start := time.Now()
		nc := &noCleanup{TB: b}
		db := sqldbtest.MustOpen(nc, "sqlite")
		bp, err := db.LoadBenchProvince(context.Background(), bigItems)
		if err != nil {
			b.Fatal(err)
		}
		p := &province{dir: nc.dir, db: db, root: bp.Root, groups: bp.Groups, leaves: bp.Leaves, items: bp.Items, loadTime: time.Since(start)}
		big = p
		fmt.Fprintf(os.Stderr, "loaded %d items, 3×%d entries, %d units in %s\n", bigItems, bigItems, len(p.leaves)+201, p.loadTime.Round(time.Second))
	})
	if big == nil {
		b.Fatal("province not loaded")
	}
	return big
}

// noCleanup keeps the bulk-loaded database for the whole benchmark run; TestMain removes it.
type noCleanup struct {
	testing.TB
	dir string
}

func (n *noCleanup) Cleanup(func()) {}

func (n *noCleanup) TempDir() string {
	if n.dir == "" {
		dir, err := os.MkdirTemp("", "qingqian-bench-")
		if err != nil {
			n.TB.Fatal(err)
		}
		n.dir = dir
	}
	dir, err := os.MkdirTemp(n.dir, "")
	if err != nil {
		n.TB.Fatal(err)
	}
	return dir
}

func TestMain(m *testing.M) {
	sqldb.Argon2Memory = 1024 // tests hash many passwords; production uses 64 MiB
	code := m.Run()
	if big != nil {
		big.db.Close()
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// BenchmarkSubtreeTotals asks for the whole province's (or one group's) totals as of a random
// date over 1,000,000 items and 3,000,000 entries.
func BenchmarkSubtreeTotals(b *testing.B) {
	p := loadProvince(b)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("bench"))
	totals := sqldb.NewTotalsService(p.db)
	rng := rand.New(rand.NewPCG(3, 4))
	d0 := qingqian.MustParseDate(dayZero)
	run := func(b *testing.B, org func() int64, known time.Time) {
		for i := 0; i < b.N; i++ {
			if _, err := totals.SubtreeTotals(sys, qingqian.TotalsQuery{OrgID: org(), AsOf: d0.AddDays(rng.IntN(1400)), KnownAt: known}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("province", func(b *testing.B) { run(b, func() int64 { return p.root }, time.Time{}) })
	b.Run("group", func(b *testing.B) { run(b, func() int64 { return p.groups[rng.IntN(len(p.groups))] }, time.Time{}) })
	b.Run("province-known-at", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			known := d0.AddDays(rng.IntN(1400)).EndOfDay().Add(-8 * time.Hour) // 16:00 on a random day
			if _, err := totals.SubtreeTotals(sys, qingqian.TotalsQuery{OrgID: p.root, AsOf: qingqian.DateOf(known), KnownAt: known}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkItemPage reads what the item page shows: the item with its balance, its entries and
// its plan revisions.
func BenchmarkItemPage(b *testing.B) {
	p := loadProvince(b)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("bench"))
	items, entries, plans := sqldb.NewItemService(p.db), sqldb.NewEntryService(p.db), sqldb.NewPlanService(p.db)
	rng := rand.New(rand.NewPCG(5, 6))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := 1 + rng.Int64N(int64(p.items))
		if _, err := items.FindItemByID(sys, id, qingqian.Date{}, time.Time{}); err != nil {
			b.Fatal(err)
		}
		if _, err := entries.FindEntries(sys, id); err != nil {
			b.Fatal(err)
		}
		if _, err := plans.FindPlans(sys, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkItemList reads the first page of a group's ledger with the count and total of the
// filtered set.
func BenchmarkItemList(b *testing.B) {
	p := loadProvince(b)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("bench"))
	items := sqldb.NewItemService(p.db)
	rng := rand.New(rand.NewPCG(7, 8))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := items.FindItems(sys, qingqian.ItemFilter{OrgID: p.groups[rng.IntN(len(p.groups))], Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOrgSubtree lists a subtree of a 100,000-unit tree: the first page of a group's
// units with their count, and one unit by ID.
func BenchmarkOrgSubtree(b *testing.B) {
	db := sqldbtest.MustOpen(b, "sqlite")
	ctx := context.Background()
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	var groups []int64
	err := db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO orgs (id, parent_id, path, depth, name, kind, search, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $5, $7, $7)`)
		if err != nil {
			return err
		}
		if _, err := st.Exec(1, nil, "/1/", 0, "省国资委", "regulator", now); err != nil {
			return err
		}
		id := int64(1)
		for g := 0; g < 100; g++ {
			id++
			gid, gpath := id, fmt.Sprintf("/1/%d/", id)
			groups = append(groups, gid)
			if _, err := st.Exec(gid, 1, gpath, 1, fmt.Sprintf("集团%d", g), "group", now); err != nil {
				return err
			}
			for s := 0; s < 33; s++ {
				id++
				sid, spath := id, fmt.Sprintf("%s%d/", gpath, id)
				if _, err := st.Exec(sid, gid, spath, 2, fmt.Sprintf("集团%d子公司%d", g, s), "subsidiary", now); err != nil {
					return err
				}
				for l := 0; l < 30; l++ {
					id++
					if _, err := st.Exec(id, sid, fmt.Sprintf("%s%d/", spath, id), 3, fmt.Sprintf("集团%d子公司%d分公司%d", g, s, l), "subsidiary", now); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	n, _ := db.CountRows(ctx, "orgs")
	if n < 100_000 {
		b.Fatalf("only %d units", n)
	}
	orgs := sqldb.NewOrgService(db)
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("bench"))
	rng := rand.New(rand.NewPCG(9, 10))
	b.Run("group-page", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			list, total, err := orgs.FindOrgs(sys, qingqian.OrgFilter{Under: groups[rng.IntN(len(groups))], Limit: 50})
			if err != nil || len(list) != 50 || total != 1+33+33*30 {
				b.Fatalf("%d %d %v", len(list), total, err)
			}
		}
	})
	b.Run("search", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := orgs.FindOrgs(sys, qingqian.OrgFilter{Query: "子公司7分公司" + strings.Repeat("1", 1+i%2), Limit: 50}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConsolidatedReport makes the consolidated report of a monthly period for the 50
// groups over 1,000,000 items: "draft" computes every group from the ledger (no group has
// submitted), "issued" reads the report kept when it was issued. Progress applies the
// slow-progress rule to every group.
func BenchmarkConsolidatedReport(b *testing.B) {
	p := loadProvince(b)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("bench"))
	reports := sqldb.NewReportService(p.db)
	draft := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2021-06-30"), Deadline: qingqian.MustParseDate("2021-07-10")}
	issued := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2021-07-31"), Deadline: qingqian.MustParseDate("2021-08-10")}
	for _, per := range []*qingqian.Period{draft, issued} {
		per.No = 0
		if err := reports.OpenPeriod(sys, per); err != nil {
			b.Fatal(err)
		}
	}
	r, err := reports.IssueReport(sys, issued.ID)
	if err != nil || len(r.Rows) != 50 {
		b.Fatalf("issue: %v (%d rows)", err, len(r.Rows))
	}
	b.Run("draft", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			r, err := reports.Report(sys, draft.ID)
			if err != nil || len(r.Rows) != 50 || r.Total.Items == 0 {
				b.Fatalf("report: %v", err)
			}
		}
	})
	b.Run("issued", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := reports.Report(sys, issued.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("progress", func(b *testing.B) {
		sv := sqldb.NewSupervisionService(p.db)
		for i := 0; i < b.N; i++ {
			if pr, err := sv.Progress(sys, qingqian.MustParseDate("2021-06-30")); err != nil || len(pr.Groups) != 50 {
				b.Fatalf("progress: %v", err)
			}
		}
	})
}
