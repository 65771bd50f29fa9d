package web_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The ledger as of a date through the API, and the totals' known_at left out when none was
// asked.
func TestAPILedgerAsOfAndTotalsWithoutKnownAt(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		// Arisen 2019-01-10, due 2019-04-10, paid in full on 2019-06-01.
		id := itoa(e.newItem(e.tokA, e.a.ID, "1000.00").want(t, 201).num("id"))
		e.do("POST", "/api/v1/items/"+id+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-06-01", "amount": "1000.00", "method": "transfer"}).want(t, 201)
		count := func(query string) int64 {
			t.Helper()
			r := e.do("GET", "/api/v1/items?"+query, e.tokA, nil).want(t, 200)
			return r.num("total")
		}
		cases := map[string]int64{
			"overdue=true":                     0, // paid today
			"overdue=true&as_of=2019-05-01":    1, // due, unpaid then
			"overdue=true&as_of=2019-03-01":    0, // not yet due
			"overdue=true&as_of=2019-01-01":    0, // not yet arisen
			"min_amount=0.01&as_of=2019-05-31": 1,
			"min_amount=0.01&as_of=2019-06-01": 0,
		}
		for q, want := range cases {
			if got := count(q); got != want {
				t.Errorf("%s: %d items, want %d", q, got, want)
			}
		}
		r := e.do("GET", "/api/v1/items?as_of=2019-05-01", e.tokA, nil).want(t, 200)
		first := r.json["items"].([]any)[0].(map[string]any)["balance"].(map[string]any)
		if first["outstanding"] != "1000.00" || first["repaid"] != "0.00" || r.str("total_outstanding") != "1000.00" {
			t.Fatalf("as of 2019-05-01: %s", r.body)
		}
		e.do("GET", "/api/v1/items?as_of=2019-05-01&status=unpaid", e.tokA, nil).want(t, 400).field(t, "status")
		tot := e.do("GET", "/api/v1/orgs/"+itoa(e.a.ID)+"/totals", e.tokA, nil).want(t, 200)
		if _, ok := tot.json["known_at"]; ok || strings.Contains(string(tot.body), "0001-01-01") {
			t.Fatalf("known_at without one asked: %s", tot.body)
		}
		tot = e.do("GET", "/api/v1/orgs/"+itoa(e.a.ID)+"/totals?known_at=2026-01-01T00:00:00Z", e.tokA, nil).want(t, 200)
		if _, ok := tot.json["known_at"]; !ok {
			t.Fatalf("known_at asked for and not said: %s", tot.body)
		}
	})
}

// The dashboard's to-do counts follow the chosen date, and each equals the number of items in
// the list its link opens.
func TestDashboardToDoCountsFollowTheDateAndTheirLists(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		// Due 2019-04-10, paid on 2019-06-01; another with a disputed part resolved on 2019-06-01.
		id := itoa(e.newItem(e.tokA, e.a.ID, "1000.00").want(t, 201).num("id"))
		e.do("POST", "/api/v1/items/"+id+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-06-01", "amount": "1000.00", "method": "transfer"}).want(t, 201)
		d := e.do("POST", "/api/v1/items", e.tokA, map[string]any{"org_id": e.a.ID, "creditor_uscc": e.creditor.USCC, "kind": "works", "arisen_on": "2019-01-10",
			"undisputed": "100.00", "disputed": "50.00", "dispute_reason": "质量争议", "origin": "baseline", "funding_source": "own"}).want(t, 201)
		e.do("POST", "/api/v1/items/"+itoa(d.num("id"))+"/entries", e.tokA, map[string]any{"kind": "court_reduction", "on": "2019-06-01", "amount": "50.00", "part": "disputed", "reason": "判决核减"}).want(t, 201)
		c := session(t, e, "supervisor")
		link := regexp.MustCompile(`<a href="([^"]+)" id="todo-(\w+)">[^<]*<b>(\d+)</b>`)
		total := regexp.MustCompile(`id="total-count">(\d+)<`)
		counts := func(asOf string) map[string]string {
			t.Helper()
			status, body, _ := page(t, c, "GET", e.srv.URL+"/?as_of="+asOf, nil)
			if status != 200 {
				t.Fatalf("dashboard %s: %d", asOf, status)
			}
			out := map[string]string{}
			for _, m := range link.FindAllStringSubmatch(body, -1) {
				href := strings.ReplaceAll(m[1], "&amp;", "&")
				status, list, _ := page(t, c, "GET", e.srv.URL+href, nil)
				n := total.FindStringSubmatch(list)
				if status != 200 || n == nil || n[1] != m[3] {
					t.Errorf("as of %s, %s: the dashboard says %s, its list (%s, %d) shows %v", asOf, m[2], m[3], href, status, n)
				}
				out[m[2]] = m[3]
			}
			if len(out) != 3 {
				t.Fatalf("as of %s: to-do lines %v", asOf, out)
			}
			return out
		}
		then, now := counts("2019-05-01"), counts(qingqian.Today().String())
		if then["overdue"] != "1" || now["overdue"] != "0" || then["disputed"] != "1" || now["disputed"] != "0" || then["unfunded"] != "3" || now["unfunded"] != "2" {
			t.Fatalf("to-do counts as of 2019-05-01 %v, today %v", then, now)
		}
	})
}
