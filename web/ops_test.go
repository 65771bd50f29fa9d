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
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// sessionOf opens a session for a world's user and returns its secret.
func sessionOf(t *testing.T, db *sqldb.DB, name string) string {
	t.Helper()
	_, secret, err := sqldb.NewUserService(db).Login(context.Background(), name, testPassword, "")
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

// ledgerCSV is a one-row ledger for group A (甲集团) of newEnv.
const ledgerCSV = "台账编号,欠款单位,债权企业名称,统一社会信用代码,企业性质,合同编号,合同名称,欠款类型,发生日期,应付日期,无分歧金额（元）,有分歧金额（元）,分歧原因,资金来源,来源,责任人,备注\n" +
	"Z-1,甲集团,某某劳务有限公司,91110000600037341L,民营企业,HT-Z1,施工合同,工程款,2019-01-10,2019-04-10,1000.25,0,,自有资金,底数,张三,\n"

// heldImports is the import service, with a ledger import held before its first row until it is
// released or its context ends (then the real import goes on, and fails if cancelled).
type heldImports struct {
	qingqian.ImportService
	started chan struct{}
	release chan struct{}
}

func (h *heldImports) ImportLedger(ctx context.Context, rows func(yield func(*qingqian.LedgerRow) bool) error, dryRun bool) (*qingqian.ImportResult, error) {
	held := func(yield func(*qingqian.LedgerRow) bool) error {
		h.started <- struct{}{}
		select {
		case <-h.release:
		case <-ctx.Done():
		}
		return rows(yield)
	}
	return h.ImportService.ImportLedger(ctx, held, dryRun)
}

// Stopping waits for a background import, or, when the grace is over, cancels it: nothing is
// written and its job says so, also after a restart; a job that was running when a server died
// is marked as interrupted.
func TestStoppingWaitsForOrCancelsImports(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		spool := t.TempDir()
		h := &heldImports{ImportService: e.svc.Imports, started: make(chan struct{}, 1), release: make(chan struct{})}
		svc := e.svc
		svc.Imports = h
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		interrupted := 0
		serve := func() (*web.Server, *httptest.Server) {
			s, err := web.NewServer(svc, db.Ping, sqldb.DefaultMaxVoucherSize, logger)
			if err != nil {
				t.Fatal(err)
			}
			s.SpoolDir = spool
			if _, err := s.SweepSpool(); err != nil {
				t.Fatal(err)
			}
			if interrupted, err = s.RecoverImports(); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s.Handler())
			t.Cleanup(srv.Close)
			return s, srv
		}
		session := sessionOf(t, db, "clerk_a")
		start := func(srv *httptest.Server) string {
			body, ctype := multipartBody(map[string]string{"kind": "ledger"}, map[string][2]string{"file": {"台账.csv", ledgerCSV}})
			req, _ := http.NewRequest("POST", srv.URL+"/imports", body)
			req.Header.Set("Content-Type", ctype)
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("start import: %d", res.StatusCode)
			}
			<-h.started
			return res.Header.Get("Location")
		}
		items := func() int {
			n, err := db.CountRows(context.Background(), "items")
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		page := func(srv *httptest.Server, job string) string {
			st, body := send(t, "GET", srv.URL+job, "", nil, session, "")
			if st != 200 {
				t.Fatalf("%s: %d", job, st)
			}
			return body
		}
		before := items()

		// The grace runs out: the import is cancelled and writes nothing.
		s, srv := serve()
		job := start(srv)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		n := s.Drain(ctx)
		cancel()
		if n != 1 || items() != before {
			t.Fatalf("drain cancelled %d imports; items %d → %d", n, before, items())
		}
		if p := page(srv, job); !strings.Contains(p, "服务停止，导入已取消，没有写入任何数据") {
			t.Fatalf("the cancelled job's page: %.2000s", p)
		}
		// After a restart the job still says so.
		_, srv = serve()
		if p := page(srv, job); !strings.Contains(p, "导入已取消") {
			t.Fatalf("the cancelled job after a restart: %.2000s", p)
		}

		// The import ends within the grace: it is waited for and written.
		s, srv = serve()
		job = start(srv)
		go func() { time.Sleep(100 * time.Millisecond); close(h.release) }()
		if n := s.Drain(context.Background()); n != 0 || items() != before+1 {
			t.Fatalf("drain with time enough cancelled %d; items %d → %d", n, before, items())
		}
		if p := page(srv, job); !strings.Contains(p, "导入完成") {
			t.Fatalf("the finished job: %.2000s", p)
		}

		// A server killed during an import leaves a running job's record: the next one marks it.
		os.WriteFile(filepath.Join(spool, "jobs", "dead01.json"), []byte(`{"id":"dead01","kind":"ledger","user_id":`+
			strconv.FormatInt(sessionUser(t, db, session), 10)+`,"file_name":"台账.csv","started":"`+time.Now().UTC().Format(time.RFC3339)+`","done":false}`), 0o640)
		_, srv = serve()
		if interrupted != 1 {
			t.Fatalf("%d jobs marked interrupted", interrupted)
		}
		if p := page(srv, "/imports/dead01"); !strings.Contains(p, "导入被中断") {
			t.Fatalf("the interrupted job: %.2000s", p)
		}
	})
}

// sessionUser is the id of a session's user.
func sessionUser(t *testing.T, db *sqldb.DB, secret string) int64 {
	u, err := sqldb.NewUserService(db).Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
