package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A contract's terms corrected, an event voided, a dispute ended, a contract cancelled; and what
// is refused once a payable is in the ledger.
func TestContractCorrections(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2025-12-31 10:00")
		contracts := sqldb.NewContractService(db)
		a1 := clerkOf(f.subA1)
		d := qingqian.MustParseDate
		k := &qingqian.Contract{OrgID: f.subA1.ID, No: "HT-2025-101", Name: "配电设备采购", Kind: qingqian.KindGoods,
			Buyer: qingqian.BuyerLarge, SignedOn: d("2025-07-01"), Amount: qingqian.Yuan(1_000_000),
			SupplierSize: qingqian.SizeSmall, SizeDeclaredOn: d("2025-06-20"), SizeEvidence: "中小企业声明函",
			Settlement: qingqian.SettleOnce, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}}
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		event := func(e *qingqian.ContractEvent) *qingqian.ContractEvent {
			t.Helper()
			e.ContractID = k.ID
			if err := contracts.AddContractEvent(a1, e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		reread := func() *qingqian.Contract {
			t.Helper()
			got, err := contracts.FindContractByID(a1, k.ID, qingqian.Date{})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		delivery := event(&qingqian.ContractEvent{Kind: qingqian.EventDelivery, On: d("2025-08-01")})

		// The amount was typed wrong: corrected with a reason, at the version read.
		fix := *reread()
		fix.Amount = qingqian.Yuan(800_000)
		if err := contracts.CorrectContract(a1, &fix, ""); qingqian.ErrorFields(err)["reason"] == "" {
			t.Fatalf("no reason: %v", err)
		}
		if err := contracts.CorrectContract(a1, &fix, "合同金额录入错误"); err != nil {
			t.Fatal(err)
		}
		got := reread()
		if got.Version != 2 || got.Amount != qingqian.Yuan(800_000) || got.Payables[0].Amount != qingqian.Yuan(800_000) || got.Payables[0].DueOn != d("2025-09-30") {
			t.Fatalf("after the correction: v%d %s %+v", got.Version, got.Amount, got.Payables[0])
		}
		stale := *got
		stale.Version = 1
		if err := contracts.CorrectContract(a1, &stale, "再次更正"); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("a stale version: %v", err)
		}
		late := *got
		late.SignedOn = d("2025-08-15")
		if err := contracts.CorrectContract(a1, &late, "签订日期"); qingqian.ErrorFields(err)["signed_on"] == "" {
			t.Fatalf("signed after the delivery: %v", err)
		}

		// A payment entered twice by mistake: the second is voided and no longer counts.
		event(&qingqian.ContractEvent{Kind: qingqian.EventPayment, On: d("2025-09-15"), Amount: qingqian.Yuan(300_000), Method: qingqian.MethodTransfer, VoucherNo: "PZ-15"})
		twice := event(&qingqian.ContractEvent{Kind: qingqian.EventPayment, On: d("2025-09-15"), Amount: qingqian.Yuan(300_000), Method: qingqian.MethodTransfer, VoucherNo: "PZ-15A"})
		if got = reread(); got.Payables[0].Paid != qingqian.Yuan(600_000) {
			t.Fatalf("paid before the void: %s", got.Payables[0].Paid)
		}
		if _, err := contracts.VoidContractEvent(clerkOf(f.groupB), twice.ID, "重复录入"); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("another group voids: %v", err)
		}
		if _, err := contracts.VoidContractEvent(a1, twice.ID, "重复录入"); err != nil {
			t.Fatal(err)
		}
		if _, err := contracts.VoidContractEvent(a1, twice.ID, "重复录入"); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("voided twice: %v", err)
		}
		got = reread()
		p := got.Payables[0]
		if p.Paid != qingqian.Yuan(300_000) || p.Unpaid != qingqian.Yuan(500_000) || p.Status != qingqian.PayableOverdue {
			t.Fatalf("after the void: %+v", p)
		}
		var voided *qingqian.ContractEvent
		for _, e := range got.Events {
			if e.ID == twice.ID {
				voided = e
			}
		}
		if voided == nil || !voided.Voided() || voided.VoidReason != "重复录入" || voided.VoidedBy == "" {
			t.Fatalf("the voided event is not kept as voided: %+v", voided)
		}

		// Overdue since 30 September: a new arrear in the ledger. From now on the payable is what
		// the ledger holds: what would change it is refused, naming the item; a note is not.
		if n, err := contracts.RaiseArrears(a1); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		got = reread()
		more := *got
		more.Amount = qingqian.Yuan(900_000)
		if err := contracts.CorrectContract(a1, &more, "金额"); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "已列入拖欠台账") {
			t.Fatalf("an amount in the ledger corrected: %v", err)
		}
		noted := *got
		noted.Note = "供应商名称已更正"
		noted.Name = "配电设备及安装"
		if err := contracts.CorrectContract(a1, &noted, "名称"); err != nil {
			t.Fatalf("a name corrected: %v", err)
		}
		// The same terms again: nothing written, no new version.
		v := reread().Version
		unchanged := *reread()
		if err := contracts.CorrectContract(a1, &unchanged, "再核对一次"); err != nil || reread().Version != v {
			t.Fatalf("an empty correction: %v, version %d → %d", err, v, reread().Version)
		}
		if _, err := contracts.VoidContractEvent(a1, delivery.ID, "交付日期有误"); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("the delivery of a payable in the ledger voided: %v", err)
		}
		// A late payment is recorded on the item; taking it back would leave the ledger without basis.
		latePay := event(&qingqian.ContractEvent{Kind: qingqian.EventPayment, On: d("2025-12-01"), Amount: qingqian.Yuan(100_000), Method: qingqian.MethodTransfer})
		if _, err := contracts.VoidContractEvent(a1, latePay.ID, "误录"); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "逾期付款") {
			t.Fatalf("a late payment on the ledger voided: %v", err)
		}
		if err := contracts.CancelContract(a1, k.ID, reread().Version, "误登记"); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "已列入拖欠台账") {
			t.Fatalf("a contract in the ledger cancelled: %v", err)
		}
		// New events do not change a payable in the ledger either: a dispute on it, a payment
		// dated before its due date, a settlement that moves it.
		for _, e := range []*qingqian.ContractEvent{
			{Kind: qingqian.EventDispute, On: d("2025-10-15"), Amount: qingqian.Yuan(100_000)},
			{Kind: qingqian.EventPayment, On: d("2025-09-20"), Amount: qingqian.Yuan(50_000), Method: qingqian.MethodTransfer},
			{Kind: qingqian.EventSettlement, On: d("2025-12-20"), Amount: qingqian.Yuan(700_000)},
		} {
			e.ContractID = k.ID
			if err := contracts.AddContractEvent(a1, e); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "已列入拖欠台账") {
				t.Fatalf("%s on a payable in the ledger: %v", e.Kind.Label(), err)
			}
		}
		// The same payment twice without a key (a form sent twice) is refused; a key given again
		// with other content is refused; the same key with the same content is the first event.
		again := &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: d("2025-12-01"), Amount: qingqian.Yuan(100_000), Method: qingqian.MethodTransfer}
		if err := contracts.AddContractEvent(a1, again); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "已记录相同的事项") {
			t.Fatalf("the same payment twice: %v", err)
		}
		keyed := &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventPayment, On: d("2025-12-10"), Amount: qingqian.Yuan(10_000), Method: qingqian.MethodTransfer, Key: "erp-k"}
		if err := contracts.AddContractEvent(a1, keyed); err != nil {
			t.Fatal(err)
		}
		same := *keyed
		same.ID = 0
		if err := contracts.AddContractEvent(a1, &same); err != nil || same.ID != keyed.ID {
			t.Fatalf("the same key and content: %v %d/%d", err, same.ID, keyed.ID)
		}
		other := *keyed
		other.ID, other.Amount = 0, qingqian.Yuan(20_000)
		if err := contracts.AddContractEvent(a1, &other); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "幂等键") {
			t.Fatalf("a key with other content: %v", err)
		}

		// A second contract: a dispute that ends, then the whole registered by mistake.
		k2 := &qingqian.Contract{OrgID: f.subA1.ID, No: "HT-2025-102", Name: "误登记的合同", Kind: qingqian.KindServices,
			Buyer: qingqian.BuyerLarge, SignedOn: d("2025-09-01"), Amount: qingqian.Yuan(500_000),
			SupplierSize: qingqian.SizeMicro, Settlement: qingqian.SettleOnce, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}}
		if err := contracts.CreateContract(a1, k2); err != nil {
			t.Fatal(err)
		}
		k.ID, k2.ID = k2.ID, k.ID // event() and reread() now work on the second contract
		event(&qingqian.ContractEvent{Kind: qingqian.EventDelivery, On: d("2025-11-20")})
		dispute := event(&qingqian.ContractEvent{Kind: qingqian.EventDispute, On: d("2025-11-25"), Amount: qingqian.Yuan(200_000)})
		if got = reread(); got.Payables[0].Disputed != qingqian.Yuan(200_000) {
			t.Fatalf("disputed: %+v", got.Payables[0])
		}
		if _, err := contracts.EndContractEvent(a1, dispute.ID, d("2025-11-20"), ""); qingqian.ErrorFields(err)["end_on"] == "" {
			t.Fatalf("ended before it began: %v", err)
		}
		if _, err := contracts.EndContractEvent(a1, dispute.ID, d("2025-12-10"), "双方确认结算金额"); err != nil {
			t.Fatal(err)
		}
		if _, err := contracts.EndContractEvent(a1, dispute.ID, d("2025-12-11"), ""); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("ended twice: %v", err)
		}
		if got = reread(); got.Payables[0].Disputed != 0 || got.Payables[0].Due != qingqian.Yuan(500_000) {
			t.Fatalf("after the dispute ended: %+v", got.Payables[0])
		}
		pay := event(&qingqian.ContractEvent{Kind: qingqian.EventPayment, On: d("2025-12-20"), Amount: qingqian.Yuan(50_000), Method: qingqian.MethodTransfer})
		if err := contracts.CancelContract(a1, k.ID, reread().Version, "误登记"); qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(err.Error(), "付款") {
			t.Fatalf("a contract with a payment cancelled: %v", err)
		}
		if _, err := contracts.VoidContractEvent(a1, pay.ID, "误录"); err != nil {
			t.Fatal(err)
		}
		if err := contracts.CancelContract(a1, k.ID, reread().Version, "误登记，实为另一单位的合同"); err != nil {
			t.Fatal(err)
		}
		got = reread()
		if !got.Cancelled() || got.CancelReason != "误登记，实为另一单位的合同" || len(got.Payables) != 0 {
			t.Fatalf("cancelled: %v %q %d payables", got.CancelledAt, got.CancelReason, len(got.Payables))
		}
		// Its number is free for the contract registered in its place.
		renew := *k2
		renew.ID, renew.Version, renew.Creditor, renew.CreditorID = 0, 0, &qingqian.Creditor{USCC: f.creditor.USCC}, 0
		if err := contracts.CreateContract(a1, &renew); err != nil || got.No != "HT-2025-102（已作废#"+fmt.Sprint(k.ID)+"）" {
			t.Fatalf("registered again under its number: %v; the cancelled one is %q", err, got.No)
		}
		// Its payables are gone from the drill-down; it takes no events and no corrections.
		open, err := sqldb.NewAgingService(db).FindOpenPayables(a1, qingqian.PayableFilter{OrgID: f.subA1.ID, AsOf: d("2025-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range open {
			if p.ContractID == k.ID {
				t.Fatalf("a cancelled contract's payable is open: %+v", p)
			}
		}
		if err := contracts.AddContractEvent(a1, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: d("2025-12-01")}); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("an event on a cancelled contract: %v", err)
		}
		if err := contracts.CorrectContract(a1, got, "更正"); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("a cancelled contract corrected: %v", err)
		}
		// Every step is in the audit trail under its own action.
		for _, action := range []string{"contract.correct", "contract.event_void", "contract.event_end", "contract.cancel"} {
			recs, n, err := sqldb.NewAuditService(db).FindAudit(f.sys, qingqian.AuditFilter{Action: action})
			if err != nil || n == 0 || len(recs) == 0 {
				t.Fatalf("audit %s: %v %d", action, err, n)
			}
		}
	})
}
