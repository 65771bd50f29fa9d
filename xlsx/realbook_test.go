package xlsx_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// Excel stores 19.99 as 19.989999999999998 and a formula's 700 as 700.00000000000011: they are
// read as Excel shows them (15 significant digits), then the two-decimal rule applies, so that a
// real third decimal is still refused.
func TestExcelStoredNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		book := rawBook(t, rawSheet{name: "台账", rows: [][]string{
			ledgerHeader,
			{"X-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#19.989999999999998", "=SUM(H5:H9)#700.00000000000011", "底数", "结算争议"},
			{"X-2", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1234567.8899999999", "", "底数"},
		}})
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 2 {
			t.Fatalf("%v %+v %s", err, rep, issues(rep))
		}
		items := l.all(t)
		if items[0].Undisputed != 1999 || items[0].Disputed != 70000 || items[1].Undisputed != 123456789 {
			t.Fatalf("stored %s %s %s", items[0].Undisputed, items[0].Disputed, items[1].Undisputed)
		}
		// A third decimal that is really there is refused, stored with 17 digits or not.
		book = rawBook(t, rawSheet{name: "台账", rows: [][]string{
			ledgerHeader,
			{"X-3", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1.2345000000000002", "", "底数"},
			{"X-4", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1.234", "", "底数"},
		}})
		rep, err = xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || len(rep.Issues) != 2 || !strings.Contains(rep.Issues[0].Message, "两位小数") {
			t.Fatalf("%v %s", err, issues(rep))
		}
	})
}

func issues(rep *xlsx.ImportOutcome) string {
	if rep == nil {
		return ""
	}
	return xlsx.IssueSummary(rep.Issues, 20)
}
