package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestBrowserLedgerRows checks the ledger's density at 1366×768: at least fifteen rows show
// without scrolling, though names are long; and that the column headers sort and the next page
// follows the last row of this one; a page past the last or a cursor beside a page number
// shows a page whose label and rows agree.
func TestBrowserLedgerRows(t *testing.T) {
	newTab := browser(t)
	db := sqldbtest.MustOpen(t, "sqlite")
	e := newEnv(t, db)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	for i := range 60 {
		it := &qingqian.Item{OrgID: e.a.ID, Creditor: &qingqian.Creditor{USCC: e.creditor.USCC}, No: fmt.Sprintf("TZ-2020-%04d", i),
			ContractNo: fmt.Sprintf("HT-2020-GC-%06d", i), ContractName: "某某集团总部办公楼及配套设施施工总承包合同（第" + fmt.Sprint(i) + "标段）",
			Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2020-01-10").AddDays(i), DueOn: qingqian.MustParseDate("2020-06-30").AddDays(i % 7),
			Undisputed: qingqian.Yuan(int64(123_456 + 1000*i)), Disputed: qingqian.Yuan(int64(i % 3)), Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
		if it.Disputed > 0 {
			it.DisputeReason = "结算金额有争议"
		}
		if err := e.svc.Items.CreateItem(sys, it); err != nil {
			t.Fatal(err)
		}
	}
	sqldb.Argon2Memory = 1024
	u := &qingqian.User{Username: "ledger_rows", Name: "甲集团填报员", OrgID: e.a.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}
	if err := e.svc.Users.CreateUser(sys, u, testPassword); err != nil {
		t.Fatal(err)
	}
	ctx := newTab()
	login(t, ctx, e.srv.URL, "ledger_rows", testPassword)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger"), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('#ledger tbody tr')).filter(r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; }).length`))
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "ledger-rows")
	if rows < 15 {
		t.Fatalf("%d ledger rows show at 1366×768, want at least 15", rows)
	}
	// Wider than the window, the ledger scrolls in its own box, not the page, and its last column
	// can be reached with the item's number still in view.
	reach, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const box = document.querySelector('.ledger-wrap'), page = document.documentElement;
		if (page.scrollWidth > window.innerWidth + 1) return 'page overflows: ' + page.scrollWidth;
		box.scrollLeft = box.scrollWidth;
		const last = document.querySelector('#ledger thead th:last-child').getBoundingClientRect();
		const first = document.querySelector('#ledger tbody tr td').getBoundingClientRect();
		const b = box.getBoundingClientRect();
		if (last.right > b.right + 1) return 'last column out of reach: ' + last.right + ' > ' + b.right;
		if (first.left < b.left - 1) return 'the number scrolled away: ' + first.left;
		box.scrollLeft = 0;
		return 'ok';
	})()`))
	if err != nil || reach != "ok" {
		t.Fatalf("ledger at 1366: %s %v", reach, err)
	}
	if got := text(t, ctx, "#ledger-total"); !strings.Contains(got, "合计") || !strings.Contains(got, "60") {
		t.Fatalf("total row %q", got)
	}
	// The header sorts by the outstanding amount, the largest first.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#ledger thead a[href*="outstanding"]`)), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	if got := text(t, ctx, "#ledger tbody tr td"); got != "TZ-2020-0059" {
		t.Fatalf("first row by outstanding, largest first: %q", got)
	}
	// The next page follows the last row of this one.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#ledger-pager a[rel="next"]`)), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	if got := text(t, ctx, "#ledger tbody tr td"); got != "TZ-2020-0009" {
		t.Fatalf("first row of page 2: %q (%s)", got, location(t, ctx))
	}
	if got := text(t, ctx, "#ledger-pager"); !strings.Contains(got, "第 2 / 2 页") {
		t.Fatalf("pager %q", got)
	}
	// A page past the last shows the last page, with its links; a row cursor beside a page
	// number shows that page by number, labelled as it is.
	for _, path := range []string{"/ledger?sort=-outstanding&page=9999", "/ledger?sort=-outstanding&page=2&after=123456~1"} {
		do(t, ctx, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("#ledger")))
		if got := text(t, ctx, "#ledger tbody tr td"); got != "TZ-2020-0009" {
			t.Fatalf("%s: first row %q (%s)", path, got, location(t, ctx))
		}
		if got := text(t, ctx, "#ledger-pager"); !strings.Contains(got, "第 2 / 2 页") || !strings.Contains(got, "上一页") {
			t.Fatalf("%s: pager %q", path, got)
		}
		if loc := location(t, ctx); strings.Contains(loc, "after=") || !strings.Contains(loc, "page=2") {
			t.Fatalf("%s: at %s", path, loc)
		}
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#ledger-pager a[rel="prev"]`)), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	if got := text(t, ctx, "#ledger tbody tr td"); got != "TZ-2020-0059" {
		t.Fatalf("first row of page 1: %q (%s)", got, location(t, ctx))
	}
}
