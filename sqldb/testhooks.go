package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// The two hooks below are for tests, and only for tests: the tests of other packages (web,
// xlsx) count rows and bulk-load ledgers with them, so they cannot live in export_test.go, and
// package sqldbtest cannot reach the pools without them. The hooks used by sqldb's own tests
// alone are in export_test.go.

// CountRows counts the rows of a table, which must be one of the ledger's tables.
func (db *DB) CountRows(ctx context.Context, table string) (int, error) {
	switch table {
	case "orgs", "creditors", "items", "entries", "plan_revisions", "plan_instalments", "vouchers", "voucher_uploads",
		"entry_vouchers", "org_totals", "idempotency_keys", "api_tokens", "audit_log", "users", "sessions", "bills", "statement_lines", "repayment_lines", "letters",
		"imports", "import_items":
	default:
		return 0, fmt.Errorf("unknown table %q", table)
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// WriteTxForTest runs fn in a raw write transaction, bypassing the services, the running totals
// and the audit trail. Benchmarks use it to bulk-load large ledgers, then call RebuildTotals.
func (db *DB) WriteTxForTest(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
