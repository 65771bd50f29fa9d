package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// dsnOf is the database address the args of eachDB name.
func dsnOf(dialect string, args []string) string {
	if dialect == "postgres" {
		return args[3]
	}
	return filepath.Join(args[1], "qingqian.db")
}

// freshDatabase creates an empty PostgreSQL database for a restore, dropped when the test ends,
// and returns the URL of dsn moved onto it (the same search_path).
func freshDatabase(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", os.Getenv(sqldbtest.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	name := fmt.Sprintf("qq_restore_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	u, _ := url.Parse(dsn)
	u.Path = "/" + name
	return u.String()
}

// A backup taken while repayments with vouchers are being recorded restores into a new database
// that verify passes, holding exactly the repayments acknowledged up to some point during the
// backup, with their voucher files intact, and the figures the source had at that point.
func TestBackupDuringWritesAndRestore(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		ctx := context.Background()
		newDeployment(t, args)
		src, err := sqldb.Open(dsnOf(dialect, args))
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		src.VoucherDir = filepath.Join(args[1], "vouchers")
		svc := sqldb.NewServices(src)
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("测试"))
		it := &qingqian.Item{OrgID: 2, ContractName: "备份测试", ContractNo: "HT-B", Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2019-01-10"),
			Undisputed: qingqian.Yuan(1_000_000), Origin: qingqian.OriginBaseline,
			Creditor: &qingqian.Creditor{Name: "某某劳务有限公司", USCC: "91110000600037341L", Ownership: qingqian.OwnershipPrivate}}
		if err := svc.Items.CreateItem(sys, it); err != nil {
			t.Fatal(err)
		}
		// A writer records repayments, each with a voucher of its own, until told to stop.
		var acked atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		var werr error
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v, err := svc.Vouchers.StoreVoucher(sys, fmt.Sprintf("凭证%d.pdf", i), strings.NewReader(fmt.Sprintf("%%PDF-1.4 第%d笔\n", i)))
				if err == nil {
					_, err = svc.Entries.RecordEntry(sys, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.Today(),
						Amount: qingqian.Yuan(1), Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}})
				}
				if err != nil {
					werr = err
					return
				}
				acked.Add(1)
			}
		}()
		for acked.Load() < 20 && werr == nil {
			time.Sleep(10 * time.Millisecond)
		}
		dir := filepath.Join(t.TempDir(), "backup")
		before := acked.Load()
		out, err := runIn(t, "", append([]string{"backup", "--out", dir}, args...)...)
		after := acked.Load()
		for acked.Load() < after+10 && werr == nil {
			time.Sleep(10 * time.Millisecond)
		}
		close(stop)
		wg.Wait()
		if werr != nil {
			t.Fatalf("writer: %v", werr)
		}
		if err != nil || !strings.Contains(out, "备份完成") {
			t.Fatalf("backup: %v\n%s", err, out)
		}
		if out, err := runIn(t, "", append([]string{"backup", "--out", dir}, args...)...); err == nil || !strings.Contains(out+err.Error(), "不是空的") {
			t.Fatalf("backup into a used folder: %v %s", err, out)
		}

		// Restore into a new database and data folder; restore verifies.
		target := []string{"--data", filepath.Join(t.TempDir(), "restored")}
		if dialect == "postgres" {
			target = append(target, "--db", freshDatabase(t, args[3]))
		}
		out, err = runIn(t, "", append([]string{"restore", "--from", dir}, target...)...)
		if err != nil || !strings.Contains(out, "审计链完好") || !strings.Contains(out, "汇总数与明细分录一致") {
			t.Fatalf("restore: %v\n%s", err, out)
		}
		if out, err := runIn(t, "", append([]string{"restore", "--from", dir}, target...)...); err == nil {
			t.Fatalf("a second restore into the same database: %s", out)
		}
		dst, err := sqldb.Open(dsnOf(dialect, target))
		if err != nil {
			t.Fatal(err)
		}
		defer dst.Close()
		dst.VoucherDir = filepath.Join(target[1], "vouchers")
		rsvc := sqldb.NewServices(dst)
		entries, err := rsvc.Entries.FindEntries(sys, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var repaid int64
		var last time.Time
		for _, e := range entries {
			if e.RecordedAt.After(last) {
				last = e.RecordedAt
			}
			if e.Kind != qingqian.EntryRepay {
				continue
			}
			repaid++
			if len(e.Vouchers) != 1 {
				t.Fatalf("entry %d has %d vouchers", e.ID, len(e.Vouchers))
			}
			_, f, err := rsvc.Vouchers.OpenVoucher(sys, e.Vouchers[0].SHA256)
			if err != nil {
				t.Fatalf("voucher of entry %d: %v", e.ID, err)
			}
			h := sha256.New()
			io.Copy(h, f)
			f.Close()
			if hex.EncodeToString(h.Sum(nil)) != e.Vouchers[0].SHA256 {
				t.Fatalf("voucher of entry %d restored with other bytes", e.ID)
			}
		}
		if repaid < before || repaid > after {
			t.Fatalf("the backup holds %d repayments; %d were acknowledged when it began, %d when it ended", repaid, before, after)
		}
		// The figures equal the source's as known at the last restored entry.
		asOf := qingqian.Today().AddDays(30)
		got, err := rsvc.Totals.SubtreeTotals(sys, qingqian.TotalsQuery{OrgID: 1, AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		want, err := svc.Totals.SubtreeTotals(sys, qingqian.TotalsQuery{OrgID: 1, AsOf: asOf, KnownAt: last})
		if err != nil {
			t.Fatal(err)
		}
		if got.Overall != want.Overall || got.Overall.Payments != repaid {
			t.Fatalf("restored figures %+v, the source's at the backup point %+v (%d repayments)", got.Overall, want.Overall, repaid)
		}
		now, _ := svc.Totals.SubtreeTotals(sys, qingqian.TotalsQuery{OrgID: 1, AsOf: asOf})
		if now.Overall == got.Overall {
			t.Fatal("the source did not move on after the backup: the test shows nothing")
		}
	})
}

// Without pg_dump and pg_restore on PATH, backup and restore say exactly what to run, copy the
// voucher files, and finish once it has been run.
func TestBackupWithoutPostgresTools(t *testing.T) {
	if os.Getenv(sqldbtest.EnvPostgres) == "" {
		t.Skip(sqldbtest.EnvPostgres + " not set")
	}
	dir := t.TempDir()
	args := []string{"--data", filepath.Join(dir, "data"), "--db", sqldbtest.FreshDSN(t, "postgres")}
	newDeployment(t, args)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	src, err := sqldb.Open(args[3])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.VoucherDir = filepath.Join(args[1], "vouchers")
	v, err := sqldb.NewVoucherService(src).StoreVoucher(sys, "a.pdf", strings.NewReader("%PDF-1.4 无工具\n"))
	if err != nil {
		t.Fatal(err)
	}
	path := os.Getenv("PATH")
	shell := func(out, tool string) {
		t.Helper()
		i := strings.Index(out, tool+" '")
		if i < 0 {
			t.Fatalf("no %s command in:\n%s", tool, out)
		}
		line := out[i:]
		line = line[:strings.Index(line, "\n")]
		cmd := exec.Command("/bin/sh", "-c", line)
		cmd.Env = append(os.Environ(), "PATH="+path)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", line, err, b)
		}
	}
	backup := filepath.Join(dir, "backup")
	t.Setenv("PATH", dir)
	out, err := runIn(t, "", append([]string{"backup", "--out", backup}, args...)...)
	if err == nil || !strings.Contains(out, "找不到 pg_dump") || !strings.Contains(out, "--after-dump") {
		t.Fatalf("backup without pg_dump: %v\n%s", err, out)
	}
	if _, err := os.Stat(sqldb.VoucherPath(filepath.Join(backup, "vouchers"), v.SHA256)); err != nil {
		t.Fatalf("the voucher was not copied: %v", err)
	}
	shell(out, "pg_dump")
	if out, err := runIn(t, "", append([]string{"backup", "--after-dump", "--out", backup}, args...)...); err != nil || !strings.Contains(out, "备份完成") {
		t.Fatalf("backup --after-dump: %v\n%s", err, out)
	}
	target := []string{"--data", filepath.Join(dir, "restored"), "--db", freshDatabase(t, args[3])}
	out, err = runIn(t, "", append([]string{"restore", "--from", backup}, target...)...)
	if err == nil || !strings.Contains(out, "找不到 pg_restore") {
		t.Fatalf("restore without pg_restore: %v\n%s", err, out)
	}
	shell(out, "pg_restore")
	t.Setenv("PATH", path)
	if out, err := runIn(t, "", append([]string{"verify"}, target...)...); err != nil {
		t.Fatalf("verify the restored database: %v\n%s", err, out)
	}
	if _, err := os.Stat(sqldb.VoucherPath(filepath.Join(target[1], "vouchers"), v.SHA256)); err != nil {
		t.Fatalf("the voucher was not restored: %v", err)
	}
}
