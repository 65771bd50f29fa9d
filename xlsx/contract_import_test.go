package xlsx_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

var contractHeader = []string{"采购单位", "合同编号", "合同名称", "合同类型", "采购方类型", "供应商统一社会信用代码", "供应商名称", "签订时声明的规模",
	"规模声明日期", "规模声明依据", "签订日期", "合同金额（元）", "结算方式", "约定付款期限（日）", "验收为付款条件", "约定验收期限（日）",
	"约定逾期利率（%）", "利率单位", "背靠背条款", "以审计结果为结算依据", "强制以票据支付", "备注"}

var eventHeader = []string{"采购单位", "合同编号", "事件", "日期", "金额（元）", "付款方式", "凭证号", "争议解决或诉讼结束日期", "验收延迟系供应商原因", "备注", "幂等键"}

// Contracts and their events from workbooks LibreOffice saved: a bad file names its cells and
// writes nothing; the good one registers the contracts (a new supplier with them), once; the
// events are recorded once by their keys, and the payables follow from them.
func TestImportContractsAndEvents(t *testing.T) {
	soffice(t)
	good := [][]string{contractHeader,
		// A new supplier without the date of its declaration: declared at signing.
		{"示范建工第一工程有限公司", "HT-IM-1", "钢材采购", "货物款", "大型企业", "91310115MA1K3BTP2B", "某某钢材贸易有限公司", "小型",
			"", "中小企业声明函", "#45839", "#1000000", "一次性结算", "#30", "否", "", "", "", "否", "否", "否", ""},
		{"示范建工集团有限公司", "HT-IM-2", "检测服务", "服务款", "", "91310115MA1K3BTP2B", "", "微型",
			"", "", "2025-09-01", "#200000", "", "", "是", "#15", "#4.35", "年", "是", "否", "否", "背靠背条款"},
	}
	bad := [][]string{contractHeader,
		{"示范建工第九工程有限公司", "HT-IM-1", "钢材采购", "货物款", "", "91310115MA1K3BTP2B", "某某钢材贸易有限公司", "小型",
			"", "", "2025-07-01", "#1000000", "", "", "", "", "", "", "", "", "", ""},
		{"示范建工集团有限公司", "HT-IM-3", "设备", "货物款", "", "91110000600037341L", "", "小型",
			"", "", "2025-07-01", "#1000", "", "", "", "", "", "", "", "", "", ""},
		{"示范建工集团有限公司", "HT-IM-4", "设备", "货物款", "", "91110000600037341L", "某某设备有限公司", "小型",
			"", "", "2025-07-01", "#1000", "", "#99999", "大概", "", "", "", "", "", "", ""},
	}
	events := [][]string{eventHeader,
		{"示范建工第一工程有限公司", "HT-IM-1", "交付", "2025-08-01", "", "", "", "", "", "", "ERP-1"},
		{"示范建工第一工程有限公司", "HT-IM-1", "付款", "2025-08-20", "#600000", "银行转账", "HD-1", "", "", "", "ERP-2"},
		{"示范建工第一工程有限公司", "HT-IM-1", "付款", "2025-08-20", "#600000", "银行转账", "HD-1", "", "", "", "ERP-2"},
	}
	badEvents := [][]string{eventHeader,
		{"示范建工第一工程有限公司", "HT-NONE", "交付", "2025-08-01", "", "", "", "", "", "", ""},
		{"示范建工第一工程有限公司", "HT-IM-1", "付款", "2025-06-01", "#100", "银行转账", "", "", "", "", ""},
	}
	goodBook := convert(t, rawBook(t, rawSheet{name: "合同", rows: good}), "xlsx", "")
	badBook := convert(t, rawBook(t, rawSheet{name: "合同", rows: bad}), "xlsx", "")
	eventBook := convert(t, rawBook(t, rawSheet{name: "合同事项", rows: events}), "xlsx", "")
	badEventBook := convert(t, rawBook(t, rawSheet{name: "合同事项", rows: badEvents}), "xlsx", "")
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		contracts := sqldb.NewContractService(db)
		count := func() int {
			t.Helper()
			p, err := contracts.FindContracts(l.sys, qingqian.ContractFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total
		}
		rep, err := xlsx.Import(l.sys, l.imports, "contracts", badBook, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		text := issues(rep)
		for _, want := range []string{"没有这个单位", "应填“是”或“否”", "新供应商须填写名称", "约定付款期限（日）"} {
			if !strings.Contains(text, want) {
				t.Errorf("the bad file's problems lack %q:\n%s", want, text)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("a bad file wrote %d contracts", n)
		}
		rep, err = xlsx.Import(l.sys, l.imports, "contracts", goodBook, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 2 || rep.Result.CreditorsCreated != 1 {
			t.Fatalf("%v %s %+v", err, issues(rep), rep.Result)
		}
		// The preview's totals per unit, to check against the file's own.
		if ts := rep.Result.Totals; len(ts) != 2 || ts[0].Undisputed+ts[1].Undisputed != qingqian.Yuan(1_200_000) || ts[0].Rows+ts[1].Rows != 2 {
			t.Fatalf("totals: %+v", ts)
		}
		rep, err = xlsx.Import(l.sys, l.imports, "contracts", goodBook, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 0 || rep.Result.Unchanged != 2 || count() != 2 {
			t.Fatalf("again: %v %s %+v", err, issues(rep), rep.Result)
		}
		page, _ := contracts.FindContracts(l.sys, qingqian.ContractFilter{Query: "HT-IM-2"})
		k2 := page.Contracts[0]
		if !k2.PayWhenPaid || k2.AgreedRate.Micro != 43500 || k2.AcceptanceDays != 15 || k2.Buyer != qingqian.BuyerLarge || k2.CreditorName != "某某钢材贸易有限公司" {
			t.Fatalf("the second contract: %+v", k2)
		}
		rep, err = xlsx.Import(l.sys, l.imports, "contract_events", badEventBook, false, nil)
		if err != nil || rep.OK() || !strings.Contains(issues(rep), "本单位没有这个编号的合同") || !strings.Contains(issues(rep), "不能早于合同签订日期") {
			t.Fatalf("bad events: %v %s", err, issues(rep))
		}
		rep, err = xlsx.Import(l.sys, l.imports, "contract_events", eventBook, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 2 || rep.Result.Unchanged != 1 {
			t.Fatalf("events: %v %s %+v", err, issues(rep), rep.Result)
		}
		page, _ = contracts.FindContracts(l.sys, qingqian.ContractFilter{Query: "HT-IM-1"})
		k1, err := contracts.FindContractByID(l.sys, page.Contracts[0].ID, qingqian.MustParseDate("2025-08-31"))
		if err != nil {
			t.Fatal(err)
		}
		// Delivered 1 August, 30 days agreed: 31 August is a Sunday, so due Monday 1 September.
		if len(k1.Events) != 2 || len(k1.Payables) != 1 || k1.Payables[0].Paid != qingqian.Yuan(600_000) || k1.Payables[0].DueOn != qingqian.MustParseDate("2025-09-01") {
			t.Fatalf("HT-IM-1 after its events: %d events %+v", len(k1.Events), *k1.Payables[0])
		}
		// The same events again: nothing new.
		if rep, err = xlsx.Import(l.sys, l.imports, "contract_events", eventBook, false, nil); err != nil || rep.Result.Created != 0 || rep.Result.Unchanged != 3 {
			t.Fatalf("events again: %v %+v", err, rep.Result)
		}
		// A row without a key, imported again, is named as recorded already: nothing doubles.
		plain := writeFile(t, "事项.csv", []byte("采购单位,合同编号,事件,日期\n示范建工集团有限公司,HT-IM-2,交付,2025-09-10\n"))
		if rep, err = xlsx.Import(l.sys, l.imports, "contract_events", plain, false, nil); err != nil || !rep.OK() || rep.Result.Created != 1 {
			t.Fatalf("a key-less event: %v %s", err, issues(rep))
		}
		if rep, err = xlsx.Import(l.sys, l.imports, "contract_events", plain, false, nil); err != nil || rep.OK() || !strings.Contains(issues(rep), "已记录相同的事项") {
			t.Fatalf("a key-less event again: %v %s", err, issues(rep))
		}
	})
}
