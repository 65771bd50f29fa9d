package sqldb_test

import (
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The office reminds the groups that have not reported; each sees its reminder until it reports,
// and the list of periods counts who reported.
func TestRemindGroups(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-04-02 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-10")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		sub, err := f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		f.signOff(t, sub, f.reviewerA, f.principal)

		_, err = f.reports.Remind(f.liaisonB, p.ID, "")
		wantCode(t, err, qingqian.EFORBIDDEN)
		rs, err := f.reports.Remind(f.office, p.ID, "请于4月10日前签批报送")
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].OrgID != f.groupB.ID {
			t.Fatalf("reminded: %+v", rs)
		}
		// A second click within the hour reminds nobody twice.
		f.at("2019-04-02 09:30")
		_, err = f.reports.Remind(f.office, p.ID, "")
		wantCode(t, err, qingqian.ECONFLICT)
		mine, err := f.reports.FindReminders(f.liaisonB)
		if err != nil || len(mine) != 1 || mine[0].Note != "请于4月10日前签批报送" || mine[0].PeriodNo != p.No || mine[0].SentBy != "清欠办张三" {
			t.Fatalf("B's reminders: %+v %v", mine, err)
		}
		if theirs, _ := f.reports.FindReminders(f.liaisonA); len(theirs) != 0 {
			t.Fatalf("A sees reminders: %+v", theirs)
		}
		st, err := f.reports.PeriodStatuses(f.office, []int64{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if s := st[p.ID]; s.Groups != 2 || s.Reported != 1 || s.Issued || s.Reminders != 1 || s.State(p.Deadline, qingqian.MustParseDate("2019-04-02")) != "报送中" {
			t.Fatalf("status: %+v", s)
		}
		// A period whose date is still ahead is not reminded of.
		ahead := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-04-30"), Deadline: qingqian.MustParseDate("2019-05-10")}
		if err := f.reports.OpenPeriod(f.office, ahead); err != nil {
			t.Fatal(err)
		}
		_, err = f.reports.Remind(f.office, ahead.ID, "")
		wantCode(t, err, qingqian.ECONFLICT)
		// Once B reports, its reminder is gone and there is nobody left to remind.
		subB, err := f.reports.Prepare(f.liaisonB, qingqian.SubmissionInput{PeriodID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		f.signOff(t, subB, f.reviewerB, f.leaderB)
		if mine, _ := f.reports.FindReminders(f.liaisonB); len(mine) != 0 {
			t.Fatalf("B still reminded: %+v", mine)
		}
		_, err = f.reports.Remind(f.office, p.ID, "")
		wantCode(t, err, qingqian.ECONFLICT)
		st, _ = f.reports.PeriodStatuses(f.office, []int64{p.ID})
		if s := st[p.ID]; s.State(p.Deadline, qingqian.MustParseDate("2019-04-02")) != "已全部报送" {
			t.Fatalf("status: %+v", s)
		}
	})
}
