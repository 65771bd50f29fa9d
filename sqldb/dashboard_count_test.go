package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The dashboard's counts (items overdue, owing without a funding source, disputed: asked for
// the count alone, which the partial indexes of migration 0031 answer) equal the items counted
// one by one from each item's own balance, for the province, a group and a unit, after items
// were cleared, given a later or no due date and a funding source, and a repayment reversed.
func TestDashboardCountsEqualItemByItem(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		p, err := db.LoadBenchProvince(ctx, 300)
		if err != nil {
			t.Fatal(err)
		}
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("test"))
		items, entries := sqldb.NewItemService(db), sqldb.NewEntryService(db)
		today := qingqian.DateOf(db.Now())
		item := func(id int64) *qingqian.Item {
			t.Helper()
			it, err := items.FindItemByID(sys, id, qingqian.Date{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		// Cleared: items 1-6; items 10 and 20 repaid their undisputed part and still dispute the rest.
		for _, id := range []int64{1, 2, 3, 4, 5, 6, 10, 20} {
			it := item(id)
			if _, err := entries.RecordEntry(sys, qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2024-03-01"),
				Amount: it.Balance.OutstandingUndisputed, Method: qingqian.MethodTransfer}); err != nil {
				t.Fatal(err)
			}
		}
		// A repayment reversed: item 13 owes again.
		e, err := entries.RecordEntry(sys, qingqian.EntryInput{ItemID: 13, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2024-03-02"),
			Amount: item(13).Balance.OutstandingUndisputed, Method: qingqian.MethodTransfer})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := entries.ReverseEntry(sys, qingqian.EntryInput{ReversesID: e.ID, Reason: "录入错误", On: qingqian.MustParseDate("2024-03-03")}); err != nil {
			t.Fatal(err)
		}
		// Not yet due, or no due date; a funding source found, or lost.
		later, own, none := today.AddDays(30), qingqian.FundingOwn, qingqian.FundingNone
		noDue := qingqian.Date{}
		for id, u := range map[int64]qingqian.ItemUpdate{
			7: {DueOn: &later}, 8: {DueOn: &noDue}, 9: {DueOn: &later, FundingSource: &own},
			12: {FundingSource: &own}, 14: {FundingSource: &none}, 16: {FundingSource: &none},
		} {
			u.Version = item(id).Version
			if _, err := items.UpdateItem(sys, id, u); err != nil {
				t.Fatalf("item %d: %v", id, err)
			}
		}
		paths := map[int64]string{}
		pathOf := func(org int64) string {
			t.Helper()
			if paths[org] == "" {
				o, err := sqldb.NewOrgService(db).FindOrgByID(sys, org)
				if err != nil {
					t.Fatal(err)
				}
				paths[org] = o.Path
			}
			return paths[org]
		}
		// Item by item, from each item's balance as its page shows it.
		type counts struct{ overdue, unfunded, disputed int }
		byOrg := map[int64]*counts{}
		for _, org := range []int64{p.Root, p.Groups[0], p.Leaves[20]} {
			byOrg[org] = &counts{}
		}
		var after int64
		for {
			page, err := items.FindItems(sys, qingqian.ItemFilter{Sort: "id", AfterID: after, NoTotals: true, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) == 0 {
				break
			}
			for _, listed := range page.Items {
				after = listed.ID
				it := item(listed.ID)
				owing := it.Balance.Outstanding > 0
				path := pathOf(it.OrgID)
				for org, c := range byOrg {
					if !strings.HasPrefix(path, pathOf(org)) {
						continue
					}
					if owing && !it.DueOn.IsZero() && it.DueOn.Before(today) {
						c.overdue++
					}
					if owing && it.FundingSource == qingqian.FundingNone {
						c.unfunded++
					}
					if it.Balance.OutstandingDisputed > 0 {
						c.disputed++
					}
				}
			}
		}
		yes, one := true, qingqian.Money(1)
		for org, want := range byOrg {
			if want.overdue == 0 || want.unfunded == 0 || want.disputed == 0 {
				t.Fatalf("unit %d: nothing to count: %+v", org, *want)
			}
			for _, c := range []struct {
				name string
				want int
				f    qingqian.ItemFilter
			}{
				{"overdue", want.overdue, qingqian.ItemFilter{Overdue: &yes}},
				{"unfunded", want.unfunded, qingqian.ItemFilter{FundingSource: &none, MinAmount: &one}},
				{"disputed", want.disputed, qingqian.ItemFilter{Disputed: &yes}},
			} {
				for _, countOnly := range []bool{true, false} {
					f := c.f
					f.OrgID, f.AsOf, f.Limit, f.CountOnly = org, today, 1, countOnly
					page, err := items.FindItems(sys, f)
					if err != nil {
						t.Fatal(err)
					}
					if page.Total != c.want {
						t.Errorf("unit %d, %s (count only %v): %d; item by item %d", org, c.name, countOnly, page.Total, c.want)
					}
					if countOnly && len(page.Items) != 0 {
						t.Errorf("unit %d, %s: the count alone listed %d items", org, c.name, len(page.Items))
					}
				}
			}
		}
	})
}
