package sqldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// holdWriter begins a write transaction that stays open until the returned function is called:
// on SQLite it holds the one writing connection, as an import does.
func holdWriter(t *testing.T, db *sqldb.DB, sys context.Context) (release func()) {
	t.Helper()
	began, done, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		ended <- db.InTxForTest(sys, qingqian.SystemActor("测试"), func(tx *sqldb.Tx) error {
			close(began)
			<-done
			return nil
		})
	}()
	<-began
	var once bool
	release = func() {
		if once {
			return
		}
		once = true
		close(done)
		if err := <-ended; err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(release)
	return release
}

// promptly fails the test when fn does not answer within a second.
func promptly(t *testing.T, what string, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(time.Second):
		t.Fatalf("%s waited more than a second while a write transaction was open", what)
	}
}

func TestReadsWithTokensAndSessionsDoNotWaitForTheWriter(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.newAccount(t, "reader", f.groupA, qingqian.RoleClerk)
		users, tokens := sqldb.NewUserService(db), sqldb.NewTokenService(db)
		_, secret, err := tokens.CreateToken(as(f.root, qingqian.RoleSecAdmin), "读", f.groupA.ID, []qingqian.Role{qingqian.RoleClerk})
		if err != nil {
			t.Fatal(err)
		}
		_, session, err := users.Login(f.sys, "reader", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Authenticate(f.sys, secret); err != nil {
			t.Fatal(err)
		}
		// Unused for a few minutes: the next use renews the stamps.
		f.clock = f.clock.Add(5 * time.Minute)
		release := holdWriter(t, db, f.sys)
		promptly(t, "a read with a token", func() error { _, err := tokens.Authenticate(f.sys, secret); return err })
		promptly(t, "a read with a session", func() error { _, err := users.Authenticate(f.sys, session); return err })
		release()

		// The renewed stamps count at once and are written in the background.
		used := f.clock
		list, err := tokens.FindTokens(as(f.root, qingqian.RoleSecAdmin))
		if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(used) {
			t.Fatalf("tokens %+v %v, want used at %v", list, err, used)
		}
		if err := db.FlushStamps(f.sys); err != nil {
			t.Fatal(err)
		}
		// The session, seen 5 minutes ago, idles out 30 minutes after that, not after its sign-in.
		f.clock = f.clock.Add(29 * time.Minute)
		if _, err := users.Authenticate(f.sys, session); err != nil {
			t.Fatalf("the session seen 29 minutes ago: %v", err)
		}
		f.clock = f.clock.Add(31 * time.Minute)
		_, err = users.Authenticate(f.sys, session)
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		if err := db.FlushStamps(f.sys); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountRows(f.sys, "sessions"); n != 0 {
			t.Fatalf("%d sessions left after the only one ended", n)
		}
	})
}

func TestGroupsWriteWithoutWaitingForEachOther(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-03-01 09:00")
		itemA := f.MustItem(t, as(f.subA1), f.subA1, "2020-01-10", 500000, 0)
		itemB := f.MustItem(t, as(f.groupB), f.groupB, "2020-01-10", 300000, 0)
		f.at("2021-03-02 09:00")
		day := qingqian.MustParseDate("2021-03-02")
		repayB := func() error {
			_, err := f.entries.RecordEntry(as(f.groupB), qingqian.EntryInput{ItemID: itemB.ID, Kind: qingqian.EntryRepay, On: day,
				Amount: 100000, Method: qingqian.MethodTransfer})
			return err
		}
		if db.Dialect() == "sqlite" {
			// One writer by design: the figures are checked all the same.
			if err := repayB(); err != nil {
				t.Fatal(err)
			}
		} else {
			// A transaction of group A holds the rows of A's running totals that a repayment today
			// writes, as an import does until it commits.
			began, done := make(chan struct{}), make(chan struct{})
			ended := make(chan error, 1)
			go func() {
				ended <- db.InTxForTest(f.sys, qingqian.SystemActor("测试"), func(tx *sqldb.Tx) error {
					if err := tx.BumpTotalsForTest(f.sys, f.subA1.Path, day, itemA.Kind, itemA.Origin); err != nil {
						return err
					}
					close(began)
					<-done
					return nil
				})
			}()
			var once sync.Once
			release := func() { once.Do(func() { close(done) }) }
			t.Cleanup(release)
			select {
			case <-began:
			case err := <-ended:
				t.Fatal(err)
			}
			promptly(t, "group B's repayment", repayB)
			release()
			if err := <-ended; err != nil {
				t.Fatal(err)
			}
		}
		f.MustRepay(t, as(f.subA1), itemA.ID, "2021-03-02", 200000)

		// The regulator's figures are its groups' summed.
		total := func(o *qingqian.Org) qingqian.Figures {
			t.Helper()
			tt, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: o.ID, AsOf: day})
			if err != nil {
				t.Fatal(err)
			}
			return tt.Overall
		}
		root, a, b := total(f.root), total(f.groupA), total(f.groupB)
		if root.RepaidUndisputed != 300000 || a.RepaidUndisputed != 200000 || b.RepaidUndisputed != 100000 || root.Items != a.Items+b.Items {
			t.Fatalf("root %+v, A %+v, B %+v", root, a, b)
		}
		if msg, err := db.VerifyTotals(f.sys); err != nil || msg != "" {
			t.Fatalf("verify: %q %v", msg, err)
		}
		// The migration recomputes the root's rows to the same figures.
		if err := db.InTxForTest(f.sys, qingqian.SystemActor("测试"), func(tx *sqldb.Tx) error { return tx.MigrateWritersApartForTest(f.sys) }); err != nil {
			t.Fatal(err)
		}
		if again := total(f.root); again != root {
			t.Fatalf("root after the migration %+v, before %+v", again, root)
		}
		if msg, err := db.VerifyTotals(f.sys); err != nil || msg != "" {
			t.Fatalf("verify after the migration: %q %v", msg, err)
		}
	})
}

func TestBatchesAndSingleWritesOnTheSameItems(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-03-01 09:00")
		clerk := as(f.groupA)
		var items []int64
		for range 4 {
			items = append(items, f.MustItem(t, clerk, f.subA1, "2020-01-10", 100000000, 0).ID)
		}
		items = append(items, f.MustItem(t, clerk, f.groupA, "2020-01-10", 100000000, 0).ID)
		f.at("2021-03-02 09:00")
		repay := func(item int64, day string) qingqian.EntryInput {
			return qingqian.EntryInput{ItemID: item, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate(day), Amount: 100, Method: qingqian.MethodTransfer}
		}
		const writers = 24
		errs := make(chan error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if w%2 == 0 {
					// A batch over every item, each in another order and on other days.
					var batch []qingqian.EntryInput
					for i := range items {
						batch = append(batch, repay(items[(i+w)%len(items)], fmt.Sprintf("2021-0%d-0%d", 1+(i+w)%2, 1+i)))
					}
					_, err = f.entries.RecordEntries(clerk, batch)
				} else {
					_, err = f.entries.RecordEntry(clerk, repay(items[w%len(items)], "2021-02-01"))
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("a write failed: %v", err)
			}
		}
		if n := count(t, db, "entries"); n != len(items)+writers/2*len(items)+writers/2 {
			t.Fatalf("%d entries", n)
		}
		if msg, err := db.VerifyTotals(f.sys); err != nil || msg != "" {
			t.Fatalf("verify: %q %v", msg, err)
		}
	})
}

func TestOneIdempotencyKeySentManyTimesAtOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-03-01 09:00")
		clerk := as(f.groupA)
		item := f.MustItem(t, clerk, f.subA1, "2020-01-10", 100000000, 0)
		before := count(t, db, "entries")
		const n = 20
		ids := make(chan int64, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: item.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-02-01"),
					Amount: 100, Method: qingqian.MethodTransfer, IdempotencyKey: "pay-1"})
				if err != nil {
					errs <- err
					return
				}
				ids <- e.ID
			}()
		}
		wg.Wait()
		close(ids)
		close(errs)
		for err := range errs {
			if qingqian.ErrorCode(err) != qingqian.ECONFLICT {
				t.Errorf("a repeat of the request: %v", err)
			}
		}
		seen := map[int64]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 || count(t, db, "entries") != before+1 {
			t.Fatalf("entries %v, %d recorded", seen, count(t, db, "entries")-before)
		}
	})
}

func TestNumbersGivenInParallel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues, sv := sqldb.NewClueService(db), sqldb.NewSupervisionService(db)
		f.at("2026-09-30 09:00")
		const n = 20
		nos := make(chan string, 2*n+1)
		// The complainant registered with a first clue: the others only read it.
		uscc := MustUSCC(t)
		first := &qingqian.Clue{Channel: qingqian.ChannelPlatform, ReceivedOn: qingqian.MustParseDate("2026-09-30"),
			CreditorName: "某某建材有限公司", CreditorUSCC: uscc, Respondent: "甲集团一公司", Claimed: qingqian.Yuan(80_000), Text: "货款至今未付。"}
		if err := clues.CreateClue(f.office, first); err != nil {
			t.Fatal(err)
		}
		nos <- first.No
		var wg sync.WaitGroup
		for i := range n {
			group := f.groupA
			if i%2 == 1 {
				group = f.groupB
			}
			wg.Add(2)
			go func() {
				defer wg.Done()
				c := &qingqian.Clue{Channel: qingqian.ChannelPlatform, ReceivedOn: qingqian.MustParseDate("2026-09-30"),
					CreditorName: "某某建材有限公司", CreditorUSCC: uscc, Respondent: "甲集团一公司", Claimed: qingqian.Yuan(80_000),
					Text: "货款至今未付。"}
				if err := clues.CreateClue(f.office, c); err != nil {
					t.Errorf("clue %d: %v", i, err)
					return
				}
				nos <- c.No
			}()
			go func() {
				defer wg.Done()
				nt := &qingqian.Notice{OrgID: group.ID, Reason: "进度滞后", Actions: "十日内制定补足计划", Deadline: qingqian.MustParseDate("2026-10-30")}
				if err := sv.IssueNotice(f.office, nt); err != nil {
					t.Errorf("notice %d: %v", i, err)
					return
				}
				nos <- nt.No
			}()
		}
		wg.Wait()
		close(nos)
		seen := map[string]bool{}
		for no := range nos {
			if seen[no] {
				t.Errorf("%s given twice", no)
			}
			seen[no] = true
		}
		for i := 1; i <= n; i++ {
			if clue, notice := fmt.Sprintf("TS-2026-%04d", i+1), fmt.Sprintf("清欠督〔2026〕%d号", i); !seen[clue] || !seen[notice] {
				t.Errorf("%s or %s not given: %v", clue, notice, seen)
			}
		}
		// The migration fills the counters from the numbers given: the next ones follow.
		if err := db.InTxForTest(f.sys, qingqian.SystemActor("测试"), func(tx *sqldb.Tx) error { return tx.MigrateWritersApartForTest(f.sys) }); err != nil {
			t.Fatal(err)
		}
		nt := &qingqian.Notice{OrgID: f.groupA.ID, Reason: "进度滞后", Actions: "十日内制定补足计划", Deadline: qingqian.MustParseDate("2026-10-30")}
		if err := sv.IssueNotice(f.office, nt); err != nil || nt.No != fmt.Sprintf("清欠督〔2026〕%d号", n+1) {
			t.Fatalf("the next notice %q %v", nt.No, err)
		}
	})
}

func TestReportsReadOneSnapshot(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-02-05 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-01-31"), Deadline: qingqian.MustParseDate("2019-02-10")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		// A repayment recorded while the report is being read is either all in it or not at all.
		db.BetweenReadsForTest(func() {
			db.BetweenReadsForTest(nil)
			f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2019-01-20", qingqian.Yuan(100_000))
		})
		draft, err := f.reports.Report(f.office, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if draft.Total.RepaidToDate != 0 {
			t.Fatalf("the draft read before the repayment and after it: repaid %s", draft.Total.RepaidToDate)
		}
		// Issued: the same, from one snapshot, now with the repayment. (On SQLite the issuing
		// transaction is the one writer: nothing is written while it reads.)
		if db.Dialect() == "postgres" {
			db.BetweenReadsForTest(func() {
				db.BetweenReadsForTest(nil)
				f.MustRepay(t, f.liaisonB, f.itemB.ID, "2019-01-20", qingqian.Yuan(10_000))
			})
		}
		issued, err := f.reports.IssueReport(f.office, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var a, b qingqian.Money
		for _, row := range issued.Rows {
			if row.OrgID == f.groupA.ID {
				a = row.Figures.RepaidToDate
			} else if row.OrgID == f.groupB.ID {
				b = row.Figures.RepaidToDate
			}
		}
		// The issuing transaction either read before B's repayment, or met it when it wrote
		// (its snapshot was then out of date) and was run again from a snapshot with it.
		if a != qingqian.Yuan(100_000) || (b != 0 && b != qingqian.Yuan(10_000)) || issued.Total.RepaidToDate != a+b {
			t.Fatalf("issued: A repaid %s, B repaid %s", a, b)
		}
	})
}
