// Command qingqian is the single binary of Qingqian (清欠): it serves the ledger's API, migrates
// and verifies the database, loads the demo province and manages API tokens.
//
// Each command is in the file of its name (serve.go, import.go, …); this file dispatches them
// and holds what they share: the flags and environment variables, opening the database and
// building the services on it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintln(os.Stderr, "qingqian:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after the command has printed its own report.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// Main is the program, with its surroundings injectable for tests.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, receives the address the server listens on.
	Ready chan<- string
}

// NewMain returns a Main wired to the process.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

const usage = `qingqian — 清理拖欠民营企业中小企业账款台账系统

用法：
  qingqian serve   [--addr :8080] [--db URL] [--data DIR] [--demo] [--tls-cert F --tls-key F] [--sweep-at 01:30|off]
  qingqian init    --name 监管机构全称 --uscc 代码 [--admin 用户名 --admin-name 姓名]   新部署：建立监管机构与首个管理员（从标准输入读取密码）
  qingqian migrate [--db URL] [--data DIR]
  qingqian verify  [--db URL] [--data DIR] [--anchor 锚点文件]     校验审计链、分录、台账余额、汇总数、凭证文件、票据、对账单与询证函
  qingqian anchor  [--out 文件]     打印审计链锚点（各链链头），留存于数据库之外
  qingqian backup  --out 备份目录 [--db URL] [--data DIR]     在线备份数据库与凭证文件
  qingqian restore --from 备份目录 [--db URL] [--data DIR]    恢复到空数据库并校验
  qingqian demo    [--db URL] [--data DIR]     向空库载入示范省演示数据
  qingqian bench   [--items 200000] [--requests 20] [--db URL] [--data DIR]   向空库载入基准省并测量各页面响应时间（仅供测试库）
  qingqian token add --org ID --name 名称 [--role clerk,observer]
  qingqian token list | token revoke ID
  qingqian user add --org ID --username 用户名 --name 姓名 --role admin   （从标准输入读取密码）
  qingqian user reset --username 用户名   （重置密码、解除锁定、关闭动态口令；从标准输入读取新密码）
  qingqian encrypt --in 文件 --out 文件.enc | decrypt --in 文件.enc --out 文件   用数据密钥加密、解密（如备份文件）
  qingqian encrypt --vouchers   用数据密钥加密已存储的明文凭证文件
  qingqian template ledger|repayments|plans|creditors|units|contracts|contract_events --out 文件.xlsx
  qingqian import ledger|repayments|plans|creditors|units|contracts|contract_events 文件.xlsx|文件.csv [--dry-run]
  qingqian import statement 对账单.xlsx|对账单.csv --org 单位ID [--window 天数] [--dry-run] [--accept-outliers]   导入单位的银行对账单（原文件留存）
  qingqian export ledger|creditors|units|clues|interviews|disputes|audit|causes|bills|letters|campaign|circular|contracts|payables --out 文件.xlsx|文件.csv [--org ID] [--as-of 日期] [--id ID]
  qingqian report --period N [--format xlsx|csv|html] --out 文件   第N期汇总表（已印发的原样输出）
  qingqian sweep   [--db URL] [--data DIR]     将逾期未付的合同应付款转入拖欠台账（新增欠款）；serve 每日 --sweep-at 时刻自动执行
  qingqian version

--db 为 SQLite 文件路径或 postgres:// 连接串；默认 DIR/qingqian.db。
--data-key-file 指向存放数据密钥的文件（openssl rand -hex 32 生成）：此后存储的凭证文件加密保存。
也可用环境变量 QINGQIAN_ADDR、QINGQIAN_DB（或 QINGQIAN_DB_FILE 指向存放连接串的文件）、
QINGQIAN_DATA、QINGQIAN_MAX_VOUCHER_MB、QINGQIAN_TLS_CERT、QINGQIAN_TLS_KEY、QINGQIAN_DATA_KEY_FILE、
QINGQIAN_TRUSTED_PROXIES、QINGQIAN_SWEEP_AT 配置。
`

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	switch args[0] {
	case "serve":
		return m.serve(ctx, args[1:])
	case "migrate":
		return m.migrate(ctx, args[1:])
	case "init":
		return m.initDeployment(ctx, args[1:])
	case "backup":
		return m.backup(ctx, args[1:])
	case "restore":
		return m.restore(ctx, args[1:])
	case "verify":
		return m.verify(ctx, args[1:])
	case "anchor":
		return m.anchor(ctx, args[1:])
	case "demo":
		return m.demo(ctx, args[1:])
	case "bench":
		return m.bench(ctx, args[1:])
	case "token":
		return m.token(ctx, args[1:])
	case "user":
		return m.user(ctx, args[1:])
	case "template":
		return m.template(args[1:])
	case "import":
		return m.importFile(ctx, args[1:])
	case "report":
		return m.report(ctx, args[1:])
	case "sweep":
		return m.sweep(ctx, args[1:])
	case "export":
		return m.export(ctx, args[1:])
	case "encrypt", "decrypt":
		return m.crypt(ctx, args[0], args[1:])
	case "version":
		return m.version()
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprintf(m.Stderr, "未知命令 %q\n\n%s", args[0], usage)
	return exitError(2)
}

// config is what every command that opens the database needs.
type config struct {
	db, data        string
	dataKeyFile     string
	maxVoucherMB    int64
	minFreeMB       int64
	addr            string
	tlsCert, tlsKey string
	demo            bool
	grace           time.Duration
	logFormat       string
}

func (m *Main) env(name, def string) string {
	if v := m.Getenv("QINGQIAN_" + name); v != "" {
		return v
	}
	return def
}

func (m *Main) flags(name string, c *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&c.db, "db", m.env("DB", ""), "SQLite 文件路径或 postgres:// 连接串")
	fs.StringVar(&c.data, "data", m.env("DATA", "qingqian-data"), "数据目录（SQLite 数据库与凭证文件）")
	mb, _ := strconv.ParseInt(m.env("MAX_VOUCHER_MB", "20"), 10, 64)
	fs.Int64Var(&c.maxVoucherMB, "max-voucher-mb", mb, "单个凭证文件的大小上限（MB）")
	free, _ := strconv.ParseInt(m.env("MIN_FREE_MB", "64"), 10, 64)
	fs.Int64Var(&c.minFreeMB, "min-free-mb", free, "数据目录（与 SQLite 数据库）所在磁盘剩余空间低于此值（MB）时 /readyz 报告未就绪；0 不检查")
	fs.StringVar(&c.dataKeyFile, "data-key-file", m.env("DATA_KEY_FILE", ""), "数据密钥文件：凭证文件加密存储")
	return fs
}

// open opens (creating the data folder) and migrates the database.
func (m *Main) open(ctx context.Context, c *config) (*sqldb.DB, error) {
	db, applied, err := m.openMigrated(ctx, c)
	if err == nil && len(applied) > 0 {
		fmt.Fprintf(m.Stderr, "已应用数据库迁移：%s\n", strings.Join(applied, "、"))
	}
	return db, err
}

// openMigrated opens and migrates the database, returning the migrations it applied. A database
// migrated by a newer version of the program is refused.
func (m *Main) openMigrated(ctx context.Context, c *config) (*sqldb.DB, []string, error) {
	db, err := m.openRaw(c)
	if err != nil {
		return nil, nil, err
	}
	applied, err := db.MigrateReport(ctx)
	if err != nil {
		db.Close()
		var newer *sqldb.NewerSchemaError
		if errors.As(err, &newer) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("数据库迁移失败: %w", err)
	}
	return db, applied, nil
}

// openRaw opens the database (creating the data folder) without migrating it.
func (m *Main) openRaw(c *config) (*sqldb.DB, error) {
	if err := m.resolveDB(c); err != nil {
		return nil, err
	}
	if c.maxVoucherMB <= 0 {
		return nil, fmt.Errorf("--max-voucher-mb 必须大于 0")
	}
	db, err := sqldb.Open(c.db)
	if err != nil {
		return nil, err
	}
	db.VoucherDir = filepath.Join(c.data, "vouchers")
	db.MaxVoucherSize = c.maxVoucherMB << 20
	db.MinFree = c.minFreeMB << 20
	if c.minFreeMB <= 0 {
		db.MinFree = -1
	}
	if c.dataKeyFile != "" {
		if db.VoucherKey, err = sqldb.ReadKeyFile(c.dataKeyFile); err != nil {
			db.Close()
			return nil, fmt.Errorf("数据密钥文件无法读取: %w", err)
		}
	}
	return db, nil
}

// resolveDB settles the database address: --db, QINGQIAN_DB, the file QINGQIAN_DB_FILE names,
// or else qingqian.db in the data folder (which it creates).
func (m *Main) resolveDB(c *config) error {
	if c.db == "" {
		if f := m.Getenv("QINGQIAN_DB_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("QINGQIAN_DB_FILE: %w", err)
			}
			c.db = strings.TrimSpace(string(b))
		}
	}
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return fmt.Errorf("数据目录 %s 无法创建: %w", c.data, err)
	}
	if c.db == "" {
		c.db = filepath.Join(c.data, "qingqian.db")
	}
	return nil
}

// redact hides a password in a connection URL.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.Index(dsn[i+3:], "@"); at >= 0 {
			if colon := strings.Index(dsn[i+3:i+3+at], ":"); colon >= 0 {
				return dsn[:i+3+colon+1] + "***" + dsn[i+3+at:]
			}
		}
	}
	return dsn
}

// writeFile writes through a temporary file and renames it, so a failed export leaves no half file.
func writeFile(path string, fn func(io.Writer) error, out io.Writer) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".qingqian-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintln(out, "已写入", path)
	return nil
}

// userError turns a service error into the message and field errors a person can act on.
func userError(err error) error {
	msg := qingqian.ErrorMessage(err)
	for k, v := range qingqian.ErrorFields(err) {
		if v != msg {
			msg += "；" + k + "：" + v
		}
	}
	if qingqian.ErrorCode(err) == qingqian.EINTERNAL {
		return err
	}
	return errors.New(msg)
}
