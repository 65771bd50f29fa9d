package web

// Reads from a hot standby (serve --db-read). The reports, lists, exports and dashboards below
// may be served by a standby, a moment behind the primary; every other request, and every write,
// is served by the primary. A client that has just written reads from the primary for a while
// (ReadYourWrites): the page after a form's redirect, or an API client reading back what it
// posted, sees its own write. The client is known by a cookie (which also carries the rule
// across several servers behind a load balancer) and by its user or token (for API clients that
// keep no cookies).

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
)

// standbyRoutes are the routes whose reads may be served by a standby.
var standbyRoutes = map[string]bool{
	// dashboard.go, item.go, org.go, creditor.go, audit.go
	"GET /{$}": true, "GET /ledger": true, "GET /orgs": true, "GET /creditors": true, "GET /audit": true,
	// import.go: exports
	"GET /ledger/export": true, "GET /creditors/export": true, "GET /orgs/export": true,
	// report.go, supervision.go, clue.go, court.go
	"GET /periods": true, "GET /periods/{id}/report": true, "GET /periods/{id}/report/export": true, "GET /progress": true,
	"GET /notices": true, "GET /interviews": true, "GET /interviews/export": true,
	"GET /clues": true, "GET /clues/export": true, "GET /cases": true, "GET /disputes": true, "GET /disputes/export": true,
	// the API's lists and reports
	"GET /api/v1/orgs": true, "GET /api/v1/orgs/{id}/totals": true, "GET /api/v1/creditors": true, "GET /api/v1/items": true,
	"GET /api/v1/audit": true, "GET /api/v1/periods": true, "GET /api/v1/periods/{id}/report": true, "GET /api/v1/progress": true,
	"GET /api/v1/notices": true, "GET /api/v1/clues": true, "GET /api/v1/cases": true, "GET /api/v1/disputes": true,
}

// StandbyRoutes lists the route patterns whose reads may be served by a standby.
func StandbyRoutes() []string {
	out := make([]string, 0, len(standbyRoutes))
	for p := range standbyRoutes {
		out = append(out, p)
	}
	return out
}

// DefaultReadYourWrites is how long a client that wrote reads from the primary.
const DefaultReadYourWrites = 10 * time.Second

// pinCookie marks a browser that wrote recently: its reads go to the primary until it expires.
const pinCookie = "qq_primary"

// recentWrites remembers, per user or token, when it last wrote.
type recentWrites struct {
	mu sync.Mutex
	at map[string]time.Time
}

func actorKey(a *qingqian.Actor) string {
	if a.TokenID != 0 {
		return "t" + strconv.FormatInt(a.TokenID, 10)
	}
	return "u" + strconv.FormatInt(a.UserID, 10)
}

func (rw *recentWrites) note(key string, now time.Time, keep time.Duration) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.at == nil {
		rw.at = map[string]time.Time{}
	}
	if len(rw.at) > 10000 {
		for k, t := range rw.at {
			if now.Sub(t) > keep {
				delete(rw.at, k)
			}
		}
	}
	rw.at[key] = now
}

func (rw *recentWrites) since(key string) (time.Time, bool) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	t, ok := rw.at[key]
	return t, ok
}

// routeReads decides where the reads of an authenticated request go. A request that may write
// pins its client to the primary for ReadYourWrites; a read of a standby route by a client not
// pinned is marked for the standby.
func (s *Server) routeReads(w http.ResponseWriter, r *http.Request, a *qingqian.Actor) *http.Request {
	if !s.StandbyReads {
		return r
	}
	pin := s.ReadYourWrites
	if pin <= 0 {
		pin = DefaultReadYourWrites
	}
	now := time.Now()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.recent.note(actorKey(a), now, pin)
		http.SetCookie(w, &http.Cookie{Name: pinCookie, Value: "1", Path: "/", MaxAge: int(pin / time.Second), HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		return r
	}
	if !standbyRoutes[r.Pattern] {
		return r
	}
	if _, err := r.Cookie(pinCookie); err == nil {
		return r
	}
	if t, ok := s.recent.since(actorKey(a)); ok && now.Sub(t) < pin {
		return r
	}
	return r.WithContext(qingqian.WithStandbyReads(r.Context()))
}
