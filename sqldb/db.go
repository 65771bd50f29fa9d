// Package sqldb implements the services of package qingqian on SQLite (embedded, pure Go) and on
// PostgreSQL from one set of queries. dialect.go holds the few differences.
package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the embedded migration files, for tests and tools.
func Migrations() fs.FS { return migrations }

// DefaultMaxVoucherSize is the voucher size limit when none is configured: 20 MB.
const DefaultMaxVoucherSize = 20 << 20

// DB is an open ledger database: a write pool and a read pool (the same pool on PostgreSQL).
type DB struct {
	write, read *sql.DB
	d           dialect

	// Now is the clock; tests and the demo loader replace it to record history.
	Now func() time.Time
	// VoucherDir is where voucher files are stored, by content hash.
	VoucherDir string
	// MaxVoucherSize limits one voucher file in bytes.
	MaxVoucherSize int64

	// bumpStmts are the running-totals upserts kept prepared on SQLite (see warmStatements).
	bumpStmts map[bumpKey]*sql.Stmt
}

// Open connects to dsn: a postgres:// URL, or else the path of a SQLite file (created if
// missing). It does not migrate; call Migrate.
func Open(dsn string) (*DB, error) {
	db := &DB{Now: time.Now, MaxVoucherSize: DefaultMaxVoucherSize}
	if isPostgres(dsn) {
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		p.SetMaxOpenConns(16)
		p.SetMaxIdleConns(16)
		db.write, db.read, db.d = p, p, postgresDialect
		return db, nil
	}
	const pragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	path := (&url.URL{Path: dsn}).EscapedPath()
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// One writer: SQLite serialises writes anyway, and one connection avoids lock upgrades.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	db.write, db.read, db.d = w, r, sqliteDialect
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	for _, st := range db.bumpStmts {
		st.Close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Ping checks that the database answers and is migrated.
func (db *DB) Ping(ctx context.Context) error {
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("%d migrations pending", len(pending))
	}
	return nil
}

func (db *DB) migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/"+db.d.name+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// PendingMigrations lists migrations not yet applied.
func (db *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	names, err := db.migrationNames()
	if err != nil {
		return nil, err
	}
	applied := map[string]bool{}
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err == nil {
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, err
			}
			applied[n] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	} else if !strings.Contains(err.Error(), "schema_migrations") {
		return nil, err
	}
	var pending []string
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		if !applied[base] {
			pending = append(pending, base)
		}
	}
	return pending, nil
}

// Migrate applies the embedded migrations not yet applied, each in its own transaction.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	for _, name := range pending {
		body, err := migrations.ReadFile("migrations/" + db.d.name + "/" + name)
		if err != nil {
			return err
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if after := afterMigration[name]; after != nil {
			if err := after(ctx, &Tx{Tx: tx, db: db, now: db.Now(), actor: qingqian.SystemActor("migrate")}); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, db.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return db.warmStatements(ctx)
}

// afterMigration holds the work a migration needs beyond its SQL, done in its transaction.
var afterMigration = map[string]func(ctx context.Context, tx *Tx) error{
	// The running totals gained the repayment and voucher counts: recompute them.
	"0004_reports.sql": func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_totals`); err != nil {
			return err
		}
		return tx.insertComputedTotals(ctx, "org_totals")
	},
	// The holiday calendar starts with the years published so far.
	"0005_clues_cases.sql":    seedCalendar,
	"0006_monthly_totals.sql": func(ctx context.Context, tx *Tx) error { return tx.rollUpMonths(ctx, "org_totals", "org_totals_month") },
}

// Tx is a write transaction carrying the actor and the instant it acts at.
type Tx struct {
	*sql.Tx
	db    *DB
	now   time.Time
	nowTS any // now as the database stores it, once converted (see ts)
	actor *qingqian.Actor
	// denied holds attempts to reach data outside the actor's subtree, written to the audit
	// trail after the transaction ends (whether it commits or not).
	denied []denial

	// The head of the audit chain, read once (which locks it) and written back at commit, so
	// that a transaction with many audit records writes one row for each and the head once.
	headSeq    int64
	headHash   string
	headLoaded bool

	// stmts caches the statements this transaction runs more than once: an import runs the same
	// few statements a million times, and parsing them each time was half its cost. A statement
	// run once is not prepared, which would only add round trips (PostgreSQL) or work (SQLite).
	stmts map[string]*sql.Stmt
	seen  map[string]bool

	// locks remembers, per unit path, whether a baseline is locked above it (see baselineLock).
	locks map[string]string

	// pending collects running-totals changes while an import defers them (see deferTotals).
	pending map[pendingKey]measures

	// bulk marks an import: an item it creates gets one audit record with its recognise entry
	// instead of one for each; on PostgreSQL audit records are written auditBatch at a time.
	bulk     bool
	auditBuf []qingqian.AuditRecord
}

// prepared returns the transaction's prepared statement for a query it has run before, or nil
// the first time.
func (tx *Tx) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	if !tx.seen[query] {
		if tx.seen == nil {
			tx.seen = map[string]bool{}
		}
		tx.seen[query] = true
		return nil, nil
	}
	st, err := tx.Tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = st
	return st, nil
}

// ExecContext runs a statement, prepared when the transaction runs it again.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.Tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query, prepared when the transaction runs it again.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := tx.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query, prepared when the transaction runs it again.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := tx.prepared(ctx, query)
	if err != nil || st == nil {
		return tx.Tx.QueryRowContext(ctx, query, args...) // on error, carries the same error
	}
	return st.QueryRowContext(ctx, args...)
}

type denial struct {
	entity string
	id     int64
}

// deny notes an attempt to reach an entity outside the actor's subtree.
func (tx *Tx) deny(entity string, id int64) { tx.denied = append(tx.denied, denial{entity, id}) }

// inTx runs fn in a write transaction and commits when fn returns nil. Any error rolls back:
// nothing is ever half-written.
func (db *DB) inTx(ctx context.Context, actor *qingqian.Actor, fn func(tx *Tx) error) error {
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return qingqian.Internal(err)
	}
	tx := &Tx{Tx: sqltx, db: db, now: db.Now().UTC().Truncate(time.Microsecond), actor: actor}
	defer func() {
		for _, d := range tx.denied {
			db.securityEvent(ctx, actor, d.entity, d.id)
		}
	}()
	// A panic must not leave the transaction open: on SQLite it would hold the one writing
	// connection, and every later write would wait for it forever.
	defer func() {
		if v := recover(); v != nil {
			sqltx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		sqltx.Rollback()
		return wrapErr(err)
	}
	if err := tx.flushAudit(ctx); err != nil {
		sqltx.Rollback()
		return wrapErr(err)
	}
	if tx.headLoaded {
		if _, err := sqltx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, tx.headSeq, tx.headHash); err != nil {
			sqltx.Rollback()
			return wrapErr(err)
		}
	}
	if err := sqltx.Commit(); err != nil {
		return wrapErr(err)
	}
	return nil
}

// wrapErr keeps service errors and turns anything else into an internal error.
func wrapErr(err error) error {
	var e *qingqian.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "请求已取消", Err: err}
	}
	return qingqian.Internal(err)
}

// ts converts an instant for this database; the transaction's own instant, which most rows
// it writes carry, is converted once.
func (tx *Tx) ts(t time.Time) any {
	if !t.Equal(tx.now) {
		return tx.db.d.ts(t)
	}
	if tx.nowTS == nil {
		tx.nowTS = tx.db.d.ts(tx.now)
	}
	return tx.nowTS
}

// insertID runs an INSERT (without a RETURNING clause) into a table whose key is "id" and
// returns the new row's id. SQLite tells it without a result set, which an import inserting a
// million rows notices; PostgreSQL returns it.
func (tx *Tx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	if tx.db.d.name == "sqlite" {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	var id int64
	err := tx.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id)
	return id, err
}

// audit appends a record to the hash chain in the current transaction. The first record of a
// transaction updates the head row, which takes its lock, so concurrent writers chain one after
// another; inTx writes the new head before committing.
func (tx *Tx) audit(ctx context.Context, action, entity string, entityID int64, orgPath string, before, after any) error {
	rec := qingqian.AuditRecord{At: tx.now, Action: action, Entity: entity, EntityID: entityID, OrgPath: orgPath}
	if tx.actor != nil {
		rec.ActorID, rec.ActorName = tx.actor.UserID, tx.actor.Name
	}
	var err error
	if rec.Before, err = marshalAudit(before); err != nil {
		return err
	}
	if rec.After, err = marshalAudit(after); err != nil {
		return err
	}
	if !tx.headLoaded {
		if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = audit_head.seq WHERE id = 1 RETURNING seq, hash`).Scan(&tx.headSeq, &tx.headHash); err != nil {
			return err
		}
		tx.headLoaded = true
	}
	rec.Seq, rec.PrevHash = tx.headSeq+1, tx.headHash
	rec.Hash = rec.ComputeHash()
	tx.headSeq, tx.headHash = rec.Seq, rec.Hash
	if tx.bulk && tx.db.d.name == "postgres" {
		// An import on PostgreSQL writes its records auditBatch at a time (flushAudit), saving a
		// round trip per record. (On SQLite, where a statement is a call, one statement of 100
		// rows measured slower than 100 statements of one.)
		tx.auditBuf = append(tx.auditBuf, rec)
		if len(tx.auditBuf) < auditBatch {
			return nil
		}
		return tx.flushAudit(ctx)
	}
	_, err = tx.ExecContext(ctx, auditInsert(1), auditValues(tx, rec)...)
	return err
}

// auditBatch is how many audit records an import on PostgreSQL writes in one statement.
const auditBatch = 100

// auditInsert is the INSERT of n audit records.
func auditInsert(n int) string {
	var a args
	rows := make([]string, n)
	for i := range rows {
		cols := make([]string, 12)
		for j := range cols {
			cols[j] = a.add(nil)
		}
		rows[i] = "(" + strings.Join(cols, ", ") + ")"
	}
	return `INSERT INTO audit_log (seq, at, actor_id, actor_name, org_path, action, entity, entity_id, before_json, after_json, prev_hash, hash)
		VALUES ` + strings.Join(rows, ", ")
}

// auditInsertBatch is auditInsert(auditBatch), built once.
var auditInsertBatch = auditInsert(auditBatch)

func auditValues(tx *Tx, rec qingqian.AuditRecord) []any {
	return []any{rec.Seq, tx.ts(rec.At), rec.ActorID, rec.ActorName, rec.OrgPath, rec.Action, rec.Entity, rec.EntityID,
		string(rec.Before), string(rec.After), rec.PrevHash, rec.Hash}
}

// flushAudit writes the audit records an import has kept back; inTx calls it before commit.
func (tx *Tx) flushAudit(ctx context.Context) error {
	if len(tx.auditBuf) == 0 {
		return nil
	}
	q := auditInsertBatch
	if len(tx.auditBuf) != auditBatch {
		q = auditInsert(len(tx.auditBuf))
	}
	vals := make([]any, 0, 12*len(tx.auditBuf))
	for _, rec := range tx.auditBuf {
		vals = append(vals, auditValues(tx, rec)...)
	}
	tx.auditBuf = tx.auditBuf[:0]
	_, err := tx.ExecContext(ctx, q, vals...)
	return err
}

func marshalAudit(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if r, ok := v.(json.RawMessage); ok {
		return r, nil
	}
	return json.Marshal(v)
}

// securityEvent records, in its own transaction, an attempt to reach data outside the actor's
// subtree. It never fails the request that triggered it. Inside a write transaction use
// Tx.deny instead: the write connection is busy until that transaction ends.
func (db *DB) securityEvent(ctx context.Context, actor *qingqian.Actor, entity string, id int64) {
	_ = db.inTx(context.WithoutCancel(ctx), actor, func(tx *Tx) error {
		return tx.audit(ctx, "security.denied", entity, id, actor.OrgPath, nil, map[string]any{"reason": "outside subtree"})
	})
}

// subtreeRange returns the bounds of the paths under prefix: path >= lo AND path < hi.
func subtreeRange(prefix string) (lo, hi string) {
	return prefix, prefix[:len(prefix)-1] + "0" // '0' is the byte after '/'
}

// ancestors returns the ids in a materialised path, root first.
func ancestors(path string) []int64 {
	var ids []int64
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		var id int64
		for _, c := range p {
			id = id*10 + int64(c-'0')
		}
		if p != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// likePattern turns user text into a LIKE pattern on a normalised (lower-cased) column.
func likePattern(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// searchText builds the normalised search column from the fields people search by.
func searchText(parts ...string) string {
	return strings.ToLower(strings.Join(parts, "\x1f"))
}

// limit bounds a page size: default 50, at most 500.
func limit(n int) int {
	if n <= 0 {
		return 50
	}
	if n > 500 {
		return 500
	}
	return n
}

// RandomToken returns n random bytes in hex.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// args collects query arguments and hands out their $n placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// CountRows counts the rows of a table; tests and `verify` use it. The name must be one of
// the ledger's tables.
func (db *DB) CountRows(ctx context.Context, table string) (int, error) {
	switch table {
	case "orgs", "creditors", "items", "entries", "plan_revisions", "plan_instalments", "vouchers", "voucher_uploads",
		"entry_vouchers", "org_totals", "idempotency_keys", "api_tokens", "audit_log", "users", "sessions":
	default:
		return 0, fmt.Errorf("unknown table %q", table)
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// ExecForTest runs a statement directly, bypassing the services and the audit trail. Tests use
// it to play someone who edits the database behind the system's back.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
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
		if dialect == "sqlite" && (col == "active" || col == "backdated" || col == "must_change" || col == "zero" || col == "late" || col == "missing_debt") {
			return "boolean"
		}
		return "integer"
	case dialect == "sqlite" && typ == "text":
		switch {
		case col == "day" || col == "rec_day" || strings.HasSuffix(col, "_on") || col == "on_date" || col == "as_of" || col == "deadline" || col == "month":
			return "date"
		case col == "at" || strings.HasSuffix(col, "_at") || strings.HasSuffix(col, "_until"):
			return "timestamp"
		}
	}
	return "text"
}

// WriteTxForTest runs fn in a raw write transaction, bypassing the services, the running totals
// and the audit trail. Benchmarks use it to bulk-load large ledgers, then call RebuildTotals.
func (db *DB) WriteTxForTest(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
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
