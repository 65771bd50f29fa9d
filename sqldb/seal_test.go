package sqldb_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func testKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, sqldb.KeySize)
	rand.Read(k)
	return k
}

// A sealed file reads back as what was written, from any offset, at every size around the
// chunk's; one cut short, changed or read with another key does not open or read.
func TestSealedFiles(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	for _, n := range []int{0, 1, 100, 64<<10 - 1, 64 << 10, 64<<10 + 1, 3*64<<10 + 17} {
		plain := make([]byte, n)
		rand.Read(plain)
		in, out := filepath.Join(dir, "plain"), filepath.Join(dir, "sealed")
		if err := os.WriteFile(in, plain, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := sqldb.SealFile(in, out, key); err != nil {
			t.Fatal(err)
		}
		raw, _ := os.ReadFile(out)
		if !sqldb.Sealed(raw) || (n > 16 && bytes.Contains(raw, plain[:16])) {
			t.Fatalf("%d bytes: not sealed", n)
		}
		f, err := sqldb.OpenSealed(out, key)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		got, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes read back as %d: %v", n, len(got), err)
		}
		if n > 10 {
			if _, err := f.Seek(int64(n-10), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			tail, _ := io.ReadAll(f)
			if !bytes.Equal(tail, plain[n-10:]) {
				t.Fatalf("%d bytes: the last ten after a seek differ", n)
			}
		}
		f.Close()
		back := filepath.Join(dir, "back")
		if err := sqldb.UnsealFile(out, back, key); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(back); !bytes.Equal(b, plain) {
			t.Fatalf("%d bytes: unsealed differently", n)
		}
		if _, err := sqldb.OpenSealed(out, testKey(t)); err == nil {
			t.Fatalf("%d bytes: opened with another key", n)
		}
		for _, cut := range []int{len(raw) - 1, len(raw) - 17, 12} {
			if cut < 12 || cut >= len(raw) {
				continue
			}
			os.WriteFile(filepath.Join(dir, "cut"), raw[:cut], 0o600)
			if f, err := sqldb.OpenSealed(filepath.Join(dir, "cut"), key); err == nil {
				if _, err := io.ReadAll(f); err == nil {
					t.Fatalf("%d bytes cut to %d: read", n, cut)
				}
			}
		}
		if n > 0 {
			changed := bytes.Clone(raw)
			changed[len(changed)/2] ^= 1
			os.WriteFile(filepath.Join(dir, "changed"), changed, 0o600)
			if f, err := sqldb.OpenSealed(filepath.Join(dir, "changed"), key); err == nil {
				if _, err := io.ReadAll(f); err == nil {
					t.Fatalf("%d bytes with a bit flipped: read", n)
				}
			}
		}
	}
	kf := filepath.Join(dir, "key")
	os.WriteFile(kf, []byte(hex.EncodeToString(key)+"\n"), 0o600)
	if k, err := sqldb.ReadKeyFile(kf); err != nil || !bytes.Equal(k, key) {
		t.Fatalf("hex key file: %v", err)
	}
	os.WriteFile(kf, []byte("too short"), 0o600)
	if _, err := sqldb.ReadKeyFile(kf); err == nil {
		t.Fatal("a short key was taken")
	}
}

// With a data key, a voucher lies on disk encrypted, is named and hashed by its plaintext, and
// serves its plaintext; files stored in clear before still serve, and are encrypted in place on
// request.
func TestVouchersEncryptedAtRest(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		before := []byte("%PDF-1.4 存量明文凭证 身份证号 110101199003071234\n")
		old, err := f.vouchers.StoreVoucher(clerk, "旧.pdf", bytes.NewReader(before))
		if err != nil {
			t.Fatal(err)
		}
		db.VoucherKey = testKey(t)
		plain := []byte("%PDF-1.4 加密凭证 开户账号 6222020200112233445\n" + strings.Repeat("x", 70000))
		v, err := f.vouchers.StoreVoucher(clerk, "新.pdf", bytes.NewReader(plain))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(plain)
		if v.SHA256 != hex.EncodeToString(sum[:]) || v.Size != int64(len(plain)) || v.ContentType != qingqian.TypePDF {
			t.Fatalf("stored %+v", v)
		}
		path := filepath.Join(db.VoucherDir, v.SHA256[:2], v.SHA256[2:4], v.SHA256)
		raw, _ := os.ReadFile(path)
		if !sqldb.Sealed(raw) || bytes.Contains(raw, []byte("6222020200112233445")) {
			t.Fatal("the voucher lies on disk in clear")
		}
		read := func(sha string) []byte {
			_, rc, err := f.vouchers.OpenVoucher(clerk, sha)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return b
		}
		if !bytes.Equal(read(v.SHA256), plain) || !bytes.Equal(read(old.SHA256), before) {
			t.Fatal("a voucher reads back differently")
		}
		// An OFD package is told by its structure, read back through the encryption.
		var ofd bytes.Buffer
		zw := zip.NewWriter(&ofd)
		w, _ := zw.Create("OFD.xml")
		w.Write([]byte(`<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>`))
		zw.Close()
		if o, err := f.vouchers.StoreVoucher(clerk, "发票.ofd", bytes.NewReader(ofd.Bytes())); err != nil || o.ContentType != qingqian.TypeOFD {
			t.Fatalf("an encrypted OFD: %+v %v", o, err)
		}
		n, err := db.SealVouchers()
		if err != nil || n != 1 {
			t.Fatalf("sealed %d, %v", n, err)
		}
		oldPath := filepath.Join(db.VoucherDir, old.SHA256[:2], old.SHA256[2:4], old.SHA256)
		if raw, _ := os.ReadFile(oldPath); !sqldb.Sealed(raw) || !bytes.Equal(read(old.SHA256), before) {
			t.Fatal("the file stored in clear was not encrypted in place")
		}
		// Without the key, an encrypted voucher is not served (and is not taken for a PDF).
		db.VoucherKey = nil
		if _, _, err := f.vouchers.OpenVoucher(clerk, v.SHA256); qingqian.ErrorCode(err) != qingqian.EINTERNAL {
			t.Fatalf("opened without the key: %v", err)
		}
		if res, err := f.audit.VerifyAudit(f.sys); err != nil || !res.OK {
			t.Fatalf("chain %+v %v", res, err)
		}
	})
}

// A backup copies an encrypted voucher as it is stored, checked against the hash of its
// content; without the key it cannot be checked and is refused, and a damaged one is refused.
func TestCopySealedVoucher(t *testing.T) {
	key := testKey(t)
	content := []byte("%PDF-1.4 银行回单 " + strings.Repeat("x", 100000))
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	src, dst := t.TempDir(), t.TempDir()
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, content, 0o600); err != nil {
		t.Fatal(err)
	}
	stored := sqldb.VoucherPath(src, sha)
	os.MkdirAll(filepath.Dir(stored), 0o700)
	if err := sqldb.SealFile(plain, stored, key); err != nil {
		t.Fatal(err)
	}
	if err := sqldb.CopyVoucher(src, dst, sha, nil); err == nil {
		t.Fatal("an encrypted voucher was copied without the key to check it")
	}
	if err := sqldb.CopyVoucher(src, dst, sha, key); err != nil {
		t.Fatalf("copy with the key: %v", err)
	}
	want, _ := os.ReadFile(stored)
	got, err := os.ReadFile(sqldb.VoucherPath(dst, sha))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the copy is not the stored (encrypted) file: %v", err)
	}
	// A damaged stored file is refused.
	want[len(want)-1] ^= 1
	os.WriteFile(stored, want, 0o600)
	if err := sqldb.CopyVoucher(src, t.TempDir(), sha, key); err == nil || !strings.Contains(err.Error(), "哈希不符") && !strings.Contains(err.Error(), "无法读取") {
		t.Fatalf("a damaged encrypted voucher: %v", err)
	}
}
