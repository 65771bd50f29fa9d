package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// mustKeepOwing fails unless the counts kept by unit (org_owing, ADR 40) equal those counted
// from the items after step, and returns them.
func mustKeepOwing(t *testing.T, db *sqldb.DB, step string) map[int64][7]int64 {
	t.Helper()
	kept, computed, err := db.OwingCountsForTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(kept, computed) {
		for org, c := range computed {
			if kept[org] != c {
				t.Errorf("after %s: unit %d keeps %v, its items give %v", step, org, kept[org], c)
			}
		}
		for org, k := range kept {
			if _, ok := computed[org]; !ok {
				t.Errorf("after %s: unit %d keeps %v, it has no item owing or disputed", step, org, k)
			}
		}
		t.FailNow()
	}
	return computed
}

// sumOwing adds up the kept counts of every unit.
func sumOwing(m map[int64][7]int64) (s [7]int64) {
	for _, r := range m {
		for i := range r {
			s[i] += r[i]
		}
	}
	return s
}

// The counts kept by unit follow every write of the items: the benchmark loader's bulk load,
// repayments that clear items or leave them owing, a disputed part repaid, reclassified and
// written off, a reversal, due dates and funding sources changed or removed; and the disputed
// ledger's count and sums read from them equal those counted from the items.
func TestOwingCountsKeptOnEveryWrite(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		p, err := db.LoadBenchProvince(ctx, 400)
		if err != nil {
			t.Fatal(err)
		}
		before := sumOwing(mustKeepOwing(t, db, "the bench load"))
		if before[0] == 0 || before[3] == 0 {
			t.Fatalf("the bench load keeps no items owing or disputed: %v", before)
		}
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("test"))
		items, entries := sqldb.NewItemService(db), sqldb.NewEntryService(db)
		item := func(id int64) *qingqian.Item {
			t.Helper()
			it, err := items.FindItemByID(sys, id, qingqian.Date{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		record := func(in qingqian.EntryInput) *qingqian.Entry {
			t.Helper()
			e, err := entries.RecordEntry(sys, in)
			if err != nil {
				t.Fatalf("%+v: %v", in, err)
			}
			mustKeepOwing(t, db, fmt.Sprintf("%s of item %d", in.Kind, in.ItemID))
			return e
		}
		on := qingqian.MustParseDate("2024-03-01")
		var disputed []int64
		for id := int64(1); id <= 60 && len(disputed) < 3; id++ {
			if item(id).Balance.OutstandingDisputed > 0 {
				disputed = append(disputed, id)
			}
		}
		if len(disputed) < 3 {
			t.Fatalf("disputed items among the first 60: %v", disputed)
		}
		// Cleared whole, repaid in part, the disputed part repaid in part and written off.
		for _, id := range []int64{1, 2, 3} {
			it := item(id)
			record(qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryRepay, On: on, Amount: it.Balance.OutstandingUndisputed, Method: qingqian.MethodTransfer})
			if d := item(id).Balance.OutstandingDisputed; d > 0 {
				record(qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryRepay, On: on, Part: qingqian.PartDisputed, Amount: d, Method: qingqian.MethodTransfer})
			}
		}
		record(qingqian.EntryInput{ItemID: 4, Kind: qingqian.EntryRepay, On: on, Amount: 1, Method: qingqian.MethodTransfer})
		d0, d1, d2 := disputed[0], disputed[1], disputed[2]
		record(qingqian.EntryInput{ItemID: d0, Kind: qingqian.EntryRepay, On: on, Part: qingqian.PartDisputed, Amount: 1, Method: qingqian.MethodTransfer})
		record(qingqian.EntryInput{ItemID: d1, Kind: qingqian.EntryWriteOff, On: on, Part: qingqian.PartDisputed, Amount: item(d1).Balance.OutstandingDisputed, Reason: "核销"})
		record(qingqian.EntryInput{ItemID: d2, Kind: qingqian.EntryReclassify, On: on, Amount: item(d2).Balance.OutstandingDisputed, Reason: "分歧已解决"})
		// A clearing repayment reversed: the item owes again.
		e := record(qingqian.EntryInput{ItemID: 5, Kind: qingqian.EntryRepay, On: on, Amount: item(5).Balance.OutstandingUndisputed, Method: qingqian.MethodTransfer})
		if _, err := entries.ReverseEntry(sys, qingqian.EntryInput{ReversesID: e.ID, Reason: "录入错误", On: on.AddDays(1)}); err != nil {
			t.Fatal(err)
		}
		mustKeepOwing(t, db, "a reversal")
		// Due dates and funding sources changed or removed, on items owing and on a cleared one.
		later, own, none, noDue := qingqian.DateOf(db.Now()).AddDays(30), qingqian.FundingOwn, qingqian.FundingNone, qingqian.Date{}
		for _, c := range []struct {
			id int64
			u  qingqian.ItemUpdate
		}{
			{7, qingqian.ItemUpdate{DueOn: &later}}, {8, qingqian.ItemUpdate{DueOn: &noDue}}, {9, qingqian.ItemUpdate{DueOn: &noDue, FundingSource: &own}},
			{10, qingqian.ItemUpdate{FundingSource: &own}}, {11, qingqian.ItemUpdate{FundingSource: &none}}, {8, qingqian.ItemUpdate{DueOn: &later}},
			{1, qingqian.ItemUpdate{DueOn: &noDue, FundingSource: &none}}, {d0, qingqian.ItemUpdate{DueOn: &noDue}},
		} {
			it := item(c.id)
			c.u.Version = it.Version
			if it.Disputed > 0 && it.DisputeReason == "" {
				reason := "结算金额有争议" // the bench's items carry none
				c.u.DisputeReason = &reason
			}
			if _, err := items.UpdateItem(sys, c.id, c.u); err != nil {
				t.Fatalf("item %d: %v %v", c.id, err, qingqian.ErrorFields(err))
			}
			mustKeepOwing(t, db, fmt.Sprintf("an update of item %d", c.id))
		}
		after := sumOwing(mustKeepOwing(t, db, "the writes"))
		if after == before {
			t.Fatalf("the writes changed no count: %v", after)
		}
		// The disputed ledger's count and sums from the kept counts equal those counted from the
		// items (a bound no item reaches asks the items themselves).
		yes, huge := true, qingqian.Money(1<<60)
		for _, org := range []int64{p.Root, p.Groups[0], p.Leaves[3]} {
			kept, err := items.FindItems(sys, qingqian.ItemFilter{OrgID: org, Disputed: &yes, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			counted, err := items.FindItems(sys, qingqian.ItemFilter{OrgID: org, Disputed: &yes, MaxAmount: &huge, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if kept.Total != counted.Total || kept.TotalOutstanding != counted.TotalOutstanding || kept.TotalRecognised != counted.TotalRecognised ||
				kept.TotalRepaid != counted.TotalRepaid || !kept.Sums {
				t.Errorf("unit %d, disputed: kept %d %d %d %d (sums %v); counted %d %d %d %d", org, kept.Total, kept.TotalOutstanding, kept.TotalRecognised,
					kept.TotalRepaid, kept.Sums, counted.Total, counted.TotalOutstanding, counted.TotalRecognised, counted.TotalRepaid)
			}
		}
		// The bench's items have no audit records: of verify, only the kept counts' check holds.
		rep, err := db.Verify(ctx, sqldb.VerifyOptions{SkipVouchers: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.Problems {
			if strings.Contains(p, "欠款条目计数") {
				t.Errorf("verify: %s", p)
			}
		}
	})
}

// An item created by hand, a staged ledger import published (items owing, disputed, without a
// due date or a funding source) and a contract's overdue payable swept into the ledger are
// counted as they are written.
func TestOwingCountsKeptByImportsAndSweeps(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(1000), qingqian.Yuan(50))
		mustKeepOwing(t, db, "an item created")
		uscc := MustUSCC(t)
		const n = 30
		rows := func(yield func(*qingqian.LedgerRow) bool) error {
			for i := 1; i <= n; i++ {
				it := qingqian.Item{No: fmt.Sprintf("I-%03d", i), Kind: qingqian.KindGoods, Origin: qingqian.OriginNew,
					ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Money(100 + i), FundingSource: qingqian.FundingOwn}
				if i%3 == 0 {
					it.Disputed, it.DisputeReason = qingqian.Money(7*i), "金额有争议"
				}
				if i%4 == 0 {
					it.FundingSource = qingqian.FundingNone
				}
				if i%5 != 0 {
					it.DueOn = qingqian.MustParseDate("2020-06-30")
				}
				if !yield(&qingqian.LedgerRow{Row: i + 1, OrgName: f.groupA.Name, Creditor: qingqian.Creditor{Name: "某某新建材有限公司", USCC: uscc}, Item: it}) {
					return nil
				}
			}
			return nil
		}
		res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), rows, false)
		if err != nil || !res.OK() || res.Created != n {
			t.Fatalf("import: %+v %v", res, err)
		}
		got := mustKeepOwing(t, db, "an import")[f.groupA.ID]
		if want := [7]int64{n, n / 5, n / 4, n / 3}; [4]int64(got[:4]) != [4]int64(want[:4]) {
			t.Fatalf("group A after the import keeps %v, want counts %v", got, want)
		}

		f.at("2025-12-01 10:00")
		contracts := sqldb.NewContractService(db)
		ctx := clerkOf(f.subA1)
		day := qingqian.MustParseDate
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-S", Name: "采购",
			Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge, SignedOn: day("2025-06-01"), Amount: qingqian.Yuan(1_000_000),
			SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(ctx, k); err != nil {
			t.Fatal(err)
		}
		if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: day("2025-08-01")}); err != nil {
			t.Fatal(err)
		}
		before := mustKeepOwing(t, db, "a contract")[f.subA1.ID]
		if n, err := contracts.RaiseArrears(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		if after := mustKeepOwing(t, db, "a sweep")[f.subA1.ID]; after[0] != before[0]+1 {
			t.Fatalf("unit %d keeps %v after the sweep, %v before", f.subA1.ID, after, before)
		}
		mustVerify(t, db)
	})
}

// Counts kept by unit changed behind the system's back (the dashboard would show them) are
// named by verify; recounted, verify passes again.
func TestVerifyFindsChangedOwingCounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, _, _ := tamperFixture(t, db)
		mustExec(t, db, `UPDATE org_owing SET owing = owing + 3 WHERE org_id = $1`, f.subA1.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("欠款条目计数异常：单位 %d 记下的仍欠款条目数为 4，按台账条目应为 1", f.subA1.ID))
		mustExec(t, db, `DELETE FROM org_owing WHERE org_id = $1`, f.groupB.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("单位 %d 记下的仍欠款条目数为 0，按台账条目应为 1", f.groupB.ID))
		mustExec(t, db, `INSERT INTO org_owing (org_id, disputed, disp_out) VALUES ($1, 1, 100)`, f.root.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("单位 %d 记下的有分歧条目数为 1，按台账条目应为 0", f.root.ID))
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
	})
}

// On PostgreSQL, a transaction of group A holding its unit's kept counts (an item of A cleared
// and not yet committed) does not stop group B from recording a repayment that clears an item
// and creating another: the rows are per unit, not shared (ADR 22, 40). A second writer of the
// same unit's counts waits.
func TestOwingCountsDoNotMakeGroupsWait(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect() != "postgres" {
			t.Skip("SQLite writes one transaction at a time")
		}
		f := newFixture(t, db)
		ctx := context.Background()
		itA := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(1000), qingqian.Yuan(10))
		itA2 := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-12", qingqian.Yuan(300), 0)
		itB := f.MustItem(t, as(f.groupB), f.groupB, "2019-01-11", qingqian.Yuan(500), 0)
		held, release, doneA := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			doneA <- db.InTxForTest(ctx, qingqian.SystemActor("甲"), func(tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE items SET out_u = 0, out_d = 0 WHERE id = $1`, itA.ID); err != nil {
					return err
				}
				close(held)
				<-release
				return errors.New("rolled back")
			})
		}()
		<-held
		doneB := make(chan error, 1)
		go func() {
			_, err := f.entries.RecordEntry(as(f.groupB), qingqian.EntryInput{ItemID: itB.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"),
				Amount: qingqian.Yuan(500), Method: qingqian.MethodTransfer})
			if err == nil {
				it := &qingqian.Item{OrgID: f.groupB.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractNo: "HT-B2", ContractName: "采购合同",
					Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2019-03-01"), Undisputed: qingqian.Yuan(70), Origin: qingqian.OriginBaseline,
					FundingSource: qingqian.FundingOwn}
				err = f.items.CreateItem(as(f.groupB), it)
			}
			doneB <- err
		}()
		select {
		case err := <-doneB:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			close(release)
			t.Fatal("group B's writes waited for group A's transaction")
		}
		// A second writer of the same unit's counts does wait (the row is the unit's).
		doneA2 := make(chan error, 1)
		go func() {
			doneA2 <- db.InTxForTest(ctx, qingqian.SystemActor("甲"), func(tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE items SET out_u = 0 WHERE id = $1`, itA2.ID); err != nil {
					return err
				}
				return errors.New("rolled back")
			})
		}()
		select {
		case err := <-doneA2:
			t.Fatalf("a second writer of the same unit's counts did not wait: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		for _, done := range []chan error{doneA, doneA2} {
			if err := <-done; err == nil || err.Error() != "rolled back" {
				t.Fatalf("group A's transaction: %v", err)
			}
		}
		mustKeepOwing(t, db, "writes of two groups at once")
		mustVerify(t, db)
	})
}
