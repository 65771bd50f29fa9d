package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/demo"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// What the office sees and prints, in the demo province: wide tables scroll in their own box,
// the consolidated report prints as a document on A4 landscape, the header works at phone
// width, no code reaches the screen, and every main page is pictured at two window sizes.
func TestBrowserLook(t *testing.T) {
	newTab := browser(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) { testBrowserLook(t, db, newTab) })
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// reachLastColumn checks, at the tab's width, that the page does not overflow sideways while the
// table's box does, and that scrolling the box brings its last header into view with the first
// column still in place.
func reachLastColumn(t *testing.T, ctx context.Context, box, table string) {
	t.Helper()
	if page := eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`); !page {
		t.Fatalf("%s: the page itself overflows sideways (%v > %v)", box, eval[float64](t, ctx, `document.documentElement.scrollWidth`), eval[float64](t, ctx, `window.innerWidth`))
	}
	if wide := eval[bool](t, ctx, `(b => b.scrollWidth > b.clientWidth)(document.querySelector('`+box+`'))`); !wide {
		t.Logf("%s fits without scrolling", box)
	}
	js := `(() => { const b = document.querySelector('` + box + `'); b.scrollLeft = b.scrollWidth;
		const th = document.querySelectorAll('` + table + ` thead th'); const last = th[th.length-1].getBoundingClientRect();
		const first = th[0].getBoundingClientRect(); const br = b.getBoundingClientRect();
		const hit = document.elementFromPoint(last.left + last.width/2, last.top + last.height/2);
		return [last.right <= window.innerWidth + 1 && last.right <= br.right + 1, hit === th[th.length-1] || th[th.length-1].contains(hit), Math.abs(first.left - br.left) < 3].join(); })()`
	if got := eval[string](t, ctx, js); got != "true,true,true" {
		t.Fatalf("%s scrolled to its end: last header in view, reachable, first column held: %s", box, got)
	}
}

func testBrowserLook(t *testing.T, db *sqldb.DB, newTab func() context.Context) {
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

	// Wide tables at 1366: the last column is reachable inside the table's own box.
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/periods/3/report"), chromedp.WaitVisible(chromedp.CSS("#report")))
	reachLastColumn(t, ctx, "#report-scroll", "#report")
	if got := text(t, ctx, "#docno"); got != "清欠汇〔2020〕3号" {
		t.Fatalf("document number %q", got)
	}
	if got := text(t, ctx, "#signoff"); !strings.Contains(got, "制表人") || !strings.Contains(got, "审核人") || !strings.Contains(got, "负责人") || !strings.Contains(got, "联系电话") || !strings.Contains(got, "2021年1月8日") {
		t.Fatalf("sign-off lines %q", got)
	}
	if got := text(t, ctx, ".report-line"); !strings.Contains(got, "数据截至：2020年12月31日") || strings.Contains(got, "2020-12-31") {
		t.Fatalf("report line %q", got)
	}
	// On A4 landscape (277 mm between the margins, 1047 CSS px) the whole table fits the width.
	do(t, ctx, chromedp.EmulateViewport(1040, 720), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if fits := eval[string](t, ctx, `(r => r.left + "," + r.right + "," + window.innerWidth)(document.querySelector('#report').getBoundingClientRect())`); !printFits(fits) {
		t.Fatalf("printed report table (left, right, page width): %s", fits)
	}
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger?status=unpaid&kind=works"), chromedp.WaitVisible(chromedp.CSS("#ledger-print-line")))
	if got := text(t, ctx, "#ledger-print-line"); !strings.Contains(got, "单位：示范省人民政府国有资产监督管理委员会") || !strings.Contains(got, "状态：未清偿") || !strings.Contains(got, "欠款类型：工程款") || !strings.Contains(got, "数据截至：") {
		t.Fatalf("ledger on paper: %s", got)
	}
	do(t, ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		return err
	}), chromedp.EmulateViewport(1366, 768), chromedp.Navigate(e.srv.URL+"/periods/3/report"), chromedp.WaitVisible(chromedp.CSS("#report")))
	// On A4 landscape: a PDF of a page or two, the table in it.
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatal(err)
	}
	checkReportPDF(t, pdf)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/disputes?as_of=2020-12-31"), chromedp.WaitVisible(chromedp.CSS("#disputes")))
	reachLastColumn(t, ctx, "#disputes-scroll", "#disputes")

	// No code reaches the screen: the trail and an item's history read in Chinese.
	code := regexp.MustCompile(`\b[a-z]+\.[a-z_]+\b|\buser \d+`)
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/audit?entity=item"), chromedp.WaitVisible(chromedp.CSS("main table")))
	if got := eval[string](t, ctx, `[...document.querySelectorAll('main table tbody tr')].map(r => [...r.cells].slice(0, 8).map(c => c.querySelector('details') ? '' : c.innerText).join(' ')).join('\n')`); code.MatchString(got) || !strings.Contains(got, "录入清偿") {
		t.Fatalf("audit page shows codes: %q", code.FindAllString(got, 5))
	}
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/ledger?as_of=x&min_amount=abc"), chromedp.WaitVisible(chromedp.CSS("main")))
	if got := text(t, ctx, "main"); strings.Contains(got, "min_amount") || !strings.Contains(got, "最小金额") {
		t.Fatalf("filter error: %s", got)
	}

	// Progress: the rates drawn against the province's, a 合计 row, sorted by rate.
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/progress?sort=rate"), chromedp.WaitVisible(chromedp.CSS("#progress-total")))
	rates := eval[[]float64](t, ctx, `[...document.querySelectorAll('#progress tbody tr')].map(r => parseFloat(r.cells[4].innerText))`)
	for i := 1; i < len(rates); i++ {
		if rates[i] < rates[i-1] {
			t.Fatalf("sorted by rate: %v", rates)
		}
	}
	if got := text(t, ctx, "#rate-chart"); !strings.Contains(got, "全省") {
		t.Fatalf("rate chart without the province line: %s", got)
	}
	if got := text(t, ctx, "#trend-chart"); !strings.Contains(got, "第1期") || !strings.Contains(got, "第5期") || !strings.Contains(got, "未清偿余额") {
		t.Fatalf("trend over the periods: %s", got)
	}
	if got := text(t, ctx, "#kind-chart") + text(t, ctx, "#dispute-chart"); !strings.Contains(got, "工程款") || !strings.Contains(got, "有分歧") {
		t.Fatalf("outstanding by kind and by dispute status: %s", got)
	}

	// 补录 marks an entry recorded after the report of its period, not any entry typed later than
	// its date: item DS-0001's first entry (dated 2017, recorded with the baseline before it was
	// reported) is not marked; a recognition dated 2020-12-01 recorded today, after the report of
	// 2020-12-31 was signed, is.
	items, err := e.svc.Items.FindItems(sys, qingqian.ItemFilter{Query: "DS-0001", Limit: 1})
	if err != nil || len(items.Items) != 1 {
		t.Fatalf("DS-0001: %v", err)
	}
	it := items.Items[0]
	late, err := e.svc.Entries.RecordEntry(sys, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRecognise, On: qingqian.MustParseDate("2020-12-01"),
		Amount: 100, Part: qingqian.PartUndisputed, Reason: "对账补充确认"})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := e.svc.Entries.FindEntries(sys, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := entries[0]
	for _, x := range entries {
		if x.ID < first.ID {
			first = x
		}
	}
	do(t, ctx, chromedp.Navigate(e.srv.URL+"/items/"+strconv.FormatInt(it.ID, 10)), chromedp.WaitVisible(chromedp.CSS("#entries")))
	if got := text(t, ctx, "#entry-"+strconv.FormatInt(late.ID, 10)); !strings.Contains(got, "补录") {
		t.Fatalf("entry recorded after its period was reported: %s", got)
	}
	if got := text(t, ctx, "#entry-"+strconv.FormatInt(first.ID, 10)); !first.Backdated || strings.Contains(got, "补录") {
		t.Fatalf("baseline entry (backdated %v): %s", first.Backdated, got)
	}
	if got := text(t, ctx, "#history"); !strings.Contains(got, "确认欠款") || code.MatchString(got) {
		t.Fatalf("item history: %s", got)
	}

	// Every main page at 1366×768 and at 1920×1080.
	pages := []struct{ name, path string }{{"dashboard", "/"}, {"ledger", "/ledger"}, {"orgs", "/orgs"}, {"creditors", "/creditors"},
		{"periods", "/periods"}, {"report", "/periods/3/report"}, {"progress", "/progress"}, {"notices", "/notices"}, {"notice", "/notices/1"},
		{"interviews", "/interviews"}, {"clues", "/clues"}, {"cases", "/cases"}, {"disputes", "/disputes?as_of=2020-12-31"},
		{"contracts", "/contracts"}, {"payables", "/payables?subtree=1"}, {"campaigns", "/campaigns"}, {"circulars", "/circulars"},
		{"causes", "/causes"}, {"aging", "/payables/aging"}, {"timely", "/payables/timely"}, {"disclosures", "/disclosures"}, {"audit", "/audit"}}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"1366", 1366, 768}, {"1920", 1920, 1080}} {
		do(t, ctx, chromedp.EmulateViewport(size.w, size.h))
		for _, pg := range pages {
			do(t, ctx, chromedp.Navigate(e.srv.URL+pg.path), chromedp.WaitVisible(chromedp.CSS("main")))
			if pg.name == "report" || pg.name == "disputes" {
				reachLastColumn(t, ctx, map[string]string{"report": "#report-scroll", "disputes": "#disputes-scroll"}[pg.name], map[string]string{"report": "#report", "disputes": "#disputes"}[pg.name])
			}
			if got := text(t, ctx, "main"); strings.Contains(got, "内部错误") {
				t.Fatalf("%s: %s", pg.path, got)
			}
			shot(t, ctx, "look-"+size.name+"-"+pg.name)
		}
	}

	// At phone width the header stays usable: 退出 is on screen and works.
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)), chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#logout")))
	shot(t, ctx, "look-390-dashboard")
	if in := eval[bool](t, ctx, `(r => r.right <= window.innerWidth && r.left >= 0 && r.bottom <= window.innerHeight && r.height > 10 && r.width > 20)(document.querySelector('#logout').getBoundingClientRect())`); !in {
		t.Fatalf("退出 not on screen at 390 px: %v", eval[any](t, ctx, `document.querySelector('#logout').getBoundingClientRect().toJSON()`))
	}
	if h := eval[float64](t, ctx, `document.querySelector('.top nav a').getBoundingClientRect().height`); h > 44 {
		t.Fatalf("a menu entry %v px high: its characters are stacked", h)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username")))
}

// printFits reads "left,right,width" and says whether the table lies within the page.
func printFits(s string) bool {
	var l, r, w float64
	if _, err := fmt.Sscanf(strings.ReplaceAll(s, ",", " "), "%g %g %g", &l, &r, &w); err != nil {
		return false
	}
	return l >= 0 && r <= w+0.5
}

// checkReportPDF looks at the printed report: A4 landscape, a page or two, and, when pdftotext
// is at hand, the heading, number, sign-off lines and rounding note in its text.
func checkReportPDF(t *testing.T, pdf []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(screenshotDir(t), "look-report-3.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1))
	if pages < 1 || pages > 2 {
		t.Fatalf("the report prints on %d pages", pages)
	}
	for _, m := range regexp.MustCompile(`/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]`).FindAllSubmatch(pdf, -1) {
		if !strings.HasPrefix(string(m[1]), "841") || !strings.HasPrefix(string(m[2]), "59") {
			t.Fatalf("page %s × %s pt, not A4 landscape", m[1], m[2])
		}
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("no pdftotext: the PDF's text is not checked")
		return
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	os.WriteFile(path, pdf, 0o644)
	out, err := exec.Command(tool, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"示范省人民政府国有资产监督管理委员会", "清欠汇〔2020〕3号", "制表人", "负责人", "联系电话", "2020年12月31日", "四舍五入", "合计"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the printed report lacks %q", want)
		}
	}
}
