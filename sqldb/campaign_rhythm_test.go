package sqldb_test

import (
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A weekly rectification asked of the groups' direct subsidiaries: the office reminds those
// that have not reported this week, the reminder stands on the unit's side until it reports,
// and next week the approved answer is prepared again as that week's report.
func TestCampaignLevelAndRhythm(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cs := sqldb.NewCampaignService(db)
		f.at("2021-10-13 09:00")
		d := qingqian.MustParseDate
		mk := func(level int) *qingqian.Campaign {
			return &qingqian.Campaign{Kind: qingqian.CampaignRectify, Title: "拖欠账款问题整改", Scope: qingqian.ScopeLevel, Level: level,
				StartsOn: d("2021-10-11"), TargetOn: d("2021-11-30"), Rhythm: qingqian.RhythmWeekly}
		}
		if fs := qingqian.ErrorFields(cs.LaunchCampaign(f.office, mk(9), nil)); fs["level"] == "" {
			t.Fatalf("level 9: %v", fs)
		}
		if err := cs.LaunchCampaign(f.office, mk(3), nil); qingqian.ErrorFields(err)["level"] == "" {
			t.Fatalf("a level without units: %v", err)
		}
		c := mk(2)
		if err := cs.LaunchCampaign(f.office, c, nil); err != nil {
			t.Fatal(err)
		}
		if len(c.Units) != 1 || c.Units[0].OrgID != f.subA1.ID || c.Level != 2 {
			t.Fatalf("the second level: %+v", c.Units)
		}
		p, ok := c.CurrentPeriod(d("2021-10-13"))
		if !ok || p.No != 1 || p.Start != d("2021-10-11") || p.End != d("2021-10-17") || p.Label(c.Rhythm) != "第1周（2021-10-11至2021-10-17）" {
			t.Fatalf("the first week: %+v %v", p, ok)
		}
		if last, _ := c.CurrentPeriod(d("2021-11-29")); last.No != 8 || last.End != d("2021-11-30") {
			t.Fatalf("the last week ends at the target: %+v", last)
		}

		clerk := person(f.subA1, 31, "一公司填报人", qingqian.RoleClerk)
		if _, err := cs.RemindCampaign(clerk, c.ID, ""); qingqian.ErrorCode(err) != qingqian.EFORBIDDEN {
			t.Fatalf("a clerk reminds: %v", err)
		}
		n, err := cs.RemindCampaign(f.office, c.ID, "请于本周五前报送")
		if err != nil || n != 1 {
			t.Fatalf("remind: %d %v", n, err)
		}
		if _, err := cs.RemindCampaign(f.office, c.ID, ""); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("reminded twice within the hour: %v", err)
		}
		rs, err := cs.FindCampaignReminders(clerk)
		if err != nil || len(rs) != 1 || rs[0].Period != "第1周（2021-10-11至2021-10-17）" || rs[0].Note != "请于本周五前报送" {
			t.Fatalf("the unit's reminders: %+v %v", rs, err)
		}
		if rs, _ := cs.FindCampaignReminders(f.liaisonB); len(rs) != 0 {
			t.Fatalf("group B sees A's reminder: %+v", rs)
		}

		// The unit reports; its reminder is gone; its leaders sign.
		f.at("2021-10-14 10:00")
		x, err := cs.PrepareAnswer(clerk, c.ID, qingqian.AnswerInput{Findings: findings(len(qingqian.DefaultChecklist), "本周已支付两笔")})
		if err != nil {
			t.Fatal(err)
		}
		if rs, _ := cs.FindCampaignReminders(clerk); len(rs) != 0 {
			t.Fatalf("a reminder stands after the report: %+v", rs)
		}
		x, err = cs.SignAnswer(person(f.subA1, 32, "一公司分管领导", qingqian.RoleReviewer), x.ID, qingqian.ActReview, "属实", x.Version)
		if err != nil {
			t.Fatal(err)
		}
		if x, err = cs.SignAnswer(person(f.subA1, 33, "一公司负责人", qingqian.RoleReviewer), x.ID, qingqian.ActApprove, "同意", x.Version); err != nil {
			t.Fatal(err)
		}
		if got, _ := cs.FindCampaign(f.office, c.ID); !got.Units[0].Reported {
			t.Fatalf("reported in week 1: %+v", got.Units[0])
		}
		// Week 2: not reported yet; the approved answer is prepared again as this week's report.
		f.at("2021-10-19 09:00")
		if got, _ := cs.FindCampaign(f.office, c.ID); got.Units[0].Reported {
			t.Fatalf("reported in week 2 before preparing: %+v", got.Units[0])
		}
		if n, err := cs.RemindCampaign(f.office, c.ID, ""); err != nil || n != 1 {
			t.Fatalf("remind in week 2: %d %v", n, err)
		}
		if _, err := cs.PrepareAnswer(clerk, c.ID, qingqian.AnswerInput{Findings: findings(len(qingqian.DefaultChecklist), "本周又支付一笔"), Version: x.Version}); err != nil {
			t.Fatalf("prepared again in week 2: %v", err)
		}
		// This week's report waits for its own sign-off: last week's approval is not its.
		if got, _ := cs.FindCampaign(f.office, c.ID); !got.Units[0].Reported || !got.Units[0].ApprovedAt.IsZero() || got.Units[0].State != qingqian.StatePrepared {
			t.Fatalf("reported in week 2: %+v", got.Units[0])
		}
		if auditCount(t, f.fixture, "campaign.remind") != 2 {
			t.Errorf("campaign.remind records: %d", auditCount(t, f.fixture, "campaign.remind"))
		}
		// A campaign reported once has nothing to remind of.
		once := &qingqian.Campaign{Kind: qingqian.CampaignSelfCheck, Title: "自查", StartsOn: d("2021-10-11"), TargetOn: d("2021-10-31")}
		if err := cs.LaunchCampaign(f.office, once, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.RemindCampaign(f.office, once.ID, ""); qingqian.ErrorCode(err) != qingqian.ECONFLICT {
			t.Fatalf("a one-off campaign reminded: %v", err)
		}
	})
}
