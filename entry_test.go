package qingqian_test

import (
	"testing"
	"time"

	"github.com/qingqian/qingqian"
)

func entry(on string, cat qingqian.Category, du, dd qingqian.Money) *qingqian.Entry {
	return &qingqian.Entry{On: qingqian.MustParseDate(on), Category: cat, Undisputed: du, Disputed: dd}
}

func TestCheckTimeline(t *testing.T) {
	base := []*qingqian.Entry{entry("2019-01-01", qingqian.CatRecognise, 10000, 500)}
	ok := append(base, entry("2019-06-01", qingqian.CatRepay, -10000, 0))
	if err := qingqian.CheckTimeline(ok); err != nil {
		t.Fatalf("full repayment refused: %v", err)
	}
	over := append(ok, entry("2019-07-01", qingqian.CatRepay, -1, 0))
	if qingqian.ErrorCode(qingqian.CheckTimeline(over)) != qingqian.EINVALID {
		t.Fatal("repayment above the balance accepted")
	}
	// A later increase does not make an earlier repayment payable on its own date.
	backdated := []*qingqian.Entry{
		entry("2019-01-01", qingqian.CatRecognise, 100, 0),
		entry("2019-06-01", qingqian.CatRepay, -100, 0),
		entry("2020-01-01", qingqian.CatAdjust, 50, 0),
		entry("2019-03-01", qingqian.CatRepay, -50, 0),
	}
	if qingqian.CheckTimeline(backdated) == nil {
		t.Fatal("back-dated repayment above that day's balance accepted")
	}
	if qingqian.CheckTimeline(append(base, entry("2019-02-01", qingqian.CatAdjust, 0, -501))) == nil {
		t.Fatal("disputed part below zero accepted")
	}
}

func TestEntryInputDeltas(t *testing.T) {
	today := qingqian.MustParseDate("2021-10-31")
	in := qingqian.EntryInput{ItemID: 1, Kind: qingqian.EntryRepay, On: today, Amount: 500, Method: qingqian.MethodTransfer}
	du, dd, err := in.Deltas(today)
	if err != nil || du != -500 || dd != 0 {
		t.Fatalf("repay deltas %d %d %v", du, dd, err)
	}
	in = qingqian.EntryInput{ItemID: 1, Kind: qingqian.EntryReclassify, On: today, Amount: 300, Reason: "判决"}
	if du, dd, err = in.Deltas(today); err != nil || du != 300 || dd != -300 {
		t.Fatalf("reclassify deltas %d %d %v", du, dd, err)
	}
	in = qingqian.EntryInput{ItemID: 1, Kind: qingqian.EntryCourtReduction, On: today, Amount: 300, Reason: "判决"}
	if du, dd, err = in.Deltas(today); err != nil || du != 0 || dd != -300 {
		t.Fatalf("court reduction deltas %d %d %v", du, dd, err)
	}
	bad := qingqian.EntryInput{ItemID: 1, Kind: qingqian.EntryRepay, On: today.AddDays(1), Amount: -5}
	_, _, err = bad.Deltas(today)
	f := qingqian.ErrorFields(err)
	if f["amount"] == "" || f["on"] == "" || f["method"] == "" {
		t.Fatalf("fields = %v", f)
	}
}

func TestBalanceStatus(t *testing.T) {
	es := []*qingqian.Entry{
		entry("2019-01-01", qingqian.CatRecognise, 1000, 0),
		entry("2019-02-01", qingqian.CatRepay, -400, 0),
		entry("2019-03-01", qingqian.CatRepay, -600, 0),
	}
	cases := map[string]qingqian.Status{"2018-12-31": qingqian.StatusClosed, "2019-01-15": qingqian.StatusUnpaid, "2019-02-15": qingqian.StatusPartial, "2019-03-01": qingqian.StatusCleared}
	for d, want := range cases {
		if got := qingqian.BalanceOf(es, qingqian.MustParseDate(d), time.Time{}).Status; got != want {
			t.Errorf("as of %s: %s, want %s", d, got, want)
		}
	}
}

func TestUnvouchedRepayments(t *testing.T) {
	es := []*qingqian.Entry{
		{ID: 1, Kind: qingqian.EntryRecognise},
		{ID: 2, Kind: qingqian.EntryRepay},                                      // bare
		{ID: 3, Kind: qingqian.EntryRepay, Vouchers: []qingqian.VoucherRef{{}}}, // vouched
		{ID: 4, Kind: qingqian.EntryRepay, ReversedByID: 5},                     // reversed: no longer counts
		{ID: 5, Kind: qingqian.EntryReversal, ReversesID: 4},
	}
	if n := qingqian.UnvouchedRepayments(es); n != 1 {
		t.Fatalf("unvouched = %d, want 1", n)
	}
}
