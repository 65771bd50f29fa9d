package web_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// uploadStatement posts a statement file to the API.
func (e *env) uploadStatement(token, name string, content []byte) *resp {
	e.t.Helper()
	return e.uploadTo("/api/v1/statement-files", token, name, content)
}

// Through the API a statement is a file uploaded, then imported by its hash: lines sent in the
// request are not taken, a clerk's token imports nothing, a date a year from the rest is refused
// until confirmed, and the kept file is downloaded by the unit's readers.
func TestStatementImportedFromTheFileKept(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		today := qingqian.Today()
		csv := []byte("交易日期,借方发生额,对方户名,对方账号,流水号\n" +
			today.AddDays(-2).String() + ",120.00," + e.creditor.Name + ",6217000011112222,API-1\n" +
			today.AddDays(-1).String() + ",30.00,示范市供电公司,,API-2\n" +
			today.AddDays(-800).String() + ",40.00,示范市供电公司,,API-3\n")
		e.uploadStatement(e.tokA, "对账单.csv", csv).want(t, http.StatusForbidden)
		sha := e.uploadStatement(e.tokRoot, "对账单.csv", csv).want(t, http.StatusCreated).str("sha256")
		org := e.a.ID
		// Lines in the request are no part of it.
		e.do("POST", "/api/v1/statements", e.tokRoot, map[string]any{"org_id": org, "file_sha256": sha, "lines": []any{map[string]any{"row": 2}}}).
			want(t, http.StatusBadRequest)
		e.do("POST", "/api/v1/statements", e.tokA, map[string]any{"org_id": org, "file_sha256": sha}).want(t, http.StatusForbidden)
		e.do("POST", "/api/v1/statements", e.tokRoot, map[string]any{"org_id": org, "file_sha256": strings.Repeat("a", 64)}).
			want(t, http.StatusBadRequest).field(t, "file")
		r := e.do("POST", "/api/v1/statements", e.tokRoot, map[string]any{"org_id": org, "file_sha256": sha, "dry_run": true}).want(t, http.StatusOK)
		if len(r.json["read"].([]any)) != 3 || len(r.json["warnings"].([]any)) != 1 {
			t.Fatalf("dry run: %s", r.body)
		}
		r = e.do("POST", "/api/v1/statements", e.tokRoot, map[string]any{"org_id": org, "file_sha256": sha}).want(t, http.StatusUnprocessableEntity)
		if is := r.json["issues"].([]any)[0].(map[string]any); is["row"] != float64(4) || is["field"] != "on" {
			t.Fatalf("unconfirmed: %s", r.body)
		}
		r = e.do("POST", "/api/v1/statements", e.tokRoot, map[string]any{"org_id": org, "file_sha256": sha, "accept_outliers": true, "file_name": "三月.csv"}).
			want(t, http.StatusOK)
		st := r.json["statement"].(map[string]any)
		if st["file_sha256"] != sha || st["lines"] != float64(3) {
			t.Fatalf("imported: %s", r.body)
		}
		id := strconv.FormatInt(int64(st["id"].(float64)), 10)
		// The statement names its file, which is the one uploaded.
		rec := e.do("GET", "/api/v1/statements/reconciliation?org_id="+strconv.FormatInt(org, 10), e.tokReadA, nil).want(t, http.StatusOK)
		if !strings.Contains(string(rec.body), sha) {
			t.Fatalf("reconciliation does not name the file: %s", rec.body)
		}
		got := e.do("GET", "/api/v1/statements/"+id+"/file", e.tokReadA, nil).want(t, http.StatusOK)
		if !bytes.Equal(got.body, csv) || !strings.Contains(got.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("downloaded %q (%v)", got.body, got.header)
		}
		e.do("GET", "/api/v1/statements/"+id+"/file", e.tokB, nil).want(t, http.StatusNotFound)
		if rep, err := db.Verify(t.Context(), sqldb.VerifyOptions{}); err != nil || !rep.OK() || rep.Statements != 2 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

// On the page: the clerk is offered no import; the reviewer's preview warns of a date a year
// from the rest and offers to confirm it; the confirmation carries the file's hash only, is
// refused without the box ticked (naming the row), imported with it; the statement links to its
// file.
func TestStatementPageConfirmsOutliers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		as := func(who string) func(method, path, ctype string, body io.Reader) (int, string) {
			_, secret, err := sqldb.NewUserService(db).Login(t.Context(), who, testPassword, "")
			if err != nil {
				t.Fatal(err)
			}
			return func(method, path, ctype string, body io.Reader) (int, string) {
				t.Helper()
				req, _ := http.NewRequest(method, e.srv.URL+path, body)
				if ctype != "" {
					req.Header.Set("Content-Type", ctype)
				}
				req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				return res.StatusCode, html.UnescapeString(string(b))
			}
		}
		org := strconv.FormatInt(e.a.ID, 10)
		clerk, reviewer := as("clerk_a"), as("reviewer")
		if st, page := clerk("GET", "/statements?org_id="+org, "", nil); st != 200 || strings.Contains(page, `id="statement-form"`) || strings.Contains(page, "人工匹配") {
			t.Fatalf("the clerk's page (%d) offers an import or a match", st)
		}
		today := qingqian.Today()
		csv := "交易日期,借方发生额,对方户名,流水号\n" + today.AddDays(-3).String() + ",10.00,甲,P-1\n" + today.AddDays(-2).String() + ",20.00,乙,P-2\n" +
			today.AddDays(-900).String() + ",30.00,丙,P-3\n"
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("org_id", org)
		fw, _ := mw.CreateFormFile("file", "对账单.csv")
		fw.Write([]byte(csv))
		mw.Close()
		st, page := reviewer("POST", "/statements", mw.FormDataContentType(), &buf)
		if st != 200 || !strings.Contains(page, `id="statement-warnings"`) || !strings.Contains(page, `name="accept_outliers"`) || strings.Contains(page, `name="lines"`) {
			t.Fatalf("preview (%d): %s", st, page)
		}
		i := strings.Index(page, `name="file_sha256" value="`)
		sha := page[i+len(`name="file_sha256" value="`):]
		sha = sha[:strings.Index(sha, `">`)]
		confirm := url.Values{"org_id": {org}, "window": {"3"}, "file_name": {"对账单.csv"}, "file_sha256": {sha}}
		st, page = reviewer("POST", "/statements", "application/x-www-form-urlencoded", strings.NewReader(confirm.Encode()))
		if st != http.StatusUnprocessableEntity && st != http.StatusBadRequest || !strings.Contains(page, "第 4 行“交易日期”") {
			t.Fatalf("unconfirmed (%d): %s", st, page)
		}
		confirm.Set("accept_outliers", "1")
		if st, _ = reviewer("POST", "/statements", "application/x-www-form-urlencoded", strings.NewReader(confirm.Encode())); st != http.StatusSeeOther {
			t.Fatalf("confirmed: %d", st)
		}
		st, page = clerk("GET", "/statements?org_id="+org, "", nil)
		i = strings.Index(page, `/file" title="SHA-256 `+sha)
		if st != 200 || i < 0 {
			t.Fatalf("the statement does not link its file (%d)", st)
		}
		link := page[strings.LastIndex(page[:i], `href="`)+len(`href="`) : i+len("/file")]
		if st, got := clerk("GET", link, "", nil); st != 200 || got != csv {
			t.Fatalf("download %s (%d): %q", link, st, got)
		}
	})
}
