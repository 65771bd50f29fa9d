package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// scrape reads /metrics with the given headers.
func scrape(t *testing.T, url string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/metrics", nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var (
	sampleLine = regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? (-?[0-9.e+-]+|\+Inf)$`)
	metaLine   = regexp.MustCompile(`^# (HELP|TYPE) ([a-z_]+) (.+)$`)
)

// checkExposition checks the text format: every sample belongs to a family announced with HELP
// and TYPE, and each histogram's buckets are cumulative and end in +Inf equal to its count.
func checkExposition(t *testing.T, text string) map[string]float64 {
	t.Helper()
	types := map[string]string{}
	values := map[string]float64{}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if m := metaLine.FindStringSubmatch(line); m != nil {
			if m[1] == "TYPE" {
				types[m[2]] = m[3]
			}
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample line: %q", line)
		}
		family := m[1]
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if f := strings.TrimSuffix(m[1], suffix); f != m[1] && types[f] == "histogram" {
				family = f
			}
		}
		if types[family] == "" {
			t.Fatalf("%q has no TYPE line before it", line)
		}
		v, err := strconv.ParseFloat(strings.Replace(m[4], "+Inf", "Inf", 1), 64)
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		values[m[1]+m[2]] = v
	}
	return values
}

// /metrics serves requests by route and status, latency histograms, imports, pools and write
// waits in the text format, to the loopback interface or to whoever has the token.
func TestMetrics(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		s, err := web.NewServer(e.svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s.DBStats = db.PoolStats
		waits := web.NewHistogram("qingqian_db_write_wait_seconds", "Write waits.", web.DefaultBuckets)
		db.OnWriteWait = waits.ObserveDuration
		defer func() { db.OnWriteWait = nil }()
		s.AddHistogram(waits)
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		get := func(path string) {
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+e.tokA)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		for range 3 {
			get("/api/v1/items")
		}
		get("/api/v1/items/999999")
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/items", strings.NewReader(`{"org_id":`+strconv.FormatInt(e.a.ID, 10)+`,"creditor_uscc":"`+
			e.creditor.USCC+`","kind":"works","arisen_on":"2019-01-10","undisputed":"10.00","origin":"baseline"}`))
		req.Header.Set("Authorization", "Bearer "+e.tokA)
		req.Header.Set("Content-Type", "application/json")
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 201 {
			var body []byte
			if res != nil {
				body, _ = io.ReadAll(res.Body)
			}
			t.Fatalf("create item: %v %s", err, body)
		}

		st, text := scrape(t, srv.URL)
		if st != 200 {
			t.Fatalf("metrics from loopback: %d %s", st, text)
		}
		v := checkExposition(t, text)
		for series, want := range map[string]float64{
			`qingqian_http_requests_total{route="GET /api/v1/items",code="200"}`:                 3,
			`qingqian_http_requests_total{route="GET /api/v1/items/{id}",code="404"}`:            1,
			`qingqian_http_requests_total{route="POST /api/v1/items",code="201"}`:                1,
			`qingqian_http_request_duration_seconds_count{route="GET /api/v1/items"}`:            3,
			`qingqian_http_request_duration_seconds_bucket{route="GET /api/v1/items",le="+Inf"}`: 3,
			`qingqian_imports_running`:              0,
			`qingqian_http_requests_in_flight`:      1, // the scrape itself
			`qingqian_imports_total{result="done"}`: 0,
			`qingqian_db_write_wait_seconds_count`:  1,
			`qingqian_db_pool_max_open{pool="` + map[string]string{"sqlite": "write", "postgres": "primary"}[db.Dialect()] + `"}`: map[string]float64{"sqlite": 1, "postgres": 16}[db.Dialect()],
		} {
			if got, ok := v[series]; !ok || got != want {
				t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
			}
		}
		// Not through a proxy, and with a token only with the token.
		if st, _ := scrape(t, srv.URL, "X-Forwarded-For", "203.0.113.9"); st != http.StatusForbidden {
			t.Fatalf("metrics through a proxy: %d", st)
		}
		s.MetricsToken = "metrics-secret"
		if st, _ := scrape(t, srv.URL); st != http.StatusForbidden {
			t.Fatalf("metrics without the token: %d", st)
		}
		if st, _ := scrape(t, srv.URL, "Authorization", "Bearer wrong"); st != http.StatusForbidden {
			t.Fatalf("metrics with a wrong token: %d", st)
		}
		if st, _ := scrape(t, srv.URL, "Authorization", "Bearer metrics-secret", "X-Forwarded-For", "203.0.113.9"); st != 200 {
			t.Fatalf("metrics with the token: %d", st)
		}
	})
}

// The running import's progress and the imports' results are in the metrics.
func TestMetricsImports(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		h := &heldImports{ImportService: e.svc.Imports, started: make(chan struct{}, 1), release: make(chan struct{})}
		svc := e.svc
		svc.Imports = h
		s, err := web.NewServer(svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		s.SpoolDir = t.TempDir()
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		body, ctype := multipartBody(map[string]string{"kind": "ledger"}, map[string][2]string{"file": {"台账.csv", ledgerCSV}})
		if st, page := send(t, "POST", srv.URL+"/imports", ctype, body, sessionOf(t, db, "clerk_a"), ""); st != http.StatusSeeOther {
			t.Fatalf("import: %d %.1000s", st, page)
		}
		<-h.started
		_, text := scrape(t, srv.URL)
		v := checkExposition(t, text)
		if v["qingqian_imports_running"] != 1 || !strings.Contains(text, `qingqian_import_rows_processed{job="`) {
			t.Fatalf("a running import is not in the metrics:\n%s", text)
		}
		close(h.release)
		if n := s.Drain(context.Background()); n != 0 {
			t.Fatalf("drain cancelled %d", n)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, text = scrape(t, srv.URL)
			v = checkExposition(t, text)
			if v[`qingqian_imports_total{result="done"}`] == 1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if v[`qingqian_imports_total{result="done"}`] != 1 || v["qingqian_imports_running"] != 0 {
			t.Fatalf("the finished import is not counted:\n%s", text)
		}
	})
}

// panickyItems is the item service with a list that panics.
type panickyItems struct{ qingqian.ItemService }

func (panickyItems) FindItems(context.Context, qingqian.ItemFilter) (*qingqian.ItemPage, error) {
	panic("a bug in the item list")
}

// A panic is answered 500 with the request's ID, which its log record carries too, and is
// counted under its route.
func TestPanicCarriesRequestID(t *testing.T) {
	db := sqldbtest.MustOpen(t, "sqlite")
	e := newEnv(t, db)
	svc := e.svc
	svc.Items = panickyItems{e.svc.Items}
	var logs bytes.Buffer
	s, err := web.NewServer(svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/items", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokA)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	id := res.Header.Get("X-Request-ID")
	if res.StatusCode != 500 || id == "" || !strings.Contains(string(body), `"request_id":"`+id+`"`) {
		t.Fatalf("panic: %d %q %s", res.StatusCode, id, body)
	}
	if !regexp.MustCompile(`"msg":"panic".*"id":"` + id + `"`).MatchString(logs.String()) {
		t.Fatalf("the panic's record lacks the request ID %s:\n%s", id, logs.String())
	}
	_, text := scrape(t, srv.URL)
	if !strings.Contains(text, `qingqian_http_requests_total{route="GET /api/v1/items",code="500"} 1`) {
		t.Fatalf("the panic is not counted:\n%s", text)
	}
}
