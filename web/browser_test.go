package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/demo"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// chromium finds the browser. Without one the browser tests skip, unless QINGQIAN_BROWSER_REQUIRED
// is set (CI sets it), in which case they fail.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("QINGQIAN_BROWSER_REQUIRED") != "" {
		t.Fatal("no Chromium found, and QINGQIAN_BROWSER_REQUIRED is set")
	}
	t.Skip("no Chromium on this machine")
	return ""
}

// browser starts a headless Chromium at 1366×768 and returns a context for a new tab.
func browser(t *testing.T) func() context.Context {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1366, 768), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("lang", "zh-CN"))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	return func() context.Context {
		ctx, cancel := chromedp.NewContext(alloc)
		t.Cleanup(cancel)
		// A tab lives through its whole test (the office's tab through a day of work); under the
		// race detector on a busy two-core machine that takes over a minute.
		ctx, cancel2 := context.WithTimeout(ctx, 4*time.Minute)
		t.Cleanup(cancel2)
		return ctx
	}
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// screenshotDir is where the browser test leaves pictures of the main pages for a reviewer: the
// folder QINGQIAN_SCREENSHOTS names, or else a temporary one removed after the test.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("QINGQIAN_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func login(t *testing.T, ctx context.Context, base, username, password string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	)
}

func TestBrowserClerkDay(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserClerkDay(t, db, newTab) })
}

func testBrowserClerkDay(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
	e := newEnv(t, db)
	w := newWorld(t, db, e)
	// The clerk's day pays the item off in cash: the bill the world handed over on it is
	// recorded as returned before its maturity first (a cash repayment may not leave less owing
	// than a bill).
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	if _, err := e.svc.Bills.ReturnBill(sys, w.billA, qingqian.BillClose{On: qingqian.Today(), Reason: "退回，改以转账支付"}); err != nil {
		t.Fatal(err)
	}

	// A clerk of group A signs in and lands on the dashboard.
	ctx := newTab()
	login(t, ctx, e.srv.URL, "clerk_a", testPassword)
	if got := text(t, ctx, "main h1"); !strings.Contains(got, "甲集团") {
		t.Fatalf("dashboard heading %q", got)
	}
	shot(t, ctx, "01-dashboard")

	// The ledger lists A's items only, with the filter in the URL.
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger?status=partial"), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	if got := text(t, ctx, "#total-count"); got != "1" {
		t.Fatalf("clerk A's ledger shows %s items", got)
	}
	shot(t, ctx, "02-ledger")

	// A wrong amount is refused, the field is marked, what was typed is kept.
	item := e.srv.URL + "/items/" + strconv.FormatInt(w.itemA, 10)
	do(t, ctx,
		chromedp.Navigate(item),
		chromedp.WaitVisible(chromedp.CSS("#record-form")),
		chromedp.SetValue(chromedp.CSS("#on"), "2019-06-01"),
		chromedp.SendKeys(chromedp.CSS("#amount"), "999999.99"),
		chromedp.SetValue(chromedp.CSS("#method"), "transfer"),
		chromedp.Click(chromedp.CSS("#record-submit")),
		chromedp.WaitVisible(chromedp.CSS("#amount-error")),
	)
	cls, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#amount"), "class"))
	if err != nil || !strings.Contains(cls.Value, "bad") {
		t.Fatalf("amount field not highlighted: %q %v", cls.Value, err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#amount"))); v != "999999.99" {
		t.Fatalf("typed amount not kept: %q", v)
	}
	shot(t, ctx, "03-item-error")

	// A repayment of the rest with a PDF voucher changes the balance and the status.
	if got := text(t, ctx, "#status"); got != "部分清偿" {
		t.Fatalf("status before repayment %q", got)
	}
	pdf := filepath.Join(t.TempDir(), "回单.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4\n% bank slip\n%%EOF\n"), 0o644)
	do(t, ctx,
		chromedp.Navigate(item),
		chromedp.WaitVisible(chromedp.CSS("#record-form")),
		chromedp.SetValue(chromedp.CSS("#on"), "2019-06-01"),
		chromedp.SendKeys(chromedp.CSS("#amount"), "999.00"),
		chromedp.SetValue(chromedp.CSS("#method"), "transfer"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{pdf}),
		chromedp.Click(chromedp.CSS("#record-submit")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if got := text(t, ctx, "#outstanding"); got != "0.00" {
		t.Fatalf("outstanding after repayment %q", got)
	}
	if got := text(t, ctx, "#status"); got != "已清偿" {
		t.Fatalf("status after repayment %q", got)
	}
	if got := text(t, ctx, "#entries"); !strings.Contains(got, "回单.pdf") {
		t.Fatalf("voucher not listed: %s", got)
	}
	shot(t, ctx, "04-item")

	// Nothing of group B by any URL: item, voucher, ledger filter, dashboard of B.
	for _, path := range []string{"/items/" + strconv.FormatInt(w.itemB, 10), "/vouchers/" + w.voucherB, "/ledger?org_id=" + strconv.FormatInt(e.b.ID, 10),
		"/?org_id=" + strconv.FormatInt(e.b.ID, 10)} {
		do(t, ctx, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
		body := text(t, ctx, "main")
		if !strings.Contains(body, "不存在") || strings.Contains(body, "乙集团欠款") {
			t.Fatalf("%s shows: %s", path, body)
		}
	}

	// Pages of the other roles, for the reviewer: the office's, and each administrator's.
	for _, p := range []struct{ user, path, name string }{{"supervisor", "/orgs", "05-orgs"}, {"supervisor", "/creditors", "06-creditors"},
		{"admin", "/users", "07-users"}, {"auditadmin", "/audit", "08-audit"}, {"supervisor", "/items/new", "09-item-new"}, {"secadmin", "/security", "10-security"}} {
		tab := newTab()
		login(t, tab, e.srv.URL, p.user, testPassword)
		do(t, tab, chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		shot(t, tab, p.name)
	}

	// The security administrator makes an API token; its secret shows once and works against the API.
	admin := newTab()
	login(t, admin, e.srv.URL, "secadmin", testPassword)
	do(t, admin, chromedp.Navigate(e.srv.URL+"/users"), chromedp.WaitVisible(chromedp.CSS("#tokens")),
		chromedp.SendKeys(chromedp.CSS("input[name=token_name]"), "甲集团财务系统"),
		chromedp.Click(chromedp.CSS("input[name=token_roles][value=observer]")),
		chromedp.Click(chromedp.CSS("#create-token")),
		chromedp.WaitVisible(chromedp.CSS("#new-token")))
	secret := text(t, admin, "#new-token")
	if !strings.HasPrefix(secret, qingqian.TokenPrefix) {
		t.Fatalf("new token %q", secret)
	}
	e.do("GET", "/api/v1/items", secret, nil).want(t, 200)

	// Logging out ends the session: the dashboard asks for a login again. (A tab of its own:
	// the first one has used its time.)
	ctx = newTab()
	login(t, ctx, e.srv.URL, "clerk_a", testPassword)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#logout")), chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username")))
	shot(t, ctx, "00-login")
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger"), chromedp.WaitVisible(chromedp.CSS("#username")))
	if loc := location(t, ctx); !strings.Contains(loc, "/login") {
		t.Fatalf("after logout /ledger is at %s", loc)
	}
}

func TestBrowserLockout(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserLockout(t, db, newTab) })
}

func testBrowserLockout(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
	e := newEnv(t, db)
	newWorld(t, db, e)
	ctx := newTab()
	for i := 0; i < qingqian.DefaultPolicy().MaxFailedLogins; i++ {
		do(t, ctx,
			chromedp.Navigate(e.srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "clerk_b"),
			chromedp.SendKeys(chromedp.CSS("#password"), "wrong-Password-1"),
			chromedp.Click(chromedp.CSS("#login")),
			chromedp.WaitVisible(chromedp.CSS(".error")),
		)
	}
	if got := text(t, ctx, ".error"); !strings.Contains(got, "锁定") {
		t.Fatalf("after five failures: %q", got)
	}
	// The right password does not open a locked account.
	do(t, ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "clerk_b"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS(".error")),
	)
	if got := text(t, ctx, ".error"); !strings.Contains(got, "锁定") {
		t.Fatalf("locked account with the right password: %q", got)
	}
}

// The demo province in the workbench: the clearance office sees the report's first figure on
// the dashboard as of 2019-11-30, and the reviewer gets pictures of a living ledger.
func TestBrowserDemoProvince(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserDemoProvince(t, db, newTab) })
}

func testBrowserDemoProvince(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
	e := newEnvEmpty(t, db)
	p, err := demo.Load(context.Background(), demo.ServicesOf(db))
	if err != nil {
		t.Fatal(err)
	}
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	if err := e.svc.Users.CreateUser(sys, &qingqian.User{Username: "office", Name: "清欠办 王主任", OrgID: p.Regulator.ID, Roles: []qingqian.Role{qingqian.RoleSupervisor}}, testPassword); err != nil {
		t.Fatal(err)
	}
	ctx := newTab()
	login(t, ctx, e.srv.URL, "office", testPassword)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/?as_of=2019-11-30"), chromedp.WaitVisible(chromedp.CSS(".cards")))
	if got := text(t, ctx, ".cards"); !strings.Contains(got, "96,855.38") {
		t.Fatalf("dashboard as of 2019-11-30 does not show 96855.38 万元 repaid: %s", got)
	}
	shot(t, ctx, "10-demo-dashboard-2019")
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/?as_of=2020-12-31"), chromedp.WaitVisible(chromedp.CSS(".cards")))
	if got := text(t, ctx, ".cards"); !strings.Contains(got, "4,929.70") {
		t.Fatalf("dashboard as of 2020-12-31 does not show 4929.70 万元 outstanding: %s", got)
	}
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".cards")))
	shot(t, ctx, "11-demo-dashboard-today")
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger?disputed=true&sort=-outstanding"), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	shot(t, ctx, "12-demo-ledger-disputed")
	do(t, ctx, chromedp.Click(chromedp.CSS("#ledger tbody a")), chromedp.WaitVisible(chromedp.CSS("#entries")))
	shot(t, ctx, "13-demo-item")

	// The remaining disputed debts at the end of 2020, each with its case, and the issued
	// report of that date.
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/disputes?as_of=2020-12-31"), chromedp.WaitVisible(chromedp.CSS("#disputes")))
	if got := text(t, ctx, "#disputes-total"); !strings.Contains(got, "12 笔") || !strings.Contains(got, "4929.70") {
		t.Fatalf("disputed-debt table 2020: %s", got)
	}
	if got := text(t, ctx, "#disputes tbody"); !strings.Contains(got, "（2019）示01民初") || !strings.Contains(got, "审理") {
		t.Fatalf("rows without their cases: %s", got)
	}
	shot(t, ctx, "27-demo-disputes-2020")
	do(t, ctx, chromedp.Click(chromedp.CSS("#disputes tbody td a[href^='/cases/']")), chromedp.WaitVisible(chromedp.CSS("#case-events")))
	shot(t, ctx, "28-demo-case")
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/periods"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/periods/3/report"), chromedp.WaitVisible(chromedp.CSS("#report")))
	if got := text(t, ctx, "#total"); !strings.Contains(got, "4929.70") || !strings.Contains(got, "已报送 8 家") {
		t.Fatalf("report 3 total: %s", got)
	}
	shot(t, ctx, "29-demo-report-3")
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/clues"), chromedp.WaitVisible(chromedp.CSS("#clues")))
	if got := text(t, ctx, "#clues"); !strings.Contains(got, "台账漏报") || !strings.Contains(got, "逾期") {
		t.Fatalf("demo clues: %s", got)
	}
	shot(t, ctx, "30-demo-clues")
}

// A clerk imports a spreadsheet: a file with an error is refused with the problem shown and an
// error workbook to download; the corrected file is tried, then imported.
func TestBrowserImport(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserImport(t, db, newTab) })
}

func testBrowserImport(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
	e := newEnv(t, db)
	newWorld(t, db, e)
	ctx := newTab()
	login(t, ctx, e.srv.URL, "clerk_a", testPassword)
	dir := t.TempDir()
	head := "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n"
	bad := filepath.Join(dir, "季度台账.csv")
	os.WriteFile(bad, []byte(head+"Q-1,甲集团,某某劳务有限公司,91110000600037341L,工程款,2019-02-30,100.00,底数\n"), 0o644)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/imports/new"), chromedp.WaitVisible(chromedp.CSS("#import-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad}),
		chromedp.Click(chromedp.CSS("#import-submit")), chromedp.WaitVisible(chromedp.CSS("#import-issues")))
	if got := text(t, ctx, "#import-issues"); !strings.Contains(got, "发生日期") || !strings.Contains(got, "日期不存在") {
		t.Fatalf("issues shown: %s", got)
	}
	shot(t, ctx, "14-import-errors")
	good := filepath.Join(dir, "季度台账-改.csv")
	os.WriteFile(good, []byte(head+"Q-1,甲集团,某某劳务有限公司,91110000600037341L,工程款,2019-02-28,100.00,底数\n"), 0o644)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/imports/new"), chromedp.WaitVisible(chromedp.CSS("#import-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{good}),
		chromedp.Click(chromedp.CSS("#import-submit")), chromedp.WaitVisible(chromedp.CSS("#import-result")))
	if got := text(t, ctx, "#created"); got != "1" {
		t.Fatalf("dry run would create %s", got)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#import-confirm")), chromedp.WaitVisible(chromedp.CSS("#import-result a")))
	if got := text(t, ctx, "#import-result"); !strings.Contains(got, "导入完成") {
		t.Fatalf("after confirming: %s", got)
	}
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger?q=Q-1"), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	if got := text(t, ctx, "#total-count"); got != "1" {
		t.Fatalf("imported item not in the ledger: %s", got)
	}
}

// A group's monthly report goes up its sign-off chain in the browser: the reviewer must give a
// reason to return it, reviews it, the principal approves it, and the office issues the
// consolidated report.
func TestBrowserReporting(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserReporting(t, db, newTab) })
}

func testBrowserReporting(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
	e := newEnv(t, db)
	w := newWorld(t, db, e)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	if err := e.svc.Users.CreateUser(sys, &qingqian.User{Username: "principal", Name: "甲集团主要负责同志", OrgID: e.a.ID, Roles: []qingqian.Role{qingqian.RoleReviewer}}, testPassword); err != nil {
		t.Fatal(err)
	}
	sub := e.srv.URL + "/submissions/" + strconv.FormatInt(w.submissionA, 10)

	rev := newTab()
	login(t, rev, e.srv.URL, "reviewer", testPassword)
	do(t, rev, chromedp.Navigate(sub), chromedp.WaitVisible(chromedp.CSS("#sign")),
		chromedp.Click(chromedp.CSS("#sign button[value=return]")), chromedp.WaitVisible(chromedp.CSS("#sign .field-error")))
	if got := text(t, rev, "#sign .field-error"); got != "请填写退回原因" {
		t.Fatalf("return without a reason: %q", got)
	}
	do(t, rev, chromedp.SendKeys(chromedp.CSS("#sign textarea[name=note]"), "数据已核对"),
		chromedp.Click(chromedp.CSS("#sign button[value=review]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, rev, "#state"); got != "已审核待签批" {
		t.Fatalf("after review: %q", got)
	}
	// The reviewer cannot also approve: it is not offered the button, and is told why.
	if got := text(t, rev, "#not-mine"); !strings.Contains(got, "签批须由填报人、审核人以外") {
		t.Fatalf("the reviewer after review: %q", got)
	}

	boss := newTab()
	login(t, boss, e.srv.URL, "principal", testPassword)
	do(t, boss, chromedp.Navigate(sub), chromedp.WaitVisible(chromedp.CSS("#sign")),
		chromedp.Click(chromedp.CSS("#sign button[value=approve]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, boss, "#state"); got != "已签批报送" {
		t.Fatalf("after approval: %q", got)
	}
	if got := text(t, boss, ".steps"); !strings.Contains(got, "填报 liaison") || !strings.Contains(got, "审核 reviewer") || !strings.Contains(got, "签批 甲集团主要负责同志") {
		t.Fatalf("steps: %s", got)
	}
	shot(t, boss, "15-submission-approved")

	office := newTab()
	login(t, office, e.srv.URL, "supervisor", testPassword)
	if got := text(t, office, "#duty"); !strings.Contains(got, "尚有 1 家未签批报送") || !strings.Contains(got, "在办督办：1 件") {
		t.Fatalf("the office's duties: %s", got)
	}
	report := e.srv.URL + "/periods/" + strconv.FormatInt(w.period, 10) + "/report"
	do(t, office, chromedp.Navigate(report), chromedp.WaitVisible(chromedp.CSS("#report")))
	total := text(t, office, "#total")
	// A owes 999.00 元 on its item (1,000 less a repayment of 1), B 999.00 as well, computed live.
	if !strings.Contains(total, "2 家集团，已报送 1 家") || !strings.Contains(total, "0.20") {
		t.Fatalf("total row: %s", total)
	}
	do(t, office, chromedp.Click(chromedp.CSS("#issue-start")), chromedp.WaitVisible(chromedp.CSS("#issue-confirm")),
		chromedp.Click(chromedp.CSS("#issue-confirm-box")), chromedp.Click(chromedp.CSS("#issue-submit")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if got := text(t, office, ".report-line"); !strings.Contains(got, "已印发") {
		t.Fatalf("after issuing: %s", got)
	}
	shot(t, office, "16-report")
	for _, p := range []struct{ path, name string }{{"/progress", "17-progress"}, {"/notices", "18-notices"}, {"/interviews", "19-interviews"}, {"/periods", "20-periods"}} {
		do(t, office, chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		shot(t, office, p.name)
	}
}

// A complaint in the browser: the office registers and assigns it, the group finds the debt
// missing from its ledger and records it, and the office cannot close it before it is paid.
func TestBrowserComplaint(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserComplaint(t, db, newTab) })
}

func testBrowserComplaint(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
	e := newEnv(t, db)
	newWorld(t, db, e)

	office := newTab()
	login(t, office, e.srv.URL, "supervisor", testPassword)
	do(t, office, chromedp.Navigate(e.srv.URL+"/clues"), chromedp.WaitVisible(chromedp.CSS("#clue-form")),
		chromedp.SetValue(chromedp.CSS("#clue-form select[name=channel]"), "platform"),
		chromedp.SendKeys(chromedp.CSS("#clue-form input[name=creditor_name]"), "某某机电有限公司"),
		chromedp.SendKeys(chromedp.CSS("#clue-form input[name=creditor_uscc]"), "91110000600037341l"),
		chromedp.SendKeys(chromedp.CSS("#clue-form input[name=respondent]"), "甲集团"),
		chromedp.SendKeys(chromedp.CSS("#clue-form input[name=claimed]"), "abc"),
		chromedp.SendKeys(chromedp.CSS("#clue-form textarea[name=text]"), "设备款12万元逾期未付。"),
		chromedp.Click(chromedp.CSS("#clue-form button")), chromedp.WaitVisible(chromedp.CSS("#clue-form .field-error")))
	// A bad amount is named and the rest of the input kept.
	if got := text(t, office, "#clue-form .field-error"); got != "金额应为元，最多两位小数" {
		t.Fatalf("bad amount: %q", got)
	}
	do(t, office, chromedp.SetValue(chromedp.CSS("#clue-form input[name=claimed]"), "120000"),
		chromedp.Click(chromedp.CSS("#clue-form button")), chromedp.WaitVisible(chromedp.CSS("#assign-form")))
	if got := text(t, office, "#forward-by"); !strings.Contains(got, "10个工作日") {
		t.Fatalf("forwarding deadline: %q", got)
	}
	// 交办 names no unit until one is chosen: the office is not the default.
	if v, _ := chromedp.Run(office, chromedp.Value(chromedp.CSS("#assign-form select[name=org_id]"))); v != "" {
		t.Fatalf("the unit to assign to defaults to %q", v)
	}
	do(t, office, chromedp.SetValue(chromedp.CSS("#assign-form select[name=org_id]"), strconv.FormatInt(e.a.ID, 10)),
		chromedp.SendKeys(chromedp.CSS("#assign-form input[name=responsible_leader]"), "甲集团副总经理"),
		chromedp.SendKeys(chromedp.CSS("#assign-form input[name=responsible_person]"), "财务部王某"),
		chromedp.Click(chromedp.CSS("#assign-form button")), chromedp.WaitVisible(chromedp.CSS("#verify-form")))
	if got := text(t, office, "#clue-state"); got != "已交办待核实" {
		t.Fatalf("after assigning: %q", got)
	}
	clueURL := location(t, office)
	clueURL = clueURL[:strings.Index(clueURL, "?")]

	clerk := newTab()
	login(t, clerk, e.srv.URL, "clerk_a", testPassword)
	do(t, clerk, chromedp.Navigate(clueURL), chromedp.WaitVisible(chromedp.CSS("#verify-form")),
		chromedp.SetValue(chromedp.CSS("#verify-form select[name=conclusion]"), "true"),
		chromedp.SendKeys(chromedp.CSS("#verify-form textarea[name=finding]"), "属实：设备款未列入台账。"),
		chromedp.Click(chromedp.CSS("#verify-form button")), chromedp.WaitVisible(chromedp.CSS("#missing-form")),
		chromedp.SendKeys(chromedp.CSS("#missing-form input[name=contract_name]"), "设备采购合同"),
		chromedp.SetValue(chromedp.CSS("#missing-form input[name=arisen_on]"), "2025-06-30"),
		chromedp.SendKeys(chromedp.CSS("#missing-form input[name=undisputed]"), "120000"),
		chromedp.Click(chromedp.CSS("#missing-form button")), chromedp.WaitVisible(chromedp.CSS("#clue-items a")))
	if got := text(t, clerk, "main"); !strings.Contains(got, "台账漏报") || !strings.Contains(text(t, clerk, "#clue-items"), "投诉发现") {
		t.Fatalf("after recording the missing debt: %s", got)
	}
	shot(t, clerk, "21-clue")

	// The office sees the verified clue's next step; the other forms are folded away.
	do(t, office, chromedp.Navigate(clueURL), chromedp.WaitVisible(chromedp.CSS("#close-form")))
	if n, _ := chromedp.Run(office, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("main .grid2 form")).filter(function(f){return f.checkVisibility();}).length`)); n > 2 {
		dbg, _ := chromedp.Run(office, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("main .grid2 form")).filter(function(f){return f.checkVisibility();}).map(function(f){return f.id + ":" + (f.closest("details") ? f.closest("details").open : "none")}).join(",")`))
		t.Fatalf("the verified clue shows %d forms at once: %s", n, dbg)
	}
	do(t, office, chromedp.Navigate(clueURL), chromedp.WaitVisible(chromedp.CSS("#close-form")),
		chromedp.Click(chromedp.CSS("#close-form button")), chromedp.WaitVisible(chromedp.CSS("#clue-error")))
	if got := text(t, office, "#clue-error"); !strings.Contains(got, "不能销号") || !strings.Contains(got, "未清偿") {
		t.Fatalf("closing an unpaid clue: %q", got)
	}
	for _, p := range []struct{ path, name string }{{"/clues", "22-clues"}, {"/cases", "23-cases"}, {"/disputes?as_of=2026-10-31", "24-disputes"}, {"/progress", "25-progress"}} {
		do(t, office, chromedp.Navigate(e.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
		shot(t, office, p.name)
	}
	admin := newTab()
	login(t, admin, e.srv.URL, "admin", testPassword)
	do(t, admin, chromedp.Navigate(e.srv.URL+"/calendar"), chromedp.WaitVisible(chromedp.CSS("#calendar-form")),
		chromedp.SendKeys(chromedp.CSS("#calendar-form input[name=year]"), "2027"),
		chromedp.SendKeys(chromedp.CSS("#calendar-form input[name=source]"), "国务院办公厅通知"),
		chromedp.SendKeys(chromedp.CSS("#calendar-form textarea[name=days]"), "2027-01-01,off,元旦\n2027-01-05,workday,元旦"),
		chromedp.Click(chromedp.CSS("#calendar-form button")), chromedp.WaitVisible(chromedp.CSS("#calendar-form .field-error")))
	if got := text(t, admin, "#calendar-form .field-error"); !strings.Contains(got, "第2行") || !strings.Contains(got, "无需标为调休上班") {
		t.Fatalf("a weekday as make-up day: %q", got)
	}
	shot(t, admin, "26-calendar")
}

// A clerk records a bill handed over on the item page: the item shows it as not yet honoured and
// the repaid amount does not move; honoured at maturity, it is repaid.
func TestBrowserBills(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		ctx := newTab()
		login(t, ctx, e.srv.URL, "clerk_a", testPassword)
		item := e.srv.URL + "/items/" + strconv.FormatInt(w.itemA, 10)
		repaid := func() string { return text(t, ctx, "#repaid") }
		do(t, ctx, chromedp.Navigate(item), chromedp.WaitVisible(chromedp.CSS("#bills")))
		before := repaid()
		do(t, ctx,
			chromedp.Click(chromedp.CSS("#bill-new > summary")),
			chromedp.WaitVisible(chromedp.CSS("#bill-form")),
			chromedp.SendKeys(chromedp.CSS(`#bill-form [name="bill_no"]`), "CB-B-7"),
			chromedp.SendKeys(chromedp.CSS(`#bill-form [name="bill_amount"]`), "200.00"),
			chromedp.SetValue(chromedp.CSS(`#bill-form [name="issued_on"]`), "2019-03-01"),
			chromedp.SetValue(chromedp.CSS(`#bill-form [name="handed_on"]`), "2019-03-01"),
			chromedp.SetValue(chromedp.CSS(`#bill-form [name="matures_on"]`), "2019-12-01"),
			chromedp.SendKeys(chromedp.CSS(`#bill-form [name="acceptor"]`), "示范银行"),
			chromedp.Submit(chromedp.CSS("#bill-form")),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		page := text(t, ctx, "#bills")
		if !strings.Contains(page, "CB-B-7") || !strings.Contains(page, "票据期限超过6个月") || repaid() != before {
			t.Fatalf("the bill on the page: %q, repaid %s (was %s)", page, repaid(), before)
		}
		shot(t, ctx, "bills-pending")
		var id int64
		for _, b := range mustBills(t, db, w.itemA) {
			if b.No == "CB-B-7" {
				id = b.ID
			}
		}
		row := "#bill-" + strconv.FormatInt(id, 10)
		do(t, ctx,
			chromedp.Click(chromedp.CSS(row+" details > summary")),
			chromedp.SetValue(chromedp.CSS(row+` form[action$="/honour"] [name="on"]`), "2019-12-02"),
			chromedp.Submit(chromedp.CSS(row+` form[action$="/honour"]`)),
			chromedp.WaitVisible(chromedp.CSS(row+" .honoured")),
		)
		if got := repaid(); got == before || !strings.Contains(text(t, ctx, row), "已兑付") {
			t.Fatalf("honoured: repaid %s (was %s), row %q", got, before, text(t, ctx, row))
		}
	})
}

func mustBills(t *testing.T, db *sqldb.DB, item int64) []*qingqian.Bill {
	t.Helper()
	bs, err := sqldb.NewBillService(db).FindBills(qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")), item)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}
