package sqldb_test

import (
	"context"
	"strconv"
	"strings"
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

// "Repaid then owed" pairs an item with the latest clearing repayment of its unit and creditor
// within 30 days before it arose, on another item: the 30th day counts, the 31st does not, a
// repayment reversed by the date clears nothing, and an item still owing clears nothing.
func TestSignalsOwedAgainWindow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-03-25 09:00")
		repay := func(item int64, on string, amount qingqian.Money) *qingqian.Entry {
			t.Helper()
			e, err := f.entries.RecordEntry(f.liaisonA, qingqian.EntryInput{ItemID: item, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate(on), Amount: amount, Method: qingqian.MethodCash})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		repay(f.itemA2.ID, "2019-03-20", qingqian.Yuan(100_000))
		repay(f.itemA2.ID, "2019-03-25", qingqian.Yuan(200_000)) // clears A2
		repay(f.itemA1.ID, "2019-03-25", qingqian.Yuan(10_000))  // A1 still owes
		f.at("2019-05-01 09:00")
		on30 := f.MustItem(t, f.liaisonA, f.groupA, "2019-04-24", qingqian.Yuan(7_000), 0)
		f.MustItem(t, f.liaisonA, f.groupA, "2019-04-25", qingqian.Yuan(8_000), 0)
		// A third item cleared, its repayment then reversed: it clears nothing by the date.
		third := f.MustItem(t, f.liaisonA, f.subA1, "2019-01-10", qingqian.Yuan(5_000), 0)
		f.at("2019-05-02 09:00")
		paid := repay(third.ID, "2019-04-20", qingqian.Yuan(5_000))
		if _, err := f.entries.ReverseEntry(f.liaisonA, qingqian.EntryInput{ReversesID: paid.ID,
			On: qingqian.MustParseDate("2019-04-21"), Reason: "录错"}); err != nil {
			t.Fatal(err)
		}
		f.MustItem(t, f.liaisonA, f.subA1, "2019-04-30", qingqian.Yuan(9_000), 0)
		rep, err := sqldb.NewSignalService(db).Signals(f.office, 0, qingqian.MustParseDate("2019-05-02"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Signals {
			if s.Key != "repaid_then_owed" {
				continue
			}
			if s.Count != 1 || s.Amount != qingqian.Yuan(7_000) || !strings.HasSuffix(s.Hits[0].Link, "/items/"+strconv.FormatInt(on30.ID, 10)) ||
				!strings.Contains(s.Hits[0].Text, "2019-03-25清偿结清条目 "+strconv.FormatInt(f.itemA2.ID, 10)) {
				t.Fatalf("repaid_then_owed: %d, %s, %+v", s.Count, s.Amount, s.Hits)
			}
			return
		}
		t.Fatal("no signal repaid_then_owed")
	})
}
