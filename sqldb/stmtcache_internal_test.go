package sqldb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// SQLite's connections keep their statements: a query run again while its own rows are still
// open (a loop over a query's results that runs the same query) gets its own statement, and a
// connection holding stmtCacheSize statements drops the least recently used, never one in use.
func TestSQLiteKeepsStatementsPerConnection(t *testing.T) {
	ctx := context.Background()
	pool, err := openSQLite("file:" + filepath.Join(t.TempDir(), "c.db") + "?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pool.SetMaxOpenConns(1)
	if _, err := pool.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for k := range 5 {
		if _, err := pool.ExecContext(ctx, `INSERT INTO t (k, v) VALUES ($1, $2)`, k, fmt.Sprint("v", k)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT k, v FROM t WHERE k >= $1 ORDER BY k`
	outer, err := tx.QueryContext(ctx, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for outer.Next() {
		var k int
		var v string
		if err := outer.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		var inner []string
		rows, err := tx.QueryContext(ctx, q, k) // the same text, its statement busy with outer
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k2 int
			var v2 string
			rows.Scan(&k2, &v2)
			inner = append(inner, v2)
		}
		rows.Close()
		if len(inner) != 5-k || inner[0] != v {
			t.Fatalf("inner query from %d: %v", k, inner)
		}
		n++
	}
	outer.Close()
	if n != 5 {
		t.Fatalf("outer query read %d rows, want 5", n)
	}
	// More distinct statements than a connection keeps, with one held open meanwhile.
	held, err := tx.QueryContext(ctx, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range stmtCacheSize + 10 {
		var got int
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d + COUNT(*) FROM t`, i)).Scan(&got); err != nil || got != i+5 {
			t.Fatalf("statement %d: %d %v", i, got, err)
		}
	}
	m := 0
	for held.Next() {
		m++
	}
	if held.Close(); m != 5 {
		t.Fatalf("the held query read %d rows after the others, want 5", m)
	}
}
