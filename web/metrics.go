package web

// Metrics at /metrics, in Prometheus's text exposition format (version 0.0.4), written here by
// hand: a few counters, gauges and histograms do not need a client library and its dependencies.
// Request metrics are labelled by route pattern (as registered in routes.go, so their number is
// bounded), never by path.
//
// Access: with Server.MetricsToken set, a request must carry it as a bearer token; without one,
// only requests from the loopback interface that came through no proxy (no Forwarded,
// X-Forwarded-For or X-Real-IP header) are answered, so that a reverse proxy on the same machine
// does not publish the metrics.

import (
	"bufio"
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"math"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBuckets are the upper bounds, in seconds, of the latency histograms.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Histogram counts observations into buckets, as a Prometheus histogram. It is safe for
// concurrent use.
type Histogram struct {
	name, help string
	buckets    []float64
	labelled   bool // its series have labels: none is shown before the first observation

	mu     sync.Mutex
	series map[string]*histSeries // by label text, "" for none
}

type histSeries struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

// NewHistogram returns a histogram with the given buckets (upper bounds, ascending).
func NewHistogram(name, help string, buckets []float64) *Histogram {
	return &Histogram{name: name, help: help, buckets: buckets, series: map[string]*histSeries{}}
}

// Observe records one value (seconds, for a duration) of the series without labels.
func (h *Histogram) Observe(v float64) { h.observe("", v) }

// ObserveDuration records a duration in seconds.
func (h *Histogram) ObserveDuration(d time.Duration) { h.observe("", d.Seconds()) }

func (h *Histogram) observe(labels string, v float64) {
	i := sort.SearchFloat64s(h.buckets, v)
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.series[labels]
	if s == nil {
		s = &histSeries{counts: make([]uint64, len(h.buckets)+1)}
		h.series[labels] = s
	}
	s.counts[i]++
	s.sum += v
	s.count++
}

func (h *Histogram) write(w *bufio.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	if len(h.series) == 0 && !h.labelled {
		h.series[""] = &histSeries{counts: make([]uint64, len(h.buckets)+1)} // zeros, from the start
	}
	keys := make([]string, 0, len(h.series))
	for k := range h.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := h.series[k]
		sep := ""
		if k != "" {
			sep = ","
		}
		var cum uint64
		for i, b := range h.buckets {
			cum += s.counts[i]
			fmt.Fprintf(w, "%s_bucket{%s%sle=\"%s\"} %d\n", h.name, k, sep, formatFloat(b), cum)
		}
		cum += s.counts[len(h.buckets)]
		fmt.Fprintf(w, "%s_bucket{%s%sle=\"+Inf\"} %d\n", h.name, k, sep, cum)
		fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", h.name, braces(k), formatFloat(s.sum), h.name, braces(k), s.count)
	}
}

func braces(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// label renders a label pair with its value escaped as the format requires.
func label(name, value string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return name + `="` + r.Replace(value) + `"`
}

// metrics are the server's own metrics: its requests, in flight and done, and its imports.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // route, status → count
	latency  *Histogram
	inFlight atomic.Int64
	imports  map[string]uint64 // result → count
	// extra are histograms registered from outside (e.g. the database's write waits).
	extra []*Histogram
}

func newMetrics() *metrics {
	m := &metrics{requests: map[[2]string]uint64{}, imports: map[string]uint64{},
		latency: NewHistogram("qingqian_http_request_duration_seconds", "Time to answer a request, by route pattern.", DefaultBuckets)}
	m.latency.labelled = true
	return m
}

// request records a request answered.
func (m *metrics) request(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.mu.Lock()
	m.requests[[2]string{route, strconv.Itoa(status)}]++
	m.mu.Unlock()
	m.latency.observe(label("route", route), d.Seconds())
}

// importDone records an import's end: "done", "failed" or "cancelled".
func (m *metrics) importDone(result string) {
	m.mu.Lock()
	m.imports[result]++
	m.mu.Unlock()
}

// AddHistogram adds a histogram to the metrics served.
func (s *Server) AddHistogram(h *Histogram) {
	s.metrics.mu.Lock()
	s.metrics.extra = append(s.metrics.extra, h)
	s.metrics.mu.Unlock()
}

// metricsAllowed says whether a request may read the metrics (see the file's comment).
func (s *Server) metricsAllowed(r *http.Request) bool {
	if s.MetricsToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.MetricsToken)) == 1
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if !s.metricsAllowed(r) {
		http.Error(w, "forbidden\n", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	m := s.metrics
	m.mu.Lock()
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	bw.WriteString("# HELP qingqian_http_requests_total Requests answered, by route pattern and status.\n# TYPE qingqian_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(bw, "qingqian_http_requests_total{%s,%s} %d\n", label("route", k[0]), label("code", k[1]), m.requests[k])
	}
	bw.WriteString("# HELP qingqian_imports_total Background imports ended, by result.\n# TYPE qingqian_imports_total counter\n")
	for _, res := range []string{"done", "failed", "cancelled"} {
		fmt.Fprintf(bw, "qingqian_imports_total{%s} %d\n", label("result", res), m.imports[res])
	}
	extra := append([]*Histogram(nil), m.extra...)
	m.mu.Unlock()
	fmt.Fprintf(bw, "# HELP qingqian_http_requests_in_flight Requests being answered.\n# TYPE qingqian_http_requests_in_flight gauge\nqingqian_http_requests_in_flight %d\n", m.inFlight.Load())
	m.latency.write(bw)
	for _, h := range extra {
		h.write(bw)
	}
	s.writeImportProgress(bw)
	if s.DBStats != nil {
		writePoolStats(bw, s.DBStats())
	}
	if s.DBGauges != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		announced := map[string]bool{}
		for _, g := range s.DBGauges(ctx) {
			if !announced[g.Name] {
				announced[g.Name] = true
				fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", g.Name, g.Help, g.Name, g.Type)
			}
			labels := ""
			if g.Label[0] != "" {
				labels = "{" + label(g.Label[0], g.Label[1]) + "}"
			}
			fmt.Fprintf(bw, "%s%s %s\n", g.Name, labels, formatFloat(g.Value))
		}
	}
}

// Gauge is one value reported at each scrape, e.g. by the database; values of one name (with
// different labels) come one after the other.
type Gauge struct {
	Name, Help string
	Type       string    // "gauge" or "counter"
	Label      [2]string // name and value of its one label, if any
	Value      float64
}

// writeImportProgress reports the imports running and the rows each has processed.
func (s *Server) writeImportProgress(w *bufio.Writer) {
	s.imports.mu.Lock()
	jobs := make([]*importJob, 0, len(s.imports.jobs))
	for _, j := range s.imports.jobs {
		jobs = append(jobs, j)
	}
	s.imports.mu.Unlock()
	sort.Slice(jobs, func(i, k int) bool { return jobs[i].ID < jobs[k].ID })
	running := 0
	w.WriteString("# HELP qingqian_import_rows_processed Rows processed so far by each running import.\n# TYPE qingqian_import_rows_processed gauge\n")
	for _, j := range jobs {
		p, done, _, _ := j.snapshot()
		if done {
			continue
		}
		running++
		fmt.Fprintf(w, "qingqian_import_rows_processed{%s,%s} %d\n", label("job", j.ID), label("kind", j.Kind), p.Rows)
	}
	fmt.Fprintf(w, "# HELP qingqian_imports_running Background imports running.\n# TYPE qingqian_imports_running gauge\nqingqian_imports_running %d\n", running)
}

// writePoolStats reports the connection pools' statistics (sql.DBStats), by pool.
func writePoolStats(w *bufio.Writer, pools map[string]sql.DBStats) {
	names := make([]string, 0, len(pools))
	for n := range pools {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, m := range []struct {
		name, help, typ string
		value           func(st sql.DBStats) float64
	}{
		{"qingqian_db_pool_max_open", "Maximum open connections of the pool.", "gauge", func(st sql.DBStats) float64 { return float64(st.MaxOpenConnections) }},
		{"qingqian_db_pool_open", "Open connections, in use or idle.", "gauge", func(st sql.DBStats) float64 { return float64(st.OpenConnections) }},
		{"qingqian_db_pool_in_use", "Connections in use.", "gauge", func(st sql.DBStats) float64 { return float64(st.InUse) }},
		{"qingqian_db_pool_idle", "Idle connections.", "gauge", func(st sql.DBStats) float64 { return float64(st.Idle) }},
		{"qingqian_db_pool_wait_total", "Times a caller waited for a connection.", "counter", func(st sql.DBStats) float64 { return float64(st.WaitCount) }},
		{"qingqian_db_pool_wait_seconds_total", "Time callers waited for a connection.", "counter", func(st sql.DBStats) float64 { return st.WaitDuration.Seconds() }},
		{"qingqian_db_pool_closed_idle_total", "Connections closed for idling.", "counter", func(st sql.DBStats) float64 { return float64(st.MaxIdleClosed + st.MaxIdleTimeClosed) }},
		{"qingqian_db_pool_closed_lifetime_total", "Connections closed for their age.", "counter", func(st sql.DBStats) float64 { return float64(st.MaxLifetimeClosed) }},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.typ)
		for _, n := range names {
			fmt.Fprintf(w, "%s{%s} %s\n", m.name, label("pool", n), formatFloat(m.value(pools[n])))
		}
	}
}
