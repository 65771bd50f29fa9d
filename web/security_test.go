package web_test

// The security cases of the permission suite: each hole found from outside, closed, with the
// case that found it. The matrix (permission_test.go) says who reaches which route; these say
// what may not happen through the routes one reaches.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// session signs a user of the world in and returns a client carrying its cookie that does not
// follow redirects.
func session(t *testing.T, e *env, username string) *http.Client {
	t.Helper()
	_, secret, err := e.svc.Users.Login(context.Background(), username, testPassword, "")
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	u, _ := url.Parse(e.srv.URL)
	jar := &cookieJar{cookies: []*http.Cookie{{Name: "qq_session", Value: secret}}, host: u.Host}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type cookieJar struct {
	cookies []*http.Cookie
	host    string
}

func (j *cookieJar) SetCookies(u *url.URL, cookies []*http.Cookie) {}
func (j *cookieJar) Cookies(u *url.URL) []*http.Cookie {
	if u.Host == j.host {
		return j.cookies
	}
	return nil
}

// page requests a workbench page (a GET, or a POST of a form) and returns its status and body.
func page(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// audits counts the records of an action (any action when "").
func audits(t *testing.T, e *env, action string) []*qingqian.AuditRecord {
	t.Helper()
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	var out []*qingqian.AuditRecord
	for off := 0; ; off += 500 {
		recs, _, err := e.svc.Audit.FindAudit(sys, qingqian.AuditFilter{Action: action, Offset: off, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, recs...)
		if len(recs) < 500 {
			return out
		}
	}
}

// Nothing one group does may make another group's pages fail: group A's clerk enters the
// largest amounts the API takes, on items arising in different years (so that no one row of the
// running totals, daily or monthly, overflows when written), as many as it likes; group B's clerk
// and the office still read their pages, their totals and their reports.
//
// This needs a ceiling on an item's amount: without one a dozen items of 9,223,372,036,854,775.80
// 元 overflowed every sum of the province (the office's dashboard, progress and reports answered
// 500); such an amount is refused.
func TestOneGroupCannotBreakAnothersPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		item := func(i int, amount string) *resp {
			return e.do("POST", "/api/v1/items", e.tokA, map[string]any{"org_id": e.a.ID, "creditor_uscc": e.creditor.USCC, "kind": "works",
				"arisen_on": fmt.Sprintf("%d-01-10", 1988+i), "undisputed": amount, "disputed": amount, "dispute_reason": "金额有争议",
				"origin": "baseline", "contract_no": "HT-X" + strconv.Itoa(i)})
		}
		if r := item(0, "9223372036854775.80"); r.status != http.StatusBadRequest {
			t.Fatalf("an amount past the ceiling: %d %s", r.status, r.body)
		}
		// The largest amount taken: the ceiling, whatever it is.
		var ceiling string
		for _, a := range []string{"92233720368547.75", "9999999999999.99", "1000000000000.00", "999999999999.99", "100000000000.00", "99999999999.99",
			"10000000000.00", "9999999999.99", "1000000000.00"} {
			if r := item(1, a); r.status == http.StatusCreated {
				ceiling = a
				break
			}
		}
		if ceiling == "" {
			t.Fatal("no large amount was taken at all")
		}
		for i := 2; i < 32; i++ {
			r := item(i, ceiling)
			if r.status != http.StatusCreated {
				t.Fatalf("item %d at the ceiling %s: %d %s", i, ceiling, r.status, r.body)
			}
			e.do("POST", "/api/v1/items/"+strconv.FormatInt(r.num("id"), 10)+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-03-01",
				"amount": ceiling, "method": "transfer", "part": "undisputed"})
		}
		period := strconv.FormatInt(w.period, 10)
		for _, who := range []struct {
			token string
			paths []string
		}{
			{e.tokB, []string{"/api/v1/orgs/" + strconv.FormatInt(e.b.ID, 10) + "/totals", "/api/v1/items", "/api/v1/progress", "/api/v1/periods/" + period + "/report",
				"/api/v1/disputes"}},
			{e.tokRoot, []string{"/api/v1/orgs/" + strconv.FormatInt(e.root.ID, 10) + "/totals", "/api/v1/orgs/" + strconv.FormatInt(e.b.ID, 10) + "/totals",
				"/api/v1/items", "/api/v1/progress", "/api/v1/periods/" + period + "/report", "/api/v1/disputes"}},
		} {
			for _, p := range who.paths {
				if r := e.do("GET", p, who.token, nil); r.status != http.StatusOK {
					t.Errorf("GET %s after group A's amounts: %d %s", p, r.status, r.body)
				}
			}
		}
		for _, who := range []string{"clerk_b", "supervisor", "observer"} {
			c := session(t, e, who)
			for _, p := range []string{"/", "/ledger", "/progress", "/periods/" + period, "/periods/" + period + "/report", "/disputes", "/ledger/export?format=csv"} {
				if st, body, _ := page(t, c, "GET", e.srv.URL+p, nil); st != http.StatusOK {
					t.Errorf("%s's %s after group A's amounts: %d %.300s", who, p, st, body)
				}
			}
		}
	})
}

// postFile sends a file as the form field "file" to an API route.
func (e *env) postFile(token, path, name string, content []byte) *resp {
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

// One group's clerk cannot rename another group's creditor, nor one they share, by the API or
// by an import; the office's change, through a request, is recorded where both groups see it.
func TestCreditorsAreSharedMasterData(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		own, shared := strconv.FormatInt(w.creditorA, 10), strconv.FormatInt(e.creditor.ID, 10)
		rename := map[string]any{"name": "乙集团改的名字有限公司"}
		// A's own creditor does not exist for B; the shared one B may not change.
		e.do("GET", "/api/v1/creditors/"+own, e.tokB, nil).want(t, 404)
		e.do("PATCH", "/api/v1/creditors/"+own, e.tokB, rename, "If-Match", `"1"`).want(t, 404)
		e.do("PATCH", "/api/v1/creditors/"+shared, e.tokB, rename, "If-Match", `"1"`).want(t, 403)
		e.do("PATCH", "/api/v1/creditors/"+shared, e.tokA, rename, "If-Match", `"1"`).want(t, 403)
		list := e.do("GET", "/api/v1/creditors", e.tokB, nil).want(t, 200)
		if strings.Contains(string(list.body), "甲集团自有供应商") {
			t.Fatalf("B lists A's creditor: %s", list.body)
		}
		csv := "企业名称,统一社会信用代码,企业性质\n乙集团改的名字有限公司," + e.creditor.USCC + ",民营企业\n"
		if r := e.postFile(e.tokB, "/api/v1/imports/creditors", "creditors.csv", []byte(csv)); r.status == http.StatusOK {
			t.Fatalf("B's import of a shared creditor: %s", r.body)
		}
		if got := e.do("GET", "/api/v1/items/"+strconv.FormatInt(w.itemA, 10), e.tokA, nil).want(t, 200); got.str("creditor_name") != e.creditor.Name {
			t.Fatalf("A's item now names its creditor %q", got.str("creditor_name"))
		}
		// B asks, the office approves; A's and B's trails both show who changed it.
		ch := e.do("POST", "/api/v1/creditors/"+shared+"/changes", e.tokB, map[string]any{"changes": rename, "reason": "工商变更登记"}).want(t, 201)
		dec := e.do("POST", "/api/v1/creditor-changes/"+strconv.FormatInt(ch.num("id"), 10)+"/decision", e.tokB, map[string]any{"approve": true})
		dec.want(t, 403)
		e.do("POST", "/api/v1/creditor-changes/"+strconv.FormatInt(ch.num("id"), 10)+"/decision", e.tokRoot, map[string]any{"approve": true}).want(t, 200)
		for _, g := range []*qingqian.Org{e.a, e.b} {
			auditor := qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 900 + g.ID, Name: "审计", OrgID: g.ID, OrgPath: g.Path,
				Roles: []qingqian.Role{qingqian.RoleAuditor}})
			recs, _, err := e.svc.Audit.FindAudit(auditor, qingqian.AuditFilter{Entity: "creditor", EntityID: e.creditor.ID, Action: "creditor.update"})
			if err != nil || len(recs) != 1 || recs[0].ActorName != "接口令牌：测试令牌" {
				t.Fatalf("%s's record of the change: %+v %v", g.Name, recs, err)
			}
		}
	})
}

// Signing is a person's act: a token made with the liaison's and the reviewer's roles (before
// tokens were kept from them) neither prepares nor signs, and the token form refuses them.
func TestTokensCannotSign(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		sec := session(t, e, "secadmin")
		before := len(audits(t, e, "token.create"))
		st, body, _ := page(t, sec, "POST", e.srv.URL+"/tokens", url.Values{"token_name": {"报送机"}, "token_org": {strconv.FormatInt(e.a.ID, 10)},
			"token_roles": {"reviewer", "liaison"}})
		if st != http.StatusBadRequest || !strings.Contains(body, "接口令牌不能具有") {
			t.Fatalf("a token with the reviewer's role: %d %.300s", st, body)
		}
		for _, r := range []string{"admin", "secadmin", "auditadmin"} {
			if st, _, _ := page(t, sec, "POST", e.srv.URL+"/tokens", url.Values{"token_name": {"x"}, "token_org": {strconv.FormatInt(e.a.ID, 10)}, "token_roles": {r}}); st != http.StatusBadRequest {
				t.Fatalf("a token with the %s role: %d", r, st)
			}
		}
		if len(audits(t, e, "token.create")) != before {
			t.Fatal("a refused token was made")
		}
		// Tokens from before: one with every signing role, one with the reviewer's alone.
		oldToken := func(secret, roles string) string {
			sum := sha256.Sum256([]byte(secret))
			if err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
				var at any = time.Now().UTC()
				if db.Dialect() == "sqlite" {
					at = time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
				}
				_, err := tx.Exec(`INSERT INTO api_tokens (name, org_id, roles, hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
					"旧令牌", e.a.ID, roles, hex.EncodeToString(sum[:]), at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return secret
		}
		legacy := oldToken(qingqian.TokenPrefix+"0123456789abcdef0123456789abcdef01234567", "liaison,reviewer,clerk")
		reviewer := oldToken(qingqian.TokenPrefix+"76543210fedcba9876543210fedcba9876543210", "reviewer")
		// The roles a token may not hold are dropped: the reviewer's token has none left.
		e.do("GET", "/api/v1/items", reviewer, nil).want(t, 403)
		e.do("POST", "/api/v1/submissions/"+strconv.FormatInt(w.submissionA, 10)+"/sign", reviewer, map[string]any{"action": "review", "version": 1}).want(t, 403)
		period, sub := strconv.FormatInt(w.period, 10), strconv.FormatInt(w.submissionA, 10)
		e.do("POST", "/api/v1/periods/"+period+"/submissions", legacy, map[string]any{"narrative": "令牌填报"}).want(t, 403)
		for _, act := range []string{"review", "approve", "return"} {
			e.do("POST", "/api/v1/submissions/"+sub+"/sign", legacy, map[string]any{"action": act, "note": "令牌签批", "version": 1}).want(t, 403)
		}
		// What the token may do, it still does.
		e.do("GET", "/api/v1/items/"+strconv.FormatInt(w.itemA, 10), legacy, nil).want(t, 200)
		got := e.do("GET", "/api/v1/submissions/"+sub, legacy, nil).want(t, 200)
		if got.str("state") != "prepared" {
			t.Fatalf("the submission is %s", got.str("state"))
		}
	})
}

// Guesses sent in parallel all count: three bursts of eight wrong passwords lock the account;
// the right password then opens nothing, even from another address; every refusal reads the
// same; and an address that guesses too often is stopped whatever the accounts it tries.
func TestParallelGuessingAndLockout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		// Behind a proxy on this machine: the client's address is the one it forwards.
		s, err := web.NewServer(e.svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		login := func(from, username, password string) (int, string) {
			form := url.Values{"username": {username}, "password": {password}}
			req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", from)
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err := c.Do(req)
			if err != nil {
				t.Error(err)
				return 0, ""
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b)
		}
		for burst := 0; burst < 3; burst++ {
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if st, _ := login(fmt.Sprintf("198.51.100.%d", 10+burst), "reviewer", "Wrong-guess-9"); st != http.StatusUnauthorized {
						t.Errorf("a wrong guess: %d", st)
					}
				}()
			}
			wg.Wait()
		}
		st, locked := login("198.51.100.99", "reviewer", testPassword)
		if st != http.StatusUnauthorized {
			t.Fatalf("the right password after 24 parallel guesses: %d", st)
		}
		_, unknown := login("198.51.100.98", "nobody-here", testPassword)
		_, wrong := login("198.51.100.97", "clerk_b", "Wrong-guess-9")
		msg := func(body string) string {
			i := strings.Index(body, `role="alert">`)
			if i < 0 {
				return ""
			}
			return body[i : i+strings.Index(body[i:], "</p>")]
		}
		if msg(locked) == "" || msg(locked) != msg(unknown) || msg(unknown) != msg(wrong) {
			t.Fatalf("refusals read differently: %q %q %q", msg(locked), msg(unknown), msg(wrong))
		}
		// An address guessing across accounts is stopped before any account is locked.
		for i := 0; i < qingqian.DefaultPolicy().SourceMaxFailures; i++ {
			login("203.0.113.5", fmt.Sprintf("guess%d", i), testPassword)
		}
		if st, _ := login("203.0.113.5", "clerk_b", testPassword); st != http.StatusUnauthorized {
			t.Fatalf("a stopped address signs in: %d", st)
		}
		if st, _ := login("203.0.113.6", "clerk_b", testPassword); st != http.StatusSeeOther {
			t.Fatalf("clerk_b from its own address: %d", st)
		}
		// Each attempt is in the trail with the address it came from.
		recs := audits(t, e, "user.login")
		if len(recs) == 0 || recs[0].Source != "203.0.113.6" {
			t.Fatalf("the sign-in's record: %+v", recs)
		}
		if n := len(audits(t, e, "user.login_throttled")); n != 1 {
			t.Fatalf("%d refusals of the stopped address recorded", n)
		}
	})
}

// After signing in, the browser goes only to a path of this site, read as a browser reads it.
func TestNoOpenRedirect(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for next, want := range map[string]string{
			"/\t/evil.example": "/", "/\n/evil.example": "/", "/\r\n/evil.example": "/", "//evil.example": "/", "/\\evil.example": "/",
			"\\/evil.example": "/", " //evil.example": "/", "\t//evil.example": "/", "https://evil.example/": "/", "javascript:alert(1)": "/",
			"/%2F/evil.example": "/", "///evil.example": "/", "/\\/evil.example": "/", "evil.example": "/", "\x00//evil.example": "/",
			"/ledger?status=partial": "/ledger?status=partial", "/items/1#entries": "/items/1#entries", "": "/",
		} {
			form := url.Values{"username": {"clerk_a"}, "password": {testPassword}, "next": {next}}
			res, err := c.PostForm(e.srv.URL+"/login", form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != want {
				t.Errorf("next=%q: %d to %q, want %q", next, res.StatusCode, loc, want)
			}
		}
	})
}

// The search of the audit trail is closed to those who are not its readers, by entity_id too:
// they read only the history of an item they reach.
func TestAuditSearchClosed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		item, user := strconv.FormatInt(w.itemA, 10), strconv.FormatInt(w.users["clerk_a"].ID, 10)
		for _, q := range []string{"?entity_id=" + item, "?entity=user&entity_id=" + user, "?entity=token&entity_id=1", "?entity_id=" + user + "&action=user.login",
			"?entity=item", "?action=user.login"} {
			e.do("GET", "/api/v1/audit"+q, e.tokReadA, nil).want(t, 403)
			e.do("GET", "/api/v1/audit"+q, e.tokA, nil).want(t, 403)
		}
		hist := e.do("GET", "/api/v1/audit?entity=item&entity_id="+item, e.tokA, nil).want(t, 200)
		for _, r := range hist.json["items"].([]any) {
			if rec := r.(map[string]any); rec["entity"] != "item" || int64(rec["entity_id"].(float64)) != w.itemA {
				t.Fatalf("an item's history holds %v", rec)
			}
		}
		denied := len(audits(t, e, "security.denied"))
		e.do("GET", "/api/v1/audit?entity=item&entity_id="+item, e.tokB, nil).want(t, 404)
		if len(audits(t, e, "security.denied")) != denied+1 {
			t.Fatal("B's look at A's item history left no security record")
		}
		// The audit administrator reads the trail, the administrators' own acts included.
		c := session(t, e, "auditadmin")
		st, body, _ := page(t, c, "GET", e.srv.URL+"/audit?action=user.create", nil)
		if st != 200 || !strings.Contains(body, "user.create") {
			t.Fatalf("the audit administrator's search: %d", st)
		}
	})
}

// An issued report shows a group its own line and its own counts, not the province's.
func TestIssuedReportShowsAGroupItsOwnCounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		person := func(id int64, org *qingqian.Org, roles ...qingqian.Role) context.Context {
			return qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: id, Name: fmt.Sprintf("人员%d", id), OrgID: org.ID, OrgPath: org.Path, Roles: roles})
		}
		reports := e.svc.Reports
		// A's prepared submission and a zero report of B, each reviewed and approved by two others.
		subB, err := reports.Prepare(person(501, e.b, qingqian.RoleClerk), qingqian.SubmissionInput{PeriodID: w.period, Narrative: "无新增"})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct {
			id  int64
			org *qingqian.Org
		}{{w.submissionA, e.a}, {subB.ID, e.b}} {
			sub, err := reports.Sign(person(600+s.id, s.org, qingqian.RoleReviewer), s.id, qingqian.ActReview, "已审核", 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reports.Sign(person(700+s.id, s.org, qingqian.RoleReviewer), s.id, qingqian.ActApprove, "同意", sub.Version); err != nil {
				t.Fatal(err)
			}
		}
		period := strconv.FormatInt(w.period, 10)
		e.do("POST", "/api/v1/periods/"+period+"/report", e.tokRoot, nil).want(t, 201)
		office := e.do("GET", "/api/v1/periods/"+period+"/report", e.tokRoot, nil).want(t, 200)
		if office.num("submitted") != 2 {
			t.Fatalf("the office's report: %s", office.body)
		}
		mine := e.do("GET", "/api/v1/periods/"+period+"/report", e.tokA, nil).want(t, 200)
		if mine.num("submitted") != 1 || mine.num("zero_reports") != 0 || len(mine.json["rows"].([]any)) != 1 {
			t.Fatalf("group A's view of the issued report: %s", mine.body)
		}
		c := session(t, e, "clerk_a")
		if _, body, _ := page(t, c, "GET", e.srv.URL+"/periods/"+period+"/report", nil); strings.Contains(body, "已报送 2 家") || !strings.Contains(body, "已报送 1 家") {
			t.Fatalf("group A's report page counts the province: %.2000s", body)
		}
	})
}

// Uploading the bytes of another group's voucher shows the uploader its own name and time, and
// no use by others; downloading it again names it as the uploader did.
func TestUploadOfAnotherGroupsVoucher(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		time.Sleep(10 * time.Millisecond)
		r := e.upload(e.tokB, "我的回单.pdf", []byte("%PDF-1.4 甲\n")).want(t, 201)
		if r.str("sha256") != w.voucherA || r.str("name") != "我的回单.pdf" || r.num("entry_count") != 0 {
			t.Fatalf("B's upload of A's bytes answers %s", r.body)
		}
		at, _ := time.Parse(time.RFC3339Nano, r.str("created_at"))
		if time.Since(at) > time.Minute {
			t.Fatalf("B's upload is dated %s", r.str("created_at"))
		}
		dl := e.do("GET", "/api/v1/vouchers/"+w.voucherA, e.tokB, nil).want(t, 200)
		if cd := dl.header.Get("Content-Disposition"); strings.Contains(cd, "a.pdf") || !strings.Contains(cd, "filename") {
			t.Fatalf("B downloads it as %q", cd)
		}
		// A still sees its own name on its entry.
		es := e.do("GET", "/api/v1/items/"+strconv.FormatInt(w.itemA, 10)+"/entries", e.tokA, nil).want(t, 200)
		if !strings.Contains(string(es.body), `"name":"a.pdf"`) {
			t.Fatalf("A's entry: %s", es.body)
		}
		// Each download is recorded, with the address.
		recs := audits(t, e, "voucher.download")
		if len(recs) == 0 || recs[0].Source == "" || !strings.Contains(string(recs[0].After), w.voucherA) {
			t.Fatalf("downloads recorded: %+v", recs)
		}
	})
}

// The transport: HSTS under TLS only (or behind a trusted proxy that says TLS), the server's
// connection timeouts, and a request body that stalls ends its request.
func TestTransportHardening(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		s, err := web.NewServer(e.svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s.BodyIdle = 300 * time.Millisecond
		tlsSrv := httptest.NewTLSServer(s.Handler())
		defer tlsSrv.Close()
		res, err := tlsSrv.Client().Get(tlsSrv.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if h := res.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
			t.Fatalf("no HSTS under TLS: %q", h)
		}
		plain := httptest.NewServer(s.Handler())
		defer plain.Close()
		get := func(hdr ...string) http.Header {
			req, _ := http.NewRequest("GET", plain.URL+"/login", nil)
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.Header
		}
		if h := get("X-Forwarded-Proto", "https").Get("Strict-Transport-Security"); h != "" {
			t.Fatalf("HSTS over plain HTTP from an untrusted peer: %q", h)
		}
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		if h := get("X-Forwarded-Proto", "https").Get("Strict-Transport-Security"); h == "" {
			t.Fatal("no HSTS behind a trusted proxy that terminated TLS")
		}
		hs := s.HTTPServer()
		if hs.ReadHeaderTimeout <= 0 || hs.ReadHeaderTimeout > 30*time.Second || hs.IdleTimeout <= 0 {
			t.Fatalf("connection timeouts %+v", hs)
		}
		// A body announced and never sent: the request ends within the stall time, not when the
		// client gives up.
		conn, err := net.Dial("tcp", strings.TrimPrefix(plain.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=a")
		start := time.Now()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || time.Since(start) > 5*time.Second {
			t.Fatalf("a stalled body was waited for %s: %q %v", time.Since(start), line, err)
		}
		if !strings.Contains(line, "400") {
			t.Fatalf("a stalled body answers %q", line)
		}
	})
}

// A unit with users (or anything else referring to it) is not deleted: 409 with the reason.
// Another group's ledger export is 404, not an empty file; another group's interview is 404 and
// recorded as denied.
func TestDeletesExportsAndInterviewsAcrossGroups(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		unit := &qingqian.Org{ParentID: e.b.ID, Name: "乙集团三公司", Kind: qingqian.OrgSubsidiary}
		if err := e.svc.Orgs.CreateOrg(sys, unit); err != nil {
			t.Fatal(err)
		}
		u := &qingqian.User{Username: "clerk_b3", Name: "三公司填报员", OrgID: unit.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}
		if err := e.svc.Users.CreateUser(sys, u, testPassword); err != nil {
			t.Fatal(err)
		}
		r := e.do("DELETE", "/api/v1/orgs/"+strconv.FormatInt(unit.ID, 10), e.tokRoot, nil).want(t, 409)
		if !strings.Contains(string(r.body), "用户 1 个") {
			t.Fatalf("the reason: %s", r.body)
		}
		denied := len(audits(t, e, "security.denied"))
		c := session(t, e, "clerk_b")
		if st, body, _ := page(t, c, "GET", e.srv.URL+"/ledger/export?format=csv&org_id="+strconv.FormatInt(e.a.ID, 10), nil); st != 404 || strings.Contains(body, "甲集团") {
			t.Fatalf("B's export of A's ledger: %d %.200s", st, body)
		}
		if st, _, _ := page(t, c, "GET", e.srv.URL+"/interviews/"+strconv.FormatInt(w.interviewA, 10), nil); st != 404 {
			t.Fatalf("B reads A's interview: %d", st)
		}
		e.do("GET", "/api/v1/notices", e.tokB, nil).want(t, 200)
		if got := len(audits(t, e, "security.denied")); got != denied+2 {
			t.Fatalf("%d security records for the export and the interview, want 2", got-denied)
		}
	})
}

// The password rules as people meet them: the examples the assessors try are refused on the
// form, with the reason.
func TestPasswordRulesOnTheForm(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		c := session(t, e, "clerk_a")
		for _, pw := range []string{"Password1", "aaaaaaA1", "Clerk_a-2024", "Qwerty-2024"} {
			st, body, _ := page(t, c, "POST", e.srv.URL+"/password", url.Values{"old": {testPassword}, "password": {pw}, "confirm": {pw}})
			if st != http.StatusBadRequest || !strings.Contains(body, "field-error") {
				t.Errorf("%q accepted: %d", pw, st)
			}
		}
		if st, _, _ := page(t, c, "POST", e.srv.URL+"/password", url.Values{"old": {testPassword}, "password": {"Lanqiao#River9"}, "confirm": {"Lanqiao#River9"}}); st != http.StatusSeeOther {
			t.Fatalf("a good password: %d", st)
		}
	})
}

// The three administrators: an account is made without roles, the security administrator
// grants them (never an administrator's role with another), and each one's acts are in the
// trail the audit administrator reads and exports.
func TestThreeSeparatedAdministrators(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		admin, sec, aud := session(t, e, "admin"), session(t, e, "secadmin"), session(t, e, "auditadmin")
		org := strconv.FormatInt(e.a.ID, 10)
		// Roles sent with a new account (a crafted form) are refused.
		if st, _, _ := page(t, admin, "POST", e.srv.URL+"/users", url.Values{"username": {"newclerk"}, "name": {"新人"}, "org_id": {org},
			"password": {"Lanqiao#River9"}, "roles": {"clerk"}}); st != http.StatusBadRequest {
			t.Fatalf("an account with roles from the administrator: %d", st)
		}
		if st, _, _ := page(t, admin, "POST", e.srv.URL+"/users", url.Values{"username": {"newclerk"}, "name": {"新人"}, "org_id": {org},
			"password": {"Lanqiao#River9"}}); st != http.StatusSeeOther {
			t.Fatalf("a new account: %d", st)
		}
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		found, _, _ := e.svc.Users.FindUsers(sys, qingqian.UserFilter{Query: "newclerk"})
		if len(found) != 1 || len(found[0].Roles) != 0 {
			t.Fatalf("the new account: %+v", found)
		}
		id := strconv.FormatInt(found[0].ID, 10)
		ver := strconv.Itoa(found[0].Version)
		if st, _, _ := page(t, admin, "POST", e.srv.URL+"/users/"+id+"/roles", url.Values{"version": {ver}, "roles": {"clerk"}}); st != http.StatusForbidden {
			t.Fatalf("the system administrator grants roles: %d", st)
		}
		if st, _, _ := page(t, sec, "POST", e.srv.URL+"/users/"+id+"/roles", url.Values{"version": {ver}, "roles": {"auditadmin", "clerk"}}); st != http.StatusBadRequest {
			t.Fatalf("an audit administrator who is a clerk: %d", st)
		}
		if st, _, _ := page(t, sec, "POST", e.srv.URL+"/users/"+id+"/roles", url.Values{"version": {ver}, "roles": {"clerk"}}); st != http.StatusSeeOther {
			t.Fatalf("the grant: %d", st)
		}
		self := strconv.FormatInt(e.svcUser(t, "secadmin").ID, 10)
		if st, _, _ := page(t, sec, "POST", e.srv.URL+"/users/"+self+"/roles", url.Values{"version": {"1"}, "roles": {"supervisor"}}); st != http.StatusForbidden {
			t.Fatalf("the security administrator grants itself: %d", st)
		}
		// The policy is the security administrator's.
		if st, _, _ := page(t, admin, "POST", e.srv.URL+"/security", url.Values{"idle_minutes": {"30"}}); st != http.StatusForbidden {
			t.Fatalf("the system administrator sets the policy: %d", st)
		}
		// The audit administrator sees each one's acts, with their addresses, and exports them.
		st, body, _ := page(t, aud, "GET", e.srv.URL+"/audit?entity=user", nil)
		for _, want := range []string{"user.create", "user.roles", "127.0.0.1"} {
			if st != 200 || !strings.Contains(body, want) {
				t.Fatalf("the audit administrator's page lacks %s: %d", want, st)
			}
		}
		st, csv, hdr := page(t, aud, "GET", e.srv.URL+"/audit/export?format=csv&entity=user", nil)
		if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(csv, "user.roles") || !strings.Contains(csv, "来源地址") {
			t.Fatalf("the audit export: %d %.300s", st, csv)
		}
		if searches := audits(t, e, "audit.search"); len(searches) == 0 || searches[0].ActorName != "auditadmin" {
			t.Fatalf("the audit administrator's searches are not recorded: %+v", searches)
		}
		exports := audits(t, e, "data.export")
		if len(exports) == 0 || !strings.Contains(string(exports[0].After), "审计记录") || exports[0].ActorName != "auditadmin" {
			t.Fatalf("the export of the trail is not itself recorded: %+v", exports)
		}
		// None of them reads a figure.
		for _, c := range []*http.Client{admin, sec, aud} {
			if st, _, _ := page(t, c, "GET", e.srv.URL+"/ledger", nil); st != http.StatusForbidden {
				t.Fatalf("an administrator reads the ledger: %d", st)
			}
		}
	})
}

// svcUser returns a user of the world by name.
func (e *env) svcUser(t *testing.T, username string) *qingqian.User {
	t.Helper()
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	found, _, err := e.svc.Users.FindUsers(sys, qingqian.UserFilter{Query: username})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range found {
		if u.Username == username {
			return u
		}
	}
	t.Fatalf("no user %s", username)
	return nil
}

// A response with personal data — the liaisons' phone numbers of units — is recorded: who, from
// where, whose.
func TestPersonalDataIsRecorded(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		phone := "13800138000"
		if _, err := e.svc.Orgs.UpdateOrg(sys, e.a.ID, qingqian.OrgUpdate{Version: e.a.Version, LiaisonPhone: &phone}); err != nil {
			t.Fatal(err)
		}
		c := session(t, e, "supervisor")
		if st, body, _ := page(t, c, "GET", e.srv.URL+"/orgs", nil); st != 200 || !strings.Contains(body, phone) {
			t.Fatalf("the units page: %d", st)
		}
		e.do("GET", "/api/v1/orgs/"+strconv.FormatInt(e.a.ID, 10), e.tokB, nil).want(t, 404)
		recs := audits(t, e, "personal.view")
		if len(recs) != 1 || recs[0].ActorName != "supervisor" || recs[0].Source == "" || !strings.Contains(string(recs[0].After), strconv.FormatInt(e.a.ID, 10)) {
			t.Fatalf("personal data shown, recorded as %+v", recs)
		}
	})
}

// One-time codes and password expiry in the workbench: the policy asks the administrators for
// codes, which they set up on the page before anything else; a password past its lifetime is
// changed before anything else.
func TestTOTPAndExpiryInTheWorkbench(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		now := time.Now()
		db.Now = func() time.Time { return now }
		sec := session(t, e, "secadmin")
		policy := url.Values{"password_max_age_days": {"90"}, "password_history": {"5"}, "max_failed_logins": {"5"}, "lock_minutes": {"15"},
			"source_max_failures": {"20"}, "idle_minutes": {"30"}, "session_max_hours": {"12"}, "admin_totp": {"on"}}
		if st, body, _ := page(t, sec, "POST", e.srv.URL+"/security", policy); st != http.StatusSeeOther {
			t.Fatalf("the policy: %d %.500s", st, body)
		}
		aud := session(t, e, "auditadmin")
		for _, p := range []string{"/", "/audit"} {
			if st, _, h := page(t, aud, "GET", e.srv.URL+p, nil); st != http.StatusSeeOther || h.Get("Location") != "/account/totp" {
				t.Fatalf("%s without codes set up: %d to %s", p, st, h.Get("Location"))
			}
		}
		_, body, _ := page(t, aud, "GET", e.srv.URL+"/account/totp", nil)
		i := strings.Index(body, `name="secret" value="`)
		if i < 0 {
			t.Fatalf("no secret on the page: %.1000s", body)
		}
		secret := body[i+len(`name="secret" value="`):]
		secret = secret[:strings.Index(secret, `"`)]
		step := qingqian.TOTPStep(now)
		if st, _, _ := page(t, aud, "POST", e.srv.URL+"/account/totp", url.Values{"secret": {secret}, "code": {"12345"}}); st != http.StatusBadRequest {
			t.Fatalf("a wrong code: %d", st)
		}
		if st, _, _ := page(t, aud, "POST", e.srv.URL+"/account/totp", url.Values{"secret": {secret}, "code": {qingqian.TOTPCode(secret, step)}}); st != http.StatusSeeOther {
			t.Fatalf("setting up: %d", st)
		}
		if st, body, _ := page(t, aud, "GET", e.srv.URL+"/audit", nil); st != 200 || !strings.Contains(body, "user.totp_enable") {
			t.Fatalf("after setting up: %d", st)
		}
		// Signing in now takes the next code, once.
		now = now.Add(30 * time.Second)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		signIn := func(code string) int {
			res, err := c.PostForm(e.srv.URL+"/login", url.Values{"username": {"auditadmin"}, "password": {testPassword}, "code": {code}})
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if st := signIn(""); st != http.StatusUnauthorized {
			t.Fatalf("without the code: %d", st)
		}
		if st := signIn(qingqian.TOTPCode(secret, step+1)); st != http.StatusSeeOther {
			t.Fatalf("with the code: %d", st)
		}
		if st := signIn(qingqian.TOTPCode(secret, step+1)); st != http.StatusUnauthorized {
			t.Fatalf("the code again: %d", st)
		}
		// 91 days on, a password of the world is past its lifetime.
		now = now.Add(91 * 24 * time.Hour)
		clerk := session(t, e, "clerk_a")
		if st, _, h := page(t, clerk, "GET", e.srv.URL+"/ledger", nil); st != http.StatusSeeOther || h.Get("Location") != "/password" {
			t.Fatalf("an expired password: %d to %s", st, h.Get("Location"))
		}
		if _, body, _ := page(t, clerk, "GET", e.srv.URL+"/password", nil); !strings.Contains(body, "密码已超过有效期（90天）") {
			t.Fatalf("the password page: %.1500s", body)
		}
	})
}

// The creditor's page in the workbench: its registering group changes it while alone; another
// asks, and the office decides on the list.
func TestCreditorChangesInTheWorkbench(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		own, shared := strconv.FormatInt(w.creditorA, 10), strconv.FormatInt(e.creditor.ID, 10)
		a, b, office := session(t, e, "clerk_a"), session(t, e, "clerk_b"), session(t, e, "supervisor")
		form := func(name, version string, extra ...string) url.Values {
			f := url.Values{"name": {name}, "ownership": {"private"}, "size": {""}, "size_declared_on": {""}, "size_evidence": {""}, "region": {""}, "version": {version}}
			for i := 0; i+1 < len(extra); i += 2 {
				f.Set(extra[i], extra[i+1])
			}
			return f
		}
		if _, body, _ := page(t, a, "GET", e.srv.URL+"/creditors/"+own, nil); !strings.Contains(body, "修改登记信息") {
			t.Fatalf("A's own creditor is not editable for A: %.500s", body)
		}
		if st, _, _ := page(t, a, "POST", e.srv.URL+"/creditors/"+own, form("甲集团自有供应商股份有限公司", "1")); st != http.StatusSeeOther {
			t.Fatalf("A changes its own: %d", st)
		}
		// B finds it by its whole code, to use it, and by nothing else.
		if _, body, _ := page(t, b, "GET", e.srv.URL+"/creditors?q=自有供应商", nil); strings.Contains(body, "自有供应商股份") {
			t.Fatal("B finds A's creditor by its name")
		}
		if _, body, _ := page(t, b, "GET", e.srv.URL+"/creditors?q=91110108MA01C9BP27", nil); !strings.Contains(body, "自有供应商股份") || strings.Contains(body, "/creditors/"+own) {
			t.Fatalf("B's search by the whole code: %.1500s", body)
		}
		_, body, _ := page(t, b, "GET", e.srv.URL+"/creditors/"+shared, nil)
		if !strings.Contains(body, "申请变更登记信息") || !strings.Contains(body, `name="request"`) {
			t.Fatalf("B's page of the shared creditor: %.800s", body)
		}
		if st, _, _ := page(t, b, "POST", e.srv.URL+"/creditors/"+shared, form("乙集团改的名字有限公司", "1")); st != http.StatusForbidden {
			t.Fatalf("B changes the shared creditor directly: %d", st)
		}
		if st, body, _ := page(t, b, "POST", e.srv.URL+"/creditors/"+shared, form("某某劳务股份有限公司", "1", "request", "1")); st != http.StatusBadRequest || !strings.Contains(body, "变更理由") {
			t.Fatalf("a request without a reason: %d", st)
		}
		if st, _, _ := page(t, b, "POST", e.srv.URL+"/creditors/"+shared, form("某某劳务股份有限公司", "1", "request", "1", "reason", "工商变更")); st != http.StatusSeeOther {
			t.Fatalf("B's request: %d", st)
		}
		changes, err := e.svc.Creditors.FindCreditorChanges(qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")), true)
		if err != nil || len(changes) != 2 || changes[0].Changes.Name == nil || changes[0].Changes.Ownership != nil {
			t.Fatalf("the requests: %+v %v", changes, err)
		}
		_, body, _ = page(t, office, "GET", e.srv.URL+"/creditors", nil)
		if !strings.Contains(body, "某某劳务股份有限公司") || !strings.Contains(body, "/creditor-changes/"+strconv.FormatInt(changes[0].ID, 10)+"/decide") {
			t.Fatalf("the office's list: %.1500s", body)
		}
		if st, _, _ := page(t, office, "POST", e.srv.URL+"/creditor-changes/"+strconv.FormatInt(changes[0].ID, 10)+"/decide", url.Values{"decision": {"approve"}}); st != http.StatusSeeOther {
			t.Fatalf("the office approves: %d", st)
		}
		if _, body, _ := page(t, a, "GET", e.srv.URL+"/items/"+strconv.FormatInt(w.itemA, 10), nil); !strings.Contains(body, "某某劳务股份有限公司") {
			t.Fatal("A's item does not show the approved name")
		}
	})
}
