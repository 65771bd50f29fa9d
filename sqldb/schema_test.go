package sqldb_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The two schemas have the same tables and columns, and each column holds the same kind of
// value (integer, text, date, timestamp, boolean) on both.
func TestSchemasAgree(t *testing.T) {
	if os.Getenv(sqldbtest.EnvPostgres) == "" {
		t.Skip(sqldbtest.EnvPostgres + " not set")
	}
	lite := describe(t, sqldbtest.MustOpen(t, "sqlite"))
	pg := describe(t, sqldbtest.MustOpen(t, "postgres"))
	if strings.Join(lite, "\n") != strings.Join(pg, "\n") {
		t.Fatalf("schemas differ:\nsqlite:\n%s\n\npostgres:\n%s", strings.Join(lite, "\n"), strings.Join(pg, "\n"))
	}
}

func describe(t *testing.T, db *sqldb.DB) []string {
	cols, err := db.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := append([]string(nil), cols...)
	sort.Strings(out)
	return out
}
