package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// The package's internals that its external tests use. Those tests run on both databases through
// sqldbtest, which an internal test cannot import (sqldbtest imports this package).

// InTxForTest runs fn in a write transaction as the services do (inTx).
func (db *DB) InTxForTest(ctx context.Context, actor *qingqian.Actor, fn func(tx *Tx) error) error {
	return db.inTx(ctx, actor, fn)
}

// AuditForTest appends an audit record about an entity, with no state before or after.
func (tx *Tx) AuditForTest(ctx context.Context, action, entity string, id int64, path string) error {
	return tx.audit(ctx, action, entity, id, path, nil, nil)
}

// MigrateClueDatesForTest runs the work of migration 0009 again: the recording instants of
// assignments from the audit trail, and every clue's deadlines.
func (tx *Tx) MigrateClueDatesForTest(ctx context.Context) error { return migrateClueDates(ctx, tx) }

// MigrateCalendarAndPayablesForTest runs the work of migration 0030 again: the shipped years a
// database does not hold are loaded, the others left alone, and every contract recomputed.
func (tx *Tx) MigrateCalendarAndPayablesForTest(ctx context.Context) error {
	return migrateCalendarAndPayables(ctx, tx)
}

// ExecForTest runs a statement directly, bypassing the services and the audit trail. Tests use
// it to play someone who edits the database behind the system's back.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// DropAuditGuardForTest drops the triggers that refuse to change or delete audit records, as
// someone with the database's owner account could: tests then play that someone.
func (db *DB) DropAuditGuardForTest(ctx context.Context) error {
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.d.name == "postgres" {
		stmts = []string{`DROP TRIGGER audit_log_immutable ON audit_log`, `DROP TRIGGER audit_log_no_truncate ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := db.write.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// Columns describes the schema as "table.column kind" lines, kind being one of integer, text,
// date, timestamp or boolean; a test checks that both databases agree. SQLite stores dates,
// timestamps and booleans by convention, told apart here by column name.
func (db *DB) Columns(ctx context.Context) ([]string, error) {
	var q string
	if db.d.name == "postgres" {
		q = `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()`
	} else {
		q = `SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, col, typ string
		if err := rows.Scan(&table, &col, &typ); err != nil {
			return nil, err
		}
		if table == "schema_migrations" { // created by Migrate itself, the same text table on both
			continue
		}
		out = append(out, table+"."+col+" "+kindOf(db.d.name, col, strings.ToLower(typ)))
	}
	return out, rows.Err()
}

func kindOf(dialect, col, typ string) string {
	switch {
	case typ == "date":
		return "date"
	case strings.HasPrefix(typ, "timestamp"):
		return "timestamp"
	case typ == "boolean":
		return "boolean"
	case strings.Contains(typ, "int"):
		if dialect == "sqlite" && (col == "active" || col == "backdated" || col == "must_change" || col == "zero" || col == "late" || col == "missing_debt" ||
			col == "forward_provisional" || col == "result_provisional" || col == "reply_required" ||
			col == "late_by_supplier" || col == "acceptance_condition" || col == "audit_basis" || col == "forced_bills" ||
			col == "pay_when_paid" || col == "rate_per_day" || col == "unlawful" || col == "has_overdue" || col == "contradicted" || col == "online_reply" ||
			col == "in_bills") {
			return "boolean"
		}
		return "integer"
	case dialect == "sqlite" && typ == "text":
		switch {
		case col == "day" || col == "rec_day" || strings.HasSuffix(col, "_on") || col == "on_date" || col == "as_of" || col == "deadline" || col == "month" ||
			col == "held_from" || col == "held_to":
			return "date"
		case col == "at" || strings.HasSuffix(col, "_at") || strings.HasSuffix(col, "_until"):
			return "timestamp"
		}
	}
	return "text"
}

// ExplainForTest returns SQLite's query plan of a query, one line per step; tests and benchmarks
// use it to check that report queries use their indexes.
func (db *DB) ExplainForTest(ctx context.Context, query string, args ...any) ([]string, error) {
	if db.d.name != "sqlite" {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}

// WaitForTest runs, as a service method would, a statement that never ends by itself (on SQLite
// a count without end, on PostgreSQL a long sleep) until ctx ends it.
func (db *DB) WaitForTest(ctx context.Context) (err error) {
	defer serviceErr(&err, "wait for test")
	q := `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c`
	if db.d.name == "postgres" {
		q = `SELECT CAST(pg_sleep(60) AS TEXT)`
	}
	var v any
	return db.read.QueryRowContext(ctx, q).Scan(&v)
}

// ScanAllForTest reads every row and column of the tables, as a yardstick for what reads them.
func (db *DB) ScanAllForTest(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+t)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// BumpTotalsForTest adds nothing to the running totals of the unit at path for a day, kind and
// origin: it takes the locks of the rows a ledger change there would write.
func (tx *Tx) BumpTotalsForTest(ctx context.Context, path string, day qingqian.Date, kind qingqian.ItemKind, origin qingqian.Origin) error {
	return tx.bumpTotals(ctx, path, day, kind, origin, measures{})
}

// MigrateWritersApartForTest runs the work of migration 0014 again: the counters from the
// numbers given, the root units' running totals recomputed.
func (tx *Tx) MigrateWritersApartForTest(ctx context.Context) error {
	return migrateWritersApart(ctx, tx)
}

// BetweenReadsForTest has fn called between two reads of a consolidated report.
func (db *DB) BetweenReadsForTest(fn func()) { db.betweenReads = fn }

// KeyDrivenForTest sets the size of a set from which pages are read along the sort key's index,
// and returns a function that restores it.
func KeyDrivenForTest(n int) func() {
	old := keyDriven
	keyDriven = n
	return func() { keyDriven = old }
}

// EachItemPageForTest sets the number of items EachItem reads a query, until the returned
// function restores it.
func EachItemPageForTest(n int) func() {
	old := eachItemPage
	eachItemPage = n
	return func() { eachItemPage = old }
}

// SpoolPathForTest is where an uploaded statement file waits for its import.
func (db *DB) SpoolPathForTest(sha string) string { return db.spoolPath(sha) }

// QueryRowForTest runs a one-row query on the read pool.
func (db *DB) QueryRowForTest(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, q, args...)
}

// FillCountersForTest runs the fill of migration 0023 (and 0014) again for the series named.
func (tx *Tx) FillCountersForTest(ctx context.Context, series ...string) error {
	return tx.fillCounters(ctx, series...)
}

// BeforeIssueForTest has fn called after the annex an issue would freeze is computed and before
// the issuing transaction begins.
func (db *DB) BeforeIssueForTest(fn func()) { db.beforeIssue = fn }

// QueryForTest runs a query on the read pool, as the services do, for benchmarks' yardsticks.
func (db *DB) QueryForTest(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.read.QueryContext(ctx, query, args...)
}

// AgingSQLForTest returns the aging query of the subtree at scope on asOf, with its arguments.
func AgingSQLForTest(db *DB, asOf qingqian.Date, scope string) (string, []any) {
	lo, hi := subtreeRange(scope)
	var q args
	s, _ := agingSQL(db.d.name, &q, asOf, lo, hi)
	return s, q
}

// SnapshotCountsForTest opens n snapshots of one state, as verify does, and counts the
// entries and audit records each sees.
func (db *DB) SnapshotCountsForTest(ctx context.Context, n int) ([]int64, error) {
	ss, err := db.beginLargeSnapshots(ctx, n)
	if err != nil {
		return nil, err
	}
	var counts []int64
	for _, s := range ss {
		var c int64
		err := s.tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM audit_log)`).Scan(&c)
		s.Close()
		if err != nil {
			return nil, err
		}
		counts = append(counts, c)
	}
	return counts, nil
}

// OwingCountsForTest returns the counts kept by unit in org_owing and those computed from the
// items, as verify compares them (units without a row or without items owing count zeros).
func (db *DB) OwingCountsForTest(ctx context.Context) (kept, computed map[int64][7]int64, err error) {
	read := func(query string) (map[int64][7]int64, error) {
		rows, err := db.read.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := map[int64][7]int64{}
		for rows.Next() {
			var org int64
			var r [7]int64
			if err := rows.Scan(&org, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]); err != nil {
				return nil, err
			}
			if r != ([7]int64{}) {
				m[org] = r
			}
		}
		return m, rows.Err()
	}
	if kept, err = read(`SELECT org_id, ` + owingCols + ` FROM org_owing`); err != nil {
		return nil, nil, err
	}
	computed, err = read(owingComputed)
	return kept, computed, err
}

// TimePublicationForTest has fn told, at the end of each step of an import's publication, how
// long its transaction has taken so far; nil stops it.
func TimePublicationForTest(fn func(step string, since time.Duration)) {
	if fn == nil {
		publishSteps.Store(nil)
		return
	}
	publishSteps.Store(&fn)
}

// EntriesAsWrittenForTest reads every entry with the record that wrote it, as verify does, and
// counts those whose record is the entry as the service wrote it (compared without decoding).
func (db *DB) EntriesAsWrittenForTest(ctx context.Context) (fast, all int, err error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.id, e.item_id, e.kind, e.cat, e.on_date, e.recorded_at, e.backdated, e.du, e.dd, e.method, e.voucher_no, e.reason,
			COALESCE(e.reverses_id, 0), e.actor_name, COALESCE(a.after_json, '') FROM entries e LEFT JOIN audit_log a ON a.entry_id = e.id`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var e qingqian.Entry
		var after string
		if err := rows.Scan(&e.ID, &e.ItemID, &e.Kind, &e.Category, &e.On, timeCol{&e.RecordedAt}, &e.Backdated, &e.Undisputed, &e.Disputed,
			&e.Method, &e.VoucherNo, &e.Reason, &e.ReversesID, &e.ActorName, &after); err != nil {
			return 0, 0, err
		}
		all++
		if sameAsWritten(&e, after) {
			fast++
		}
	}
	return fast, all, rows.Err()
}
