package qingqian

import "testing"

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
	for _, act := range []SignAction{ActPrepare, ActReview, ActApprove, ActReturn} {
		if observer.CanSign(act) {
			t.Errorf("an observer may %s", act)
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
