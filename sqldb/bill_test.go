package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A bill handed over counts as paid in bills, not yet honoured, until it is honoured on or after
// its maturity; then the ordinary repayment is written, dated the honour date. The figures as of
// any date, and as known at any instant, come out the same afterwards.
func TestBillsCountWhenHonoured(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		bills := sqldb.NewBillService(db)
		ctx := as(f.subA1)
		f.at("2021-01-05 10:00")
		it := f.MustItem(t, ctx, f.subA1, "2021-01-04", qingqian.Yuan(100_000), 0)

		// A repayment in a bill may not be recorded as a repayment.
		_, err := f.entries.RecordEntry(ctx, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-01-05"),
			Amount: qingqian.Yuan(10), Method: qingqian.MethodBill})
		wantCode(t, err, qingqian.EINVALID)

		f.at("2021-02-01 10:00")
		in := qingqian.BillInput{ItemID: it.ID, Kind: qingqian.BillCommercial, No: "CB-001", Amount: qingqian.Yuan(60_000),
			IssuedOn: qingqian.MustParseDate("2021-01-30"), HandedOn: qingqian.MustParseDate("2021-02-01"),
			MaturesOn: qingqian.MustParseDate("2021-09-30"), Acceptor: "示范银行"}
		b, err := bills.RecordBill(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Flags) != 1 || b.Flags[0].Code != "bill_term" {
			t.Fatalf("an eight-month bill is flagged: %+v", b.Flags)
		}
		_, err = bills.RecordBill(ctx, in)
		wantCode(t, err, qingqian.ECONFLICT)
		in.No, in.Amount = "CB-002", qingqian.Yuan(50_000) // 60,000 pending of 100,000
		_, err = bills.RecordBill(ctx, in)
		wantCode(t, err, qingqian.EINVALID)
		_, err = bills.RecordBill(as(f.groupB), qingqian.BillInput{ItemID: it.ID, Kind: qingqian.BillCommercial, No: "X", Amount: 1,
			IssuedOn: in.IssuedOn, HandedOn: in.HandedOn, MaturesOn: in.MaturesOn, Acceptor: "x"})
		wantCode(t, err, qingqian.ENOTFOUND)

		// The same bill number handed to another creditor is refused.
		other := f.MustCreditor(t, "另一家建材有限公司")
		it2 := &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: other.USCC}, ContractNo: "HT-2", ContractName: "材料采购合同",
			Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2021-01-04"), Undisputed: qingqian.Yuan(90_000),
			Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
		if err := f.items.CreateItem(ctx, it2); err != nil {
			t.Fatal(err)
		}
		copied := in
		copied.ItemID, copied.No, copied.Amount = it2.ID, b.No, qingqian.Yuan(1_000)
		_, err = bills.RecordBill(ctx, copied)
		if qingqian.ErrorCode(err) != qingqian.ECONFLICT || qingqian.ErrorFields(err)["no"] == "" {
			t.Fatalf("a bill number of another creditor: %v", err)
		}

		// A repayment in cash that would leave less owing than the bill pending is refused.
		_, err = f.entries.RecordEntry(ctx, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-02-01"),
			Amount: qingqian.Yuan(50_000), Method: qingqian.MethodTransfer})
		if qingqian.ErrorFields(err)["amount"] == "" || !strings.Contains(err.Error(), "票据") {
			t.Fatalf("a repayment over the bill pending: %v", err)
		}

		before := f.clock
		sum, err := bills.UnhonouredBills(as(f.groupA), qingqian.BillQuery{AsOf: qingqian.MustParseDate("2021-06-30")})
		if err != nil || sum.Count != 1 || sum.Amount != qingqian.Yuan(60_000) {
			t.Fatalf("pending %+v %v", sum, err)
		}
		if sum, _ := bills.UnhonouredBills(as(f.groupB), qingqian.BillQuery{AsOf: qingqian.MustParseDate("2021-06-30")}); sum.Count != 0 {
			t.Fatalf("another group sees %d bills", sum.Count)
		}
		// The bill is the signal of a bill not yet honoured, for its group and not for another.
		for _, c := range []struct {
			ctx  context.Context
			want int
		}{{as(f.groupA), 1}, {as(f.groupB), 0}} {
			rep, err := sqldb.NewSignalService(db).Signals(c.ctx, 0, qingqian.MustParseDate("2021-06-30"))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, sig := range rep.Signals {
				found = found || sig.Key == "bill_unhonoured"
				if sig.Key == "bill_unhonoured" && (sig.Count != c.want || sig.Amount != qingqian.Money(c.want)*qingqian.Yuan(60_000)) {
					t.Fatalf("bill_unhonoured signal: %+v", sig)
				}
			}
			if !found {
				t.Fatal("no signal bill_unhonoured")
			}
		}

		// Not before maturity.
		f.at("2021-10-08 10:00")
		_, err = bills.HonourBill(ctx, b.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-09-29")})
		wantCode(t, err, qingqian.EINVALID)
		hb, err := bills.HonourBill(ctx, b.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-08")})
		if err != nil || hb.State != qingqian.BillHonoured || hb.EntryID == 0 {
			t.Fatalf("honour %+v %v", hb, err)
		}
		_, err = bills.HonourBill(ctx, b.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-08")})
		wantCode(t, err, qingqian.ECONFLICT)
		e, err := f.entries.FindEntryByID(ctx, hb.EntryID)
		if err != nil || e.Method != qingqian.MethodBill || e.On != qingqian.MustParseDate("2021-10-08") || e.Amount() != -qingqian.Yuan(60_000) {
			t.Fatalf("honour entry %+v %v", e, err)
		}
		repaid := func(asOf string, known time.Time) qingqian.Money {
			tot, err := f.totals.SubtreeTotals(as(f.groupA), qingqian.TotalsQuery{AsOf: qingqian.MustParseDate(asOf), KnownAt: known})
			if err != nil {
				t.Fatal(err)
			}
			return tot.Overall.Repaid
		}
		if repaid("2021-10-07", time.Time{}) != 0 || repaid("2021-10-08", time.Time{}) != qingqian.Yuan(60_000) {
			t.Fatal("the bill counts as repaid from its honour date only")
		}
		for _, c := range []struct {
			asOf  string
			known time.Time
			want  int
		}{{"2021-06-30", time.Time{}, 1}, {"2021-10-07", time.Time{}, 1}, {"2021-10-08", time.Time{}, 0}, {"2021-10-08", before, 1}, {"2021-01-31", time.Time{}, 0}} {
			sum, err := bills.UnhonouredBills(as(f.groupA), qingqian.BillQuery{AsOf: qingqian.MustParseDate(c.asOf), KnownAt: c.known})
			if err != nil || sum.Count != c.want {
				t.Fatalf("as of %s known %v: %+v %v", c.asOf, c.known, sum, err)
			}
		}

		// A dishonour after honouring reverses the repayment from its own date.
		f.at("2021-10-20 10:00")
		_, err = bills.DishonourBill(ctx, b.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-20")})
		wantCode(t, err, qingqian.EINVALID) // no reason
		db2, err := bills.DishonourBill(ctx, b.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-20"), Reason: "承兑人拒付"})
		if err != nil || db2.ReversalID == 0 || db2.State != qingqian.BillDishonoured {
			t.Fatalf("dishonour %+v %v", db2, err)
		}
		if repaid("2021-10-19", time.Time{}) != qingqian.Yuan(60_000) || repaid("2021-10-20", time.Time{}) != 0 {
			t.Fatal("a dishonoured bill reverts from the dishonour date")
		}

		// Before its maturity a pending bill cannot be dishonoured (the refusal names the
		// maturity): it is returned, closed with no entry, under its own audit action.
		in.No, in.Amount, in.MaturesOn = "CB-003", qingqian.Yuan(10_000), qingqian.MustParseDate("2021-12-31")
		in.HandedOn, in.IssuedOn = qingqian.MustParseDate("2021-10-20"), qingqian.MustParseDate("2021-10-20")
		b3, err := bills.RecordBill(ctx, in)
		if err != nil || len(b3.Flags) != 0 {
			t.Fatalf("%+v %v", b3, err)
		}
		entries := count(t, db, "entries")
		_, err = bills.DishonourBill(ctx, b3.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-20"), Reason: "退票"})
		wantFieldText(t, err, "on", "2021-12-31")
		if b3, err = bills.ReturnBill(ctx, b3.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-20"), Reason: "债权企业退回"}); err != nil ||
			b3.ReversalID != 0 || b3.State != qingqian.BillReturned {
			t.Fatalf("%+v %v", b3, err)
		}
		if count(t, db, "entries") != entries {
			t.Fatal("a pending bill returned wrote an entry")
		}
		if recs, _, err := sqldb.NewAuditService(db).FindAudit(f.sys, qingqian.AuditFilter{Action: "bill.return"}); err != nil || len(recs) != 1 {
			t.Fatalf("bill.return records: %d %v", len(recs), err)
		}
		// verify reads the bill as its return left it.
		mustVerify(t, db)
		_, err = bills.DishonourBill(ctx, b3.ID, qingqian.BillClose{On: qingqian.MustParseDate("2022-01-05"), Reason: "x"})
		wantCode(t, err, qingqian.ECONFLICT)

		// On or after maturity a pending bill is dishonoured, and no longer returned.
		in.No, in.HandedOn = "CB-004", qingqian.MustParseDate("2021-10-01")
		in.IssuedOn, in.MaturesOn = in.HandedOn, qingqian.MustParseDate("2021-10-15")
		b4, err := bills.RecordBill(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = bills.ReturnBill(ctx, b4.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-15"), Reason: "退回"})
		wantFieldText(t, err, "on", "2021-10-15")
		if b4, err = bills.DishonourBill(ctx, b4.ID, qingqian.BillClose{On: qingqian.MustParseDate("2021-10-15"), Reason: "承兑人拒付"}); err != nil ||
			b4.State != qingqian.BillDishonoured || b4.ReversalID != 0 {
			t.Fatalf("%+v %v", b4, err)
		}
		list, err := bills.FindBills(ctx, it.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("bills %d %v", len(list), err)
		}
	})
}

// wantFieldText fails unless err is a refusal whose message for the field names want.
func wantFieldText(tb testing.TB, err error, field, want string) {
	tb.Helper()
	var e *qingqian.Error
	if !errors.As(err, &e) || !strings.Contains(e.Fields[field], want) {
		tb.Fatalf("want a refusal of %s naming %q, got %v", field, want, err)
	}
}
