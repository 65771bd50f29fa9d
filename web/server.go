// Package web serves Qingqian over HTTP, over the services of package qingqian: the workbench,
// Chinese pages rendered on the server for the people who keep and supervise the ledger (templates/
// and static/, embedded), and the JSON API under /api/v1 with its OpenAPI document. Handlers read
// the request, call the services and answer; every rule lives below them.
//
// Each entity has one file, named as in packages qingqian and sqldb, with its pages, its forms and
// its API handlers side by side: item.go (the ledger and an item's page), entry.go, plan.go,
// voucher.go, org.go, creditor.go, user.go (signing in and out, users, tokens), audit.go, report.go
// (periods, submissions, consolidated reports, progress), supervision.go (notices and interviews),
// clue.go, court.go (cases and the disputed-debt table), calendar.go, dashboard.go and import.go
// (imports, exports and templates). routes.go lists every route. The rest is shared: server.go (the
// server and its middleware), html.go (rendering pages for a user), form.go (reading forms),
// query.go (URL parameters and paging), json.go (API bodies), error.go (errors as JSON) and
// chart.go (SVG charts).
package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
)

// Services are the services the server calls: every one of them (see qingqian.Services).
type Services = qingqian.Services

// Server is the HTTP server of Qingqian.
type Server struct {
	Services
	// Ready reports whether the database is reachable and migrated (for /readyz).
	Ready func(ctx context.Context) error
	// MaxUpload bounds a voucher upload request, in bytes.
	MaxUpload int64
	Logger    *slog.Logger
	// SpoolDir holds uploaded files while they are imported: a folder of the server's own,
	// emptied at start (see SweepSpool); the system's temporary folder when empty.
	SpoolDir string
	// MetricsToken, when set, is the bearer token /metrics requires; without it /metrics
	// answers only the loopback interface (metrics.go).
	MetricsToken string
	// DBStats, when set, returns the database's connection pools' statistics, by pool name.
	DBStats func() map[string]sql.DBStats
	// DBGauges, when set, returns values the database reports at each scrape of /metrics.
	DBGauges func(ctx context.Context) []Gauge
	// StandbyReads sends the reads of the standby routes to a hot standby (standby.go), except
	// for ReadYourWrites (DefaultReadYourWrites when zero) after the client wrote.
	StandbyReads   bool
	ReadYourWrites time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
	// headers are believed: behind one of them the client's address is the last one it adds,
	// and a request it received over TLS is one. Requests from any other peer keep their own
	// address, whatever their headers say.
	TrustedProxies []netip.Prefix
	// BodyIdle is how long a request body may stall before the request fails; BodyMax is how
	// long reading one body may take in all.
	BodyIdle, BodyMax time.Duration
	// PublicReplies offers the creditors' own reply page for confirmation letters (/confirm),
	// reached with a letter's number and code, without an account. Off unless asked for.
	PublicReplies bool

	mux     *http.ServeMux
	imports importJobs
	// Background imports run in jobsCtx, which Drain cancels; jobsWG counts them.
	jobsCtx    context.Context
	cancelJobs context.CancelFunc
	jobsWG     sync.WaitGroup
	metrics    *metrics
	recent     recentWrites
	static     *staticFiles
	tmpl       map[string]*template.Template
}

// NewServer returns a server with its routes registered and its pages parsed; a page that does
// not parse is an error here, at start-up, not when someone opens it.
func NewServer(svc Services, ready func(context.Context) error, maxUpload int64, logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.Default()
	}
	logger = slog.New(NewLogHandler(logger.Handler()))
	s := &Server{Services: svc, Ready: ready, MaxUpload: maxUpload, Logger: logger, mux: http.NewServeMux(),
		BodyIdle: DefaultBodyIdle, BodyMax: DefaultBodyMax}
	s.jobsCtx, s.cancelJobs = context.WithCancel(context.Background())
	s.metrics = newMetrics()
	s.imports.remove = s.removeJob
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// Timeouts of a connection: its headers must arrive within ReadHeaderTimeout; a body that
// stalls for DefaultBodyIdle, or takes longer than DefaultBodyMax in all (a 20 MB voucher over
// a slow line takes minutes), ends its request.
const (
	ReadHeaderTimeout = 10 * time.Second
	DefaultBodyIdle   = 10 * time.Second
	DefaultBodyMax    = 10 * time.Minute
)

// Handler returns the server wrapped in its middleware: request IDs, security headers,
// cross-origin protection for state-changing requests, panic recovery and access logging.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	// The recoverer inside: a panic's log record and answer carry the request's ID, and the
	// request is counted and logged with its status 500.
	return s.secure(s.recoverer(cop.Handler(s.mux)))
}

// HTTPServer returns an http.Server for the handler with the connection timeouts set. No
// write timeout: an export of a province's ledger streams for as long as it takes.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{Handler: s.Handler(), ReadHeaderTimeout: ReadHeaderTimeout, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
}

// clientAddr returns the address a request came from: the peer's, or behind a trusted proxy
// the last address in X-Forwarded-For that is not one of the trusted proxies.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(a) {
			return a.Unmap().String()
		}
	}
	return peer.Unmap().String()
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// overTLS reports whether the browser reached the server over TLS: directly, or through a
// trusted proxy that says so.
func (s *Server) overTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	peer, err := netip.ParseAddr(host)
	return err == nil && s.trusted(peer) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// stallReader fails a request body that stops arriving: before each read it moves the
// connection's read deadline to now + idle, but never past the body's overall deadline.
type stallReader struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	end  time.Time
}

func (b *stallReader) Read(p []byte) (int, error) {
	d := time.Now().Add(b.idle)
	if d.After(b.end) {
		d = b.end
	}
	b.rc.SetReadDeadline(d)
	return b.ReadCloser.Read(p)
}

type ctxKey int

const requestIDKey ctxKey = 0

// randomKey returns a fresh random key, e.g. the idempotency key a payment form carries so that
// submitting it twice records one payment.
func randomKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// incomingID accepts a request ID given by a proxy in front (X-Request-ID), if it is a plain
// token, so that its logs and ours name the same request.
func incomingID(r *http.Request) string {
	id := r.Header.Get("X-Request-ID")
	if len(id) == 0 || len(id) > 64 {
		return ""
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return ""
		}
	}
	return id
}

func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := incomingID(r)
		if id == "" {
			b := make([]byte, 6)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		h := w.Header()
		h.Set("X-Request-ID", id)
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if s.overTLS(r) {
			// Once reached over TLS, browsers come back only over TLS for a year.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if r.Body != nil && r.Body != http.NoBody && s.BodyIdle > 0 {
			r.Body = &stallReader{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: s.BodyIdle, end: time.Now().Add(s.BodyMax)}
		}
		addr := s.clientAddr(r)
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		s.metrics.inFlight.Add(1)
		defer s.metrics.inFlight.Add(-1)
		// The mux sets the matched route's pattern on the request it is given: this one.
		r = r.WithContext(qingqian.WithSource(context.WithValue(r.Context(), requestIDKey, id), addr))
		if err := queryNUL(r); err != nil {
			// A search or filter with the NUL character: refused before any handler reads it.
			s.writeError(sw, r, err)
		} else {
			next.ServeHTTP(sw, r)
		}
		d := time.Since(start)
		s.metrics.request(r.Pattern, sw.status, d)
		if !strings.HasPrefix(r.URL.Path, "/healthz") && r.URL.Path != "/metrics" {
			s.Logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "route", r.Pattern, "status", sw.status, "ms", d.Milliseconds(), "addr", addr)
		}
	})
}

// queryNUL refuses a request whose path or query parameters contain the NUL character.
func queryNUL(r *http.Request) error {
	if qingqian.HasNUL(r.URL.Path) {
		return qingqian.RefuseNUL("路径", r.URL.Path)
	}
	if !strings.Contains(r.URL.RawQuery, "%00") {
		return nil
	}
	return formNUL(r.URL.Query())
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.ErrorContext(r.Context(), "panic", "value", v, "stack", string(debug.Stack()))
				s.writeError(w, r, qingqian.Internal(nil))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if s.Ready != nil {
		if err := s.Ready(ctx); err != nil {
			s.Logger.WarnContext(r.Context(), "not ready", "err", err)
			http.Error(w, "not ready\n", http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ready\n"))
}

// api authenticates an API request by its bearer token and runs h as the token's actor.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="qingqian"`)
			s.writeError(w, r, qingqian.Errorf(qingqian.EUNAUTHORIZED, "请在 Authorization 头中提供接口令牌（Bearer）"))
			return
		}
		actor, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="qingqian"`)
			s.writeError(w, r, err)
			return
		}
		r = s.routeReads(w, r.WithContext(qingqian.NewContext(r.Context(), actor)), actor)
		defer removeMultipart(r)
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// requireOfficeAPI refuses a caller that is not the clearance office before its body is read.
func requireOfficeAPI(r *http.Request) (*qingqian.Actor, error) {
	a, err := qingqian.RequireActor(r.Context())
	if err != nil {
		return nil, err
	}
	if !a.Has(qingqian.RoleSupervisor) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有清欠办可以进行此操作")
	}
	return a, nil
}

func ptr[T any](v T) *T { return &v }

// removeMultipart removes the temporary files of a multipart form the handler read. The server
// removes those of the request it was given, but a handler reads the form of a copy (made to
// carry the actor), whose files it would never see.
func removeMultipart(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// tooLarge reports a request body cut at its limit (http.MaxBytesReader).
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// sizeText is a size limit as people read it: "20 MB".
func sizeText(n int64) string { return strconv.FormatInt(n>>20, 10) + " MB" }
