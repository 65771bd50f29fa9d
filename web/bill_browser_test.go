package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A bill past its maturity and not honoured is marked on the dashboard, the list (which can keep
// only those) and the item; a bill not yet due is refused a dishonour naming its maturity and is
// returned instead; the item names the letter that asked about its repayment; and the issued
// report's annex stays as it was issued when a bill is honoured afterwards, while a draft's
// follows.
func TestBrowserOverdueBillsAndTheIssuedAnnex(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		clerkA := qingqian.NewContext(context.Background(), w.users["clerk_a"].Actor())
		office := qingqian.NewContext(context.Background(), w.users["supervisor"].Actor())
		matured := qingqian.MustParseDate("2019-02-20")
		old, err := e.svc.Bills.RecordBill(clerkA, qingqian.BillInput{ItemID: w.itemA, Kind: qingqian.BillReceivable, No: "EV-A-2", Amount: qingqian.Yuan(2),
			IssuedOn: qingqian.MustParseDate("2019-02-10"), HandedOn: qingqian.MustParseDate("2019-02-10"), MaturesOn: matured, Acceptor: "甲集团"})
		if err != nil {
			t.Fatal(err)
		}
		days := qingqian.Today().Sub(matured)

		ctx := newTab()
		login(t, ctx, e.srv.URL, "clerk_a", testPassword)
		if got := text(t, ctx, "#bills-overdue"); !strings.Contains(got, "逾期未兑付 1 张") {
			t.Fatalf("dashboard: %s", got)
		}
		do(t, ctx, chromedp.Navigate(e.srv.URL+"/bills"), chromedp.WaitVisible(chromedp.CSS("#bills")))
		oldRow, dueRow := "#bill-"+strconv.FormatInt(old.ID, 10), "#bill-"+strconv.FormatInt(w.billA, 10)
		if got := text(t, ctx, oldRow); !strings.Contains(got, fmt.Sprintf("逾期未兑付 %d 天", days)) {
			t.Fatalf("the overdue bill's row: %s", got)
		}
		if got := text(t, ctx, dueRow); strings.Contains(got, "逾期") {
			t.Fatalf("the bill not yet due: %s", got)
		}
		if got := text(t, ctx, "#bills-overdue-count"); got != "1 张" {
			t.Fatalf("overdue count %q", got)
		}
		do(t, ctx,
			chromedp.Click(chromedp.CSS("#bills-overdue-only")),
			chromedp.Submit(chromedp.CSS("#bills-overdue-only")),
			chromedp.WaitVisible(chromedp.CSS("#bills-overdue-note")),
		)
		if got := text(t, ctx, "#bills"); !strings.Contains(got, "EV-A-2") || strings.Contains(got, "CB-A-1") || text(t, ctx, "#bills-count") != "1" {
			t.Fatalf("overdue only: %s", got)
		}
		shot(t, ctx, "bills-overdue")

		// The item: the letter on its repayment, the bill past maturity marked.
		item := e.srv.URL + "/items/" + strconv.FormatInt(w.itemA, 10)
		do(t, ctx, chromedp.Navigate(item), chromedp.WaitVisible(chromedp.CSS("#bills")))
		if got := text(t, ctx, "#entry-letter-"+strconv.FormatInt(w.entryA, 10)); !strings.Contains(got, "询证〔") || !strings.Contains(got, "已发函待回函") {
			t.Fatalf("the repayment's letter: %q", got)
		}
		if got := text(t, ctx, oldRow); !strings.Contains(got, "逾期未兑付") {
			t.Fatalf("the overdue bill on the item: %s", got)
		}
		// A dishonour before maturity is refused, naming the maturity; the bill is returned instead.
		bill, err := e.svc.Bills.FindBillByID(clerkA, w.billA)
		if err != nil {
			t.Fatal(err)
		}
		today := qingqian.Today().String()
		do(t, ctx,
			chromedp.Click(chromedp.CSS(dueRow+" details.bill-dishonour > summary")),
			chromedp.SetValue(chromedp.CSS(dueRow+` form[action$="/dishonour"] [name="on"]`), today),
			chromedp.SendKeys(chromedp.CSS(dueRow+` form[action$="/dishonour"] [name="reason"]`), "退回"),
			chromedp.Submit(chromedp.CSS(dueRow+` form[action$="/dishonour"]`)),
			chromedp.WaitVisible(chromedp.CSS("#bill-error")),
		)
		if got := text(t, ctx, "#bill-error"); !strings.Contains(got, bill.MaturesOn.String()) || !strings.Contains(got, "退回撤销") {
			t.Fatalf("the refusal: %s", got)
		}
		shot(t, ctx, "bill-dishonour-refused")
		do(t, ctx,
			chromedp.Navigate(item), chromedp.WaitVisible(chromedp.CSS("#bills")),
			chromedp.Click(chromedp.CSS(dueRow+" details.bill-return > summary")),
			chromedp.SetValue(chromedp.CSS(dueRow+` form[action$="/return"] [name="on"]`), today),
			chromedp.SendKeys(chromedp.CSS(dueRow+` form[action$="/return"] [name="reason"]`), "债权企业退回，改以转账支付"),
			chromedp.Submit(chromedp.CSS(dueRow+` form[action$="/return"]`)),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		if got := text(t, ctx, dueRow); !strings.Contains(got, "到期前退回撤销") || strings.Contains(got, "拒付：") {
			t.Fatalf("the bill returned: %s", got)
		}

		// The report issued with the overdue bill in its annex; a draft of another date after it.
		if _, err := e.svc.Reports.IssueReport(office, w.period); err != nil {
			t.Fatal(err)
		}
		draft := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.Today().AddDays(10)}
		if err := e.svc.Reports.OpenPeriod(office, draft); err != nil {
			t.Fatal(err)
		}
		boss := newTab()
		login(t, boss, e.srv.URL, "supervisor", testPassword)
		annex := func(period int64) (total, overdue string) {
			t.Helper()
			do(t, boss, chromedp.Navigate(e.srv.URL+"/periods/"+strconv.FormatInt(period, 10)+"/report"), chromedp.WaitVisible(chromedp.CSS("#bill-annex")))
			if !strings.Contains(text(t, boss, "#bill-annex"), "张数") {
				return "", ""
			}
			return text(t, boss, "#bill-annex-total"), text(t, boss, "#bill-annex-overdue")
		}
		if total, overdue := annex(w.period); overdue != "1" || total == "" || !strings.Contains(text(t, boss, "#annex-frozen"), "印发时随表固定") {
			t.Fatalf("issued annex: %s %s", total, overdue)
		}
		if _, overdue := annex(draft.ID); overdue != "1" {
			t.Fatalf("draft annex before the honour: %s", overdue)
		}
		// Honoured after the issue, dated before both periods' dates.
		if _, err := e.svc.Bills.HonourBill(clerkA, old.ID, qingqian.BillClose{On: qingqian.MustParseDate("2019-02-25")}); err != nil {
			t.Fatal(err)
		}
		if _, overdue := annex(w.period); overdue != "1" {
			t.Fatalf("the issued annex changed: %s", overdue)
		}
		shot(t, boss, "report-annex-issued")
		// The draft's date is after the bill not yet due was handed over and before it was returned.
		if _, overdue := annex(draft.ID); overdue != "0" {
			t.Fatalf("the draft annex did not follow: %s", overdue)
		}
	})
}
