package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// A request that runs out of time is answered 503 with a Chinese message and logged as
// cancelled, not answered as a conflict nor logged as an internal error; one cancelled by its
// client is logged as cancelled too.
func TestCancelledRequests(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		var log bytes.Buffer
		s, err := web.NewServer(e.svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(&log, nil)))
		if err != nil {
			t.Fatal(err)
		}
		call := func(ctx context.Context) (int, string, string) {
			req := httptest.NewRequest("GET", "/api/v1/orgs", nil).WithContext(ctx)
			req.Header.Set("Authorization", "Bearer "+e.tokA)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
			}
			return rec.Code, body.Error.Code, body.Error.Message
		}
		late, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		defer cancel()
		if status, code, msg := call(late); status != http.StatusServiceUnavailable || code != "canceled" || msg != "处理超时，请稍后再试" {
			t.Fatalf("out of time: %d %q %q", status, code, msg)
		}
		if got := log.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, `msg="request cancelled"`) ||
			!strings.Contains(got, "deadline exceeded") || strings.Contains(got, "internal error") {
			t.Fatalf("log:\n%s", got)
		}
		log.Reset()
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		if status, code, msg := call(gone); status != http.StatusServiceUnavailable || code != "canceled" || msg != "请求已取消" {
			t.Fatalf("cancelled: %d %q %q", status, code, msg)
		}
		if got := log.String(); !strings.Contains(got, "level=INFO") || !strings.Contains(got, `msg="request cancelled"`) {
			t.Fatalf("log:\n%s", got)
		}
	})
}
