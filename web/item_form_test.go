package web_test

import (
	"context"
	"fmt"
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

// An item refused by the new-item page leaves no creditor behind: the new creditor the page
// names is registered in the item's own transaction.
func TestItemFormRefusedLeavesNoCreditor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		taken := &qingqian.Item{No: "TZ-1", OrgID: e.a.ID, CreditorID: e.creditor.ID, Kind: qingqian.KindWorks,
			ArisenOn: qingqian.MustParseDate("2020-01-10"), Undisputed: qingqian.Yuan(500), Origin: qingqian.OriginNew}
		if err := e.svc.Items.CreateItem(sys, taken); err != nil {
			t.Fatal(err)
		}
		sqldb.Argon2Memory = 1024
		clerk := &qingqian.User{Username: "clerk_a", Name: "甲集团填报员", OrgID: e.a.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}
		if err := e.svc.Users.CreateUser(sys, clerk, testPassword); err != nil {
			t.Fatal(err)
		}
		_, session, err := e.svc.Users.Login(context.Background(), "clerk_a", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		uscc := validUSCC("12345678")
		post := func(no string) (int, string) {
			form := url.Values{"no": {no}, "org_id": {strconv.FormatInt(e.a.ID, 10)}, "uscc": {uscc}, "creditor_name": {"新债权企业有限公司"},
				"ownership": {"private"}, "contract_name": {"设备采购合同"}, "kind": {"goods"}, "origin": {"new"},
				"arisen_on": {"2020-02-10"}, "undisputed": {"300.00"}}
			req, _ := http.NewRequest("POST", e.srv.URL+"/items/new", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		creditors := func() int {
			_, n, err := e.svc.Creditors.FindCreditors(sys, qingqian.CreditorFilter{USCC: uscc})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if status, body := post("TZ-1"); status != http.StatusConflict || !strings.Contains(body, "本单位已有相同台账编号的条目") {
			t.Fatalf("a taken number: %d\n%s", status, body)
		}
		if n := creditors(); n != 0 {
			t.Fatalf("the refused item left %d creditors behind", n)
		}
		if status, _ := post("TZ-2"); status != http.StatusSeeOther {
			t.Fatalf("a free number: %d", status)
		}
		if n := creditors(); n != 1 {
			t.Fatalf("%d creditors with the item's USCC, want 1", n)
		}
	})
}

// validUSCC makes a valid USCC of a private firm from eight digits.
func validUSCC(body string) string {
	first17 := fmt.Sprintf("91130100%s%c", body, qingqian.OrgCodeCheckChar(body))
	return first17 + string(qingqian.USCCCheckChar(first17))
}
