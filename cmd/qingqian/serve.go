package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/web"
)

// serve serves the workbench and the API until the context ends, loading the demo province
// first into an empty database when asked.
func (m *Main) serve(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("serve", &c)
	fs.StringVar(&c.addr, "addr", m.env("ADDR", ":8080"), "监听地址")
	fs.BoolVar(&c.demo, "demo", false, "数据库为空时载入示范省演示数据")
	fs.StringVar(&c.tlsCert, "tls-cert", m.env("TLS_CERT", ""), "HTTPS 证书文件")
	fs.StringVar(&c.tlsKey, "tls-key", m.env("TLS_KEY", ""), "HTTPS 私钥文件")
	grace, err := time.ParseDuration(m.env("SHUTDOWN_GRACE", "60s"))
	if err != nil {
		return fmt.Errorf("QINGQIAN_SHUTDOWN_GRACE 应为时长，如 60s、5m: %w", err)
	}
	fs.DurationVar(&c.grace, "shutdown-grace", grace, "停止时等待进行中的请求与导入完成的最长时间，超时则取消它们（不写入任何数据）")
	fs.StringVar(&c.logFormat, "log-format", m.env("LOG_FORMAT", "text"), "日志格式：text 或 json")
	dbRead := fs.String("db-read", m.env("DB_READ", ""), "PostgreSQL 热备库（只读）连接串：报表、列表、导出与首页的读取由它承担")
	maxLag, err := time.ParseDuration(m.env("DB_READ_MAX_LAG", "30s"))
	if err != nil {
		return fmt.Errorf("QINGQIAN_DB_READ_MAX_LAG 应为时长: %w", err)
	}
	fs.DurationVar(&maxLag, "db-read-max-lag", maxLag, "备库落后主库超过此时长时，读取改由主库承担")
	pin, err := time.ParseDuration(m.env("READ_YOUR_WRITES", "10s"))
	if err != nil {
		return fmt.Errorf("QINGQIAN_READ_YOUR_WRITES 应为时长: %w", err)
	}
	fs.DurationVar(&pin, "read-your-writes", pin, "用户写入后，其读取由主库承担的时长（看到自己刚写入的数据）")
	metricsToken := m.env("METRICS_TOKEN", "")
	publicReplies := fs.Bool("public-replies", m.env("PUBLIC_REPLIES", "") == "true",
		"开放债权人询证函在线回复页面（/confirm，凭函号和校验码，无需账号）；默认关闭")
	sweepAt := fs.String("sweep-at", m.env("SWEEP_AT", "01:30"),
		"每日将逾期未付的合同应付款转入拖欠台账（新增欠款）的时刻 HH:MM（北京时间；启动时也做一次）；off 不做")
	proxies := fs.String("trusted-proxies", m.env("TRUSTED_PROXIES", ""), "可信反向代理的地址段，逗号分隔（如 10.0.0.5/32）：采信其 X-Forwarded-For、X-Forwarded-Proto")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	at, sweepOn, err := parseSweepAt(*sweepAt)
	if err != nil {
		return err
	}
	var trusted []netip.Prefix
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				p = netip.PrefixFrom(a, a.BitLen()).String()
			}
		}
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			return fmt.Errorf("--trusted-proxies：%q 不是地址或地址段", p)
		}
		trusted = append(trusted, pr)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return fmt.Errorf("--tls-cert 与 --tls-key 须同时提供")
	}
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return fmt.Errorf("数据目录 %s 无法创建: %w", c.data, err)
	}
	release, err := lockDataDir(c.data)
	if err != nil {
		return err
	}
	defer release()
	var base slog.Handler
	switch c.logFormat {
	case "text":
		base = slog.NewTextHandler(m.Stderr, nil)
	case "json":
		base = slog.NewJSONHandler(m.Stderr, nil)
	default:
		return fmt.Errorf("--log-format 应为 text 或 json")
	}
	// Every record logged with a request's context carries the request's ID.
	logger := slog.New(web.NewLogHandler(base))
	db, applied, err := m.openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) > 0 {
		logger.Info("migrations applied", "names", strings.Join(applied, ","))
	}
	db.Logger = logger
	if *dbRead == "" {
		if f := m.Getenv("QINGQIAN_DB_READ_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("QINGQIAN_DB_READ_FILE: %w", err)
			}
			*dbRead = strings.TrimSpace(string(b))
		}
	}
	if *dbRead != "" {
		if err := db.UseStandby(ctx, *dbRead, maxLag); err != nil {
			return err
		}
	}
	// What a stopped or killed server left behind: voucher uploads and spooled imports.
	if n, err := db.SweepVoucherUploads(); err != nil {
		return err
	} else if n > 0 {
		logger.Info("removed unfinished voucher uploads", "files", n)
	}
	// Imports a killed server was staging: their staging rows (nothing of them is in the ledger).
	if n, err := db.SweepImports(ctx); err != nil {
		return err
	} else if n > 0 {
		logger.Warn("removed the staging rows of imports a stopped server did not finish", "imports", n)
	}
	// The background work is waited for before serve returns (and before the database closes):
	// none of it may still be writing in the data folder once serve has said it stopped.
	var background sync.WaitGroup
	sweepCtx, stopSweeping := context.WithCancel(ctx)
	defer func() { stopSweeping(); background.Wait() }()
	background.Go(func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-sweepCtx.Done():
				return
			case <-t.C:
				if n, err := db.SweepImports(sweepCtx); err != nil && sweepCtx.Err() == nil {
					logger.Warn("sweeping the staging of imports failed", "err", err)
				} else if n > 0 {
					logger.Warn("removed the staging rows of abandoned imports", "imports", n)
				}
			}
		}
	})
	var demoToken string
	if c.demo {
		_, n, err := sqldb.NewServices(db).Orgs.FindOrgs(qingqian.NewContext(ctx, qingqian.SystemActor("演示数据")), qingqian.OrgFilter{Limit: 1})
		if err != nil {
			return err
		}
		if n == 0 {
			if demoToken, err = m.loadDemo(ctx, db); err != nil {
				return fmt.Errorf("载入演示数据失败: %w", err)
			}
		} else {
			fmt.Fprintln(m.Stdout, "数据库已有数据，不再载入演示数据。")
		}
	}
	srv, err := web.NewServer(sqldb.NewServices(db), db.Ready, db.MaxVoucherSize, logger)
	if err != nil {
		return err
	}
	srv.TrustedProxies = trusted
	srv.SpoolDir = filepath.Join(c.data, "spool")
	srv.MetricsToken = metricsToken
	srv.PublicReplies = *publicReplies
	srv.StandbyReads, srv.ReadYourWrites = *dbRead != "", pin
	srv.DBStats = db.PoolStats
	writeWait := web.NewHistogram("qingqian_db_write_wait_seconds", "Time a write transaction waited to begin (SQLite: the write lock; PostgreSQL: a connection).", web.DefaultBuckets)
	db.OnWriteWait = writeWait.ObserveDuration
	srv.AddHistogram(writeWait)
	srv.DBGauges = func(ctx context.Context) []web.Gauge {
		var gs []web.Gauge
		if n, ok, err := db.LockWaiters(ctx); ok && err == nil {
			gs = append(gs, web.Gauge{Name: "qingqian_db_lock_waiters", Help: "PostgreSQL sessions of this database waiting for a lock.", Type: "gauge", Value: float64(n)})
		}
		if st := db.StandbyStats(); st.InUse {
			const reads = "qingqian_db_reads_total"
			gs = append(gs, web.Gauge{Name: reads, Help: "Reads outside write transactions, by the database that served them.", Type: "counter", Label: [2]string{"pool", "primary"}, Value: float64(st.PrimaryReads)},
				web.Gauge{Name: reads, Type: "counter", Label: [2]string{"pool", "standby"}, Value: float64(st.StandbyReads)},
				web.Gauge{Name: "qingqian_db_standby_fallbacks_total", Help: "Reads meant for the standby that the primary served (the standby failed).", Type: "counter", Value: float64(st.Fallbacks)},
				web.Gauge{Name: "qingqian_db_standby_lag_seconds", Help: "The standby's replay lag when last measured.", Type: "gauge", Value: st.Lag.Seconds()})
		}
		return gs
	}
	if n, err := srv.SweepSpool(); err != nil {
		return err
	} else if n > 0 {
		logger.Info("removed spooled uploads of unfinished imports", "files", n)
	}
	if n, err := srv.RecoverImports(); err != nil {
		return err
	} else if n > 0 {
		logger.Warn("imports interrupted by the previous stop, marked so", "imports", n)
	}
	// Requests run in reqCtx, which is cancelled when the grace for stopping is over.
	reqCtx, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	hs := srv.HTTPServer()
	hs.BaseContext = func(net.Listener) context.Context { return reqCtx }
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if c.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(m.Stdout, "清欠系统已启动：%s://%s （数据库：%s，%s）\n", scheme, displayAddr(ln.Addr()), db.Dialect(), redact(c.db))
	if *dbRead != "" {
		fmt.Fprintf(m.Stdout, "报表、列表、导出与首页的读取由只读备库承担：%s（落后超过 %s 时改由主库；用户写入后 %s 内读主库）\n", redact(*dbRead), maxLag, pin)
	}
	if demoToken != "" {
		m.apiHint(scheme+"://"+displayAddr(ln.Addr()), demoToken)
	}
	if scheme == "http" {
		fmt.Fprintln(m.Stdout, "注意：未配置 --tls-cert/--tls-key，当前以 HTTP 明文提供服务，仅适合本机或受信内网试用。")
	}
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
	}
	// The data folder keeps a copy of the audit chains' heads, outside the database.
	anchorCtx, stopAnchor := context.WithCancel(sweepCtx)
	defer stopAnchor()
	background.Go(func() { keepAnchor(anchorCtx, db, anchorPath(&c), logger) })
	if sweepOn {
		background.Go(func() { keepSweeping(anchorCtx, sqldb.NewServices(db), at, logger) })
	}
	errc := make(chan error, 1)
	go func() {
		if scheme == "https" {
			errc <- hs.ServeTLS(ln, c.tlsCert, c.tlsKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return m.stop(hs, srv, cancelRequests, c.grace, logger)
}

// stop stops the server: no new requests; the requests and background imports in progress are
// waited for until the grace is over, then cancelled (each is a transaction: a cancelled one
// writes nothing, and an import's job says so). A clean stop returns nil even when it cancelled
// work; only a server that could not stop at all is an error.
func (m *Main) stop(hs *http.Server, srv *web.Server, cancelRequests context.CancelFunc, grace time.Duration, logger *slog.Logger) error {
	fmt.Fprintf(m.Stdout, "正在停止：等待进行中的请求和导入完成（最多 %s）……\n", grace)
	start := time.Now()
	graceCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(graceCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		cancelRequests()
		logger.Warn("requests still running after the grace were cancelled", "grace", grace.String())
		fmt.Fprintln(m.Stdout, "等待超时：仍在进行的请求已取消，没有写入任何数据。")
		after, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = hs.Shutdown(after)
	}
	if err != nil {
		hs.Close()
		return fmt.Errorf("服务未能停止: %w", err)
	}
	if n := srv.Drain(graceCtx); n > 0 {
		fmt.Fprintf(m.Stdout, "等待超时：%d 个进行中的导入已取消，没有写入任何数据，导入任务已标记为“已取消”。\n", n)
	}
	fmt.Fprintf(m.Stdout, "已停止（用时 %.1f 秒）。\n", time.Since(start).Seconds())
	return nil
}

// displayAddr is the listening address as a browser opens it: localhost for any address.
func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost:" + strings.TrimPrefix(s, "[::]:")
	}
	return strings.Replace(s, "0.0.0.0", "localhost", 1)
}
