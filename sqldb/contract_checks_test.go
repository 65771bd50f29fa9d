package sqldb_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestContractTextsAndDates: the spaces around a contract's number and names, full-width ones
// included, are trimmed, so "HT-1　" is the contract "HT-1"; dates before 1990 are refused, and
// so are dates in the future of what must have happened (the signing, the events).
func TestContractTextsAndDates(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-31 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		mk := func(no, signed string) *qingqian.Contract {
			return &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: " " + f.creditor.USCC + "\u3000"}, No: no, Name: "\u3000设备采购 ",
				Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate(signed), Amount: qingqian.Yuan(1000),
				SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce, Note: " 备注\t"}
		}
		k := mk("HT-1\u3000", "2025-07-01")
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		got, err := contracts.FindContractByID(a1, k.ID, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		if got.No != "HT-1" || got.Name != "设备采购" || got.Note != "备注" {
			t.Fatalf("stored %q %q %q", got.No, got.Name, got.Note)
		}
		// The same number with other spaces around it is the same contract.
		for _, no := range []string{"HT-1", " HT-1 ", "\u3000HT-1"} {
			if err := contracts.CreateContract(a1, mk(no, "2025-07-01")); qingqian.ErrorCode(err) == "" {
				t.Fatalf("%q registered beside HT-1", no)
			}
		}
		// Events name the contract by its number with spaces around it.
		e := &qingqian.ContractEvent{OrgID: f.subA1.ID, ContractNo: " HT-1\u3000", Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01"), Note: "\u3000到货 "}
		if err := contracts.AddContractEvents(a1, []*qingqian.ContractEvent{e}); err != nil {
			t.Fatal(err)
		}
		if e.ContractID != k.ID || e.Note != "到货" {
			t.Fatalf("event %+v", e)
		}
		// Dates: before 1990, and in the future.
		tomorrow := qingqian.Today().AddDays(1).String()
		for _, c := range []struct{ signed, field, want string }{
			{"1989-12-31", "signed_on", "1990-01-01"},
			{"1925-07-01", "signed_on", "1990-01-01"},
			{tomorrow, "signed_on", "晚于今天"},
		} {
			err := contracts.CreateContract(a1, mk("HT-D", c.signed))
			if msg := qingqian.ErrorFields(err)[c.field]; !strings.Contains(msg, c.want) {
				t.Errorf("signed on %s: %v (%q)", c.signed, err, msg)
			}
		}
		early := mk("HT-E", "2025-07-01")
		early.SizeDeclaredOn = qingqian.MustParseDate("1980-01-01")
		if msg := qingqian.ErrorFields(contracts.CreateContract(a1, early))["size_declared_on"]; !strings.Contains(msg, "1990-01-01") {
			t.Errorf("size declared in 1980: %q", msg)
		}
		// The floor is the first of January 1990 itself.
		if err := contracts.CreateContract(a1, mk("HT-1990", "1990-01-01")); err != nil {
			t.Errorf("signed on 1990-01-01: %v", err)
		}
		for _, c := range []struct {
			e     qingqian.ContractEvent
			field string
			want  string
		}{
			{qingqian.ContractEvent{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("1989-06-30")}, "on", "1990-01-01"},
			{qingqian.ContractEvent{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate(tomorrow)}, "on", "晚于今天"},
			{qingqian.ContractEvent{Kind: qingqian.EventDispute, Amount: qingqian.Yuan(1), On: qingqian.MustParseDate("2025-09-01"), EndOn: qingqian.MustParseDate(tomorrow)}, "end_on", "晚于今天"},
		} {
			e := c.e
			e.ContractID = k.ID
			if msg := qingqian.ErrorFields(contracts.AddContractEvent(a1, &e))[c.field]; !strings.Contains(msg, c.want) {
				t.Errorf("event %s on %s–%s: %q", e.Kind, e.On, e.EndOn, msg)
			}
		}
		if got, _ := contracts.FindContractByID(a1, k.ID, qingqian.Date{}); len(got.Events) != 1 {
			t.Fatalf("refused events written: %d events", len(got.Events))
		}
		// Imports: the same trimming and the same floor.
		imports := sqldb.NewImportService(db)
		row := func(n int, no, signed string) *qingqian.ContractRow {
			return &qingqian.ContractRow{Row: n, OrgName: f.subA1.Name + "\u3000", Contract: *mk(no, signed)}
		}
		res, err := imports.ImportContracts(a1, rowsOf(row(2, "HT-1 ", "2025-07-01"), row(3, "HT-OLD", "1985-03-01")), true)
		if err != nil {
			t.Fatal(err)
		}
		var issues []string
		for _, is := range res.Issues {
			issues = append(issues, is.Field+"="+is.Value+":"+is.Message)
		}
		if len(res.Issues) != 1 || res.Issues[0].Row != 3 || res.Issues[0].Field != "signed_on" || !strings.Contains(res.Issues[0].Message, "1990-01-01") {
			t.Fatalf("import issues %v", issues)
		}
		if res.Unchanged != 1 {
			t.Errorf("HT-1 with a trailing space is not the contract HT-1: %+v", res)
		}
		// A new contract whose supplier name is not the one its code is registered under: the
		// cell is named, nothing guessed.
		other := row(2, "HT-NAME", "2025-07-01")
		other.Contract.Creditor.Name = "另一家有限公司"
		res, err = imports.ImportContracts(a1, rowsOf(other), true)
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Field != "creditor_name" || res.Issues[0].Value != "另一家有限公司" || !strings.Contains(res.Issues[0].Message, "不一致") {
			t.Fatalf("another supplier name: %+v %v", res, err)
		}
		evs, err := imports.ImportContractEvents(a1, rowsOf(&qingqian.ContractEventRow{Row: 2, OrgName: f.subA1.Name, ContractNo: "HT-1\u3000",
			Event: qingqian.ContractEvent{Kind: qingqian.EventAcceptance, On: qingqian.MustParseDate("1989-01-01")}}), true)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs.Issues) != 1 || evs.Issues[0].Field != "on" || !strings.Contains(evs.Issues[0].Message, "1990-01-01") {
			t.Fatalf("event import issues %+v", evs.Issues)
		}
	})
}

// rowsOf hands rows to an import.
func rowsOf[T any](rows ...*T) func(yield func(*T) bool) error {
	return func(yield func(*T) bool) error {
		for _, r := range rows {
			if !yield(r) {
				break
			}
		}
		return nil
	}
}
