package sqldb

// Writing many rows at once, for the benchmark province and an import's staging: in one
// transaction, through prepared multi-row INSERTs on SQLite and COPY on PostgreSQL.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/qingqian/qingqian"
)

// bulkWriter writes rows into tables within one transaction: tx on SQLite, pg on PostgreSQL.
type bulkWriter struct {
	tx *sql.Tx
	pg pgx.Tx
}

// bulkTable gathers the rows of one table and writes them in batches.
type bulkTable struct {
	w     *bulkWriter
	name  string
	cols  []string
	rows  [][]any
	batch int
	full  *sql.Stmt  // SQLite: the INSERT of a full batch, prepared once
	refs  *bulkTable // the table this one's rows refer to: its rows are written first
}

// bulkLoad runs fn with a writer over one transaction, committed when fn succeeds.
func (db *DB) bulkLoad(ctx context.Context, fn func(w *bulkWriter) error) error {
	if db.d.name == "postgres" {
		return db.pgxTx(ctx, func(tx pgx.Tx) error { return fn(&bulkWriter{pg: tx}) })
	}
	// The indexes of a million items do not fit SQLite's default page cache (2 MB): each insert
	// would read its index pages back from the file. The writing connection (there is one) gets
	// 256 MB for the load, and its statement journal (each INSERT's undo within the
	// transaction) in memory rather than in a temporary file; both are set back after.
	var size, temp int64
	if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
		return err
	}
	if err := db.write.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&temp); err != nil {
		return err
	}
	for _, p := range []string{`PRAGMA cache_size = -262144`, `PRAGMA temp_store = MEMORY`} {
		if _, err := db.write.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	defer db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, size))
	defer db.write.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA temp_store = %d`, temp))
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&bulkWriter{tx: tx}); err != nil {
		return err
	}
	return tx.Commit()
}

// bulkTx runs fn with a writer over one short write transaction, committed when fn succeeds:
// on SQLite the services' own (inTx, which waits for the one writer), on PostgreSQL a pgx
// transaction on a connection of the write pool, so that the writer's tables are written by
// COPY. What fn writes besides its tables goes through w.exec.
func (db *DB) bulkTx(ctx context.Context, a *qingqian.Actor, fn func(w *bulkWriter) error) error {
	if db.d.name == "sqlite" {
		return db.inTx(ctx, a, func(tx *Tx) error { return fn(&bulkWriter{tx: tx.Tx}) })
	}
	return db.pgxTx(ctx, func(tx pgx.Tx) error {
		if err := fn(&bulkWriter{pg: tx}); err != nil {
			return cancelled(ctx, err)
		}
		return nil
	})
}

// pgxTx runs fn in a pgx transaction on a connection of the PostgreSQL write pool (for COPY),
// committed when fn succeeds.
func (db *DB) pgxTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		tx, err := c.Conn().Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// exec runs a statement in the writer's transaction.
func (w *bulkWriter) exec(ctx context.Context, q string, args ...any) error {
	if w.pg != nil {
		_, err := w.pg.Exec(ctx, q, args...)
		return err
	}
	_, err := w.tx.ExecContext(ctx, q, args...)
	return err
}

// table starts the rows of a table with the given columns.
func (w *bulkWriter) table(name string, cols []string) *bulkTable {
	batch := 10_000
	if w.pg == nil {
		batch = min(500, 32_000/len(cols)) // SQLite's limit of parameters in a statement is 32,766
	}
	return &bulkTable{w: w, name: name, cols: cols, batch: batch}
}

// add adds a row (values in the order of the columns); a full batch is written.
func (t *bulkTable) add(ctx context.Context, vals ...any) error {
	if len(vals) != len(t.cols) {
		return fmt.Errorf("%s: %d values for %d columns", t.name, len(vals), len(t.cols))
	}
	for i, v := range vals {
		vals[i] = t.w.value(v)
	}
	t.rows = append(t.rows, vals)
	if len(t.rows) >= t.batch {
		return t.flush(ctx)
	}
	return nil
}

// value is v as the database takes it: dates and instants as text on SQLite, as times on
// PostgreSQL; an unset date as NULL.
func (w *bulkWriter) value(v any) any {
	switch v := v.(type) {
	case qingqian.Date:
		if v.IsZero() {
			return nil
		}
		if w.pg != nil {
			return time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)
		}
		return v.String()
	case benchInstant:
		if w.pg != nil {
			return time.Time(v)
		}
		return time.Time(v).UTC().Format(tsLayout)
	}
	return v
}

// flush writes the rows gathered.
func (t *bulkTable) flush(ctx context.Context) (err error) {
	if t.refs != nil {
		if err := t.refs.flush(ctx); err != nil {
			return err
		}
	}
	if len(t.rows) == 0 {
		return nil
	}
	defer wrapErr(&err, "write %d rows into %s", len(t.rows), t.name)
	rows := t.rows
	t.rows = t.rows[:0:0]
	if t.w.pg != nil {
		_, err := t.w.pg.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows))
		return err
	}
	args := make([]any, 0, len(rows)*len(t.cols))
	for _, r := range rows {
		args = append(args, r...)
	}
	if len(rows) < t.batch {
		_, err := t.w.tx.ExecContext(ctx, t.insert(len(rows)), args...)
		return err
	}
	if t.full == nil {
		if t.full, err = t.w.tx.PrepareContext(ctx, t.insert(t.batch)); err != nil {
			return err
		}
	}
	_, err = t.full.ExecContext(ctx, args...)
	return err
}

// insert is the INSERT of n rows, with SQLite's anonymous parameters: the driver binds "$N"
// by looking each name up, which costs the square of their number in a statement this long.
func (t *bulkTable) insert(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range t.cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// resetSequences makes the identity sequences of the tables continue after the keys the rows
// were given (PostgreSQL; SQLite continues after the largest key by itself).
func (w *bulkWriter) resetSequences(ctx context.Context, tables ...string) error {
	if w.pg == nil {
		return nil
	}
	for _, t := range tables {
		if _, err := w.pg.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
			return err
		}
	}
	return nil
}

// benchTrail writes the audit records of the benchmark province's entries: one chain per
// group, each record hashed onto the one before it in its chain, as the services write them.
type benchTrail struct {
	audit *bulkTable
	heads map[int64]*ChainHead
	seq   int64
}

func newBenchTrail(w *bulkWriter) *benchTrail {
	return &benchTrail{heads: map[int64]*ChainHead{}, audit: w.table("audit_log", []string{"seq", "chain", "chain_seq", "entry_id", "at", "actor_id",
		"actor_name", "org_path", "action", "entity", "entity_id", "before_json", "after_json", "prev_hash", "hash", "source"})}
}

// entry writes the record of e, an entry of an item held by the unit at path in group.
func (t *benchTrail) entry(ctx context.Context, group int64, path string, e *qingqian.Entry) error {
	after, err := json.Marshal(e)
	if err != nil {
		return err
	}
	h := t.heads[group]
	if h == nil {
		h = &ChainHead{Chain: group}
		t.heads[group] = h
	}
	t.seq++
	r := qingqian.AuditRecord{Chain: group, ChainSeq: h.Seq + 1, At: e.RecordedAt, ActorName: e.ActorName, OrgPath: path,
		Action: "entry." + string(e.Kind), Entity: "item", EntityID: e.ItemID, After: after, PrevHash: h.Hash}
	r.Hash = r.ComputeHash()
	h.Seq, h.Hash, h.LastSeq = r.ChainSeq, r.Hash, t.seq
	return t.audit.add(ctx, t.seq, r.Chain, r.ChainSeq, e.ID, benchInstant(r.At), int64(0), r.ActorName, r.OrgPath, r.Action, r.Entity, r.EntityID,
		"", string(after), r.PrevHash, r.Hash, "")
}

// finish writes the records left (and the rows they refer to) and the chains' heads.
func (t *benchTrail) finish(ctx context.Context) error {
	if err := t.audit.flush(ctx); err != nil {
		return err
	}
	heads := t.audit.w.table("audit_heads", []string{"chain", "seq", "hash", "last_seq"})
	for _, h := range t.heads {
		if err := heads.add(ctx, h.Chain, h.Seq, h.Hash, h.LastSeq); err != nil {
			return err
		}
	}
	if err := heads.flush(ctx); err != nil {
		return err
	}
	if t.audit.w.pg == nil {
		return nil
	}
	_, err := t.audit.w.pg.Exec(ctx, `SELECT setval(pg_get_serial_sequence('audit_log', 'seq'), (SELECT MAX(seq) FROM audit_log))`)
	return err
}
