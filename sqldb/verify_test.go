package sqldb_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// mustVerify runs the whole verification and fails unless every check held.
func mustVerify(t *testing.T, db *sqldb.DB) *sqldb.VerifyReport {
	t.Helper()
	rep, err := db.Verify(context.Background(), sqldb.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify failed: %s", strings.Join(rep.Problems, "; "))
	}
	return rep
}

// wantProblem runs the whole verification and fails unless it reports a problem containing
// each of want.
func wantProblem(t *testing.T, db *sqldb.DB, opt sqldb.VerifyOptions, want ...string) {
	t.Helper()
	rep, err := db.Verify(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(rep.Problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Fatalf("verify reported %q, want a problem naming %q", all, w)
		}
	}
}

// The snapshots verify reads on two connections at once are of one state: opened again and
// again while clerks write, every one sees the same entries and records as the first.
func TestSnapshotsOfOneState(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		it := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(100000), 0)
		itB := f.MustItem(t, as(f.groupB), f.groupB, "2019-01-10", qingqian.Yuan(100000), 0)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var writes atomic.Int64
		var failed atomic.Bool
		for _, w := range []struct {
			o  *qingqian.Org
			id int64
		}{{f.subA1, it.ID}, {f.groupB, itB.ID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := f.entries.RecordEntry(as(w.o), qingqian.EntryInput{ItemID: w.id, Kind: qingqian.EntryRepay,
						On: qingqian.MustParseDate("2019-02-01"), Amount: 1, Method: qingqian.MethodTransfer}); err != nil {
						t.Errorf("write: %v", err)
						failed.Store(true)
						return
					}
					writes.Add(1)
				}
			}()
		}
		var problem error
		// At least 60 rounds, and on until 40 writes have gone on meanwhile.
		for i := 0; (i < 60 || writes.Load() < 40) && problem == nil && !failed.Load(); i++ {
			c, err := db.SnapshotCountsForTest(context.Background(), 3)
			switch {
			case err != nil:
				problem = err
			case c[0] != c[1] || c[0] != c[2]:
				problem = fmt.Errorf("round %d: the snapshots saw %v rows", i, c)
			}
		}
		close(stop)
		wg.Wait()
		if problem != nil {
			t.Fatal(problem)
		}
	})
}

// Verify reads one snapshot: run again and again while several clerks record repayments and
// create items in two groups, it passes every time, and the writers never fail.
func TestVerifyDuringWrites(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var clock atomic.Int64
		clock.Store(f.clock.UnixNano())
		db.Now = func() time.Time { return time.Unix(0, clock.Add(int64(time.Millisecond))).UTC() }
		orgs := []*qingqian.Org{f.subA1, f.groupB, f.groupA, f.subA1}
		items := make([]*qingqian.Item, len(orgs))
		for i, o := range orgs {
			items[i] = f.MustItem(t, as(o), o, "2019-01-10", qingqian.Yuan(100000), 0)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var writes atomic.Int64
		errs := make(chan error, len(orgs))
		for i, o := range orgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := as(o)
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					var err error
					if n%5 == 4 {
						it := &qingqian.Item{OrgID: o.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractName: "合同",
							Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Yuan(10),
							Origin: qingqian.OriginNew, FundingSource: qingqian.FundingOwn}
						err = f.items.CreateItem(ctx, it)
					} else {
						_, err = f.entries.RecordEntry(ctx, qingqian.EntryInput{ItemID: items[i].ID, Kind: qingqian.EntryRepay,
							On: qingqian.MustParseDate("2020-06-01"), Amount: 1, Method: qingqian.MethodTransfer})
					}
					if err != nil {
						errs <- err
						return
					}
					writes.Add(1)
				}
			}()
		}
		runs := 0
		deadline := time.Now().Add(20 * time.Second)
		for runs < 6 && time.Now().Before(deadline) {
			before := writes.Load()
			rep, err := db.Verify(context.Background(), sqldb.VerifyOptions{})
			if err != nil {
				close(stop)
				wg.Wait()
				t.Fatal(err)
			}
			if !rep.OK() {
				close(stop)
				wg.Wait()
				t.Fatalf("verify during writes (run %d): %s", runs+1, strings.Join(rep.Problems, "; "))
			}
			if writes.Load() > before {
				runs++ // a run that writes overlapped
			}
		}
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("a writer failed during verify: %v", err)
		}
		if runs < 6 {
			t.Fatalf("only %d verify runs overlapped writes", runs)
		}
		mustVerify(t, db)
		t.Logf("%d writes during %d verify runs", writes.Load(), runs)
	})
}

// tamper sets up a ledger with a repayment in group A and one in group B, and an anchor of the
// chains taken then; it returns the repayment of group A's item.
func tamperFixture(t *testing.T, db *sqldb.DB) (*fixture, *qingqian.Item, *qingqian.Entry) {
	t.Helper()
	f := newFixture(t, db)
	it := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
	e := f.MustRepay(t, as(f.subA1), it.ID, "2019-02-01", qingqian.Yuan(10))
	itB := f.MustItem(t, as(f.groupB), f.groupB, "2019-01-11", qingqian.Yuan(500), 0)
	f.MustRepay(t, as(f.groupB), itB.ID, "2019-02-02", qingqian.Yuan(5))
	mustVerify(t, db)
	return f, it, e
}

func mustExec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	if err := db.ExecForTest(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// An entry edited together with its item's balance and the running totals (recomputed, as an
// insider with the database's password could) no longer matches the audit record that wrote it.
func TestVerifyFindsAnEditedEntry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		_, it, e := tamperFixture(t, db)
		mustExec(t, db, `UPDATE entries SET du = du - 100000 WHERE id = $1`, e.ID)
		mustExec(t, db, `UPDATE items SET rep_u = rep_u + 100000, out_u = out_u - 100000 WHERE id = $1`, it.ID)
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("the totals were not made to agree: %q %v", bad, err)
		}
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("分录 %d（台账 %d）与写入它的审计记录", e.ID, it.ID), "无争议金额被改动")
	})
}

// A repayment deleted, with its item's balance and the totals made to agree, is missed by the
// audit record that wrote it.
func TestVerifyFindsADeletedRepayment(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		_, it, e := tamperFixture(t, db)
		mustExec(t, db, `DELETE FROM entries WHERE id = $1`, e.ID)
		mustExec(t, db, `UPDATE items SET rep_u = 0, out_u = rec_u, status = 'unpaid' WHERE id = $1`, it.ID)
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("所记的分录 %d 已不在台账中", e.ID))
	})
}

// A repayment deleted together with its record's binding (entry_id cleared, the item's
// balance and the totals made to agree) is caught by the chain: the record still says which
// entry it wrote. Two records' bindings swapped are caught entry by entry.
func TestVerifyFindsAnAlteredBinding(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, it, e := tamperFixture(t, db)
		e2 := f.MustRepay(t, as(f.subA1), it.ID, "2019-02-03", qingqian.Yuan(20))
		mustVerify(t, db)
		if err := db.DropAuditGuardForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		swap := func() {
			mustExec(t, db, `UPDATE audit_log SET entry_id = -1 WHERE entry_id = $1`, e.ID)
			mustExec(t, db, `UPDATE audit_log SET entry_id = $1 WHERE entry_id = $2`, e.ID, e2.ID)
			mustExec(t, db, `UPDATE audit_log SET entry_id = $1 WHERE entry_id = -1`, e2.ID)
		}
		swap()
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("分录 %d（台账 %d）与写入它的审计记录", e.ID, it.ID), "编号")
		swap()
		mustVerify(t, db)
		mustExec(t, db, `UPDATE audit_log SET entry_id = NULL WHERE entry_id = $1`, e.ID)
		mustExec(t, db, `DELETE FROM entries WHERE id = $1`, e.ID)
		mustExec(t, db, `UPDATE items SET rep_u = rep_u - $1, out_u = out_u + $1 WHERE id = $2`, int64(qingqian.Yuan(10)), it.ID)
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, db, sqldb.VerifyOptions{}, "所绑定的分录编号与其内容不符")
	})
}

// The entries written by the services are recognised as written without decoding their
// records (the check verify makes first): an item's recognition, repayments with and without a
// voucher file, back-dated or not, with text that JSON escapes; a reversal is always compared
// field by field. An entry changed behind the services is not, and verify names it.
func TestEntriesRecognisedAsWritten(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), qingqian.Yuan(200))
		f.MustRepay(t, clerk, it.ID, "2019-02-01", qingqian.Yuan(10))
		v, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		with, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-01-20"),
			Amount: qingqian.Yuan(50), Method: qingqian.MethodTransfer, VoucherNo: `HD-<1>&"2"`, Vouchers: []string{v.SHA256}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.entries.ReverseEntry(clerk, qingqian.EntryInput{Kind: qingqian.EntryReversal, ReversesID: with.ID, Reason: "重复录入"}); err != nil {
			t.Fatal(err)
		}
		fast, all, err := db.EntriesAsWrittenForTest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if all != 4 || fast != 3 {
			t.Fatalf("%d of %d entries recognised as written; want 3 of 4 (all but the reversal)", fast, all)
		}
		mustVerify(t, db)
		mustExec(t, db, `UPDATE entries SET voucher_no = 'HD-9' WHERE id = $1`, with.ID)
		if fast, _, err := db.EntriesAsWrittenForTest(ctx); err != nil || fast != 2 {
			t.Fatalf("after an edit %d recognised as written (%v); want 2", fast, err)
		}
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("分录 %d（台账 %d）与写入它的审计记录", with.ID, it.ID), "凭证号被改动")
	})
}

// A bill edited, added or deleted behind the service's back disagrees with the audit records
// that wrote it; untouched, it passes.
func TestVerifyFindsAnEditedBill(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, it, _ := tamperFixture(t, db)
		bills := sqldb.NewBillService(db)
		in := qingqian.BillInput{ItemID: it.ID, Kind: qingqian.BillCommercial, No: "CB-9", Amount: qingqian.Yuan(500),
			IssuedOn: qingqian.MustParseDate("2019-02-01"), HandedOn: qingqian.MustParseDate("2019-02-01"),
			MaturesOn: qingqian.MustParseDate("2019-12-01"), Acceptor: "示范银行"}
		b, err := bills.RecordBill(as(f.subA1), in)
		if err != nil {
			t.Fatal(err)
		}
		if rep := mustVerify(t, db); rep.Bills != 1 {
			t.Fatalf("bills checked: %d", rep.Bills)
		}
		mustExec(t, db, `UPDATE bills SET matures_on = $1 WHERE id = $2`, qingqian.MustParseDate("2019-07-01"), b.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("票据 %d（CB-9）与最后写入它的审计记录不符", b.ID))
		mustExec(t, db, `DELETE FROM bills WHERE id = $1`, b.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("票据 %d（CB-9）有审计记录而已不在库中", b.ID))
	})
}

// An item's stored balance changed alone (the list then shows one figure, the item page
// another) disagrees with its entries.
func TestVerifyFindsAChangedItemBalance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		_, it, _ := tamperFixture(t, db)
		mustExec(t, db, `UPDATE items SET out_u = out_u - 100 WHERE id = $1`, it.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("台账 %d 的余额与其分录不符：记载未还 989.00 元，按分录应为 990.00 元", it.ID))
	})
}

// The newest records of a chain removed and its head set back leave a chain that holds
// together: only an anchor taken before finds it.
func TestVerifyFindsACutChainWithAnAnchor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, it, e := tamperFixture(t, db)
		anchor, err := db.TakeAnchor(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		recs, _, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var chain []*qingqian.AuditRecord // group A's, newest first
		for _, r := range recs {
			if r.Chain == f.groupA.ID {
				chain = append(chain, r)
			}
		}
		if len(chain) < 3 || chain[0].Action != "entry.repay" {
			t.Fatalf("group A's chain: %+v", chain)
		}
		// The newest record of group A's chain goes: the repayment's.
		if err := db.DropAuditGuardForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustExec(t, db, `DELETE FROM audit_log WHERE seq = $1`, chain[0].Seq)
		// With its head left, the chain itself tells.
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("审计链 %d（单位 %d 所属集团）末尾应为第 %d 条，实际只有 %d 条（记录被删除）",
			f.groupA.ID, f.groupA.ID, chain[0].ChainSeq, chain[1].ChainSeq))
		// The head set back, the repayment deleted, the item's balance and the totals made to
		// agree: the database holds together.
		mustExec(t, db, `UPDATE audit_heads SET seq = $1, hash = $2, last_seq = $3 WHERE chain = $4`, chain[1].ChainSeq, chain[1].Hash, chain[1].Seq, f.groupA.ID)
		mustExec(t, db, `DELETE FROM entries WHERE id = $1`, e.ID)
		mustExec(t, db, `UPDATE items SET rep_u = 0, out_u = rec_u, status = 'unpaid' WHERE id = $1`, it.ID)
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
		// The anchor taken before names a record that is gone.
		wantProblem(t, db, sqldb.VerifyOptions{Anchors: []sqldb.NamedAnchor{{Name: "锚点", Anchor: anchor}}},
			fmt.Sprintf("锚点（%s）记录审计链 %d 到第 %d 条，数据库中已没有这条记录", anchor.At.Format(time.DateTime), f.groupA.ID, chain[0].ChainSeq))
	})
}

// A chain re-hashed from an edited record onward, its head set to match, holds together; an
// anchor taken before finds it.
func TestVerifyFindsARehashedChainWithAnAnchor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f, _, _ := tamperFixture(t, db)
		anchor, err := db.TakeAnchor(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		recs, _, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var chain []*qingqian.AuditRecord // group B's, oldest first
		for i := len(recs) - 1; i >= 0; i-- {
			if recs[i].Chain == f.groupB.ID {
				chain = append(chain, recs[i])
			}
		}
		if err := db.DropAuditGuardForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		// The first record (the group's creation) gets another name; every later link is redone.
		prev := ""
		for i, r := range chain {
			if i == 0 {
				r.After = []byte(strings.Replace(string(r.After), "乙集团", "丙集团", 1))
			}
			r.PrevHash = prev
			r.Hash = r.ComputeHash()
			prev = r.Hash
			mustExec(t, db, `UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, string(r.After), r.PrevHash, r.Hash, r.Seq)
		}
		last := chain[len(chain)-1]
		mustExec(t, db, `UPDATE audit_heads SET hash = $1 WHERE chain = $2`, last.Hash, f.groupB.ID)
		mustVerify(t, db) // the chain alone cannot tell
		wantProblem(t, db, sqldb.VerifyOptions{Anchors: []sqldb.NamedAnchor{{Name: "锚点", Anchor: anchor}}},
			fmt.Sprintf("审计链 %d 第 %d 条（总第 %d 条）与数据库中的哈希不同", f.groupB.ID, last.ChainSeq, last.Seq))
	})
}

// A voucher file changed or deleted on disk is found by re-hashing; uploading the genuine
// file again repairs it.
func TestVerifyRehashesVoucherFiles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		v, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"),
			Amount: qingqian.Yuan(10), Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}}); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, db)
		if rep.Vouchers != 1 {
			t.Fatalf("%d voucher files re-hashed", rep.Vouchers)
		}
		path := sqldb.VoucherPath(db.VoucherDir, v.SHA256)
		if err := os.WriteFile(path, append([]byte(nil), bytes.Replace(pdf, []byte("1.4"), []byte("1.5"), 1)...), 0o640); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, db, sqldb.VerifyOptions{}, "凭证 "+v.SHA256+"的文件已被改动")
		// The genuine file uploaded again takes the changed one's place.
		if _, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, db, sqldb.VerifyOptions{}, "凭证 "+v.SHA256+"的文件缺失")
		if _, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
	})
}

// Two groups write the audit trail at once: a transaction of group A holding its chain's head
// does not stop group B's from committing (on PostgreSQL, where writers run side by side; SQLite
// has one writer whatever the chains).
func TestAuditChainsPerGroupDoNotWait(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect() != "postgres" {
			t.Skip("SQLite writes one transaction at a time")
		}
		f := newFixture(t, db)
		ctx := context.Background()
		held, release, doneA := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			doneA <- db.InTxForTest(ctx, qingqian.SystemActor("甲"), func(tx *sqldb.Tx) error {
				if err := tx.AuditForTest(ctx, "test.a", "org", f.subA1.ID, f.subA1.Path); err != nil {
					return err
				}
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		doneB := make(chan error, 1)
		go func() {
			doneB <- db.InTxForTest(ctx, qingqian.SystemActor("乙"), func(tx *sqldb.Tx) error {
				return tx.AuditForTest(ctx, "test.b", "org", f.groupB.ID, f.groupB.Path)
			})
		}()
		select {
		case err := <-doneB:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			close(release)
			t.Fatal("group B's audit record waited for group A's transaction")
		}
		// A second writer of group A's chain does wait: the chain stays one line.
		doneA2 := make(chan error, 1)
		go func() {
			doneA2 <- db.InTxForTest(ctx, qingqian.SystemActor("甲"), func(tx *sqldb.Tx) error {
				return tx.AuditForTest(ctx, "test.a2", "org", f.groupA.ID, f.groupA.Path)
			})
		}()
		select {
		case err := <-doneA2:
			t.Fatalf("a second writer of the same chain did not wait: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-doneA; err != nil {
			t.Fatal(err)
		}
		if err := <-doneA2; err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
	})
}

// An issued report carries the heads of the audit chains and prints their digest: a chain
// rewritten afterwards (re-hashed, its head set to match) is found through it, with no other
// anchor; and the anchor in the report cannot be changed to match without the record that issued
// it disagreeing.
func TestIssuedReportAnchorsTheTrail(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-04-01 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-05")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		issued, err := f.reports.IssueReport(f.office, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(issued.AuditDigest) != 64 || !strings.Contains(issued.AuditHeads, fmt.Sprintf("%d ", f.groupB.ID)) {
			t.Fatalf("the issued report's anchor: %q %q", issued.AuditDigest, issued.AuditHeads)
		}
		again, err := f.reports.Report(f.office, p.ID)
		if err != nil || again.AuditDigest != issued.AuditDigest {
			t.Fatalf("the report read again: %+v %v", again, err)
		}
		mustVerify(t, db)
		// Group B's chain re-hashed from its first record on.
		recs, _, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DropAuditGuardForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		prev, last := "", (*qingqian.AuditRecord)(nil)
		for i := len(recs) - 1; i >= 0; i-- {
			r := recs[i]
			if r.Chain != f.groupB.ID {
				continue
			}
			if last == nil {
				r.After = []byte(strings.Replace(string(r.After), "乙集团", "丙集团", 1))
			}
			r.PrevHash = prev
			r.Hash = r.ComputeHash()
			prev, last = r.Hash, r
			mustExec(t, db, `UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, string(r.After), r.PrevHash, r.Hash, r.Seq)
		}
		mustExec(t, db, `UPDATE audit_heads SET hash = $1 WHERE chain = $2`, last.Hash, f.groupB.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("第%d期汇总表所载的锚点", p.No), fmt.Sprintf("审计链 %d 第 %d 条", f.groupB.ID, last.ChainSeq), "哈希不同")
		// The report's heads changed to the rewritten chain's: its digest no longer matches.
		oldHead, groupB := "", f.groupB.ID
		for _, line := range strings.Split(issued.AuditHeads, "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[0] == fmt.Sprint(groupB) {
				oldHead = f[2]
			}
		}
		mustExec(t, db, `UPDATE reports SET body = REPLACE(body, $1, $2)`, oldHead, last.Hash)
		rep, err := db.Verify(context.Background(), sqldb.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if all := strings.Join(rep.Problems, "\n"); !strings.Contains(all, "与其摘要不符") && !strings.Contains(all, "与印发它的审计记录不符") {
			t.Fatalf("the report's changed anchor was not found: %s", all)
		}
	})
}
