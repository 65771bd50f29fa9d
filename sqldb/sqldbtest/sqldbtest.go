// Package sqldbtest opens throw-away ledger databases for tests: always SQLite, and PostgreSQL
// (one fresh schema per test) when QINGQIAN_TEST_POSTGRES holds a connection URL.
package sqldbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian/sqldb"
)

// EnvPostgres names the variable holding the PostgreSQL URL for tests.
const EnvPostgres = "QINGQIAN_TEST_POSTGRES"

// EnvReplica names the variable holding the URL of a hot standby streaming from EnvPostgres's
// server (the same database name), for the tests of reads sent to a standby.
const EnvReplica = "QINGQIAN_TEST_POSTGRES_REPLICA"

var schemaSeq atomic.Int64

// Each runs fn as a subtest on every database available: "sqlite" always, "postgres" when
// EnvPostgres is set. A set but unreachable PostgreSQL fails the test rather than skipping it.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, MustOpen(t, "sqlite")) })
	if os.Getenv(EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, MustOpen(t, "postgres")) })
	}
}

// FreshDSN returns the address of a new, empty database of the given dialect, removed when the
// test ends: a SQLite file path, or a PostgreSQL URL whose search_path is a schema of its own.
func FreshDSN(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(tb.TempDir(), "qingqian.db")
	case "postgres":
		return freshSchema(tb)
	}
	tb.Fatalf("unknown dialect %q", dialect)
	return ""
}

// Dialects lists the databases available to tests: "sqlite", and "postgres" when EnvPostgres is
// set.
func Dialects() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// MustOpen opens and migrates a fresh database of the given dialect, closed and removed when
// the test ends. Its voucher folder is a temporary directory.
func MustOpen(tb testing.TB, dialect string) *sqldb.DB {
	tb.Helper()
	dsn := FreshDSN(tb, dialect)
	db, err := sqldb.Open(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	db.VoucherDir = filepath.Join(tb.TempDir(), "vouchers")
	return db
}

// freshSchema creates a schema of its own for one test and returns a URL whose search_path
// points at it; the schema is dropped afterwards.
func freshSchema(tb testing.TB) string {
	base := os.Getenv(EnvPostgres)
	if base == "" {
		tb.Fatalf("%s is not set", EnvPostgres)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		tb.Fatalf("PostgreSQL at %s is unreachable: %v", EnvPostgres, err)
	}
	schema := fmt.Sprintf("qq_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenWithStandby opens and migrates a fresh PostgreSQL schema, as MustOpen, whose reads marked
// for a standby go to the standby at EnvReplica; it returns the database once the standby has the
// schema, and the primary's URL. The test is skipped when EnvReplica is not set.
func OpenWithStandby(tb testing.TB) (*sqldb.DB, string) {
	tb.Helper()
	replica := os.Getenv(EnvReplica)
	if replica == "" || os.Getenv(EnvPostgres) == "" {
		tb.Skip(EnvReplica + " not set")
	}
	dsn := freshSchema(tb)
	db, err := sqldb.Open(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	db.VoucherDir = filepath.Join(tb.TempDir(), "vouchers")
	if err := db.UseStandby(ctx, StandbyDSN(tb, dsn), 0); err != nil {
		tb.Fatal(err)
	}
	WaitForStandby(tb, db)
	return db, dsn
}

// StandbyDSN is a primary URL moved onto the standby at EnvReplica (same schema and options).
func StandbyDSN(tb testing.TB, dsn string) string {
	tb.Helper()
	r, err := url.Parse(os.Getenv(EnvReplica))
	if err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	u.Host = r.Host
	return u.String()
}

// WaitForStandby waits (up to a minute) until the standby has replayed what the primary wrote.
func WaitForStandby(tb testing.TB, db *sqldb.DB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := db.WaitForStandby(ctx); err != nil {
		tb.Fatalf("the standby did not catch up: %v", err)
	}
}
