package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A panic inside a write transaction rolls it back: on SQLite, the one writing connection is
// free again for the next write, which would otherwise wait for ever; on PostgreSQL, the lock
// the transaction took on the head of the audit chain is released, which every next write needs.
func TestPanicRollsTheTransactionBack(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sys := qingqian.SystemActor("测试")
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("the panic did not come through")
				}
			}()
			db.InTxForTest(ctx, sys, func(tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE audit_heads SET seq = seq WHERE chain = 0`); err != nil {
					return err
				}
				panic("a bug")
			})
		}()
		done := make(chan error, 1)
		go func() {
			done <- db.InTxForTest(ctx, sys, func(tx *sqldb.Tx) error { return tx.AuditForTest(ctx, "test", "org", 1, "/") })
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the next write waited for the transaction the panic left open")
		}
	})
}
