package web_test

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// Who is who in the matrix: the three separated administrators and four people of the
// regulator, three of group A, a clerk of group B, and nobody. The routes' targets (item, entry,
// voucher, unit, user) all belong to group A.
var (
	admins    = []string{"admin", "secadmin", "auditadmin"}
	rootRoles = append(append([]string{}, admins...), "supervisor", "observer", "auditor")
	aRoles    = []string{"liaison", "reviewer", "clerk_a"}
	everyone  = append(append(append([]string{}, rootRoles...), aRoles...), "clerk_b")
)

type expect map[string]int

// all gives every signed-in role the status def, then applies the overrides.
func all(def int, over ...any) expect {
	e := expect{}
	for _, r := range everyone {
		e[r] = def
	}
	for i := 0; i+1 < len(over); i += 2 {
		switch who := over[i].(type) {
		case string:
			e[who] = over[i+1].(int)
		case []string:
			for _, r := range who {
				e[r] = over[i+1].(int)
			}
		}
	}
	return e
}

var readOnly = []string{"observer", "auditor"}

func TestPermissionMatrix(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		users := sqldb.NewUserService(db)
		sessions := map[string]string{}
		for _, name := range everyone {
			_, secret, err := users.Login(context.Background(), name, testPassword, "")
			if err != nil {
				t.Fatal(err)
			}
			sessions[name] = secret
		}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		item, entry, user, orgA := id(w.itemA), id(w.entryA), id(w.users["clerk_a"].ID), id(e.a.ID)
		period, sub, notice, iv := id(w.period), id(w.submissionA), id(w.noticeA), id(w.interviewA)
		// The clearance office. The three administrators see no ledger data: A is 403 for them
		// (listed first in an expectation, so that what follows may override it).
		office := []string{"supervisor"}
		A := admins
		clue, kase := id(w.clueA), id(w.caseA)
		creditor, change := id(w.creditorA), id(w.changeB)
		camp, answer, circ := id(w.campaignA), id(w.answerA), id(w.circularA)

		html := []struct {
			pattern, path string
			want          expect
		}{
			// The administrators start on the page of their work.
			{"GET /{$}", "/", all(200, A, 303)},
			{"GET /ledger", "/ledger", all(200, A, 403)},
			{"GET /items/new", "/items/new", all(200, A, 403, readOnly, 403)},
			{"POST /items/new", "/items/new", all(400, A, 403, readOnly, 403)},
			{"GET /items/{id}", "/items/" + item, all(200, A, 403, "clerk_b", 404)},
			{"POST /items/{id}/entries", "/items/" + item + "/entries", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /items/{id}/plan", "/items/" + item + "/plan", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /entries/{id}/reverse", "/entries/" + entry + "/reverse", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /entries/{id}/vouchers", "/entries/" + entry + "/vouchers", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /vouchers/{sha256}", "/vouchers/" + w.voucherA, all(200, A, 403, "clerk_b", 404)},
			// The system administrator keeps the tree of units; the audit administrator does not read it.
			{"GET /orgs", "/orgs", all(200, "auditadmin", 403)},
			{"POST /orgs", "/orgs", all(403, "admin", 400, "supervisor", 400)},
			{"GET /creditors", "/creditors", all(200, A, 403)},
			{"POST /creditors", "/creditors", all(400, A, 403, readOnly, 403)},
			// A creditor group A registered and alone uses: B does not see it.
			{"GET /creditors/{id}", "/creditors/" + creditor, all(200, A, 403, "clerk_b", 404)},
			// An empty form names no version: those who may change it are told of a conflict.
			{"POST /creditors/{id}", "/creditors/" + creditor, all(409, A, 403, readOnly, 403, "clerk_b", 404)},
			// The office rejects without a reason: refused.
			{"POST /creditor-changes/{id}/decide", "/creditor-changes/" + change + "/decide", all(403, "supervisor", 400)},
			{"GET /users", "/users", all(403, "admin", 200, "secadmin", 200)},
			{"POST /users", "/users", all(403, "admin", 400)},
			{"POST /users/{id}/reset", "/users/" + user + "/reset", all(403, "admin", 400)},
			// An empty form names no version: a conflict, as for a notice closed without one.
			{"POST /users/{id}/active", "/users/" + user + "/active", all(403, "admin", 409)},
			{"POST /users/{id}/roles", "/users/" + user + "/roles", all(403, "secadmin", 409)},
			// The user is clerk_a, who may turn off its own codes.
			{"POST /users/{id}/totp/disable", "/users/" + user + "/totp/disable", all(403, "admin", 303, "clerk_a", 303)},
			{"POST /tokens", "/tokens", all(403, "secadmin", 400)},
			{"POST /tokens/{id}/revoke", "/tokens/999999/revoke", all(403, "secadmin", 404)},
			{"GET /audit", "/audit", all(403, "auditadmin", 200, "supervisor", 200, "auditor", 200)},
			{"GET /audit/export", "/audit/export?format=csv", all(403, "auditadmin", 200, "supervisor", 200, "auditor", 200)},
			{"GET /ledger/export", "/ledger/export?format=csv", all(200, A, 403)},
			{"GET /creditors/export", "/creditors/export", all(200, A, 403)},
			{"GET /orgs/export", "/orgs/export?format=csv", all(200, "auditadmin", 403)},
			{"GET /templates/{kind}", "/templates/ledger", all(200)},
			{"GET /imports/new", "/imports/new", all(200, A, 403, readOnly, 403)},
			{"POST /imports", "/imports", all(400, A, 403, readOnly, 403)},
			{"GET /imports/{id}", "/imports/nonexistent", all(404)},
			{"POST /imports/{id}/confirm", "/imports/nonexistent/confirm", all(404)},
			{"GET /imports/{id}/errors", "/imports/nonexistent/errors", all(404)},
			{"GET /periods", "/periods", all(200, A, 403)},
			{"POST /periods", "/periods", all(403, office, 400)},
			{"POST /periods/generate", "/periods/generate", all(403, office, 400)},
			// A's period: the office reminds B and A, who have not reported.
			{"POST /periods/{id}/remind", "/periods/" + period + "/remind", all(403, office, 303)},
			{"GET /periods/{id}", "/periods/" + period, all(200, A, 403)},
			// A group's liaison or clerk prepares its own.
			{"POST /periods/{id}/prepare", "/periods/" + period + "/prepare", all(403, []string{"liaison", "clerk_a", "clerk_b"}, 303)},
			{"GET /periods/{id}/report", "/periods/" + period + "/report", all(200, A, 403)},
			{"GET /periods/{id}/report/export", "/periods/" + period + "/report/export", all(200, A, 403)},
			{"POST /periods/{id}/report/issue", "/periods/999999/report/issue", all(403, office, 404)},
			{"GET /submissions/{id}", "/submissions/" + sub, all(200, A, 403, "clerk_b", 404)},
			{"POST /submissions/{id}/sign", "/submissions/" + sub + "/sign", all(403, "reviewer", 400)},
			{"POST /submissions/{id}/check", "/submissions/" + sub + "/check", all(403, office, 400)},
			{"GET /progress", "/progress", all(200, A, 403)},
			{"POST /progress/rule", "/progress/rule", all(403, office, 303)},
			{"GET /notices", "/notices", all(200, A, 403)},
			{"POST /notices", "/notices", all(403, office, 400)},
			{"GET /notices/{id}", "/notices/" + notice, all(200, A, 403, "clerk_b", 404)},
			{"POST /notices/{id}/reply", "/notices/" + notice + "/reply", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /notices/{id}/close", "/notices/" + notice + "/close", all(403, office, 409)},
			{"GET /interviews", "/interviews", all(200, A, 403)},
			{"POST /interviews", "/interviews", all(403, office, 400)},
			{"GET /interviews/export", "/interviews/export", all(200, A, 403)},
			{"GET /interviews/{id}", "/interviews/" + iv, all(200, A, 403, "clerk_b", 404)},
			{"POST /commitments/{id}/follow-up", "/commitments/" + id(w.commitmentA) + "/follow-up", all(403, office, 400)},
			{"GET /clues", "/clues", all(200, A, 403)},
			{"POST /clues", "/clues", all(403, office, 400)},
			{"GET /clues/export", "/clues/export", all(200, A, 403)},
			{"GET /clues/{id}", "/clues/" + clue, all(200, A, 403, "clerk_b", 404)},
			{"POST /clues/{id}/{action}", "/clues/" + clue + "/verify", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /cases", "/cases", all(200, A, 403)},
			{"POST /cases", "/cases", all(400, A, 403, readOnly, 403)},
			{"GET /cases/{id}", "/cases/" + kase, all(200, A, 403, "clerk_b", 404)},
			{"POST /cases/{id}/{action}", "/cases/" + kase + "/event", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /disputes", "/disputes", all(200, A, 403)},
			{"GET /disputes/export", "/disputes/export", all(200, A, 403)},
			{"GET /calendar", "/calendar", all(200)},
			{"POST /calendar", "/calendar", all(403, "admin", 400)},
			{"GET /campaigns", "/campaigns", all(200, A, 403)},
			{"POST /campaigns", "/campaigns", all(403, office, 400)},
			{"GET /campaigns/{id}", "/campaigns/" + camp, all(200, A, 403, "clerk_b", 404)},
			{"GET /campaigns/{id}/annex", "/campaigns/" + camp + "/annex", all(200, A, 403, "clerk_b", 404)},
			// Group A's liaison and clerk prepare its answer; an empty one names the items to answer.
			{"POST /campaigns/{id}/answer", "/campaigns/" + camp + "/answer", all(403, "liaison", 400, "clerk_a", 400, "clerk_b", 404)},
			{"POST /campaigns/{id}/close", "/campaigns/" + camp + "/close", all(403, office, 400)},
			// The world's campaign is reported once: nothing to remind of.
			{"POST /campaigns/{id}/remind", "/campaigns/" + camp + "/remind", all(403, office, 409)},
			{"GET /campaign-answers/{id}", "/campaign-answers/" + answer, all(200, A, 403, "clerk_b", 404)},
			{"POST /campaign-answers/{id}/sign", "/campaign-answers/" + answer + "/sign", all(403, "reviewer", 400)},
			{"GET /circulars", "/circulars", all(200, A, 403)},
			{"POST /circulars", "/circulars", all(403, office, 400)},
			{"GET /circulars/{id}", "/circulars/" + circ, all(200, A, 403, "clerk_b", 404)},
			// Group A signs for it once: its liaison does, then it is signed.
			{"POST /circulars/{id}/receipt", "/circulars/" + circ + "/receipt", all(403, "liaison", 303, "reviewer", 409, "clerk_a", 409, "clerk_b", 404)},
			{"POST /circulars/{id}/reply", "/circulars/" + circ + "/reply", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /circulars/{id}/pass-down", "/circulars/" + circ + "/pass-down", all(400, A, 403, readOnly, 403, "supervisor", 403, "clerk_b", 404)},
			{"GET /causes", "/causes", all(200, A, 403)},
			{"POST /clues/{id}/cause", "/clues/" + clue + "/cause", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /items/{id}/cause", "/items/" + item + "/cause", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /campaigns/{id}/export", "/campaigns/" + camp + "/export?format=csv", all(200, A, 403, "clerk_b", 404)},
			{"GET /circulars/{id}/export", "/circulars/" + circ + "/export?format=csv", all(200, A, 403, "clerk_b", 404)},
			{"GET /causes/export", "/causes/export?format=csv", all(200, A, 403)},
			{"GET /contracts", "/contracts", all(200, A, 403)},
			{"GET /contracts/new", "/contracts/new", all(200, A, 403, readOnly, 403)},
			{"POST /contracts/new", "/contracts/new", all(400, A, 403, readOnly, 403)},
			{"GET /contracts/{id}", "/contracts/" + id(w.contractA), all(200, A, 403, "clerk_b", 404)},
			{"POST /contracts/{id}/events", "/contracts/" + id(w.contractA) + "/events", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /contracts/{id}/correct", "/contracts/" + id(w.contractA) + "/correct", all(200, A, 403, readOnly, 403, "clerk_b", 404)},
			// Empty forms: no reason, no version, no date.
			{"POST /contracts/{id}/correct", "/contracts/" + id(w.contractA) + "/correct", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /contracts/{id}/cancel", "/contracts/" + id(w.contractA) + "/cancel", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /contracts/{id}/events/{event}/void", "/contracts/" + id(w.contractA) + "/events/" + id(w.eventA) + "/void", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /contracts/{id}/events/{event}/end", "/contracts/" + id(w.contractA) + "/events/" + id(w.eventA) + "/end", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /bills", "/bills", all(200, A, 403)},
			{"POST /items/{id}/bills", "/items/" + item + "/bills", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /bills/{id}/honour", "/bills/" + id(w.billA) + "/honour", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /bills/{id}/dishonour", "/bills/" + id(w.billA) + "/dishonour", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"POST /bills/{id}/return", "/bills/" + id(w.billA) + "/return", all(400, A, 403, readOnly, 403, "clerk_b", 404)},
			{"GET /statements", "/statements?org_id=" + orgA, all(200, A, 403, "clerk_b", 404)},
			{"POST /statements", "/statements", all(400, A, 403, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"GET /statements/{id}/file", "/statements/" + id(w.statementA) + "/file", all(200, A, 403, "clerk_b", 404)},
			{"POST /statement-lines/{id}/match", "/statement-lines/" + id(w.lineA) + "/match", all(400, A, 403, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"POST /statement-lines/{id}/unmatch", "/statement-lines/" + id(w.lineA) + "/unmatch", all(400, A, 403, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"GET /lpr", "/lpr", all(200)},
			{"POST /lpr", "/lpr", all(403, "admin", 400)},
			{"GET /payables/aging", "/payables/aging", all(200, A, 403)},
			{"GET /payables", "/payables", all(200, A, 403)},
			{"GET /payables/timely", "/payables/timely", all(200, A, 403)},
			{"POST /payables/arrears", "/payables/arrears", all(303, A, 403, readOnly, 403)},
			{"GET /disclosures", "/disclosures", all(200, A, 403)},
			{"POST /disclosures", "/disclosures", all(400, A, 403, readOnly, 403)},
			{"GET /disclosures/{id}", "/disclosures/" + id(w.disclosureA), all(200, A, 403, "clerk_b", 404)},
			{"GET /disclosures/{id}/export", "/disclosures/" + id(w.disclosureA) + "/export?format=csv", all(200, A, 403, "clerk_b", 404)},
			{"GET /contracts/export", "/contracts/export?format=csv", all(200, A, 403)},
			{"GET /contracts/{id}/export", "/contracts/" + id(w.contractA) + "/export?format=csv", all(200, A, 403, "clerk_b", 404)},
			{"GET /payables/export", "/payables/export?format=csv", all(200, A, 403)},
			// Signing takes the reviewer role (the leader in charge): for everyone else, another
			// group's clerk included, 403.
			{"POST /disclosures/{id}/sign", "/disclosures/" + id(w.disclosureA) + "/sign", all(403, "reviewer", 409)},
			// Letters: the office or a group's liaison or reviewer selects; only the issuing unit (here
			// the office) records replies and resolves findings.
			{"GET /letters", "/letters", all(200, A, 403)},
			{"POST /letters", "/letters", all(403, []string{"supervisor", "liaison", "reviewer"}, 400)},
			{"GET /letters/export", "/letters/export?format=csv", all(200, A, 403)},
			{"GET /letters/{id}", "/letters/" + id(w.letterA), all(200, A, 403, "clerk_b", 404)},
			{"POST /letters/{id}/reply", "/letters/" + id(w.letterA) + "/reply", all(403, "supervisor", 400, "clerk_b", 404)},
			// The letter has no open finding: the office is told of a conflict.
			{"POST /letters/{id}/resolve", "/letters/" + id(w.letterA) + "/resolve", all(403, "supervisor", 409, "clerk_b", 404)},
			{"GET /signals", "/signals", all(200, A, 403)},
			{"GET /signals/export", "/signals/export?format=csv", all(200, A, 403)},
			{"GET /security", "/security", all(403, "secadmin", 200)},
			{"POST /security", "/security", all(403, "secadmin", 400)},
			{"GET /account/totp", "/account/totp", all(200)},
			{"POST /account/totp", "/account/totp", all(400)},
			{"POST /account/totp/disable", "/account/totp/disable", all(303)},
			{"GET /password", "/password", all(200)},
			{"POST /password", "/password", all(400)},
			{"POST /logout", "/logout", all(303)}, // last: it ends the session
		}
		var covered []string
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, rt := range html {
			covered = append(covered, rt.pattern)
			method, _, _ := strings.Cut(rt.pattern, " ")
			for _, role := range append([]string{""}, everyone...) {
				want := rt.want[role]
				if role == "" {
					want = http.StatusSeeOther // nobody: to the login page
				}
				req, _ := http.NewRequest(method, e.srv.URL+rt.path, strings.NewReader(""))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if role != "" {
					req.AddCookie(&http.Cookie{Name: "qq_session", Value: sessions[role]})
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != want {
					t.Errorf("%s %s as %q: %d, want %d", method, rt.path, role, res.StatusCode, want)
				}
				if role == "" && !strings.HasPrefix(res.Header.Get("Location"), "/login") {
					t.Errorf("%s %s without a session goes to %q", method, rt.path, res.Header.Get("Location"))
				}
			}
		}
		assertCovers(t, covered, web.HTMLRoutePatterns())

		// Exports obey the subtree: B's clerk gets B's item and not A's.
		_, secretB, err := users.Login(context.Background(), "clerk_b", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/ledger/export?format=csv", nil)
		req.AddCookie(&http.Cookie{Name: "qq_session", Value: secretB})
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), "乙集团欠款") || strings.Contains(string(body), "甲集团欠款") {
			t.Fatalf("clerk B's export:\n%s", body)
		}

		// The API, with a token per role a token may hold: never an administrator's, nor the
		// liaison's or the reviewer's, who prepare and sign (TestTokensCannotSign).
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		tokens := map[string]string{}
		noToken := map[string]bool{"admin": true, "secadmin": true, "auditadmin": true, "liaison": true, "reviewer": true}
		for name, u := range w.users {
			if noToken[name] {
				continue
			}
			_, secret, err := sqldb.NewTokenService(db).CreateToken(sys, name, u.OrgID, u.Roles)
			if err != nil {
				t.Fatal(err)
			}
			tokens[name] = secret
		}
		api := []struct {
			pattern, path string
			want          expect
		}{
			{"GET /api/v1/orgs", "/api/v1/orgs", all(200)},
			{"POST /api/v1/orgs", "/api/v1/orgs", all(403, "supervisor", 400)},
			{"GET /api/v1/orgs/{id}", "/api/v1/orgs/" + orgA, all(200, "clerk_b", 404)},
			{"PATCH /api/v1/orgs/{id}", "/api/v1/orgs/" + orgA, all(403, "supervisor", 409)},
			{"DELETE /api/v1/orgs/{id}", "/api/v1/orgs/" + orgA, all(403, "supervisor", 409)},
			{"POST /api/v1/orgs/{id}/move", "/api/v1/orgs/" + orgA + "/move", all(403, "supervisor", 409)},
			{"GET /api/v1/orgs/{id}/totals", "/api/v1/orgs/" + orgA + "/totals", all(200, "clerk_b", 404)},
			{"GET /api/v1/creditors", "/api/v1/creditors", all(200)},
			{"POST /api/v1/creditors", "/api/v1/creditors", all(400, readOnly, 403)},
			{"GET /api/v1/creditors/{id}", "/api/v1/creditors/" + creditor, all(200, "clerk_b", 404)},
			{"PATCH /api/v1/creditors/{id}", "/api/v1/creditors/" + creditor, all(409, readOnly, 403, "clerk_b", 404)},
			// Validation comes before the lookup: an empty request says nothing of the creditor.
			{"POST /api/v1/creditors/{id}/changes", "/api/v1/creditors/" + creditor + "/changes", all(400, readOnly, 403)},
			{"GET /api/v1/creditor-changes", "/api/v1/creditor-changes", all(200)},
			{"POST /api/v1/creditor-changes/{id}/decision", "/api/v1/creditor-changes/" + change + "/decision", all(403, "supervisor", 400)},
			{"GET /api/v1/items", "/api/v1/items", all(200)},
			{"POST /api/v1/items", "/api/v1/items", all(400, readOnly, 403)},
			{"GET /api/v1/items/{id}", "/api/v1/items/" + item, all(200, "clerk_b", 404)},
			{"PATCH /api/v1/items/{id}", "/api/v1/items/" + item, all(409, readOnly, 403, "clerk_b", 404)},
			{"GET /api/v1/items/{id}/entries", "/api/v1/items/" + item + "/entries", all(200, "clerk_b", 404)},
			// Validation comes before the lookup here: an empty body is refused without saying whether the item exists.
			{"POST /api/v1/items/{id}/entries", "/api/v1/items/" + item + "/entries", all(400, readOnly, 403)},
			{"GET /api/v1/items/{id}/plans", "/api/v1/items/" + item + "/plans", all(200, "clerk_b", 404)},
			{"POST /api/v1/items/{id}/plans", "/api/v1/items/" + item + "/plans", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/entries", "/api/v1/entries", all(400, readOnly, 403)},
			{"GET /api/v1/entries/{id}", "/api/v1/entries/" + entry, all(200, "clerk_b", 404)},
			{"POST /api/v1/entries/{id}/reversal", "/api/v1/entries/" + entry + "/reversal", all(400, readOnly, 403)},
			{"POST /api/v1/entries/{id}/vouchers", "/api/v1/entries/" + entry + "/vouchers", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/vouchers", "/api/v1/vouchers", all(400, readOnly, 403)},
			{"GET /api/v1/vouchers/{sha256}", "/api/v1/vouchers/" + w.voucherA, all(200, "clerk_b", 404)},
			{"GET /api/v1/vouchers/{sha256}/entries", "/api/v1/vouchers/" + w.voucherA + "/entries", all(200)},
			{"GET /api/v1/audit", "/api/v1/audit", all(403, "supervisor", 200, "auditor", 200)},
			{"POST /api/v1/imports/{kind}", "/api/v1/imports/ledger", all(400, readOnly, 403)},
			{"GET /api/v1/periods", "/api/v1/periods", all(200)},
			{"POST /api/v1/periods", "/api/v1/periods", all(403, "supervisor", 400)},
			{"GET /api/v1/periods/{id}", "/api/v1/periods/" + period, all(200)},
			{"GET /api/v1/periods/{id}/submissions", "/api/v1/periods/" + period + "/submissions", all(200)},
			// Preparing and signing are a person's acts: no token takes them.
			{"POST /api/v1/periods/{id}/submissions", "/api/v1/periods/" + period + "/submissions", all(403)},
			{"GET /api/v1/periods/{id}/report", "/api/v1/periods/" + period + "/report", all(200)},
			{"POST /api/v1/periods/{id}/report", "/api/v1/periods/999999/report", all(403, "supervisor", 404)},
			{"GET /api/v1/submissions/{id}", "/api/v1/submissions/" + sub, all(200, "clerk_b", 404)},
			{"POST /api/v1/submissions/{id}/sign", "/api/v1/submissions/" + sub + "/sign", all(403)},
			{"POST /api/v1/submissions/{id}/check", "/api/v1/submissions/" + sub + "/check", all(403, office, 400)},
			{"GET /api/v1/progress", "/api/v1/progress", all(200)},
			{"GET /api/v1/notices", "/api/v1/notices", all(200)},
			{"POST /api/v1/notices", "/api/v1/notices", all(403, "supervisor", 400)},
			{"GET /api/v1/notices/{id}", "/api/v1/notices/" + notice, all(200, "clerk_b", 404)},
			{"POST /api/v1/notices/{id}/reply", "/api/v1/notices/" + notice + "/reply", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/notices/{id}/close", "/api/v1/notices/" + notice + "/close", all(403, "supervisor", 409)},
			{"GET /api/v1/interviews", "/api/v1/interviews", all(200)},
			{"POST /api/v1/interviews", "/api/v1/interviews", all(403, "supervisor", 400)},
			{"GET /api/v1/interviews/{id}", "/api/v1/interviews/" + iv, all(200, "clerk_b", 404)},
			{"POST /api/v1/commitments/{id}/follow-up", "/api/v1/commitments/" + id(w.commitmentA) + "/follow-up", all(403, "supervisor", 400)},
			{"GET /api/v1/clues", "/api/v1/clues", all(200)},
			{"POST /api/v1/clues", "/api/v1/clues", all(403, "supervisor", 400)},
			{"GET /api/v1/clues/{id}", "/api/v1/clues/" + clue, all(200, "clerk_b", 404)},
			// Another group learns nothing of a clue, not even whether its body is valid.
			{"POST /api/v1/clues/{id}/assign", "/api/v1/clues/" + clue + "/assign", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/clues/{id}/verify", "/api/v1/clues/" + clue + "/verify", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/clues/{id}/items", "/api/v1/clues/" + clue + "/items", all(409, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/clues/{id}/updates", "/api/v1/clues/" + clue + "/updates", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/clues/{id}/close", "/api/v1/clues/" + clue + "/close", all(403, "supervisor", 409)},
			// The clue is assigned, not verified: no item can be recorded from it yet.
			{"POST /api/v1/clues/{id}/missing-items", "/api/v1/clues/" + clue + "/missing-items", all(409, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/clues/{id}/extension", "/api/v1/clues/" + clue + "/extension", all(403, "supervisor", 400)},
			{"POST /api/v1/clues/{id}/feedback", "/api/v1/clues/" + clue + "/feedback", all(403, "supervisor", 400)},
			{"POST /api/v1/clues/{id}/callback", "/api/v1/clues/" + clue + "/callback", all(403, "supervisor", 400)},
			{"GET /api/v1/cases", "/api/v1/cases", all(200)},
			{"POST /api/v1/cases", "/api/v1/cases", all(400, readOnly, 403)},
			{"GET /api/v1/cases/{id}", "/api/v1/cases/" + kase, all(200, "clerk_b", 404)},
			{"POST /api/v1/cases/{id}/events", "/api/v1/cases/" + kase + "/events", all(400, readOnly, 403)},
			{"POST /api/v1/cases/{id}/decisions", "/api/v1/cases/" + kase + "/decisions", all(400, readOnly, 403)},
			{"GET /api/v1/disputes", "/api/v1/disputes", all(200)},
			{"GET /api/v1/campaigns", "/api/v1/campaigns", all(200)},
			{"POST /api/v1/campaigns", "/api/v1/campaigns", all(403, "supervisor", 400)},
			{"GET /api/v1/campaigns/{id}", "/api/v1/campaigns/" + camp, all(200, "clerk_b", 404)},
			{"POST /api/v1/campaigns/{id}/close", "/api/v1/campaigns/" + camp + "/close", all(403, "supervisor", 400)},
			{"POST /api/v1/campaigns/{id}/remind", "/api/v1/campaigns/" + camp + "/remind", all(403, "supervisor", 409)},
			{"GET /api/v1/campaigns/{id}/answers", "/api/v1/campaigns/" + camp + "/answers", all(200, "clerk_b", 404)},
			// Preparing and signing an answer are a person's acts, as for a submission.
			{"POST /api/v1/campaigns/{id}/answers", "/api/v1/campaigns/" + camp + "/answers", all(403)},
			{"GET /api/v1/campaigns/{id}/rectification", "/api/v1/campaigns/" + camp + "/rectification", all(200, "clerk_b", 404)},
			{"GET /api/v1/campaign-answers/{id}", "/api/v1/campaign-answers/" + answer, all(200, "clerk_b", 404)},
			{"POST /api/v1/campaign-answers/{id}/sign", "/api/v1/campaign-answers/" + answer + "/sign", all(403)},
			{"GET /api/v1/circulars", "/api/v1/circulars", all(200)},
			{"POST /api/v1/circulars", "/api/v1/circulars", all(403, "supervisor", 400)},
			{"GET /api/v1/circulars/{id}", "/api/v1/circulars/" + circ, all(200, "clerk_b", 404)},
			// Only a recipient signs for it, once: group A's liaison did on the workbench.
			{"POST /api/v1/circulars/{id}/receipt", "/api/v1/circulars/" + circ + "/receipt", all(403, "clerk_a", 409, "clerk_b", 404)},
			{"POST /api/v1/circulars/{id}/reply", "/api/v1/circulars/" + circ + "/reply", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/circulars/{id}/pass-down", "/api/v1/circulars/" + circ + "/pass-down", all(400, readOnly, 403, "supervisor", 403, "clerk_b", 404)},
			{"GET /api/v1/causes", "/api/v1/causes", all(200)},
			{"GET /api/v1/causes/analysis", "/api/v1/causes/analysis", all(200)},
			// Validation comes before the lookup: an empty request says nothing of the clue or item.
			{"POST /api/v1/clues/{id}/cause", "/api/v1/clues/" + clue + "/cause", all(400, readOnly, 403)},
			{"POST /api/v1/items/{id}/cause", "/api/v1/items/" + item + "/cause", all(400, readOnly, 403)},
			{"GET /api/v1/contracts", "/api/v1/contracts", all(200)},
			{"POST /api/v1/contracts", "/api/v1/contracts", all(400, readOnly, 403)},
			{"GET /api/v1/contracts/{id}", "/api/v1/contracts/" + id(w.contractA), all(200, "clerk_b", 404)},
			{"POST /api/v1/contracts/{id}/events", "/api/v1/contracts/" + id(w.contractA) + "/events", all(400, readOnly, 403)},
			{"GET /api/v1/lpr", "/api/v1/lpr", all(200)},
			{"POST /api/v1/lpr", "/api/v1/lpr", all(403, "admin", 400)},
			{"GET /api/v1/payables/aging", "/api/v1/payables/aging", all(200)},
			{"GET /api/v1/payables", "/api/v1/payables", all(200)},
			{"POST /api/v1/contract-events", "/api/v1/contract-events", all(400, readOnly, 403)},
			{"GET /api/v1/items/{id}/bills", "/api/v1/items/" + item + "/bills", all(200, "clerk_b", 404)},
			{"POST /api/v1/items/{id}/bills", "/api/v1/items/" + item + "/bills", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/bills/{id}/honour", "/api/v1/bills/" + id(w.billA) + "/honour", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/bills/{id}/dishonour", "/api/v1/bills/" + id(w.billA) + "/dishonour", all(400, readOnly, 403, "clerk_b", 404)},
			{"POST /api/v1/bills/{id}/return", "/api/v1/bills/" + id(w.billA) + "/return", all(400, readOnly, 403, "clerk_b", 404)},
			{"GET /api/v1/bills/unhonoured", "/api/v1/bills/unhonoured", all(200)},
			{"POST /api/v1/statement-files", "/api/v1/statement-files", all(400, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"POST /api/v1/statements", "/api/v1/statements", all(400, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"GET /api/v1/statements/{id}/file", "/api/v1/statements/" + id(w.statementA) + "/file", all(200, "clerk_b", 404)},
			{"GET /api/v1/statements/reconciliation", "/api/v1/statements/reconciliation?org_id=" + orgA, all(200, "clerk_b", 404)},
			{"POST /api/v1/statement-lines/{id}/match", "/api/v1/statement-lines/" + id(w.lineA) + "/match", all(400, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"POST /api/v1/statement-lines/{id}/unmatch", "/api/v1/statement-lines/" + id(w.lineA) + "/unmatch", all(400, readOnly, 403, "clerk_a", 403, "clerk_b", 403)},
			{"GET /api/v1/repayments/without-line", "/api/v1/repayments/without-line", all(200)},
			{"POST /api/v1/payables/arrears", "/api/v1/payables/arrears", all(200, readOnly, 403)},
			{"POST /api/v1/contracts/{id}/correct", "/api/v1/contracts/" + id(w.contractA) + "/correct", all(400, readOnly, 403)},
			{"POST /api/v1/contracts/{id}/cancel", "/api/v1/contracts/" + id(w.contractA) + "/cancel", all(400, readOnly, 403)},
			{"POST /api/v1/contract-events/{id}/void", "/api/v1/contract-events/" + id(w.eventA) + "/void", all(400, readOnly, 403)},
			{"POST /api/v1/contract-events/{id}/end", "/api/v1/contract-events/" + id(w.eventA) + "/end", all(400, readOnly, 403, "clerk_b", 404)},
			{"GET /api/v1/payables/timely", "/api/v1/payables/timely", all(200)},
			{"GET /api/v1/disclosures", "/api/v1/disclosures", all(200)},
			{"POST /api/v1/disclosures", "/api/v1/disclosures", all(400, readOnly, 403)},
			{"GET /api/v1/disclosures/{id}", "/api/v1/disclosures/" + id(w.disclosureA), all(200, "clerk_b", 404)},
			// A person signs: no token.
			{"POST /api/v1/disclosures/{id}/sign", "/api/v1/disclosures/" + id(w.disclosureA) + "/sign", all(403)},
			{"GET /api/v1/letters", "/api/v1/letters", all(200)},
			{"POST /api/v1/letters", "/api/v1/letters", all(403, "supervisor", 400)},
			{"GET /api/v1/letters/{id}", "/api/v1/letters/" + id(w.letterA), all(200, "clerk_b", 404)},
			// An empty request names no version: the office is told of a conflict.
			{"POST /api/v1/letters/{id}/reply", "/api/v1/letters/" + id(w.letterA) + "/reply", all(403, "supervisor", 409)},
			{"POST /api/v1/letters/{id}/resolution", "/api/v1/letters/" + id(w.letterA) + "/resolution", all(403, "supervisor", 409)},
			{"GET /api/v1/signals", "/api/v1/signals", all(200)},
		}
		// Every attempt on another group's data is answered 404 and recorded.
		auditSvc := sqldb.NewAuditService(db)
		denied := func() int {
			_, n, err := auditSvc.FindAudit(sys, qingqian.AuditFilter{Action: "security.denied", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		covered = nil
		for _, rt := range api {
			covered = append(covered, rt.pattern)
			method, _, _ := strings.Cut(rt.pattern, " ")
			for _, role := range append([]string{""}, everyone...) {
				if noToken[role] {
					continue
				}
				want := rt.want[role]
				body := "{}"
				if method == "GET" || method == "DELETE" {
					body = ""
				}
				before := denied()
				r := e.do(method, rt.path, tokens[role], body)
				if role == "" {
					want = http.StatusUnauthorized
				}
				if r.status != want {
					t.Errorf("API %s %s as %q: %d, want %d: %s", method, rt.path, role, r.status, want, r.body)
				}
				if role == "clerk_b" && want == http.StatusNotFound && denied() == before {
					t.Errorf("API %s %s as %q: 404 without a security.denied record", method, rt.path, role)
				}
			}
		}
		assertCovers(t, covered, web.RoutePatterns())
	})
}

func assertCovers(t *testing.T, covered, routes []string) {
	t.Helper()
	sort.Strings(covered)
	sort.Strings(routes)
	if strings.Join(covered, "\n") != strings.Join(routes, "\n") {
		t.Errorf("the matrix covers\n%s\nbut the server routes\n%s", strings.Join(covered, "\n"), strings.Join(routes, "\n"))
	}
}
