package sqldb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// openMigrated opens a migrated SQLite database for TestQueryPlans.
func openMigrated(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "internal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// The queries that read large sets must use their indexes, whatever SQLite's guesses: plans are
// checked here rather than discovered in production. SQLite only: the plans are SQLite's
// (EXPLAIN QUERY PLAN, which ExplainForTest reads); PostgreSQL's planner decides by the
// statistics of the data it holds, so a fresh test schema would say nothing about production.
func TestQueryPlans(t *testing.T) {
	db := openMigrated(t)
	for name, c := range map[string]struct {
		query      string
		want, bans []string
	}{
		"export page by key": {`SELECT ` + itemColumns + itemFromByKey + ` WHERE o.path >= $1 AND o.path < $2 AND i.id > $3 AND o.id = i.org_id AND c.id = i.creditor_id ORDER BY i.id LIMIT 500`,
			[]string{"SEARCH i USING INTEGER PRIMARY KEY"}, []string{"TEMP B-TREE"}},
		"subtree totals": {`SELECT kind, origin, SUM(items) FROM org_totals WHERE org_id = $1 AND day <= $2 AND rec_day <= $3 GROUP BY kind, origin`,
			[]string{"SEARCH org_totals USING PRIMARY KEY (org_id=? AND day<?)"}, nil},
		"subtree of units": {`SELECT ` + orgColumns + ` FROM orgs o WHERE o.path >= $1 AND o.path < $2 ORDER BY o.path LIMIT 50`,
			[]string{"INDEX sqlite_autoindex_orgs_1 (path>? AND path<?)"}, []string{"TEMP B-TREE"}},
		"import match by number": {matchByNo, []string{"SEARCH items USING COVERING INDEX items_no (org_id=? AND no=?)"}, nil},
		"import numbers of a chunk": {`SELECT org_id, no FROM items WHERE no <> '' AND org_id IN ($1) AND no IN ($2, $3)`,
			[]string{"SEARCH items USING COVERING INDEX items_no (org_id=? AND no=?)"}, nil},
		"import match by contract": {matchByContract,
			[]string{"SEARCH items USING COVERING INDEX items_contract (org_id=? AND creditor_id=? AND contract_no=?)"}, nil},
		"import match by debt":       {matchByDebt, []string{"SEARCH items USING INDEX items_contract (org_id=? AND creditor_id=?)"}, nil},
		"import same debt elsewhere": {sameDebtElsewhere, []string{"SEARCH i USING INDEX items_creditor (creditor_id=?)"}, nil},
		"entries of an item":         {`SELECT cat, on_date, du, dd FROM entries WHERE item_id = $1 ORDER BY id`, []string{"entries_item (item_id=?)"}, []string{"TEMP B-TREE"}},
	} {
		args := map[string][]any{
			"import match by debt":       {1, 1, "2019-01-01", "works", 1, 0},
			"import same debt elsewhere": {1, "2019-01-01", "works", 1, 0, 1, "/", "0"},
		}[name]
		if args == nil {
			args = []any{"/", "0", 0}
		}
		plan, err := db.ExplainForTest(context.Background(), c.query, args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all := strings.Join(plan, " | ")
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: plan %q lacks %q", name, all, w)
			}
		}
		for _, b := range c.bans {
			if strings.Contains(all, b) {
				t.Errorf("%s: plan %q has %q", name, all, b)
			}
		}
	}
}
