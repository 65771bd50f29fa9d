package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// eachDB runs fn on a new SQLite data folder and, when PostgreSQL is available, on a fresh
// PostgreSQL schema with a data folder of its own; args are the flags naming them.
func eachDB(t *testing.T, fn func(t *testing.T, dialect string, args []string)) {
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--data", dir}
			if dialect == "postgres" {
				args = append(args, "--db", sqldbtest.FreshDSN(t, dialect))
			}
			fn(t, dialect, args)
		})
	}
}

// rawDB opens the database the args name, for a test to look at or tamper with.
func rawDB(t *testing.T, dialect string, args []string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if dialect == "postgres" {
		db, err = sql.Open("pgx", args[3])
	} else {
		db, err = sql.Open("sqlite", args[1]+"/qingqian.db")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func runArgs(t *testing.T, cmd []string, args []string, more ...string) (string, error) {
	t.Helper()
	return run(t, append(append(append([]string{}, cmd...), args...), more...)...)
}

// migrate names the migrations it applied, then says there were none; a program older than the
// database's schema refuses to start, whatever the command.
func TestMigrateSaysWhatItApplied(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		out, err := runArgs(t, []string{"migrate"}, args)
		if err != nil || !strings.Contains(out, "0001_ledger.sql") || !strings.Contains(out, "已应用") {
			t.Fatalf("first migrate: %v\n%s", err, out)
		}
		out, err = runArgs(t, []string{"migrate"}, args)
		if err != nil || !strings.Contains(out, "没有需要应用的迁移") || strings.Contains(out, "0001_ledger.sql") {
			t.Fatalf("second migrate: %v\n%s", err, out)
		}
		db := rawDB(t, dialect, args)
		if _, err := db.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_newer.sql', '2030-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"migrate"}, {"verify"}, {"serve", "--addr", "127.0.0.1:0"}} {
			out, err := runArgs(t, cmd, args)
			if err == nil || !strings.Contains(out+err.Error(), "数据库结构比本程序新") || !strings.Contains(out+err.Error(), "9999_newer.sql") {
				t.Fatalf("%s on a newer schema: %v\n%s", cmd[0], err, out)
			}
		}
	})
}

var _ = context.Background
