package demo_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The demo has contracts under both versions of the rules: on time, late with interest, and a
// late one that became a new arrear in the ledger.
func TestDemoContracts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		svc := sqldb.NewServices(db)
		page, err := svc.Contracts.FindContracts(ctx, qingqian.ContractFilter{Limit: 50})
		if err != nil || page.Total != 7 {
			t.Fatalf("contracts: %d %v", page.Total, err)
		}
		versions := map[string]bool{}
		var late, arrear bool
		for _, k := range page.Contracts {
			k, err := svc.Contracts.FindContractByID(ctx, k.ID, qingqian.MustParseDate("2025-12-31"))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range k.Payables {
				versions[p.Rule] = true
				if k.No == "SFNY-2025-GC-008" && p.Seq == 2 && p.Interest == qingqian.Yuan(5000) && p.Status == qingqian.PayablePaidLate {
					late = true
				}
			}
		}
		items, err := svc.Items.FindItems(ctx, qingqian.ItemFilter{Origin: qingqian.OriginNew, Query: "SFNY-2025-CG-044"})
		if err != nil {
			t.Fatal(err)
		}
		arrear = items.Total == 1 && items.Items[0].Balance.Outstanding == qingqian.Yuan(650_000)
		if len(versions) < 2 || !late || !arrear {
			t.Fatalf("versions %v, late with interest %v, new arrear %v", versions, late, arrear)
		}
		ds, err := svc.Disclosures.FindDisclosures(ctx, 2025)
		if err != nil || len(ds) != 1 || ds[0].State != qingqian.DisclosureSigned || ds[0].Contradicted {
			t.Fatalf("disclosure: %+v %v", ds, err)
		}
	})
}
