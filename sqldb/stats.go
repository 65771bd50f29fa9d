package sqldb

import (
	"context"
	"database/sql"
)

// PoolStats returns the statistics of the connection pools by name: "write" and "read" on
// SQLite, "primary" on PostgreSQL (one pool for both).
func (db *DB) PoolStats() map[string]sql.DBStats {
	out := map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
	if db.read.DB == db.write {
		out = map[string]sql.DBStats{"primary": db.write.Stats()}
	}
	if db.read.standby != nil {
		out["standby"] = db.read.standby.Stats()
	}
	return out
}

// LockWaiters counts the PostgreSQL sessions of this database waiting for a lock at this moment
// (a row another transaction holds, mostly); ok is false on SQLite, whose writers wait for the
// write lock before they begin (OnWriteWait).
func (db *DB) LockWaiters(ctx context.Context) (n int, ok bool, err error) {
	if db.d.name != "postgres" {
		return 0, false, nil
	}
	err = db.write.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
	return n, err == nil, err
}
