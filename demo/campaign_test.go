package demo_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The demo's campaigns: the 2020 self-check found a debt and a repayment only on paper; the
// 2021 自查自纠 has one group late; the 2021 rectification burns down to zero by the end of
// November, the debts in court aside; the leaders' instructions have one reply overdue; the
// clues carry their causes.
func TestDemoCampaigns(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		p := MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		cs := sqldb.NewCampaignService(db)
		list, err := cs.FindCampaigns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[qingqian.CampaignKind][]*qingqian.Campaign{}
		for _, c := range list {
			byKind[c.Kind] = append(byKind[c.Kind], c)
			if c.State != qingqian.CampaignClosed || c.Summary == "" {
				t.Errorf("%s not closed with a summary", c.Title)
			}
		}
		if len(byKind[qingqian.CampaignReview]) != 1 || len(byKind[qingqian.CampaignSelfCheck]) != 2 || len(byKind[qingqian.CampaignSelfCorrect]) != 1 ||
			len(byKind[qingqian.CampaignRectify]) != 1 {
			t.Fatalf("campaigns: %v", byKind)
		}
		// The first 2020 self-check (listed newest first).
		first := byKind[qingqian.CampaignSelfCheck][1]
		var found, reversed qingqian.Money
		for _, u := range first.Units {
			found += u.Found
			reversed += u.Reversed
			if u.State != qingqian.StateApproved || u.Late {
				t.Errorf("2020 self-check, %s: %s late %v", u.OrgName, u.State, u.Late)
			}
		}
		if found != qingqian.Yuan(186_500) || reversed != qingqian.Yuan(186_500) {
			t.Fatalf("2020 self-check found %s, reversed %s", found, reversed)
		}
		late := 0
		for _, u := range byKind[qingqian.CampaignSelfCorrect][0].Units {
			if u.Late {
				late++
				if u.OrgID != p.Groups[7].ID {
					t.Errorf("late: %s", u.OrgName)
				}
			}
		}
		if late != 1 {
			t.Fatalf("自查自纠: %d late", late)
		}
		rect := byKind[qingqian.CampaignRectify][0]
		r, err := cs.Rectification(ctx, rect.ID, qingqian.MustParseDate("2021-11-30"))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Items) != 4 || len(r.Missing) != 0 || r.Points[0].Outstanding == 0 || r.Points[len(r.Points)-1].Outstanding != 0 {
			t.Fatalf("rectification: %+v", r)
		}
		// In October, before the repayments, nothing is paid and everything is planned in time.
		if r, err := cs.Rectification(ctx, rect.ID, qingqian.MustParseDate("2021-10-29")); err != nil || len(r.Missing) != 0 ||
			r.Points[len(r.Points)-1].Outstanding != r.Points[0].Outstanding {
			t.Fatalf("rectification in October: %+v %v", r, err)
		}
		circulars, err := sqldb.NewCircularService(db).FindCirculars(ctx)
		if err != nil {
			t.Fatal(err)
		}
		overdue, passed := 0, 0
		for _, c := range circulars {
			overdue += c.Overdue()
			if c.ParentID != 0 {
				passed++
			}
		}
		if len(circulars) != 3 || overdue != 1 || passed != 1 {
			t.Fatalf("circulars: %d, overdue %d, passed down %d", len(circulars), overdue, passed)
		}
		causes, err := sqldb.NewCauseService(db).FindCauses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		onClues := 0
		for _, c := range causes {
			if c.Subject == qingqian.SubjectClue {
				onClues++
			}
		}
		if onClues < 4 {
			t.Fatalf("causes on %d clues", onClues)
		}
		an, err := sqldb.NewCauseService(db).AnalyseCauses(ctx, qingqian.MustParseDate("2021-12-31"), "")
		if err != nil || len(an.ByGroup) != 3 || len(an.Trends) != 3 {
			t.Fatalf("analysis at the end of 2021: %+v %v", an, err)
		}
	})
}
