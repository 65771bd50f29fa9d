package sqldb_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A ledger entry after a submission was prepared makes its figures stale: the reviewer and the
// approver see the differences, and signing them needs the explicit choice of SignAsReported.
func TestSignStaleFigures(t *testing.T) {
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
		if len(sub.Diffs) != 0 {
			t.Fatalf("fresh submission has differences: %+v", sub.Diffs)
		}
		// A back-dated repayment after preparing.
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2019-03-20", qingqian.Yuan(1_000))
		sub, err = f.reports.FindSubmission(f.reviewerA, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sub.Diffs) == 0 {
			t.Fatal("the reviewer does not see that the ledger changed")
		}
		_, err = f.reports.Sign(f.reviewerA, sub.ID, qingqian.ActReview, "", sub.Version)
		wantCode(t, err, qingqian.ECONFLICT)
		if msg := qingqian.ErrorMessage(err); !strings.Contains(msg, "本期清偿 0.00 → 0.10 万元") || !strings.Contains(msg, "仍按报送数审核") {
			t.Fatalf("message: %s", msg)
		}
		sub, err = f.reports.SignAsReported(f.reviewerA, sub.ID, qingqian.ActReview, "已知晓", sub.Version)
		if err != nil || sub.State != qingqian.StateReviewed {
			t.Fatalf("review as reported: %+v %v", sub, err)
		}
		if note := sub.Steps[len(sub.Steps)-1].Note; !strings.Contains(note, "仍按报送数审核") {
			t.Fatalf("step note: %s", note)
		}
		// The approver too must choose; returned and prepared again, the figures are current.
		_, err = f.reports.Sign(f.principal, sub.ID, qingqian.ActApprove, "", sub.Version)
		wantCode(t, err, qingqian.ECONFLICT)
		if sub, err = f.reports.Sign(f.principal, sub.ID, qingqian.ActReturn, "台账已变动，请按当前台账重新生成", sub.Version); err != nil || sub.State != qingqian.StateReturned {
			t.Fatalf("return: %+v %v", sub, err)
		}
		if sub, err = f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID}); err != nil || len(sub.Diffs) != 0 {
			t.Fatalf("prepared again: %+v %v", sub, err)
		}
		f.signOff(t, sub, f.reviewerA, f.principal)
	})
}

// A report of a date still ahead cannot be issued.
func TestIssueReportRefusesFutureDate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-03-15 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-10")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		_, err := f.reports.IssueReport(f.office, p.ID)
		wantCode(t, err, qingqian.ECONFLICT)
		if msg := qingqian.ErrorMessage(err); !strings.Contains(msg, "2019年3月31日") || !strings.Contains(msg, "尚不能印发") {
			t.Fatalf("message: %s", msg)
		}
		f.at("2019-03-31 18:00")
		if _, err := f.reports.IssueReport(f.office, p.ID); err != nil {
			t.Fatal(err)
		}
	})
}
