package sqldb

// The files bank statements are read from. An upload is spooled by its SHA-256 (encrypted like
// a voucher when there is a data key) for its preview; the import reads the lines again from
// those bytes, never from what the browser sends back, and keeps the file in the voucher store as
// a file of kind 'statement': the statement's evidence, downloadable by those who may see the
// unit, re-hashed by verify and copied by backup like a voucher, and never attachable as one.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// readStatementFile reads a statement file's lines; the service reads files itself (ADR 31).
var readStatementFile = xlsx.ReadStatementFile

// MaxStatementFile bounds an uploaded bank statement file.
const MaxStatementFile = 32 << 20

// spoolAge is how long an uploaded statement waits for its import.
const spoolAge = 24 * time.Hour

// Kinds of the files in the voucher store.
const (
	kindVoucher   = "voucher"
	kindStatement = "statement"
)

// spoolDir is where uploaded statements wait for their import: in the data folder's spool,
// beside the voucher store, in a folder of their own.
func (db *DB) spoolDir() string {
	return filepath.Join(filepath.Dir(db.VoucherDir), "spool", "statements")
}

func (db *DB) spoolPath(sha string) string { return filepath.Join(db.spoolDir(), sha) }

// requireKeeper returns the actor if it may import statements and match their lines.
func requireKeeper(ctx context.Context) (*qingqian.Actor, error) {
	return qingqian.RequireStatementKeeper(ctx)
}

// cleanFileName reduces an uploaded file's name to its base, or a default.
func cleanFileName(name, def string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if !utf8.ValidString(name) || name == "." || name == "/" || name == "" {
		return def
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// SpoolStatement implements qingqian.StatementService.
func (s *StatementService) SpoolStatement(ctx context.Context, name string, r io.Reader) (_ *qingqian.StatementFile, err error) {
	defer serviceErr(&err, "spool statement %q", name)
	if _, err := requireKeeper(ctx); err != nil {
		return nil, err
	}
	db := s.db
	if db.VoucherDir == "" {
		return nil, errors.New("voucher directory not configured")
	}
	name = cleanFileName(name, "对账单")
	dir := db.spoolDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	db.sweepSpool(time.Now())
	tmp, sha, n, head, err := db.receiveFile(dir, r, MaxStatementFile)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bad := func(msg string) error {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: msg + "：" + name, Fields: map[string]string{"file": msg}}
	}
	switch {
	case n > MaxStatementFile:
		return nil, bad("对账单文件超过大小限制（" + sizeText(MaxStatementFile) + "）")
	case n == 0:
		return nil, bad("对账单文件为空")
	case statementType(head) == "":
		return nil, bad("对账单只接受 .xlsx 或 .csv 文件（按文件内容判断）")
	}
	f := &qingqian.StatementFile{SHA256: sha, Name: name, Size: n}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), db.spoolPath(f.SHA256)); err != nil {
		return nil, err
	}
	// The name it was uploaded with goes beside it: the import takes it from there.
	if err := os.WriteFile(db.spoolPath(f.SHA256)+nameSuffix, []byte(name), 0o640); err != nil {
		return nil, err
	}
	return f, nil
}

// nameSuffix ends the name of the file holding a spooled statement's upload name.
const nameSuffix = ".name"

// spooledName is the name a statement file was uploaded with, "" when unknown.
func (db *DB) spooledName(sha string) string {
	b, err := os.ReadFile(db.spoolPath(sha) + nameSuffix)
	if err != nil || !utf8.Valid(b) {
		return ""
	}
	return cleanFileName(string(b), "")
}

// statementType is the content type of a statement file from its first bytes: a zip package
// (xlsx) or text (CSV, in UTF-8 or GBK); "" for anything else.
func statementType(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case bytes.IndexByte(head, 0) >= 0 || bytes.HasPrefix(head, []byte("%PDF")) || bytes.HasPrefix(head, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return ""
	}
	return "text/csv"
}

// sweepSpool removes the uploads that waited longer than spoolAge, and unfinished ones.
func (db *DB) sweepSpool(now time.Time) {
	entries, err := os.ReadDir(db.spoolDir())
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > spoolAge {
			os.Remove(filepath.Join(db.spoolDir(), e.Name()))
		}
	}
}

// readSpooled reads the lines of a spooled statement file.
func (db *DB) readSpooled(sha string) (*qingqian.StatementReadResult, int64, error) {
	gone := &qingqian.Error{Code: qingqian.EINVALID, Message: "上传的对账单已过期或不存在，请重新上传并预览", Fields: map[string]string{"file": "请重新上传"}}
	if !validSHA(sha) {
		return nil, 0, gone
	}
	res, size, err := db.readStatementAt(db.spoolPath(sha), sha)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, errHashDiffers) {
		return nil, 0, gone
	}
	return res, size, err
}

// errHashDiffers is a stored file whose bytes no longer hash to its name.
var errHashDiffers = errors.New("the file's bytes do not hash to its name")

// readStatementAt reads the lines of a stored statement file (in clear or sealed): decrypted
// into a private temporary file, checked against its hash, read, removed. size is the
// plaintext's.
func (db *DB) readStatementAt(path, sha string) (_ *qingqian.StatementReadResult, size int64, _ error) {
	src, err := openVoucherFile(path, db.VoucherKey)
	if err != nil {
		return nil, 0, err
	}
	defer src.Close()
	if err := os.MkdirAll(db.spoolDir(), 0o750); err != nil {
		return nil, 0, err
	}
	tmp, err := os.CreateTemp(db.spoolDir(), uploadPrefix+"*")
	if err != nil {
		return nil, 0, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	if size, err = io.Copy(io.MultiWriter(tmp, h), src); err != nil {
		tmp.Close()
		return nil, 0, err
	}
	if err := tmp.Close(); err != nil {
		return nil, 0, err
	}
	if hex.EncodeToString(h.Sum(nil)) != sha {
		return nil, 0, errHashDiffers
	}
	res, err := readStatementFile(tmp.Name())
	return res, size, err
}

// keepStatementFile moves a spooled statement file into the voucher store (as it is stored,
// encrypted or not) and registers it as a file of kind 'statement'.
func (tx *Tx) keepStatementFile(ctx context.Context, f *qingqian.StatementFile) error {
	db := tx.db
	final := VoucherPath(db.VoucherDir, f.SHA256)
	if !storedIntact(final, f.SHA256, db.VoucherKey) {
		if err := mkdirSynced(filepath.Dir(final)); err != nil {
			return err
		}
		// A copy, not a rename: the spooled file stays until swept, should this transaction
		// roll back.
		if err := copyFileSynced(db.spoolPath(f.SHA256), final); err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(final)); err != nil {
			return err
		}
	}
	src, err := openVoucherFile(final, db.VoucherKey)
	if err != nil {
		return err
	}
	head := make([]byte, 16)
	k, _ := io.ReadFull(src, head)
	src.Close()
	if _, err := tx.ExecContext(ctx, `INSERT INTO vouchers (sha256, size, content_type, name, created_at, kind) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (sha256) DO NOTHING`, f.SHA256, f.Size, statementType(head[:k]), f.Name, tx.ts(tx.now), kindStatement); err != nil {
		return fmt.Errorf("insert into vouchers: %w", err)
	}
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM vouchers WHERE sha256 = $1`, f.SHA256).Scan(&kind); err != nil {
		return fmt.Errorf("read vouchers: %w", err)
	}
	if kind != kindStatement {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "该文件已作为凭证登记，不能作为银行对账单导入", Fields: map[string]string{"file": "文件已作为凭证登记"}}
	}
	return nil
}

// copyFileSynced copies a file to a new name through a temporary file, on disk before renamed.
func copyFileSynced(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(to), uploadPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, src); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), to)
}

// OpenStatementFile implements qingqian.StatementService.
func (s *StatementService) OpenStatementFile(ctx context.Context, id int64) (_ *qingqian.BankStatement, _ io.ReadSeekCloser, err error) {
	defer serviceErr(&err, "open the file of statement %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, nil, err
	}
	st := &qingqian.BankStatement{}
	var path string
	err = s.db.read.QueryRowContext(ctx, `SELECT s.id, s.org_id, o.name, s.file_name, s.lines, s.from_on, s.to_on, s.imported_at, s.actor_name,
		s.file_sha256, s.lines_digest, o.path FROM bank_statements s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1`, id).
		Scan(&st.ID, &st.OrgID, &st.OrgName, &st.FileName, &st.Lines, &st.From, &st.To, timeCol{&st.ImportedAt}, &st.ActorName,
			&st.FileSHA256, &st.LinesDigest, &path)
	notFound := qingqian.Errorf(qingqian.ENOTFOUND, "对账单不存在")
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound
	} else if err != nil {
		return nil, nil, err
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "statement", id)
		return nil, nil, notFound
	}
	if st.FileSHA256 == "" {
		return nil, nil, qingqian.Errorf(qingqian.ENOTFOUND, "该对账单导入时系统尚未保存原文件")
	}
	f, err := openVoucherFile(VoucherPath(s.db.VoucherDir, st.FileSHA256), s.db.VoucherKey)
	if errors.Is(err, os.ErrNotExist) {
		s.db.logger().ErrorContext(ctx, "statement file missing", "sha256", st.FileSHA256)
		return nil, nil, qingqian.Errorf(qingqian.ENOTFOUND, "对账单原文件缺失（%s），请联系系统管理员从备份恢复", shortSHA(st.FileSHA256))
	} else if err != nil {
		return nil, nil, err
	}
	rctx := context.WithoutCancel(ctx)
	if err := s.db.inTx(rctx, a, func(tx *Tx) error {
		return tx.audit(rctx, "statement.download", "statement", st.ID, path, nil, map[string]any{"sha256": st.FileSHA256, "name": st.FileName})
	}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return st, f, nil
}
