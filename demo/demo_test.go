package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/demo"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// MustLoad loads the demo province into db.
func MustLoad(tb testing.TB, db *sqldb.DB) *demo.Province {
	tb.Helper()
	p, err := demo.Load(context.Background(), demo.ServicesOf(db))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// The document's three figures come out of the demo ledger, to the 分, on both databases.
func TestDemoReproducesTheReport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		p := MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		totals := sqldb.NewTotalsService(db)
		at := func(d qingqian.Date) qingqian.Figures {
			tot, err := totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: p.Regulator.ID, AsOf: d})
			if err != nil {
				t.Fatal(err)
			}
			return tot.Overall
		}
		f19 := at(demo.Date2019)
		if f19.RecognisedUndisputed != demo.UndisputedRepaid2019 || f19.RepaidUndisputed != demo.UndisputedRepaid2019 || f19.OutstandingUndisputed != 0 {
			t.Fatalf("2019-11-30: %+v", f19)
		}
		if got := f19.RepaidUndisputed.Wan(); got != "96855.38" {
			t.Fatalf("undisputed repaid by 2019-11-30 = %s 万元", got)
		}
		f20 := at(demo.Date2020)
		if f20.Outstanding != demo.Remaining2020 || f20.OutstandingUndisputed != 0 || f20.Outstanding.Wan() != "4929.70" {
			t.Fatalf("2020-12-31: %+v", f20)
		}
		f21 := at(demo.Date2021)
		if got := f21.Repaid - f20.Repaid; got != demo.Repaid2021 || got.Wan() != "908.15" {
			t.Fatalf("repaid in 2021 = %s (%s 万元)", got, got.Wan())
		}
		// The same figures as known at the end of 2021: later ledger work does not change them.
		known := qingqian.MustParseDate("2021-12-31").EndOfDay()
		tot, err := totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: p.Regulator.ID, AsOf: demo.Date2021, KnownAt: known})
		if err != nil || tot.Overall != f21 {
			t.Fatalf("as known at 2021-12-31: %+v vs %+v (%v)", tot.Overall, f21, err)
		}
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("VerifyTotals = %q, %v", bad, err)
		}
		// The issued consolidated reports say the same, computed from the groups' frozen
		// submissions: issue 2 (November 2019), 3 (end of 2020) and 4 (the 2021 special round).
		reports := sqldb.NewReportService(db)
		report := func(no int) *qingqian.Report {
			t.Helper()
			per, err := reports.FindPeriodByNo(ctx, no)
			if err != nil {
				t.Fatal(err)
			}
			r, err := reports.Report(ctx, per.ID)
			if err != nil || !r.Issued || r.Submitted != len(p.Groups) || len(r.Rows) != len(p.Groups) {
				t.Fatalf("report %d: %+v %v", no, r, err)
			}
			return r
		}
		if r := report(1); r.Total.Baseline.Wan() != "101785.08" || r.Total.Items != 192 {
			t.Fatalf("baseline report total = %+v", r.Total)
		}
		if r := report(2); r.Total.RepaidToDate.Wan() != "96855.38" || r.Total.Undisputed != 0 || !r.Total.BaselineLocked || r.Total.PaymentsNoVoucher != 0 {
			t.Fatalf("report 2 total = %+v", r.Total)
		}
		r3 := report(3)
		if r3.Total.Outstanding.Wan() != "4929.70" || r3.Total.Disputed != demo.Remaining2020 || r3.ZeroReports != 1 {
			t.Fatalf("report 3 total = %+v, zero reports %d", r3.Total, r3.ZeroReports)
		}
		if r := report(4); r.Total.RepaidPeriod.Wan() != "908.15" || r.Period.StartsOn != qingqian.MustParseDate("2021-01-01") {
			t.Fatalf("report 4 total = %+v", r.Total)
		}
		// All of the 2020 remainder was before a court, an arbitration body or a bankruptcy
		// administrator; the judgments of 2021 turned part of it into entries that were paid.
		if r3.Total.InCourt != demo.Remaining2020 {
			t.Fatalf("in court at the end of 2020 = %s", r3.Total.InCourt.Wan())
		}
		cases := sqldb.NewCaseService(db)
		t20, err := cases.Disputes(ctx, p.Regulator.ID, demo.Date2020)
		if err != nil || len(t20.Rows) != 12 || t20.Total != demo.Remaining2020 || t20.Repaid != 0 {
			t.Fatalf("disputed-debt table 2020: %d rows, %s, %v", len(t20.Rows), t20.Total.Wan(), err)
		}
		for _, row := range t20.Rows {
			// The plan of the time, not the one decided after the 2021 judgments; each route at
			// its own stage: a bankruptcy has had its creditors' meeting, not a hearing.
			want, next := qingqian.StageHearing, "等待一审判决"
			switch row.Route {
			case "arbitration":
				next = "等待仲裁裁决"
			case "bankruptcy":
				want, next = qingqian.StageCreditors, "等待管理人提出破产财产分配方案"
			}
			if row.CaseNo == "" || row.Stage != want || row.Route == "negotiation" || row.NextStep != next || !row.ExpectedOn.Before(demo.Date2021) {
				t.Fatalf("2020 row without its case: %+v", row)
			}
		}
		t21, err := cases.Disputes(ctx, p.Regulator.ID, demo.Date2021)
		if err != nil || t21.Repaid.Wan() != "908.15" || t21.Total >= demo.Remaining2020-demo.Repaid2021 {
			t.Fatalf("disputed-debt table 2021: repaid %s, left %s, %v", t21.Repaid.Wan(), t21.Total.Wan(), err)
		}
		// The four decided cases each go on by their route: only a judgment is appealed, an
		// award is final and enforced, a bankruptcy distributes.
		decided := 0
		for _, row := range t21.Rows {
			switch {
			case row.Route == "litigation" && row.Stage == qingqian.StageJudgment && row.NextStep == "剩余部分上诉中，等待二审判决",
				row.Route == "arbitration" && row.Stage == qingqian.StageJudgment && strings.Contains(row.NextStep, "强制执行"),
				row.Route == "bankruptcy" && row.Stage == qingqian.StageDistribution:
				decided++
			case row.Route != "litigation" && strings.Contains(row.NextStep, "二审"):
				t.Fatalf("an appeal in a %s: %+v", row.Route, row)
			}
		}
		passed := 0
		for _, row := range t21.Rows {
			if row.ExpectedPassed {
				passed++
			}
		}
		if passed == 0 {
			t.Fatal("no expected date of 2021 has passed by the end of October")
		}
		if decided != 4 {
			t.Fatalf("2021 table: %d decided cases with their new plan", decided)
		}
		// The November 2019 report shows the cases in court: they were filed in 2019, and
		// entered on the days they were filed.
		r2 := report(2)
		if r2.Total.InCourt != demo.Remaining2020 {
			t.Fatalf("report 2 in court: %s", r2.Total.InCourt.Wan())
		}
		// No submission of the demo's reports stands in discrepancy with the ledger, and each
		// was signed in time order: prepared, reviewed, approved.
		for _, no := range []int{2, 3, 4} {
			per, err := reports.FindPeriodByNo(ctx, no)
			if err != nil {
				t.Fatal(err)
			}
			subs, err := reports.FindSubmissions(ctx, per.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, sub := range subs {
				full, err := reports.FindSubmission(ctx, sub.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(full.Diffs) != 0 {
					t.Errorf("第%d期, group %d: discrepancies %+v", no, sub.OrgID, full.Diffs)
				}
				for i := 1; i < len(full.Steps); i++ {
					if !full.Steps[i].At.After(full.Steps[i-1].At) {
						t.Errorf("第%d期, group %d: step %d at %s, not after %s", no, sub.OrgID, i, full.Steps[i].At, full.Steps[i-1].At)
					}
				}
			}
		}
		// The complaint ledger: one debt missing from a group's ledger, one clue overdue.
		clues := sqldb.NewClueService(db)
		if over, n, err := clues.FindClues(ctx, qingqian.ClueFilter{Overdue: true}); err != nil || n != 1 || over[0].Channel != qingqian.ChannelCallback {
			t.Fatalf("overdue clues: %d %v", n, err)
		}
		prog, err := sqldb.NewSupervisionService(db).Progress(ctx, qingqian.Date{})
		if err != nil || prog.Groups[1].OrgID != p.Groups[1].ID || prog.Groups[1].MissingDebts != 1 || prog.Groups[0].MissingDebts != 0 {
			t.Fatalf("missing debts: %+v %v", prog, err)
		}
		// The zero report of the end of 2020 was flagged and found untrue.
		subs, err := reports.FindSubmissions(ctx, r3.Period.ID)
		if err != nil {
			t.Fatal(err)
		}
		var zero *qingqian.Submission
		for _, sub := range subs {
			if sub.Zero {
				zero = sub
			}
		}
		if zero == nil || len(zero.Flags) == 0 || zero.Check == nil || zero.Check.Result != "rejected" {
			t.Fatalf("zero report = %+v", zero)
		}
		res, err := sqldb.NewAuditService(db).VerifyAudit(ctx)
		if err != nil || !res.OK {
			t.Fatalf("audit %+v %v", res, err)
		}
		if _, err := demo.Load(context.Background(), demo.ServicesOf(db)); err == nil {
			t.Fatal("loading twice must be refused")
		}
	})
}
