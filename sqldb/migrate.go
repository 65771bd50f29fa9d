package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the embedded migration files, for tests and tools.
func Migrations() fs.FS { return migrations }

func (db *DB) migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations, "migrations/"+db.d.name+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// PendingMigrations lists migrations not yet applied.
func (db *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	names, err := db.migrationNames()
	if err != nil {
		return nil, err
	}
	applied := map[string]bool{}
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err == nil {
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, err
			}
			applied[n] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	} else if !strings.Contains(err.Error(), "schema_migrations") {
		return nil, err
	}
	var pending []string
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		if !applied[base] {
			pending = append(pending, base)
		}
	}
	return pending, nil
}

// Migrate applies the embedded migrations not yet applied, each in its own transaction.
// schema_migrations records a migration by its file name alone, with no checksum: one that was
// applied is never run again, so editing its comments changes nothing for an existing database.
// Its statements must not change: a change of the schema is a new migration.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	for _, name := range pending {
		body, err := migrations.ReadFile("migrations/" + db.d.name + "/" + name)
		if err != nil {
			return err
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if after := afterMigration[name]; after != nil {
			if err := after(ctx, &Tx{Tx: tx, db: db, now: db.Now(), actor: qingqian.SystemActor("migrate")}); err != nil {
				tx.Rollback()
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, db.Now().UTC().Format(time.RFC3339)); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return db.warmStatements(ctx)
}

// afterMigration holds the work a migration needs beyond its SQL, done in its transaction.
var afterMigration = map[string]func(ctx context.Context, tx *Tx) error{
	// The running totals gained the repayment and voucher counts: recompute them.
	"0004_reports.sql": func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_totals`); err != nil {
			return fmt.Errorf("delete from org_totals: %w", err)
		}
		return tx.insertComputedTotals(ctx, "org_totals")
	},
	// The holiday calendar starts with the years published so far.
	"0005_clues_cases.sql":    seedCalendar,
	"0006_monthly_totals.sql": func(ctx context.Context, tx *Tx) error { return tx.rollUpMonths(ctx, "org_totals", "org_totals_month") },
	// Clues gained the dates that happened and provisional deadlines.
	"0010_clue_dates.sql": migrateClueDates,
}
