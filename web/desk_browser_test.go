package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// inView reports whether the element sel is within the window.
func inView(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var r=document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect();return r.top>=0&&r.bottom<=window.innerHeight;})()`))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// clearFlash removes the confirmation shown, so that waiting for the next one waits for the
// next page.
func clearFlash(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".flash").forEach(function(f){f.remove();}), 0`)); err != nil {
		t.Fatal(err)
	}
}

// focused returns the id of the element that has the cursor.
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The voucher chosen on the repayment form survives a refused submit, and a voucher can be
// added to a repayment recorded without one.
func TestBrowserVoucherKept(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		ctx := newTab()
		login(t, ctx, e.srv.URL, "clerk_a", testPassword)
		item := e.srv.URL + "/items/" + strconv.FormatInt(w.itemA, 10)
		pdf := filepath.Join(t.TempDir(), "回单.pdf")
		os.WriteFile(pdf, []byte("%PDF-1.4\n% kept slip\n%%EOF\n"), 0o644)
		// Too much: refused, and the file is kept as uploaded.
		do(t, ctx, chromedp.Navigate(item), chromedp.WaitVisible(chromedp.CSS("#record-form")),
			chromedp.SetValue(chromedp.CSS("#on"), "2019-06-01"),
			chromedp.SendKeys(chromedp.CSS("#amount"), "999999.99"),
			chromedp.SetValue(chromedp.CSS("#method"), "transfer"),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{pdf}),
			chromedp.Click(chromedp.CSS("#record-submit")),
			chromedp.WaitVisible(chromedp.CSS("#amount-error")))
		if got := text(t, ctx, "#kept-vouchers"); !strings.Contains(got, "已上传：回单.pdf") {
			t.Fatalf("kept vouchers: %q", got)
		}
		shot(t, ctx, "30-voucher-kept")
		if got := focused(t, ctx); got != "amount" {
			t.Fatalf("after the error the cursor is on %q", got)
		}
		// Corrected and saved: the repayment has the voucher without choosing it again.
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#amount"), "10.00"), chromedp.Click(chromedp.CSS("#record-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if !inView(t, ctx, ".flash") {
			t.Fatal("the confirmation of the saved form is out of view")
		}
		es, err := e.svc.Entries.FindEntries(qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")), w.itemA)
		if err != nil {
			t.Fatal(err)
		}
		last := es[len(es)-1]
		if last.Undisputed != -qingqian.Yuan(10) || len(last.Vouchers) != 1 || last.Vouchers[0].Name != "回单.pdf" {
			t.Fatalf("entry saved: %+v", last)
		}

		// A repayment saved without a voucher gets one afterwards from its row.
		clearFlash(t, ctx)
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#on"), "2019-06-02"), chromedp.SetValue(chromedp.CSS("#amount"), "5.00"),
			chromedp.SetValue(chromedp.CSS("#method"), "transfer"), chromedp.Click(chromedp.CSS("#record-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		es, _ = e.svc.Entries.FindEntries(qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")), w.itemA)
		bare := es[len(es)-1]
		row := "#entry-" + strconv.FormatInt(bare.ID, 10)
		if got := text(t, ctx, row); !strings.Contains(got, "无凭证") {
			t.Fatalf("row without voucher: %q", got)
		}
		slip := filepath.Join(t.TempDir(), "补充回单.pdf")
		os.WriteFile(slip, []byte("%PDF-1.4\n% later slip\n%%EOF\n"), 0o644)
		clearFlash(t, ctx)
		do(t, ctx, chromedp.Click(chromedp.CSS(row+" details.attach-voucher summary")),
			chromedp.SetUploadFiles(chromedp.CSS(row+" input[type=file]"), []string{slip}),
			chromedp.Click(chromedp.CSS(row+" details.attach-voucher button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if got := text(t, ctx, row); !strings.Contains(got, "补充回单.pdf") || strings.Contains(got, "无凭证") {
			t.Fatalf("row after attaching: %q", got)
		}
	})
}

// Issuing a report shows what it freezes and asks for a confirmation, which the server requires;
// a period whose date is still ahead cannot be issued.
func TestBrowserIssueConfirm(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		office := newTab()
		login(t, office, e.srv.URL, "supervisor", testPassword)
		report := e.srv.URL + "/periods/" + strconv.FormatInt(w.period, 10) + "/report"
		do(t, office, chromedp.Navigate(report), chromedp.WaitVisible(chromedp.CSS("#issue-start")),
			chromedp.Click(chromedp.CSS("#issue-start")), chromedp.WaitVisible(chromedp.CSS("#issue-confirm")))
		if got := text(t, office, "#issue-confirm"); !strings.Contains(got, "已签批报送 0 家") || !strings.Contains(got, "未报送 1 家") ||
			!strings.Contains(got, "尚在审核、签批中 1 家") || !strings.Contains(got, "期限尚未届满") {
			t.Fatalf("confirmation: %s", got)
		}
		shot(t, office, "31-issue-confirm")
		// Without the box ticked (the browser's own check taken away) the server refuses.
		if _, err := chromedp.Run(office, chromedp.Evaluate[bool](`document.getElementById("issue-confirm-box").required = false`)); err != nil {
			t.Fatal(err)
		}
		do(t, office, chromedp.Click(chromedp.CSS("#issue-submit")), chromedp.WaitVisible(chromedp.CSS("#issue-confirm .field-error")))
		if got := text(t, office, ".report-line"); strings.Contains(got, "已印发") {
			t.Fatalf("issued without confirmation: %s", got)
		}
		do(t, office, chromedp.Click(chromedp.CSS("#issue-confirm-box")), chromedp.Click(chromedp.CSS("#issue-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if got := text(t, office, ".report-line"); !strings.Contains(got, "已印发") {
			t.Fatalf("after issuing: %s", got)
		}

		// A period dated after today: the confirmation says so and offers no form.
		ahead := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.Today().AddDays(20), Deadline: qingqian.Today().AddDays(25)}
		if err := e.svc.Reports.OpenPeriod(qingqian.NewContext(context.Background(), w.users["supervisor"].Actor()), ahead); err != nil {
			t.Fatal(err)
		}
		do(t, office, chromedp.Navigate(e.srv.URL+"/periods/"+strconv.FormatInt(ahead.ID, 10)+"/report?issue=1"), chromedp.WaitVisible(chromedp.CSS("#issue-confirm")))
		if got := text(t, office, "#issue-confirm"); !strings.Contains(got, "尚不能印发") {
			t.Fatalf("future period: %s", got)
		}
		if n, _ := chromedp.Run(office, chromedp.Evaluate[int](`document.querySelectorAll("#issue").length`)); n != 0 {
			t.Fatal("a future period is offered the issue form")
		}
	})
}

// A submission the ledger has changed since it was prepared: the reviewer sees the difference
// and must choose; the one who reviewed is not offered the approval.
func TestBrowserStaleSign(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		clerk := qingqian.NewContext(context.Background(), w.users["clerk_a"].Actor())
		if _, err := e.svc.Entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: w.itemA, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-20"),
			Amount: qingqian.Yuan(100), Method: qingqian.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		rev := newTab()
		login(t, rev, e.srv.URL, "reviewer", testPassword)
		do(t, rev, chromedp.Navigate(e.srv.URL+"/submissions/"+strconv.FormatInt(w.submissionA, 10)), chromedp.WaitVisible(chromedp.CSS("#diffs")))
		if got := text(t, rev, "#diffs"); !strings.Contains(got, "报送数已过时") || !strings.Contains(got, "本期清偿") {
			t.Fatalf("differences: %s", got)
		}
		do(t, rev, chromedp.Click(chromedp.CSS("#sign button[value=review]")), chromedp.WaitVisible(chromedp.CSS("#sign .field-error")))
		shot(t, rev, "32-submission-stale")
		if got := text(t, rev, ".error"); !strings.Contains(got, "不一致") {
			t.Fatalf("stale review: %s", got)
		}
		if got := text(t, rev, "#state"); got != "已填报待审核" {
			t.Fatalf("state after a refused review: %s", got)
		}
		do(t, rev, chromedp.Click(chromedp.CSS("#as-reported")), chromedp.Click(chromedp.CSS("#sign button[value=review]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if got := text(t, rev, "#state"); got != "已审核待签批" {
			t.Fatalf("after review as reported: %s", got)
		}
		if got := text(t, rev, ".steps"); !strings.Contains(got, "仍按报送数审核") {
			t.Fatalf("steps: %s", got)
		}
		if n, _ := chromedp.Run(rev, chromedp.Evaluate[int](`document.querySelectorAll("#sign").length`)); n != 0 {
			t.Fatal("the reviewer is offered the approval")
		}
	})
}

// After a wrong password the cursor is in the password field.
func TestBrowserLoginFocus(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		ctx := newTab()
		do(t, ctx, chromedp.Navigate(e.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "clerk_a"), chromedp.SendKeys(chromedp.CSS("#password"), "wrong-password"),
			chromedp.Click(chromedp.CSS("#login")), chromedp.WaitVisible(chromedp.CSS(".error")))
		if got := focused(t, ctx); got != "password" {
			t.Fatalf("after a wrong password the cursor is on %q", got)
		}
	})
}

// Checkboxes render at their normal size beside their labels; required fields are marked.
func TestBrowserFormMarks(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		for _, p := range []struct{ user, path string }{{"clerk_a", "/cases"}, {"secadmin", "/users"}} {
			ctx := newTab()
			login(t, ctx, e.srv.URL, p.user, testPassword)
			do(t, ctx, chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main details").forEach(function(d){d.open=true;}), 0`)); err != nil {
				t.Fatal(err)
			}
			bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("main input[type=checkbox]")).filter(function(c){return c.checkVisibility();}).map(function(c){
				var r = c.getBoundingClientRect(), l = c.closest("label").getBoundingClientRect();
				return (r.width > 20 || r.height > 20 || r.top - l.top > 12) ? c.name + " " + r.width + "×" + r.height + " at " + (r.top - l.top) : "";
			}).filter(Boolean).join("; ")`))
			if err != nil {
				t.Fatal(err)
			}
			if bad != "" {
				t.Fatalf("%s: checkboxes out of shape: %s", p.path, bad)
			}
			n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main input[type=checkbox]").length`))
			if n == 0 && p.path == "/users" {
				t.Fatalf("%s has no checkbox to measure", p.path)
			}
		}
		ctx := newTab()
		login(t, ctx, e.srv.URL, "clerk_a", testPassword)
		do(t, ctx, chromedp.Navigate(e.srv.URL+"/items/new"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("main label .req").length`)); n == 0 {
			t.Fatal("no required field is marked on the new item form")
		}
	})
}

// The office sees each period's state and who reported, and reminds those missing; the group
// sees the reminder on its dashboard; a leader finds what waits for it first.
func TestBrowserRemindAndDashboards(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		office := newTab()
		login(t, office, e.srv.URL, "supervisor", testPassword)
		row := "#period-" + strconv.FormatInt(w.period, 10)
		do(t, office, chromedp.Navigate(e.srv.URL+"/periods"), chromedp.WaitVisible(chromedp.CSS(row)))
		if got := text(t, office, row); !strings.Contains(got, "报送中") || !strings.Contains(got, "0 / 2 家") {
			t.Fatalf("period row: %s", got)
		}
		do(t, office, chromedp.Click(chromedp.CSS(row+" details.remind summary")),
			chromedp.SendKeys(chromedp.CSS(row+" input[name=note]"), "请尽快签批报送"),
			chromedp.Click(chromedp.CSS(row+" details.remind button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		shot(t, office, "33-periods")
		if got := text(t, office, row); !strings.Contains(got, "已催报 2") {
			t.Fatalf("period row after reminding: %s", got)
		}

		// Group A's clerk sees the reminder; its reviewer sees the submission to review first.
		clerk := newTab()
		login(t, clerk, e.srv.URL, "clerk_a", testPassword)
		if got := text(t, clerk, "#reminders"); !strings.Contains(got, "请尽快签批报送") || !strings.Contains(got, "supervisor") {
			t.Fatalf("the group's reminders: %s", got)
		}
		rev := newTab()
		login(t, rev, e.srv.URL, "reviewer", testPassword)
		if got := text(t, rev, "#to-sign"); !strings.Contains(got, "待我审核") {
			t.Fatalf("the reviewer's dashboard: %s", got)
		}
		shot(t, rev, "34-dashboard-leader")
		first, _ := chromedp.Run(rev, chromedp.Evaluate[string](`document.querySelector("main section").id`))
		if first != "to-sign" {
			t.Fatalf("the reviewer's dashboard starts with %q", first)
		}

		// A subsidiary's clerk: no chart of units below, no groups' figures.
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		sub := &qingqian.Org{ParentID: e.a.ID, Name: "甲集团一公司", Kind: qingqian.OrgSubsidiary}
		if err := e.svc.Orgs.CreateOrg(sys, sub); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Users.CreateUser(sys, &qingqian.User{Username: "clerk_sub", Name: "一公司填报员", OrgID: sub.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}, testPassword); err != nil {
			t.Fatal(err)
		}
		sc := newTab()
		login(t, sc, e.srv.URL, "clerk_sub", testPassword)
		if got := text(t, sc, "main"); strings.Contains(got, "没有下级单位") || strings.Contains(got, "进度滞后的集团") || strings.Contains(got, "各单位清偿情况") {
			t.Fatalf("the subsidiary's dashboard: %s", got)
		}
	})
}
