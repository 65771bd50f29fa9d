package sqldb_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A request whose context ends is reported as cancelled, not as a conflict nor as an internal
// error, whether it ended before a read, before a write, or in the middle of a statement; a
// deadline says it ran out of time. Nothing is written.
func TestCancelledRequests(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		want := func(t *testing.T, err error, cause error, msg string) {
			t.Helper()
			if qingqian.ErrorCode(err) != qingqian.ECANCELED || qingqian.ErrorMessage(err) != msg || !errors.Is(err, cause) {
				t.Fatalf("error %v (code %q, message %q), want %s with %q", err, qingqian.ErrorCode(err), qingqian.ErrorMessage(err), cause, msg)
			}
		}
		items := count(t, db, "items")
		cancelled, cancel := context.WithCancel(clerk)
		cancel()
		_, err := f.items.FindItems(cancelled, qingqian.ItemFilter{})
		want(t, err, context.Canceled, "请求已取消")
		err = f.items.CreateItem(cancelled, &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, Kind: qingqian.KindWorks,
			ArisenOn: qingqian.MustParseDate("2020-01-10"), Undisputed: qingqian.Yuan(500), Origin: qingqian.OriginNew})
		want(t, err, context.Canceled, "请求已取消")

		late, cancel := context.WithDeadline(clerk, time.Now().Add(-time.Second))
		defer cancel()
		_, err = f.totals.SubtreeTotals(late, qingqian.TotalsQuery{})
		want(t, err, context.DeadlineExceeded, "处理超时，请稍后再试")
		_, err = f.entries.RecordEntry(late, qingqian.EntryInput{ItemID: 1, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2020-02-01"),
			Amount: qingqian.Yuan(1), Method: qingqian.MethodTransfer})
		want(t, err, context.DeadlineExceeded, "处理超时，请稍后再试")
		if n := count(t, db, "items"); n != items {
			t.Fatalf("%d items after cancelled requests, want %d", n, items)
		}

		// A statement under way is stopped by the driver when its request is cancelled.
		running, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err = db.WaitForTest(running)
		if qingqian.ErrorCode(err) != qingqian.ECANCELED {
			t.Fatalf("a statement cancelled under way: %v (code %q)", err, qingqian.ErrorCode(err))
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("the statement ran %v after its request was cancelled", d)
		}
	})
}

// An internal error names, for the log, the operation, its entity and the step that failed,
// and shows the user nothing of it.
func TestInternalErrorsSayWhere(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2020-01-10", qingqian.Yuan(1000), 0)
		if err := db.ExecForTest(context.Background(), `DROP TABLE org_totals_month`); err != nil {
			t.Fatal(err)
		}
		_, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay,
			On: qingqian.MustParseDate("2020-02-01"), Amount: qingqian.Yuan(10), Method: qingqian.MethodTransfer})
		wantCode(t, err, qingqian.EINTERNAL)
		where := "record repay entry on item " + strconv.FormatInt(it.ID, 10) + ": running totals of " + f.subA1.Path + ": "
		if !strings.Contains(err.Error(), where) {
			t.Fatalf("error %q does not say %q", err, where)
		}
		if msg := qingqian.ErrorMessage(err); msg != "系统内部错误" {
			t.Fatalf("the user is shown %q", msg)
		}
		// A service error keeps its code and message through the steps that pass it on.
		_, err = f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay,
			On: qingqian.MustParseDate("2020-02-01"), Amount: qingqian.Yuan(5000), Method: qingqian.MethodTransfer})
		wantCode(t, err, qingqian.EINVALID)
		if qingqian.ErrorMessage(err) == "" || strings.Contains(qingqian.ErrorMessage(err), "record") {
			t.Fatalf("message %q", qingqian.ErrorMessage(err))
		}
	})
}

// Whatever a caller passes, the NUL character never reaches the database: PostgreSQL would
// refuse it with an error (500), SQLite would store it.
func TestNULNeverStored(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2026-09-30 09:00")
		c := &qingqian.Clue{Channel: qingqian.ChannelPlatform, ReceivedOn: qingqian.MustParseDate("2026-09-30"),
			CreditorName: "某某建材有限公司", CreditorUSCC: MustUSCC(t), Respondent: "甲集团一公司", Claimed: qingqian.Yuan(80_000), Text: "货款\x00至今未付。"}
		wantCode(t, sqldb.NewClueService(db).CreateClue(f.office, c), qingqian.EINVALID)
		_, err := f.entries.RecordEntry(f.liaisonA, qingqian.EntryInput{ItemID: f.itemA2.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2026-09-01"),
			Amount: 100, Method: qingqian.MethodTransfer, VoucherNo: "HD\x00001"})
		wantCode(t, err, qingqian.EINVALID)
	})
}
