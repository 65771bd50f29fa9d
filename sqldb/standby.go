package sqldb

// Reads from a hot standby. A DB reads through a readPool: its own read pool, or, for a context
// marked with qingqian.WithStandbyReads, the pool of a PostgreSQL hot standby (UseStandby). A
// standby that cannot be reached, that is too far behind, or that cancels a query because of
// replication (a recovery conflict) is passed over for a while: the read goes to the primary.
// Writes, and the reads inside write transactions, never leave the primary.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/qingqian/qingqian"
)

// standbyPause is how long a standby that failed is passed over.
const standbyPause = 5 * time.Second

// DefaultMaxStandbyLag is how far behind the primary a standby may be before reads leave it.
const DefaultMaxStandbyLag = 30 * time.Second

// readPool is the pool reads go through. Its embedded pool is the database's own read pool; the
// methods below send a read to the standby when the context allows it.
type readPool struct {
	*sql.DB
	standby *sql.DB

	passUntil atomic.Int64 // unix nanoseconds until which the standby is passed over
	lag       atomic.Int64 // the standby's last measured replay lag, in nanoseconds
	// Reads served by each, and reads that went to the primary because the standby failed.
	primaryReads, standbyReads, fallbacks atomic.Int64
	stop                                  chan struct{}
}

// pick returns the standby when the context may read from it and it is not passed over.
func (p *readPool) pick(ctx context.Context) *sql.DB {
	if p.standby == nil || !qingqian.StandbyReadsOK(ctx) || time.Now().UnixNano() < p.passUntil.Load() {
		return nil
	}
	return p.standby
}

// failover decides, for an error of the standby, whether the read goes to the primary instead,
// passing the standby over for a while when it looks unavailable. A request that ended, or an
// error in the query itself, is not retried.
func (p *readPool) failover(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "40": // a recovery conflict cancelled the query: retry, the standby is fine
		case "42": // a table or column it lacks: it has not yet replayed a migration
		case "08", "53", "57", "58": // connection, resources, shutdown, system
			p.passUntil.Store(time.Now().Add(standbyPause).UnixNano())
		default:
			return false
		}
	} else {
		p.passUntil.Store(time.Now().Add(standbyPause).UnixNano())
	}
	p.fallbacks.Add(1)
	return true
}

// QueryContext runs a query on the standby or the primary.
func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if sb := p.pick(ctx); sb != nil {
		rows, err := sb.QueryContext(ctx, query, args...)
		if err == nil || !p.failover(ctx, err) {
			p.standbyReads.Add(1)
			return rows, err
		}
	}
	p.primaryReads.Add(1)
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a one-row query on the standby or the primary.
func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if sb := p.pick(ctx); sb != nil {
		row := sb.QueryRowContext(ctx, query, args...)
		if err := row.Err(); err == nil || !p.failover(ctx, err) {
			p.standbyReads.Add(1)
			return row
		}
	}
	p.primaryReads.Add(1)
	return p.DB.QueryRowContext(ctx, query, args...)
}

// BeginTx begins a read transaction (one snapshot) on the standby or the primary.
func (p *readPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	if sb := p.pick(ctx); sb != nil {
		tx, err := sb.BeginTx(ctx, opts)
		if err == nil {
			// BEGIN alone may not touch the server: make sure it answers.
			var one int
			if err = tx.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
				tx.Rollback()
			}
		}
		if err == nil || !p.failover(ctx, err) {
			p.standbyReads.Add(1)
			return tx, err
		}
	}
	p.primaryReads.Add(1)
	return p.DB.BeginTx(ctx, opts)
}

// UseStandby sends the reads of contexts marked with qingqian.WithStandbyReads to the hot
// standby at dsn (PostgreSQL only), as long as its replay lag stays under maxLag (measured every
// few seconds; DefaultMaxStandbyLag when 0).
func (db *DB) UseStandby(ctx context.Context, dsn string, maxLag time.Duration) error {
	if db.d.name != "postgres" || !isPostgres(dsn) {
		return errors.New("只有 PostgreSQL 可以使用只读备库（--db-read）：主库与备库都须是 postgres:// 连接串")
	}
	if db.read.standby != nil {
		return errors.New("standby already in use")
	}
	if maxLag <= 0 {
		maxLag = DefaultMaxStandbyLag
	}
	sb, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	sb.SetMaxOpenConns(16)
	sb.SetMaxIdleConns(16)
	if err := sb.PingContext(ctx); err != nil {
		sb.Close()
		return fmt.Errorf("只读备库无法连接: %w", err)
	}
	db.read.standby = sb
	db.read.stop = make(chan struct{})
	go db.read.watchLag(maxLag)
	return nil
}

// watchLag measures the standby's replay lag every few seconds and passes it over while the lag
// is above max. The lag is zero when the standby has replayed all it received (an idle primary
// sends nothing, which is not lag).
func (p *readPool) watchLag(max time.Duration) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		var secs float64
		err := p.standby.QueryRowContext(ctx, `SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
			ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END`).Scan(&secs)
		cancel()
		if err == nil {
			lag := time.Duration(secs * float64(time.Second))
			p.lag.Store(int64(lag))
			if lag > max {
				p.passUntil.Store(time.Now().Add(2 * time.Second).UnixNano())
			}
		}
		select {
		case <-p.stop:
			return
		case <-t.C:
		}
	}
}

// StandbyStats are the counts of reads by where they went, and the standby's replay lag.
type StandbyStats struct {
	PrimaryReads, StandbyReads, Fallbacks int64
	Lag                                   time.Duration
	InUse                                 bool // a standby is configured
}

// StandbyStats returns the reads so far and the standby's last measured lag.
func (db *DB) StandbyStats() StandbyStats {
	p := db.read
	return StandbyStats{PrimaryReads: p.primaryReads.Load(), StandbyReads: p.standbyReads.Load(), Fallbacks: p.fallbacks.Load(),
		Lag: time.Duration(p.lag.Load()), InUse: p.standby != nil}
}

// WaitForStandby waits until the standby has replayed everything the primary had written when
// it was called (nothing to wait for without a standby).
func (db *DB) WaitForStandby(ctx context.Context) error {
	if db.read.standby == nil {
		return nil
	}
	var lsn string
	if err := db.write.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
		return err
	}
	for {
		var done bool
		if err := db.read.standby.QueryRowContext(ctx, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn).Scan(&done); err != nil {
			return err
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
