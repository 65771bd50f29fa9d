package sqldb_test

import (
	"context"
	"errors"
	"io/fs"
	"sync"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// Migrate says what it applied: everything on a new database, nothing the second time.
func TestMigrateReportsWhatItApplied(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqldb.Open(sqldbtest.FreshDSN(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			pending, err := db.PendingMigrations(ctx)
			if err != nil || len(pending) == 0 {
				t.Fatalf("pending on a new database: %v %v", pending, err)
			}
			applied, err := db.MigrateReport(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != len(pending) || applied[0] != pending[0] || applied[len(applied)-1] != pending[len(pending)-1] {
				t.Fatalf("applied %v, pending were %v", applied, pending)
			}
			again, err := db.MigrateReport(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("second run applied %v (%v)", again, err)
			}
		})
	}
}

// A database migrated by a newer program (a migration this one does not know is applied) is
// refused: by Migrate, by the schema check and by the readiness probe.
func TestOlderProgramRefusesNewerSchema(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.ExecForTest(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_from_the_future.sql', '2030-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		var newer *sqldb.NewerSchemaError
		err := db.Migrate(ctx)
		if !errors.As(err, &newer) || len(newer.Unknown) != 1 || newer.Unknown[0] != "9999_from_the_future.sql" {
			t.Fatalf("Migrate on a newer schema: %v", err)
		}
		if err := db.CheckSchema(ctx); !errors.As(err, &newer) {
			t.Fatalf("CheckSchema: %v", err)
		}
		if err := db.Ping(ctx); !errors.As(err, &newer) {
			t.Fatalf("Ping: %v", err)
		}
	})
}

// Several programs migrating one new database at once all succeed, and each migration is
// applied once.
func TestConcurrentMigrationsAreSerialised(t *testing.T) {
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			for round := 0; round < 3; round++ {
				dsn := sqldbtest.FreshDSN(t, dialect)
				const n = 4
				var wg sync.WaitGroup
				errs := make([]error, n)
				counts := make([]int, n)
				for i := range n {
					db, err := sqldb.Open(dsn)
					if err != nil {
						t.Fatal(err)
					}
					defer db.Close()
					wg.Add(1)
					go func() {
						defer wg.Done()
						applied, err := db.MigrateReport(ctx)
						errs[i], counts[i] = err, len(applied)
					}()
				}
				wg.Wait()
				total := 0
				for i := range n {
					if errs[i] != nil {
						t.Fatalf("round %d, migration %d: %v", round, i, errs[i])
					}
					total += counts[i]
				}
				db, err := sqldb.Open(dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				all, _ := fs.Glob(sqldb.Migrations(), "migrations/"+dialect+"/*.sql")
				if total != len(all) {
					t.Fatalf("round %d: %d migrations applied in all, want %d", round, total, len(all))
				}
				if pending, err := db.PendingMigrations(ctx); err != nil || len(pending) != 0 {
					t.Fatalf("pending after: %v %v", pending, err)
				}
			}
		})
	}
}
