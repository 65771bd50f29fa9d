package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// env is a running API over a small tree: the regulator, groups A and B.
type env struct {
	t                   *testing.T
	svc                 web.Services
	srv                 *httptest.Server
	db                  *sqldb.DB
	root, a, b          *qingqian.Org
	creditor            *qingqian.Creditor
	tokRoot, tokA, tokB string
	tokReadA            string
}

func MustServices(db *sqldb.DB) web.Services { return sqldb.NewServices(db) }

// newEnvEmpty serves an empty database.
func newEnvEmpty(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	e := &env{t: t, db: db, svc: MustServices(db)}
	e.serve()
	return e
}

func (e *env) serve() {
	t := e.t
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s, err := web.NewServer(e.svc, e.db.Ping, sqldb.DefaultMaxVoucherSize, logger)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
}

func newEnv(t *testing.T, db *sqldb.DB) *env {
	t.Helper()
	svc := MustServices(db)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	e := &env{t: t, db: db, svc: svc}
	mk := func(parent int64, name string, kind qingqian.OrgKind) *qingqian.Org {
		o := &qingqian.Org{ParentID: parent, Name: name, Kind: kind}
		if err := svc.Orgs.CreateOrg(sys, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	e.root = mk(0, "示范省国资委", qingqian.OrgRegulator)
	e.a = mk(e.root.ID, "甲集团", qingqian.OrgGroup)
	e.b = mk(e.root.ID, "乙集团", qingqian.OrgGroup)
	e.creditor = &qingqian.Creditor{Name: "某某劳务有限公司", USCC: "91110000600037341L", Ownership: qingqian.OwnershipPrivate}
	if err := svc.Creditors.CreateCreditor(sys, e.creditor); err != nil {
		t.Fatal(err)
	}
	tok := func(org *qingqian.Org, roles ...qingqian.Role) string {
		_, secret, err := svc.Tokens.CreateToken(sys, "测试令牌", org.ID, roles)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	e.tokRoot = tok(e.root, qingqian.RoleSupervisor, qingqian.RoleAuditor)
	e.tokA = tok(e.a, qingqian.RoleClerk)
	e.tokB = tok(e.b, qingqian.RoleClerk)
	e.tokReadA = tok(e.a, qingqian.RoleObserver)
	e.serve()
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (e *env) do(method, path, token string, body any, hdr ...string) *resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
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

func (r *resp) want(tb testing.TB, status int) *resp {
	tb.Helper()
	if r.status != status {
		tb.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (r *resp) field(tb testing.TB, name string) string {
	tb.Helper()
	errObj, _ := r.json["error"].(map[string]any)
	fields, _ := errObj["fields"].(map[string]any)
	msg, _ := fields[name].(string)
	if msg == "" {
		tb.Fatalf("no error on field %q: %s", name, r.body)
	}
	return msg
}

func (r *resp) str(key string) string {
	v, _ := r.json[key].(string)
	return v
}

func (r *resp) num(key string) int64 {
	v, _ := r.json[key].(float64)
	return int64(v)
}

func (e *env) upload(token, name string, content []byte) *resp {
	e.t.Helper()
	return e.uploadTo("/api/v1/vouchers", token, name, content)
}

// uploadTo posts a file as the form field "file" to an API path.
func (e *env) uploadTo(path, token, name string, content []byte) *resp {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &buf)
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

func (e *env) newItem(token string, org int64, undisputed string) *resp {
	e.t.Helper()
	return e.do("POST", "/api/v1/items", token, map[string]any{"org_id": org, "creditor_uscc": e.creditor.USCC, "kind": "works",
		"arisen_on": "2019-01-10", "due_on": "2019-04-10", "undisputed": undisputed, "origin": "baseline", "contract_no": "HT-1"})
}

func TestAPILedger(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		item := e.newItem(e.tokA, e.a.ID, "968553800.00").want(t, 201)
		id := item.num("id")
		bal := item.json["balance"].(map[string]any)
		if bal["outstanding"] != "968553800.00" || bal["status"] != "unpaid" {
			t.Fatalf("balance %v", bal)
		}
		path := "/api/v1/items/" + itoa(id)
		// Pay with a voucher, retried with the same Idempotency-Key.
		v := e.upload(e.tokA, "回单.pdf", []byte("%PDF-1.4\n%%EOF\n")).want(t, 201)
		pay := map[string]any{"kind": "repay", "on": "2019-11-30", "amount": "968553799.99", "method": "transfer", "vouchers": []string{v.str("sha256")}}
		p1 := e.do("POST", path+"/entries", e.tokA, pay, "Idempotency-Key", "k1").want(t, 201)
		p2 := e.do("POST", path+"/entries", e.tokA, pay, "Idempotency-Key", "k1").want(t, 201)
		if p1.num("id") != p2.num("id") || p1.str("undisputed") != "-968553799.99" {
			t.Fatalf("retry made %d and %d: %s", p1.num("id"), p2.num("id"), p1.body)
		}
		got := e.do("GET", path, e.tokA, nil).want(t, 200)
		if b := got.json["balance"].(map[string]any); b["outstanding"] != "0.01" || b["status"] != "partial" {
			t.Fatalf("after repayment %v", b)
		}
		// Over-repayment, bad amounts and unknown fields name the field and write nothing.
		before := countRows(t, db, "entries")
		e.do("POST", path+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-30", "amount": "0.02", "method": "cash"}).want(t, 400).field(t, "amount")
		e.do("POST", path+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-30", "amount": 0.01, "method": "cash"}).want(t, 400).field(t, "amount")
		e.do("POST", path+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-30", "amount": "0.001", "method": "cash"}).want(t, 400).field(t, "amount")
		e.do("POST", path+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-30", "amount": "-1", "method": "cash"}).want(t, 400).field(t, "amount")
		e.do("POST", path+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019/11/30", "amount": "0.01", "method": "cash"}).want(t, 400).field(t, "on")
		e.do("POST", path+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-30", "amount": "0.01", "method": "cash", "payee": "x"}).want(t, 400).field(t, "payee")
		e.do("POST", path+"/entries", e.tokA, "not json").want(t, 400)
		e.do("POST", path+"/entries", e.tokA, `{"kind":"repay"} {}`).want(t, 400)
		if countRows(t, db, "entries") != before {
			t.Fatal("a refused request wrote an entry")
		}
		// A batch is all or nothing, its errors named by position.
		batch := map[string]any{"entries": []any{
			map[string]any{"item_id": id, "kind": "adjust", "on": "2019-12-01", "amount": "5.00", "reason": "补记利息"},
			map[string]any{"item_id": id, "kind": "repay", "on": "2019-12-01", "amount": 5, "method": "cash"},
		}}
		e.do("POST", "/api/v1/entries", e.tokA, batch).want(t, 400).field(t, "entries.1.amount")
		batch["entries"].([]any)[1].(map[string]any)["amount"] = "5.02"
		e.do("POST", "/api/v1/entries", e.tokA, batch).want(t, 400).field(t, "entries.1.amount")
		if countRows(t, db, "entries") != before {
			t.Fatal("a refused batch wrote entries")
		}
		batch["entries"].([]any)[1].(map[string]any)["amount"] = "5.01"
		if b := e.do("POST", "/api/v1/entries", e.tokA, batch).want(t, 201); len(b.json["items"].([]any)) != 2 {
			t.Fatalf("batch %s", b.body)
		}
		// Reverse the payment once, deliberately dated today (by default a reversal takes effect
		// on the reversed entry's date: TestAPIAmountCeilingAndReversalDate).
		e.do("POST", "/api/v1/entries/"+itoa(p1.num("id"))+"/reversal", e.tokA, map[string]any{"reason": "金额录错", "on": qingqian.Today().String()}).want(t, 201)
		e.do("POST", "/api/v1/entries/"+itoa(p1.num("id"))+"/reversal", e.tokA, map[string]any{"reason": "再来一次"}).want(t, 409)
		// Optimistic concurrency on updates.
		e.do("PATCH", path, e.tokA, map[string]any{"note": "已核对"}, "If-Match", `"1"`).want(t, 200)
		e.do("PATCH", path, e.tokA, map[string]any{"note": "旧版本"}, "If-Match", `"1"`).want(t, 409)
		// Totals of the subtree as of dates: the reversal was dated today, so on 2019-11-30 the
		// payment still stands.
		tot := e.do("GET", "/api/v1/orgs/"+itoa(e.root.ID)+"/totals?as_of=2019-11-30", e.tokRoot, nil).want(t, 200)
		if o := tot.json["overall"].(map[string]any); o["outstanding"] != "0.01" || o["repaid"] != "968553799.99" {
			t.Fatalf("totals as of 2019-11-30 %v", o)
		}
		tot = e.do("GET", "/api/v1/orgs/"+itoa(e.root.ID)+"/totals", e.tokRoot, nil).want(t, 200)
		if o := tot.json["overall"].(map[string]any); o["outstanding"] != "968553799.99" || o["repaid"] != "5.01" {
			t.Fatalf("totals today %v", o)
		}
		e.do("GET", "/api/v1/orgs/"+itoa(e.root.ID)+"/totals?as_of=30/11/2019", e.tokRoot, nil).want(t, 400).field(t, "as_of")
		// Lists filter and paginate.
		e.newItem(e.tokA, e.a.ID, "10.00").want(t, 201)
		list := e.do("GET", "/api/v1/items?limit=1&sort=-outstanding", e.tokA, nil).want(t, 200)
		if list.num("total") != 2 || len(list.json["items"].([]any)) != 1 || list.str("total_outstanding") != "968553809.99" {
			t.Fatalf("list %s", list.body)
		}
		e.do("GET", "/api/v1/items?status=lost", e.tokA, nil).want(t, 400).field(t, "status")
		// The audit trail shows the item's history.
		aud := e.do("GET", "/api/v1/audit?entity=item&entity_id="+itoa(id), e.tokRoot, nil).want(t, 200)
		if aud.num("total") < 4 {
			t.Fatalf("audit %s", aud.body)
		}
	})
}

func TestAPIPermissions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		id := e.newItem(e.tokA, e.a.ID, "100.00").want(t, 201).num("id")
		v := e.upload(e.tokA, "回单.png", []byte("\x89PNG\r\n\x1a\n0000")).want(t, 201).str("sha256")
		e.do("POST", "/api/v1/items/"+itoa(id)+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-02-01", "amount": "1.00", "method": "cash", "vouchers": []string{v}}).want(t, 201)
		// Group B reaches nothing of A's, by any URL.
		for _, p := range []string{"/api/v1/items/" + itoa(id), "/api/v1/items/" + itoa(id) + "/entries", "/api/v1/items/" + itoa(id) + "/plans",
			"/api/v1/orgs/" + itoa(e.a.ID), "/api/v1/orgs/" + itoa(e.a.ID) + "/totals", "/api/v1/vouchers/" + v, "/api/v1/items?org_id=" + itoa(e.a.ID)} {
			e.do("GET", p, e.tokB, nil).want(t, 404)
		}
		if l := e.do("GET", "/api/v1/items", e.tokB, nil).want(t, 200); l.num("total") != 0 {
			t.Fatalf("B lists %s", l.body)
		}
		if l := e.do("GET", "/api/v1/vouchers/"+v+"/entries", e.tokB, nil).want(t, 200); len(l.json["items"].([]any)) != 0 {
			t.Fatalf("B sees voucher uses %s", l.body)
		}
		e.do("POST", "/api/v1/items/"+itoa(id)+"/entries", e.tokB, map[string]any{"kind": "repay", "on": "2019-02-01", "amount": "1.00", "method": "cash"}).want(t, 404)
		// A read-only token reads but does not write; no token, a bad token: 401.
		e.do("GET", "/api/v1/items/"+itoa(id), e.tokReadA, nil).want(t, 200)
		e.do("POST", "/api/v1/items/"+itoa(id)+"/entries", e.tokReadA, map[string]any{"kind": "repay", "on": "2019-02-01", "amount": "1.00", "method": "cash"}).want(t, 403)
		e.do("GET", "/api/v1/items", "", nil).want(t, 401)
		e.do("GET", "/api/v1/items", "qq_nonsense", nil).want(t, 401)
		// Clerks neither create units nor read the whole audit trail.
		e.do("POST", "/api/v1/orgs", e.tokA, map[string]any{"parent_id": e.a.ID, "name": "新公司", "kind": "subsidiary"}).want(t, 403)
		e.do("GET", "/api/v1/audit", e.tokA, nil).want(t, 403)
		e.do("POST", "/api/v1/orgs", e.tokRoot, map[string]any{"parent_id": e.a.ID, "name": "新公司", "kind": "subsidiary", "uscc": "91110000600037341N"}).want(t, 400).field(t, "uscc")
		// A downloads its voucher with the stored type.
		dl := e.do("GET", "/api/v1/vouchers/"+v, e.tokA, nil).want(t, 200)
		if dl.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(dl.body, []byte("\x89PNG")) {
			t.Fatalf("download %v", dl.header)
		}
		e.upload(e.tokA, "病毒.pdf", []byte("MZ\x90\x00")).want(t, 400).field(t, "file")
		e.do("GET", "/api/v1/nothing", e.tokA, nil).want(t, 404)
	})
}

func TestHealthAndHeaders(t *testing.T) {
	sqldbtest.Each(t, testHealthAndHeaders)
}

func testHealthAndHeaders(t *testing.T, db *sqldb.DB) {
	e := newEnv(t, db)
	r := e.do("GET", "/healthz", "", nil).want(t, 200)
	if r.header.Get("X-Frame-Options") != "DENY" || !strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Fatalf("headers %v", r.header)
	}
	e.do("GET", "/readyz", "", nil).want(t, 200)
	// A state-changing request from another site is refused before any handler runs.
	e.do("POST", "/login", "", "username=a&password=b", "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site").want(t, 403)
	e.do("POST", "/api/v1/items", e.tokA, "{}", "Sec-Fetch-Site", "cross-site").want(t, 403)
	e.db.Close()
	e.do("GET", "/readyz", "", nil).want(t, 503)
}

// The OpenAPI document lists exactly the routes the server serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	sqldbtest.Each(t, testOpenAPIMatchesRoutes)
}

func testOpenAPIMatchesRoutes(t *testing.T, db *sqldb.DB) {
	e := newEnv(t, db)
	doc := e.do("GET", "/api/v1/openapi.json", "", nil).want(t, 200)
	var documented []string
	for p, ops := range doc.json["paths"].(map[string]any) {
		for m := range ops.(map[string]any) {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	served := web.RoutePatterns()
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("documented:\n%s\n\nserved:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
	// Every served route answers something other than the catch-all "no such API".
	re := regexp.MustCompile(`\{[^}]+\}`)
	for _, rt := range served {
		method, path, _ := strings.Cut(rt, " ")
		r := e.do(method, re.ReplaceAllString(path, "1"), e.tokRoot, nil)
		if msg, _ := r.json["error"].(map[string]any); msg != nil && strings.HasPrefix(msg["message"].(string), "接口不存在") {
			t.Errorf("%s is not routed", rt)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func countRows(tb testing.TB, db *sqldb.DB, table string) int {
	tb.Helper()
	n, err := db.CountRows(context.Background(), table)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// The office verifies an approved zero report through the API: the conclusion and its basis
// are checked and named, a report that is not zero is refused, and the result is kept.
func TestAPIZeroReportCheck(t *testing.T) {
	sqldbtest.Each(t, testAPIZeroReportCheck)
}

func testAPIZeroReportCheck(t *testing.T, db *sqldb.DB) {
	e := newEnv(t, db)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	person := func(id int64, org *qingqian.Org, role qingqian.Role) context.Context {
		return qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: id, Name: "用户" + itoa(id), OrgID: org.ID, OrgPath: org.Path, Roles: []qingqian.Role{role}})
	}
	p := &qingqian.Period{No: 1, Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-05")}
	if err := e.svc.Reports.OpenPeriod(sys, p); err != nil {
		t.Fatal(err)
	}
	approved := func(org *qingqian.Org, zero bool, base int64) *qingqian.Submission {
		sub, err := e.svc.Reports.Prepare(person(base, org, qingqian.RoleLiaison), qingqian.SubmissionInput{PeriodID: p.ID, Zero: zero, Narrative: "本期情况"})
		if err != nil {
			t.Fatal(err)
		}
		for i, act := range []qingqian.SignAction{qingqian.ActReview, qingqian.ActApprove} {
			if sub, err = e.svc.Reports.Sign(person(base+1+int64(i), org, qingqian.RoleReviewer), sub.ID, act, "", sub.Version); err != nil {
				t.Fatal(err)
			}
		}
		return sub
	}
	zero, plain := approved(e.a, true, 10), approved(e.b, false, 20)
	path := "/api/v1/submissions/" + itoa(zero.ID) + "/check"

	r := e.do("POST", path, e.tokRoot, map[string]string{"result": "maybe", "basis": " "}).want(t, 400)
	fields, _ := r.json["error"].(map[string]any)["fields"].(map[string]any)
	if fields["result"] == nil || fields["basis"] == nil {
		t.Fatalf("fields not named: %s", r.body)
	}
	e.do("POST", path, e.tokA, map[string]string{"result": "confirmed", "basis": "自查"}).want(t, 403)
	e.do("POST", "/api/v1/submissions/"+itoa(plain.ID)+"/check", e.tokRoot, map[string]string{"result": "confirmed", "basis": "电话核实"}).want(t, 409)
	r = e.do("POST", path, e.tokRoot, map[string]string{"result": "rejected", "basis": "比对台账：尚有欠款未清偿"}).want(t, 200)
	check, _ := r.json["check"].(map[string]any)
	if check == nil || check["result"] != "rejected" || check["basis"] != "比对台账：尚有欠款未清偿" {
		t.Fatalf("check not kept: %s", r.body)
	}
}
