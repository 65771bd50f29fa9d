package sqldb

import (
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
)

// The dashboard's counts of the current ledger (items overdue, owing without a funding source,
// disputed) read the partial indexes of migration 0031, which hold only the items they count,
// and never the items table, for the province and for a group; the signals list their first
// repayments along the repayments' index by business day. SQLite's plans, as TestQueryPlans.
func TestDashboardQueryPlans(t *testing.T) {
	db := openMigrated(t)
	ctx := context.Background()
	p, err := db.LoadBenchProvince(ctx, 2000)
	if err != nil {
		t.Fatal(err)
	}
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("test"))
	var query string
	var qargs []any
	onCountItems = func(q string, a []any) { query, qargs = q, a }
	t.Cleanup(func() { onCountItems = nil })
	yes, none, one := true, qingqian.FundingNone, qingqian.Money(1)
	today := qingqian.DateOf(db.Now())
	for _, org := range []struct {
		name string
		id   int64
	}{{"province", p.Root}, {"group", p.Groups[3]}} {
		for _, c := range []struct {
			name, index string
			f           qingqian.ItemFilter
		}{
			{"overdue", "items_owing", qingqian.ItemFilter{Overdue: &yes}},
			{"unfunded", "items_owing_unfunded", qingqian.ItemFilter{FundingSource: &none, MinAmount: &one}},
			{"disputed", "items_owing_disputed", qingqian.ItemFilter{Disputed: &yes}},
		} {
			f := c.f
			f.OrgID, f.AsOf, f.Limit, f.CountOnly = org.id, today, 1, true
			query = ""
			if _, err := NewItemService(db).FindItems(sys, f); err != nil {
				t.Fatal(err)
			}
			if query == "" {
				t.Fatalf("%s %s: no count was asked", org.name, c.name)
			}
			plan, err := db.ExplainForTest(ctx, query, qargs...)
			if err != nil {
				t.Fatalf("%s %s: %v", org.name, c.name, err)
			}
			all := strings.Join(plan, " | ")
			covered := false
			for _, step := range plan {
				// "SCAN i USING COVERING INDEX x" for the province, "SEARCH i USING COVERING
				// INDEX x (org_id=?)" for a group; "SCAN i" alone reads the table.
				name, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(step, "SCAN i USING COVERING INDEX "), "SEARCH i USING COVERING INDEX "), " ")
				covered = covered || (name == c.index && name != step)
				if step == "SCAN i" || strings.Contains(step, "TEMP B-TREE") {
					t.Errorf("%s %s: plan %q has %q", org.name, c.name, all, step)
				}
			}
			if !covered {
				t.Errorf("%s %s: plan %q does not read the covering index %s\n%s", org.name, c.name, all, c.index, query)
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
