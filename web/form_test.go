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

// Forms answer bad input with their page again: the status of the error, the message next to
// the field, what was typed (but never a password), and nothing written.
func TestWorkbenchForms(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		sessions := map[string]string{}
		for _, name := range []string{"admin", "secadmin", "supervisor", "clerk_a"} {
			_, secret, err := sqldb.NewUserService(db).Login(context.Background(), name, testPassword, "")
			if err != nil {
				t.Fatal(err)
			}
			sessions[name] = secret
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		post := func(who, path string, form url.Values, status int, has ...string) string {
			t.Helper()
			req, _ := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: sessions[who]})
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			body := html.UnescapeString(string(b))
			if res.StatusCode != status {
				t.Fatalf("POST %s as %s: %d, want %d\n%.3000s", path, who, res.StatusCode, status, body)
			}
			for _, s := range has {
				if !strings.Contains(body, s) {
					t.Errorf("POST %s as %s: the page lacks %q", path, who, s)
				}
			}
			return body
		}
		count := func() (items, creditors int) {
			t.Helper()
			p, err := e.svc.Items.FindItems(sys, qingqian.ItemFilter{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, n, err := e.svc.Creditors.FindCreditors(sys, qingqian.CreditorFilter{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			return p.Total, n
		}
		items, creditors := count()

		// A new item with a bad amount and a new creditor: neither is written.
		post("clerk_a", "/items/new", url.Values{"org_id": {strconv.FormatInt(e.a.ID, 10)}, "contract_name": {"设备采购合同"}, "kind": {"goods"},
			"origin": {"new"}, "arisen_on": {"2019-01-10"}, "undisputed": {"12,3x"}, "uscc": {"91350100M000100Y43"}, "creditor_name": {"新登记的企业"}},
			http.StatusBadRequest, "金额应为元，最多两位小数", `value="设备采购合同"`, `value="12,3x"`)
		if i, c := count(); i != items || c != creditors {
			t.Fatalf("a refused item wrote %d items and %d creditors", i-items, c-creditors)
		}
		// A plan row with an impossible date names its row and keeps the row.
		post("clerk_a", "/items/"+strconv.FormatInt(w.itemA, 10)+"/plan", url.Values{"due": {"2019-13-01"}, "amount": {"100"}, "reason": {"首次计划"}},
			http.StatusBadRequest, "第1行：请填写计划日期", `value="2019-13-01"`)
		// A creditor whose declaration date does not exist.
		post("supervisor", "/creditors", url.Values{"name": {"某某机电有限公司"}, "uscc": {"91350100M000100Y43"}, "ownership": {"private"}, "size_declared_on": {"2019-02-30"}},
			http.StatusBadRequest, "日期格式应为 YYYY-MM-DD", `value="某某机电有限公司"`)
		if _, c := count(); c != creditors {
			t.Fatal("a refused creditor was written")
		}
		// A user changed since the page was shown: a conflict.
		post("admin", "/users/"+strconv.FormatInt(w.users["clerk_b"].ID, 10)+"/active", url.Values{"active": {"false"}, "version": {"99"}},
			http.StatusConflict, "数据已被他人修改")
		// A token without a name: the token form's field is marked.
		post("secadmin", "/tokens", url.Values{"token_org": {strconv.FormatInt(e.a.ID, 10)}, "token_roles": {"observer"}},
			http.StatusBadRequest, "创建令牌失败", "请填写令牌名称")
		// Two different new passwords: said next to the second, and no password shown again.
		body := post("clerk_a", "/password", url.Values{"old": {testPassword}, "password": {"Neues-Passwort-1"}, "confirm": {"Neues-Passwort-2"}},
			http.StatusBadRequest, "两次输入的新密码不一致")
		if strings.Contains(body, "Neues-Passwort") || strings.Contains(body, testPassword) {
			t.Fatal("the password page shows a password again")
		}
	})
}
