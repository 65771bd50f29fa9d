package sqldb

// Backups: what `qingqian backup` and `restore` need from the database's side. A backup is a
// consistent copy of the database (SQLite: VACUUM INTO, online; PostgreSQL: pg_dump, run by the
// command) and the voucher files the copy records, each checked against its hash as it is copied.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// BackupSQLite writes a consistent copy of the SQLite database into the file path, which must
// not exist, while the database stays in use: VACUUM INTO reads one snapshot (a read transaction,
// which in WAL mode holds up no writer) and writes a compact copy.
func (db *DB) BackupSQLite(ctx context.Context, path string) error {
	if db.d.name != "sqlite" {
		return errors.New("BackupSQLite: not a SQLite database")
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return fmt.Errorf("vacuum into %s: %w", path, err)
	}
	return nil
}

// OpenBackupCopy opens a SQLite file for reading only, changing nothing in it (no journal, no
// lock): a backup's copy, to check it and read what it records.
func OpenBackupCopy(path string) (*DB, error) {
	p, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	return &DB{write: p, read: &readPool{DB: p}, d: sqliteDialect, path: path}, nil
}

// BackupContents is what a backup's database copy records.
type BackupContents struct {
	Migrations []string // applied, in order
	Vouchers   []string // the SHA-256 of every voucher file, in order
	Entries    int64
	AuditSeq   int64  // the last audit record
	AuditHash  string // the digest of the heads of the audit chains (Anchor.Digest)
}

// Contents reads what the database records that a backup must carry along, in one read
// transaction (one snapshot on both databases).
func (db *DB) Contents(ctx context.Context) (*BackupContents, error) {
	// SQLite's transactions are one snapshot anyway, and its driver takes no isolation level.
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	if db.d.name == "sqlite" {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c := &BackupContents{}
	list := func(query string) ([]string, error) {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, rows.Err()
	}
	if c.Migrations, err = list(`SELECT name FROM schema_migrations ORDER BY name`); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	if c.Vouchers, err = list(`SELECT sha256 FROM vouchers ORDER BY sha256`); err != nil {
		return nil, fmt.Errorf("read vouchers: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM entries`).Scan(&c.Entries); err != nil {
		return nil, fmt.Errorf("count entries: %w", err)
	}
	heads, err := readHeads(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, h := range heads {
		c.AuditSeq = max(c.AuditSeq, h.LastSeq)
	}
	c.AuditHash = (&Anchor{Heads: heads}).Digest()
	return c, nil
}

// IntegrityCheck runs SQLite's integrity check on the database; nil on PostgreSQL.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.d.name != "sqlite" {
		return nil
	}
	var res string
	if err := db.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("SQLite 完整性检查未通过：%s", res)
	}
	return nil
}

// VoucherPath is where a voucher file lives under a voucher folder: ab/cd/abcd….
func VoucherPath(dir, sha string) string {
	return filepath.Join(dir, sha[:2], sha[2:4], sha)
}

// CopyVoucher copies one voucher file from the folder src into the folder dst (made durable
// there) as it is stored — an encrypted file stays encrypted — checking that its content, opened
// with key when it is encrypted, matches its hash; a file already in dst with that content is
// kept.
func CopyVoucher(src, dst, sha string, key []byte) error {
	if !validSHA(sha) {
		return fmt.Errorf("凭证编号不正确：%q", sha)
	}
	to := VoucherPath(dst, sha)
	if ok, _ := fileHasHash(to, sha, key); ok {
		return nil
	}
	from := VoucherPath(src, sha)
	if ok, err := fileHasHash(from, sha, key); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("凭证文件缺失：%s", sha)
	} else if err != nil {
		return fmt.Errorf("凭证文件 %s 无法读取：%w", sha, err)
	} else if !ok {
		return fmt.Errorf("凭证文件已损坏：%s 的内容与其哈希不符", sha)
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := mkdirSynced(filepath.Dir(to)); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(to), uploadPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, in); err != nil {
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
	// The copy is checked as the original was: the bytes could have changed in between.
	if ok, err := fileHasHash(tmp.Name(), sha, key); err != nil || !ok {
		return fmt.Errorf("凭证文件已损坏：%s 的副本与其哈希不符", sha)
	}
	if err := os.Rename(tmp.Name(), to); err != nil {
		return err
	}
	return syncDir(filepath.Dir(to))
}

// fileHasHash reports whether a voucher file exists whose content (opened with key when it is
// encrypted) has the given SHA-256.
func fileHasHash(path, sha string, key []byte) (bool, error) {
	f, err := openVoucherFile(path, key)
	if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	return hex.EncodeToString(h.Sum(nil)) == sha, nil
}

// VoucherFiles lists the voucher files under a folder by their hash (temporary files aside).
func VoucherFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && path == dir {
				return filepath.SkipDir
			}
			return err
		}
		if !d.IsDir() && validSHA(d.Name()) {
			out = append(out, d.Name())
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// PostgresTool is how pg_dump and pg_restore reach the database of a connection URL: the URL as
// libpq reads it (a search_path becomes an options parameter, the password goes), the schema to
// dump when the URL names one (else the whole database), and the password for PGPASSWORD.
type PostgresTool struct {
	URL      string
	Schema   string
	Password string
}

// PostgresToolConn converts a connection URL for pg_dump and pg_restore.
func PostgresToolConn(dsn string) (*PostgresTool, error) {
	u, err := url.Parse(dsn)
	if err != nil || !isPostgres(dsn) {
		return nil, fmt.Errorf("不是 PostgreSQL 连接串")
	}
	t := &PostgresTool{}
	if u.User != nil {
		t.Password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	if sp := q.Get("search_path"); sp != "" {
		t.Schema = strings.TrimSpace(strings.Split(sp, ",")[0])
		q.Del("search_path")
		q.Set("options", "-csearch_path="+sp)
	}
	u.RawQuery = q.Encode()
	t.URL = u.String()
	return t, nil
}

// IsPostgres reports whether a database address is a PostgreSQL URL (else a SQLite file path).
func IsPostgres(dsn string) bool { return isPostgres(dsn) }
