package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The ledger's page number and its rows agree: a page past the last sends to the last page (with
// its links), and a row cursor (after, before) beside a page number sends to that page by number,
// whose rows are the ones its label says.
func TestLedgerPageParameters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		for i := range 120 { // three pages of 50: 50, 50, 20
			it := &qingqian.Item{OrgID: e.a.ID, Creditor: &qingqian.Creditor{USCC: e.creditor.USCC}, No: fmt.Sprintf("YM-%04d", i),
				Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2020-01-10"), Undisputed: qingqian.Yuan(int64(1000 + i)), Origin: qingqian.OriginBaseline}
			if err := e.svc.Items.CreateItem(sys, it); err != nil {
				t.Fatal(err)
			}
		}
		sqldb.Argon2Memory = 1024
		u := &qingqian.User{Username: "pager", Name: "省国资委清欠办", OrgID: e.root.ID, Roles: []qingqian.Role{qingqian.RoleSupervisor}}
		if err := e.svc.Users.CreateUser(sys, u, testPassword); err != nil {
			t.Fatal(err)
		}
		c := session(t, e, "pager")
		get := func(path string) (int, string, string) {
			t.Helper()
			code, body, hdr := page(t, c, "GET", e.srv.URL+path, nil)
			return code, body, hdr.Get("Location")
		}
		numbers := regexp.MustCompile(`YM-\d{4}`)
		show := func(path, label, first string, rows int) {
			t.Helper()
			code, body, _ := get(path)
			if code != http.StatusOK {
				t.Fatalf("%s: %d", path, code)
			}
			got := numbers.FindAllString(body, -1)
			if !strings.Contains(body, label) || len(got) != rows || got[0] != first {
				t.Fatalf("%s: want %q, %d rows from %s; got %d rows %v", path, label, rows, first, len(got), got)
			}
		}
		// Newest first: page 1 from YM-0119, page 2 from YM-0069, page 3 from YM-0019.
		show("/ledger", "第 1 / 3 页", "YM-0119", 50)
		show("/ledger?page=2", "第 2 / 3 页", "YM-0069", 50)
		show("/ledger?page=3", "第 3 / 3 页", "YM-0019", 20)
		redirects := func(path, to string) {
			t.Helper()
			code, _, loc := get(path)
			if code != http.StatusSeeOther || loc != to {
				t.Fatalf("%s: %d to %q, want 303 to %q", path, code, loc, to)
			}
		}
		// Past the last page: the last page, with its links to the others.
		redirects("/ledger?page=9999&kind=goods", "/ledger?kind=goods&page=3")
		_, body, _ := get("/ledger?kind=goods&page=3")
		if !strings.Contains(body, `rel="prev"`) || !strings.Contains(body, `href="/ledger?kind=goods&amp;page=2"`) || !strings.Contains(body, `href="/ledger?kind=goods"`) {
			t.Fatalf("the last page lacks its links:\n%s", body[strings.Index(body, `id="ledger-pager"`):])
		}
		// A cursor beside a page number: the page by number, whatever the cursor.
		redirects("/ledger?page=2&after=x", "/ledger?page=2")
		redirects("/ledger?after=x", "/ledger")
		redirects("/ledger?before=x&page=3&sort=-id", "/ledger?page=3&sort=-id")
		// The pager's own links name pages by number only.
		_, body, _ = get("/ledger?page=2")
		pager := body[strings.Index(body, `id="ledger-pager"`):]
		if strings.Contains(pager, "after=") || strings.Contains(pager, "before=") || !strings.Contains(pager, `href="/ledger?page=3" rel="next"`) {
			t.Fatalf("pager links: %s", pager)
		}
		// An empty set: page 1 says so; a page past it goes to page 1.
		redirects("/ledger?kind=works&page=5", "/ledger?kind=works")
		if _, body, _ := get("/ledger?kind=works"); !strings.Contains(body, "没有符合条件的台账条目") {
			t.Fatal("an empty set does not say so")
		}
	})
}
