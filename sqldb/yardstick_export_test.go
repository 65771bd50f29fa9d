package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// YardstickPart names rows of a table that a yardstick writes again: those of Table matching
// Where (a condition, "" for all).
type YardstickPart struct{ Table, Where string }

// YardstickForTest copies the given tables as y_<table> with all their indexes (PostgreSQL:
// LIKE … INCLUDING ALL, which leaves out foreign keys; SQLite: the tables' own CREATE
// statements renamed, foreign keys among the copies pointing to the copies), reads the rows of
// each part into memory, and returns a function that writes them into the copies in one
// transaction, in the order of the parts, and reports how long that took: pgx CopyFrom on
// PostgreSQL, one prepared single-row INSERT per table on SQLite.
func (db *DB) YardstickForTest(ctx context.Context, parts []YardstickPart) (load func() (time.Duration, error), rows int, err error) {
	type data struct {
		table string
		cols  []string
		rows  [][]any
	}
	var all []data
	copied := map[string]bool{}
	for _, p := range parts {
		copied[p.Table] = true
	}
	for _, p := range parts {
		if err := db.copyTable(ctx, p.Table, copied); err != nil {
			return nil, 0, fmt.Errorf("copy %s: %w", p.Table, err)
		}
		q := `SELECT * FROM ` + p.Table
		if p.Where != "" {
			q += ` WHERE ` + p.Where
		}
		rs, err := db.write.QueryContext(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		cols, _ := rs.Columns()
		d := data{table: "y_" + p.Table, cols: cols}
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return nil, 0, err
			}
			d.rows = append(d.rows, vals)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return nil, 0, err
		}
		rows += len(d.rows)
		all = append(all, d)
	}
	if db.d.name == "postgres" {
		return func() (time.Duration, error) {
			conn, err := db.write.Conn(ctx)
			if err != nil {
				return 0, err
			}
			defer conn.Close()
			var took time.Duration
			err = conn.Raw(func(dc any) error {
				c := dc.(*stdlib.Conn).Conn()
				start := time.Now()
				tx, err := c.Begin(ctx)
				if err != nil {
					return err
				}
				defer tx.Rollback(ctx)
				for _, d := range all {
					if _, err := tx.CopyFrom(ctx, pgx.Identifier{d.table}, d.cols, pgx.CopyFromRows(d.rows)); err != nil {
						return fmt.Errorf("copy into %s: %w", d.table, err)
					}
				}
				err = tx.Commit(ctx)
				took = time.Since(start)
				return err
			})
			return took, err
		}, rows, nil
	}
	return func() (time.Duration, error) {
		start := time.Now()
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		for _, d := range all {
			ins := `INSERT INTO ` + d.table + ` (` + strings.Join(d.cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(d.cols)-1) + `)`
			st, err := tx.PrepareContext(ctx, ins)
			if err != nil {
				return 0, err
			}
			for _, r := range d.rows {
				if _, err := st.ExecContext(ctx, r...); err != nil {
					st.Close()
					return 0, fmt.Errorf("insert into %s: %w", d.table, err)
				}
			}
			st.Close()
		}
		err = tx.Commit()
		return time.Since(start), err
	}, rows, nil
}

var (
	createTable = regexp.MustCompile(`(?i)^CREATE TABLE "?(\w+)"?`)
	createIndex = regexp.MustCompile(`(?i)^CREATE (UNIQUE )?INDEX "?(\w+)"? ON "?(\w+)"?`)
	references  = regexp.MustCompile(`(?i)REFERENCES "?(\w+)"?`)
)

// copyTable creates y_<table> like table, with its indexes.
func (db *DB) copyTable(ctx context.Context, table string, copied map[string]bool) error {
	if db.d.name == "postgres" {
		_, err := db.write.ExecContext(ctx, `DROP TABLE IF EXISTS y_`+table+`; CREATE TABLE y_`+table+` (LIKE `+table+` INCLUDING ALL)`)
		return err
	}
	rows, err := db.write.QueryContext(ctx, `SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL AND type IN ('table', 'index') ORDER BY type = 'index'`, table)
	if err != nil {
		return err
	}
	var stmts []string
	for rows.Next() {
		var kind string
		var text sql.NullString
		if err := rows.Scan(&kind, &text); err != nil {
			rows.Close()
			return err
		}
		s := text.String
		s = createTable.ReplaceAllString(s, `CREATE TABLE y_$1`)
		s = createIndex.ReplaceAllString(s, `CREATE ${1}INDEX y_$2 ON y_$3`)
		s = references.ReplaceAllStringFunc(s, func(m string) string {
			t := references.FindStringSubmatch(m)[1]
			if copied[t] {
				return "REFERENCES y_" + t
			}
			return m
		})
		stmts = append(stmts, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(stmts) == 0 {
		return fmt.Errorf("no table %s", table)
	}
	if _, err := db.write.ExecContext(ctx, `DROP TABLE IF EXISTS y_`+table); err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := db.write.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
