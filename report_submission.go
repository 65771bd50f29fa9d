package qingqian

// A group's submission for a period and the steps that sign it off.

import (
	"time"
)

// SubmissionState is where a submission is in its sign-off chain.
type SubmissionState string

// States of a submission: prepared (填报) → reviewed (审核) → approved (签批, submitted and frozen);
// a reviewer can return it at either of the first two with a reason, and it is prepared again.
const (
	StatePrepared SubmissionState = "prepared"
	StateReviewed SubmissionState = "reviewed"
	StateApproved SubmissionState = "approved"
	StateReturned SubmissionState = "returned"
	StateMissing  SubmissionState = "missing" // in reports: nothing approved yet
)

// SubmissionStateNames are the screen names.
var SubmissionStateNames = map[SubmissionState]string{StatePrepared: "已填报待审核", StateReviewed: "已审核待签批",
	StateApproved: "已签批报送", StateReturned: "已退回", StateMissing: "未报送"}

// Label is how the state reads on screens and in spreadsheets.
func (s SubmissionState) Label() string { return SubmissionStateNames[s] }

// SignAction is one step of the sign-off chain.
type SignAction string

// Sign-off actions.
const (
	ActPrepare SignAction = "prepare" // 填报
	ActReview  SignAction = "review"  // 审核（底数：分管负责同志签字）
	ActApprove SignAction = "approve" // 签批（主要负责同志签批）
	ActReturn  SignAction = "return"  // 退回
)

// SignActionNames are the screen names.
var SignActionNames = map[SignAction]string{ActPrepare: "填报", ActReview: "审核", ActApprove: "签批", ActReturn: "退回"}

// Label is how the action reads on screens and in spreadsheets.
func (a SignAction) Label() string { return SignActionNames[a] }

// NextState is the sign-off state machine: the state a submission in state cur reaches by act,
// or an ECONFLICT error saying why it cannot. cur is "" for a submission not yet prepared.
func NextState(cur SubmissionState, act SignAction) (SubmissionState, error) {
	switch act {
	case ActPrepare:
		if cur == "" || cur == StateReturned || cur == StatePrepared {
			return StatePrepared, nil
		}
	case ActReview:
		if cur == StatePrepared {
			return StateReviewed, nil
		}
	case ActApprove:
		if cur == StateReviewed {
			return StateApproved, nil
		}
	case ActReturn:
		if cur == StatePrepared || cur == StateReviewed {
			return StateReturned, nil
		}
	default:
		return "", Errorf(EINVALID, "不认识的操作：%s", act)
	}
	if cur == StateApproved {
		return "", Errorf(ECONFLICT, "已签批报送，数据已冻结，不能再%s", act.Label())
	}
	name := cur.Label()
	if cur == "" {
		name = "尚未填报"
	}
	return "", Errorf(ECONFLICT, "当前状态为“%s”，不能%s", name, act.Label())
}

// CanSign reports whether the actor's roles allow the action: clerks and liaisons prepare,
// reviewers (the department and the leaders) review, approve and return. Each is a person's
// act: an API token takes none of them.
func (a *Actor) CanSign(act SignAction) bool {
	if a.TokenID != 0 {
		return false
	}
	switch act {
	case ActPrepare:
		return a.Has(RoleLiaison, RoleClerk)
	case ActReview, ActApprove, ActReturn:
		return a.Has(RoleReviewer)
	}
	return false
}

// SeparateSigners refuses a step that the same person would take twice in one sign-off (of a
// submission or a campaign answer): the reviewer is not the preparer, the approver neither. A
// step not taken by a person (user 0: the system) is not checked.
func SeparateSigners(steps []SignStep, act SignAction, user int64) error {
	if user == 0 {
		return nil
	}
	switch act {
	case ActReview:
		if lastBy(steps, ActPrepare) == user {
			return Errorf(ECONFLICT, "审核须由填报人以外的人员进行")
		}
	case ActApprove:
		if lastBy(steps, ActPrepare) == user || lastBy(steps, ActReview) == user {
			return Errorf(ECONFLICT, "签批须由填报人、审核人以外的负责同志进行")
		}
	}
	return nil
}

// lastBy returns who took the latest step of the action since the submission was last prepared.
func lastBy(steps []SignStep, act SignAction) int64 {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Action == act {
			return steps[i].ActorID
		}
		if steps[i].Action == ActPrepare {
			break
		}
	}
	return 0
}

// SignStep records who took one step and when.
type SignStep struct {
	Seq       int        `json:"seq"`
	Action    SignAction `json:"action"`
	ActorID   int64      `json:"actor_id"`
	ActorName string     `json:"actor_name"`
	Note      string     `json:"note"`
	At        time.Time  `json:"at"`
}

// ZeroCheck is the office's verification (核查) of a zero report.
type ZeroCheck struct {
	Result    string    `json:"result"` // confirmed | rejected
	Basis     string    `json:"basis"`
	CheckedBy string    `json:"checked_by"`
	CheckedAt time.Time `json:"checked_at"`
}

// ZeroCheckResults are the outcomes of a verification.
var ZeroCheckResults = map[string]string{"confirmed": "核查属实", "rejected": "核查不属实"}

// Submission is one group's report for one period.
type Submission struct {
	ID          int64           `json:"id"`
	PeriodID    int64           `json:"period_id"`
	OrgID       int64           `json:"org_id"`
	OrgName     string          `json:"org_name"`
	State       SubmissionState `json:"state"`
	Zero        bool            `json:"zero"` // 零报告
	Narrative   string          `json:"narrative"`
	Explanation string          `json:"explanation"`
	Figures     GroupFigures    `json:"figures"`
	KnownAt     time.Time       `json:"known_at"` // the ledger as known at this instant
	Flags       []string        `json:"flags"`    // why a zero report is doubtful
	SubmittedAt time.Time       `json:"submitted_at,omitempty"`
	Late        bool            `json:"late"`
	Check       *ZeroCheck      `json:"check,omitempty"`
	Steps       []SignStep      `json:"steps"`
	Version     int             `json:"version"`

	// Diffs are filled when the submission is read (unless it was returned): the figures that
	// the ledger, as of the period's date, gives differently today. Before approval they are
	// what the reviewer and the approver must see before signing.
	Diffs []FigureDiff `json:"diffs,omitempty"`
}

// SubmissionInput is what a preparer gives; the figures are computed, never typed.
type SubmissionInput struct {
	PeriodID    int64  `json:"period_id"`
	OrgID       int64  `json:"org_id"`
	Zero        bool   `json:"zero"`
	Narrative   string `json:"narrative"`
	Explanation string `json:"explanation"`
}

// Validate checks the text of a submission.
func (in *SubmissionInput) Validate() error {
	v := Validation{}
	if in.PeriodID <= 0 {
		v.Add("period_id", "请选择报送期次")
	}
	if len([]rune(in.Narrative)) > 5000 {
		v.Add("narrative", "工作情况不能超过5000个字")
	}
	if len([]rune(in.Explanation)) > 5000 {
		v.Add("explanation", "情况说明不能超过5000个字")
	}
	return v.Err()
}
