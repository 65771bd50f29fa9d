package qingqian

import (
	"context"
	"fmt"
	"time"
)

// RhythmPeriod is one reporting period of a campaign with a rhythm: its number from the start
// and its first and last days.
type RhythmPeriod struct {
	No    int  `json:"no"`
	Start Date `json:"start"`
	End   Date `json:"end"`
}

// Label names the period on screens: "第3周（2021-10-18至2021-10-24）", "2021年11月".
func (p RhythmPeriod) Label(r Rhythm) string {
	if r == RhythmMonthly {
		return fmt.Sprintf("%d年%d月", p.Start.Year(), int(p.Start.Month()))
	}
	return fmt.Sprintf("第%d周（%s至%s）", p.No, p.Start, p.End)
}

// CurrentPeriod is the reporting period the day falls in: weeks counted from the start date,
// or calendar months; none before the start, after the target, without a rhythm or once closed.
// A period ends at the target date at the latest.
func (c *Campaign) CurrentPeriod(today Date) (RhythmPeriod, bool) {
	if c.Rhythm == RhythmNone || c.State == CampaignClosed || today.Before(c.StartsOn) || today.After(c.TargetOn) {
		return RhythmPeriod{}, false
	}
	var p RhythmPeriod
	switch c.Rhythm {
	case RhythmWeekly:
		n := today.Sub(c.StartsOn) / 7
		p = RhythmPeriod{No: n + 1, Start: c.StartsOn.AddDays(7 * n)}
		p.End = p.Start.AddDays(6)
	case RhythmMonthly:
		first := NewDate(today.Year(), today.Month(), 1)
		p = RhythmPeriod{No: (today.Year()-c.StartsOn.Year())*12 + int(today.Month()) - int(c.StartsOn.Month()) + 1, Start: first, End: first.AddMonths(1).AddDays(-1)}
		if p.Start.Before(c.StartsOn) {
			p.Start = c.StartsOn
		}
	default:
		return RhythmPeriod{}, false
	}
	if p.End.After(c.TargetOn) {
		p.End = c.TargetOn
	}
	return p, true
}

// MarkReported sets each unit's Reported: prepared (or prepared again) within the current
// reporting period. Without a current period a unit has reported once it has prepared.
func (c *Campaign) MarkReported(today Date) {
	p, ok := c.CurrentPeriod(today)
	for i := range c.Units {
		u := &c.Units[i]
		u.Reported = !u.PreparedAt.IsZero() && (!ok || !DateOf(u.PreparedAt).Before(p.Start))
	}
}

// CampaignReminder is the office's reminder (催报) to a unit that has not reported in a
// campaign's reporting period, shown to the unit until it does.
type CampaignReminder struct {
	CampaignID int64     `json:"campaign_id"`
	Title      string    `json:"title"`
	OrgID      int64     `json:"org_id"`
	OrgName    string    `json:"org_name"`
	Period     string    `json:"period"`
	Note       string    `json:"note"`
	SentBy     string    `json:"sent_by"`
	SentAt     time.Time `json:"sent_at"`
}

// CampaignReminders sends and reads reminders of campaigns with a rhythm.
type CampaignReminders interface {
	// RemindCampaign reminds the units of an open campaign that have not reported in its
	// current period, and returns how many. Refused without a current period (no rhythm, not
	// started, past its target) and within an hour of the last reminder. Callers: the office.
	RemindCampaign(ctx context.Context, id int64, note string) (int, error)
	// FindCampaignReminders lists the reminders to the actor's unit that still stand: of the
	// current period, the unit not having reported since.
	FindCampaignReminders(ctx context.Context) ([]*CampaignReminder, error)
}
