package sqldb_test

import (
	"context"
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
