package sqldb_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// person returns a context for a named user of a unit with the given roles.
func person(org *qingqian.Org, userID int64, name string, roles ...qingqian.Role) context.Context {
	return qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: userID, Name: name, OrgID: org.ID, OrgPath: org.Path, Roles: roles})
}

func mustVerifyTotals(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if msg, err := db.VerifyTotals(context.Background()); err != nil || msg != "" {
		t.Fatalf("running totals disagree with the entries: %q %v", msg, err)
	}
}

func TestVoucherCountsInTotals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		figures := func() qingqian.Figures {
			t.Helper()
			tot, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.groupA.ID, AsOf: qingqian.MustParseDate("2021-12-31")})
			if err != nil {
				t.Fatal(err)
			}
			return tot.Overall
		}
		f.at("2021-11-01 09:00")
		bare := f.MustRepay(t, clerk, it.ID, "2021-10-01", qingqian.Yuan(100))
		v, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		with, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-10-02"),
			Amount: qingqian.Yuan(50), Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}})
		if err != nil {
			t.Fatal(err)
		}
		if g := figures(); g.Payments != 2 || g.PaymentsNoVoucher != 1 || g.RepaidNoVoucher != qingqian.Yuan(100) {
			t.Fatalf("after one bare and one vouched repayment: %+v", g)
		}
		mustVerifyTotals(t, db)

		// The voucher arrives two days later: the repayment becomes a fact from then on.
		f.at("2021-11-03 10:00")
		if err := f.vouchers.AttachVoucher(clerk, bare.ID, v.SHA256); err != nil {
			t.Fatal(err)
		}
		if g := figures(); g.Payments != 2 || g.PaymentsNoVoucher != 0 || g.RepaidNoVoucher != 0 {
			t.Fatalf("after attaching: %+v", g)
		}
		// A second voucher on the same repayment changes nothing.
		v2, _ := f.vouchers.StoreVoucher(clerk, "b.png", bytes.NewReader(png))
		if err := f.vouchers.AttachVoucher(clerk, bare.ID, v2.SHA256); err != nil {
			t.Fatal(err)
		}
		mustVerifyTotals(t, db)
		// As known on 2 November, it was still without voucher.
		tot, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.groupA.ID, AsOf: qingqian.MustParseDate("2021-12-31"),
			KnownAt: qingqian.MustParseDate("2021-11-03").EndOfDay().AddDate(0, 0, -1).Add(-time.Second)})
		if err != nil || tot.Overall.PaymentsNoVoucher != 1 || tot.Overall.RepaidNoVoucher != qingqian.Yuan(100) {
			t.Fatalf("as known on 2 November: %+v %v", tot.Overall, err)
		}
		// Within the day of the attachment: at 09:59 still a claim, a second after 10:00 a fact
		// (the second voucher, attached at the same instant, changes nothing either way).
		cst := time.FixedZone("CST", 8*3600)
		for _, c := range []struct {
			at        time.Time
			noVoucher int64
			amount    qingqian.Money
		}{{time.Date(2021, 11, 3, 9, 59, 0, 0, cst), 1, qingqian.Yuan(100)}, {time.Date(2021, 11, 3, 10, 0, 1, 0, cst), 0, 0}} {
			tot, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.groupA.ID, AsOf: qingqian.MustParseDate("2021-12-31"), KnownAt: c.at})
			if err != nil || tot.Overall.Payments != 2 || tot.Overall.PaymentsNoVoucher != c.noVoucher || tot.Overall.RepaidNoVoucher != c.amount {
				t.Fatalf("as known at %s: %+v %v", c.at, tot.Overall, err)
			}
		}

		// Reversals take the repayment off; a third, bare one reversed the same day nets to nothing.
		if _, err := f.entries.ReverseEntry(clerk, qingqian.EntryInput{Kind: qingqian.EntryReversal, ReversesID: with.ID, Reason: "重复录入"}); err != nil {
			t.Fatal(err)
		}
		third := f.MustRepay(t, clerk, it.ID, "2021-11-03", qingqian.Yuan(7))
		if _, err := f.entries.ReverseEntry(clerk, qingqian.EntryInput{Kind: qingqian.EntryReversal, ReversesID: third.ID, Reason: "金额有误"}); err != nil {
			t.Fatal(err)
		}
		if g := figures(); g.Payments != 1 || g.PaymentsNoVoucher != 0 || g.RepaidNoVoucher != 0 || g.Repaid != qingqian.Yuan(100) {
			t.Fatalf("after reversals: %+v", g)
		}
		mustVerifyTotals(t, db)
		// A rebuild gives the same.
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		if g := figures(); g.Payments != 1 || g.PaymentsNoVoucher != 0 {
			t.Fatalf("after rebuild: %+v", g)
		}
	})
}

// reportFixture adds users and a ledger to the fixture: group A has two items (one planned),
// group B one item, all baseline.
type reportFixture struct {
	*fixture
	reports                        *sqldb.ReportService
	office, officeObserver         context.Context
	liaisonA, reviewerA, principal context.Context
	liaisonB, reviewerB, leaderB   context.Context
	itemA1, itemA2, itemB          *qingqian.Item
}

func newReportFixture(t *testing.T, db *sqldb.DB) *reportFixture {
	f := &reportFixture{fixture: newFixture(t, db), reports: sqldb.NewReportService(db)}
	f.office = person(f.root, 1, "清欠办张三", qingqian.RoleSupervisor)
	f.officeObserver = person(f.root, 2, "减负办", qingqian.RoleObserver)
	f.liaisonA = person(f.groupA, 11, "甲联络员", qingqian.RoleLiaison)
	f.reviewerA = person(f.groupA, 12, "甲分管领导", qingqian.RoleReviewer)
	f.principal = person(f.groupA, 13, "甲主要负责同志", qingqian.RoleReviewer)
	f.liaisonB = person(f.groupB, 21, "乙联络员", qingqian.RoleLiaison)
	f.reviewerB = person(f.groupB, 22, "乙分管领导", qingqian.RoleReviewer)
	f.leaderB = person(f.groupB, 23, "乙主要负责同志", qingqian.RoleReviewer)
	f.at("2019-01-10 09:00")
	f.itemA1 = f.MustItem(t, f.liaisonA, f.subA1, "2018-06-30", qingqian.Yuan(1_000_000), qingqian.Yuan(200_000))
	f.itemA2 = f.MustItem(t, f.liaisonA, f.groupA, "2018-09-30", qingqian.Yuan(300_000), 0)
	f.itemB = f.MustItem(t, f.liaisonB, f.groupB, "2018-10-31", qingqian.Yuan(50_000), 0)
	return f
}

// signOff takes a submission through review and approval by the group's two leaders.
func (f *reportFixture) signOff(t *testing.T, sub *qingqian.Submission, reviewer, approver context.Context) *qingqian.Submission {
	t.Helper()
	sub, err := f.reports.Sign(reviewer, sub.ID, qingqian.ActReview, "数据已核对", sub.Version)
	if err != nil {
		t.Fatalf("review: %v", err)
	}
	sub, err = f.reports.Sign(approver, sub.ID, qingqian.ActApprove, "同意报送", sub.Version)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return sub
}

func TestBaselineSignOffLocksTheBaseline(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-01-12 09:00")
		_, err := f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: 1})
		wantCode(t, err, qingqian.ENOTFOUND)
		p := &qingqian.Period{Kind: qingqian.PeriodBaseline, AsOf: qingqian.MustParseDate("2019-01-10"), Deadline: qingqian.MustParseDate("2019-01-20")}
		wantCode(t, f.reports.OpenPeriod(f.liaisonA, p), qingqian.EFORBIDDEN)
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		if p.No != 1 || !strings.Contains(p.Title, "第1期") || p.StartsOn != p.AsOf {
			t.Fatalf("period = %+v", p)
		}

		// The liaison prepares; the figures come from the ledger.
		sub, err := f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "底数已全面核实"})
		if err != nil {
			t.Fatal(err)
		}
		if sub.State != qingqian.StatePrepared || sub.Figures.Baseline != qingqian.Yuan(1_500_000) || sub.Figures.Items != 2 || sub.OrgID != f.groupA.ID {
			t.Fatalf("prepared = %+v", sub)
		}
		// The preparer cannot review its own work, a liaison cannot sign, and a stale version conflicts.
		_, err = f.reports.Sign(person(f.groupA, 11, "甲联络员", qingqian.RoleLiaison, qingqian.RoleReviewer), sub.ID, qingqian.ActReview, "", sub.Version)
		wantCode(t, err, qingqian.ECONFLICT)
		_, err = f.reports.Sign(f.liaisonA, sub.ID, qingqian.ActReview, "", sub.Version)
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = f.reports.Sign(f.reviewerA, sub.ID, qingqian.ActReview, "", sub.Version-1)
		wantCode(t, err, qingqian.ECONFLICT)
		// Approval before review is refused; the other group cannot see it at all.
		_, err = f.reports.Sign(f.principal, sub.ID, qingqian.ActApprove, "", sub.Version)
		wantCode(t, err, qingqian.ECONFLICT)
		_, err = f.reports.Sign(f.reviewerB, sub.ID, qingqian.ActReview, "", sub.Version)
		wantCode(t, err, qingqian.ENOTFOUND)

		// Returned with a reason, prepared again, then signed by the two leaders.
		_, err = f.reports.Sign(f.reviewerA, sub.ID, qingqian.ActReturn, "", sub.Version)
		wantCode(t, err, qingqian.EINVALID)
		sub, err = f.reports.Sign(f.reviewerA, sub.ID, qingqian.ActReturn, "请补充子公司数据", sub.Version)
		if err != nil || sub.State != qingqian.StateReturned {
			t.Fatalf("return: %+v %v", sub, err)
		}
		sub, err = f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "已补充"})
		if err != nil || sub.State != qingqian.StatePrepared {
			t.Fatalf("prepare again: %+v %v", sub, err)
		}
		_, err = f.reports.Sign(f.reviewerA, sub.ID, qingqian.ActReview, "", sub.Version)
		if err != nil {
			t.Fatal(err)
		}
		sub, _ = f.reports.FindSubmission(f.reviewerA, sub.ID)
		_, err = f.reports.Sign(f.reviewerA, sub.ID, qingqian.ActApprove, "", sub.Version)
		wantCode(t, err, qingqian.ECONFLICT) // the reviewer cannot also approve
		sub, err = f.reports.Sign(f.principal, sub.ID, qingqian.ActApprove, "同意", sub.Version)
		if err != nil || sub.State != qingqian.StateApproved || sub.Late || sub.SubmittedAt.IsZero() {
			t.Fatalf("approve: %+v %v", sub, err)
		}
		var acts []string
		for _, st := range sub.Steps {
			acts = append(acts, string(st.Action)+":"+st.ActorName)
		}
		if got := strings.Join(acts, ","); got != "prepare:甲联络员,return:甲分管领导,prepare:甲联络员,review:甲分管领导,approve:甲主要负责同志" {
			t.Fatalf("steps = %s", got)
		}
		_, err = f.reports.Sign(f.principal, sub.ID, qingqian.ActReturn, "再看看", sub.Version)
		wantCode(t, err, qingqian.ECONFLICT)
		_, err = f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID})
		wantCode(t, err, qingqian.ECONFLICT)

		// Locked: a new baseline item is refused in the group and its subsidiaries, not in group B.
		f.at("2019-03-01 09:00")
		it := &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractNo: "HT-late", Kind: qingqian.KindGoods,
			ArisenOn: qingqian.MustParseDate("2018-12-01"), Undisputed: qingqian.Yuan(10), Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
		err = f.items.CreateItem(f.liaisonA, it)
		if qingqian.ErrorFields(err)["origin"] == "" || !strings.Contains(qingqian.ErrorMessage(err), "已签批锁定") {
			t.Fatalf("baseline item after the lock: %v", err)
		}
		it.Origin = qingqian.OriginSelfCheck
		if err := f.items.CreateItem(f.liaisonA, it); err != nil {
			t.Fatal(err)
		}
		f.MustItem(t, f.liaisonB, f.groupB, "2018-11-30", qingqian.Yuan(1), 0)

		// Progress afterwards is measured against the locked baseline; the self-check item is new.
		m := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-05")}
		if err := f.reports.OpenPeriod(f.office, m); err != nil {
			t.Fatal(err)
		}
		sub, err = f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: m.ID})
		if err != nil {
			t.Fatal(err)
		}
		if g := sub.Figures; !g.BaselineLocked || g.Baseline != qingqian.Yuan(1_500_000) || g.NewItems != 1 || g.NewAmount != qingqian.Yuan(10) {
			t.Fatalf("monthly figures = %+v", g)
		}
	})
}

func TestFrozenSubmissionAndConsolidatedReport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		// Repayments: A before the period (100,000) and within it (250,000, one without voucher
		// later given one... here simply bare), B none.
		f.at("2019-02-20 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2019-02-20", qingqian.Yuan(100_000))
		f.at("2019-03-10 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2019-03-10", qingqian.Yuan(250_000))
		f.at("2019-04-01 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-05")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		if p.StartsOn != qingqian.MustParseDate("2019-03-01") {
			t.Fatalf("starts on %s", p.StartsOn)
		}
		subA, err := f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "三月清偿二十五万元"})
		if err != nil {
			t.Fatal(err)
		}
		want := qingqian.GroupFigures{Baseline: qingqian.Yuan(1_500_000), BaselineRepaid: qingqian.Yuan(350_000), BaselineLeft: qingqian.Yuan(1_150_000),
			RepaidPeriod: qingqian.Yuan(250_000), RepaidToDate: qingqian.Yuan(350_000), Recognised: qingqian.Yuan(1_500_000),
			Outstanding: qingqian.Yuan(1_150_000), Undisputed: qingqian.Yuan(950_000), Disputed: qingqian.Yuan(200_000),
			Rate: 2333, Items: 2, Payments: 2, PaymentsNoVoucher: 2, RepaidNoVoucher: qingqian.Yuan(350_000), ArrearsApart: true}
		if subA.Figures != want {
			t.Fatalf("group A figures\n got %+v\nwant %+v", subA.Figures, want)
		}
		subA = f.signOff(t, subA, f.reviewerA, f.principal)

		// B declares a zero report although its ledger has 50,000 outstanding: flagged.
		subB, err := f.reports.Prepare(f.liaisonB, qingqian.SubmissionInput{PeriodID: p.ID, Zero: true, Narrative: "本期无拖欠"})
		if err != nil {
			t.Fatal(err)
		}
		if len(subB.Flags) != 1 || !strings.Contains(subB.Flags[0], "5.00 万元") {
			t.Fatalf("zero report flags = %q", subB.Flags)
		}
		_, err = f.reports.CheckZero(f.office, subB.ID, "rejected", "比对台账")
		wantCode(t, err, qingqian.ECONFLICT) // not submitted yet
		f.at("2019-04-08 09:00")             // after the deadline
		subB = f.signOff(t, subB, f.reviewerB, f.leaderB)
		if !subB.Late {
			t.Fatal("a submission approved after the deadline is not late")
		}
		_, err = f.reports.CheckZero(f.liaisonB, subB.ID, "confirmed", "自查")
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = f.reports.CheckZero(f.office, subB.ID, "confirmed", "")
		wantCode(t, err, qingqian.EINVALID)
		subB, err = f.reports.CheckZero(f.office, subB.ID, "rejected", "比对台账：乙集团尚有5万元未清偿")
		if err != nil || subB.Check == nil || subB.Check.Result != "rejected" {
			t.Fatalf("check: %+v %v", subB, err)
		}

		// The draft report adds the two frozen submissions.
		r, err := f.reports.Report(f.office, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Rows) != 2 || r.Submitted != 2 || r.ZeroReports != 1 || r.Issued {
			t.Fatalf("report = %+v", r)
		}
		if r.Total.Outstanding != qingqian.Yuan(1_200_000) || r.Total.RepaidPeriod != qingqian.Yuan(250_000) || r.Total.Rate != 2258 {
			t.Fatalf("total = %+v", r.Total)
		}
		issued, err := f.reports.IssueReport(f.office, p.ID)
		if err != nil || !issued.Issued {
			t.Fatalf("issue: %+v %v", issued, err)
		}
		_, err = f.reports.IssueReport(f.office, p.ID)
		wantCode(t, err, qingqian.ECONFLICT)

		// A back-dated repayment changes the ledger as of 31 March, not the frozen figures.
		f.at("2019-04-15 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2019-03-20", qingqian.Yuan(1_000))
		again, err := f.reports.FindSubmission(f.office, subA.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.Figures != subA.Figures {
			t.Fatalf("frozen figures changed:\n%+v\n%+v", again.Figures, subA.Figures)
		}
		if len(again.Diffs) == 0 || again.Diffs[0].Field != "repaid_period" || again.Diffs[0].Now-again.Diffs[0].Frozen != qingqian.Yuan(1_000) {
			t.Fatalf("discrepancy = %+v", again.Diffs)
		}
		r2, err := f.reports.Report(f.office, p.ID)
		if err != nil || r2.Total != issued.Total || !r2.IssuedAt.Equal(issued.IssuedAt) || len(r2.Rows) != 2 {
			t.Fatalf("report again = %+v %v", r2, err)
		}
		// A group sees only its own line; the observer reads it all.
		rb, err := f.reports.Report(f.liaisonB, p.ID)
		if err != nil || len(rb.Rows) != 1 || rb.Rows[0].OrgID != f.groupB.ID || rb.Total.Outstanding != qingqian.Yuan(50_000) {
			t.Fatalf("group B's view = %+v %v", rb, err)
		}
		if ro, err := f.reports.Report(f.officeObserver, p.ID); err != nil || len(ro.Rows) != 2 {
			t.Fatalf("observer: %+v %v", ro, err)
		}
		// Group B cannot read A's submission.
		_, err = f.reports.FindSubmission(f.liaisonB, subA.ID)
		wantCode(t, err, qingqian.ENOTFOUND)

		// Lateness: B was late once; a second period past its deadline is missing for both.
		q := &qingqian.Period{Kind: qingqian.PeriodWeekly, AsOf: qingqian.MustParseDate("2019-04-05"), Deadline: qingqian.MustParseDate("2019-04-10")}
		if err := f.reports.OpenPeriod(f.office, q); err != nil {
			t.Fatal(err)
		}
		late, err := f.reports.Lateness(f.office)
		if err != nil || len(late) != 2 {
			t.Fatalf("lateness: %+v %v", late, err)
		}
		for _, l := range late {
			wantLate := map[int64]int{f.groupA.ID: 0, f.groupB.ID: 1}[l.OrgID]
			if l.Late != wantLate || l.Missing != 1 || l.MissingNow[0] != q.No {
				t.Fatalf("lateness of %s: %+v", l.OrgName, l)
			}
		}
		// A live row for a group that has not submitted is marked.
		r3, err := f.reports.Report(f.office, q.ID)
		if err != nil || r3.Submitted != 0 || !r3.Rows[0].Live || r3.Rows[0].State != qingqian.StateMissing {
			t.Fatalf("report of an unsubmitted period: %+v %v", r3, err)
		}
		if msg, err := f.audit.VerifyAudit(f.sys); err != nil || !msg.OK {
			t.Fatalf("audit chain: %+v %v", msg, err)
		}
	})
}

func TestGeneratedPeriods(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		ps, err := f.reports.GeneratePeriods(f.office, qingqian.Schedule{Kind: qingqian.PeriodMonthly, First: qingqian.MustParseDate("2019-01-15"), Count: 3, DeadlineDays: 5})
		if err != nil || len(ps) != 3 {
			t.Fatalf("generate: %v", err)
		}
		if ps[1].AsOf != qingqian.MustParseDate("2019-02-28") || ps[1].StartsOn != qingqian.MustParseDate("2019-02-01") || ps[1].Deadline != qingqian.MustParseDate("2019-03-05") || ps[2].No != 3 {
			t.Fatalf("second period = %+v", ps[1])
		}
		_, err = f.reports.GeneratePeriods(f.office, qingqian.Schedule{Kind: qingqian.PeriodWeekly, First: qingqian.MustParseDate("2019-01-04"), Count: 0})
		if qingqian.ErrorFields(err)["count"] == "" {
			t.Fatalf("count 0: %v", err)
		}
		dup := &qingqian.Period{No: 2, Kind: qingqian.PeriodSpecial, AsOf: qingqian.MustParseDate("2019-05-01"), Deadline: qingqian.MustParseDate("2019-05-10")}
		err = f.reports.OpenPeriod(f.office, dup)
		if qingqian.ErrorFields(err)["no"] == "" {
			t.Fatalf("duplicate number: %v", err)
		}
		got, n, err := f.reports.FindPeriods(f.liaisonA, qingqian.PeriodFilter{})
		if err != nil || n != 3 || got[0].No != 3 {
			t.Fatalf("a group sees its office's periods: %d %v", n, err)
		}
		p, err := f.reports.FindPeriodByNo(f.liaisonB, 2)
		if err != nil || p.ID != ps[1].ID {
			t.Fatalf("by number: %+v %v", p, err)
		}
	})
}

func TestProgressNoticesInterviews(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		sv := sqldb.NewSupervisionService(db)
		// A's plan: 400,000 due 2019-03-31, only 100,000 paid. B is fully repaid.
		f.at("2019-02-01 09:00")
		if _, err := f.plans.RevisePlan(f.liaisonA, f.itemA1.ID, qingqian.PlanInput{Reason: "首次计划", Instalments: []qingqian.Instalment{
			{Due: qingqian.MustParseDate("2019-03-31"), Amount: qingqian.Yuan(400_000), FundingSource: qingqian.FundingOwn},
			{Due: qingqian.MustParseDate("2019-12-31"), Amount: qingqian.Yuan(800_000), FundingSource: qingqian.FundingOwn}}}); err != nil {
			t.Fatal(err)
		}
		f.at("2019-02-20 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2019-02-20", qingqian.Yuan(100_000))
		f.MustRepay(t, f.liaisonB, f.itemB.ID, "2019-02-20", qingqian.Yuan(50_000))
		f.at("2019-05-15 09:00")
		pr, err := sv.Progress(f.office, qingqian.Date{})
		if err != nil || len(pr.Groups) != 2 {
			t.Fatalf("progress: %+v %v", pr, err)
		}
		a, b := pr.Groups[0], pr.Groups[1]
		if !a.Slow || a.PlannedDue != qingqian.Yuan(300_000) || a.OverdueItems != 1 || len(a.Reasons) != 1 || b.Slow || pr.Rate != 968 {
			t.Fatalf("province %d\nA = %+v\nB = %+v", pr.Rate, a, b)
		}
		if !strings.Contains(a.Reasons[0], "30 天") {
			t.Fatalf("reasons = %q", a.Reasons)
		}
		// A's rate (6.67%, rounded half-up) is 3 points below the province's (9.68%): under the default 10-point
		// gap that does not count; under a 2-point gap it does. With 60 days of grace the plan
		// test no longer fires (the instalment is 45 days overdue).
		wantCode(t, sv.SetSlowRule(f.liaisonA, qingqian.SlowRule{OverdueDays: 60}), qingqian.EFORBIDDEN)
		if qingqian.ErrorFields(sv.SetSlowRule(f.office, qingqian.SlowRule{OverdueDays: -1}))["overdue_days"] == "" {
			t.Fatal("negative days accepted")
		}
		if err := sv.SetSlowRule(f.office, qingqian.SlowRule{OverdueDays: 60, RateGap: 2}); err != nil {
			t.Fatal(err)
		}
		pr, _ = sv.Progress(f.office, qingqian.Date{})
		if a = pr.Groups[0]; !a.Slow || a.PlannedDue != 0 || len(a.Reasons) != 1 || !strings.Contains(a.Reasons[0], "低于全省 9.68%") {
			t.Fatalf("A under the new rule: %+v", a)
		}
		// A group sees only itself, measured against the province's rate, as the office sees it.
		if own, err := sv.Progress(f.liaisonB, qingqian.Date{}); err != nil || len(own.Groups) != 1 || own.Groups[0].OrgID != f.groupB.ID || own.Rate != pr.Rate {
			t.Fatalf("B's progress: %+v %v", own, err)
		}
		if own, _ := sv.Progress(f.liaisonA, qingqian.Date{}); len(own.Groups) != 1 || !own.Groups[0].Slow || own.Groups[0].Reasons[0] != a.Reasons[0] {
			t.Fatalf("A's own progress does not find it slow as the office does: %+v", own)
		}

		// A notice: issued, answered by the group, closed by the office.
		n := &qingqian.Notice{OrgID: f.groupA.ID, Reason: strings.Join(a.Reasons, "；"), Actions: "十日内制定补足计划", Deadline: qingqian.MustParseDate("2019-05-25")}
		wantCode(t, sv.IssueNotice(f.liaisonA, n), qingqian.EFORBIDDEN)
		bad := &qingqian.Notice{OrgID: f.groupA.ID, Deadline: qingqian.MustParseDate("2019-05-01")}
		if fs := qingqian.ErrorFields(sv.IssueNotice(f.office, bad)); fs["reason"] == "" || fs["actions"] == "" || fs["deadline"] == "" {
			t.Fatalf("bad notice fields = %v", fs)
		}
		if err := sv.IssueNotice(f.office, n); err != nil {
			t.Fatal(err)
		}
		if n.No != "清欠督〔2019〕1号" || n.State != qingqian.NoticeOpen {
			t.Fatalf("notice = %+v", n)
		}
		// A notice to a subsidiary counts for its group too.
		sub := &qingqian.Notice{OrgID: f.subA1.ID, Reason: "一公司台账不全", Actions: "补录", Deadline: qingqian.MustParseDate("2019-05-30")}
		if err := sv.IssueNotice(f.office, sub); err != nil {
			t.Fatal(err)
		}
		if pr, err := sv.Progress(f.office, qingqian.Date{}); err != nil || pr.Groups[0].OpenNotices != 2 || pr.Groups[1].OpenNotices != 0 {
			t.Fatalf("open notices: %+v %v", pr, err)
		}
		_, err = sv.FindNotice(f.liaisonB, n.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		_, err = sv.CloseNotice(f.office, n.ID, n.Version)
		wantCode(t, err, qingqian.ECONFLICT) // not answered yet
		f.at("2019-05-27 09:00")
		if !n.Overdue(qingqian.MustParseDate("2019-05-27")) {
			t.Fatal("an unanswered notice past its deadline is not overdue")
		}
		n, err = sv.ReplyNotice(f.liaisonA, n.ID, "已筹措资金三十万元，计划六月底前支付", n.Version)
		if err != nil || n.State != qingqian.NoticeReplied {
			t.Fatalf("reply: %+v %v", n, err)
		}
		n, err = sv.CloseNotice(f.office, n.ID, n.Version)
		if err != nil || n.State != qingqian.NoticeClosed {
			t.Fatalf("close: %+v %v", n, err)
		}
		if open, _ := sv.FindNotices(f.office, true); len(open) != 1 || open[0].ID != sub.ID {
			t.Fatalf("open notices = %d", len(open))
		}

		// An interview with two commitments; one followed up as done.
		iv := &qingqian.Interview{OrgID: f.groupA.ID, HeldOn: qingqian.MustParseDate("2019-05-27"), Level: qingqian.LevelPrincipal,
			Participants: "省国资委副主任、甲集团董事长", Minutes: "听取清欠进展汇报，提出要求",
			Commitments: []qingqian.Commitment{{Text: "6月30日前支付30万元", DueOn: qingqian.MustParseDate("2019-06-30")}, {Text: "完善台账", DueOn: qingqian.MustParseDate("2019-06-10")}}}
		bad2 := &qingqian.Interview{OrgID: f.groupA.ID, HeldOn: qingqian.MustParseDate("2019-05-27"), Level: "boss",
			Commitments: []qingqian.Commitment{{DueOn: qingqian.MustParseDate("2019-01-01")}}}
		if fs := qingqian.ErrorFields(sv.RecordInterview(f.office, bad2)); fs["level"] == "" || fs["commitments.0.text"] == "" || fs["commitments.0.due_on"] == "" || fs["minutes"] == "" {
			t.Fatalf("bad interview fields = %v", fs)
		}
		if err := sv.RecordInterview(f.office, iv); err != nil {
			t.Fatal(err)
		}
		f.at("2019-06-12 09:00")
		got, err := sv.FindInterview(f.liaisonA, iv.ID)
		if err != nil || len(got.Commitments) != 2 || len(got.Due(qingqian.MustParseDate("2019-06-12"))) != 1 {
			t.Fatalf("interview = %+v %v", got, err)
		}
		got, err = sv.FollowUp(f.office, got.Commitments[1].ID, "台账已完善", qingqian.MustParseDate("2019-06-08"))
		if err != nil || got.Commitments[1].DoneOn != qingqian.MustParseDate("2019-06-08") || len(got.Due(qingqian.MustParseDate("2019-12-31"))) != 1 {
			t.Fatalf("follow-up: %+v %v", got, err)
		}
		if list, err := sv.FindInterviews(f.liaisonB); err != nil || len(list) != 0 {
			t.Fatalf("B sees A's interviews: %d %v", len(list), err)
		}

		// The progress is kept until the next change: what a reader does to its copy does not
		// reach the next reader, and a repayment is seen at once.
		f.at("2019-06-20 09:00")
		pr, _ = sv.Progress(f.office, qingqian.Date{})
		before, reasons := pr.Rate, len(pr.Groups[0].Reasons)
		pr.Groups[0].OrgID, pr.Groups[0].Reasons = -1, nil
		if again, _ := sv.Progress(f.office, qingqian.Date{}); again.Groups[0].OrgID == -1 || reasons == 0 || len(again.Groups[0].Reasons) != reasons {
			t.Fatalf("a reader's change reached the next: %+v", again.Groups[0])
		}
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2019-06-20", qingqian.Yuan(300_000))
		if after, _ := sv.Progress(f.office, qingqian.Date{}); after.Rate <= before {
			t.Fatalf("the province's rate after a repayment: %d, was %d", after.Rate, before)
		}
	})
}

// Migration 0008 gives links made before it an attachment instant: their entry's recording
// instant when made the same day, else the start of their day in China.
func TestAttachedAtBackfill(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		v, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		f.at("2021-11-01 09:00")
		_, err = f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-10-02"),
			Amount: qingqian.Yuan(50), Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}})
		if err != nil {
			t.Fatal(err)
		}
		later := f.MustRepay(t, clerk, it.ID, "2021-10-03", qingqian.Yuan(5))
		f.at("2021-11-03 10:00")
		if err := f.vouchers.AttachVoucher(clerk, later.ID, v.SHA256); err != nil {
			t.Fatal(err)
		}
		body, err := os.ReadFile("migrations/" + db.Dialect() + "/0008_voucher_attached_at.sql")
		if err != nil {
			t.Fatal(err)
		}
		update := string(body[bytes.Index(body, []byte("UPDATE entry_vouchers")):])
		update = update[:strings.Index(update, ";")]
		ctx := context.Background()
		if err := db.ExecForTest(ctx, `UPDATE entry_vouchers SET attached_at = (SELECT recorded_at FROM entries WHERE id = 1)`); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(ctx, update); err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		err = db.WriteTxForTest(ctx, func(tx *sql.Tx) error {
			rows, err := tx.Query(`SELECT attached_at FROM entry_vouchers ORDER BY entry_id`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				at, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					return err
				}
				got = append(got, at)
			}
			return rows.Err()
		})
		cst := time.FixedZone("CST", 8*3600)
		want := []time.Time{time.Date(2021, 11, 1, 9, 0, 0, 0, cst), time.Date(2021, 11, 3, 0, 0, 0, 0, cst)}
		if err != nil || len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
			t.Fatalf("backfilled %v, want %v (%v)", got, want, err)
		}
		// The second repayment's voucher counts from the start of 3 November.
		tot, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.groupA.ID, AsOf: qingqian.MustParseDate("2021-12-31"),
			KnownAt: time.Date(2021, 11, 3, 0, 0, 1, 0, cst)})
		if err != nil || tot.Overall.Payments != 2 || tot.Overall.PaymentsNoVoucher != 0 {
			t.Fatalf("as known just after midnight: %+v %v", tot.Overall, err)
		}
	})
}
