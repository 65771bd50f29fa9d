package sqldb_test

import (
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestAgingHolds: an amount under dispute or before a court is out of the aging only on the days
// it was held — from the day the dispute was raised or the case filed to the day before it closed
// — so the aging as of a day before the hold, or from the day it closed, shows it. Hand-counted:
// two contracts of 2025 rules (large buyer, small supplier, 60 days) delivered on 1 August 2025,
// due 30 September.
func TestAgingHolds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-10-25 10:00")
		contracts, aging := sqldb.NewContractService(db), sqldb.NewAgingService(db)
		ctx := clerkOf(f.subA1)
		day := qingqian.MustParseDate
		mk := func(no string, amount qingqian.Money, events ...*qingqian.ContractEvent) *qingqian.Contract {
			t.Helper()
			k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: no, Name: "采购",
				Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: day("2025-06-01"), Amount: amount,
				SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
			if err := contracts.CreateContract(ctx, k); err != nil {
				t.Fatal(err)
			}
			for _, e := range append([]*qingqian.ContractEvent{{Kind: qingqian.EventDelivery, On: day("2025-08-01")}}, events...) {
				e.ContractID = k.ID
				if err := contracts.AddContractEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			return k
		}
		// HT-1: 1,000,000; 800,000 paid on the due date; 200,000 taken to court on 20 October
		// (already overdue), the case closing on 9 November.
		court := &qingqian.ContractEvent{Kind: qingqian.EventCourt, On: day("2025-10-20"), Amount: qingqian.Yuan(200_000)}
		mk("HT-1", qingqian.Yuan(1_000_000),
			&qingqian.ContractEvent{Kind: qingqian.EventPayment, On: day("2025-09-30"), Amount: qingqian.Yuan(800_000), Method: qingqian.MethodTransfer}, court)
		// HT-2: 500,000, nothing paid; 100,000 disputed from 10 October, still open.
		mk("HT-2", qingqian.Yuan(500_000), &qingqian.ContractEvent{Kind: qingqian.EventDispute, On: day("2025-10-10"), Amount: qingqian.Yuan(100_000)})

		type want struct {
			count  int
			amount qingqian.Money
		}
		check := func(when string, asOf string, w map[qingqian.AgingBucket]want) {
			t.Helper()
			ag, err := aging.Aging(ctx, 0, day(asOf))
			if err != nil {
				t.Fatal(err)
			}
			var n int
			var amt qingqian.Money
			for b, x := range w {
				if c := ag.Total.Cells[b]; c.Count != x.count || c.Amount != x.amount {
					t.Errorf("%s, as of %s, %s: %+v, want %d payables %s", when, asOf, b, c, x.count, x.amount)
				}
				n, amt = n+x.count, amt+x.amount
			}
			if ag.Total.Total.Count != n || ag.Total.Total.Amount != amt {
				t.Errorf("%s, as of %s: total %+v, want %d payables %s", when, asOf, ag.Total.Total, n, amt)
			}
		}
		y := qingqian.Yuan
		// Stored on 25 October with the court case open. On 29 September both are due within 7
		// days, counted once each: 1,000,000 and 500,000.
		check("case open", "2025-09-29", map[qingqian.AgingBucket]want{qingqian.AgeDue7: {2, y(1_500_000)}})
		// On 9 October, before the dispute: HT-1's 200,000 (the rest paid) and HT-2's 500,000.
		check("case open", "2025-10-09", map[qingqian.AgingBucket]want{qingqian.AgeOverdue30: {2, y(700_000)}})
		// On 19 October, the day before the case: HT-1's 200,000 is overdue (the bug: it was
		// missing); HT-2's 400,000, its 100,000 held since 10 October.
		check("case open", "2025-10-19", map[qingqian.AgingBucket]want{qingqian.AgeOverdue30: {2, y(600_000)}})
		// On 20 October, the day the case was filed: held, out of the aging.
		check("case open", "2025-10-20", map[qingqian.AgingBucket]want{qingqian.AgeOverdue30: {1, y(400_000)}})

		// The case closes on 9 November; recomputed on 2 December.
		f.at("2025-12-02 10:00")
		if _, err := contracts.EndContractEvent(ctx, court.ID, day("2025-11-09"), "判决"); err != nil {
			t.Fatal(err)
		}
		check("case closed", "2025-10-19", map[qingqian.AgingBucket]want{qingqian.AgeOverdue30: {2, y(600_000)}})
		check("case closed", "2025-10-20", map[qingqian.AgingBucket]want{qingqian.AgeOverdue30: {1, y(400_000)}})
		// 8 November, the last day held; 9 November, the day it closed: payable again (due 30
		// September: 40 days before, in the 31–90 days bucket).
		check("case closed", "2025-11-08", map[qingqian.AgingBucket]want{qingqian.AgeOverdue90: {1, y(400_000)}})
		check("case closed", "2025-11-09", map[qingqian.AgingBucket]want{qingqian.AgeOverdue90: {2, y(600_000)}})
		// The drill-down reads the same parts.
		ps, err := aging.FindOpenPayables(ctx, qingqian.PayableFilter{OrgID: f.subA1.ID, AsOf: day("2025-11-08")})
		if err != nil || len(ps) != 1 || ps[0].ContractNo != "HT-2" || ps[0].Open != y(400_000) {
			t.Fatalf("drill-down on 8 November: %+v %v", ps, err)
		}
		// The payable: 200,000 overdue 63 − 21 paused = 42 days on 2 December, 4,200 元.
		got, err := contracts.FindContracts(ctx, qingqian.ContractFilter{Query: "HT-1"})
		if err != nil || got.Total != 1 {
			t.Fatalf("find: %+v %v", got, err)
		}
		k, err := contracts.FindContractByID(ctx, got.Contracts[0].ID, day("2025-12-02"))
		if err != nil {
			t.Fatal(err)
		}
		if p := k.Payables[0]; p.OverdueDays != 42 || p.Interest != y(4_200) || p.Unpaid != y(200_000) {
			t.Errorf("HT-1 on 2 December: %+v", p)
		}
		// Timely payment of what fell due on 30 September: held amounts are left out. HT-1's
		// 800,000 paid on time, HT-2's 400,000 not: one of two, 800,000 of 1,200,000.
		tr, err := aging.TimelyRates(ctx, 0, day("2025-09-01"), day("2025-09-30"))
		if err != nil {
			t.Fatal(err)
		}
		if tot := tr.Total; tot.Due != 2 || tot.OnTime != 1 || tot.DueAmount != y(1_200_000) || tot.OnTimeAmount != y(800_000) {
			t.Errorf("timely %+v", tot)
		}
	})
}
