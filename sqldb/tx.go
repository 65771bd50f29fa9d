package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
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

	// The head of the transaction's audit chain, read once (which locks it) and written back at
	// commit, so that a transaction with many audit records writes one row for each and the head
	// once: the chain, the last record's place in it, its hash and its seq.
	chain      int64
	headSeq    int64
	headHash   string
	headLast   int64
	headLoaded bool

	// raised counts what the sweep of payables into the ledger did in the transaction: items
	// made and late payments recorded on them.
	raised int
	// payCal and payLPR are the calendar and the LPR table the payment rules read, once per
	// transaction (contract.go).
	payCal *qingqian.Calendar
	payLPR qingqian.LPRTable

	// locks remembers, per unit path, whether a baseline is locked above it (see baselineLock).
	locks map[string]string

	// volume is what the transaction adds to the ledger's gross movement (see volume.go).
	volume volumeTally

	// pending collects running-totals changes while an import defers them (see deferTotals).
	pending map[pendingKey]measures

	// bulk marks an import: an item it creates gets one audit record with its recognise entry
	// instead of one for each; on PostgreSQL audit records are written auditBatch at a time.
	bulk bool
	// bufferAudit writes the audit records auditBatch at a time on PostgreSQL, as an import
	// does, without the rest of bulk (an ERP's batch of events).
	bufferAudit bool
	auditBuf    []qingqian.AuditRecord
}

// refuseNUL is the last of the checks that keep the NUL character out of the database, for
// every text any service writes (the web layer refuses it first, naming the field): PostgreSQL
// refuses it with an error and SQLite stores it.
func refuseNUL(args []any) error {
	for _, a := range args {
		if s, ok := a.(string); ok && qingqian.HasNUL(s) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "提交的内容" + qingqian.NULMessage}
		}
	}
	return nil
}

// nulValue stands for an argument refused by refuseNUL in a one-row query, whose error only
// an argument can carry.
type nulValue struct{ err error }

func (v nulValue) Value() (driver.Value, error) { return nil, v.err }

// ExecContext runs a statement. Statements are kept prepared by the connection: by pgx's
// statement cache on PostgreSQL, by the connection's own cache on SQLite (stmtcache.go).
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := refuseNUL(args); err != nil {
		return nil, err
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := refuseNUL(args); err != nil {
		return nil, err
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := refuseNUL(args); err != nil {
		return tx.Tx.QueryRowContext(ctx, `SELECT $1`, nulValue{err})
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
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
	if err := tx.finish(ctx); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return cancelled(ctx, fmt.Errorf("commit: %w", err))
	}
	return nil
}

// finish writes what a transaction kept back for its end: the gross movement, the audit records
// buffered, and the new head of the audit chain it wrote to.
func (tx *Tx) finish(ctx context.Context) error {
	if err := tx.commitVolume(ctx); err != nil {
		return err
	}
	if err := tx.flushAudit(ctx); err != nil {
		return err
	}
	if tx.headLoaded {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_heads SET seq = $1, hash = $2, last_seq = $3 WHERE chain = $4`, tx.headSeq, tx.headHash, tx.headLast, tx.chain); err != nil {
			return fmt.Errorf("write the audit chain's head: %w", err)
		}
	}
	return nil
}

// errRunAgain ends a transaction that inTxRetry should run again: it met a row another
// transaction wrote meanwhile, which the next run sees.
var errRunAgain = errors.New("a concurrent transaction wrote the same key: run again")

// maxTxAttempts bounds the runs of a transaction that inTxRetry repeats.
const maxTxAttempts = 4

// inTxRetry is inTx for a transaction that may be run again from the start: fn must set
// everything it hands back afresh on each run. It is run again, a bounded number of times after
// a short random pause, when the database ended it as a deadlock or a serialization failure
// (PostgreSQL): two writers met, and one of them was made to step back.
func (db *DB) inTxRetry(ctx context.Context, actor *qingqian.Actor, fn func(tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.inTx(ctx, actor, fn)
		if err == nil || attempt == maxTxAttempts || !(isRetryable(err) || errors.Is(err, errRunAgain)) || ctx.Err() != nil {
			return err
		}
		pause := time.Duration(attempt) * time.Duration(5+rand.IntN(20)) * time.Millisecond
		select {
		case <-ctx.Done():
			return cancelled(ctx, err)
		case <-time.After(pause):
		}
	}
}

// snapshot runs fn over one read transaction: every statement fn runs sees the database as it
// was at the first, on both databases (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite's
// transactions are one snapshot anyway). It goes to a standby when the context allows.
func (db *DB) snapshot(ctx context.Context, fn func(q readQueryer) error) error {
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	if db.d.name == "sqlite" {
		opts = &sql.TxOptions{ReadOnly: true} // its driver takes no isolation level
	}
	for attempt := 1; ; attempt++ {
		tx, err := db.read.BeginTx(ctx, opts)
		if err != nil {
			return fmt.Errorf("begin a read: %w", err)
		}
		err = fn(tx)
		tx.Rollback()
		// A standby may cancel a long read for the changes it replays (40001): read again.
		if err == nil || attempt == maxTxAttempts || !isRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
}

// repeatableRead makes a write transaction read one snapshot (PostgreSQL runs at READ
// COMMITTED otherwise, where each statement sees what committed before it). It must come first
// in the transaction, which should be run by inTxRetry: a row changed since the snapshot that
// the transaction then changes or locks ends it with a serialization failure.
func (tx *Tx) repeatableRead(ctx context.Context) error {
	if tx.db.d.name != "postgres" {
		return nil
	}
	if _, err := tx.Tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
		return fmt.Errorf("set the isolation level: %w", err)
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
