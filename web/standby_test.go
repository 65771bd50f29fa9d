package web_test

import (
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// Every route said to read from a standby exists and reads only GETs.
func TestStandbyRoutesExist(t *testing.T) {
	all := append(web.HTMLRoutePatterns(), web.RoutePatterns()...)
	for _, p := range web.StandbyRoutes() {
		if !strings.HasPrefix(p, "GET ") || !slices.Contains(all, p) {
			t.Errorf("standby route %q is not a GET route of the server", p)
		}
	}
}

// pauseStandby stops the standby's replay until the returned function (or the test's end).
func pauseStandby(t *testing.T) func() {
	t.Helper()
	admin, err := sql.Open("pgx", os.Getenv(sqldbtest.EnvReplica))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	resume := func() {
		once.Do(func() {
			admin.Exec(`SELECT pg_wal_replay_resume()`)
			admin.Close()
		})
	}
	t.Cleanup(resume)
	return resume
}

// With a standby, the reports, lists, exports and dashboards are read from it, and answer as on
// the primary; a client that has just written reads from the primary and sees its write, while
// another reads the standby, a moment behind.
func TestReadsFromStandby(t *testing.T) {
	db, _ := sqldbtest.OpenWithStandby(t)
	e := newEnv(t, db)
	w := newWorld(t, db, e)
	s, err := web.NewServer(e.svc, db.Ready, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	s.StandbyReads = true
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	sqldbtest.WaitForStandby(t, db)
	office := sessionOf(t, db, "supervisor")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	params := strings.NewReplacer("{$}", "", "{id}", id(w.period))
	for _, p := range web.StandbyRoutes() {
		path := params.Replace(strings.TrimPrefix(p, "GET "))
		if p == "GET /api/v1/orgs/{id}/totals" {
			path = "/api/v1/orgs/" + id(e.root.ID) + "/totals"
		}
		before := db.StandbyStats().StandbyReads
		var st int
		var body string
		if strings.HasPrefix(path, "/api/") {
			st, body = send(t, "GET", srv.URL+path, "", nil, "", e.tokRoot)
		} else {
			st, body = send(t, "GET", srv.URL+path, "", nil, office, "")
		}
		if st != 200 {
			t.Errorf("%s: %d %.300s", p, st, body)
			continue
		}
		if db.StandbyStats().StandbyReads == before {
			t.Errorf("%s read nothing from the standby", p)
		}
	}
	// Not a standby route: the primary.
	before := db.StandbyStats().StandbyReads
	if st, _ := send(t, "GET", srv.URL+"/items/"+id(w.itemA), "", nil, office, ""); st != 200 {
		t.Fatalf("item page: %d", st)
	}
	if db.StandbyStats().StandbyReads != before {
		t.Fatal("an item's page read from the standby")
	}

	// Read your writes: with the standby held back, the clerk who records a repayment sees it on
	// the ledger it is sent to; the group's liaison, who wrote nothing, sees the standby's ledger.
	resume := pauseStandby(t)
	clerk, liaison := sessionOf(t, db, "clerk_a"), sessionOf(t, db, "liaison")
	body, ctype := multipartBody(map[string]string{"kind": "repay", "on": "2019-03-01", "amount": "5", "part": "undisputed", "method": "transfer"}, nil)
	req, _ := http.NewRequest("POST", srv.URL+"/items/"+id(w.itemA)+"/entries", body)
	req.Header.Set("Content-Type", ctype)
	req.AddCookie(&http.Cookie{Name: "qq_session", Value: clerk})
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("repayment: %d", res.StatusCode)
	}
	var pin *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "qq_primary" {
			pin = c
		}
	}
	if pin == nil || pin.MaxAge <= 0 {
		t.Fatalf("no read-your-writes cookie after a write: %v", res.Cookies())
	}
	ledger := func(session string, cookies ...*http.Cookie) string {
		req, _ := http.NewRequest("GET", srv.URL+"/ledger", nil)
		req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if p := ledger(clerk, pin); !strings.Contains(p, `id="total-outstanding">994.00`) {
		t.Fatalf("the clerk does not see its own repayment:\n%.3000s", p)
	}
	if p := ledger(liaison); !strings.Contains(p, `id="total-outstanding">999.00`) {
		t.Fatalf("the liaison's ledger was not read from the (held back) standby:\n%.3000s", p)
	}
	// An API client (no cookies) reads back what it posted: its token is pinned.
	st, items := send(t, "POST", srv.URL+"/api/v1/items/"+id(w.itemA)+"/entries", "application/json",
		strings.NewReader(`{"kind":"repay","on":"2019-03-03","amount":"3.00","method":"transfer"}`), "", e.tokA)
	if st != 201 {
		t.Fatalf("API repayment: %d %s", st, items)
	}
	st, items = send(t, "GET", srv.URL+"/api/v1/items", "", nil, "", e.tokA)
	if st != 200 || !strings.Contains(items, `"outstanding":"991.00"`) {
		t.Fatalf("the API client does not read back its write: %d %.2000s", st, items)
	}
	resume()
	sqldbtest.WaitForStandby(t, db)
	if p := ledger(liaison); !strings.Contains(p, `id="total-outstanding">991.00`) {
		t.Fatalf("the standby did not catch up:\n%.3000s", p)
	}
}
