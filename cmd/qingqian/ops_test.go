package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// eachDB runs fn on a new SQLite data folder and, when PostgreSQL is available, on a fresh
// PostgreSQL schema with a data folder of its own; args are the flags naming them.
func eachDB(t *testing.T, fn func(t *testing.T, dialect string, args []string)) {
	for _, dialect := range sqldbtest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--data", dir}
			if dialect == "postgres" {
				args = append(args, "--db", sqldbtest.FreshDSN(t, dialect))
			}
			fn(t, dialect, args)
		})
	}
}

// rawDB opens the database the args name, for a test to look at or tamper with.
func rawDB(t *testing.T, dialect string, args []string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if dialect == "postgres" {
		db, err = sql.Open("pgx", args[3])
	} else {
		db, err = sql.Open("sqlite", args[1]+"/qingqian.db")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func runArgs(t *testing.T, cmd []string, args []string, more ...string) (string, error) {
	t.Helper()
	return run(t, append(append(append([]string{}, cmd...), args...), more...)...)
}

// migrate names the migrations it applied, then says there were none; a program older than the
// database's schema refuses to start, whatever the command.
func TestMigrateSaysWhatItApplied(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		out, err := runArgs(t, []string{"migrate"}, args)
		if err != nil || !strings.Contains(out, "0001_ledger.sql") || !strings.Contains(out, "已应用") {
			t.Fatalf("first migrate: %v\n%s", err, out)
		}
		out, err = runArgs(t, []string{"migrate"}, args)
		if err != nil || !strings.Contains(out, "没有需要应用的迁移") || strings.Contains(out, "0001_ledger.sql") {
			t.Fatalf("second migrate: %v\n%s", err, out)
		}
		db := rawDB(t, dialect, args)
		if _, err := db.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('9999_newer.sql', '2030-01-01T00:00:00Z')`); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range [][]string{{"migrate"}, {"verify"}, {"serve", "--addr", "127.0.0.1:0"}} {
			out, err := runArgs(t, cmd, args)
			if err == nil || !strings.Contains(out+err.Error(), "数据库结构比本程序新") || !strings.Contains(out+err.Error(), "9999_newer.sql") {
				t.Fatalf("%s on a newer schema: %v\n%s", cmd[0], err, out)
			}
		}
	})
}

// runIn runs a command with the given standard input.
func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), args)
	return out.String(), err
}

const officeUSCC = "11130000MB00000004"

// A new deployment starts with init: the regulator and its first administrator. Then units can
// be imported under the regulator and users added, which a fresh database refused before.
func TestInitNewDeployment(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		// Nothing can be set up on a fresh database without a first unit.
		if out, err := runIn(t, "Kaishi-2024!\n", append([]string{"user", "add", "--org", "1", "--username", "zhang", "--role", "admin"}, args...)...); err == nil || !strings.Contains(out+err.Error(), "所属单位不存在") {
			t.Fatalf("user add on a fresh database: %v %s", err, out)
		}
		initArgs := append([]string{"init", "--name", "示范省人民政府国有资产监督管理委员会", "--short-name", "示范省国资委", "--uscc", officeUSCC, "--admin", "it_admin", "--admin-name", "信息中心"}, args...)
		// A weak password or a bad code writes nothing.
		if out, err := runIn(t, "weak\n", initArgs...); err == nil || !strings.Contains(out+err.Error(), "密码") {
			t.Fatalf("weak password: %v %s", err, out)
		}
		bad := append([]string{}, initArgs...)
		bad[6] = "11130000MB00000005"
		if out, err := runIn(t, "Kaishi-2024!\n", bad...); err == nil || !strings.Contains(out+err.Error(), "uscc") {
			t.Fatalf("bad USCC: %v %s", err, out)
		}
		if out, err := runIn(t, "", initArgs...); err == nil || !strings.Contains(out+err.Error(), "密码") {
			t.Fatalf("no password: %v %s", err, out)
		}
		db := rawDB(t, dialect, args)
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM orgs`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused init wrote %d units (%v)", n, err)
		}
		out, err := runIn(t, "Kaishi-2024!\n", initArgs...)
		if err != nil || !strings.Contains(out, "已初始化") || !strings.Contains(out, "it_admin") {
			t.Fatalf("init: %v\n%s", err, out)
		}
		var kind, uscc string
		if err := db.QueryRow(`SELECT kind, uscc FROM orgs WHERE parent_id IS NULL`).Scan(&kind, &uscc); err != nil || kind != "regulator" || uscc != officeUSCC {
			t.Fatalf("the regulator: %q %q %v", kind, uscc, err)
		}
		if out, err := runIn(t, "Kaishi-2024!\n", initArgs...); err == nil || !strings.Contains(out+err.Error(), "已经初始化过") {
			t.Fatalf("init twice: %v %s", err, out)
		}
		// The groups come in from a units sheet, under the regulator by its name.
		units := filepath.Join(t.TempDir(), "单位.csv")
		os.WriteFile(units, []byte("单位名称,上级单位,简称,统一社会信用代码,单位类型,分管领导,责任部门,联络员,联络员电话,状态\n"+
			"示范能源集团有限公司,示范省人民政府国有资产监督管理委员会,能源集团,,集团公司,,,,,启用\n"), 0o600)
		if out, err := runIn(t, "", append([]string{"import", "units", units}, args...)...); err != nil || !strings.Contains(out, "新增 1 条") {
			t.Fatalf("import units after init: %v\n%s", err, out)
		}
		if out, err := runIn(t, "Clerk-2024!\n", append([]string{"user", "add", "--org", "2", "--username", "nengyuan", "--role", "liaison"}, args...)...); err != nil {
			t.Fatalf("user add after init: %v\n%s", err, out)
		}
		if out, err := runArgs(t, []string{"verify"}, args); err != nil {
			t.Fatalf("verify after init: %v\n%s", err, out)
		}
	})
}

// server is a `qingqian serve` running in the test.
type server struct {
	addr string
	out  *syncWriter
	stop context.CancelFunc
	done chan error
}

// startServe runs serve with the given flags (and --addr 127.0.0.1:0) until the test ends or
// stop is called; env supplies QINGQIAN_* variables.
func startServe(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	out := &syncWriter{}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	m := &Main{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: func(k string) string { return env[k] }, Ready: ready}
	s := &server{out: out, stop: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	}()
	select {
	case s.addr = <-ready:
	case err := <-s.done:
		cancel()
		t.Fatalf("serve ended: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(60 * time.Second):
		}
	})
	return s
}

// wait stops the server and returns what serve returned.
func (s *server) wait(t *testing.T) error {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(90 * time.Second):
		t.Fatal("serve did not stop")
		return nil
	}
}

func (s *server) get(t *testing.T, path string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+s.addr+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// /readyz answers 503 when the data folder's disk has less room than --min-free-mb.
func TestServeReadyNeedsRoom(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		s := startServe(t, nil, args...)
		if st, body := s.get(t, "/readyz"); st != 200 {
			t.Fatalf("readyz: %d %s", st, body)
		}
		s.wait(t)
		s = startServe(t, map[string]string{"QINGQIAN_MIN_FREE_MB": "1000000000"}, args...)
		if st, body := s.get(t, "/readyz"); st != 503 {
			t.Fatalf("readyz with a full disk: %d %s", st, body)
		}
		if st, _ := s.get(t, "/healthz"); st != 200 {
			t.Fatalf("healthz: %d", st)
		}
	})
}

// A second serve on the same data folder is refused while the first runs, and starts once it has
// stopped. At start a server removes what a killed one left: unfinished voucher uploads and
// spooled import files.
func TestServeOwnsItsDataFolder(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		dir := args[1]
		leftovers := []string{filepath.Join(dir, "vouchers", "upload-123456"), filepath.Join(dir, "spool", "qingqian-import-99.xlsx"),
			filepath.Join(dir, "spool", "qingqian-vouchers-7.zip")}
		for _, f := range leftovers {
			os.MkdirAll(filepath.Dir(f), 0o750)
			if err := os.WriteFile(f, []byte("half a file"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		keep := filepath.Join(dir, "spool", "notes.txt") // not the server's
		os.WriteFile(keep, []byte("x"), 0o600)
		s := startServe(t, nil, args...)
		for _, f := range leftovers {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Fatalf("%s left after start: %v", f, err)
			}
		}
		if _, err := os.Stat(keep); err != nil {
			t.Fatalf("a file not the server's was removed: %v", err)
		}
		out, err := runArgs(t, []string{"serve", "--addr", "127.0.0.1:0"}, args)
		if err == nil || !strings.Contains(out+err.Error(), "已被另一个 qingqian serve 使用") {
			t.Fatalf("second serve on the same folder: %v\n%s", err, out)
		}
		if err := s.wait(t); err != nil {
			t.Fatalf("first serve: %v", err)
		}
		startServe(t, nil, args...)
	})
}

// newDeployment initialises a deployment with one group, 示范建工集团有限公司 (unit 2), and returns
// a clerk token of the group.
func newDeployment(t *testing.T, args []string) string {
	t.Helper()
	if out, err := runIn(t, "Kaishi-2024!\n", append([]string{"init", "--name", "示范省国资委", "--uscc", officeUSCC}, args...)...); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	units := filepath.Join(t.TempDir(), "单位.csv")
	os.WriteFile(units, []byte("单位名称,上级单位,简称,统一社会信用代码,单位类型,分管领导,责任部门,联络员,联络员电话,状态\n"+
		"示范建工集团有限公司,示范省国资委,建工集团,,集团公司,,,,,启用\n"), 0o600)
	if out, err := runIn(t, "", append([]string{"import", "units", units}, args...)...); err != nil {
		t.Fatalf("import units: %v\n%s", err, out)
	}
	out, err := runIn(t, "", append([]string{"token", "add", "--org", "2", "--name", "ERP", "--role", "clerk"}, args...)...)
	token := regexp.MustCompile(`qq_[0-9a-f]+`).FindString(out)
	if err != nil || token == "" {
		t.Fatalf("token: %v\n%s", err, out)
	}
	return token
}

// bigLedger is an n-row ledger CSV of the group of newDeployment, first numbered from.
func bigLedger(t *testing.T, n, from int) []byte {
	var b strings.Builder
	heads := []string{}
	for _, c := range xlsx.LedgerColumns[:17] {
		heads = append(heads, c.Header)
	}
	b.WriteString(strings.Join(heads, ",") + "\n")
	for i := from; i < from+n; i++ {
		c := i % 500
		body := fmt.Sprintf("%08d", 20000000+c)
		first17 := "91130100" + body + string(qingqian.OrgCodeCheckChar(body))
		uscc := first17 + string(qingqian.USCCCheckChar(first17))
		fmt.Fprintf(&b, "L-%07d,示范建工集团有限公司,债权企业%d有限公司,%s,民营企业,HT-%d,施工合同,工程款,2019-01-10,2019-04-10,%d.25,0,,自有资金,底数,张三,\n", i, c, uscc, i, 1000+i)
	}
	return []byte(b.String())
}

// apiImport posts a ledger to the API's import and returns the status and body.
func apiImport(addr, token string, file []byte) (int, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "台账.csv")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/imports/ledger", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), nil
}

// Stopping a server during an import (in the request, through the API) waits for it within the
// grace; past the grace the import is cancelled: answered 503, nothing written, and the server
// stops cleanly (exit status 0), not cut at a fixed time with an error.
func TestServeStopDuringImport(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		token := newDeployment(t, args)
		db := rawDB(t, dialect, args)
		count := func() int {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM items`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Stop once the import's request is being answered (in flight beside the scrape itself).
		stopDuring := func(grace string, rows, from int) (int, string, error) {
			file := bigLedger(t, rows, from)
			s := startServe(t, map[string]string{"QINGQIAN_SHUTDOWN_GRACE": grace}, args...)
			type answer struct {
				st   int
				body string
			}
			got := make(chan answer, 1)
			go func() {
				st, body, err := apiImport(s.addr, token, file)
				if err != nil {
					body = err.Error()
				}
				got <- answer{st, body}
			}()
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, m := s.get(t, "/metrics"); strings.Contains(m, "\nqingqian_http_requests_in_flight 2\n") || time.Now().After(deadline) {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			err := s.wait(t)
			a := <-got
			return a.st, a.body + "\n" + s.out.String(), err
		}
		// A grace long enough: the import is waited for and written.
		st, out, err := stopDuring("5m", 3000, 0)
		if err != nil || st != 200 || count() != 3000 || !strings.Contains(out, "已停止") {
			t.Fatalf("stop with grace enough: %v, %d, %d items\n%.3000s", err, st, count(), out)
		}
		// A grace too short: cancelled, nothing written, a clean stop. The file is large enough
		// (a few seconds' import) that the stop finds it in flight on a loaded machine too.
		st, out, err = stopDuring("50ms", 60000, 3000)
		if err != nil || st != http.StatusServiceUnavailable || count() != 3000 || !strings.Contains(out, "仍在进行的请求已取消") {
			t.Fatalf("stop with a short grace: %v, %d, %d items\n%.3000s", err, st, count(), out)
		}
	})
}

// serve logs JSON records that carry the request's ID, also those written below the web layer
// (a missing voucher file, found by the database's side); /metrics answers the loopback
// interface, or whoever has QINGQIAN_METRICS_TOKEN.
func TestServeLogsAndMetrics(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		token := newDeployment(t, args)
		src, err := sqldb.Open(dsnOf(dialect, args))
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		src.VoucherDir = filepath.Join(args[1], "vouchers")
		clerk := qingqian.NewContext(context.Background(), &qingqian.Actor{Name: "填报员", OrgID: 2, OrgPath: "/1/2/", Roles: []qingqian.Role{qingqian.RoleClerk}})
		v, err := sqldb.NewVoucherService(src).StoreVoucher(clerk, "a.pdf", strings.NewReader("%PDF-1.4 日志\n"))
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(sqldb.VoucherPath(src.VoucherDir, v.SHA256))

		s := startServe(t, map[string]string{"QINGQIAN_LOG_FORMAT": "json"}, args...)
		req, _ := http.NewRequest("GET", "http://"+s.addr+"/api/v1/vouchers/"+v.SHA256, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		id := res.Header.Get("X-Request-ID")
		if res.StatusCode != 404 || id == "" {
			t.Fatalf("missing voucher: %d %q", res.StatusCode, id)
		}
		st, metrics := s.get(t, "/metrics")
		if st != 200 || !strings.Contains(metrics, `qingqian_http_requests_total{route="GET /api/v1/vouchers/{sha256}",code="404"} 1`) ||
			!strings.Contains(metrics, "qingqian_db_write_wait_seconds_bucket") || !strings.Contains(metrics, "qingqian_db_pool_in_use{pool=") {
			t.Fatalf("metrics: %d\n%s", st, metrics)
		}
		if dialect == "postgres" && !strings.Contains(metrics, "qingqian_db_lock_waiters ") {
			t.Fatalf("no lock waiters on PostgreSQL:\n%s", metrics)
		}
		s.wait(t)
		found := map[string]bool{}
		for _, line := range strings.Split(s.out.String(), "\n") {
			if !strings.HasPrefix(line, "{") {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("not a JSON record: %q", line)
			}
			if rec["id"] == id {
				found[rec["msg"].(string)] = true
			}
		}
		if !found["voucher file missing"] || !found["request"] {
			t.Fatalf("records of request %s: %v\n%s", id, found, s.out.String())
		}
		// With a token configured, only with the token.
		s = startServe(t, map[string]string{"QINGQIAN_METRICS_TOKEN": "tok-123"}, args...)
		if st, _ := s.get(t, "/metrics"); st != http.StatusForbidden {
			t.Fatalf("metrics without the token: %d", st)
		}
		if st, _ := s.get(t, "/metrics", "Authorization", "Bearer tok-123"); st != 200 {
			t.Fatalf("metrics with the token: %d", st)
		}
	})
}

// serve --db-read sends the lists to the standby (counted in the metrics); SQLite has none.
func TestServeWithStandby(t *testing.T) {
	if out, err := runArgs(t, []string{"serve", "--addr", "127.0.0.1:0", "--db-read", "postgres://x@127.0.0.1:1/x"}, []string{"--data", t.TempDir()}); err == nil || !strings.Contains(out+err.Error(), "只有 PostgreSQL") {
		t.Fatalf("--db-read on SQLite: %v %s", err, out)
	}
	if os.Getenv(sqldbtest.EnvReplica) == "" || os.Getenv(sqldbtest.EnvPostgres) == "" {
		t.Skip(sqldbtest.EnvReplica + " not set")
	}
	args := []string{"--data", t.TempDir(), "--db", sqldbtest.FreshDSN(t, "postgres")}
	token := newDeployment(t, args)
	db, err := sqldb.Open(args[3])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.UseStandby(context.Background(), sqldbtest.StandbyDSN(t, args[3]), 0); err != nil {
		t.Fatal(err)
	}
	sqldbtest.WaitForStandby(t, db)
	s := startServe(t, nil, append(args, "--db-read", sqldbtest.StandbyDSN(t, args[3]))...)
	if !strings.Contains(s.out.String(), "只读备库") {
		t.Fatalf("serve does not say it reads from the standby:\n%s", s.out.String())
	}
	for _, path := range []string{"/api/v1/orgs", "/api/v1/items", "/api/v1/orgs/2/totals"} {
		if st, body := s.get(t, path, "Authorization", "Bearer "+token); st != 200 {
			t.Fatalf("%s: %d %s", path, st, body)
		}
	}
	_, metrics := s.get(t, "/metrics")
	m := regexp.MustCompile(`qingqian_db_reads_total\{pool="standby"\} (\d+)`).FindStringSubmatch(metrics)
	if m == nil || m[1] == "0" {
		t.Fatalf("no reads from the standby:\n%s", metrics)
	}
	if st, _ := s.get(t, "/readyz"); st != 200 {
		t.Fatalf("readyz: %d", st)
	}
}
