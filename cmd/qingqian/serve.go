package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
	if err := fs.Parse(args); err != nil {
		return exitError(2)
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
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	db, applied, err := m.openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) > 0 {
		logger.Info("migrations applied", "names", strings.Join(applied, ","))
	}
	db.Logger = logger
	// What a stopped or killed server left behind: voucher uploads and spooled imports.
	if n, err := db.SweepVoucherUploads(); err != nil {
		return err
	} else if n > 0 {
		logger.Info("removed unfinished voucher uploads", "files", n)
	}
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
	srv.SpoolDir = filepath.Join(c.data, "spool")
	if n, err := srv.SweepSpool(); err != nil {
		return err
	} else if n > 0 {
		logger.Info("removed spooled uploads of unfinished imports", "files", n)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if c.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(m.Stdout, "清欠系统已启动：%s://%s （数据库：%s，%s）\n", scheme, displayAddr(ln.Addr()), db.Dialect(), redact(c.db))
	if demoToken != "" {
		m.apiHint(scheme+"://"+displayAddr(ln.Addr()), demoToken)
	}
	if scheme == "http" {
		fmt.Fprintln(m.Stdout, "注意：未配置 --tls-cert/--tls-key，当前以 HTTP 明文提供服务，仅适合本机或受信内网试用。")
	}
	if m.Ready != nil {
		m.Ready <- ln.Addr().String()
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
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Fprintln(m.Stdout, "正在停止……")
	return hs.Shutdown(shutdown)
}

// displayAddr is the listening address as a browser opens it: localhost for any address.
func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost:" + strings.TrimPrefix(s, "[::]:")
	}
	return strings.Replace(s, "0.0.0.0", "localhost", 1)
}
