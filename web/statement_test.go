package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
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
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/statement-files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	r := &resp{status: res.StatusCode, header: res.Header}
	r.body, _ = io.ReadAll(res.Body)
	json.Unmarshal(r.body, &r.json)
	return r
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
