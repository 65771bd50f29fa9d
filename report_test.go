package qingqian

import (
	"strings"
	"testing"
)

func TestNextState(t *testing.T) {
	all := []SubmissionState{"", StatePrepared, StateReviewed, StateApproved, StateReturned}
	acts := []SignAction{ActPrepare, ActReview, ActApprove, ActReturn}
	// Every allowed transition; everything else is refused with ECONFLICT.
	allowed := map[SubmissionState]map[SignAction]SubmissionState{
		"":            {ActPrepare: StatePrepared},
		StatePrepared: {ActPrepare: StatePrepared, ActReview: StateReviewed, ActReturn: StateReturned},
		StateReviewed: {ActApprove: StateApproved, ActReturn: StateReturned},
		StateReturned: {ActPrepare: StatePrepared},
		StateApproved: {},
	}
	for _, cur := range all {
		for _, act := range acts {
			got, err := NextState(cur, act)
			want, ok := allowed[cur][act]
			switch {
			case ok && (err != nil || got != want):
				t.Errorf("%q + %s = %q, %v; want %q", cur, act, got, err, want)
			case !ok && ErrorCode(err) != ECONFLICT:
				t.Errorf("%q + %s = %q, %v; want ECONFLICT", cur, act, got, err)
			}
		}
	}
	if _, err := NextState(StatePrepared, "delete"); ErrorCode(err) != EINVALID {
		t.Errorf("unknown action: %v", err)
	}
	if _, err := NextState(StateApproved, ActReturn); err == nil || ErrorMessage(err) != "已签批报送，数据已冻结，不能再退回" {
		t.Errorf("returning an approved submission: %v", err)
	}
}

func TestCanSign(t *testing.T) {
	clerk := &Actor{Roles: []Role{RoleClerk}}
	reviewer := &Actor{Roles: []Role{RoleReviewer}}
	observer := &Actor{Roles: []Role{RoleObserver}}
	if !clerk.CanSign(ActPrepare) || clerk.CanSign(ActReview) || clerk.CanSign(ActApprove) {
		t.Error("a clerk prepares only")
	}
	if reviewer.CanSign(ActPrepare) || !reviewer.CanSign(ActReview) || !reviewer.CanSign(ActApprove) || !reviewer.CanSign(ActReturn) {
		t.Error("a reviewer reviews, approves and returns")
	}
	// Signing is a person's act: neither a token, whatever its roles, nor an administrator.
	token := &Actor{TokenID: 7, Roles: []Role{RoleClerk, RoleLiaison, RoleReviewer}}
	admin := &Actor{UserID: 1, Roles: []Role{RoleAdmin}}
	for _, act := range []SignAction{ActPrepare, ActReview, ActApprove, ActReturn} {
		for name, a := range map[string]*Actor{"an observer": observer, "a token": token, "an administrator": admin} {
			if a.CanSign(act) {
				t.Errorf("%s may %s", name, act)
			}
		}
	}
}

func TestSchedule(t *testing.T) {
	ps, err := Schedule{Kind: PeriodWeekly, First: MustParseDate("2026-01-02"), Count: 3, DeadlineDays: 2}.Periods()
	if err != nil || len(ps) != 3 || ps[2].AsOf != MustParseDate("2026-01-16") || ps[2].StartsOn != MustParseDate("2026-01-10") || ps[2].Deadline != MustParseDate("2026-01-18") {
		t.Fatalf("weekly: %+v %v", ps, err)
	}
	ps, err = Schedule{Kind: PeriodMonthly, First: MustParseDate("2026-01-31"), Count: 2}.Periods()
	if err != nil || ps[1].AsOf != MustParseDate("2026-02-28") || ps[1].StartsOn != MustParseDate("2026-02-01") {
		t.Fatalf("monthly: %+v %v", ps, err)
	}
	if _, err := (Schedule{Kind: PeriodSpecial, Count: 1}).Periods(); ErrorFields(err)["kind"] == "" || ErrorFields(err)["first"] == "" {
		t.Fatalf("special schedule: %v", err)
	}
}

func TestSlowRuleJudge(t *testing.T) {
	r := SlowRule{OverdueDays: 30, RateGap: 10}
	g := &GroupProgress{Baseline: Yuan(100), Repaid: Yuan(10), Left: Yuan(90), Rate: 1000}
	r.Judge(g, 2500)
	if !g.Slow || len(g.Reasons) != 1 {
		t.Fatalf("15 points below: %+v", g)
	}
	r.Judge(g, 1900)
	if g.Slow || len(g.Reasons) != 0 {
		t.Fatalf("9 points below: %+v", g)
	}
	g.PlannedDue, g.OverdueItems = Yuan(5), 1
	r.Judge(g, 1900)
	if !g.Slow || len(g.Reasons) != 1 {
		t.Fatalf("plan overdue: %+v", g)
	}
}

// Every report column reads either text or a figure, as its unit says, under its own heading;
// the total line's amounts and counts are the sums of the groups' (GroupFigures.Add adds every
// figure the report shows).
func TestReportColumns(t *testing.T) {
	rows := []ReportRow{
		{OrgName: "示范能源", State: StateApproved, Zero: true, Late: true, Figures: GroupFigures{Baseline: 100, RepaidPeriod: 1, RepaidToDate: 60, Reduced: 5, Outstanding: 40,
			Undisputed: 10, Disputed: 30, InCourt: 20, NewItems: 1, NewAmount: 5, ArrearsItems: 1, ArrearsAmount: 4, Items: 3, Payments: 4, PaymentsNoVoucher: 1, RepaidNoVoucher: 7}},
		{OrgName: "示范交建", State: StateMissing, Live: true, Figures: GroupFigures{Baseline: 200, RepaidPeriod: 2, RepaidToDate: 150, Reduced: 6, Outstanding: 50,
			Undisputed: 20, Disputed: 30, InCourt: 30, NewItems: 2, NewAmount: 6, ArrearsItems: 1, ArrearsAmount: 3, Items: 5, Payments: 6, PaymentsNoVoucher: 2, RepaidNoVoucher: 8}},
	}
	r := &Report{Rows: rows, Submitted: 1, ZeroReports: 1}
	for _, row := range rows {
		r.Total.Add(row.Figures)
	}
	headings := map[string]bool{}
	for _, c := range ReportColumns {
		if (c.Text != nil) != (c.Unit == UnitText) || (c.Figure != nil) == (c.Unit == UnitText) {
			t.Errorf("column %s (unit %q) reads the wrong way", c.Header, c.Unit)
			continue
		}
		if headings[c.Heading()] {
			t.Errorf("two columns headed %s", c.Heading())
		}
		headings[c.Heading()] = true
		if c.Unit == UnitWan || c.Unit == UnitCount {
			sum := c.Figure(r.FiguresAt(0)) + c.Figure(r.FiguresAt(1))
			if got := c.Figure(r.FiguresAt(2)); got != sum || sum == 0 {
				t.Errorf("column %s: total %d, rows add up to %d", c.Heading(), got, sum)
			}
		}
	}
	text := func(header string, i int) string {
		for _, c := range ReportColumns {
			if c.Header == header {
				return c.Text(r, i)
			}
		}
		t.Fatalf("no column %s", header)
		return ""
	}
	if got := text("序号", 2) + " " + text("集团", 2) + " " + text("零报告", 2); got != "合计 2 家集团，已报送 1 家 1" {
		t.Errorf("total line reads %q", got)
	}
	if got := text("序号", 0) + " " + text("报送状态", 0) + " " + text("零报告", 0); got != "1 已签批报送（逾期） 是" {
		t.Errorf("first line reads %q", got)
	}
}

// A report shows the columns of its layout: one issued before the new arrears were shown apart
// (layout 0) has none of theirs.
func TestReportColumnsByLayout(t *testing.T) {
	old, now := (&Report{}).Columns(), (&Report{Layout: ReportLayoutCurrent}).Columns()
	if len(now) != len(ReportColumns) || len(old) != len(now)-2 {
		t.Fatalf("columns: old %d, now %d, all %d", len(old), len(now), len(ReportColumns))
	}
	for _, c := range old {
		if strings.Contains(c.Header, "新增拖欠") {
			t.Errorf("old layout has %s", c.Heading())
		}
	}
}
