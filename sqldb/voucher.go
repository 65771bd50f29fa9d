package sqldb

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingqian/qingqian"
)

// VoucherService implements qingqian.VoucherService. Files live under DB.VoucherDir, named by
// the SHA-256 of their content (ab/cd/abcd…), so the same bytes are stored once; with a
// DB.VoucherKey they are stored encrypted (see seal.go), under the same name.
type VoucherService struct{ db *DB }

// NewVoucherService returns the voucher service over db.
func NewVoucherService(db *DB) *VoucherService { return &VoucherService{db: db} }

var _ qingqian.VoucherService = (*VoucherService)(nil)

func (s *VoucherService) pathOf(sha string) string {
	return filepath.Join(s.db.VoucherDir, sha[:2], sha[2:4], sha)
}

func voucherNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "凭证不存在") }

func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// receiveFile streams an upload into a temporary file of dir, at most limit+1 bytes (n > limit
// tells the caller it was too large), hashing it and keeping its first bytes; with a data key it
// is encrypted as it streams in and never lies on disk in clear (the hash and the head are the
// plaintext's). The caller removes and closes the file, or renames it into place.
func (db *DB) receiveFile(dir string, r io.Reader, limit int64) (tmp *os.File, sha string, n int64, head []byte, err error) {
	tmp, err = os.CreateTemp(dir, uploadPrefix+"*")
	if err != nil {
		return nil, "", 0, nil, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	hb := &headBuffer{}
	var dst io.Writer = tmp
	var sealer io.WriteCloser
	if db.VoucherKey != nil {
		if sealer, err = NewSealWriter(tmp, db.VoucherKey); err != nil {
			return nil, "", 0, nil, err
		}
		dst = sealer
	}
	if n, err = io.Copy(io.MultiWriter(dst, h, hb), io.LimitReader(r, limit+1)); err != nil {
		return nil, "", 0, nil, err
	}
	if sealer != nil {
		if err = sealer.Close(); err != nil {
			return nil, "", 0, nil, err
		}
	}
	return tmp, hex.EncodeToString(h.Sum(nil)), n, hb.b, nil
}

// storeVoucher saves a voucher file (once per content) and records it and its uploading unit in
// the transaction.
func (tx *Tx) storeVoucher(ctx context.Context, name string, r io.Reader) (*qingqian.Voucher, error) {
	db, a := tx.db, tx.actor
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if !utf8.ValidString(name) || len(name) > 200 || name == "." || name == "/" {
		name = "凭证"
	}
	if db.VoucherDir == "" {
		return nil, errors.New("voucher directory not configured")
	}
	if err := os.MkdirAll(db.VoucherDir, 0o750); err != nil {
		return nil, err
	}
	tmp, sha, n, head, err := db.receiveFile(db.VoucherDir, r, db.MaxVoucherSize)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if n > db.MaxVoucherSize {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证文件超过大小限制（" + sizeText(db.MaxVoucherSize) + "）：" + name, Fields: map[string]string{"file": "文件过大"}}
	}
	if n == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证文件为空：" + name, Fields: map[string]string{"file": "文件为空"}}
	}
	var plain io.ReaderAt = tmp
	if db.VoucherKey != nil {
		sf, err := openSealed(tmp, db.VoucherKey)
		if err != nil {
			return nil, err
		}
		plain = sf
	}
	ctype := qingqian.DetectVoucherType(head, func() bool { return isOFD(plain, n) })
	if ctype == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证只接受 PDF、JPEG、PNG 或 OFD 文件（按文件内容判断）：" + name, Fields: map[string]string{"file": "文件类型不允许"}}
	}
	v := &qingqian.Voucher{SHA256: sha, Size: n, ContentType: ctype, Name: name, CreatedAt: tx.now}
	// The file goes in place before the rows are committed; a rollback leaves an unreferenced,
	// content-addressed file that a later identical upload reuses.
	final := filepath.Join(db.VoucherDir, v.SHA256[:2], v.SHA256[2:4], v.SHA256)
	// A stored file whose bytes no longer hash to its name (changed on disk behind the system's
	// back) is replaced by the genuine bytes just uploaded.
	if !storedIntact(final, v.SHA256, db.VoucherKey) {
		if err := tmp.Sync(); err != nil {
			return nil, err
		}
		if err := mkdirSynced(filepath.Dir(final)); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp.Name(), final); err != nil {
			return nil, err
		}
		// The rename is durable only once the folder holding the new name is on disk.
		if err := syncDir(filepath.Dir(final)); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO vouchers (sha256, size, content_type, name, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sha256) DO NOTHING`, v.SHA256, v.Size, v.ContentType, v.Name, tx.ts(tx.now)); err != nil {
		return nil, fmt.Errorf("insert into vouchers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO voucher_uploads (sha256, org_path, name, uploaded_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256, org_path) DO NOTHING`,
		v.SHA256, a.OrgPath, v.Name, tx.ts(tx.now)); err != nil {
		return nil, fmt.Errorf("insert into voucher_uploads: %w", err)
	}
	return v, tx.audit(ctx, "voucher.upload", "voucher", 0, a.OrgPath, nil, v)
}

// storedIntact reports whether the voucher file at path exists and its plaintext hashes to sha.
func storedIntact(path, sha string, key []byte) bool {
	f, err := openVoucherFile(path, key)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == sha
}

// StoreVoucher implements qingqian.VoucherService.
func (s *VoucherService) StoreVoucher(ctx context.Context, name string, r io.Reader) (_ *qingqian.Voucher, err error) {
	defer serviceErr(&err, "store voucher %q", name)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var v *qingqian.Voucher
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		var err error
		v, err = tx.storeVoucher(ctx, name, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.find(ctx, s.db.read, a, v.SHA256)
}

// shortSHA is the beginning of a hash, as a person quotes it.
func shortSHA(sha string) string { return sha[:12] }

// uploadPrefix begins the names of the temporary files a voucher is written to before it is
// renamed to its hash.
const uploadPrefix = "upload-"

// SweepVoucherUploads removes the temporary files of voucher uploads that never finished (the
// server was stopped or killed while writing them), returning how many. It must run when no
// upload does: at the server's start, under the data folder's lock.
func (db *DB) SweepVoucherUploads() (int, error) {
	if db.VoucherDir == "" {
		return 0, nil
	}
	names, err := filepath.Glob(filepath.Join(db.VoucherDir, uploadPrefix+"*"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		if err := os.Remove(name); err == nil {
			n++
		}
	}
	return n, nil
}

// syncDir flushes a folder's entries (a file created or renamed in it) to disk. It is a variable
// so that a test can see it called.
var syncDir = func(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// mkdirSynced makes a folder and its missing parents, each made durable in its parent.
func mkdirSynced(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirSynced(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o750); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func sizeText(n int64) string { return strconv.FormatInt(n>>20, 10) + " MB" }

// headBuffer keeps the first bytes written to it, which tell a file's type.
type headBuffer struct{ b []byte }

func (h *headBuffer) Write(p []byte) (int, error) {
	if k := 16 - len(h.b); k > 0 {
		h.b = append(h.b, p[:min(k, len(p))]...)
	}
	return len(p), nil
}

// isOFD reports whether a zip file is an OFD package: it has OFD.xml at its root.
func isOFD(f io.ReaderAt, size int64) bool {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return false
	}
	for _, zf := range zr.File {
		if strings.EqualFold(zf.Name, "OFD.xml") {
			return true
		}
	}
	return false
}

// voucherNameFor is the name a voucher v shows with an item of unit o: the name its unit's
// branch of the tree uploaded it with, else the first upload's. A file another unit uploaded
// too never shows that unit's name.
const voucherNameFor = `COALESCE((SELECT u.name FROM voucher_uploads u WHERE u.sha256 = v.sha256 AND u.name <> ''
	AND (substr(o.path, 1, length(u.org_path)) = u.org_path OR substr(u.org_path, 1, length(o.path)) = o.path)
	ORDER BY u.uploaded_at LIMIT 1), v.name)`

// find returns a voucher as the actor sees it: the name and time of its own subtree's first
// upload, and the entries in its subtree it is attached to. What other units did with the same
// bytes is theirs.
func (s *VoucherService) find(ctx context.Context, q rowQueryer, a *qingqian.Actor, sha string) (_ *qingqian.Voucher, err error) {
	defer wrapErr(&err, "read voucher %s", sha)
	lo, hi := subtreeRange(a.OrgPath)
	v := &qingqian.Voucher{}
	var name string
	var at time.Time
	err = q.QueryRowContext(ctx, `SELECT v.sha256, v.size, v.content_type, v.name, v.created_at,
		COALESCE((SELECT u.name FROM voucher_uploads u WHERE u.sha256 = v.sha256 AND u.org_path >= $2 AND u.org_path < $3 ORDER BY u.uploaded_at LIMIT 1), ''),
		(SELECT MIN(u.uploaded_at) FROM voucher_uploads u WHERE u.sha256 = v.sha256 AND u.org_path >= $2 AND u.org_path < $3),
		(SELECT COUNT(*) FROM entry_vouchers ev JOIN entries e ON e.id = ev.entry_id JOIN items i ON i.id = e.item_id
			JOIN orgs o ON o.id = i.org_id WHERE ev.sha256 = v.sha256 AND o.path >= $2 AND o.path < $3)
		FROM vouchers v WHERE v.sha256 = $1`, sha, lo, hi).
		Scan(&v.SHA256, &v.Size, &v.ContentType, &v.Name, timeCol{&v.CreatedAt}, &name, timeCol{&at}, &v.EntryCount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, voucherNotFound()
	} else if err != nil {
		return nil, err
	}
	if name != "" {
		v.Name, v.CreatedAt = name, at
	}
	return v, nil
}

// visible reports whether the actor's subtree uploaded the voucher, holds an entry it is
// attached to, or received a circular it is attached to.
func visible(ctx context.Context, q rowQueryer, a *qingqian.Actor, sha string) (_ bool, err error) {
	defer wrapErr(&err, "who may see voucher %s", sha)
	lo, hi := subtreeRange(a.OrgPath)
	var n int
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM voucher_uploads u WHERE u.sha256 = $1 AND u.org_path >= $2 AND u.org_path < $3) +
		(SELECT COUNT(*) FROM entry_vouchers ev JOIN entries e ON e.id = ev.entry_id JOIN items i ON i.id = e.item_id
			JOIN orgs o ON o.id = i.org_id WHERE ev.sha256 = $1 AND o.path >= $2 AND o.path < $3) +
		(SELECT COUNT(*) FROM circular_files f JOIN circular_receipts r ON r.circular_id = f.circular_id
			JOIN orgs o ON o.id = r.org_id WHERE f.sha256 = $1 AND o.path >= $2 AND o.path < $3)`, sha, lo, hi).Scan(&n)
	return n > 0, err
}

// OpenVoucher implements qingqian.VoucherService.
func (s *VoucherService) OpenVoucher(ctx context.Context, sha string) (_ *qingqian.Voucher, _ io.ReadSeekCloser, err error) {
	defer serviceErr(&err, "open voucher %s", sha)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !validSHA(sha) {
		return nil, nil, voucherNotFound()
	}
	ok, err := visible(ctx, s.db.read, a, sha)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		s.db.securityEvent(ctx, a, "voucher", 0)
		return nil, nil, voucherNotFound()
	}
	v, err := s.find(ctx, s.db.read, a, sha)
	if err != nil {
		return nil, nil, err
	}
	f, err := openVoucherFile(s.pathOf(sha), s.db.VoucherKey)
	if errors.Is(err, os.ErrNotExist) {
		s.db.logger().ErrorContext(ctx, "voucher file missing", "sha256", sha, "path", s.pathOf(sha))
		return nil, nil, qingqian.Errorf(qingqian.ENOTFOUND, "凭证文件缺失：系统登记了该凭证（%s，%s），但存储中找不到它的文件。请联系系统管理员从备份恢复凭证文件", v.Name, shortSHA(sha))
	}
	if err != nil {
		return nil, nil, err
	}
	// A voucher may carry personal data (ID numbers, accounts): every download is recorded,
	// even when the request is gone.
	rctx := context.WithoutCancel(ctx)
	if err := s.db.inTx(rctx, a, func(tx *Tx) error {
		return tx.audit(rctx, "voucher.download", "voucher", 0, a.OrgPath, nil, map[string]any{"sha256": sha, "name": v.Name})
	}); err != nil {
		f.Close()
		return nil, nil, err
	}
	return v, f, nil
}

// attachVoucher links a voucher the actor may use to a repayment entry.
func (tx *Tx) attachVoucher(ctx context.Context, path string, e *qingqian.Entry, sha string) (err error) {
	defer wrapErr(&err, "attach voucher %s", sha)
	bad := &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证不存在或无权使用：" + sha, Fields: map[string]string{"vouchers": "凭证不存在"}}
	if !validSHA(sha) {
		return bad
	}
	ok, err := visible(ctx, tx, tx.actor, sha)
	if err != nil {
		return err
	}
	if !ok {
		return bad
	}
	if e.Kind != qingqian.EntryRepay {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "只有清偿记录附支付凭证", Fields: map[string]string{"vouchers": "只有清偿记录附支付凭证"}}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO entry_vouchers (entry_id, sha256, attached_on, attached_at) VALUES ($1, $2, $3, $4) ON CONFLICT (entry_id, sha256) DO NOTHING`,
		e.ID, sha, qingqian.DateOf(tx.now), tx.ts(tx.now))
	if err != nil {
		return fmt.Errorf("insert into entry_vouchers: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	// The first voucher turns the repayment from a claim into a fact in the running totals.
	var count int64
	var kind qingqian.ItemKind
	var origin qingqian.Origin
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM entry_vouchers WHERE entry_id = $1), i.kind, i.origin
		FROM entries e JOIN items i ON i.id = e.item_id WHERE e.id = $1`, e.ID).Scan(&count, &kind, &origin); err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	if count != 1 {
		return nil
	}
	return tx.bumpTotals(ctx, path, e.On, kind, origin, measures{mPayNV: -1, mRepNV: int64(e.Undisputed + e.Disputed)})
}

// AttachVoucher implements qingqian.VoucherService.
func (s *VoucherService) AttachVoucher(ctx context.Context, entryID int64, sha string) (err error) {
	defer serviceErr(&err, "attach voucher %s to entry %d", sha, entryID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		e, err := tx.db.entryByID(ctx, tx, entryID)
		if err != nil {
			return err
		}
		r, err := tx.reachItem(ctx, e.ItemID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil {
			return qingqian.Errorf(qingqian.ENOTFOUND, "记录不存在")
		}
		if e.ReversedByID != 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "该记录已被冲正，不能再附凭证")
		}
		if err := tx.attachVoucher(ctx, r.path, e, sha); err != nil {
			return err
		}
		return tx.audit(ctx, "voucher.attach", "item", r.ID, r.path, nil, map[string]any{"entry_id": entryID, "sha256": sha})
	})
}

// FindVoucherEntries implements qingqian.VoucherService.
func (s *VoucherService) FindVoucherEntries(ctx context.Context, sha string) (_ []*qingqian.Entry, err error) {
	defer serviceErr(&err, "find the entries of voucher %s", sha)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if !validSHA(sha) {
		return nil, voucherNotFound()
	}
	lo, hi := subtreeRange(a.OrgPath)
	rows, err := s.db.read.QueryContext(ctx, `SELECT ev.entry_id FROM entry_vouchers ev JOIN entries e ON e.id = ev.entry_id JOIN items i ON i.id = e.item_id
		JOIN orgs o ON o.id = i.org_id WHERE ev.sha256 = $1 AND o.path >= $2 AND o.path < $3 ORDER BY ev.entry_id`, sha, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read entry_vouchers: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []*qingqian.Entry{}
	for _, id := range ids {
		e, err := s.db.entryByID(ctx, s.db.read, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
