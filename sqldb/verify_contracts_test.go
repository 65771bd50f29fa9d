package sqldb_test

import (
	"fmt"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// verify compares every contract and event with the record that last wrote it, those of batches
// included: an amount edited, an event edited, added or deleted behind the system's back is named.
func TestVerifyFindsEditedContracts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-31 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		d := qingqian.MustParseDate
		k := &qingqian.Contract{OrgID: f.subA1.ID, No: "HT-V-1", Name: "设备采购", Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge,
			SignedOn: d("2025-07-01"), Amount: qingqian.Yuan(500_000), SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce,
			Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}}
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		if err := contracts.AddContractEvent(a1, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: d("2025-08-01")}); err != nil {
			t.Fatal(err)
		}
		batch := []*qingqian.ContractEvent{
			{ContractID: k.ID, Kind: qingqian.EventPayment, On: d("2025-08-20"), Amount: qingqian.Yuan(100_000), Method: qingqian.MethodTransfer, Key: "erp-1"},
			{ContractID: k.ID, Kind: qingqian.EventDispute, On: d("2025-09-01"), Amount: qingqian.Yuan(50_000)},
		}
		if err := contracts.AddContractEvents(a1, batch); err != nil {
			t.Fatal(err)
		}
		got, _ := contracts.FindContractByID(a1, k.ID, qingqian.Date{})
		got.Name = "设备采购（更正）"
		if err := contracts.CorrectContract(a1, got, "名称有误"); err != nil {
			t.Fatal(err)
		}
		if _, err := contracts.EndContractEvent(a1, batch[1].ID, d("2025-10-01"), "已协商一致"); err != nil {
			t.Fatal(err)
		}
		if rep := mustVerify(t, db); rep.Contracts != 1 || rep.ContractEvents != 3 {
			t.Fatalf("checked %d contracts, %d events", rep.Contracts, rep.ContractEvents)
		}
		mustExec(t, db, `UPDATE contracts SET amount = amount * 10 WHERE id = $1`, k.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("合同 %d（HT-V-1）与最后写入它的审计记录不符", k.ID))
		mustExec(t, db, `UPDATE contract_events SET amount = 1000 WHERE id = $1`, batch[0].ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("合同事项 %d（合同 %d）与最后写入它的审计记录不符", batch[0].ID, k.ID))
		mustExec(t, db, `DELETE FROM contract_events WHERE id = $1`, batch[1].ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("合同事项 %d（合同 %d", batch[1].ID, k.ID), "有审计记录而已不在库中")
		mustExec(t, db, `INSERT INTO contract_events (id, contract_id, kind, on_date, amount, method, actor_name, created_at) VALUES (999, $1, 'payment', $2, 100, 'cash', 'x', $3)`,
			k.ID, d("2025-09-09"), "2025-12-31T02:00:00Z")
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("合同事项 999（合同 %d，2025-09-09 付款 1.00元）没有登记它的审计记录：绕过系统写入", k.ID))
	})
}
