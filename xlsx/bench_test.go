package xlsx_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// peakRSS runs fn and returns the process's peak resident memory during it, in MB: the kernel's
// high-water mark is reset first (Linux), so the benchmark's own setup does not count. It also
// covers what SQLite allocates outside the Go heap. 0 where the kernel does not tell.
func peakRSS(fn func()) float64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		fn()
		return 0
	}
	fn()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// peakHeap samples the Go heap while fn runs and returns the highest value seen, in MB.
func peakHeap(fn func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if v := m.HeapInuse + m.StackInuse; v > peak.Load() {
				peak.Store(v)
				if p := os.Getenv("QINGQIAN_HEAP_PROFILE"); p != "" && v > 120<<20 {
					if f, err := os.Create(p); err == nil {
						pprof.WriteHeapProfile(f)
						f.Close()
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / (1 << 20)
}

// bulkLedger loads n items directly (as the storage benchmarks do) for export benchmarks.
func bulkLedger(b *testing.B, n int) (*sqldb.DB, context.Context) {
	db := sqldbtest.MustOpen(b, "sqlite")
	l := newLedger(&testing.T{}, db)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
		for c := 1; c <= 1000; c++ {
			if _, err := tx.Exec(`INSERT INTO creditors (id, name, uscc, ownership, created_at, updated_at) VALUES ($1, $2, $3, 'private', $4, $4)`,
				c, fmt.Sprintf("债权企业%d有限公司", c), fmt.Sprintf("U%017d", c), now); err != nil {
				return err
			}
		}
		st, err := tx.Prepare(`INSERT INTO items (no, org_id, creditor_id, contract_no, contract_name, kind, arisen_on, due_on, undisputed, disputed, origin,
			rec_u, out_u, status, created_at, created_on, updated_at) VALUES ($1, $2, $3, $4, '施工合同', 'works', $5, $6, $7, 0, 'baseline', $7, $7, 'unpaid', $8, $5, $8)`)
		if err != nil {
			return err
		}
		d0 := qingqian.MustParseDate("2019-01-01")
		for i := 1; i <= n; i++ {
			d := d0.AddDays(i % 1000)
			if _, err := st.Exec(fmt.Sprintf("B-%07d", i), []int64{l.a.ID, l.a1.ID}[i%2], 1+i%1000, fmt.Sprintf("HT-%d", i), d, d.AddDays(60), int64(1000_00+i), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, l.sys
}

func benchExport(b *testing.B, n int, format string) {
	db, sys := bulkLedger(b, n)
	items := sqldb.NewItemService(db)
	runtime.GC()
	b.ResetTimer()
	var peak, rss float64
	for i := 0; i < b.N; i++ {
		rss = max(rss, peakRSS(func() {
			peak = max(peak, peakHeap(func() {
				if err := xlsx.ExportLedger(sys, items, qingqian.ItemFilter{}, io.Discard, format, meta()); err != nil {
					b.Fatal(err)
				}
			}))
		}))
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(rss, "peak-rss-MB")
}

func BenchmarkExportLedger100k(b *testing.B) {
	b.Run("xlsx", func(b *testing.B) { benchExport(b, 100_000, "xlsx") })
	b.Run("csv", func(b *testing.B) { benchExport(b, 100_000, "csv") })
	b.Run("csv-yardstick", func(b *testing.B) { benchExportYardstick(b, 100_000) })
}

// benchExportYardstick is the CSV export's yardstick: the same columns of the same rows read
// with one plain SELECT (the joins of the ledger, in key order) and written with encoding/csv,
// amounts and dates as the database holds them.
func benchExportYardstick(b *testing.B, n int) {
	db, _ := bulkLedger(b, n)
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
			rows, err := tx.Query(`SELECT i.no, o.name, c.name, c.uscc, c.ownership, i.contract_no, i.contract_name, i.kind, i.arisen_on, i.due_on,
				i.undisputed, i.disputed, i.dispute_reason, i.funding_source, i.origin, i.responsible, i.note, i.rep_u + i.rep_d,
				i.rec_u + i.rec_d - i.rep_u - i.rep_d - i.out_u - i.out_d, i.out_u + i.out_d, i.status
				FROM items i CROSS JOIN orgs o CROSS JOIN creditors c WHERE o.id = i.org_id AND c.id = i.creditor_id ORDER BY i.id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			w := csv.NewWriter(io.Discard)
			rec := make([]string, 21)
			dest := make([]any, 21)
			for k := range dest {
				dest[k] = &rec[k]
			}
			var due sql.NullString
			dest[9] = &due
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					return err
				}
				rec[9] = due.String
				w.Write(rec)
			}
			w.Flush()
			return rows.Err()
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkExportLedger1M(b *testing.B) { benchExport(b, 1_000_000, "xlsx") }

// ledgerFile writes an n-row ledger workbook that the ledger fixture's units can import.
func ledgerFile(b *testing.B, n int) string {
	path := filepath.Join(b.TempDir(), "ledger.xlsx")
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	head := make([]any, 0, 17)
	for _, c := range xlsx.LedgerColumns[:17] {
		head = append(head, c.Header)
	}
	sw.SetRow("A1", head)
	for i := 1; i <= n; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		c := 1 + i%1000
		// Valid fictional codes: the check characters are computed.
		body := fmt.Sprintf("%08d", 20000000+c)
		first17 := "91130100" + body + string(qingqian.OrgCodeCheckChar(body))
		uscc := first17 + string(qingqian.USCCCheckChar(first17))
		sw.SetRow(cell, []any{fmt.Sprintf("I-%07d", i), []string{"示范建工集团有限公司", "示范建工第一工程有限公司"}[i%2], fmt.Sprintf("债权企业%d有限公司", c), uscc, "民营企业",
			fmt.Sprintf("HT-%d", i), "施工合同", "工程款", 43466 + i%1000, 43526 + i%1000, float64(1000+i%100000) + 0.25, 0, "", "自有资金", "底数", "张三", ""})
	}
	sw.Flush()
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReadXLSX100k is the spreadsheet library alone reading the file the import reads: the
// yardstick of the import target (import ≤ 2× this).
func BenchmarkReadXLSX100k(b *testing.B) {
	path := ledgerFile(b, 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
		if err != nil {
			b.Fatal(err)
		}
		rows, _ := f.Rows("Sheet1")
		n := 0
		for rows.Next() {
			if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		f.Close()
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkImportLedger100k validates and commits 100,000 new ledger rows from xlsx on SQLite.
func BenchmarkImportLedger100k(b *testing.B) { benchImport(b, "sqlite", 100_000) }

// BenchmarkImportLedger1M does the same with 1,000,000 rows, for the memory they take.
func BenchmarkImportLedger1M(b *testing.B) { benchImport(b, "sqlite", 1_000_000) }

// BenchmarkImportLedger100kPostgres imports the 100,000 rows into PostgreSQL
// (QINGQIAN_TEST_POSTGRES).
func BenchmarkImportLedger100kPostgres(b *testing.B) {
	if os.Getenv(sqldbtest.EnvPostgres) == "" {
		b.Skip(sqldbtest.EnvPostgres + " is not set")
	}
	benchImport(b, "postgres", 100_000)
}

func benchImport(b *testing.B, dialect string, n int) {
	path := ledgerFile(b, n)
	b.ResetTimer()
	var peak, rss float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := sqldbtest.MustOpen(b, dialect)
		l := newLedger(&testing.T{}, db)
		debug.FreeOSMemory() // what writing the file took does not count
		b.StartTimer()
		rss = max(rss, peakRSS(func() {
			peak = max(peak, peakHeap(func() {
				rep, err := xlsx.ImportLedger(l.sys, l.imports, path, false, nil)
				if err != nil || !rep.OK() || rep.Result.Created != n {
					b.Fatalf("%v %+v %s", err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
				}
			}))
		}))
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peak, "peak-heap-MB")
	b.ReportMetric(rss, "peak-rss-MB")
}
