package sqldb_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A write that waits for another is seen: on SQLite as the time its transaction waited to begin
// (OnWriteWait), on PostgreSQL as a session waiting for a lock (LockWaiters).
func TestWriteWaitsAreSeen(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("测试"))
		org := &qingqian.Org{Name: "示范省国资委", Kind: qingqian.OrgRegulator}
		orgs := sqldb.NewOrgService(db)
		if err := orgs.CreateOrg(sys, org); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var longest time.Duration
		db.OnWriteWait = func(d time.Duration) {
			mu.Lock()
			longest = max(longest, d)
			mu.Unlock()
		}
		defer func() { db.OnWriteWait = nil }()
		held := make(chan struct{})
		release := make(chan struct{})
		go db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE orgs SET leader_name = '甲' WHERE id = $1`, org.ID); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
		<-held
		done := make(chan error, 1)
		go func() {
			name := "乙"
			_, err := orgs.UpdateOrg(sys, org.ID, qingqian.OrgUpdate{Version: org.Version, LeaderName: &name})
			done <- err
		}()
		waiters := 0
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			n, ok, err := db.LockWaiters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !ok || n > 0 {
				waiters = n
				break
			}
		}
		time.Sleep(300 * time.Millisecond)
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		switch db.Dialect() {
		case "sqlite":
			if longest < 250*time.Millisecond {
				t.Fatalf("the waiting write began after %v by OnWriteWait", longest)
			}
		case "postgres":
			if waiters < 1 {
				t.Fatal("no session seen waiting for the lock")
			}
		}
	})
}
