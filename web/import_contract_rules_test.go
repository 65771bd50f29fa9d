package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// contractsCSV has two contracts: one under the 2025 rules with no agreed term (the statutory 60
// days), an agreed rate below the LPR and a back-to-back clause; one under the 2020 rules, of an
// institution agreeing 90 days (60 at most).
const contractsCSV = "采购单位,合同编号,合同名称,合同类型,采购方类型,供应商统一社会信用代码,供应商名称,签订时声明的规模,规模声明日期,规模声明依据,签订日期,合同金额（元）,结算方式,约定付款期限（日）,验收为付款条件,约定验收期限（日）,约定逾期利率（%）,利率单位,背靠背条款,以审计结果为结算依据,强制以票据支付,备注\n" +
	"甲集团,HT-PV-1,钢材采购,货物款,大型企业,91110000600037341L,某某劳务有限公司,小型,,中小企业声明函,2025-09-01,100000,一次性结算,,否,,2.5,年,是,否,否,\n" +
	"甲集团,HT-PV-2,检测服务,服务款,事业单位,91110000600037341L,某某劳务有限公司,小型,,中小企业声明函,2024-03-01,50000,一次性结算,90,否,,,,否,否,否,\n"

// The preview of a contracts import shows, row by row, the terms the payment rules will apply
// (the version of the Regulation, the term, the rate and whether the agreed one is below the LPR
// floor, the forbidden clauses) before anything is written: in the API's details[].contract and
// on the preview page.
func TestContractImportPreviewShowsTheRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		body, ctype := multipartBody(nil, map[string][2]string{"file": {"合同.csv", contractsCSV}})
		st, out := send(t, "POST", e.srv.URL+"/api/v1/imports/contracts?dry_run=true", ctype, body, "", e.tokA)
		if st != 200 {
			t.Fatalf("dry run: %d %s", st, out)
		}
		r := e.do("GET", "/api/v1/contracts?q=HT-PV", e.tokA, nil).want(t, 200)
		if n := r.num("total"); n != 0 {
			t.Fatalf("a dry run wrote %d contracts", n)
		}
		for _, want := range []string{`"no":"HT-PV-1","version":"2025"`, `"term_days":60,"term_agreed":false`, `"rate_below_lpr":true`, `"code":"pay_when_paid"`,
			`"no":"HT-PV-2","version":"2020"`, `"code":"term_over_60"`} {
			if !strings.Contains(out, want) {
				t.Errorf("the API's preview lacks %s", want)
			}
		}
		if t.Failed() {
			t.Fatalf("%s", out)
		}

		// The page's preview.
		session := sessionOf(t, db, "clerk_a")
		body, ctype = multipartBody(map[string]string{"kind": "contracts", "dry_run": "1"}, map[string][2]string{"file": {"合同.csv", contractsCSV}})
		req, _ := http.NewRequest("POST", e.srv.URL+"/imports", body)
		req.Header.Set("Content-Type", ctype)
		req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %v %v", err, resp)
		}
		resp.Body.Close()
		var page string
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			st, page = send(t, "GET", e.srv.URL+resp.Header.Get("Location"), "", nil, session, "")
			if st != 200 {
				t.Fatalf("preview: %d", st)
			}
			if !strings.Contains(page, "import-progress") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the preview did not finish")
			}
		}
		start := strings.Index(page, `id="import-contract-rules"`)
		if start < 0 {
			t.Fatalf("no rules on the preview: %.5000s", page)
		}
		table := page[start:]
		table = table[:strings.Index(table, "</table>")]
		rows := strings.Split(table, "<tr class=")[1:]
		if len(rows) != 2 {
			t.Fatalf("rows %d: %s", len(rows), table)
		}
		for i, wants := range [][]string{
			{"HT-PV-1", "2025年条例", "60日（法定）", "约定利率低于LPR，按LPR计", "【违法】", "背靠背"},
			{"HT-PV-2", "2020年条例", "60日", "超过条例第八条规定的最长60日"},
		} {
			for _, w := range wants {
				if !strings.Contains(rows[i], w) {
					t.Errorf("preview row %d lacks %q: %s", i+1, w, rows[i])
				}
			}
		}
		if strings.Contains(rows[1], "低于LPR") {
			t.Errorf("row 2 has no agreed rate, yet reads below the LPR: %s", rows[1])
		}
		if r = e.do("GET", "/api/v1/contracts?q=HT-PV", e.tokA, nil).want(t, 200); r.num("total") != 0 {
			t.Fatalf("the page's preview wrote contracts")
		}
	})
}
