package sqldb_test

import (
	"fmt"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// verify checks every payable swept into the ledger against its item, and that every payable
// overdue at the last sweep has one: a link, an item's amount or a link deleted behind the
// system's back is named; a payable gone overdue since the sweep, or paid since, is not.
func TestVerifyChecksSweptPayables(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-31 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		d := qingqian.MustParseDate
		// Due 30 September; 40,000 paid late on 30 October, 60,000 unpaid at the sweep.
		k := sweptContract(t, f, f.subA1, "HT-S-1", "2025-07-01", "2025-08-01", 100_000)
		if err := contracts.AddContractEvent(a1, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: d("2025-10-30"),
			Amount: qingqian.Yuan(40_000), Method: qingqian.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		// Due after the sweep's day: no item yet, rightly.
		sweptContract(t, f, f.subA1, "HT-S-2", "2025-11-01", "2025-12-01", 70_000)
		if n, err := contracts.RaiseArrears(f.sys); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		page, err := f.items.FindItems(a1, qingqian.ItemFilter{Origin: qingqian.OriginNew})
		if err != nil || page.Total != 1 {
			t.Fatalf("new items: %+v %v", page, err)
		}
		item := page.Items[0]
		if item.Undisputed != qingqian.Yuan(100_000) || item.Balance.Outstanding != qingqian.Yuan(60_000) {
			t.Fatalf("item %+v", item)
		}
		if rep := mustVerify(t, db); rep.Swept != 1 {
			t.Fatalf("checked %d swept payables", rep.Swept)
		}
		// Later: the second contract's payable is overdue since 30 January, and the first is
		// paid on; neither is a problem before the next sweep.
		f.at("2026-02-15 10:00")
		if err := contracts.AddContractEvent(a1, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: d("2026-02-10"),
			Amount: qingqian.Yuan(10_000), Method: qingqian.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
		what := fmt.Sprintf("合同HT-S-1（%d）第1笔应付款", k.ID)

		// The late payments recorded on the link, edited behind the system's back.
		mustExec(t, db, `UPDATE payable_items SET repaid = 0 WHERE contract_id = $1`, k.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, what+"逾期已付 50000.00 元，而台账条目")
		mustExec(t, db, `UPDATE payable_items SET repaid = $1 WHERE contract_id = $2`, qingqian.Yuan(50_000), k.ID)
		mustVerify(t, db)

		// The item's amount as made.
		mustExec(t, db, `UPDATE items SET undisputed = undisputed - 100 WHERE id = $1`, item.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, what+"逾期应付 100000.00 元", fmt.Sprintf("台账条目 %d 的欠款金额为 99999.00 元", item.ID))
		mustExec(t, db, `UPDATE items SET undisputed = undisputed + 100 WHERE id = $1`, item.ID)
		mustVerify(t, db)

		// The item's origin.
		mustExec(t, db, `UPDATE items SET origin = 'selfcheck' WHERE id = $1`, item.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, what+fmt.Sprintf("列入的台账条目 %d 来源为“自查发现”", item.ID))
		mustExec(t, db, `UPDATE items SET origin = 'new' WHERE id = $1`, item.ID)
		mustVerify(t, db)

		// The link deleted: the payable overdue at the sweep has no item.
		mustExec(t, db, `DELETE FROM payable_items WHERE contract_id = $1`, k.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("合同HT-S-1（%d）第1笔应付款于2025-09-30到期，2025-12-31转入拖欠台账时逾期未付", k.ID), "台账中却没有它的条目")
	})
}
