package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// Through the API: a dry run of a selection answers what it would issue and writes nothing; a
// bill not yet due is refused a dishonour naming its maturity and is returned; the list keeps
// the bills past maturity when asked. On the pages: the selection is previewed before it is
// issued, and the report's export carries its annex.
func TestLettersPreviewBillsReturnedAndTheAnnexExported(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		sel := map[string]any{"mode": "above", "min_amount": "0.50", "reply_by": qingqian.Today().AddDays(10).String()}
		r := e.do("POST", "/api/v1/letters?dry_run=true", e.tokRoot, sel).want(t, http.StatusOK)
		if r.json["letters"] != float64(1) || r.json["creditors"] != float64(1) || r.json["amount"] != "1.00" || countRows(t, db, "letters") != 1 {
			t.Fatalf("dry run: %s", r.body)
		}
		e.do("POST", "/api/v1/letters?dry_run=maybe", e.tokRoot, sel).want(t, http.StatusBadRequest).field(t, "dry_run")
		e.do("POST", "/api/v1/letters?dry_run=true", e.tokA, sel).want(t, http.StatusForbidden)

		bill, err := e.svc.Bills.FindBillByID(qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")), w.billA)
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/bills/" + strconv.FormatInt(w.billA, 10)
		today := qingqian.Today().String()
		r = e.do("POST", path+"/dishonour", e.tokA, map[string]any{"on": today, "reason": "退回"}).want(t, http.StatusBadRequest)
		if !strings.Contains(r.field(t, "on"), bill.MaturesOn.String()) {
			t.Fatalf("the refusal does not name the maturity: %s", r.body)
		}
		e.do("POST", path+"/return", e.tokA, map[string]any{"on": bill.MaturesOn.String(), "reason": "退回"}).want(t, http.StatusBadRequest).field(t, "on")
		r = e.do("POST", path+"/return", e.tokA, map[string]any{"on": today, "reason": "债权企业退回"}).want(t, http.StatusOK)
		if r.json["state"] != "returned" {
			t.Fatalf("returned: %s", r.body)
		}
		e.do("POST", path+"/dishonour", e.tokA, map[string]any{"on": today, "reason": "x"}).want(t, http.StatusConflict)
		clerkA := qingqian.NewContext(context.Background(), w.users["clerk_a"].Actor())
		if _, err := e.svc.Bills.RecordBill(clerkA, qingqian.BillInput{ItemID: w.itemA, Kind: qingqian.BillCommercial, No: "CB-OLD", Amount: qingqian.Yuan(2),
			IssuedOn: qingqian.MustParseDate("2019-02-10"), HandedOn: qingqian.MustParseDate("2019-02-10"), MaturesOn: qingqian.MustParseDate("2019-02-20"), Acceptor: "示范银行"}); err != nil {
			t.Fatal(err)
		}
		r = e.do("GET", "/api/v1/bills/unhonoured?overdue=true&as_of=2019-02-28", e.tokA, nil).want(t, http.StatusOK)
		if r.json["count"] != float64(1) || r.json["overdue_count"] != float64(1) || r.json["bills"].([]any)[0].(map[string]any)["overdue_days"] != float64(8) {
			t.Fatalf("overdue only: %s", r.body)
		}

		// The pages, as the office.
		_, secret, err := sqldb.NewUserService(db).Login(context.Background(), "supervisor", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(method, path string, form url.Values) (int, string) {
			t.Helper()
			var body io.Reader
			if form != nil {
				body = strings.NewReader(form.Encode())
			}
			req, _ := http.NewRequest(method, e.srv.URL+path, body)
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return res.StatusCode, html.UnescapeString(string(b))
		}
		form := url.Values{"mode": {"above"}, "min_amount": {"0.50"}, "reply_by": {qingqian.Today().AddDays(10).String()}}
		if st, page := send("POST", "/letters", form); st != http.StatusOK || !strings.Contains(page, `id="letters-preview"`) || countRows(t, db, "letters") != 1 {
			t.Fatalf("preview (%d)", st)
		}
		form.Set("confirm", "yes")
		if st, _ := send("POST", "/letters", form); st != http.StatusSeeOther || countRows(t, db, "letters") != 2 {
			t.Fatalf("issue (%d)", st)
		}
		period := strconv.FormatInt(w.period, 10)
		st, csv := send("GET", "/periods/"+period+"/report/export?format=csv", nil)
		if st != http.StatusOK || !strings.Contains(csv, "附：票据支付未兑付（截至2019年2月28日，按导出时已登记的情况计算") || !strings.Contains(csv, "甲集团,1,0.0002,1,0.0002") {
			t.Fatalf("the report's export (%d):\n%s", st, csv)
		}
	})
}
