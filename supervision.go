package qingqian

import (
	"context"
	"fmt"
	"time"
)

// SlowRule decides which groups are progressing too slowly. A group is slow when planned
// instalments are overdue by more than OverdueDays (planned by then, not yet repaid), or when
// its clearance rate is more than RateGap percentage points below the province's.
type SlowRule struct {
	OverdueDays int `json:"overdue_days"`
	RateGap     int `json:"rate_gap"` // percentage points; 0 turns this test off
}

// DefaultSlowRule is the rule until the office sets its own.
var DefaultSlowRule = SlowRule{OverdueDays: 30, RateGap: 10}

// Validate checks a rule.
func (r *SlowRule) Validate() error {
	v := Validation{}
	if r.OverdueDays < 0 || r.OverdueDays > 365 {
		v.Add("overdue_days", "逾期天数应为0到365")
	}
	if r.RateGap < 0 || r.RateGap > 100 {
		v.Add("rate_gap", "清偿率差距应为0到100个百分点")
	}
	return v.Err()
}

// GroupProgress is one group's progress as of a date against its baseline and its plans.
type GroupProgress struct {
	OrgID    int64  `json:"org_id"`
	OrgName  string `json:"org_name"`
	Baseline Money  `json:"baseline"`
	Repaid   Money  `json:"repaid"`
	Left     Money  `json:"outstanding"`
	Rate     int64  `json:"rate"` // basis points
	// PlannedDue is what the repayment plans scheduled by AsOf − OverdueDays and is still
	// unpaid, over OverdueItems items.
	PlannedDue   Money    `json:"planned_due"`
	OverdueItems int      `json:"overdue_items"`
	Slow         bool     `json:"slow"`
	Reasons      []string `json:"reasons"`
	OpenNotices  int      `json:"open_notices"`
	OpenClues    int      `json:"open_clues"`    // complaint clues not closed
	MissingDebts int      `json:"missing_debts"` // debts a complaint found missing from the ledger (瞒报漏报)
}

// Progress is every group's progress with the province's rate for comparison.
type Progress struct {
	AsOf   Date            `json:"as_of"`
	Rule   SlowRule        `json:"rule"`
	Rate   int64           `json:"rate"` // the province's (all groups together)
	Groups []GroupProgress `json:"groups"`
}

// Judge applies the rule to a group, given the province's rate, and explains why it fired.
func (r SlowRule) Judge(g *GroupProgress, provinceRate int64) {
	g.Slow, g.Reasons = false, nil
	if g.PlannedDue > 0 {
		g.Slow = true
		g.Reasons = append(g.Reasons, fmt.Sprintf("%d 笔欠款的清偿计划逾期超过 %d 天未执行，计划应付未付 %s 万元", g.OverdueItems, r.OverdueDays, g.PlannedDue.Wan()))
	}
	if r.RateGap > 0 && g.Baseline+g.Left > 0 && provinceRate-g.Rate > int64(r.RateGap)*100 {
		g.Slow = true
		g.Reasons = append(g.Reasons, fmt.Sprintf("清偿率 %s 低于全省 %s，差距超过 %d 个百分点", pctText(g.Rate), pctText(provinceRate), r.RateGap))
	}
}

func pctText(bp int64) string { return fmt.Sprintf("%d.%02d%%", bp/100, bp%100) }

// NoticeState is where a supervision notice stands.
type NoticeState string

// Notice states.
const (
	NoticeOpen    NoticeState = "open"    // 已下发待回复
	NoticeReplied NoticeState = "replied" // 已回复
	NoticeClosed  NoticeState = "closed"  // 已办结
)

// NoticeStateNames are the screen names.
var NoticeStateNames = map[NoticeState]string{NoticeOpen: "待回复", NoticeReplied: "已回复待办结", NoticeClosed: "已办结"}

// Label is how the state reads on screens and in spreadsheets.
func (s NoticeState) Label() string { return NoticeStateNames[s] }

// Notice is a supervision notice (督办) to a group: why, what it must do and by when.
type Notice struct {
	ID        int64       `json:"id"`
	No        string      `json:"no"` // 清欠督〔2026〕3号
	OrgID     int64       `json:"org_id"`
	OrgName   string      `json:"org_name"`
	Reason    string      `json:"reason"`
	Actions   string      `json:"actions"`
	Deadline  Date        `json:"deadline"`
	State     NoticeState `json:"state"`
	IssuedBy  string      `json:"issued_by"`
	IssuedAt  time.Time   `json:"issued_at"`
	Reply     string      `json:"reply"`
	RepliedBy string      `json:"replied_by"`
	RepliedAt time.Time   `json:"replied_at,omitempty"`
	ClosedBy  string      `json:"closed_by"`
	ClosedAt  time.Time   `json:"closed_at,omitempty"`
	Version   int         `json:"version"`
}

// Overdue reports whether the notice is still unanswered after its deadline.
func (n *Notice) Overdue(today Date) bool {
	return n.State == NoticeOpen && n.Deadline.Before(today)
}

// Validate checks a notice before it is issued.
func (n *Notice) Validate(today Date) error {
	v := Validation{}
	if n.OrgID <= 0 {
		v.Add("org_id", "请选择督办的企业")
	}
	if n.Reason == "" {
		v.Add("reason", "请填写督办事由")
	} else if len([]rune(n.Reason)) > 2000 {
		v.Add("reason", "督办事由不能超过2000个字")
	}
	if n.Actions == "" {
		v.Add("actions", "请填写整改要求")
	} else if len([]rune(n.Actions)) > 2000 {
		v.Add("actions", "整改要求不能超过2000个字")
	}
	if n.Deadline.IsZero() {
		v.Add("deadline", "请填写办理期限")
	} else if n.Deadline.Before(today) {
		v.Add("deadline", "办理期限不能早于今天")
	}
	return v.Err()
}

// InterviewLevel is whom an interview (约谈) was held with.
type InterviewLevel string

// Levels.
const (
	LevelLeader    InterviewLevel = "leader"    // 分管负责同志
	LevelPrincipal InterviewLevel = "principal" // 主要负责同志
)

// InterviewLevelNames are the screen names.
var InterviewLevelNames = map[InterviewLevel]string{LevelLeader: "分管负责同志", LevelPrincipal: "主要负责同志"}

// Label is how the level reads on screens and in spreadsheets.
func (l InterviewLevel) Label() string { return InterviewLevelNames[l] }

// Commitment is what the enterprise promised in an interview, by when, and how it was followed.
type Commitment struct {
	ID          int64  `json:"id"`
	InterviewID int64  `json:"interview_id"`
	Text        string `json:"text"`
	DueOn       Date   `json:"due_on"`
	DoneOn      Date   `json:"done_on,omitzero"`
	FollowUp    string `json:"follow_up"`
}

// Interview is a recorded talk with an enterprise's leaders.
type Interview struct {
	ID           int64          `json:"id"`
	OrgID        int64          `json:"org_id"`
	OrgName      string         `json:"org_name"`
	HeldOn       Date           `json:"held_on"`
	Level        InterviewLevel `json:"level"`
	Participants string         `json:"participants"`
	Minutes      string         `json:"minutes"`
	Commitments  []Commitment   `json:"commitments"`
	CreatedBy    string         `json:"created_by"`
	CreatedAt    time.Time      `json:"created_at"`
}

// Validate checks an interview record.
func (iv *Interview) Validate(today Date) error {
	v := Validation{}
	if iv.OrgID <= 0 {
		v.Add("org_id", "请选择约谈的企业")
	}
	if iv.HeldOn.IsZero() {
		v.Add("held_on", "请填写约谈日期")
	} else if today.Before(iv.HeldOn) {
		v.Add("held_on", "约谈日期不能晚于今天")
	}
	if _, ok := InterviewLevelNames[iv.Level]; !ok {
		v.Add("level", "约谈对象应为分管负责同志或主要负责同志")
	}
	if iv.Participants == "" {
		v.Add("participants", "请填写参加人员")
	} else if len([]rune(iv.Participants)) > 500 {
		v.Add("participants", "参加人员不能超过500个字")
	}
	if iv.Minutes == "" {
		v.Add("minutes", "请填写约谈纪要")
	} else if len([]rune(iv.Minutes)) > 10000 {
		v.Add("minutes", "约谈纪要不能超过10000个字")
	}
	for i, c := range iv.Commitments {
		f := fmt.Sprintf("commitments.%d.", i)
		if c.Text == "" {
			v.Add(f+"text", fmt.Sprintf("第%d项承诺：请填写内容", i+1))
		} else if len([]rune(c.Text)) > 1000 {
			v.Add(f+"text", fmt.Sprintf("第%d项承诺：内容不能超过1000个字", i+1))
		}
		if c.DueOn.IsZero() {
			v.Add(f+"due_on", fmt.Sprintf("第%d项承诺：请填写完成时限", i+1))
		} else if !iv.HeldOn.IsZero() && c.DueOn.Before(iv.HeldOn) {
			v.Add(f+"due_on", fmt.Sprintf("第%d项承诺：完成时限不能早于约谈日期", i+1))
		}
	}
	if len(iv.Commitments) > 20 {
		v.Add("commitments", "一次约谈最多记录20项承诺")
	}
	return v.Err()
}

// Due lists an interview's commitments not done and due by the date.
func (iv *Interview) Due(by Date) []Commitment {
	var out []Commitment
	for _, c := range iv.Commitments {
		if c.DoneOn.IsZero() && !by.Before(c.DueOn) {
			out = append(out, c)
		}
	}
	return out
}

// SupervisionService watches progress and records notices and interviews. Notices and
// interviews are issued by the office (supervisor or admin) to groups in its subtree; a group
// reads its own and replies to its notices.
type SupervisionService interface {
	// SlowRule returns the rule in force; SetSlowRule changes it (supervisor or admin).
	SlowRule(ctx context.Context) (SlowRule, error)
	SetSlowRule(ctx context.Context, r SlowRule) error
	// Progress computes each visible group's progress as of a date and applies the rule.
	Progress(ctx context.Context, asOf Date) (*Progress, error)

	// IssueNotice issues a notice and numbers it.
	IssueNotice(ctx context.Context, n *Notice) error
	// ReplyNotice records the group's reply; CloseNotice the office's closing.
	ReplyNotice(ctx context.Context, id int64, reply string, version int) (*Notice, error)
	CloseNotice(ctx context.Context, id int64, version int) (*Notice, error)
	FindNotice(ctx context.Context, id int64) (*Notice, error)
	// FindNotices lists visible notices, open ones first; open limits to those not closed.
	FindNotices(ctx context.Context, open bool) ([]*Notice, error)

	// RecordInterview records an interview with its commitments.
	RecordInterview(ctx context.Context, iv *Interview) error
	FindInterview(ctx context.Context, id int64) (*Interview, error)
	FindInterviews(ctx context.Context) ([]*Interview, error)
	// FollowUp records the follow-up of a commitment; done marks it fulfilled on that date.
	FollowUp(ctx context.Context, commitmentID int64, note string, done Date) (*Interview, error)
}
