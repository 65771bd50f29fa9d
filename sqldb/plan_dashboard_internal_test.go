package sqldb

import (
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
)

// The dashboard's counts of the current ledger (items overdue, owing without a funding source,
// disputed) read the counts kept by unit (org_owing, migration 0032) and, for the overdue ones,
// the items not yet due along the partial index items_owing unit by unit, never the items table
// nor a whole index, for the province and for a group; the signals list their first
// repayments along the repayments' index by business day. SQLite's plans, as TestQueryPlans.
func TestDashboardQueryPlans(t *testing.T) {
	db := openMigrated(t)
	ctx := context.Background()
	p, err := db.LoadBenchProvince(ctx, 2000)
	if err != nil {
		t.Fatal(err)
	}
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("test"))
	type asked struct {
		query string
		args  []any
	}
	var queries []asked
	onCountItems = func(q string, a []any) { queries = append(queries, asked{q, a}) }
	t.Cleanup(func() { onCountItems = nil })
	yes, none, one := true, qingqian.FundingNone, qingqian.Money(1)
	today := qingqian.DateOf(db.Now())
	for _, org := range []struct {
		name string
		id   int64
	}{{"province", p.Root}, {"group", p.Groups[3]}} {
		for _, c := range []struct {
			name, index string // the index of the items read, "" for none
			f           qingqian.ItemFilter
		}{
			{"overdue", "items_owing", qingqian.ItemFilter{Overdue: &yes}},
			{"unfunded", "", qingqian.ItemFilter{FundingSource: &none, MinAmount: &one}},
			{"disputed", "", qingqian.ItemFilter{Disputed: &yes}},
		} {
			f := c.f
			f.OrgID, f.AsOf, f.Limit, f.CountOnly = org.id, today, 1, true
			queries = nil
			if _, err := NewItemService(db).FindItems(sys, f); err != nil {
				t.Fatal(err)
			}
			if len(queries) == 0 {
				t.Fatalf("%s %s: no count was asked", org.name, c.name)
			}
			covered, kept := false, false
			for _, q := range queries {
				plan, err := db.ExplainForTest(ctx, q.query, q.args...)
				if err != nil {
					t.Fatalf("%s %s: %v", org.name, c.name, err)
				}
				all := strings.Join(plan, " | ")
				for _, step := range plan {
					// "SEARCH i USING COVERING INDEX items_owing (org_id=? AND due_on>?)": the
					// items not yet due, unit by unit; "SCAN i" alone reads the table, a scan of
					// the index reads every item owing.
					covered = covered || strings.HasPrefix(step, "SEARCH i USING COVERING INDEX "+c.index+" (org_id=? AND due_on>?)")
					kept = kept || strings.Contains(step, "org_owing")
					if strings.HasPrefix(step, "SCAN i") || strings.Contains(step, "TEMP B-TREE") {
						t.Errorf("%s %s: plan %q has %q", org.name, c.name, all, step)
					}
				}
			}
			if !kept {
				t.Errorf("%s %s: the counts kept by unit (org_owing) were not read", org.name, c.name)
			}
			if c.index != "" && !covered {
				t.Errorf("%s %s: the items not yet due were not read along %s by unit and due date", org.name, c.name, c.index)
			}
			if c.index == "" && len(queries) != 1 {
				t.Errorf("%s %s: %d queries, want the kept counts alone", org.name, c.name, len(queries))
			}
		}
	}
	// A large subtree's first repayments without a voucher: along the repayments' index by
	// business day, in its order (nothing sorted), the items and units looked up by key.
	plan, err := db.ExplainForTest(ctx, firstRepaymentsSQL(db.d, noVoucherSQL, true), today, "/", "0")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, " | ")
	if !strings.Contains(plan[0], " e USING INDEX entries_repay_on") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("first repayments of a large subtree: plan %q", all)
	}
}
