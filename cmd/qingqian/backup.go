package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian/sqldb"
)

// A backup is a folder: the database (qingqian.db, a SQLite copy; or qingqian.dump, pg_dump's
// custom format), the voucher files the database records (vouchers/ab/cd/…), and manifest.json,
// written last, so that a folder without it is not a finished backup.

// manifest describes a backup.
type manifest struct {
	Format     int       `json:"format"`
	CreatedAt  time.Time `json:"created_at"`
	Program    string    `json:"program"`
	Dialect    string    `json:"dialect"`
	Database   string    `json:"database"` // the file in the folder
	Migrations []string  `json:"migrations"`
	Entries    int64     `json:"entries"`
	Vouchers   int       `json:"vouchers"`
	AuditSeq   int64     `json:"audit_seq"`
	AuditHash  string    `json:"audit_hash"`
}

const (
	manifestName = "manifest.json"
	sqliteCopy   = "qingqian.db"
	postgresDump = "qingqian.dump"
)

// backup writes an online, consistent backup into a new folder.
func (m *Main) backup(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("backup", &c)
	out := fs.String("out", "", "备份目录（不存在或为空）")
	afterDump := fs.Bool("after-dump", false, "PostgreSQL：已按提示用 pg_dump 写出 qingqian.dump 后，补齐凭证文件并完成备份")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *out == "" {
		return fmt.Errorf("请用 --out 指定备份目录")
	}
	if *afterDump {
		if _, err := os.Stat(filepath.Join(*out, postgresDump)); err != nil {
			return fmt.Errorf("%s 中没有 %s：请先运行 pg_dump", *out, postgresDump)
		}
	} else if err := emptyDir(*out); err != nil {
		return err
	}
	db, err := m.openRaw(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	start := time.Now()
	man := &manifest{Format: 1, CreatedAt: start.UTC(), Program: Version(), Dialect: db.Dialect()}
	// The database first, then the vouchers its copy records: files are written before the rows
	// that name them commit, and never removed, so each is there by then.
	var contents *sqldb.BackupContents
	if db.Dialect() == "sqlite" {
		man.Database = sqliteCopy
		copyPath := filepath.Join(*out, sqliteCopy)
		if err := db.BackupSQLite(ctx, copyPath); err != nil {
			return err
		}
		cp, err := sqldb.OpenBackupCopy(copyPath)
		if err != nil {
			return err
		}
		contents, err = readCopy(ctx, cp)
		cp.Close()
		if err != nil {
			return fmt.Errorf("备份的数据库副本无法读取: %w", err)
		}
	} else {
		man.Database = postgresDump
		var missing *toolMissing
		if *afterDump {
			// The dump was taken by hand: the vouchers are copied now, after it.
		} else if err := m.pgDump(ctx, c.db, filepath.Join(*out, postgresDump)); errors.As(err, &missing) {
			// Without pg_dump: the vouchers now, and the command to run; after it, --after-dump
			// copies the vouchers added meanwhile and finishes the backup.
			if contents, err := db.Contents(ctx); err == nil {
				for _, sha := range contents.Vouchers {
					sqldb.CopyVoucher(db.VoucherDir, filepath.Join(*out, "vouchers"), sha, db.VoucherKey)
				}
			}
			fmt.Fprintf(m.Stdout, "凭证文件已复制到 %s，但数据库尚未备份：找不到 pg_dump（PostgreSQL 客户端工具，如 apt-get install postgresql-client，版本不低于服务器）。\n"+
				"请在装有 pg_dump 的机器上运行：\n  %s\n完成后运行：\n  qingqian backup --after-dump --out %s\n补齐此后新增的凭证文件并完成备份。\n",
				filepath.Join(*out, "vouchers"), missing.command, *out)
			return exitError(1)
		} else if err != nil {
			return err
		}
		// Read after the dump: a superset of the vouchers the dump records (none is ever removed).
		if contents, err = db.Contents(ctx); err != nil {
			return err
		}
	}
	man.Migrations, man.Entries, man.AuditSeq, man.AuditHash = contents.Migrations, contents.Entries, contents.AuditSeq, contents.AuditHash
	var bad []string
	for _, sha := range contents.Vouchers {
		if err := sqldb.CopyVoucher(db.VoucherDir, filepath.Join(*out, "vouchers"), sha, db.VoucherKey); err != nil {
			bad = append(bad, err.Error())
		}
	}
	man.Vouchers = len(contents.Vouchers) - len(bad)
	if len(bad) > 0 {
		return fmt.Errorf("备份未完成：%d 个凭证文件无法备份（数据库已备份到 %s，但缺少 manifest.json，不能用于恢复）：\n  %s\n请先处理这些凭证文件（从以前的备份找回），再重新备份",
			len(bad), *out, strings.Join(bad, "\n  "))
	}
	if err := writeManifest(*out, man); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "备份完成：%s（%s，%d 条分录，%d 个凭证文件，审计链至第 %d 条，用时 %.1f 秒）\n",
		*out, man.Dialect, man.Entries, man.Vouchers, man.AuditSeq, time.Since(start).Seconds())
	return nil
}

// readCopy checks a SQLite backup copy and reads what it records.
func readCopy(ctx context.Context, cp *sqldb.DB) (*sqldb.BackupContents, error) {
	if err := cp.IntegrityCheck(ctx); err != nil {
		return nil, err
	}
	return cp.Contents(ctx)
}

// pgDump dumps the database (or the schema its URL names) in pg_dump's custom format; without
// pg_dump on PATH it says what to run instead.
func (m *Main) pgDump(ctx context.Context, dsn, file string) error {
	t, err := sqldb.PostgresToolConn(dsn)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--file=" + file}
	if t.Schema != "" {
		args = append(args, "--schema="+t.Schema)
	}
	args = append(args, "--dbname="+t.URL)
	return m.pgTool(ctx, "pg_dump", args, t)
}

// toolMissing is a PostgreSQL client tool not on PATH, and the command that would have run.
type toolMissing struct{ tool, command string }

func (e *toolMissing) Error() string {
	return "找不到 " + e.tool + "（PostgreSQL 客户端工具，如 apt-get install postgresql-client，版本不低于服务器）。请在装有它的机器上运行：\n  " + e.command
}

// pgTool runs pg_dump or pg_restore with the password in the environment, or, when it is not
// installed, fails with the command to run (the password left out: PGPASSWORD or ~/.pgpass).
func (m *Main) pgTool(ctx context.Context, tool string, args []string, t *sqldb.PostgresTool) error {
	path, err := exec.LookPath(tool)
	if err != nil {
		return &toolMissing{tool: tool, command: tool + " " + shellQuote(args)}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = os.Environ()
	if t.Password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+t.Password)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s 失败: %w\n%s", tool, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// shellQuote quotes arguments for a shell.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// emptyDir makes a folder for a backup, refusing one that has files.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("备份目录 %s 无法创建: %w", dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) > 0 {
		return fmt.Errorf("备份目录 %s 不是空的：请指定新的目录", dir)
	}
	return nil
}

func writeManifest(dir string, man *manifest) error {
	b, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, manifestName+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, manifestName))
}

func readManifest(dir string) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s 中没有 manifest.json：不是完成的备份", dir)
	} else if err != nil {
		return nil, err
	}
	man := &manifest{}
	if err := json.Unmarshal(b, man); err != nil || man.Format != 1 {
		return nil, fmt.Errorf("%s 的 manifest.json 无法识别", dir)
	}
	return man, nil
}

// restore restores a backup into an empty database and data folder, then verifies it.
func (m *Main) restore(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("restore", &c)
	from := fs.String("from", "", "备份目录（qingqian backup 写出的）")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *from == "" {
		return fmt.Errorf("请用 --from 指定备份目录")
	}
	man, err := readManifest(*from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.data, 0o750); err != nil {
		return fmt.Errorf("数据目录 %s 无法创建: %w", c.data, err)
	}
	release, err := lockDataDir(c.data) // no server may run on the folder meanwhile
	if err != nil {
		return err
	}
	defer release()
	if err := m.resolveDB(&c); err != nil {
		return err
	}
	// The target must be empty, and this program must know the backup's schema.
	if man.Dialect == "sqlite" {
		if sqldb.IsPostgres(c.db) {
			return fmt.Errorf("备份是 sqlite 数据库的，不能恢复到 postgres 数据库")
		}
		if _, err := os.Stat(c.db); err == nil {
			return fmt.Errorf("目标数据库文件 %s 已存在：恢复只能恢复到新的数据库", c.db)
		}
	}
	db, err := m.openRaw(&c)
	if err != nil {
		return err
	}
	if db.Dialect() != man.Dialect {
		db.Close()
		return fmt.Errorf("备份是 %s 数据库的，不能恢复到 %s 数据库", man.Dialect, db.Dialect())
	}
	all, _ := iofs.Glob(sqldb.Migrations(), "migrations/"+db.Dialect()+"/*.sql")
	known := map[string]bool{}
	for _, n := range all {
		known[filepath.Base(n)] = true
	}
	pending, err := db.PendingMigrations(ctx)
	if err != nil {
		db.Close()
		return err
	}
	if len(pending) < len(all) || db.CheckSchema(ctx) != nil {
		db.Close()
		return fmt.Errorf("目标数据库不是空的（%s）：恢复只能恢复到新建的空数据库", redact(c.db))
	}
	for _, n := range man.Migrations {
		if !known[n] {
			db.Close()
			return fmt.Errorf("备份的数据库结构比本程序新（迁移 %s 本程序不认识）：请用备份时的或更新版本的 qingqian 恢复", n)
		}
	}
	voucherDir, voucherKey := db.VoucherDir, db.VoucherKey
	if err := m.moveAnchorAside(&c); err != nil {
		db.Close()
		return err
	}
	if man.Dialect == "sqlite" {
		db.Close()
		os.Remove(c.db) // the empty file Open made; the copy takes its place
		os.Remove(c.db + "-wal")
		os.Remove(c.db + "-shm")
		if err := copyFileSynced(filepath.Join(*from, man.Database), c.db); err != nil {
			return fmt.Errorf("恢复数据库文件失败: %w", err)
		}
	} else {
		t, err := sqldb.PostgresToolConn(c.db)
		if err != nil {
			db.Close()
			return err
		}
		err = m.pgTool(ctx, "pg_restore", []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
			"--dbname=" + t.URL, filepath.Join(*from, man.Database)}, t)
		db.Close()
		var missing *toolMissing
		if errors.As(err, &missing) {
			if err := restoreVouchers(*from, voucherDir, voucherKey); err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "凭证文件已恢复到 %s，但数据库尚未恢复：找不到 pg_restore（PostgreSQL 客户端工具，如 apt-get install postgresql-client）。\n"+
				"请在装有 pg_restore 的机器上运行：\n  %s\n完成后运行 qingqian verify 校验恢复的数据库。\n", voucherDir, missing.command)
			return exitError(1)
		}
		if err != nil {
			return err
		}
	}
	if err := restoreVouchers(*from, voucherDir, voucherKey); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "已恢复 %s 的备份（%s，%d 条分录，%d 个凭证文件）到 %s；正在校验……\n", man.CreatedAt.In(time.Local).Format("2006-01-02 15:04:05"),
		man.Dialect, man.Entries, man.Vouchers, redact(c.db))
	// verify brings an older backup's schema up to date, then checks the chain and the totals.
	vargs := []string{"--db", c.db, "--data", c.data, "--max-voucher-mb", strconv.FormatInt(c.maxVoucherMB, 10)}
	if c.dataKeyFile != "" {
		vargs = append(vargs, "--data-key-file", c.dataKeyFile)
	}
	return m.verify(ctx, vargs)
}

// restoreVouchers copies a backup's voucher files into a voucher folder, each checked.
func restoreVouchers(from, voucherDir string, key []byte) error {
	shas, err := sqldb.VoucherFiles(filepath.Join(from, "vouchers"))
	if err != nil {
		return err
	}
	for _, sha := range shas {
		if err := sqldb.CopyVoucher(filepath.Join(from, "vouchers"), voucherDir, sha, key); err != nil {
			return fmt.Errorf("恢复凭证文件失败: %w", err)
		}
	}
	return nil
}

// copyFileSynced copies a file to a path that must not exist, durably.
func copyFileSynced(from, to string) error {
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("%s 已存在", to)
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), ".restore-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.ReadFrom(in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), to); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(to))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
