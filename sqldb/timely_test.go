package sqldb_test

import (
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestTimelyRatesCountOnlyPayablesPaidInFull checks the timely-payment rate against a count by
// hand: a payable counts as on time, in number and in amount, only when it was paid in full by
// its due date; the rates are rounded half-up.
func TestTimelyRatesCountOnlyPayablesPaidInFull(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-31 10:00")
		contracts, aging := sqldb.NewContractService(db), sqldb.NewAgingService(db)
		n := 0
		// mk registers a contract of 2025 rules (large buyer, 60 days) delivered on 1 October
		// 2025, due on 1 December 2025 (30 November is a Sunday), and its payments.
		mk := func(amount qingqian.Money, paid map[string]qingqian.Money) {
			t.Helper()
			n++
			k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "JS-" + string(rune('A'+n)), Name: "采购",
				Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-06-01"), Amount: amount,
				SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
			ctx := clerkOf(f.subA1)
			if err := contracts.CreateContract(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-10-01")}); err != nil {
				t.Fatal(err)
			}
			for on, amt := range paid {
				if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: qingqian.MustParseDate(on),
					Amount: amt, Method: qingqian.MethodTransfer}); err != nil {
					t.Fatal(err)
				}
			}
		}
		mk(qingqian.Yuan(300), map[string]qingqian.Money{"2025-11-20": qingqian.Yuan(300)})                                   // paid in full early
		mk(qingqian.Yuan(300), map[string]qingqian.Money{"2025-11-20": qingqian.Yuan(100), "2025-12-01": qingqian.Yuan(200)}) // in two parts, the last on the due date
		mk(qingqian.Yuan(300), map[string]qingqian.Money{"2025-11-20": qingqian.Yuan(250), "2026-01-10": qingqian.Yuan(50)})  // 250 by the date, 50 after
		tr, err := aging.TimelyRates(clerkOf(f.groupA), 0, qingqian.MustParseDate("2025-12-01"), qingqian.MustParseDate("2025-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		// Two of three payables, 600 of 900 元: 66.666…% is 66.67% half-up, not 66.66%. The 250
		// paid early on the third payable does not make its amount on time.
		want := qingqian.TimelyRow{OrgID: f.groupA.ID, OrgName: f.groupA.Name, Due: 3, OnTime: 2, DueAmount: qingqian.Yuan(900), OnTimeAmount: qingqian.Yuan(600), Rate: 6667, AmountRate: 6667}
		if got := *tr.Total; got != want {
			t.Errorf("timely total %+v, want %+v", got, want)
		}
		if len(tr.Rows) != 2 || tr.Rows[1].OrgID != f.subA1.ID || tr.Rows[1].OnTimeAmount != qingqian.Yuan(600) || tr.Rows[1].Rate != 6667 {
			t.Errorf("timely rows %+v", tr.Rows)
		}
	})
}
