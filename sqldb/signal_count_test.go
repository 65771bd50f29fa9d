package sqldb_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A signal with more records than it lists counts and sums them all (the database sums them;
// only the first MaxSignalHits are read), and the report kept between requests is given up at
// the next change: a repayment recorded afterwards is counted.
func TestSignalsCountPastTheListAndFollowChanges(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		p, err := db.LoadBenchProvince(ctx, 400) // 800 repayments, none with a voucher
		if err != nil {
			t.Fatal(err)
		}
		asOf := qingqian.MustParseDate("2030-01-01")
		var want int
		var amount qingqian.Money
		if err := db.QueryRowForTest(ctx, `SELECT COUNT(*), CAST(SUM(-(du + dd)) AS BIGINT) FROM entries WHERE kind = 'repay'`).Scan(&want, &amount); err != nil {
			t.Fatal(err)
		}
		sys := qingqian.NewContext(ctx, qingqian.SystemActor("test"))
		signals := sqldb.NewSignalService(db)
		noVoucher := func() *qingqian.Signal {
			t.Helper()
			rep, err := signals.Signals(sys, p.Root, asOf)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range rep.Signals {
				if s.Key == "no_voucher" {
					return s
				}
			}
			t.Fatal("no signal no_voucher")
			return nil
		}
		s := noVoucher()
		if want != 800 || s.Count != want || s.Amount != amount || len(s.Hits) != qingqian.MaxSignalHits {
			t.Fatalf("no_voucher: %d records, %s, %d listed; want %d, %s, %d", s.Count, s.Amount, len(s.Hits), want, amount, qingqian.MaxSignalHits)
		}
		for i := 1; i < len(s.Hits); i++ {
			if s.Hits[i].On.Before(s.Hits[i-1].On) {
				t.Fatalf("hits out of date order at %d: %s after %s", i, s.Hits[i].On, s.Hits[i-1].On)
			}
		}
		s.Hits[0].Text = "changed by the caller" // the kept report is the service's own
		if again := noVoucher(); again.Hits[0].Text == "changed by the caller" || again.Count != want {
			t.Fatalf("kept report: %+v", again.Hits[0])
		}
		if _, err := sqldb.NewEntryService(db).RecordEntry(sys, qingqian.EntryInput{ItemID: 1, Kind: qingqian.EntryRepay,
			On: qingqian.MustParseDate("2024-01-02"), Amount: qingqian.Yuan(1), Method: qingqian.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		if s := noVoucher(); s.Count != want+1 || s.Amount != amount+qingqian.Yuan(1) {
			t.Fatalf("after a repayment: %d, %s; want %d, %s", s.Count, s.Amount, want+1, amount+qingqian.Yuan(1))
		}
	})
}
