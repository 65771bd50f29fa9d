package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A dry run (the page's default) shows what the import would do before anything is written: the
// unit each amount column is read in, the totals per unit in the file's unit and in 元, which
// rows match an item and what changes (old → new), and warnings; writing happens on confirming.
func TestImportPreview(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		srv := e.srv
		session := sessionOf(t, db, "clerk_a")
		start := func(csv string, dry bool) string {
			fields := map[string]string{"kind": "ledger"}
			if dry {
				fields["dry_run"] = "1"
			}
			body, ctype := multipartBody(fields, map[string][2]string{"file": {"台账.csv", csv}})
			req, _ := http.NewRequest("POST", srv.URL+"/imports", body)
			req.Header.Set("Content-Type", ctype)
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %v %v", err, resp)
			}
			resp.Body.Close()
			return resp.Header.Get("Location")
		}
		wait := func(path string) string {
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				st, page := send(t, "GET", srv.URL+path, "", nil, session, "")
				if st != 200 {
					t.Fatalf("%s: %d", path, st)
				}
				if !strings.Contains(page, "import-progress") {
					return page
				}
				if time.Now().After(deadline) {
					t.Fatal("the import did not finish")
				}
			}
		}
		head := "示范台账,,,,,,,,,单位：万元\n台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额,来源,责任人,备注\n"
		first := head + "P-1,甲集团,某某劳务有限公司,91110000600037341L,工程款,2019-01-10,12.5,底数,张三,\n"
		if page := wait(start(first, false)); !strings.Contains(page, "导入完成") {
			t.Fatalf("first import: %.3000s", page)
		}
		second := head + "P-1,甲集团,某某劳务有限公司,91110000600037341L,工程款,2019-01-10,12.5,底数,李四,\n" +
			"P-2,甲集团,某某劳务公司,91110000600037341L,货物款,2019-01-11,0.75,底数,,\n"
		loc := start(second, true)
		page := wait(loc)
		for _, want := range []string{"id=\"import-confirm\"", "表格上方“单位：万元”", "各单位合计", "132,500.00", "13.25", "更新", "责任人：张三 → 李四", "新增", "台账编号", "提醒", "某某劳务公司"} {
			if !strings.Contains(page, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		if t.Failed() {
			t.Fatalf("%.6000s", page)
		}
		st, _ := send(t, "POST", srv.URL+loc+"/confirm", "application/x-www-form-urlencoded", strings.NewReader(""), session, "")
		if st != http.StatusSeeOther {
			t.Fatalf("confirm: %d", st)
		}
	})
}
