package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// benchImportRows is how many rows the import benchmarks import (QINGQIAN_BENCH_IMPORT_ROWS).
func benchImportRows(b *testing.B) int {
	n := 20_000
	if s := os.Getenv("QINGQIAN_BENCH_IMPORT_ROWS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	return n
}

// newLedgerRows yields n rows of new items numbered prefix-1…, over two units and the given
// creditors (not registered yet), with contract numbers, disputed amounts on a quarter.
func newLedgerRows(f *fixture, prefix string, n int, creditors []qingqian.Creditor) func(yield func(*qingqian.LedgerRow) bool) error {
	return func(yield func(*qingqian.LedgerRow) bool) error {
		kinds := []qingqian.ItemKind{qingqian.KindWorks, qingqian.KindGoods}
		origins := []qingqian.Origin{qingqian.OriginSelfCheck, qingqian.OriginNew}
		for i := 1; i <= n; i++ {
			org := []*qingqian.Org{f.groupA, f.subA1}[i%2]
			r := &qingqian.LedgerRow{Row: i + 1, OrgName: org.Name, Creditor: creditors[i%len(creditors)], Item: qingqian.Item{
				No: fmt.Sprintf("%s-%06d", prefix, i), ContractNo: fmt.Sprintf("HT-%s-%d", prefix, i), ContractName: "施工合同",
				Kind: kinds[i%2], Origin: origins[i%2], ArisenOn: qingqian.MustParseDate("2020-01-01").AddDays(i % 300),
				Undisputed: qingqian.Money(100_00 + i), FundingSource: qingqian.FundingOwn, Responsible: "财务部", Note: "导入"}}
			if i%4 == 0 {
				r.Item.Disputed, r.Item.DisputeReason = qingqian.Money(7_00+i), "结算金额有争议"
			}
			if !yield(r) {
				return nil
			}
		}
		return nil
	}
}

func benchCreditors(b *testing.B, n int) []qingqian.Creditor {
	cs := make([]qingqian.Creditor, n)
	for i := range cs {
		cs[i] = qingqian.Creditor{Name: fmt.Sprintf("某某建材第%d有限公司", i+1), USCC: MustUSCC(b), Ownership: qingqian.OwnershipPrivate}
	}
	return cs
}

// maxID is the largest value of a table's key column, 0 when empty.
func maxID(b *testing.B, db *sqldb.DB, table, col string) int64 {
	var n int64
	if err := db.QueryRowForTest(context.Background(), `SELECT COALESCE(MAX(`+col+`), 0) FROM `+table).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkImportLedgerYardstick imports N new ledger rows (20,000 unless
// QINGQIAN_BENCH_IMPORT_ROWS says otherwise) naming 50 new creditors through
// ImportService.ImportLedger, the entry point of the web and CLI imports, into a fresh
// database; then, in the same run, its yardstick writes the same rows (the creditors, items
// and recognise entries the import wrote) into copies of those tables with all their indexes:
// pgx CopyFrom on PostgreSQL, prepared single-row INSERTs in one transaction on SQLite.
// "×yardstick" is the import's time over the yardstick's.
func BenchmarkImportLedgerYardstick(b *testing.B) {
	n := benchImportRows(b)
	for _, dialect := range benchDialects() {
		b.Run(dialect, func(b *testing.B) {
			var imp, yard time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := sqldbtest.MustOpen(b, dialect)
				f := newFixture(&testing.T{}, db)
				db.Now = time.Now
				imports := sqldb.NewImportService(db)
				ctx := qingqian.WithImportFile(as(f.groupA), "bench")
				rows := newLedgerRows(f, "B"+strconv.Itoa(i), n, benchCreditors(b, 50))
				items, entries, creditors := maxID(b, db, "items", "id"), maxID(b, db, "entries", "id"), maxID(b, db, "creditors", "id")
				b.StartTimer()
				start := time.Now()
				res, err := imports.ImportLedger(ctx, rows, false)
				took := time.Since(start)
				b.StopTimer()
				if err != nil || !res.OK() || res.Created != n {
					b.Fatalf("import: %v %+v", err, res.Issues[:min(len(res.Issues), 5)])
				}
				imp += took
				load, written, err := db.YardstickForTest(context.Background(), []sqldb.YardstickPart{
					{Table: "creditors", Where: fmt.Sprintf("id > %d", creditors)},
					{Table: "items", Where: fmt.Sprintf("id > %d", items)},
					{Table: "entries", Where: fmt.Sprintf("id > %d", entries)},
				})
				if err != nil {
					b.Fatal(err)
				}
				if written != 2*n+50 {
					b.Fatalf("the yardstick writes %d rows, want %d", written, 2*n+50)
				}
				t, err := load()
				if err != nil {
					b.Fatal(err)
				}
				yard += t
			}
			reportRatio(b, n, imp, yard)
		})
	}
}

func reportRatio(b *testing.B, n int, imp, yard time.Duration) {
	rows := float64(n * b.N)
	b.ReportMetric(rows/imp.Seconds(), "rows/s")
	b.ReportMetric(rows/yard.Seconds(), "yardstick-rows/s")
	b.ReportMetric(imp.Seconds()/yard.Seconds(), "×yardstick")
}

// BenchmarkImportRepaymentsYardstick imports one repayment for each of N items of a ledger
// imported before (untimed) through ImportService.ImportRepayments; its yardstick writes the
// rows the import added (the entries, idempotency keys and audit records) into copies of those
// tables with all their indexes, as BenchmarkImportLedgerYardstick's does.
func BenchmarkImportRepaymentsYardstick(b *testing.B) {
	n := benchImportRows(b)
	for _, dialect := range benchDialects() {
		b.Run(dialect, func(b *testing.B) {
			var imp, yard time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := sqldbtest.MustOpen(b, dialect)
				f := newFixture(&testing.T{}, db)
				db.Now = time.Now
				imports := sqldb.NewImportService(db)
				ctx := as(f.groupA)
				prefix := "R" + strconv.Itoa(i)
				if res, err := imports.ImportLedger(ctx, newLedgerRows(f, prefix, n, benchCreditors(b, 50)), false); err != nil || !res.OK() {
					b.Fatalf("ledger: %v %+v", err, res)
				}
				entries, audit := maxID(b, db, "entries", "id"), maxID(b, db, "audit_log", "seq")
				rows := func(yield func(*qingqian.RepaymentRow) bool) error {
					for k := 1; k <= n; k++ {
						org := []*qingqian.Org{f.groupA, f.subA1}[k%2]
						r := &qingqian.RepaymentRow{Row: k + 1, OrgName: org.Name, ItemNo: fmt.Sprintf("%s-%06d", prefix, k),
							Entry: qingqian.EntryInput{Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-06-01").AddDays(k % 100),
								Amount: qingqian.Money(1_00 + k%50), Method: qingqian.MethodTransfer, VoucherNo: fmt.Sprintf("PZ-%d", k)}}
						if !yield(r) {
							return nil
						}
					}
					return nil
				}
				b.StartTimer()
				start := time.Now()
				res, err := imports.ImportRepayments(ctx, rows, false)
				took := time.Since(start)
				b.StopTimer()
				if err != nil || !res.OK() || res.Created != n {
					b.Fatalf("import: %v %+v", err, res.Issues[:min(len(res.Issues), 5)])
				}
				imp += took
				load, _, err := db.YardstickForTest(context.Background(), []sqldb.YardstickPart{
					{Table: "entries", Where: fmt.Sprintf("id > %d", entries)},
					{Table: "idempotency_keys"},
					{Table: "audit_log", Where: fmt.Sprintf("seq > %d", audit)},
				})
				if err != nil {
					b.Fatal(err)
				}
				t, err := load()
				if err != nil {
					b.Fatal(err)
				}
				yard += t
			}
			reportRatio(b, n, imp, yard)
		})
	}
}
