package sqldb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is the only place that knows SQLite and PostgreSQL differ. Every query is written
// once with $n placeholders, which both accept.
type dialect struct {
	name string
	// forUpdate locks the selected rows until commit; SQLite needs nothing because its write
	// transactions are immediate and therefore already exclusive.
	forUpdate string
}

var (
	sqliteDialect   = dialect{name: "sqlite"}
	postgresDialect = dialect{name: "postgres", forUpdate: " FOR UPDATE"}
)

// param is the placeholder of the i-th (from 1) argument of a long generated statement whose
// placeholders appear in the order of their arguments: "?" on SQLite, whose driver binds "$N"
// by looking each name up (the square of their number in a statement of thousands), "$i" on
// PostgreSQL.
func (d dialect) param(i int) string {
	if d.name == "sqlite" {
		return "?"
	}
	return "$" + strconv.Itoa(i)
}

// inList is the placeholders of an IN list of ids, "?, ?" or "$1, $2", and its arguments.
func (d dialect) inList(ids []int64) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		args[i] = id
		b.WriteString(d.param(i + 1))
	}
	return b.String(), args
}

// addDays is a date column n days later.
func (d dialect) addDays(col string, n int) string {
	if d.name == "postgres" {
		return fmt.Sprintf("(%s + %d)", col, n)
	}
	return fmt.Sprintf("date(%s, '%+d days')", col, n)
}

// monthOf is the first day of the month of a date column.
func (d dialect) monthOf(col string) string {
	if d.name == "postgres" {
		return "CAST(date_trunc('month', " + col + ") AS DATE)"
	}
	return "(substr(" + col + ", 1, 8) || '01')"
}

// forUpdateOf locks only the rows of one table of a join (PostgreSQL refuses to lock the
// nullable side of an outer join and need not lock the others).
func (d dialect) forUpdateOf(table string) string {
	if d.forUpdate == "" {
		return ""
	}
	return d.forUpdate + " OF " + table
}

// tsLayout is the fixed-width UTC form timestamps take in SQLite: it sorts as text in time order.
const tsLayout = "2006-01-02T15:04:05.000000Z"

// ts converts an instant into the value the database stores. Instants are kept to the
// microsecond, the precision of PostgreSQL's timestamptz, so a value reads back equal.
func (d dialect) ts(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.name == "sqlite" {
		return t.Format(tsLayout)
	}
	return t
}

// isUnique reports a unique-constraint violation (SQLite 2067/1555, PostgreSQL 23505).
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isRetryable reports a failure that running the transaction again may not meet: a
// serialization failure or a deadlock (PostgreSQL 40001, 40P01).
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// isBusy reports a failure to get a lock in time: a retryable failure that ran out of retries, a
// lock that was not available (PostgreSQL 55P03), or SQLite's busy and locked answers.
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	var pe *pgconn.PgError
	return isRetryable(err) || (errors.As(err, &pe) && pe.Code == "55P03")
}

// isForeignKey reports a foreign-key violation (SQLite 787, PostgreSQL 23503).
func isForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// isPostgres tells a PostgreSQL URL from a SQLite file path.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// timeCol scans a timestamp stored as RFC 3339 text (SQLite) or returned as a time (PostgreSQL).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*c.t = t.UTC()
	return nil
}
