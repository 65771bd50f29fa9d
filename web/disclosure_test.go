package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// signDisclosureAs posts the disclosure's signing form as the user, wants the status and
// returns the page answered.
func signDisclosureAs(t *testing.T, e *env, db *sqldb.DB, user, id string, form url.Values, want int) string {
	t.Helper()
	_, secret, err := sqldb.NewUserService(db).Login(context.Background(), user, testPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", e.srv.URL+"/disclosures/"+id+"/sign", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s signing disclosure %s: %d, want %d\n%s", user, id, res.StatusCode, want, b)
	}
	return html.UnescapeString(string(b))
}

// The yearly disclosure's signing through the pages and the API: the preparer is refused with a
// clear message, another group's user and a token get 403, a declaration of "no overdue" the
// payables contradict is signed only with the confirmation and a reason, and stays flagged.
func TestDisclosureSigningThroughThePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		// A contract of unit A delivered on 1 August 2025, unpaid: overdue at 2025-12-31.
		r := e.do("POST", "/api/v1/contracts", e.tokA, map[string]any{"org_id": e.a.ID, "creditor_uscc": "91110108MA01C9BP27",
			"no": "HT-PUB-1", "name": "设备采购", "kind": "goods", "buyer_kind": "large", "signed_on": "2025-07-01", "amount": "50000.00",
			"supplier_size": "small", "settlement": "once"}).want(t, http.StatusCreated)
		kid := strconv.FormatInt(r.num("id"), 10)
		e.do("POST", "/api/v1/contracts/"+kid+"/events", e.tokA, map[string]any{"kind": "delivery", "on": "2025-08-01"}).want(t, http.StatusCreated)
		// The reviewer prepares the 2024 disclosure: they cannot sign it themselves.
		ds := sqldb.NewDisclosureService(db)
		rev := w.users["reviewer"]
		revCtx := qingqian.NewContext(context.Background(), rev.Actor())
		own := &qingqian.Disclosure{OrgID: e.a.ID, Year: 2024, Note: "无逾期"}
		if err := ds.PrepareDisclosure(revCtx, own); err != nil {
			t.Fatal(err)
		}
		oid := strconv.FormatInt(own.ID, 10)
		page := signDisclosureAs(t, e, db, "reviewer", oid, url.Values{"version": {strconv.Itoa(own.Version)}}, http.StatusForbidden)
		if !strings.Contains(page, "不能签发自己填报的公示") {
			t.Errorf("the preparer's refusal does not say why:\n%s", page)
		}
		// The 2025 disclosure of the world, prepared by clerk_a as "no overdue": contradicted.
		did := strconv.FormatInt(w.disclosureA, 10)
		r = e.do("POST", "/api/v1/disclosures", e.tokA, map[string]any{"org_id": e.a.ID, "year": 2025, "has_overdue": false, "note": "无逾期"}).want(t, 200)
		if r.json["contradicted"] != true {
			t.Fatalf("not contradicted: %s", r.body)
		}
		version := strconv.FormatInt(r.num("version"), 10)
		// Not this year's: it has not ended.
		msg := e.do("POST", "/api/v1/disclosures", e.tokA, map[string]any{"org_id": e.a.ID, "year": qingqian.Today().Year()}).want(t, http.StatusBadRequest).field(t, "year")
		if !strings.Contains(msg, "尚未结束") {
			t.Errorf("this year's disclosure: %q", msg)
		}
		// Another group's clerk, group A's clerk and liaison: 403; a token: 403.
		for _, u := range []string{"clerk_b", "clerk_a", "liaison"} {
			signDisclosureAs(t, e, db, u, did, url.Values{"version": {version}}, http.StatusForbidden)
		}
		e.do("POST", "/api/v1/disclosures/"+did+"/sign", e.tokA, map[string]any{"version": r.num("version")}).want(t, http.StatusForbidden)
		// The reviewer: unconfirmed, then without a reason, then confirmed with one.
		page = signDisclosureAs(t, e, db, "reviewer", did, url.Values{"version": {version}}, http.StatusConflict)
		if !strings.Contains(page, "声明无逾期未付款项，但应付款显示年末有逾期未付") || !strings.Contains(page, `name="confirm_contradiction"`) {
			t.Errorf("the unconfirmed signing's page:\n%s", page)
		}
		signDisclosureAs(t, e, db, "reviewer", did, url.Values{"version": {version}, "confirm_contradiction": {"true"}}, http.StatusBadRequest)
		signDisclosureAs(t, e, db, "reviewer", did, url.Values{"version": {version}, "confirm_contradiction": {"true"}, "reason": {"验收争议未决"}}, http.StatusSeeOther)
		r = e.do("GET", "/api/v1/disclosures/"+did, e.tokA, nil).want(t, 200)
		if r.json["state"] != "signed" || r.json["contradicted"] != true || r.json["contradiction_reason"] != "验收争议未决" {
			t.Fatalf("signed: %s", r.body)
		}
		_, secret, err := sqldb.NewUserService(db).Login(context.Background(), "clerk_a", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/disclosures/" + did, "/disclosures", "/disclosures/" + did + "/export?format=csv"} {
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if text := html.UnescapeString(string(b)); res.StatusCode != 200 || !strings.Contains(text, "不符") || !strings.Contains(text, "验收争议未决") {
				t.Errorf("%s does not flag the contradiction with its reason (%d)", path, res.StatusCode)
			}
		}
	})
}
