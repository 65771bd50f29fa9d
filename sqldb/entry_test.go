package sqldb_test

import (
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A wrong repayment dated 2019-11-15, reversed two years later: by default the reversal takes
// effect on 2019-11-15, so as known now the repayment is gone from every date (including the
// count of repayments without a voucher), while as known before the reversal it is still there.
// Another date is taken only when asked for, and the record shows it.
func TestReversalTakesEffectOnTheReversedEntrysDate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		f.at("2019-10-01 10:00")
		it := f.MustItem(t, clerk, f.subA1, "2019-09-01", qingqian.Yuan(1000), 0)
		f.at("2019-11-15 10:00")
		wrong := f.MustRepay(t, clerk, it.ID, "2019-11-15", qingqian.Yuan(300))
		other := f.MustRepay(t, clerk, it.ID, "2019-11-15", qingqian.Yuan(200))
		f.at("2021-11-01 10:00")
		before := f.clock.Add(-time.Minute)
		rev, err := f.entries.ReverseEntry(clerk, qingqian.EntryInput{ReversesID: wrong.ID, Reason: "重复录入"})
		if err != nil {
			t.Fatal(err)
		}
		if rev.On != qingqian.MustParseDate("2019-11-15") || rev.ReversedOn != rev.On || rev.OnOtherDate() {
			t.Fatalf("reversal dated %s (reverses an entry of %s), want the reversed entry's date", rev.On, rev.ReversedOn)
		}
		q := func(asOf string, known time.Time) qingqian.Figures {
			t.Helper()
			tot, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.root.ID, AsOf: qingqian.MustParseDate(asOf), KnownAt: known})
			if err != nil {
				t.Fatal(err)
			}
			return tot.Overall
		}
		for _, d := range []string{"2019-11-15", "2019-11-30", "2020-12-31", "2021-11-01"} {
			if g := q(d, time.Time{}); g.Repaid != qingqian.Yuan(200) || g.Payments != 1 || g.PaymentsNoVoucher != 1 || g.RepaidNoVoucher != qingqian.Yuan(200) {
				t.Errorf("as of %s as known now: repaid %s, %d payments, %d without voucher (%s)", d, g.Repaid, g.Payments, g.PaymentsNoVoucher, g.RepaidNoVoucher)
			}
		}
		if g := q("2019-11-30", before); g.Repaid != qingqian.Yuan(500) || g.PaymentsNoVoucher != 2 {
			t.Errorf("as of 2019-11-30 as known before the reversal: repaid %s, %d without voucher", g.Repaid, g.PaymentsNoVoucher)
		}
		got, err := f.items.FindItemByID(clerk, it.ID, qingqian.MustParseDate("2019-11-30"), time.Time{})
		if err != nil || got.Balance.Repaid != qingqian.Yuan(200) {
			t.Fatalf("item as of 2019-11-30: %+v %v", got.Balance, err)
		}
		// Another date, deliberately: refused before the entry's own date, taken after it, and
		// shown in the record; between the two dates the repayment still counts.
		_, err = f.entries.ReverseEntry(clerk, qingqian.EntryInput{ReversesID: other.ID, On: qingqian.MustParseDate("2019-11-14"), Reason: "x"})
		wantCode(t, err, qingqian.EINVALID)
		late, err := f.entries.ReverseEntry(clerk, qingqian.EntryInput{ReversesID: other.ID, On: qingqian.MustParseDate("2020-01-10"), Reason: "对方退回"})
		if err != nil {
			t.Fatal(err)
		}
		es, err := f.entries.FindEntries(clerk, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := es[len(es)-1]
		if last.ID != late.ID || !last.OnOtherDate() || last.ReversedOn != qingqian.MustParseDate("2019-11-15") || last.On != qingqian.MustParseDate("2020-01-10") {
			t.Fatalf("record of the reversal on another date: %+v", last)
		}
		if g := q("2019-12-31", time.Time{}); g.Repaid != qingqian.Yuan(200) {
			t.Errorf("as of 2019-12-31: repaid %s", g.Repaid)
		}
		if g := q("2020-01-10", time.Time{}); g.Repaid != 0 || g.Payments != 0 || g.PaymentsNoVoucher != 0 {
			t.Errorf("as of 2020-01-10: %+v", g)
		}
		mustVerifyTotals(t, db)
	})
}

// An entry on or after the item's last business date is checked against the stored balance, a
// back-dated one against the replayed timeline: both refuse what would owe a negative amount on
// any date, with the same message, and the balance after each is the entries' sum.
func TestEntriesCheckedOnBothPathsAlike(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		f.at("2020-03-01 10:00")
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(100), 0)
		repay := func(on string, yuan int64) error {
			_, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate(on), Amount: qingqian.Yuan(yuan), Method: qingqian.MethodTransfer})
			return err
		}
		if err := repay("2020-01-10", 60); err != nil { // after the last date
			t.Fatal(err)
		}
		wantCode(t, repay("2020-01-10", 41), qingqian.EINVALID) // the same day: 100-60-41 < 0
		wantCode(t, repay("2021-01-10", 41), qingqian.EINVALID) // later
		wantCode(t, repay("2019-06-01", 41), qingqian.EINVALID) // back-dated: fine on its day, not on 2020-01-10
		if err := repay("2019-06-01", 30); err != nil {         // back-dated and within
			t.Fatal(err)
		}
		wantCode(t, repay("2020-02-01", 11), qingqian.EINVALID) // 10 left
		if err := repay("2020-02-01", 10); err != nil {
			t.Fatal(err)
		}
		got, err := f.items.FindItemByID(clerk, it.ID, qingqian.Date{}, time.Time{})
		if err != nil || got.Balance.Outstanding != 0 || got.Balance.Repaid != qingqian.Yuan(100) || got.Balance.Status != qingqian.DeriveStatus(0, qingqian.Yuan(100)) {
			t.Fatalf("balance after the repayments: %+v %v", got.Balance, err)
		}
		if msg, err := db.VerifyTotals(f.sys); err != nil || msg != "" {
			t.Fatalf("running totals: %q %v", msg, err)
		}
	})
}
