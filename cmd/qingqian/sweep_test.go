package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// A contract delivered half a year ago and never paid: `sweep` makes its payable an item of the
// ledger (新增欠款) once, a second sweep finds nothing, and verify passes.
func TestSweepOverduePayablesIntoTheLedger(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		ctx := context.Background()
		newDeployment(t, args)
		db, err := sqldb.Open(dsnOf(dialect, args))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.VoucherDir = filepath.Join(args[1], "vouchers")
		svc := sqldb.NewServices(db)
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("测试"))
		today := qingqian.Today()
		k := &qingqian.Contract{OrgID: 2, No: "HT-SWEEP-1", Name: "钢材采购", Kind: qingqian.KindGoods, SignedOn: today.AddDays(-200),
			Amount: qingqian.Yuan(120_000), AgreedDays: 30, Buyer: qingqian.BuyerLarge, Settlement: qingqian.SettleOnce,
			SupplierSize: qingqian.SizeSmall, SizeDeclaredOn: today.AddDays(-200), SizeEvidence: "中小企业声明函",
			Creditor: &qingqian.Creditor{Name: "某某钢材贸易有限公司", USCC: "91110000600037341L", Ownership: qingqian.OwnershipPrivate}}
		if err := svc.Contracts.CreateContract(sys, k); err != nil {
			t.Fatal(err)
		}
		if err := svc.Contracts.AddContractEvent(sys, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: today.AddDays(-190)}); err != nil {
			t.Fatal(err)
		}
		newItems := func() int {
			t.Helper()
			p, err := svc.Items.FindItems(sys, qingqian.ItemFilter{Origin: qingqian.OriginNew})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		if n := newItems(); n != 0 {
			t.Fatalf("new arrears before the sweep: %d", n)
		}
		// Two sweeps at once (two servers' nightly runs): one makes the item, the other finds it made.
		outs := make([]string, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range outs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = run(t, append([]string{"sweep"}, args...)...)
			}()
		}
		wg.Wait()
		all := strings.Join(outs, "\n")
		if errs[0] != nil || errs[1] != nil || strings.Count(all, "已处理 1 份合同") != 1 || strings.Count(all, "没有需要转入拖欠台账的逾期应付款") != 1 {
			t.Fatalf("two sweeps at once: %v %v\n%s", errs[0], errs[1], all)
		}
		if n := newItems(); n != 1 {
			t.Fatalf("new arrears after the sweep: %d", n)
		}
		out, err := run(t, append([]string{"sweep"}, args...)...)
		if err != nil || !strings.Contains(out, "没有需要转入拖欠台账的逾期应付款") || newItems() != 1 {
			t.Fatalf("second sweep: %v\n%s", err, out)
		}
		if out, err := run(t, append([]string{"verify"}, args...)...); err != nil || !strings.Contains(out, "审计链完好") {
			t.Fatalf("verify: %v\n%s", err, out)
		}
		// The register and the open payables, exported from the command line.
		for kind, want := range map[string]string{"contracts": "钢材采购", "payables": "120000.00"} {
			path := filepath.Join(t.TempDir(), kind+".csv")
			if out, err := run(t, append([]string{"export", kind, "--out", path}, args...)...); err != nil {
				t.Fatalf("export %s: %v\n%s", kind, err, out)
			}
			if b, _ := os.ReadFile(path); !strings.Contains(string(b), "HT-SWEEP-1") || !strings.Contains(string(b), want) {
				t.Fatalf("export %s:\n%s", kind, b)
			}
		}
		// A contract and its delivery from files, as an ERP would send them; the template first.
		if out, err := run(t, "template", "contracts", "--out", filepath.Join(t.TempDir(), "合同模板.xlsx")); err != nil {
			t.Fatalf("template: %v\n%s", err, out)
		}
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "合同.csv"), []byte("采购单位,合同编号,合同名称,合同类型,供应商统一社会信用代码,签订时声明的规模,签订日期,合同金额（元）\n"+
			"示范建工集团有限公司,HT-CSV-1,水泥采购,货物款,91110000600037341L,小型,"+today.AddDays(-100).String()+",50000\n"), 0o600)
		os.WriteFile(filepath.Join(dir, "事项.csv"), []byte("采购单位,合同编号,事件,日期,幂等键\n示范建工集团有限公司,HT-CSV-1,交付,"+today.AddDays(-95).String()+",ERP-9\n"), 0o600)
		if out, err := run(t, append([]string{"import", "contracts", filepath.Join(dir, "合同.csv")}, args...)...); err != nil || !strings.Contains(out, "新增 1 条") {
			t.Fatalf("import contracts: %v\n%s", err, out)
		}
		if out, err := run(t, append([]string{"import", "contract_events", filepath.Join(dir, "事项.csv")}, args...)...); err != nil || !strings.Contains(out, "新增 1 条") {
			t.Fatalf("import events: %v\n%s", err, out)
		}
		if out, err := run(t, append([]string{"sweep"}, args...)...); err != nil || !strings.Contains(out, "已处理 1 份合同") {
			t.Fatalf("the imported contract's sweep: %v\n%s", err, out)
		}
		if _, err := run(t, append([]string{"sweep", "extra"}, args...)...); err == nil {
			t.Fatal("sweep took an argument")
		}
	})
}

func TestSweepSchedule(t *testing.T) {
	at, on, err := parseSweepAt("01:30")
	if err != nil || !on || at != 90*time.Minute {
		t.Fatalf("01:30: %v %v %v", at, on, err)
	}
	if _, on, err := parseSweepAt("off"); err != nil || on {
		t.Fatalf("off: %v %v", on, err)
	}
	for _, bad := range []string{"25:00", "1.30", "daily"} {
		if _, _, err := parseSweepAt(bad); err == nil || !strings.Contains(err.Error(), "--sweep-at") {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	loc := time.FixedZone("CST", 8*3600)
	cases := []struct{ now, want string }{
		{"2026-12-02 00:10", "2026-12-02 01:30"}, // later today
		{"2026-12-02 01:30", "2026-12-03 01:30"}, // the moment itself has been
		{"2026-12-31 23:00", "2027-01-01 01:30"}, // across the year
	}
	for _, c := range cases {
		now, _ := time.ParseInLocation("2006-01-02 15:04", c.now, loc)
		want, _ := time.ParseInLocation("2006-01-02 15:04", c.want, loc)
		if got := nextSweep(now, 90*time.Minute); !got.Equal(want) {
			t.Fatalf("after %s: %s, want %s", c.now, got, want)
		}
	}
}
