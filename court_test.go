package qingqian

import "testing"

func TestCheckCaseNo(t *testing.T) {
	good := []string{"（2020）冀01民初123号", "(2021)京0105执456号", "（2019）最高法民终1号", "石仲裁字〔2020〕第12号", "（2021）示01破申3号", "(2020)冀0102民初8826号"}
	for _, no := range good {
		if msg := CheckCaseNo(no); msg != "" {
			t.Errorf("%s refused: %s", no, msg)
		}
	}
	bad := []string{"", "2020冀01民初123号", "（20）冀01民初123号", "（2020）冀01民初号", "（2020）冀01民初123", "案号（2020）冀01民初123号 补充说明文字很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长"}
	for _, no := range bad {
		if CheckCaseNo(no) == "" {
			t.Errorf("%q accepted", no)
		}
	}
}

// The year in a case number is checked against the filing date: a year away is accepted (a case
// filed at the end of December may be numbered in January), further is a slip.
func TestCaseNoYearAgainstFilingDate(t *testing.T) {
	base := Case{Kind: CaseLitigation, Body: "示范市中级人民法院", Items: []int64{1}}
	today := MustParseDate("2026-11-26")
	for no, filed := range map[string]string{"（2020）冀01民初123号": "2020-05-01", "（2021）冀01民初1号": "2020-12-30", "石仲裁字〔2019〕第12号": "2020-01-03"} {
		c := base
		c.CaseNo, c.FiledOn = no, MustParseDate(filed)
		if err := c.Validate(today); err != nil {
			t.Errorf("%s filed %s refused: %v", no, filed, err)
		}
	}
	c := base
	c.CaseNo, c.FiledOn = "（2012）冀01民初123号", MustParseDate("2021-03-05")
	if msg := ErrorFields(c.Validate(today))["case_no"]; msg != "案号中的年份（2012）与立案日期（2021-03-05）不符，请核对" {
		t.Errorf("a case number of 2012 filed in 2021: %q", msg)
	}
}

func TestCaseStageOn(t *testing.T) {
	c := &Case{FiledOn: MustParseDate("2020-05-01"), Events: []CaseEvent{
		{On: MustParseDate("2020-09-01"), Stage: StageHearing}, {On: MustParseDate("2021-03-15"), Stage: StageJudgment}, {On: MustParseDate("2021-06-01"), Stage: StageClosed}}}
	for d, want := range map[string]CaseStage{"2020-04-30": "", "2020-05-01": StageFiled, "2020-12-31": StageHearing, "2021-03-15": StageJudgment, "2022-01-01": StageClosed} {
		if got := c.StageOn(MustParseDate(d)); got != want {
			t.Errorf("stage on %s = %q, want %q", d, got, want)
		}
	}
}

func TestClueStateMachine(t *testing.T) {
	for act, states := range ClueAllowed {
		for _, s := range ClueStates {
			allowed := false
			for _, ok := range states {
				allowed = allowed || ok == s
			}
			err := CanTake(s, act)
			if allowed != (err == nil) {
				t.Errorf("%s in %s: %v", act, s, err)
			}
			if err != nil && ErrorCode(err) != ECONFLICT {
				t.Errorf("%s in %s: code %s", act, s, ErrorCode(err))
			}
		}
	}
	// Closed is the end: nothing but the written feedback and the follow-up call.
	for act := range ClueAllowed {
		if act != ClueFeedback && act != ClueCallback && CanTake(ClueClosed, act) == nil {
			t.Errorf("%s allowed on a closed clue", act)
		}
	}
	c := &Clue{State: ClueAssigned, ResultBy: MustParseDate("2026-11-09")}
	if c.Overdue(MustParseDate("2026-11-09")) || !c.Overdue(MustParseDate("2026-11-10")) {
		t.Error("overdue on the day after the deadline, not on it")
	}
	c.ExtendedTo = MustParseDate("2026-12-01")
	if c.Overdue(MustParseDate("2026-11-10")) {
		t.Error("an extended clue is overdue on its old deadline")
	}
}

func TestClueNeedsWeeklyUpdate(t *testing.T) {
	c := &Clue{State: ClueVerified, Conclusion: ConclusionTrue, VerifiedOn: MustParseDate("2026-10-01")}
	if c.NeedsUpdate(MustParseDate("2026-10-08")) || !c.NeedsUpdate(MustParseDate("2026-10-09")) {
		t.Error("a verified clue needs its first note after a week")
	}
	c.LastUpdate = MustParseDate("2026-10-07")
	if c.NeedsUpdate(MustParseDate("2026-10-14")) || !c.NeedsUpdate(MustParseDate("2026-10-15")) {
		t.Error("weekly from the last note")
	}
	c.Conclusion = ConclusionOutOfScope
	if c.NeedsUpdate(MustParseDate("2027-01-01")) {
		t.Error("a clue out of scope reports no progress")
	}
}
