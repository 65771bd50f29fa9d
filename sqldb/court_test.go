package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func TestCaseDecisionsAndTheDisputeTable(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cases := sqldb.NewCaseService(db)
		// itemA1 owes 1,000,000 undisputed and 200,000 disputed; a second disputed item in A.
		f.at("2019-01-10 09:00")
		other := f.MustItem(t, f.liaisonA, f.groupA, "2018-11-30", 0, qingqian.Yuan(90_000))
		f.at("2020-05-06 09:00")
		c := &qingqian.Case{Kind: qingqian.CaseLitigation, Body: "示范市中级人民法院", CaseNo: "2020冀01民初123号", FiledOn: qingqian.MustParseDate("2020-05-06"),
			Items: []int64{f.itemA1.ID}, Responsible: "法务部赵某", NextStep: "准备开庭材料", ExpectedOn: qingqian.MustParseDate("2021-06-30")}
		if qingqian.ErrorFields(cases.CreateCase(f.liaisonA, c))["case_no"] == "" {
			t.Fatal("a case number without brackets was accepted")
		}
		c.CaseNo = "（2020）冀01民初123号"
		wantCode(t, cases.CreateCase(f.officeObserver, c), qingqian.EFORBIDDEN)
		bc := *c
		bc.Items = []int64{f.itemB.ID}
		if qingqian.ErrorFields(cases.CreateCase(f.liaisonA, &bc))["items"] == "" {
			t.Fatal("group A opened a case on B's item")
		}
		if err := cases.CreateCase(f.liaisonA, c); err != nil {
			t.Fatal(err)
		}
		if c.Stage != qingqian.StageFiled || c.Claimed != qingqian.Yuan(200_000) || c.OrgID != f.subA1.ID {
			t.Fatalf("case = %+v", c)
		}
		dup := *c
		dup.ID = 0
		if qingqian.ErrorFields(cases.CreateCase(f.liaisonA, &dup))["case_no"] == "" {
			t.Fatal("the same case number twice")
		}
		f.at("2020-09-01 09:00")
		c, err := cases.AddEvent(f.liaisonA, c.ID, qingqian.CaseEvent{On: qingqian.MustParseDate("2020-09-01"), Stage: qingqian.StageHearing, Text: "一审开庭"}, c.Version)
		if err != nil || c.Stage != qingqian.StageHearing {
			t.Fatalf("hearing: %+v %v", c, err)
		}

		// At the end of 2020 the whole 200,000 is in court; the other disputed item is negotiated.
		tbl, err := cases.Disputes(f.office, f.groupA.ID, qingqian.MustParseDate("2020-12-31"))
		if err != nil || len(tbl.Rows) != 2 || tbl.Total != qingqian.Yuan(290_000) {
			t.Fatalf("table 2020: %+v %v", tbl, err)
		}
		row := tbl.Rows[0]
		if row.ItemID != f.itemA1.ID {
			row = tbl.Rows[1]
		}
		if row.Route != "litigation" || row.Stage != qingqian.StageHearing || row.CaseNo != "（2020）冀01民初123号" || row.Responsible != "法务部赵某" || row.Amount != qingqian.Yuan(200_000) {
			t.Fatalf("row = %+v", row)
		}
		if _, err := cases.Disputes(f.liaisonB, f.groupA.ID, qingqian.MustParseDate("2020-12-31")); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("B reads A's disputes: %v", err)
		}

		// The judgment of 15 March 2021 confirms 150,000 (now undisputed) and takes off 30,000;
		// 20,000 stays disputed on appeal. The confirmed amount is paid on 5 April.
		f.at("2021-03-15 09:00")
		_, err = cases.Decide(f.liaisonA, c.ID, qingqian.Decision{ItemID: f.itemA1.ID, On: qingqian.MustParseDate("2021-03-15"), Stage: qingqian.StageJudgment,
			Confirmed: qingqian.Yuan(190_000), Reduced: qingqian.Yuan(30_000), Text: "判决", Version: c.Version})
		if qingqian.ErrorFields(err)["confirmed"] == "" {
			t.Fatalf("more than the disputed amount: %v", err)
		}
		_, err = cases.Decide(f.liaisonA, c.ID, qingqian.Decision{ItemID: other.ID, On: qingqian.MustParseDate("2021-03-15"), Stage: qingqian.StageJudgment,
			Confirmed: qingqian.Yuan(1), Text: "判决", Version: c.Version})
		wantCode(t, err, qingqian.EINVALID)
		c, err = cases.Decide(f.liaisonA, c.ID, qingqian.Decision{ItemID: f.itemA1.ID, On: qingqian.MustParseDate("2021-03-15"), Stage: qingqian.StageJudgment,
			Confirmed: qingqian.Yuan(150_000), Reduced: qingqian.Yuan(30_000), Text: "一审判决：支付货款15万元", Version: c.Version})
		if err != nil || c.Stage != qingqian.StageJudgment || c.Decided != qingqian.Yuan(150_000) {
			t.Fatalf("decide: %+v %v", c, err)
		}
		it, err := f.items.FindItemByID(f.liaisonA, f.itemA1.ID, qingqian.Date{}, time.Time{})
		if err != nil || it.Balance.OutstandingDisputed != qingqian.Yuan(20_000) || it.Balance.OutstandingUndisputed != qingqian.Yuan(1_150_000) {
			t.Fatalf("item after judgment: %+v %v", it.Balance, err)
		}
		es, _ := f.entries.FindEntries(f.liaisonA, f.itemA1.ID)
		kinds := ""
		for _, e := range es {
			kinds += string(e.Kind) + ":" + e.Reason + " "
		}
		if !strings.Contains(kinds, "court_reduction:（2020）冀01民初123号判决（裁决）核减") || !strings.Contains(kinds, "reclassify:（2020）冀01民初123号判决（裁决）确认") {
			t.Fatalf("entries: %s", kinds)
		}
		f.at("2021-04-05 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2021-04-05", qingqian.Yuan(150_000))

		// The table as of 31 March 2021: 20,000 left in court, judgment stage, this month's step.
		tbl, err = cases.Disputes(f.office, f.groupA.ID, qingqian.MustParseDate("2021-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range tbl.Rows {
			if r.ItemID == f.itemA1.ID && (r.Amount != qingqian.Yuan(20_000) || r.Stage != qingqian.StageJudgment || !strings.Contains(r.Progress, "一审判决")) {
				t.Fatalf("row after judgment: %+v", r)
			}
		}
		// The same table as of the end of 2020 is unchanged: computed as of its date.
		again, _ := cases.Disputes(f.office, f.groupA.ID, qingqian.MustParseDate("2020-12-31"))
		if again.Total != qingqian.Yuan(290_000) {
			t.Fatalf("2020 table changed: %+v", again)
		}

		// The consolidated figures count what is before a court: 200,000 at the end of 2020, and
		// nothing once the case is closed.
		p := &qingqian.Period{Kind: qingqian.PeriodSpecial, AsOf: qingqian.MustParseDate("2020-12-31"), Deadline: qingqian.MustParseDate("2021-04-30")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		r, err := f.reports.Report(f.office, p.ID)
		if err != nil || r.Rows[0].Figures.InCourt != qingqian.Yuan(200_000) || r.Total.InCourt != qingqian.Yuan(200_000) {
			t.Fatalf("in court at the end of 2020: %+v %v", r.Rows[0].Figures, err)
		}
		f.at("2021-06-01 09:00")
		c, err = cases.AddEvent(f.liaisonA, c.ID, qingqian.CaseEvent{On: qingqian.MustParseDate("2021-06-01"), Stage: qingqian.StageClosed, Text: "二审维持，结案"}, c.Version)
		if err != nil || c.Stage != qingqian.StageClosed {
			t.Fatalf("close: %+v %v", c, err)
		}
		q := &qingqian.Period{Kind: qingqian.PeriodSpecial, AsOf: qingqian.MustParseDate("2021-06-30"), Deadline: qingqian.MustParseDate("2021-07-30")}
		if err := f.reports.OpenPeriod(f.office, q); err != nil {
			t.Fatal(err)
		}
		if r, err := f.reports.Report(f.office, q.ID); err != nil || r.Total.InCourt != 0 {
			t.Fatalf("in court after closing: %+v %v", r.Total, err)
		}
		if open, _ := cases.FindCases(f.liaisonA, true); len(open) != 0 {
			t.Fatalf("open cases: %d", len(open))
		}
		if all, _ := cases.FindCases(f.liaisonB, false); len(all) != 0 {
			t.Fatalf("B sees A's cases: %d", len(all))
		}
		mustVerifyTotals(t, db)
	})
}

// Each route has its own stages: an arbitral award is final (no 二审), a bankruptcy goes
// 申请、受理、债权申报、债权人会议、分配、终结 with no hearing, judgment or appeal, and its
// decision is the distribution.
func TestEachRouteItsOwnStages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cases := sqldb.NewCaseService(db)
		f.at("2019-01-10 09:00")
		arb := f.MustItem(t, f.liaisonA, f.groupA, "2018-11-30", 0, qingqian.Yuan(90_000))
		bk := f.MustItem(t, f.liaisonA, f.groupA, "2018-11-30", 0, qingqian.Yuan(50_000))
		f.at("2019-05-06 09:00")
		a := &qingqian.Case{Kind: qingqian.CaseArbitration, Body: "示范仲裁委员会", CaseNo: "（2019）示仲字第21号", FiledOn: qingqian.MustParseDate("2019-05-06"), Items: []int64{arb.ID}}
		b := &qingqian.Case{Kind: qingqian.CaseBankruptcy, Body: "示范市中级人民法院", CaseNo: "（2019）示01破申5号", FiledOn: qingqian.MustParseDate("2019-05-06"), Items: []int64{bk.ID}}
		for _, c := range []*qingqian.Case{a, b} {
			if err := cases.CreateCase(f.liaisonA, c); err != nil {
				t.Fatal(err)
			}
		}
		f.at("2019-06-06 09:00")
		on := qingqian.MustParseDate("2019-06-06")
		_, err := cases.AddEvent(f.liaisonA, a.ID, qingqian.CaseEvent{On: on, Stage: qingqian.StageAppeal, Text: "上诉"}, a.Version)
		if qingqian.ErrorFields(err)["stage"] == "" {
			t.Fatalf("an appeal in an arbitration: %v", err)
		}
		for _, st := range []qingqian.CaseStage{qingqian.StageHearing, qingqian.StageJudgment, qingqian.StageAppeal} {
			_, err := cases.AddEvent(f.liaisonA, b.ID, qingqian.CaseEvent{On: on, Stage: st, Text: "x"}, b.Version)
			if qingqian.ErrorFields(err)["stage"] == "" {
				t.Fatalf("stage %s in a bankruptcy: %v", st, err)
			}
		}
		var err2 error
		for _, st := range []qingqian.CaseStage{qingqian.StageAccepted, qingqian.StageClaims, qingqian.StageCreditors} {
			if b, err2 = cases.AddEvent(f.liaisonA, b.ID, qingqian.CaseEvent{On: on, Stage: st, Text: st.Label()}, b.Version); err2 != nil {
				t.Fatalf("%s: %v", st, err2)
			}
		}
		_, err = cases.Decide(f.liaisonA, b.ID, qingqian.Decision{ItemID: bk.ID, On: on, Stage: qingqian.StageJudgment, Confirmed: qingqian.Yuan(1), Text: "判决", Version: b.Version})
		if qingqian.ErrorFields(err)["stage"] == "" {
			t.Fatalf("a judgment in a bankruptcy: %v", err)
		}
		if b, err = cases.Decide(f.liaisonA, b.ID, qingqian.Decision{ItemID: bk.ID, On: on, Stage: qingqian.StageDistribution, Confirmed: qingqian.Yuan(20_000),
			Reduced: qingqian.Yuan(30_000), Text: "破产分配", Version: b.Version}); err != nil || b.Stage != qingqian.StageDistribution {
			t.Fatalf("distribution: %+v %v", b, err)
		}
		if got := b.Kind.StageLabel(qingqian.StageFiled) + b.Kind.StageLabel(qingqian.StageClosed); got != "申请终结" {
			t.Fatalf("bankruptcy labels %q", got)
		}
	})
}
