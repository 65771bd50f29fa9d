package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// sessionOf opens a session for a world's user and returns its secret.
func sessionOf(t *testing.T, db *sqldb.DB, name string) string {
	t.Helper()
	_, secret, err := sqldb.NewUserService(db).Login(context.Background(), name, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// multipartBody builds a multipart/form-data body of fields and files (name → file name, bytes).
func multipartBody(fields map[string]string, files map[string][2]string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for field, f := range files {
		fw, _ := mw.CreateFormFile(field, f[0])
		fw.Write([]byte(f[1]))
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// send posts a body with a session cookie or a bearer token and returns the status and body.
func send(t *testing.T, method, url, ctype string, body io.Reader, session, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, html.UnescapeString(string(b))
}

// A repayment form with a voucher larger than what is kept in memory spools it to a temporary
// file; the file is gone once the request is answered.
func TestLargeUploadLeavesNoTemporaryFile(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		pdf := "%PDF-1.4 大凭证\n" + strings.Repeat("0", 12<<20)
		body, ctype := multipartBody(map[string]string{"kind": "repay", "on": "2019-03-01", "amount": "1", "part": "undisputed", "method": "transfer"},
			map[string][2]string{"files": {"大凭证.pdf", pdf}})
		st, page := send(t, "POST", e.srv.URL+"/items/"+strconv.FormatInt(w.itemA, 10)+"/entries", ctype, body, sessionOf(t, db, "clerk_a"), "")
		if st != http.StatusSeeOther {
			t.Fatalf("repayment with a 12 MB voucher: %d\n%.2000s", st, page)
		}
		left, _ := filepath.Glob(filepath.Join(tmp, "*"))
		if len(left) > 0 {
			t.Fatalf("temporary files left: %v", left)
		}
	})
}

// A voucher far over the limit is refused with the size limit, not as if no file had come; the
// API's import spools its upload in the server's spool folder and leaves nothing there.
func TestUploadLimitsAndSpool(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		s, err := web.NewServer(e.svc, db.Ping, 1<<20, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s.SpoolDir = t.TempDir()
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		for _, size := range []int{3 << 20, 40 << 20} {
			body, ctype := multipartBody(nil, map[string][2]string{"file": {"巨大.pdf", "%PDF-1.4\n" + strings.Repeat("0", size)}})
			st, msg := send(t, "POST", srv.URL+"/api/v1/vouchers", ctype, body, "", e.tokA)
			if st != http.StatusBadRequest || !strings.Contains(msg, "凭证文件超过大小限制（1 MB）") || strings.Contains(msg, "没有收到文件") {
				t.Fatalf("a %d MB voucher: %d %s", size>>20, st, msg)
			}
		}
		csv := "债务单位,债权企业名称\n"
		body, ctype := multipartBody(nil, map[string][2]string{"file": {"台账.csv", csv}})
		if st, msg := send(t, "POST", srv.URL+"/api/v1/imports/ledger?dry_run=true", ctype, body, "", e.tokA); st != 422 && st != 400 {
			t.Fatalf("import: %d %s", st, msg)
		}
		if left, _ := filepath.Glob(filepath.Join(s.SpoolDir, "*")); len(left) > 0 {
			t.Fatalf("spool files left: %v", left)
		}
		// Files a killed server left are swept.
		os.WriteFile(filepath.Join(s.SpoolDir, "qingqian-import-1.csv"), []byte("x"), 0o600)
		if n, err := s.SweepSpool(); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
	})
}

// A voucher whose file has gone from the store is a clear error, not an internal one.
func TestMissingVoucherFile(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		sha := w.voucherA
		if err := os.Remove(filepath.Join(db.VoucherDir, sha[:2], sha[2:4], sha)); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/api/v1/vouchers/"+sha, e.tokA, nil)
		var body struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(r.body, &body)
		if r.status != http.StatusNotFound || !strings.Contains(body.Error.Message, "凭证文件缺失") || !strings.Contains(body.Error.Message, "a.pdf") {
			t.Fatalf("missing voucher file: %d %s", r.status, r.body)
		}
		st, page := send(t, "GET", e.srv.URL+"/vouchers/"+sha, "", nil, sessionOf(t, db, "clerk_a"), "")
		if st != http.StatusNotFound || !strings.Contains(page, "凭证文件缺失") {
			t.Fatalf("missing voucher file on the workbench: %d %.1000s", st, page)
		}
	})
}
