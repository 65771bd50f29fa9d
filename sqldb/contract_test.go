package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func clerkOf(o *qingqian.Org) context.Context {
	return qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 1, Name: "经办人", OrgID: o.ID, OrgPath: o.Path, Roles: []qingqian.Role{qingqian.RoleClerk}})
}

func TestContractsAndPayables(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-31 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		k := &qingqian.Contract{OrgID: f.subA1.ID, CreditorID: f.creditor.ID, No: "HT-2025-001", Name: "办公设备采购", Kind: qingqian.KindGoods,
			Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(1_000_000),
			SupplierSize: qingqian.SizeSmall, SizeDeclaredOn: qingqian.MustParseDate("2025-06-20"), SizeEvidence: "中小企业声明函",
			Settlement: qingqian.SettleOnce, PayWhenPaid: true}
		// The unit sees the creditor by its code only after using it: the clearance office's
		// fixture creditor is named by USCC.
		k.CreditorID, k.Creditor = 0, &qingqian.Creditor{USCC: f.creditor.USCC, Name: "另一家公司"}
		// A name that is not the one the code is registered under: refused, naming the field.
		if err := contracts.CreateContract(a1, k); !strings.Contains(qingqian.ErrorFields(err)["creditor_name"], "不一致") {
			t.Fatalf("another name with the code: %v", err)
		}
		// The registered name, with full-width brackets and blanks, or none: the same supplier.
		k.Creditor.Name = " " + strings.NewReplacer("(", "（", ")", "）").Replace(f.creditor.Name) + " "
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		if len(k.Flags) == 0 || !k.Flags[0].Unlawful {
			t.Fatalf("flags %+v", k.Flags)
		}
		dup := *k
		dup.ID = 0
		if err := contracts.CreateContract(a1, &dup); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("duplicate number: %v", err)
		}
		add := func(ctx context.Context, e *qingqian.ContractEvent) error {
			e.ContractID = k.ID
			return contracts.AddContractEvent(ctx, e)
		}
		// Delivered 1 August: due 30 September (60 days).
		if err := add(a1, &qingqian.ContractEvent{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01")}); err != nil {
			t.Fatal(err)
		}
		pay := &qingqian.ContractEvent{Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2025-10-30"), Amount: qingqian.Yuan(600_000),
			Method: qingqian.MethodTransfer, VoucherNo: "PZ-1", Key: "erp-7"}
		if err := add(a1, pay); err != nil {
			t.Fatal(err)
		}
		again := &qingqian.ContractEvent{Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2025-10-30"), Amount: qingqian.Yuan(600_000),
			Method: qingqian.MethodTransfer, Key: "erp-7"}
		if err := add(a1, again); err != nil || again.ID != pay.ID {
			t.Fatalf("the same key again: %v, id %d want %d", err, again.ID, pay.ID)
		}
		// Another group does not reach it.
		if _, err := contracts.FindContractByID(clerkOf(f.groupB), k.ID, qingqian.Date{}); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("group B: %v", err)
		}
		if err := add(clerkOf(f.groupB), &qingqian.ContractEvent{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01")}); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("group B writes: %v", err)
		}
		// Group A sees its subsidiary's contract, as of 31 December: 600,000 paid 30 days late
		// (9,000 元), 400,000 unpaid 92 days (18,400 元).
		got, err := contracts.FindContractByID(clerkOf(f.groupA), k.ID, qingqian.MustParseDate("2025-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) != 2 || len(got.Payables) != 1 {
			t.Fatalf("events %d payables %d", len(got.Events), len(got.Payables))
		}
		p := got.Payables[0]
		if p.DueOn != qingqian.MustParseDate("2025-09-30") || p.Status != qingqian.PayableOverdue || p.OverdueDays != 92 || p.Interest != qingqian.Yuan(27_400) {
			t.Fatalf("payable %+v", p)
		}
		// Overdue and unpaid, the payable is a ledger item of origin 新增欠款: 1,000,000 became
		// arrears on 30 September, 600,000 of it repaid on 30 October.
		newItems := func() *qingqian.ItemPage {
			t.Helper()
			p, err := f.items.FindItems(a1, qingqian.ItemFilter{Origin: qingqian.OriginNew})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		if items := newItems(); items.Total != 0 {
			t.Fatalf("items before the sweep: %d", items.Total)
		}
		if n, err := contracts.RaiseArrears(a1); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		items := newItems()
		if items.Total != 1 || items.Items[0].Undisputed != qingqian.Yuan(1_000_000) || items.Items[0].Balance.Outstanding != qingqian.Yuan(400_000) ||
			items.Items[0].DueOn != qingqian.MustParseDate("2025-09-30") || items.Items[0].ContractNo != "HT-2025-001" {
			t.Fatalf("new arrears: %+v", items.Items)
		}
		// The rest paid: the item is cleared; no second item appears.
		if err := add(a1, &qingqian.ContractEvent{Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2025-12-31"), Amount: qingqian.Yuan(400_000), Method: qingqian.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		if n, err := contracts.RaiseArrears(f.sys); err != nil || n != 0 {
			t.Fatalf("raise: %d %v", n, err)
		}
		if items = newItems(); items.Total != 1 || items.Items[0].Balance.Status != qingqian.StatusCleared {
			t.Fatalf("after paying: %+v", items.Items[0].Balance)
		}
		page, err := contracts.FindContracts(clerkOf(f.groupA), qingqian.ContractFilter{})
		if err != nil || page.Total != 1 || page.Contracts[0].No != "HT-2025-001" {
			t.Fatalf("list: %+v %v", page, err)
		}
		if page, err := contracts.FindContracts(clerkOf(f.groupB), qingqian.ContractFilter{}); err != nil || page.Total != 0 {
			t.Fatalf("group B list: %+v %v", page, err)
		}
		// Bad input names the field and writes nothing.
		err = add(a1, &qingqian.ContractEvent{Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2025-11-01")})
		if qingqian.ErrorFields(err)["amount"] == "" || qingqian.ErrorFields(err)["method"] == "" {
			t.Fatalf("bad payment: %v", err)
		}
		// The LPR table is there and an administrator extends it.
		lpr := sqldb.NewLPRService(db)
		tab, err := lpr.FindLPR(a1)
		if err != nil || len(tab) < 70 {
			t.Fatalf("lpr: %d %v", len(tab), err)
		}
		next := qingqian.LPR{Published: qingqian.MustParseDate("2026-03-20"), OneYear: qingqian.Rate{Micro: 29000}, FiveYear: qingqian.Rate{Micro: 34000}}
		if err := lpr.SetLPR(a1, []qingqian.LPR{next}); qingqian.ErrorCode(err) != qingqian.EFORBIDDEN {
			t.Fatalf("a clerk set the LPR: %v", err)
		}
		if err := lpr.SetLPR(f.sys, []qingqian.LPR{next}); err != nil {
			t.Fatal(err)
		}
		if tab, _ := lpr.FindLPR(a1); tab[len(tab)-1] != next {
			t.Fatalf("last %+v", tab[len(tab)-1])
		}
	})
}

func TestAging(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-31 10:00")
		contracts, aging := sqldb.NewContractService(db), sqldb.NewAgingService(db)
		n := 0
		// mk registers a contract of 2025 rules (large buyer, 60 days) delivered on delivered.
		mk := func(o *qingqian.Org, amount qingqian.Money, delivered string, paid ...string) *qingqian.Contract {
			t.Helper()
			n++
			k := &qingqian.Contract{OrgID: o.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-" + string(rune('A'+n)), Name: "采购",
				Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-06-01"), Amount: amount,
				SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
			ctx := clerkOf(o)
			if err := contracts.CreateContract(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate(delivered)}); err != nil {
				t.Fatal(err)
			}
			for _, p := range paid {
				if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: qingqian.MustParseDate(p),
					Amount: amount / qingqian.Money(len(paid)), Method: qingqian.MethodTransfer}); err != nil {
					t.Fatal(err)
				}
			}
			return k
		}
		// As of 31 December 2025:
		mk(f.groupA, qingqian.Yuan(100), "2025-06-10")              // due 2025-08-11 (9 Aug + weekend): overdue 142 days → 91–365
		mk(f.subA1, qingqian.Yuan(200), "2025-10-31")               // due 2025-12-30: overdue 1 day
		mk(f.subA1, qingqian.Yuan(300), "2025-11-05")               // due 2026-01-04 (a make-up Sunday): within 7 days
		mk(f.subA1, qingqian.Yuan(400), "2025-10-01", "2025-12-01") // paid before the date: not open
		mk(f.subA1, qingqian.Yuan(500), "2025-10-01", "2026-01-10") // due 2025-12-01, paid after the date: open, overdue 30 days
		mk(f.groupB, qingqian.Yuan(600), "2025-12-20")              // another group's
		mk(f.subA1, qingqian.Yuan(700), "2026-01-05")               // delivered after the date: not yet started
		asOf := qingqian.MustParseDate("2025-12-31")
		ag, err := aging.Aging(clerkOf(f.groupA), 0, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if len(ag.Rows) != 2 || !ag.Rows[0].Own || ag.Rows[1].OrgID != f.subA1.ID {
			t.Fatalf("rows %+v", ag.Rows)
		}
		own, sub := ag.Rows[0], ag.Rows[1]
		if own.Cells[qingqian.AgeOverdue1y].Amount != qingqian.Yuan(100) || own.Total.Count != 1 {
			t.Errorf("own: %+v", own)
		}
		if sub.Cells[qingqian.AgeOverdue30] != (qingqian.AgingCell{Count: 2, Amount: qingqian.Yuan(700)}) ||
			sub.Cells[qingqian.AgeDue7] != (qingqian.AgingCell{Count: 1, Amount: qingqian.Yuan(300)}) || sub.Total.Count != 3 {
			t.Errorf("subsidiary: %+v", sub)
		}
		if ag.Total.Total.Amount != qingqian.Yuan(1100) || ag.Total.Overdue.Amount != qingqian.Yuan(800) {
			t.Errorf("total %+v", ag.Total)
		}
		// The regulator sees both groups.
		all, err := aging.Aging(f.sys, f.root.ID, asOf)
		if err != nil || all.Total.Total.Amount != qingqian.Yuan(1700) {
			t.Fatalf("regulator: %+v %v", all.Total, err)
		}
		// Drill-down: the subsidiary's overdue payables, most overdue first.
		ps, err := aging.FindOpenPayables(clerkOf(f.groupA), qingqian.PayableFilter{OrgID: f.subA1.ID, AsOf: asOf, Bucket: qingqian.AgeOverdue30})
		if err != nil || len(ps) != 2 || ps[0].DueOn != qingqian.MustParseDate("2025-12-01") || ps[0].Open != qingqian.Yuan(500) {
			t.Fatalf("drill-down: %+v %v", ps, err)
		}
		if _, err := aging.Aging(clerkOf(f.groupB), f.groupA.ID, asOf); qingqian.ErrorCode(err) == "" {
			t.Fatal("group B aged group A's payables")
		}
		// Timely payment in December 2025: three payables fell due in A's subtree (400 paid on
		// its due date, 500 paid late, 200 unpaid): one of three, 400 of 1,100 元.
		tr, err := aging.TimelyRates(clerkOf(f.groupA), 0, qingqian.MustParseDate("2025-12-01"), qingqian.MustParseDate("2025-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		if tot := tr.Total; tot.Due != 3 || tot.OnTime != 1 || tot.DueAmount != qingqian.Yuan(1100) || tot.OnTimeAmount != qingqian.Yuan(400) || tot.Rate != 3333 || tot.AmountRate != 3636 {
			t.Errorf("timely total %+v", tot)
		}
		if len(tr.Rows) != 2 || tr.Rows[0].Due != 0 || tr.Rows[1].Due != 3 {
			t.Errorf("timely rows %+v %+v", tr.Rows[0], tr.Rows[1])
		}
		// On 1 March 2026 the sweep turns the payables overdue or paid late into items: due 11
		// August, 30 December, 4 January, 1 December (paid late) and group B's due 24 February
		// after the Spring Festival; not the one paid on time, nor the one due 6 March.
		f.at("2026-03-01 10:00")
		if n, err := contracts.RaiseArrears(f.sys); err != nil || n != 5 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if n, err := contracts.RaiseArrears(f.sys); err != nil || n != 0 {
			t.Fatalf("sweep again: %d %v", n, err)
		}
		p, err := f.items.FindItems(f.sys, qingqian.ItemFilter{Origin: qingqian.OriginNew})
		if err != nil || p.Total != 5 {
			t.Fatalf("new arrears items: %d %v", p.Total, err)
		}
	})
}

func TestContractEventBatch(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-31 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		const n = 520 // past the 500 contracts a statement reads
		var ks []*qingqian.Contract
		for i := range n {
			k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: fmt.Sprintf("ERP-%04d", i), Name: "采购",
				Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(1000),
				SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
			if err := contracts.CreateContract(a1, k); err != nil {
				t.Fatal(err)
			}
			ks = append(ks, k)
		}
		batch := func() []*qingqian.ContractEvent {
			var es []*qingqian.ContractEvent
			for i, k := range ks {
				es = append(es, &qingqian.ContractEvent{OrgID: f.subA1.ID, ContractNo: k.No, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01"), Key: fmt.Sprintf("d-%d", i)},
					&qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2025-10-30"), Amount: qingqian.Yuan(1000),
						Method: qingqian.MethodTransfer, Key: fmt.Sprintf("p-%d", i)})
			}
			return es
		}
		es := batch()
		// An event sent twice in one batch is recorded once, and both are answered with its id.
		twice := *es[0]
		es = append(es, &twice)
		if err := contracts.AddContractEvents(a1, es); err != nil {
			t.Fatal(err)
		}
		if es[3].ID == 0 || es[3].ContractID != ks[1].ID || es[3].Kind != qingqian.EventPayment {
			t.Fatalf("event 3: %+v", es[3])
		}
		if last := es[len(es)-1]; last.ID == 0 || last.ID != es[0].ID {
			t.Fatalf("the event sent twice: %d and %d", es[0].ID, last.ID)
		}
		es = es[:len(es)-1]
		// The same batch again adds nothing and answers the events recorded.
		again := batch()
		if err := contracts.AddContractEvents(a1, again); err != nil {
			t.Fatal(err)
		}
		if again[3].ID != es[3].ID {
			t.Fatalf("again: %d, want %d", again[3].ID, es[3].ID)
		}
		k, err := contracts.FindContractByID(a1, ks[7].ID, qingqian.MustParseDate("2025-12-31"))
		if err != nil || len(k.Events) != 2 || k.Payables[0].OverdueDays != 30 || k.Payables[0].Interest != qingqian.Yuan(15) {
			t.Fatalf("contract 7: %+v %v", k.Payables, err)
		}
		// A bad row names itself and nothing is written.
		bad := []*qingqian.ContractEvent{
			{ContractID: ks[0].ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-02")},
			{OrgID: f.subA1.ID, ContractNo: "NONE", Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-02")},
		}
		err = contracts.AddContractEvents(a1, bad)
		if qingqian.ErrorFields(err)["events.1.contract_no"] == "" {
			t.Fatalf("bad batch: %v", err)
		}
		if k, _ := contracts.FindContractByID(a1, ks[0].ID, qingqian.Date{}); len(k.Events) != 2 {
			t.Fatalf("a refused batch wrote %d events", len(k.Events))
		}
		// Another group cannot write into the contracts.
		err = contracts.AddContractEvents(clerkOf(f.groupB), []*qingqian.ContractEvent{{ContractID: ks[0].ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-02")}})
		if qingqian.ErrorFields(err)["events.0.contract_id"] == "" {
			t.Fatalf("group B: %v", err)
		}
	})
}

// A year entered in the calendar moves the due dates counted on weekends alone.
func TestCalendarYearRecomputesPayables(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-12-10 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		// 2027 is not in the calendar: delivered 2 December 2026, 30 days (an institution's) end
		// on Friday 1 January 2027, a working day when counted on weekends alone — provisional.
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-2026-1", Name: "检测", Kind: qingqian.KindServices,
			Buyer: qingqian.BuyerInstitution, SignedOn: qingqian.MustParseDate("2026-11-01"), Amount: qingqian.Yuan(1000), SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		if err := contracts.AddContractEvent(a1, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2026-12-02")}); err != nil {
			t.Fatal(err)
		}
		due := func() qingqian.Date {
			ps, err := sqldb.NewAgingService(db).FindOpenPayables(a1, qingqian.PayableFilter{OrgID: f.subA1.ID, AsOf: qingqian.MustParseDate("2026-12-10")})
			if err != nil || len(ps) != 1 {
				t.Fatalf("%+v %v", ps, err)
			}
			return ps[0].DueOn
		}
		if got := due(); got != qingqian.MustParseDate("2027-01-01") {
			t.Fatalf("provisional due %s", got)
		}
		// Entered (a made-up arrangement): 1–3 January 2027 off: Monday the 4th.
		var days []qingqian.CalendarDay
		for d := 1; d <= 3; d++ {
			days = append(days, qingqian.CalendarDay{Day: qingqian.NewDate(2027, 1, d), Kind: qingqian.DayOff, Name: "元旦"})
		}
		if err := sqldb.NewCalendarService(db).SetCalendarYear(f.sys, 2027, "国务院办公厅关于2027年部分节假日安排的通知", days); err != nil {
			t.Fatal(err)
		}
		if got := due(); got != qingqian.MustParseDate("2027-01-04") {
			t.Fatalf("due after the year was entered: %s", got)
		}
	})
}

func TestDisclosure(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-20 10:00")
		contracts, ds := sqldb.NewContractService(db), sqldb.NewDisclosureService(db)
		a1 := clerkOf(f.subA1)
		// Delivered 1 August 2025, due 30 September, 300,000 of 1,000,000 paid in January 2026:
		// at 2025-12-31 one contract overdue with 1,000,000 unpaid.
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-D-1", Name: "采购", Kind: qingqian.KindGoods,
			Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(1_000_000), SupplierSize: qingqian.SizeMedium, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*qingqian.ContractEvent{{Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01")},
			{Kind: qingqian.EventPayment, On: qingqian.MustParseDate("2026-01-10"), Amount: qingqian.Yuan(300_000), Method: qingqian.MethodTransfer}} {
			e.ContractID = k.ID
			if err := contracts.AddContractEvent(a1, e); err != nil {
				t.Fatal(err)
			}
		}
		ga := clerkOf(f.groupA)
		d := &qingqian.Disclosure{OrgID: f.groupA.ID, Year: 2025, HasOverdue: false, Note: "无逾期"}
		if err := ds.PrepareDisclosure(ga, d); err != nil {
			t.Fatal(err)
		}
		if d.ComputedCount != 1 || d.ComputedAmount != qingqian.Yuan(1_000_000) || !d.Contradicted {
			t.Fatalf("a contradicted declaration: %+v", d)
		}
		d.HasOverdue, d.Count, d.Amount = true, 1, qingqian.Yuan(1_000_000)
		if err := ds.PrepareDisclosure(ga, d); err != nil || d.Contradicted || d.Version != 2 {
			t.Fatalf("corrected: %+v %v", d, err)
		}
		signed, err := ds.SignDisclosure(reviewerOf(f.groupA, 2, "分管领导"), d.ID, qingqian.DisclosureSign{Version: d.Version})
		if err != nil || signed.State != qingqian.DisclosureSigned || signed.SignedBy == "" {
			t.Fatalf("signed: %+v %v", signed, err)
		}
		if err := ds.PrepareDisclosure(ga, &qingqian.Disclosure{OrgID: f.groupA.ID, Year: 2025}); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("changed after signing: %v", err)
		}
		if _, err := ds.FindDisclosureByID(clerkOf(f.groupB), d.ID); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("group B: %v", err)
		}
		if all, err := ds.FindDisclosures(f.sys, 2025); err != nil || len(all) != 1 || all[0].State != qingqian.DisclosureSigned {
			t.Fatalf("list: %+v %v", all, err)
		}
		if err := ds.PrepareDisclosure(ga, &qingqian.Disclosure{OrgID: f.groupA.ID, Year: 2026, Note: strings.Repeat("说", 501)}); qingqian.ErrorFields(err)["note"] == "" {
			t.Fatalf("a long note: %v", err)
		}
	})
}

// Migration 0030 derives every contract's payables again: a due date counted on weekends alone
// before the year's arrangement was shipped, and parts written before they kept their holds, are
// what the rules now say.
func TestMigrationRecomputesPayables(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-01-31 10:00")
		ctx := context.Background()
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		// An institution's 30 days from delivery on 5 September 2024 end on Saturday 5 October,
		// in the National Day rest (1–7 October): due Tuesday 8 October.
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-2024-9", Name: "检测", Kind: qingqian.KindServices,
			Buyer: qingqian.BuyerInstitution, SignedOn: qingqian.MustParseDate("2024-08-01"), Amount: qingqian.Yuan(1000), SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*qingqian.ContractEvent{
			{ContractID: k.ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2024-09-05")},
			{ContractID: k.ID, Kind: qingqian.EventDispute, On: qingqian.MustParseDate("2024-11-01"), Amount: qingqian.Yuan(400)},
		} {
			if err := contracts.AddContractEvent(a1, e); err != nil {
				t.Fatal(err)
			}
		}
		// As a database before: 2024 not in the calendar, the due date counted on the plain week,
		// the parts without their holds.
		for _, q := range []string{
			`DELETE FROM calendar_days WHERE day >= '2024-01-01' AND day < '2025-01-01'`, `DELETE FROM calendar_years WHERE year = 2024`,
			`UPDATE payables SET due_on = '2024-10-07'`, `DELETE FROM payable_parts`,
			`INSERT INTO payable_parts (contract_id, seq, org_id, start_on, due_on, amount, paid_on, prev_paid_on) VALUES (` +
				fmt.Sprint(k.ID) + `, 1, ` + fmt.Sprint(f.subA1.ID) + `, '2024-09-05', '2024-10-07', 100000, NULL, NULL)`,
		} {
			if err := db.ExecForTest(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.InTxForTest(ctx, qingqian.SystemActor("migrate"), func(tx *sqldb.Tx) error { return tx.MigrateCalendarAndPayablesForTest(ctx) }); err != nil {
			t.Fatal(err)
		}
		var due qingqian.Date
		var parts, held int
		if err := db.QueryRowForTest(ctx, `SELECT due_on FROM payables WHERE contract_id = $1`, k.ID).Scan(&due); err != nil || due != qingqian.MustParseDate("2024-10-08") {
			t.Fatalf("due %s %v", due, err)
		}
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*), COUNT(held_from) FROM payable_parts WHERE contract_id = $1`, k.ID).Scan(&parts, &held); err != nil || parts != 2 || held != 1 {
			t.Fatalf("%d parts, %d held: %v", parts, held, err)
		}
		mustVerifyTotals(t, db)
	})
}
