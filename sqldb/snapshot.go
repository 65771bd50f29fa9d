package sqldb

// Reading one consistent state of the whole database while writes go on: `verify` and other
// long reads walk several tables in key order and merge them, and every table must be seen as it
// was at one instant.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// snapshot is a read-only transaction over one consistent state of the database. On SQLite it
// is a read transaction on a reading connection: in WAL mode it never blocks the writer, nor is
// blocked by it. On PostgreSQL it is REPEATABLE READ READ ONLY on the primary.
type snapshot struct {
	tx      *sql.Tx
	pg      bool
	cursors int
	conn    *sql.Conn // SQLite, a large snapshot: the reading connection it holds, set back at Close
	// progress, when set, is told how far a long walk has got ("审计记录：已读 1000000 条").
	progress func(string)
}

// progressEvery is how many rows a long walk reads between two reports of its progress.
const progressEvery = 1_000_000

// tick reports that a walk has read n rows of what, every progressEvery rows.
func (s *snapshot) tick(what string, n int64) {
	if s.progress != nil && n%progressEvery == 0 {
		s.progress(fmt.Sprintf("%s：已读 %d 条", what, n))
	}
}

// largeReadCache is the page cache, in KiB, of each reading connection a large snapshot holds
// on SQLite (`verify`): its merges sort the ledger's entries, and a sort that outgrows the
// cache (2 MB by default) spills to temporary files and reads them back.
const largeReadCache = 64 << 10

// largeReadMap is how much of the database file, in bytes, a large snapshot's connection reads
// through memory mapping rather than a read call per page.
const largeReadMap = 8 << 30

// beginLargeSnapshots opens n snapshots of one and the same state of the database, for reading
// the whole ledger on n connections at once. On PostgreSQL the first exports its snapshot and
// the others take it (SET TRANSACTION SNAPSHOT). On SQLite, where a reader's state is the one
// at its first read, the one writer is held (BEGIN IMMEDIATE) while every reader makes its
// first read, so that no commit falls between them; the writers wait for that only. Each
// SQLite connection is given a larger page cache, SQLite's worker threads for sorting and
// the file mapped into memory, set back when it closes.
func (db *DB) beginLargeSnapshots(ctx context.Context, n int) (_ []*snapshot, err error) {
	var all []*snapshot
	defer func() {
		if err != nil {
			for _, s := range all {
				s.Close()
			}
		}
	}()
	if db.d.name == "postgres" {
		first, err := db.beginSnapshot(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, first)
		var id string
		if err := first.tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
			return nil, fmt.Errorf("export the snapshot: %w", err)
		}
		for len(all) < n {
			tx, err := db.write.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
			if err != nil {
				return nil, fmt.Errorf("begin a snapshot: %w", err)
			}
			all = append(all, &snapshot{tx: tx, pg: true})
			if _, err := tx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+id+`'`); err != nil {
				return nil, fmt.Errorf("take the snapshot: %w", err)
			}
		}
		return all, nil
	}
	w, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("hold the writer: %w", err)
	}
	defer w.Rollback()
	for len(all) < n {
		conn, err := db.read.DB.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("begin a snapshot: %w", err)
		}
		for _, p := range []string{fmt.Sprintf(`PRAGMA cache_size = -%d`, largeReadCache), `PRAGMA threads = 2`, fmt.Sprintf(`PRAGMA mmap_size = %d`, int64(largeReadMap))} {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				resetLargeRead(conn)
				return nil, fmt.Errorf("begin a snapshot: %w", err)
			}
		}
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			resetLargeRead(conn)
			return nil, fmt.Errorf("begin a snapshot: %w", err)
		}
		all = append(all, &snapshot{tx: tx, conn: conn})
		var x int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_heads`).Scan(&x); err != nil {
			return nil, fmt.Errorf("begin a snapshot: %w", err)
		}
	}
	return all, nil
}

// resetLargeRead sets a reading connection's cache, threads and mapping back to the defaults and
// returns it to the pool.
func resetLargeRead(conn *sql.Conn) {
	ctx := context.Background()
	for _, p := range []string{`PRAGMA cache_size = -2000`, `PRAGMA threads = 0`, `PRAGMA mmap_size = 0`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn }) // not set back: the pool drops it
			break
		}
	}
	conn.Close()
}

// beginSnapshot opens a snapshot; Close ends it.
func (db *DB) beginSnapshot(ctx context.Context) (*snapshot, error) {
	if db.d.name == "postgres" {
		tx, err := db.write.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("begin a snapshot: %w", err)
		}
		return &snapshot{tx: tx, pg: true}, nil
	}
	// A deferred BEGIN on the read pool: the snapshot is taken at the first read and holds
	// until the transaction ends.
	tx, err := db.read.DB.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin a snapshot: %w", err)
	}
	return &snapshot{tx: tx}, nil
}

// Close ends the snapshot.
func (s *snapshot) Close() error {
	err := s.tx.Rollback()
	if s.conn != nil {
		resetLargeRead(s.conn)
	}
	return err
}

// streamBatch is how many rows a stream fetches at a time on PostgreSQL.
const streamBatch = 2000

// stream reads the rows of one query in order, so that several can be merged. On SQLite its
// statement steps on the snapshot's connection alongside the others; on PostgreSQL, where one
// connection returns one result at a time, it is a cursor fetched streamBatch rows at a time.
type stream[T any] struct {
	ctx  context.Context
	s    *snapshot
	name string // the cursor's name (PostgreSQL)
	scan func(rowScanner) (T, error)
	rows *sql.Rows
	buf  []T
	i    int
	done bool
	err  error
	cur  T
}

// rowScanner is what a stream's scan function reads a row from.
type rowScanner interface{ Scan(...any) error }

// openStream starts a stream of query's rows (the query takes no arguments).
func openStream[T any](ctx context.Context, s *snapshot, query string, scan func(rowScanner) (T, error)) (*stream[T], error) {
	st := &stream[T]{ctx: ctx, s: s, scan: scan}
	if s.pg {
		s.cursors++
		st.name = fmt.Sprintf("verify_%d", s.cursors)
		if _, err := s.tx.ExecContext(ctx, `DECLARE `+st.name+` NO SCROLL CURSOR FOR `+query); err != nil {
			return nil, err
		}
		return st, nil
	}
	rows, err := s.tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st.rows = rows
	return st, nil
}

// Next advances to the next row, false at the end or on an error (see Err).
func (st *stream[T]) Next() bool {
	if st.done {
		return false
	}
	if !st.s.pg {
		if !st.rows.Next() {
			st.err, st.done = st.rows.Err(), true
			st.rows.Close()
			return false
		}
		st.cur, st.err = st.scan(st.rows)
		if st.err != nil {
			st.done = true
			st.rows.Close()
			return false
		}
		return true
	}
	if st.i >= len(st.buf) {
		if err := st.fetch(); err != nil {
			st.err, st.done = err, true
			return false
		}
		if len(st.buf) == 0 {
			st.done = true
			return false
		}
	}
	st.cur = st.buf[st.i]
	st.i++
	return true
}

func (st *stream[T]) fetch() error {
	// The simple protocol: a FETCH's columns are those of its cursor, which a statement cached
	// under the same text for another cursor would not describe.
	rows, err := st.s.tx.QueryContext(st.ctx, fmt.Sprintf(`FETCH FORWARD %d FROM %s`, streamBatch, st.name), pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return err
	}
	defer rows.Close()
	st.buf, st.i = st.buf[:0], 0
	for rows.Next() {
		v, err := st.scan(rows)
		if err != nil {
			return err
		}
		st.buf = append(st.buf, v)
	}
	return rows.Err()
}

// Row is the current row.
func (st *stream[T]) Row() T { return st.cur }

// Err is the error that ended the stream, if any.
func (st *stream[T]) Err() error { return st.err }

// Close ends the stream early.
func (st *stream[T]) Close() {
	if st.rows != nil {
		st.rows.Close()
	}
	st.done = true
}

// bytewise orders a text column by its bytes, as Go compares strings: PostgreSQL would
// otherwise sort by the database's collation.
func (d dialect) bytewise(col string) string {
	if d.name == "postgres" {
		return col + ` COLLATE "C"`
	}
	return col
}
