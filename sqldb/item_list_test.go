package sqldb_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestItemPagesByKey checks that paging by key, forwards and backwards, gives the rows that
// paging by offset gives, in every sort order (ties and undated items included), with filters,
// and that the count and sums from the running totals match those counted from the items.
func TestItemPagesByKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-10-01 10:00")
		kinds := []qingqian.ItemKind{qingqian.KindWorks, qingqian.KindGoods, qingqian.KindServices}
		units := []*qingqian.Org{f.subA1, f.groupA, f.groupB}
		var ids []int64
		for i := range 23 {
			it := &qingqian.Item{OrgID: units[i%3].ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractNo: fmt.Sprintf("HT-%02d", i),
				Kind: kinds[i%3], ArisenOn: qingqian.MustParseDate("2020-01-10").AddDays(i % 4), Origin: qingqian.OriginBaseline,
				Undisputed: qingqian.Yuan(int64(100 * (1 + i%5))), FundingSource: qingqian.FundingOwn}
			if i%4 != 0 { // every fourth has no due date: NULLs among the keys
				it.DueOn = qingqian.MustParseDate("2020-03-01").AddDays(i % 3)
			}
			if i%6 == 0 {
				it.Disputed, it.DisputeReason = qingqian.Yuan(50), "结算有争议"
			}
			if err := f.items.CreateItem(f.sys, it); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, it.ID)
		}
		for i, id := range ids[:8] {
			if _, err := f.entries.RecordEntry(f.sys, qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-01-05"),
				Amount: qingqian.Yuan(int64(10 * (i%2 + 1))), Method: qingqian.MethodTransfer}); err != nil {
				t.Fatal(err)
			}
		}
		yes, zero := true, qingqian.Money(0)
		filters := map[string]qingqian.ItemFilter{
			"all": {}, "kind": {Kind: qingqian.KindGoods}, "group": {OrgID: f.groupA.ID}, "disputed": {Disputed: &yes},
			"as-of": {AsOf: qingqian.MustParseDate("2020-01-11")}, "as-of-kind": {AsOf: qingqian.MustParseDate("2020-01-12"), Kind: qingqian.KindWorks},
		}
		sorts := []string{"", "id", "-id", "due_on", "-due_on", "arisen_on", "-arisen_on", "outstanding", "-outstanding"}
		// The office sees the whole ledger (no condition on the unit); the system, every root.
		for _, ctx := range []context.Context{as(f.root, qingqian.RoleSupervisor), f.sys} {
			for _, driven := range []int{5000, 1} {
				restore := sqldb.KeyDrivenForTest(driven)
				for fname, base := range filters {
					for _, srt := range sorts {
						name := fmt.Sprintf("%s/%s/%d", fname, srt, driven)
						fl := base
						fl.Sort, fl.Limit = srt, 500
						all, err := f.items.FindItems(ctx, fl)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						want := itemIDs(all.Items)
						if len(want) != all.Total {
							t.Fatalf("%s: %d rows, total %d", name, len(want), all.Total)
						}
						if srt == "id" {
							// The exports' reading: every item in pages by key, each as the
							// page lists it but for its times, which it does not read.
							for _, size := range []int{4, 23, 1000} {
								restorePage := sqldb.EachItemPageForTest(size)
								var each []qingqian.Item
								err := f.items.EachItem(ctx, base, func(it *qingqian.Item) error {
									each = append(each, *it)
									return nil
								})
								restorePage()
								if err != nil || len(each) != len(all.Items) {
									t.Fatalf("%s: EachItem in pages of %d: %d items, want %d (%v)", name, size, len(each), len(all.Items), err)
								}
								for k, it := range all.Items {
									w := *it
									w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}
									if !reflect.DeepEqual(each[k], w) {
										t.Fatalf("%s: EachItem in pages of %d gave\n%+v\nwant\n%+v", name, size, each[k], w)
									}
								}
							}
						}
						// The totals as counted from the items (an always-true amount filter).
						counted := base
						counted.MinAmount, counted.Limit = &zero, 1
						c, err := f.items.FindItems(ctx, counted)
						if err != nil || c.Total != all.Total || c.TotalOutstanding != all.TotalOutstanding ||
							(c.Sums && all.Sums && (c.TotalRecognised != all.TotalRecognised || c.TotalRepaid != all.TotalRepaid)) {
							t.Fatalf("%s: counted %+v, from totals %+v (%v)", name, c, all, err)
						}
						// By offset, pages of 4, the deep ones read from the end.
						var got []int64
						for off := 0; off < all.Total; off += 4 {
							fl.Limit, fl.Offset = 4, off
							p, err := f.items.FindItems(ctx, fl)
							if err != nil {
								t.Fatalf("%s offset %d: %v", name, off, err)
							}
							got = append(got, itemIDs(p.Items)...)
						}
						if !slices.Equal(got, want) {
							t.Fatalf("%s: by offset %v, want %v", name, got, want)
						}
						if !base.AsOf.IsZero() && (srt == "outstanding" || srt == "-outstanding") {
							continue // by offset only
						}
						// Forwards by key.
						got = nil
						fl.Offset, fl.After = 0, ""
						for guard := 0; ; guard++ {
							if guard > 30 {
								t.Fatalf("%s: forwards by key does not end: %v", name, got)
							}
							p, err := f.items.FindItems(ctx, fl)
							if err != nil {
								t.Fatalf("%s after %q: %v", name, fl.After, err)
							}
							if len(p.Items) == 0 {
								break
							}
							got = append(got, itemIDs(p.Items)...)
							fl.After = p.Last
						}
						if !slices.Equal(got, want) {
							t.Fatalf("%s: forwards by key %v, want %v", name, got, want)
						}
						// Backwards by key, from the last page.
						fl.After = ""
						fl.Offset = max(0, all.Total-4)
						p, err := f.items.FindItems(ctx, fl)
						if err != nil {
							t.Fatal(err)
						}
						got = itemIDs(p.Items)
						fl.Offset = 0
						for guard := 0; len(p.Items) > 0; guard++ {
							if guard > 30 {
								t.Fatalf("%s: backwards by key does not end: %v", name, got)
							}
							fl.Before = p.First
							if p, err = f.items.FindItems(ctx, fl); err != nil {
								t.Fatalf("%s before %q: %v", name, fl.Before, err)
							}
							got = append(itemIDs(p.Items), got...)
						}
						fl.Before = ""
						if !slices.Equal(got, want) {
							t.Fatalf("%s: backwards by key %v, want %v", name, got, want)
						}
					}
				}
				restore()
			}
		}
		_, err := f.items.FindItems(f.sys, qingqian.ItemFilter{Sort: "due_on", After: "x~y"})
		wantCode(t, err, qingqian.EINVALID)
		_, err = f.items.FindItems(f.sys, qingqian.ItemFilter{After: "1", Before: "2"})
		wantCode(t, err, qingqian.EINVALID)
	})
}

func itemIDs(items []*qingqian.Item) []int64 {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// TestSubtreeSeries checks the figures at several dates read in one pass against SubtreeTotals
// at each date.
func TestSubtreeSeries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-10-01 10:00")
		for i, d := range []string{"2020-01-10", "2020-02-29", "2020-03-01", "2020-03-15"} {
			it := f.MustItem(t, f.sys, []*qingqian.Org{f.subA1, f.groupB}[i%2], d, qingqian.Yuan(int64(100*(i+1))), qingqian.Yuan(int64(i)))
			if _, err := f.entries.RecordEntry(f.sys, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate(d).AddDays(3),
				Amount: qingqian.Yuan(10), Method: qingqian.MethodTransfer}); err != nil {
				t.Fatal(err)
			}
		}
		var dates []qingqian.Date
		for _, d := range []string{"2019-12-31", "2020-01-31", "2020-02-29", "2020-03-02", "2020-03-15", "2020-03-18", "2020-03-31", "2021-09-30"} {
			dates = append(dates, qingqian.MustParseDate(d))
		}
		for _, org := range []*qingqian.Org{f.root, f.groupA, f.groupB} {
			got, err := f.totals.SubtreeSeries(f.sys, org.ID, dates)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range dates {
				want, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: org.ID, AsOf: d})
				if err != nil {
					t.Fatal(err)
				}
				if got[i] != want.Overall {
					t.Fatalf("%s as of %s: series %+v, totals %+v", org.Name, d, got[i], want.Overall)
				}
			}
		}
		_, err := f.totals.SubtreeSeries(as(f.groupB), f.groupA.ID, dates)
		wantCode(t, err, qingqian.ENOTFOUND)
		// The answers kept in memory give way to the next change.
		yes := true
		before, _ := f.totals.SubtreeSeries(f.sys, f.root.ID, dates)
		tot, _ := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.root.ID, AsOf: dates[7]})
		list, _ := f.items.FindItems(f.sys, qingqian.ItemFilter{OrgID: f.root.ID})
		disputed, _ := f.items.FindItems(f.sys, qingqian.ItemFilter{OrgID: f.root.ID, Disputed: &yes})
		it := f.MustItem(t, f.sys, f.subA1, "2020-03-20", qingqian.Yuan(7), qingqian.Yuan(3))
		after, _ := f.totals.SubtreeSeries(f.sys, f.root.ID, dates)
		tot2, _ := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.root.ID, AsOf: dates[7]})
		list2, _ := f.items.FindItems(f.sys, qingqian.ItemFilter{OrgID: f.root.ID})
		disputed2, _ := f.items.FindItems(f.sys, qingqian.ItemFilter{OrgID: f.root.ID, Disputed: &yes})
		if after[7].Outstanding != before[7].Outstanding+qingqian.Yuan(10) || tot2.Overall.Outstanding != tot.Overall.Outstanding+qingqian.Yuan(10) ||
			list2.Total != list.Total+1 || disputed2.Total != disputed.Total+1 || it.ID == 0 {
			t.Fatalf("after a new item: series %v → %v, totals %v → %v, list %d → %d, disputed %d → %d", before[7].Outstanding, after[7].Outstanding,
				tot.Overall.Outstanding, tot2.Overall.Outstanding, list.Total, list2.Total, disputed.Total, disputed2.Total)
		}
	})
}
