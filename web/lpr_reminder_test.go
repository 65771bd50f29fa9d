package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The office's dashboard, the administrator's landing page and the LPR page remind of a month's
// LPR missing from the table, until it is entered.
func TestLPRReminder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		get := func(user, path string) string {
			t.Helper()
			_, secret, err := sqldb.NewUserService(db).Login(context.Background(), user, testPassword, "")
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Fatalf("%s %s: %d", user, path, res.StatusCode)
			}
			return html.UnescapeString(string(b))
		}
		pages := []struct{ user, path string }{{"supervisor", "/"}, {"admin", "/users"}, {"clerk_a", "/lpr"}}
		admin := qingqian.NewContext(context.Background(), w.users["admin"].Actor())
		today := qingqian.Today()
		want := qingqian.LPRExpected(today)
		// A table ending the month before the one expected: stale.
		old := qingqian.LPR{Published: want.AddMonths(-1), OneYear: qingqian.Rate{Micro: 3_000_000}, FiveYear: qingqian.Rate{Micro: 3_500_000}}
		if err := e.svc.LPR.SetLPR(admin, []qingqian.LPR{old}); err != nil {
			t.Fatal(err)
		}
		tab, err := e.svc.LPR.FindLPR(admin)
		if err != nil {
			t.Fatal(err)
		}
		if tab[len(tab)-1].Published.Before(want) {
			for _, p := range pages {
				if page := get(p.user, p.path); !strings.Contains(page, `id="lpr-reminder"`) || !strings.Contains(page, "LPR尚未录入") {
					t.Errorf("%s %s: no LPR reminder", p.user, p.path)
				}
			}
			// A group's clerk is not reminded on its dashboard: the administrator enters the LPR.
			if strings.Contains(get("clerk_a", "/"), `id="lpr-reminder"`) {
				t.Errorf("a clerk's dashboard reminds of the LPR")
			}
		}
		fresh := old
		fresh.Published = want
		if err := e.svc.LPR.SetLPR(admin, []qingqian.LPR{fresh}); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if strings.Contains(get(p.user, p.path), `id="lpr-reminder"`) {
				t.Errorf("%s %s: reminded once the LPR of %s is entered", p.user, p.path, want)
			}
		}
	})
}
