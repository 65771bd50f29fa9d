package sqldb_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A database that answers reads but refuses writes is not ready; nor is a server whose folders
// are (nearly) full.
func TestReadyNeedsWritesAndRoom(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqldbtest.FreshDSN(t, dialect)
			db, err := sqldb.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.VoucherDir = t.TempDir() + "/vouchers"
			if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "pending") {
				t.Fatalf("an unmigrated database is ready: %v", err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := db.Ready(ctx); err != nil {
					t.Fatalf("ready: %v", err)
				}
			}
			// The same database, read-only: SQLite's connection is made query-only; PostgreSQL's
			// transactions are read-only, as on a standby.
			ro := db
			if dialect == "postgres" {
				u, _ := url.Parse(dsn)
				q := u.Query()
				q.Set("default_transaction_read_only", "on")
				u.RawQuery = q.Encode()
				if ro, err = sqldb.Open(u.String()); err != nil {
					t.Fatal(err)
				}
				defer ro.Close()
			} else if os.Geteuid() != 0 {
				// A file the server may not write (root may write any file: then below).
				if err := os.Chmod(dsn, 0o444); err != nil {
					t.Fatal(err)
				}
				defer os.Chmod(dsn, 0o644)
				if ro, err = sqldb.Open(dsn); err != nil {
					t.Fatal(err)
				}
				defer ro.Close()
			} else if err := db.ExecForTest(ctx, `PRAGMA query_only = 1`); err != nil {
				t.Fatal(err)
			}
			if err := ro.Ping(ctx); err != nil {
				t.Fatalf("the read-only database does not even answer: %v", err)
			}
			if err := ro.Ready(ctx); err == nil || !strings.Contains(err.Error(), "数据库不能写入") {
				t.Fatalf("a read-only database is ready: %v", err)
			}
			if dialect == "sqlite" && ro == db {
				if err := db.ExecForTest(ctx, `PRAGMA query_only = 0`); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Ready(ctx); err != nil {
				t.Fatalf("ready again: %v", err)
			}
			// A disk with less room than required.
			db.MinFree = 1 << 62
			if err := db.Ready(ctx); err == nil || !strings.Contains(err.Error(), "磁盘空间不足") {
				t.Fatalf("a full disk is ready: %v", err)
			}
		})
	}
}
