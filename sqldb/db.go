// Package sqldb implements the services of package qingqian on SQLite (embedded, pure Go) and on
// PostgreSQL from one set of queries. dialect.go holds the few differences.
//
// db.go opens the database and its pools, migrate.go applies the migrations, tx.go runs write
// transactions, audit.go appends to the audit trail, and each entity has the file of the same
// name as in package qingqian (report.go, report_*.go, …).
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// DefaultMaxVoucherSize is the voucher size limit when none is configured: 20 MB.
const DefaultMaxVoucherSize = 20 << 20

// DB is an open ledger database: a write pool and a read pool (the same pool on PostgreSQL), and
// perhaps a hot standby's pool that reads may go to (standby.go).
type DB struct {
	write *sql.DB
	read  *readPool
	d     dialect
	// cache keeps the ledger's filtered counts and sums, and totals as known now, until the next
	// change (item_list.go).
	cache genCache

	// Now is the clock; tests and the demo loader replace it to record history.
	Now func() time.Time
	// VoucherDir is where voucher files are stored, by content hash.
	VoucherDir string
	// MaxVoucherSize limits one voucher file in bytes.
	MaxVoucherSize int64
	// VoucherKey, when set (32 bytes, see ReadKeyFile), encrypts the voucher files stored from
	// now on; files stored in clear before are still read.
	VoucherKey []byte
	// Logger receives what no caller can be told: a security record that could not be written.
	// Nil means slog.Default().
	Logger *slog.Logger

	// OnWriteWait, when set, is told how long each write transaction waited to begin: on SQLite
	// for the one writing connection and the database's write lock, on PostgreSQL for a pooled
	// connection (row locks are waited for later, inside statements: see LockWaiters).
	OnWriteWait func(time.Duration)

	// MinFree is the free space, in bytes, below which the server is not ready (Ready):
	// DefaultMinFree when zero, no check when negative.
	MinFree int64

	// path is the SQLite database file; empty on PostgreSQL.
	path string
	// probe is the readiness write probe's state (ready.go).
	probe readyProbe

	// policy keeps the security policy between requests (see securityPolicy).
	policy policyCache
	// tokenCache keeps the API tokens recently found valid (token_cache.go).
	tokenCache tokenCache
	// betweenReads, set by tests only, is called between two reads of a report: a test writes
	// there to see that the report reads one snapshot.
	betweenReads func()
	// beforeIssue, set by tests only, is called between the annex computed before an issue and
	// the issuing transaction: a test writes there to see that the annex is then computed again.
	beforeIssue func()
	// stamps are the usage stamps of tokens and sessions not yet written (stamp.go).
	stamps stamps
	// ckpt copies SQLite's write-ahead log into the database file (checkpoint.go); nil on
	// PostgreSQL.
	ckpt *checkpointer
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
		db.write, db.read, db.d = p, &readPool{DB: p}, postgresDialect
		return db, nil
	}
	const pragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	path := (&url.URL{Path: dsn}).EscapedPath()
	// The writer leaves checkpoints to the checkpointer (checkpoint.go); a log longer than
	// 64 MB is truncated to that once it is copied back.
	w, err := openSQLite("file:" + path + "?" + pragmas + "&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	// One writer: SQLite serialises writes anyway, and one connection avoids lock upgrades.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := openSQLite("file:" + path + "?" + pragmas + "&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	db.write, db.read, db.d, db.path = w, &readPool{DB: r}, sqliteDialect, dsn
	if err := db.startCheckpoints("file:" + path + "?" + pragmas); err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stopStamps()
	err := db.stopCheckpoints()
	err = errors.Join(err, db.write.Close())
	if db.read.DB != db.write {
		err = errors.Join(err, db.read.DB.Close())
	}
	if db.read.standby != nil {
		close(db.read.stop)
		err = errors.Join(err, db.read.standby.Close())
	}
	return err
}

func (db *DB) logger() *slog.Logger {
	if db.Logger == nil {
		return slog.Default()
	}
	return db.Logger
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Ping checks that the database answers and is migrated.
func (db *DB) Ping(ctx context.Context) error {
	pending, unknown, err := db.migrationState(ctx, db.read)
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return &NewerSchemaError{Unknown: unknown}
	}
	if len(pending) > 0 {
		return fmt.Errorf("%d migrations pending", len(pending))
	}
	return nil
}
