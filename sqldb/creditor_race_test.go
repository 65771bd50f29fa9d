package sqldb_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// Twenty requests creating items with the same new creditor at once register it once: each
// item is filed under the one creditor of the code, and none of them fails.
func TestParallelItemsRegisterTheirNewCreditorOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		uscc := MustUSCC(t)
		const n = 20
		// Each request of a group of its own, so that nothing else makes them take turns.
		groups := make([]*qingqian.Org, n)
		for i := range n {
			groups[i] = &qingqian.Org{ParentID: f.root.ID, Name: fmt.Sprintf("同时登记集团%d", i), Kind: qingqian.OrgGroup}
			if err := f.orgs.CreateOrg(f.sys, groups[i]); err != nil {
				t.Fatal(err)
			}
		}
		before := count(t, db, "creditors")
		items := make([]*qingqian.Item, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			org := groups[i]
			items[i] = &qingqian.Item{OrgID: org.ID, Creditor: &qingqian.Creditor{Name: "某某同时登记有限公司", USCC: uscc},
				ContractNo: fmt.Sprintf("TS-%d", i), Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2020-01-10"),
				Undisputed: qingqian.Yuan(100), Origin: qingqian.OriginNew, FundingSource: qingqian.FundingOwn}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.items.CreateItem(as(org), items[i])
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		if got := count(t, db, "creditors") - before; got != 1 {
			t.Fatalf("%d creditors registered for one code", got)
		}
		for _, it := range items[1:] {
			if it.CreditorID != items[0].CreditorID {
				t.Fatalf("items filed under creditors %d and %d", items[0].CreditorID, it.CreditorID)
			}
		}
		mustVerify(t, db)
	})
}
