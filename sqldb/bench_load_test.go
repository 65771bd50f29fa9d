package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestBenchProvinceTotals loads a small benchmark province and checks that the running totals,
// their monthly roll-up and the gross movement the loader summed while writing are those
// recomputed from the entries, that the ledger's balances are sound, that the whole of `verify`
// passes (every entry with the audit record that wrote it, in its group's chain), and that the
// identity sequences continue after the loaded rows (a unit made afterwards gets a fresh key,
// a repayment a fresh entry and record).
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
		rep, err := db.Verify(ctx, sqldb.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Entries != 3*1200 || rep.Records < 3*1200 || rep.Chains < 40 || rep.Items != 1200 {
			t.Fatalf("verify: %d entries, %d records in %d chains, %d items: %q", rep.Entries, rep.Records, rep.Chains, rep.Items, rep.Problems)
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
		e, err := sqldb.NewEntryService(db).RecordEntry(sys, qingqian.EntryInput{ItemID: 7, Kind: qingqian.EntryRepay,
			On: qingqian.MustParseDate("2023-01-05"), Amount: 1, Method: qingqian.MethodTransfer})
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != 3*1200+1 {
			t.Fatalf("new entry got key %d, want %d", e.ID, 3*1200+1)
		}
		if rep, err := db.Verify(ctx, sqldb.VerifyOptions{}); err != nil || !rep.OK() || rep.Records < 3*1200+2 {
			t.Fatalf("verify after writes: %v, %+v", err, rep)
		}
		// An entry altered behind the services is named.
		if err := db.ExecForTest(ctx, `UPDATE entries SET du = du - 100 WHERE id = 9`); err != nil {
			t.Fatal(err)
		}
		if rep, err := db.Verify(ctx, sqldb.VerifyOptions{}); err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "；"), "分录 9（台账 3）") {
			t.Fatalf("verify after altering entry 9: %v, %q", err, rep.Problems)
		}
	})
}
