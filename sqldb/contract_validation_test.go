package sqldb_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestContractAmountChecks: a dispute or court case cannot hold more than is unpaid on its day
// (forms and API, batches, imports alike); a settlement above the contract amount is warned of,
// not refused; an import with any row refused claims no row created and writes nothing, and its
// problems echo the cell's value.
func TestContractAmountChecks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-31 10:00")
		contracts, imports := sqldb.NewContractService(db), sqldb.NewImportService(db)
		a1 := clerkOf(f.subA1)
		mk := func(no string, settle qingqian.Settlement) *qingqian.Contract {
			k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: no, Name: "施工", Kind: qingqian.KindWorks,
				Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-03-01"), Amount: qingqian.Yuan(100_000), SupplierSize: qingqian.SizeSmall, Settlement: settle}
			return k
		}
		k := mk("HT-V-1", qingqian.SettleOnce)
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		add := func(e *qingqian.ContractEvent) error {
			e.ContractID = k.ID
			return contracts.AddContractEvent(a1, e)
		}
		pay := func(on string, amt qingqian.Money) *qingqian.ContractEvent {
			return &qingqian.ContractEvent{Kind: qingqian.EventPayment, On: qingqian.MustParseDate(on), Amount: amt, Method: qingqian.MethodTransfer}
		}
		dispute := func(on string, amt qingqian.Money) *qingqian.ContractEvent {
			return &qingqian.ContractEvent{Kind: qingqian.EventDispute, On: qingqian.MustParseDate(on), Amount: amt}
		}
		for _, e := range []*qingqian.ContractEvent{{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-04-01")}, pay("2025-05-10", qingqian.Yuan(70_000))} {
			if err := add(e); err != nil {
				t.Fatal(err)
			}
		}
		// 30,000 unpaid from 10 May: a dispute of 30,001 is refused naming the amount, 30,000 is not.
		msg := qingqian.ErrorFields(add(dispute("2025-06-01", qingqian.Yuan(30_001))))["amount"]
		if !strings.Contains(msg, "30000.00") || !strings.Contains(msg, "争议金额") {
			t.Fatalf("a dispute above the unpaid amount: %q", msg)
		}
		// Before the payment the whole 100,000 was unpaid.
		if err := add(dispute("2025-05-01", qingqian.Yuan(20_000))); err != nil {
			t.Fatalf("a dispute before the payment: %v", err)
		}
		// Now 20,000 of the 30,000 unpaid is in dispute: a court case of 10,001 is too much.
		if msg := qingqian.ErrorFields(add(&qingqian.ContractEvent{Kind: qingqian.EventCourt, On: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(10_001)}))["amount"]; !strings.Contains(msg, "诉讼金额") {
			t.Fatalf("a court case above what is left: %q", msg)
		}
		// In a batch, naming the event.
		err := contracts.AddContractEvents(a1, []*qingqian.ContractEvent{{ContractID: k.ID, Kind: qingqian.EventDispute, On: qingqian.MustParseDate("2025-08-01"), Amount: qingqian.Yuan(50_000)}})
		if qingqian.ErrorFields(err)["events.0.amount"] == "" {
			t.Fatalf("batch: %v", err)
		}
		// In an import, echoing the value.
		res, err := imports.ImportContractEvents(a1, rowsOf(&qingqian.ContractEventRow{Row: 4, OrgName: f.subA1.Name, ContractNo: k.No,
			Event: qingqian.ContractEvent{Kind: qingqian.EventDispute, On: qingqian.MustParseDate("2025-08-01"), Amount: qingqian.Yuan(12_345)}}), false)
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Field != "amount" || res.Issues[0].Value != "12345.00" || res.Created != 0 {
			t.Fatalf("import of a dispute too large: %+v %v", res, err)
		}
		if got, _ := contracts.FindContractByID(a1, k.ID, qingqian.Date{}); len(got.Events) != 3 {
			t.Fatalf("refused events written: %d", len(got.Events))
		}

		// A settlement above the contract amount: recorded, and warned of on the contract.
		s := mk("HT-V-2", qingqian.SettleProgress)
		if err := contracts.CreateContract(a1, s); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*qingqian.ContractEvent{{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-04-01")},
			{Kind: qingqian.EventSettlement, On: qingqian.MustParseDate("2025-05-01"), Amount: qingqian.Yuan(60_000)},
			{Kind: qingqian.EventSettlement, On: qingqian.MustParseDate("2025-06-01"), Amount: qingqian.Yuan(45_000)}} {
			e.ContractID = s.ID
			if err := contracts.AddContractEvent(a1, e); err != nil {
				t.Fatalf("settlement: %v", err)
			}
		}
		got, err := contracts.FindContractByID(a1, s.ID, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		var warned string
		for _, p := range got.Payables {
			for _, fl := range p.Flags {
				if fl.Code == "settled_above_contract" {
					warned = fl.Text
				}
			}
		}
		if !strings.Contains(warned, "105000.00") || !strings.Contains(warned, "100000.00") {
			t.Fatalf("no warning of the settlements above the contract: %+v", got.Payables)
		}
		// The import's preview warns of it too, without refusing.
		res, err = imports.ImportContractEvents(a1, rowsOf(&qingqian.ContractEventRow{Row: 2, OrgName: f.subA1.Name, ContractNo: s.No,
			Event: qingqian.ContractEvent{Kind: qingqian.EventSettlement, On: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(1_000)}}), true)
		if err != nil || !res.OK() || res.Created != 1 || len(res.Warnings) != 1 || res.Warnings[0].Field != "amount" || !strings.Contains(res.Warnings[0].Message, "106000.00") {
			t.Fatalf("settlement preview: %+v %v", res, err)
		}

		// A contracts file with one good row and one refused: nothing created, none claimed.
		registered := func() int {
			t.Helper()
			p, err := contracts.FindContracts(a1, qingqian.ContractFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		before := registered()
		bad := mk("HT-V-4", qingqian.SettleOnce)
		bad.SignedOn = qingqian.NewDate(1985, 3, 1)
		for _, dry := range []bool{true, false} {
			res, err = imports.ImportContracts(a1, rowsOf(
				&qingqian.ContractRow{Row: 2, OrgName: f.subA1.Name, Contract: *mk("HT-V-3", qingqian.SettleOnce)},
				&qingqian.ContractRow{Row: 3, OrgName: f.subA1.Name, Contract: *bad}), dry)
			if err != nil || res.OK() || res.Created != 0 || res.Updated != 0 || res.CreditorsCreated != 0 {
				t.Fatalf("dry %v: a refused file claims %+v (%v)", dry, res, err)
			}
			if len(res.Issues) != 1 || res.Issues[0].Row != 3 || res.Issues[0].Field != "signed_on" || res.Issues[0].Value != "1985-03-01" {
				t.Fatalf("the issue does not echo the cell: %+v", res.Issues)
			}
		}
		if n := registered(); n != before {
			t.Fatalf("a refused file wrote %d contracts", n-before)
		}
		// The same file without the bad row is previewed as creating one.
		res, err = imports.ImportContracts(a1, rowsOf(&qingqian.ContractRow{Row: 2, OrgName: f.subA1.Name, Contract: *mk("HT-V-3", qingqian.SettleOnce)}), true)
		if err != nil || !res.OK() || res.Created != 1 {
			t.Fatalf("the good row alone: %+v %v", res, err)
		}
	})
}
