package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A repayment in a bill is a bill handed over, shown on the item and the dashboard as not yet
// honoured, and counted as repaid once honoured; a bank statement uploaded on its page is
// previewed, imported and proves the repayment it matches.
func TestBillsAndStatementsThroughTheAPIAndPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		item := strconv.FormatInt(e.newItem(e.tokA, e.a.ID, "1000.00").want(t, http.StatusCreated).num("id"), 10)
		today := qingqian.Today()
		// A repayment in a bill is not a repayment.
		e.do("POST", "/api/v1/items/"+item+"/entries", e.tokA, map[string]any{"kind": "repay", "on": today.String(), "amount": "10.00",
			"method": "bill"}).want(t, http.StatusBadRequest).field(t, "method")
		r := e.do("POST", "/api/v1/items/"+item+"/bills", e.tokA, map[string]any{"kind": "commercial", "no": "CB-9", "amount": "300.00",
			"issued_on": today.AddDays(-5).String(), "handed_on": today.AddDays(-5).String(), "matures_on": today.String(), "acceptor": "示范银行"})
		bill := strconv.FormatInt(r.want(t, http.StatusCreated).num("id"), 10)
		r = e.do("GET", "/api/v1/bills/unhonoured?org_id="+strconv.FormatInt(e.a.ID, 10), e.tokA, nil).want(t, http.StatusOK)
		if r.json["count"] != float64(2) { // and the world's bill of A
			t.Fatalf("unhonoured: %s", r.body)
		}
		e.do("GET", "/api/v1/bills/unhonoured", e.tokB, nil).want(t, http.StatusOK)
		e.do("POST", "/api/v1/bills/"+bill+"/honour", e.tokB, map[string]any{"on": today.String()}).want(t, http.StatusNotFound)

		_, secret, err := sqldb.NewUserService(db).Login(context.Background(), "clerk_a", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(method, path, ctype string, body io.Reader) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.srv.URL+path, body)
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
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
		form := func(path string, v url.Values) (int, string) {
			return send("POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
		}
		if st, page := send("GET", "/items/"+item, "", nil); st != 200 || !strings.Contains(page, "CB-9") || !strings.Contains(page, "<b>300.00</b> 元已以票据支付、尚未兑付") {
			t.Fatalf("the item's page (%d) does not show the bill", st)
		}
		if st, page := send("GET", "/", "", nil); st != 200 || !strings.Contains(page, "票据支付未兑付") {
			t.Fatalf("the dashboard (%d) does not show the bills", st)
		}
		if st, page := form("/bills/"+bill+"/honour", url.Values{"on": {today.AddDays(-1).String()}}); st != http.StatusBadRequest || !strings.Contains(page, "到期日") {
			t.Fatalf("honoured before maturity: %d", st)
		}
		if st, _ := form("/bills/"+bill+"/honour", url.Values{"on": {today.String()}}); st != http.StatusSeeOther {
			t.Fatalf("honour: %d", st)
		}
		r = e.do("GET", "/api/v1/items/"+item, e.tokA, nil).want(t, http.StatusOK)
		if b := r.json["balance"].(map[string]any); b["repaid"] != "300.00" {
			t.Fatalf("the honoured bill is not repaid: %s", r.body)
		}

		// A statement, imported by the group's reviewer (not by the clerk who records the
		// repayments): the preview writes nothing, the confirmation imports and matches.
		if _, secret, err = sqldb.NewUserService(db).Login(context.Background(), "reviewer", testPassword, ""); err != nil {
			t.Fatal(err)
		}
		csv := "交易日期,借方发生额,贷方发生额,对方户名,对方账号,摘要,流水号\n" +
			today.String() + ",300.00,,某某劳务有限公司,6217000011112222,承兑汇票到期,Z-1\n" +
			today.String() + ",77.00,,某某劳务有限公司,6217000011112222,货款,Z-2\n"
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("org_id", strconv.FormatInt(e.a.ID, 10))
		mw.WriteField("window", "3")
		fw, _ := mw.CreateFormFile("file", "对账单.csv")
		fw.Write([]byte(csv))
		mw.Close()
		st, page := send("POST", "/statements", mw.FormDataContentType(), &buf)
		if st != 200 || !strings.Contains(page, "共 2 笔付款") || countRows(t, db, "statement_lines") != 1 {
			t.Fatalf("preview (%d): %s", st, page)
		}
		i := strings.Index(page, `name="file_sha256" value="`)
		sha := page[i+len(`name="file_sha256" value="`):]
		sha = sha[:strings.Index(sha, `">`)]
		st, _ = form("/statements", url.Values{"org_id": {strconv.FormatInt(e.a.ID, 10)}, "window": {"3"}, "file_name": {"对账单.csv"}, "file_sha256": {sha}})
		if st != http.StatusSeeOther || countRows(t, db, "statement_lines") != 3 {
			t.Fatalf("confirm: %d", st)
		}
		r = e.do("GET", "/api/v1/statements/reconciliation?org_id="+strconv.FormatInt(e.a.ID, 10), e.tokA, nil).want(t, http.StatusOK)
		if len(r.json["unmatched_lines"].([]any)) != 2 { // Z-2 and the world's line
			t.Fatalf("reconciliation: %s", r.body)
		}
		if st, page = send("GET", "/statements?org_id="+strconv.FormatInt(e.a.ID, 10), "", nil); st != 200 || !strings.Contains(page, "Z-2") {
			t.Fatalf("the statements page (%d)", st)
		}
		// The same file again: its serial numbers are refused, naming the row and column.
		buf.Reset()
		mw = multipart.NewWriter(&buf)
		mw.WriteField("org_id", strconv.FormatInt(e.a.ID, 10))
		fw, _ = mw.CreateFormFile("file", "对账单.csv")
		fw.Write([]byte(csv))
		mw.Close()
		if st, page = send("POST", "/statements", mw.FormDataContentType(), &buf); st != 200 || !strings.Contains(page, "该流水号已导入过") || strings.Contains(page, `name="file_sha256"`) {
			t.Fatalf("the same file again (%d)", st)
		}
	})
}
