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

// appliedMigrations lists the migrations recorded in schema_migrations, through q; none when the
// table does not exist yet.
func (db *DB) appliedMigrations(ctx context.Context, q queryer) (map[string]bool, error) {
	applied := map[string]bool{}
	rows, err := q.QueryContext(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		if strings.Contains(err.Error(), "schema_migrations") {
			return applied, nil
		}
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		applied[n] = true
	}
	return applied, rows.Err()
}

// migrationState compares the embedded migrations with those applied: the ones to apply, and
// the applied ones this program does not know (the database was migrated by a newer version).
func (db *DB) migrationState(ctx context.Context, q queryer) (pending, unknown []string, err error) {
	names, err := db.migrationNames()
	if err != nil {
		return nil, nil, err
	}
	applied, err := db.appliedMigrations(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	known := map[string]bool{}
	for _, n := range names {
		base := n[strings.LastIndex(n, "/")+1:]
		known[base] = true
		if !applied[base] {
			pending = append(pending, base)
		}
	}
	for n := range applied {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	sort.Strings(unknown)
	return pending, unknown, nil
}

// PendingMigrations lists migrations not yet applied.
func (db *DB) PendingMigrations(ctx context.Context) ([]string, error) {
	pending, _, err := db.migrationState(ctx, db.read)
	return pending, err
}

// NewerSchemaError is the refusal to work on a database migrated by a newer version of the
// program: this one does not know its schema and would write what that schema no longer means.
type NewerSchemaError struct {
	Unknown []string // the applied migrations this program does not have
}

func (e *NewerSchemaError) Error() string {
	return "数据库结构比本程序新：已应用的迁移 " + strings.Join(e.Unknown, "、") +
		" 本程序不认识。请改用与数据库相同或更新版本的 qingqian（不要用旧版本程序打开新版本的数据库）"
}

// CheckSchema refuses a database whose applied migrations this program does not all know.
func (db *DB) CheckSchema(ctx context.Context) error {
	_, unknown, err := db.migrationState(ctx, db.read)
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return &NewerSchemaError{Unknown: unknown}
	}
	return nil
}

// Migrate applies the embedded migrations not yet applied, each in its own transaction.
// schema_migrations records a migration by its file name alone, with no checksum: one that was
// applied is never run again, so editing its comments changes nothing for an existing database.
// Its statements must not change: a change of the schema is a new migration.
func (db *DB) Migrate(ctx context.Context) error {
	_, err := db.MigrateReport(ctx)
	return err
}

// MigrateReport is Migrate returning the names of the migrations it applied, in order.
//
// It refuses a database that has a migration applied which this program does not know
// (NewerSchemaError): an older binary on a newer schema. Two programs migrating at once are
// serialised: on PostgreSQL by an advisory lock held for the whole run (per schema), on SQLite by
// the write lock of each migration's transaction, in which the migration is looked up again; a
// program that waited for that lock longer than the busy timeout (another applying many
// migrations) tries again, for up to migrateWait, going on from what the other has applied.
func (db *DB) MigrateReport(ctx context.Context) (applied []string, err error) {
	if db.d.name == "sqlite" {
		deadline := time.Now().Add(migrateWait)
		for {
			more, err := db.migrateOnce(ctx)
			applied = append(applied, more...)
			if err == nil || !isBusy(err) || time.Now().After(deadline) {
				return applied, err
			}
			select {
			case <-ctx.Done():
				return applied, err
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return db.migrateOnce(ctx)
}

// migrateWait is how long a program migrating SQLite keeps trying while another holds the lock.
const migrateWait = 2 * time.Minute

func (db *DB) migrateOnce(ctx context.Context) (applied []string, err error) {
	if db.d.name == "postgres" {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		const key = `hashtext('qingqian.migrate.' || current_schema())`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
			return nil, fmt.Errorf("lock migrations: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	pending, unknown, err := db.migrationState(ctx, db.write)
	if err != nil {
		return nil, err
	}
	if len(unknown) > 0 {
		return nil, &NewerSchemaError{Unknown: unknown}
	}
	for _, name := range pending {
		done, err := db.applyMigration(ctx, name)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

// applyMigration applies one migration in a transaction, unless another program applied it
// meanwhile (it reports false then).
func (db *DB) applyMigration(ctx context.Context, name string) (bool, error) {
	body, err := migrations.ReadFile("migrations/" + db.d.name + "/" + name)
	if err != nil {
		return false, err
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return false, fmt.Errorf("migration %s: %w", name, err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return false, fmt.Errorf("migration %s: %w", name, err)
	}
	if after := afterMigration[name]; after != nil {
		t := &Tx{Tx: tx, db: db, now: db.Now().UTC().Truncate(time.Microsecond), actor: qingqian.SystemActor("migrate")}
		if err := after(ctx, t); err != nil {
			return false, fmt.Errorf("migration %s: %w", name, err)
		}
		// What it wrote through the services (audited, totals kept) is finished as inTx does.
		if err := t.finish(ctx); err != nil {
			return false, fmt.Errorf("migration %s: %w", name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, db.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: %w", name, err)
	}
	return true, nil
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
	"0009_clue_dates.sql": migrateClueDates,
	// Counters for document numbers; the root's running totals hold its own items only.
	"0014_writers_apart.sql": migrateWritersApart,
	// The LPR table starts with the publications shipped in payrules/lpr.csv.
	"0015_contracts_payables.sql": seedLPR,
	// The letters' counters start from the numbers of the letters already issued.
	"0023_letters_bills_annex.sql": func(ctx context.Context, tx *Tx) error { return tx.fillCounters(ctx, "letter") },
	// The calendar gained the years 2020–2024, which the 2020 rules' due dates are counted on,
	// and the payables' parts their holds and bills (0027): every contract's payables again.
	"0030_calendar_2020_2024.sql": migrateCalendarAndPayables,
}

// migrateCalendarAndPayables is the work of migration 0030: the shipped calendar years a
// database lacks, then every contract's payables derived again (their due dates may reach into
// those years, and their parts now keep holds and bills).
func migrateCalendarAndPayables(ctx context.Context, tx *Tx) error {
	if err := seedMissingCalendar(ctx, tx); err != nil {
		return err
	}
	tx.payCal = nil
	_, err := tx.recomputeContractsSignedFrom(ctx, qingqian.NewDate(1900, 1, 1))
	return err
}
