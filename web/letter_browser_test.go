package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// publicServer serves the env's services with the creditors' reply page switched on.
func publicServer(t *testing.T, e *env) string {
	s, err := web.NewServer(e.svc, e.db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.PublicReplies = true
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// The creditors' reply page is off unless the server offers it.
func TestConfirmPageOffByDefault(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		for _, m := range []string{"GET", "POST"} {
			req, _ := http.NewRequest(m, e.srv.URL+"/confirm", strings.NewReader("no=x&code=y"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("%s /confirm: %d, want 404", m, res.StatusCode)
			}
		}
	})
}

// The office selects a repayment, prints its letter (an A4 portrait PDF), the creditor replies
// 不符 on its own page with the number and code, and the office sees the finding and the signal.
func TestBrowserLetters(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		base := publicServer(t, e)

		office := newTab()
		login(t, office, base, "supervisor", testPassword)
		do(t, office,
			chromedp.Navigate(base+"/letters"),
			chromedp.WaitVisible(chromedp.CSS("#letters-form")),
			chromedp.SetValue(chromedp.CSS(`#letters-form select[name="mode"]`), "above"),
			chromedp.SendKeys(chromedp.CSS(`#letters-form input[name="min_amount"]`), "0.50"),
			chromedp.Click(chromedp.CSS(`#letters-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#letters-preview")),
		)
		// The selection is shown first: how many letters, to how many creditors, for what; nothing
		// is issued until it is confirmed.
		if l, c, n := text(t, office, "#preview-letters"), text(t, office, "#preview-creditors"), text(t, office, "#preview-entries"); l != "1" || c != "1" || n != "1" {
			t.Fatalf("preview: %s letters, %s creditors, %s repayments", l, c, n)
		}
		if got := text(t, office, "#preview-lines"); !strings.Contains(got, "乙集团") || !strings.Contains(got, "1.00") {
			t.Fatalf("preview lines: %s", got)
		}
		if got := text(t, office, "#letter-count"); got != "1" { // the world's own letter only
			t.Fatalf("before the confirmation the list has %s letters", got)
		}
		shot(t, office, "letters-preview")
		do(t, office, chromedp.Click(chromedp.CSS("#letters-issue")), chromedp.WaitVisible(chromedp.CSS(".flash")))
		if got := text(t, office, "#letter-count"); got != "1" {
			t.Fatalf("the batch has %s letters", got)
		}
		if got := text(t, office, "#letters"); !strings.Contains(got, "乙集团") || !strings.Contains(got, "已发函待回函") {
			t.Fatalf("letters: %s", got)
		}
		do(t, office, chromedp.Click(chromedp.CSS(`#letters tbody a`)), chromedp.WaitVisible(chromedp.CSS("#letter-sheet")))
		sheet := text(t, office, "#letter-sheet")
		no := regexp.MustCompile(`询证〔\d{4}〕第\d{4}号`).FindString(sheet)
		code := text(t, office, "#letter-code")
		if no == "" || len(code) != 10 || !strings.Contains(sheet, "示范省国资委") || !strings.Contains(sheet, "回　执") || !strings.Contains(sheet, "在线回复") {
			t.Fatalf("letter %q code %q: %s", no, code, sheet)
		}
		shot(t, office, "letter")
		// Printed again from a server that no longer offers the online reply, the letter still
		// says what it said when it was sent.
		letterURL := location(t, office)
		do(t, office, chromedp.Navigate(strings.Replace(letterURL, base, e.srv.URL, 1)), chromedp.WaitVisible(chromedp.CSS("#letter-sheet")))
		if got := text(t, office, "#letter-sheet"); !strings.Contains(got, "在线回复") {
			t.Fatalf("the letter reprinted: %s", got)
		}
		do(t, office, chromedp.Navigate(letterURL), chromedp.WaitVisible(chromedp.CSS("#letter-sheet")))
		pdf, err := chromedp.Run(office, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
		if err != nil {
			t.Fatal(err)
		}
		// A4 portrait: 595 × 842 points.
		if !strings.HasPrefix(string(pdf), "%PDF-") || !regexp.MustCompile(`/MediaBox \[0 0 59[45]\.\d+ 84[12]\.\d+\]`).Match(pdf) {
			t.Fatalf("the letter's PDF is not one A4 portrait document (%d bytes)", len(pdf))
		}
		if err := os.WriteFile(filepath.Join(screenshotDir(t), "letter.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}

		// The creditor, without an account: a wrong code is refused, the right one shows the letter.
		creditor := newTab()
		do(t, creditor,
			chromedp.Navigate(base+"/confirm"),
			chromedp.WaitVisible(chromedp.CSS(`input[name="no"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="no"]`), no),
			chromedp.SendKeys(chromedp.CSS(`input[name="code"]`), "WRONGWRONG"),
			chromedp.Click(chromedp.CSS(`#confirm-lookup button`)),
			chromedp.WaitVisible(chromedp.CSS(".error")),
		)
		if got := text(t, creditor, ".error"); !strings.Contains(got, "不正确") {
			t.Fatalf("wrong code: %s", got)
		}
		do(t, creditor,
			chromedp.SetValue(chromedp.CSS(`input[name="code"]`), strings.ToLower(code)),
			chromedp.Click(chromedp.CSS(`#confirm-lookup button`)),
			chromedp.WaitVisible(chromedp.CSS("#confirm-form")),
		)
		page := text(t, creditor, "main")
		if !strings.Contains(page, no) || strings.Contains(page, code) || strings.Contains(page, "甲集团") || strings.Contains(page, "logout") {
			t.Fatalf("the creditor's page: %s", page)
		}
		shot(t, creditor, "letter-confirm")
		do(t, creditor,
			chromedp.Click(chromedp.CSS(`input[name="result"][value="disputed"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name^="amounts."]`), "0.50"),
			chromedp.SendKeys(chromedp.CSS(`#confirm-form textarea[name="note"]`), "只收到五角"),
			chromedp.Click(chromedp.CSS(`#confirm-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".flash")),
		)
		if got := text(t, creditor, ".flash"); !strings.Contains(got, "回函不符") {
			t.Fatalf("after the reply: %s", got)
		}

		// The office sees the dispute, the finding to resolve, and the signal.
		do(t, office, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#resolve-form")))
		if got := text(t, office, "#letter-state"); got != "回函不符" {
			t.Fatalf("state %q", got)
		}
		if got := text(t, office, "#letter-difference"); !strings.Contains(got, "0.50 / 0.50") {
			t.Fatalf("difference %q", got)
		}
		shot(t, office, "letter-disputed")
		do(t, office, chromedp.Navigate(base+"/signals"), chromedp.WaitVisible(chromedp.CSS("#signals")))
		if got := text(t, office, "#signal-letter_disputed"); !strings.Contains(got, "询证函回函不符") || !strings.Contains(got, "0.50") {
			t.Fatalf("signal row: %s", got)
		}
		shot(t, office, "signals")
		// The periodic report's page carries them below the report.
		do(t, office, chromedp.Navigate(base+"/periods/"+strconv.FormatInt(w.period, 10)+"/report"), chromedp.Click("#annex-link a"), chromedp.WaitVisible(chromedp.CSS("#report-annex")))
		if got := text(t, office, "#annex-signals"); !strings.Contains(got, "清偿未附支付凭证") {
			t.Fatalf("report annex: %s", got)
		}
		if got := text(t, office, "#annex-confirmations"); !strings.Contains(got, "未经确认") {
			t.Fatalf("report annex: %s", got)
		}
	})
}
