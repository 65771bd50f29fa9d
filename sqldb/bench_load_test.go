package sqldb_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestBenchProvinceTotals loads a small benchmark province and checks that the running totals,
// their monthly roll-up and the gross movement the loader summed while writing are those
// recomputed from the entries, that the ledger's balances are sound, and that the identity
// sequences continue after the loaded rows (a unit made afterwards gets a fresh key).
func TestBenchProvinceTotals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		p, err := db.LoadBenchProvince(ctx, 1200)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Groups) != 50 || len(p.Leaves) != 1500 || p.Items != 1200 {
			t.Fatalf("province: %d groups, %d leaves, %d items", len(p.Groups), len(p.Leaves), p.Items)
		}
		if msg, err := db.VerifyTotals(ctx); err != nil || msg != "" {
			t.Fatalf("verify totals: %q, %v", msg, err)
		}
		if probs, err := db.VerifyBalances(ctx); err != nil || len(probs) != 0 {
			t.Fatalf("verify balances: %q, %v", probs, err)
		}
		n, out, err := db.PlainItemSum(ctx)
		if err != nil || n != 1200 || out <= 0 {
			t.Fatalf("items: %d, outstanding %d, %v", n, out, err)
		}
		if ok, err := db.IsBenchProvince(ctx); err != nil || !ok {
			t.Fatalf("is bench province: %v, %v", ok, err)
		}
		// The province's totals as the services read them: every item counted, as of a far date.
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("test"))
		tot, err := sqldb.NewTotalsService(db).SubtreeTotals(sys, qingqian.TotalsQuery{OrgID: p.Root, AsOf: qingqian.MustParseDate("2030-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		if tot.Overall.Items != 1200 || int64(tot.Overall.Outstanding) != out {
			t.Fatalf("province totals: %d items, outstanding %d; want 1200, %d", tot.Overall.Items, tot.Overall.Outstanding, out)
		}
		// A second load is refused, and the loaded keys are not handed out again.
		if _, err := db.LoadBenchProvince(ctx, 100); err == nil {
			t.Fatal("a second load was not refused")
		}
		o := &qingqian.Org{ParentID: p.Groups[0], Name: "新设单位", Kind: qingqian.OrgSubsidiary}
		if err := sqldb.NewOrgService(db).CreateOrg(sys, o); err != nil {
			t.Fatal(err)
		}
		if o.ID <= p.Leaves[len(p.Leaves)-1] {
			t.Fatalf("new unit got key %d, not after the loaded ones", o.ID)
		}
	})
}
