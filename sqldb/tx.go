package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingqian/qingqian"
)

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

	// payCal and payLPR are the calendar and the LPR table the payment rules read, once per
	// transaction (contract.go).
	payCal *qingqian.Calendar
	payLPR qingqian.LPRTable

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
// nothing is ever half-written. Its errors are what fn returned, or the failed step of the
// transaction named; the service method calling it names the operation (serviceErr).
func (db *DB) inTx(ctx context.Context, actor *qingqian.Actor, fn func(tx *Tx) error) error {
	start := time.Now()
	sqltx, err := db.write.BeginTx(ctx, nil)
	if db.OnWriteWait != nil {
		db.OnWriteWait(time.Since(start))
	}
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
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
		return cancelled(ctx, err)
	}
	if err := tx.flushAudit(ctx); err != nil {
		sqltx.Rollback()
		return err
	}
	if tx.headLoaded {
		if _, err := sqltx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, tx.headSeq, tx.headHash); err != nil {
			sqltx.Rollback()
			return fmt.Errorf("write the audit chain's head: %w", err)
		}
	}
	if err := sqltx.Commit(); err != nil {
		return cancelled(ctx, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// cancelled names the context's end as the cause of a transaction's failure when the context has
// ended: database/sql then rolls the transaction back itself, and what the transaction hits next
// ("sql: statement is closed", "transaction has already been committed or rolled back") says
// nothing of why.
func cancelled(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
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
