package qingqian

import "time"

// Reminder is the office's 催报: a reminder to a group that has not reported a period, shown to
// the group until it does.
type Reminder struct {
	ID          int64     `json:"id"`
	PeriodID    int64     `json:"period_id"`
	PeriodNo    int       `json:"period_no"`
	PeriodTitle string    `json:"period_title"`
	Deadline    Date      `json:"deadline"`
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	Note        string    `json:"note"`
	SentBy      string    `json:"sent_by"`
	SentAt      time.Time `json:"sent_at"`
}

// PeriodStatus is how far a period's reporting has come: of the groups the actor sees, how many
// have an approved submission, and whether its report is issued.
type PeriodStatus struct {
	PeriodID  int64 `json:"period_id"`
	Groups    int   `json:"groups"`
	Reported  int   `json:"reported"`
	Issued    bool  `json:"issued"`
	Reminders int   `json:"reminders"` // 催报 sent
}

// State says where the period stands, as the list of periods reads: 已印发, 已全部报送,
// 报送中 or 已逾期 (the deadline passed with groups missing).
func (s PeriodStatus) State(deadline, today Date) string {
	switch {
	case s.Issued:
		return "已印发"
	case s.Groups > 0 && s.Reported >= s.Groups:
		return "已全部报送"
	case deadline.Before(today):
		return "已逾期"
	}
	return "报送中"
}

// Missing is how many of the groups have not reported.
func (s PeriodStatus) Missing() int { return max(0, s.Groups-s.Reported) }
