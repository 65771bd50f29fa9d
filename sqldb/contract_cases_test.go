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

// TestSweepDisputed: a payable paid late whose rest is wholly disputed shows 争议中, and the sweep
// still makes a ledger item of the late payment.
func TestSweepDisputed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-01 10:00")
		contracts := sqldb.NewContractService(db)
		ctx := clerkOf(f.subA1)
		day := qingqian.MustParseDate
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-D", Name: "采购",
			Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: day("2025-06-01"), Amount: qingqian.Yuan(1_000_000),
			SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(ctx, k); err != nil {
			t.Fatal(err)
		}
		// Due 30 September; 200,000 disputed from 5 October, still open; 800,000 paid on 10
		// October, 10 days late (800,000 × 0.05 % × 10 = 4,000 元).
		for _, e := range []*qingqian.ContractEvent{{Kind: qingqian.EventDelivery, On: day("2025-08-01")},
			{Kind: qingqian.EventDispute, On: day("2025-10-05"), Amount: qingqian.Yuan(200_000)},
			{Kind: qingqian.EventPayment, On: day("2025-10-10"), Amount: qingqian.Yuan(800_000), Method: qingqian.MethodTransfer}} {
			e.ContractID = k.ID
			if err := contracts.AddContractEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := contracts.FindContractByID(ctx, k.ID, day("2025-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		if p := got.Payables[0]; p.Status != qingqian.PayableDisputed || p.Disputed != qingqian.Yuan(200_000) || p.Interest != qingqian.Yuan(4_000) || p.Unpaid != 0 {
			t.Fatalf("payable %+v", p)
		}
		if n, err := contracts.RaiseArrears(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		items, err := f.items.FindItems(ctx, qingqian.ItemFilter{Origin: qingqian.OriginNew})
		// Arisen on 1 October, the first day overdue (not the sweep's day, nor the delivery).
		if err != nil || items.Total != 1 || items.Items[0].Undisputed != qingqian.Yuan(800_000) || items.Items[0].Balance.Outstanding != 0 ||
			items.Items[0].ArisenOn != day("2025-10-01") || items.Items[0].DueOn != day("2025-09-30") {
			t.Fatalf("items %+v %v", items, err)
		}
	})
}

// TestTimelyBills: a payable paid by bill before its due date is not paid on time in the
// timely-payment rate. Three contracts of 2025 rules delivered on 1 August 2025, due 30
// September: 100,000 paid by transfer on 30 September (on time); 200,000 paid 150,000 by
// commercial bill on 20 September and 50,000 by transfer on 30 September (not on time, and a
// payable not on time counts none of its amount as on time); 300,000 by electronic receivable
// voucher on 30 September (not on time). One of three, 100,000 of 600,000.
func TestTimelyBills(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-01 10:00")
		contracts, aging := sqldb.NewContractService(db), sqldb.NewAgingService(db)
		ctx := clerkOf(f.subA1)
		day := qingqian.MustParseDate
		y := qingqian.Yuan
		var ids []int64
		mk := func(no string, amount qingqian.Money, pays ...*qingqian.ContractEvent) {
			t.Helper()
			k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: no, Name: "采购",
				Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: day("2025-06-01"), Amount: amount,
				SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
			if err := contracts.CreateContract(ctx, k); err != nil {
				t.Fatal(err)
			}
			for _, e := range append([]*qingqian.ContractEvent{{Kind: qingqian.EventDelivery, On: day("2025-08-01")}}, pays...) {
				e.ContractID = k.ID
				if err := contracts.AddContractEvent(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, k.ID)
		}
		pay := func(on string, amount qingqian.Money, m qingqian.PayMethod) *qingqian.ContractEvent {
			return &qingqian.ContractEvent{Kind: qingqian.EventPayment, On: day(on), Amount: amount, Method: m, VoucherNo: "P-" + on}
		}
		mk("HT-T", y(100_000), pay("2025-09-30", y(100_000), qingqian.MethodTransfer))
		mk("HT-B", y(200_000), pay("2025-09-20", y(150_000), qingqian.MethodBill), pay("2025-09-30", y(50_000), qingqian.MethodTransfer))
		mk("HT-R", y(300_000), pay("2025-09-30", y(300_000), qingqian.MethodReceivable))
		tr, err := aging.TimelyRates(ctx, 0, day("2025-09-01"), day("2025-09-30"))
		if err != nil {
			t.Fatal(err)
		}
		if tot := tr.Total; tot.Due != 3 || tot.OnTime != 1 || tot.DueAmount != y(600_000) || tot.OnTimeAmount != y(100_000) {
			t.Errorf("timely %+v", tot)
		}
		for i, want := range []qingqian.PayableStatus{qingqian.PayablePaid, qingqian.PayablePaidInBills, qingqian.PayablePaidInBills} {
			k, err := contracts.FindContractByID(ctx, ids[i], day("2025-12-01"))
			if err != nil {
				t.Fatal(err)
			}
			if k.Payables[0].Status != want {
				t.Errorf("contract %s: %s, want %s", k.No, k.Payables[0].Status, want)
			}
		}
		// Paid by bill on time: not overdue, no ledger item.
		if n, err := contracts.RaiseArrears(ctx); err != nil || n != 0 {
			t.Errorf("sweep: %d %v", n, err)
		}
	})
}

// TestLargeSupplierOutsideRegulation: a supplier large at signing is outside the Regulation: its
// payables have no parts (not in the aging nor the timely-payment rate), but one overdue and
// unpaid still becomes a ledger item by the sweep. 1,000,000, 90 days agreed, delivered 1 July
// 2025: due 29 September.
func TestLargeSupplierOutsideRegulation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-01 10:00")
		contracts, aging := sqldb.NewContractService(db), sqldb.NewAgingService(db)
		ctx := clerkOf(f.subA1)
		day := qingqian.MustParseDate
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-L", Name: "采购",
			Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: day("2025-06-01"), Amount: qingqian.Yuan(1_000_000),
			SupplierSize: qingqian.SizeLarge, AgreedDays: 90, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(ctx, k); err != nil {
			t.Fatal(err)
		}
		if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: day("2025-07-01")}); err != nil {
			t.Fatal(err)
		}
		got, err := contracts.FindContractByID(ctx, k.ID, day("2025-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		if p := got.Payables[0]; p.DueOn != day("2025-09-29") || p.Status != qingqian.PayableOverdue || p.Interest != 0 || !p.OutsideRegulation {
			t.Fatalf("payable %+v", p)
		}
		ag, err := aging.Aging(ctx, 0, day("2025-12-01"))
		if err != nil || ag.Total.Total.Count != 0 || ag.Total.Total.Amount != 0 {
			t.Fatalf("aging %+v %v", ag.Total, err)
		}
		tr, err := aging.TimelyRates(ctx, 0, day("2025-09-01"), day("2025-09-30"))
		if err != nil || tr.Total.Due != 0 {
			t.Fatalf("timely %+v %v", tr.Total, err)
		}
		if n, err := contracts.RaiseArrears(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		items, err := f.items.FindItems(ctx, qingqian.ItemFilter{Origin: qingqian.OriginNew})
		if err != nil || items.Total != 1 || items.Items[0].Undisputed != qingqian.Yuan(1_000_000) || items.Items[0].DueOn != day("2025-09-29") ||
			items.Items[0].ArisenOn != day("2025-09-30") {
			t.Fatalf("items %+v %v", items, err)
		}
		// The item so dated passes the item's own checks (an edit validates it again).
		it := items.Items[0]
		if err := it.Validate(); err != nil {
			t.Fatalf("the swept item does not validate: %v", err)
		}
	})
}
