package sqldb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
)

// openMigrated opens a migrated SQLite database for the package's internal tests.
func openMigrated(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "internal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// A panic inside a write transaction rolls it back: on SQLite, the one writing connection is
// free again for the next write, which would otherwise wait for ever.
func TestPanicRollsTheTransactionBack(t *testing.T) {
	db := openMigrated(t)
	ctx := context.Background()
	sys := qingqian.SystemActor("测试")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not come through")
			}
		}()
		db.inTx(ctx, sys, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = seq WHERE id = 1`); err != nil {
				return err
			}
			panic("a bug")
		})
	}()
	done := make(chan error, 1)
	go func() {
		done <- db.inTx(ctx, sys, func(tx *Tx) error { return tx.audit(ctx, "test", "org", 1, "/", nil, nil) })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next write waited for the transaction the panic left open")
	}
}
