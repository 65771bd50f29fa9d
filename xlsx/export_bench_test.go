package xlsx_test

import (
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// EnvExportBenchRows sets the number of items of the benchmark province that
// BenchmarkExportWholeLedger exports (default 20,000; the recorded figures are for 200,000,
// which takes about 30 s to load on SQLite).
const EnvExportBenchRows = "QINGQIAN_EXPORT_BENCH_ROWS"

// yardstickSQL selects the ledger export's columns of every item as the database holds them
// (amounts in 分, dates as stored, codes rather than labels), joined and in key order; CROSS
// JOIN keeps SQLite on the items' key, as the export does.
const yardstickSQL = `SELECT i.no, o.name, c.name, c.uscc, c.ownership, i.contract_no, i.contract_name, i.kind, i.arisen_on, i.due_on,
	i.undisputed, i.disputed, i.dispute_reason, i.funding_source, i.origin, i.responsible, i.note, i.rep_u + i.rep_d,
	i.rec_u + i.rec_d - i.rep_u - i.rep_d - i.out_u - i.out_d, i.out_u + i.out_d, i.status
	FROM items i CROSS JOIN orgs o CROSS JOIN creditors c WHERE o.id = i.org_id AND c.id = i.creditor_id ORDER BY i.id`

// BenchmarkExportWholeLedger exports the whole ledger of the benchmark province
// (sqldb.LoadBenchProvince) as CSV and as xlsx through xlsx.ExportLedger with the item service,
// as the workbench's export route does for a user of the province's root unit, and in the same
// run measures the yardsticks: for CSV the database's own CSV dump of the same rows (the sqlite3
// shell's -csv, PostgreSQL's COPY … TO STDOUT WITH CSV through pgx), for xlsx excelize's
// StreamWriter writing the same rows' values held in memory. It reports rows/s of each and the
// ratios export/yardstick (time over time).
//
//	QINGQIAN_EXPORT_BENCH_ROWS=200000 go test -run X -bench ExportWholeLedger -benchtime 1x ./xlsx/
func BenchmarkExportWholeLedger(b *testing.B) {
	n := 20_000
	if v := os.Getenv(EnvExportBenchRows); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("%s=%q: want a positive number", EnvExportBenchRows, v)
		}
	}
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) { benchExportWhole(b, dialect, n) })
	}
}

func benchExportWhole(b *testing.B, dialect string, n int) {
	ctx := context.Background()
	dsn := sqldbtest.FreshDSN(b, dialect)
	db, err := sqldb.Open(dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	p, err := db.LoadBenchProvince(ctx, n)
	if err != nil {
		b.Fatal(err)
	}
	if dialect == "sqlite" {
		if _, err := exec.LookPath("sqlite3"); err != nil {
			b.Skip("the sqlite3 shell is not installed")
		}
	}
	// A supervisor of the province's root unit, as on the workbench.
	user := qingqian.NewContext(ctx, &qingqian.Actor{UserID: 1, Name: "省国资委", OrgID: p.Root, OrgPath: "/" + strconv.FormatInt(p.Root, 10) + "/",
		Roles: []qingqian.Role{qingqian.RoleSupervisor}})
	items := sqldb.NewItemService(db)
	values := yardstickValues(b, db)
	if len(values) != n {
		b.Fatalf("%d rows read for the yardstick, want %d", len(values), n)
	}

	timed := func(fn func() error) time.Duration {
		runtime.GC()
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var csvT, csvY, xT, xY time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var cw countingWriter
		csvT += timed(func() error { return xlsx.ExportLedger(user, items, qingqian.ItemFilter{}, &cw, "csv", meta()) })
		csvY += timed(func() error { return csvDump(ctx, dialect, dsn) })
		xT += timed(func() error { return xlsx.ExportLedger(user, items, qingqian.ItemFilter{}, io.Discard, "xlsx", meta()) })
		xY += timed(func() error { return streamValues(values) })
		if i == 0 {
			b.Logf("%s, %d rows: CSV export %d bytes", dialect, n, cw.n)
		}
	}
	b.StopTimer()
	rate := func(d time.Duration) float64 { return float64(n*b.N) / d.Seconds() }
	b.ReportMetric(rate(csvT), "csv-rows/s")
	b.ReportMetric(rate(csvY), "csv-yardstick-rows/s")
	b.ReportMetric(csvT.Seconds()/csvY.Seconds(), "csv-ratio")
	b.ReportMetric(rate(xT), "xlsx-rows/s")
	b.ReportMetric(rate(xY), "xlsx-yardstick-rows/s")
	b.ReportMetric(xT.Seconds()/xY.Seconds(), "xlsx-ratio")
	b.Logf("%s, %d rows, %d runs: CSV %.2f s against %.2f s (%.2f ×); xlsx %.2f s against %.2f s (%.2f ×)", dialect, n, b.N,
		csvT.Seconds()/float64(b.N), csvY.Seconds()/float64(b.N), csvT.Seconds()/csvY.Seconds(),
		xT.Seconds()/float64(b.N), xY.Seconds()/float64(b.N), xT.Seconds()/xY.Seconds())
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// csvDump is the CSV yardstick: the database's own CSV writer dumping yardstickSQL, its output
// read by this process and discarded.
func csvDump(ctx context.Context, dialect, dsn string) error {
	if dialect == "sqlite" {
		cmd := exec.CommandContext(ctx, "sqlite3", "-readonly", "-csv", dsn, yardstickSQL)
		cmd.Stdout = io.Discard
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	conn, err := pgx.Connect(ctx, dsn) // the URL's search_path goes to the server as a setting
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.PgConn().CopyTo(ctx, io.Discard, `COPY (`+yardstickSQL+`) TO STDOUT WITH CSV`)
	return err
}

// yardstickValues reads the rows of yardstickSQL as the cells of a workbook take them: text,
// amounts as numbers of 元, dates as times (nil for none).
func yardstickValues(b *testing.B, db *sqldb.DB) [][]any {
	var out [][]any
	err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.Query(yardstickSQL)
		if err != nil {
			return err
		}
		defer rows.Close()
		var text [21]string
		var due sql.NullString
		var amt [5]int64
		dest := []any{&text[0], &text[1], &text[2], &text[3], &text[4], &text[5], &text[6], &text[7], &text[8], &due,
			&amt[0], &amt[1], &text[12], &text[13], &text[14], &text[15], &text[16], &amt[2], &amt[3], &amt[4], &text[20]}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			row := make([]any, 21)
			for k, s := range text {
				row[k] = s
			}
			day := func(s string) any {
				if len(s) < 10 {
					return nil
				}
				t, err := time.Parse(time.DateOnly, s[:10])
				if err != nil {
					return nil
				}
				return t
			}
			row[8], row[9] = day(text[8]), day(due.String)
			for k, col := range []int{10, 11, 17, 18, 19} {
				row[col] = float64(amt[k]) / 100
			}
			out = append(out, row)
		}
		return rows.Err()
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// streamValues is the xlsx yardstick: excelize's StreamWriter writing the rows' values, dates
// and amounts styled as the export styles them, text as text, and the workbook written out.
func streamValues(values [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	dateFmt, amtFmt := "yyyy-mm-dd", "#,##0.00"
	date, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	amt, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &amtFmt})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	cells := make([]any, 21)
	for r, row := range values {
		for k, v := range row {
			switch v := v.(type) {
			case string:
				cells[k] = excelize.Cell{Value: v, StyleID: text}
			case float64:
				cells[k] = excelize.Cell{Value: v, StyleID: amt}
			case time.Time:
				cells[k] = excelize.Cell{Value: v, StyleID: date}
			default:
				cells[k] = nil
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+4)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(io.Discard)
	return err
}
