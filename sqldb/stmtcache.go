package sqldb

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"
)

// SQLite's connections keep their statements prepared (ADR 28). database/sql prepares a
// statement run without Prepare anew on every call, and SQLite parses it every time: a
// repayment's dozen statements spent a quarter of its time in SQLite's parser. The driver
// below wraps SQLite's and keeps, per connection, the last stmtCacheSize statements it ran,
// by their text; running one again binds and steps the prepared statement. PostgreSQL needs no
// such thing: pgx keeps a statement cache per connection itself.

// stmtCacheSize bounds the statements kept per connection. The queries built with a variable
// number of arguments (lists of ids) are the ones that come and go.
const stmtCacheSize = 256

// sqliteConnector opens SQLite connections that keep their statements prepared.
type sqliteConnector struct {
	dsn string
	drv driver.Driver
}

// openSQLite opens a pool of SQLite connections to dsn (a "file:…" URL with its parameters).
func openSQLite(dsn string) (*sql.DB, error) {
	plain, err := sql.Open("sqlite", dsn) // connects to nothing: it only names the driver
	if err != nil {
		return nil, err
	}
	drv := plain.Driver()
	plain.Close()
	return sql.OpenDB(&sqliteConnector{dsn: dsn, drv: drv}), nil
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn, stmts: map[string]*cachedStmt{}, lru: list.New()}, nil
}

func (c *sqliteConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what the wrapped connection offers beyond driver.Conn (modernc.org/sqlite's
// connection has all of it).
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is one SQLite connection with its prepared statements. database/sql uses a
// connection from one goroutine at a time, so it needs no lock; but a statement's rows may be
// open while the same query runs again (a query inside a loop over its own results), so a
// statement in use is not shared: the second run goes to the connection unprepared.
type cachingConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
	lru   *list.List // of *cachedStmt, most recently used first
}

type cachedStmt struct {
	query string
	st    driver.Stmt
	busy  bool // its rows are open
	elem  *list.Element
}

func (c *cachingConn) inner() sqliteConn { return c.conn.(sqliteConn) }

// stmt returns the connection's prepared statement for query, preparing it the first time;
// nil when it is in use (or cannot be kept), and the caller runs the query unprepared.
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil, nil
		}
		c.lru.MoveToFront(s.elem)
		return s, nil
	}
	if len(c.stmts) >= stmtCacheSize && !c.evict() {
		return nil, nil
	}
	st, err := c.inner().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{query: query, st: st}
	s.elem = c.lru.PushFront(s)
	c.stmts[query] = s
	return s, nil
}

// evict closes the least recently used statement not in use, and reports whether there was one.
func (c *cachingConn) evict() bool {
	for e := c.lru.Back(); e != nil; e = e.Prev() {
		s := e.Value.(*cachedStmt)
		if s.busy {
			continue
		}
		c.lru.Remove(e)
		delete(c.stmts, s.query)
		s.st.Close()
		return true
	}
	return false
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.inner().ExecContext(ctx, query, args)
	}
	return s.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.inner().QueryContext(ctx, query, args)
	}
	r, err := s.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{rows: r.(sqliteRows), s: s}, nil
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner().PrepareContext(ctx, query)
}
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.inner().BeginTx(context.Background(), driver.TxOptions{})
}
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, opts)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.inner().Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.inner().ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.inner().IsValid() }

// Close finalizes the statements, then closes the connection (SQLite refuses to close a
// connection whose statements are not finalized).
func (c *cachingConn) Close() error {
	for _, s := range c.stmts {
		s.st.Close()
	}
	c.lru.Init()
	clear(c.stmts)
	return c.conn.Close()
}

// sqliteRows is what modernc.org/sqlite's rows offer: database/sql asks for the column types.
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// cachedRows are the rows of a kept statement, which is free again once they are closed.
type cachedRows struct {
	rows sqliteRows
	s    *cachedStmt
}

func (r *cachedRows) Columns() []string              { return r.rows.Columns() }
func (r *cachedRows) Next(dest []driver.Value) error { return r.rows.Next(dest) }
func (r *cachedRows) Close() error {
	err := r.rows.Close()
	r.s.busy = false
	return err
}
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	return r.rows.ColumnTypeDatabaseTypeName(i)
}
func (r *cachedRows) ColumnTypeLength(i int) (int64, bool)  { return r.rows.ColumnTypeLength(i) }
func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) { return r.rows.ColumnTypeNullable(i) }
func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	return r.rows.ColumnTypePrecisionScale(i)
}
func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type { return r.rows.ColumnTypeScanType(i) }
