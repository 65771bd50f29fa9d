package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The office's report page shows the new arrears apart: a contract of group A's gone overdue and
// swept into the ledger is on A's line as 其中：新增拖欠, one item of 8.00 万元, in the page as
// Chromium lays it out.
func TestBrowserReportShowsNewArrears(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		sqldb.Argon2Memory = 1024
		if err := e.svc.Users.CreateUser(sys, &qingqian.User{Username: "office", Name: "清欠办", OrgID: e.root.ID, Roles: []qingqian.Role{qingqian.RoleSupervisor}}, testPassword); err != nil {
			t.Fatal(err)
		}
		today := qingqian.Today()
		k := &qingqian.Contract{OrgID: e.a.ID, CreditorID: e.creditor.ID, No: "HT-NA-1", Name: "钢材采购", Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge,
			SignedOn: today.AddDays(-200), Amount: qingqian.Yuan(80_000), SupplierSize: qingqian.SizeSmall, SizeDeclaredOn: today.AddDays(-200),
			SizeEvidence: "中小企业声明函", Settlement: qingqian.SettleOnce, AgreedDays: 30}
		if err := e.svc.Contracts.CreateContract(sys, k); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Contracts.AddContractEvent(sys, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: today.AddDays(-150)}); err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.Contracts.RaiseArrears(sys); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		office := qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 1, Name: "清欠办", OrgID: e.root.ID, OrgPath: e.root.Path, Roles: []qingqian.Role{qingqian.RoleSupervisor}})
		p := &qingqian.Period{Kind: qingqian.PeriodSpecial, AsOf: today, Deadline: today.AddDays(5)}
		if err := e.svc.Reports.OpenPeriod(office, p); err != nil {
			t.Fatal(err)
		}

		ctx := newTab()
		login(t, ctx, e.srv.URL, "office", testPassword)
		do(t, ctx, chromedp.Navigate(e.srv.URL+"/periods/"+strconv.FormatInt(p.ID, 10)+"/report"), chromedp.WaitVisible(chromedp.CSS("#report")))
		heads := eval[[]string](t, ctx, `[...document.querySelectorAll('#report thead th')].map(th => th.innerText.trim())`)
		lines := eval[[][]string](t, ctx, `[...document.querySelectorAll('#report tbody tr, #report tfoot tr')].map(tr => [...tr.cells].map(c => c.innerText.trim()))`)
		amount, count := -1, -1
		for i, h := range heads {
			switch h {
			case "其中：新增拖欠":
				amount = i
			case "其中：新增拖欠（笔）":
				count = i
			}
		}
		if amount < 0 || count < 0 || len(lines) != 3 {
			t.Fatalf("headings %q, %d lines", heads, len(lines))
		}
		byName := map[string][]string{}
		for _, l := range lines {
			byName[l[1]] = l
		}
		a, b := byName["甲集团"], byName["乙集团"]
		if a == nil || b == nil || a[count] != "1" || a[amount] != "8.00" || b[count] != "0" || b[amount] != "0.00" {
			t.Fatalf("new arrears on the lines: %q", lines)
		}
		if total := lines[2]; total[amount] != "8.00" || total[count] != "1" {
			t.Fatalf("total line %q", total)
		}
		// The column is visible: scrolled to, it is in the window, not hidden.
		visible := eval[bool](t, ctx, `(() => { const th = document.querySelectorAll('#report thead th')[`+strconv.Itoa(amount)+`]; th.scrollIntoView({inline: 'center'});
			const r = th.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && getComputedStyle(th).visibility === 'visible'; })()`)
		if !visible {
			t.Fatal("the new arrears column is not visible")
		}
		if note := text(t, ctx, ".report-sheet"); !strings.Contains(note, "其中：新增拖欠指") {
			t.Fatalf("the note under the table does not explain the column")
		}
		// Group A's submission shows the line too, with what of it is outstanding.
		liaison := qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 2, Name: "甲联络员", OrgID: e.a.ID, OrgPath: e.a.Path, Roles: []qingqian.Role{qingqian.RoleLiaison}})
		sub, err := e.svc.Reports.Prepare(liaison, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "新增合同逾期"})
		if err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.Navigate(e.srv.URL+"/submissions/"+strconv.FormatInt(sub.ID, 10)), chromedp.WaitVisible(chromedp.CSS("#figures")))
		if got := text(t, ctx, "#new-arrears"); !strings.Contains(got, "其中：新增拖欠（笔）\t1") || strings.Count(got, "8.00") != 2 {
			t.Fatalf("the submission's new arrears line: %q", got)
		}
	})
}
