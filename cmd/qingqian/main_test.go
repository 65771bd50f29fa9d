package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/csv"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	_ "modernc.org/sqlite"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	err := m.Run(context.Background(), args)
	return out.String() + errb.String(), err
}

func TestDemoVerifyAndTamper(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "demo", "--data", dir)
	if err != nil || !strings.Contains(out, "演示数据已载入") {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	// The three separated administrators have their accounts, each with its one role.
	for _, want := range []string{"admin        系统管理员（系统管理员）", "anquan       安全管理员（安全管理员）", "shenjiguan   审计管理员（审计管理员）"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo accounts lack %q:\n%s", want, out)
		}
	}
	out, err = run(t, "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "审计链完好") || !strings.Contains(out, "汇总数与明细分录一致") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	// The consolidated report of period 3, as issued, in each format.
	for _, name := range []string{"r3.xlsx", "r3.csv", "r3.html"} {
		path := filepath.Join(dir, name)
		if out, err := run(t, "report", "--data", dir, "--period", "3", "--out", path); err != nil || !strings.Contains(out, "已写入") {
			t.Fatalf("report %s: %v\n%s", name, err, out)
		}
	}
	csvText, _ := os.ReadFile(filepath.Join(dir, "r3.csv"))
	html, _ := os.ReadFile(filepath.Join(dir, "r3.html"))
	for _, b := range [][]byte{csvText, html} {
		if !bytes.Contains(b, []byte("4929.70")) || !bytes.Contains(b, []byte("第3期")) {
			t.Fatalf("report 3 lacks the 2020 figure:\n%.2000s", b)
		}
	}
	if !bytes.Contains(html, []byte("<style>")) || bytes.Contains(html, []byte("src=\"http")) {
		t.Fatal("the HTML report is not self-contained")
	}
	if out, err := run(t, "report", "--data", dir, "--period", "99", "--out", filepath.Join(dir, "x.xlsx")); err == nil || !strings.Contains(out+err.Error(), "第99期不存在") {
		t.Fatalf("unknown period: %v %s", err, out)
	}
	if _, err := run(t, "report", "--data", dir, "--period", "3", "--out", filepath.Join(dir, "x.pdf")); err == nil {
		t.Fatal("a .pdf report was accepted")
	}
	// The disputed-debt table of the end of 2020 and the complaint ledger.
	if out, err := run(t, "export", "disputes", "--data", dir, "--as-of", "2020-12-31", "--out", filepath.Join(dir, "d.csv")); err != nil {
		t.Fatalf("export disputes: %v\n%s", err, out)
	}
	d, _ := os.ReadFile(filepath.Join(dir, "d.csv"))
	if !bytes.Contains(d, []byte("剩余有分歧账款推动解决情况表（截至2020年12月31日）")) || !bytes.Contains(d, []byte("合计,12 笔,,,4929.70")) {
		t.Fatalf("disputes export:\n%s", d)
	}
	// The ledger as of the end of 2020: its header says so, and its rows add up to the report's
	// 4,929.70 万元 left; an export of the current records refuses a date.
	if out, err := run(t, "export", "ledger", "--data", dir, "--as-of", "2020-12-31", "--out", filepath.Join(dir, "l.csv")); err != nil {
		t.Fatalf("export ledger: %v\n%s", err, out)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(must(os.ReadFile(filepath.Join(dir, "l.csv"))), []byte("\xEF\xBB\xBF"))))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil || len(recs) < 4 || !strings.Contains(recs[1][0], "截至 2020-12-31") {
		t.Fatalf("ledger export as of 2020-12-31: %v %q", err, recs[:min(2, len(recs))])
	}
	col := slices.Index(recs[2], "未清偿（元）")
	var left qingqian.Money
	for _, r := range recs[3:] {
		m, err := qingqian.ParseYuan(r[col])
		if err != nil {
			t.Fatal(err)
		}
		left += m
	}
	if left.Wan() != "4929.70" {
		t.Fatalf("the ledger as of 2020-12-31 leaves %s 万元", left.Wan())
	}
	if _, err := run(t, "export", "clues", "--data", dir, "--as-of", "2020-12-31", "--out", filepath.Join(dir, "c.xlsx")); err == nil {
		t.Fatal("an export of current records took --as-of")
	}
	if out, err := run(t, "export", "clues", "--data", dir, "--out", filepath.Join(dir, "c.xlsx")); err != nil {
		t.Fatalf("export clues: %v\n%s", err, out)
	}
	// The bills and the confirmation letters of a group of the demo: every bill with its state
	// (the demo's are honoured), every letter with where its reply stands.
	for _, kind := range []string{"bills", "letters"} {
		path := filepath.Join(dir, kind+".csv")
		if out, err := run(t, "export", kind, "--data", dir, "--out", path); err != nil {
			t.Fatalf("export %s: %v\n%s", kind, err, out)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "bills.csv")); !bytes.Contains(b, []byte("票据号码")) || !bytes.Contains(b, []byte("已兑付")) {
		t.Fatalf("bills export:\n%.2000s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "letters.csv")); !bytes.Contains(b, []byte("询证〔2019〕第")) || !bytes.Contains(b, []byte("回函不符")) || !bytes.Contains(b, []byte("逾期回函（天）")) {
		t.Fatalf("letters export:\n%.2000s", b)
	}
	if _, err := run(t, "export", "letters", "--data", dir, "--org", "999999", "--out", filepath.Join(dir, "x.csv")); err == nil {
		t.Fatal("an unknown unit was accepted")
	}
	// The causes given to the demo's clues, among them the 2021 inspection's.
	if out, err := run(t, "export", "causes", "--data", dir, "--out", filepath.Join(dir, "causes.csv")); err != nil {
		t.Fatalf("export causes: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "causes.csv")); !bytes.Contains(b, []byte("上游未付款（背靠背）")) || !bytes.Contains(b, []byte("业主方工程款未拨付")) {
		t.Fatalf("causes export:\n%.2000s", b)
	}
	// The causes name the clues by their numbers; the demo's first campaign and first circular.
	if b, _ := os.ReadFile(filepath.Join(dir, "causes.csv")); !regexp.MustCompile(`投诉线索,TS-\d{4}-\d{4}`).Match(b) {
		t.Fatalf("the causes export does not number the clues:\n%.1000s", b)
	}
	for kind, want := range map[string]string{"campaign": "检查情况及整改措施", "circular": "签收人"} {
		path := filepath.Join(dir, kind+".csv")
		if out, err := run(t, "export", kind, "--data", dir, "--id", "1", "--out", path); err != nil {
			t.Fatalf("export %s: %v\n%s", kind, err, out)
		}
		if b, _ := os.ReadFile(path); !bytes.Contains(b, []byte(want)) || bytes.Count(b, []byte("\n")) < 5 {
			t.Fatalf("export %s:\n%s", kind, b)
		}
	}
	if _, err := run(t, "export", "campaign", "--data", dir, "--out", filepath.Join(dir, "x.csv")); err == nil {
		t.Fatal("a campaign export without --id was accepted")
	}
	if _, err := run(t, "export", "disputes", "--data", dir, "--as-of", "2020-13-01", "--out", filepath.Join(dir, "d.csv")); err == nil {
		t.Fatal("a bad date was accepted")
	}
	// Edit a repayment and its audit record behind the system's back.
	db, err := sql.Open("sqlite", filepath.Join(dir, "qingqian.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor_name = '别人' WHERE seq = 42`); err == nil {
		t.Fatal("an audit record was changed with its guard in place")
	}
	if _, err := db.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor_name = '别人' WHERE seq = 42`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE org_totals SET rep_u = rep_u + 100 WHERE org_id = 2 AND day = (SELECT MIN(day) FROM org_totals WHERE org_id = 2)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err = run(t, "verify", "--data", dir)
	if err == nil || !strings.Contains(out, "第一处断点在第 42 条") || !strings.Contains(out, "单位 2 的汇总数与明细分录不一致") {
		t.Fatalf("verify after tampering: %v\n%s", err, out)
	}
	if _, err := run(t, "demo", "--data", dir); err == nil {
		t.Fatal("demo loaded twice")
	}
}

func TestTokensAndServe(t *testing.T) {
	dir := t.TempDir()
	if _, err := run(t, "migrate", "--data", dir); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, "token", "add", "--data", dir, "--org", "1", "--name", "ERP"); err == nil {
		t.Fatalf("token for a unit that does not exist: %s", out)
	}
	if out, err := run(t, "nonsense"); err == nil || !strings.Contains(out, "未知命令") {
		t.Fatalf("unknown command: %v %s", err, out)
	}
	// serve --demo on a fresh folder, then ask the API with the printed token.
	out := &syncWriter{}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	m := &Main{Stdin: strings.NewReader(""), Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }, Ready: ready}
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--demo", "--data", filepath.Join(dir, "serve"), "--addr", "127.0.0.1:0"})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	token := regexp.MustCompile(`qq_[0-9a-f]+`).FindString(out.String())
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/orgs/1/totals?as_of=2020-12-31", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"outstanding":"49297000.00"`) {
		t.Fatalf("totals: %d %s", res.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if s := out.String(); !strings.Contains(s, "未配置 --tls-cert") {
		t.Fatalf("no HTTP warning: %s", s)
	}
}

// syncWriter is a buffer safe to write from the server goroutine and read from the test.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// serve --tls-cert/--tls-key serves HTTPS and does not warn about plain HTTP.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	out := &syncWriter{}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	m := &Main{Stdin: strings.NewReader(""), Stdout: out, Stderr: io.Discard, Getenv: func(string) string { return "" }, Ready: ready}
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile})
	}()
	addr := <-ready
	pool := x509.NewCertPool()
	pool.AddCert(mustParse(t, der))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(out.String(), "https://") || strings.Contains(out.String(), "未配置 --tls-cert") {
		t.Fatalf("HTTPS: %d, %s", res.StatusCode, out.String())
	}
	cancel()
	<-done
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The data key: a backup file encrypted and decrypted by the command line, and the vouchers
// stored in clear before the key was set encrypted in place.
func TestEncryptWithTheDataKey(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "data.key")
	if err := os.WriteFile(key, []byte("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	os.WriteFile(backup, []byte("SQLite format 3\x00 备份内容"), 0o600)
	if out, err := run(t, "encrypt", "--data", dir, "--data-key-file", key, "--in", backup, "--out", backup+".enc"); err != nil {
		t.Fatalf("encrypt: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(backup + ".enc"); bytes.Contains(b, []byte("备份内容")) {
		t.Fatal("the encrypted backup holds the plaintext")
	}
	if out, err := run(t, "decrypt", "--data", dir, "--data-key-file", key, "--in", backup+".enc", "--out", backup+".back"); err != nil {
		t.Fatalf("decrypt: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(backup + ".back"); !bytes.Equal(b, []byte("SQLite format 3\x00 备份内容")) {
		t.Fatal("decrypted differently")
	}
	if _, err := run(t, "encrypt", "--data", dir, "--in", backup, "--out", backup+".enc"); err == nil {
		t.Fatal("encrypted without a key")
	}
	if out, err := run(t, "encrypt", "--data", dir, "--data-key-file", key, "--vouchers"); err != nil || !strings.Contains(out, "已加密 0 个凭证文件") {
		t.Fatalf("encrypt --vouchers: %v\n%s", err, out)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
