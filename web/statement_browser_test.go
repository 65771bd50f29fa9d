package web_test

import (
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

// In the browser a group's reviewer uploads a statement with a line dated years before the rest:
// the preview warns of it, the confirmation is not sent until the box is ticked, and the imported
// statement links to its file.
func TestBrowserStatementOutlierConfirmed(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		ctx := newTab()
		login(t, ctx, e.srv.URL, "reviewer", testPassword)
		today := qingqian.Today()
		file := filepath.Join(t.TempDir(), "工行对账单.csv")
		os.WriteFile(file, []byte("交易日期,借方发生额,对方户名,流水号\n"+today.AddDays(-3).String()+",10.00,甲,B-1\n"+
			today.AddDays(-2).String()+",20.00,乙,B-2\n1999-05-04,30.00,丙,B-3\n"), 0o644)
		page := e.srv.URL + "/statements?org_id=" + strconv.FormatInt(e.a.ID, 10)
		do(t, ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#statement-form")),
			chromedp.SetUploadFiles(chromedp.CSS("#statement-file"), []string{file}),
			chromedp.Click(chromedp.CSS("#statement-upload")), chromedp.WaitVisible(chromedp.CSS("#statement-warnings")))
		if got := text(t, ctx, "#statement-warnings"); !strings.Contains(got, "1999-05-04") || !strings.Contains(got, "相隔一年以上") {
			t.Fatalf("warnings: %s", got)
		}
		shot(t, ctx, "statement-outlier")
		// Not ticked: the browser keeps the form.
		do(t, ctx, chromedp.Click(chromedp.CSS("#statement-confirm-submit")))
		if valid, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#statement-confirm").checkValidity()`)); err != nil || valid {
			t.Fatalf("the confirmation is valid without the box ticked (%v)", err)
		}
		if n, _ := db.CountRows(t.Context(), "statement_lines"); n != 1 { // the world's line
			t.Fatalf("%d lines after an unticked confirmation", n)
		}
		do(t, ctx, chromedp.Click(chromedp.CSS("#accept-outliers")), chromedp.Click(chromedp.CSS("#statement-confirm-submit")),
			chromedp.WaitNotPresent(chromedp.CSS("#preview")), chromedp.WaitVisible(chromedp.CSS("a.statement-file")))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("a.statement-file")).map(function(a){return a.textContent}).join(",")`))
		if err != nil || !strings.Contains(got, "工行对账单.csv") {
			t.Fatalf("the statements' file links: %q %v", got, err)
		}
		if n, _ := db.CountRows(t.Context(), "statement_lines"); n != 4 {
			t.Fatalf("%d lines after the import", n)
		}
	})
}
