package sqldb

// Reading one consistent state of the whole database while writes go on: `verify` and other
// long reads walk several tables in key order and merge them, and every table must be seen as it
// was at one instant.

import (
	"context"
	"database/sql"
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
func (s *snapshot) Close() error { return s.tx.Rollback() }

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
