package sqldb

import (
	"context"
	"database/sql"
	"time"
)

// SQLite's write-ahead log is copied back into the database file (a checkpoint) by a background
// goroutine on a connection of its own, not by the transaction whose commit happens to fill the
// log past 1,000 pages, which then answered its request late (ADR 28). The writing connection
// runs with wal_autocheckpoint(0). A passive checkpoint neither waits for the writer nor stops it,
// and readers keep reading; once the whole log is in the database file, the next writer starts
// the log again from its beginning, and journal_size_limit truncates the file left longer.

// checkpointEvery is how often the log is copied back: a busy ledger writes some thousands of
// pages a second, which one passive checkpoint copies in a few milliseconds.
const checkpointEvery = 500 * time.Millisecond

type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpoints opens the checkpointing connection to dsn and starts its goroutine.
func (db *DB) startCheckpoints(dsn string) error {
	c, err := openSQLite(dsn)
	if err != nil {
		return err
	}
	c.SetMaxOpenConns(1)
	db.ckpt = &checkpointer{conn: c, stop: make(chan struct{}), done: make(chan struct{})}
	go db.ckpt.run(db)
	return nil
}

func (c *checkpointer) run(db *DB) {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			if err := c.checkpoint(context.Background()); err != nil {
				db.logger().Warn("SQLite checkpoint failed", "err", err)
			}
		}
	}
}

// checkpoint copies what it can of the log into the database file; busy means that a reader or
// the writer held what it needed, and the next round does the rest.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	var busy, logPages, copied int
	return c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logPages, &copied)
}

// stopCheckpoints ends the goroutine and closes its connection; closing the last connection
// checkpoints the rest of the log.
func (db *DB) stopCheckpoints() error {
	if db.ckpt == nil {
		return nil
	}
	close(db.ckpt.stop)
	<-db.ckpt.done
	err := db.ckpt.conn.Close()
	db.ckpt = nil
	return err
}
