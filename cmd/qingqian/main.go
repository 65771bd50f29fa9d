// Command qingqian is the single binary of Qingqian (清欠): it serves the ledger's API, migrates
// and verifies the database, loads the demo province and manages API tokens.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/demo"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/web"
	"github.com/qingqian/qingqian/xlsx"
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
  qingqian serve   [--addr :8080] [--db URL] [--data DIR] [--demo] [--tls-cert F --tls-key F]
  qingqian migrate [--db URL] [--data DIR]
  qingqian verify  [--db URL] [--data DIR]     校验审计链与汇总数
  qingqian demo    [--db URL] [--data DIR]     向空库载入示范省演示数据
  qingqian token add --org ID --name 名称 [--role clerk,observer]
  qingqian token list | token revoke ID
  qingqian user add --org ID --username 用户名 --name 姓名 --role admin   （从标准输入读取密码）
  qingqian template ledger|repayments|plans|creditors|units --out 文件.xlsx
  qingqian import ledger|repayments|plans|creditors|units 文件.xlsx|文件.csv [--dry-run]
  qingqian export ledger|creditors|units|clues|interviews|disputes --out 文件.xlsx|文件.csv [--org ID] [--as-of 日期]
  qingqian report --period N [--format xlsx|csv|html] --out 文件   第N期汇总表（已印发的原样输出）
  qingqian version

--db 为 SQLite 文件路径或 postgres:// 连接串；默认 DIR/qingqian.db。
也可用环境变量 QINGQIAN_ADDR、QINGQIAN_DB（或 QINGQIAN_DB_FILE 指向存放连接串的文件）、
QINGQIAN_DATA、QINGQIAN_MAX_VOUCHER_MB、QINGQIAN_TLS_CERT、QINGQIAN_TLS_KEY 配置。
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
	case "verify":
		return m.verify(ctx, args[1:])
	case "demo":
		return m.demo(ctx, args[1:])
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
	case "export":
		return m.export(ctx, args[1:])
	case "version":
		fmt.Fprintln(m.Stdout, "qingqian", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	}
	fmt.Fprintf(m.Stderr, "未知命令 %q\n\n%s", args[0], usage)
	return exitError(2)
}

// Version returns the module version and VCS revision the binary was built from.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// config is what every command that opens the database needs.
type config struct {
	db, data        string
	maxVoucherMB    int64
	addr            string
	tlsCert, tlsKey string
	demo            bool
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
	return fs
}

// open opens (creating the data folder) and migrates the database.
func (m *Main) open(ctx context.Context, c *config) (*sqldb.DB, error) {
	if c.db == "" {
		if f := m.Getenv("QINGQIAN_DB_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("QINGQIAN_DB_FILE: %w", err)
			}
			c.db = strings.TrimSpace(string(b))
		}
	}
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return nil, fmt.Errorf("数据目录 %s 无法创建: %w", c.data, err)
	}
	if c.db == "" {
		c.db = filepath.Join(c.data, "qingqian.db")
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
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("数据库迁移失败: %w", err)
	}
	return db, nil
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("migrate", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(m.Stdout, "数据库已是最新结构：", redact(c.db))
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

func (m *Main) verify(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("verify", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("verify"))
	res, err := sqldb.NewAuditService(db).VerifyAudit(sys)
	if err != nil {
		return err
	}
	failed := false
	if res.OK {
		fmt.Fprintf(m.Stdout, "审计链完好：%d 条记录，逐条哈希相连。\n", res.Records)
	} else {
		failed = true
		fmt.Fprintf(m.Stdout, "审计链断裂：第一处断点在第 %d 条。%s\n", res.BrokenSeq, res.Problem)
	}
	bad, err := db.VerifyTotals(ctx)
	if err != nil {
		return err
	}
	if bad == "" {
		fmt.Fprintln(m.Stdout, "汇总数与明细分录一致。")
	} else {
		failed = true
		fmt.Fprintln(m.Stdout, "汇总数异常：", bad)
	}
	if failed {
		return exitError(1)
	}
	return nil
}

func (m *Main) demo(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("demo", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = m.loadDemo(ctx, db)
	return err
}

// apiHint prints a request to try against the demo province.
func (m *Main) apiHint(base, token string) {
	fmt.Fprintf(m.Stdout, "全省汇总 截至2019-11-30：curl -H 'Authorization: Bearer %s' '%s/api/v1/orgs/1/totals?as_of=2019-11-30'\n", token, base)
}

// loadDemo loads the demo province, makes its accounts and two API tokens, prints them once and
// returns the clearance office's token.
func (m *Main) loadDemo(ctx context.Context, db *sqldb.DB) (string, error) {
	fmt.Fprintln(m.Stdout, "正在载入示范省演示数据……")
	start := time.Now()
	svc := sqldb.NewServices(db)
	p, err := demo.Load(ctx, demo.Services{DB: db, Services: svc})
	if err != nil {
		return "", err
	}
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("演示数据"))
	_, sup, err := svc.Tokens.CreateToken(sys, "演示：清欠办", p.Regulator.ID, []qingqian.Role{qingqian.RoleSupervisor, qingqian.RoleAuditor})
	if err != nil {
		return "", err
	}
	_, clerk, err := svc.Tokens.CreateToken(sys, "演示："+p.Groups[0].ShortName+"填报", p.Groups[0].ID, []qingqian.Role{qingqian.RoleClerk})
	if err != nil {
		return "", err
	}
	password := "Demo-" + sqldb.RandomToken(4)
	accounts := []struct {
		username, name string
		org            *qingqian.Org
		roles          []qingqian.Role
	}{
		{"admin", "系统管理员", p.Regulator, []qingqian.Role{qingqian.RoleAdmin}},
		{"qingqianban", "清欠办 王主任", p.Regulator, []qingqian.Role{qingqian.RoleSupervisor, qingqian.RoleReviewer}},
		{"jianfuban", "省减负办 赵处长", p.Regulator, []qingqian.Role{qingqian.RoleObserver}},
		{"shenji", "审计 钱审计师", p.Regulator, []qingqian.Role{qingqian.RoleAuditor}},
		{"nengyuan", p.Groups[0].ShortName + " 联络员", p.Groups[0], []qingqian.Role{qingqian.RoleLiaison, qingqian.RoleClerk}},
		{"nengyuanld", p.Groups[0].ShortName + " 分管领导", p.Groups[0], []qingqian.Role{qingqian.RoleReviewer}},
		{"nengyuanzy", p.Groups[0].ShortName + " 主要负责同志", p.Groups[0], []qingqian.Role{qingqian.RoleReviewer}},
		{"nengyuan1", p.Subs[0].Name + " 填报员", p.Subs[0], []qingqian.Role{qingqian.RoleClerk}},
		{"jiaojian", p.Groups[1].ShortName + " 填报员", p.Groups[1], []qingqian.Role{qingqian.RoleClerk}},
	}
	fmt.Fprintf(m.Stdout, "演示数据已载入（%.1f 秒）：%d 家集团、%d 家子公司。\n", time.Since(start).Seconds(), len(p.Groups), len(p.Subs))
	fmt.Fprintf(m.Stdout, "演示账号（密码均为 %s，只显示这一次）：\n", password)
	for _, a := range accounts {
		u := &qingqian.User{Username: a.username, Name: a.name, OrgID: a.org.ID, Roles: a.roles}
		if err := svc.Users.CreateUser(sys, u, password); err != nil {
			return "", err
		}
		var names []string
		for _, r := range a.roles {
			names = append(names, qingqian.RoleNames[r])
		}
		fmt.Fprintf(m.Stdout, "  %-12s %s（%s）\n", a.username, a.name, strings.Join(names, "、"))
	}
	fmt.Fprintf(m.Stdout, "接口令牌（只显示这一次）：\n  清欠办（全省，可读写）：%s\n  %s 填报员（本集团）：%s\n", sup, p.Groups[0].ShortName, clerk)
	return sup, nil
}

func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	var c config
	fs := m.flags("user", &c)
	var org int64
	var username, name, roles string
	fs.Int64Var(&org, "org", 0, "所属单位编号")
	fs.StringVar(&username, "username", "", "登录用户名")
	fs.StringVar(&name, "name", "", "姓名")
	fs.StringVar(&roles, "role", "clerk", "角色，逗号分隔：admin、supervisor、observer、liaison、reviewer、clerk、auditor")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if name == "" {
		name = username
	}
	fmt.Fprintln(m.Stderr, "请输入密码（至少8位，含大写字母、小写字母、数字、符号中的三类），回车结束：")
	password, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("没有从标准输入读到密码")
	}
	password = strings.TrimRight(password, "\r\n")
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	var rs []qingqian.Role
	for _, r := range strings.Split(roles, ",") {
		rs = append(rs, qingqian.Role(strings.TrimSpace(r)))
	}
	u := &qingqian.User{Username: username, Name: name, OrgID: org, Roles: rs}
	if err := sqldb.NewUserService(db).CreateUser(qingqian.NewContext(ctx, qingqian.SystemActor("命令行")), u, password); err != nil {
		return userError(err)
	}
	fmt.Fprintf(m.Stdout, "用户 %s（%s）已创建，编号 %d。\n", u.Username, u.Name, u.ID)
	return nil
}

func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	var c config
	fs := m.flags("token", &c)
	var org int64
	var name, roles string
	fs.Int64Var(&org, "org", 0, "令牌所属单位编号")
	fs.StringVar(&name, "name", "", "令牌名称，如“某集团ERP”")
	fs.StringVar(&roles, "role", "observer", "角色，逗号分隔：clerk、observer、supervisor、auditor……")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens := sqldb.NewTokenService(db)
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行"))
	switch args[0] {
	case "add":
		var rs []qingqian.Role
		for _, r := range strings.Split(roles, ",") {
			rs = append(rs, qingqian.Role(strings.TrimSpace(r)))
		}
		t, secret, err := tokens.CreateToken(sys, name, org, rs)
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(m.Stdout, "令牌 %d 已创建（只显示这一次，请妥善保存）：\n%s\n", t.ID, secret)
	case "list":
		ts, err := tokens.FindTokens(sys)
		if err != nil {
			return userError(err)
		}
		for _, t := range ts {
			state := "有效"
			if !t.RevokedAt.IsZero() {
				state = "已吊销"
			}
			used := "从未使用"
			if !t.LastUsedAt.IsZero() {
				used = "最近使用 " + t.LastUsedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(m.Stdout, "%d\t%s\t单位 %d\t%v\t%s\t%s\n", t.ID, t.Name, t.OrgID, t.Roles, state, used)
		}
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("用法：qingqian token revoke ID")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("令牌编号不正确：%s", fs.Arg(0))
		}
		if err := tokens.RevokeToken(sys, id); err != nil {
			return userError(err)
		}
		fmt.Fprintf(m.Stdout, "令牌 %d 已吊销。\n", id)
	default:
		return fmt.Errorf("未知的 token 子命令 %q", args[0])
	}
	return nil
}

func (m *Main) template(args []string) error {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	out := fs.String("out", "", "输出文件")
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	kind := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if *out == "" {
		*out = xlsx.Templates[kind].Sheet + "模板.xlsx"
	}
	if _, ok := xlsx.Templates[kind]; !ok {
		return fmt.Errorf("没有“%s”模板，可选：ledger、repayments、creditors、units", kind)
	}
	return writeFile(*out, func(w io.Writer) error { return xlsx.WriteTemplate(w, kind) }, m.Stdout)
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

func (m *Main) importFile(ctx context.Context, args []string) error {
	if len(args) < 2 {
		fmt.Fprint(m.Stderr, "用法：qingqian import ledger|repayments|plans|creditors|units 文件.xlsx|文件.csv [--dry-run]\n")
		return exitError(2)
	}
	kind := args[0]
	var c config
	fs := m.flags("import", &c)
	dry := fs.Bool("dry-run", false, "只校验并报告将要新增、更新、不变的条目，不写入")
	vouchers := fs.String("vouchers", "", "清偿记录的凭证压缩包（.zip，文件名为凭证号）")
	path := args[1]
	if err := fs.Parse(args[2:]); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行导入"))
	start := time.Now()
	progress := func(p xlsx.Progress) { fmt.Fprintf(m.Stderr, "\r%s：已处理 %d 行", p.Phase, p.Rows) }
	var rep *xlsx.Report
	if kind == "repayments" {
		rep, err = xlsx.ImportRepayments(sys, sqldb.NewImportService(db), path, *vouchers, *dry, progress)
	} else if *vouchers != "" {
		return fmt.Errorf("--vouchers 只用于导入清偿记录")
	} else {
		rep, err = xlsx.Import(sys, sqldb.NewImportService(db), kind, path, *dry, progress)
	}
	fmt.Fprintln(m.Stderr)
	if err != nil {
		var fe *xlsx.FileError
		if errors.As(err, &fe) {
			return errors.New(fe.Msg)
		}
		return userError(err)
	}
	r := rep.Result
	if !rep.OK() {
		fmt.Fprintf(m.Stdout, "文件有 %d 处问题，没有导入任何数据：\n%s", len(rep.Issues), xlsx.IssueSummary(rep.Issues, 50))
		report := strings.TrimSuffix(path, filepath.Ext(path)) + ".错误报告.xlsx"
		if err := writeFile(report, func(w io.Writer) error { return xlsx.WriteErrorWorkbook(w, kind, path, rep.Issues) }, m.Stdout); err != nil {
			return err
		}
		return exitError(1)
	}
	verb := "已导入"
	if *dry {
		verb = "试导入（未写入）"
	}
	if kind == "repayments" {
		fmt.Fprintf(m.Stdout, "%s %d 行（%.1f 秒）：记录清偿 %d 笔，已导入过的 %d 笔未重复记录。\n", verb, r.Rows, time.Since(start).Seconds(), r.Created, r.Unchanged)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s %d 行（%.1f 秒）：新增 %d 条，更新 %d 条，不变 %d 条，新登记债权企业 %d 家。\n",
		verb, r.Rows, time.Since(start).Seconds(), r.Created, r.Updated, r.Unchanged, r.CreditorsCreated)
	return nil
}

func (m *Main) export(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	kind := args[0]
	var c config
	fs := m.flags("export", &c)
	out := fs.String("out", "", "输出文件（.xlsx 或 .csv）")
	org := fs.Int64("org", 0, "只导出该单位及下级（台账、有分歧账款）")
	asOfText := fs.String("as-of", "", "有分歧账款表的截至日期，默认上月末")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if *out == "" {
		return fmt.Errorf("请用 --out 指定输出文件")
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if format != "xlsx" && format != "csv" {
		return fmt.Errorf("输出文件应以 .xlsx 或 .csv 结尾")
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行导出"))
	meta := xlsx.Meta{AsOf: qingqian.Today(), User: "命令行", At: time.Now()}
	svc := sqldb.NewServices(db)
	var fn func(io.Writer) error
	switch kind {
	case "ledger":
		fn = func(w io.Writer) error {
			return xlsx.ExportLedger(sys, svc.Items, qingqian.ItemFilter{OrgID: *org}, w, format, meta)
		}
	case "creditors":
		fn = func(w io.Writer) error { return xlsx.ExportCreditors(sys, svc.Creditors, w, format, meta) }
	case "units":
		fn = func(w io.Writer) error { return xlsx.ExportOrgs(sys, svc.Orgs, w, format, meta) }
	case "clues":
		fn = func(w io.Writer) error {
			list, _, err := svc.Clues.FindClues(sys, qingqian.ClueFilter{OrgID: *org, Limit: 100_000})
			if err != nil {
				return err
			}
			return xlsx.WriteClues(w, list, format, meta)
		}
	case "interviews":
		fn = func(w io.Writer) error {
			ivs, err := svc.Supervision.FindInterviews(sys)
			if err != nil {
				return err
			}
			return xlsx.WriteInterviews(w, ivs, format, meta)
		}
	case "disputes":
		asOf := qingqian.Today()
		asOf = qingqian.NewDate(asOf.Year(), asOf.Month(), 1).AddDays(-1)
		if *asOfText != "" {
			d, err := qingqian.ParseDate(*asOfText)
			if err != nil {
				return fmt.Errorf("--as-of 日期格式应为 YYYY-MM-DD")
			}
			asOf = d
		}
		fn = func(w io.Writer) error {
			t, err := svc.Cases.Disputes(sys, *org, asOf)
			if err != nil {
				return err
			}
			return xlsx.WriteDisputes(w, t, format, meta)
		}
	default:
		return fmt.Errorf("不能导出“%s”，可选：ledger、creditors、units、clues、interviews、disputes", kind)
	}
	if err := writeFile(*out, fn, m.Stdout); err != nil {
		return userError(err)
	}
	return nil
}

// report writes period N's consolidated report: as issued, or a draft when it has not been.
func (m *Main) report(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("report", &c)
	no := fs.Int("period", 0, "期次号 N（第N期）")
	format := fs.String("format", "", "xlsx、csv 或 html；默认按输出文件扩展名")
	out := fs.String("out", "", "输出文件")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *no <= 0 {
		return fmt.Errorf("请用 --period 指定期次号（正整数）")
	}
	if *out == "" {
		return fmt.Errorf("请用 --out 指定输出文件")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if *format != "xlsx" && *format != "csv" && *format != "html" {
		return fmt.Errorf("格式应为 xlsx、csv 或 html")
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行报表"))
	svc := sqldb.NewServices(db)
	p, err := svc.Reports.FindPeriodByNo(sys, *no)
	if err != nil {
		return userError(err)
	}
	rep, err := svc.Reports.Report(sys, p.ID)
	if err != nil {
		return userError(err)
	}
	if !rep.Issued {
		fmt.Fprintf(m.Stderr, "注意：第%d期汇总表尚未印发，输出的是按当前数据生成的草稿。\n", *no)
	}
	return writeFile(*out, func(w io.Writer) error {
		if *format == "html" {
			return web.WriteReportHTML(w, rep)
		}
		return xlsx.WriteReport(w, rep, *format)
	}, m.Stdout)
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
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	db.Logger = logger
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
	srv, err := web.NewServer(sqldb.NewServices(db), db.Ping, db.MaxVoucherSize, logger)
	if err != nil {
		return err
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

func displayAddr(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") {
		return "localhost:" + strings.TrimPrefix(s, "[::]:")
	}
	return strings.Replace(s, "0.0.0.0", "localhost", 1)
}
