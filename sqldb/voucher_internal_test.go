package sqldb

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/qingqian/qingqian"
)

// A stored voucher's name is made durable: the folders made for it are flushed in their parents,
// and the folder it is renamed into is flushed after the rename. (Internal: it watches syncDir.)
func TestVoucherRenameIsSynced(t *testing.T) {
	db := openMigrated(t)
	db.VoucherDir = filepath.Join(t.TempDir(), "vouchers")
	var synced []string
	defer func(f func(string) error) { syncDir = f }(syncDir)
	real := syncDir
	syncDir = func(dir string) error {
		synced = append(synced, dir)
		return real(dir)
	}
	ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	v, err := NewVoucherService(db).StoreVoucher(ctx, "a.pdf", bytes.NewReader([]byte("%PDF-1.4 fsync\n")))
	if err != nil {
		t.Fatal(err)
	}
	final := filepath.Join(db.VoucherDir, v.SHA256[:2], v.SHA256[2:4])
	want := []string{db.VoucherDir, filepath.Dir(final), final}
	if len(synced) != len(want) {
		t.Fatalf("synced %v, want %v", synced, want)
	}
	for i := range want {
		if synced[i] != want[i] {
			t.Fatalf("synced %v, want %v", synced, want)
		}
	}
	if _, err := os.Stat(filepath.Join(final, v.SHA256)); err != nil {
		t.Fatal(err)
	}
}
