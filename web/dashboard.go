package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
)

type dashboardData struct {
	Org                 *qingqian.Org
	AsOf                qingqian.Date
	All                 qingqian.Figures
	Baseline            qingqian.Money
	AfterBaseline       qingqian.Money
	Rate                int64
	Bars                []bar
	BarChart, LineChart template.HTML
	Overdue, Unfunded   int
	Disputed            int
	Duty                *dutyData
	// Pay is the aging of the payables to SMEs: the warnings before and after the due date.
	Pay *qingqian.Aging
	// Bills are the repayments handed over in bills and not yet honoured: not counted as repaid.
	Bills *qingqian.BillSummary
}

// dutyData is what reporting and supervision ask of the user now.
type dutyData struct {
	Reports        bool         // the user's unit reports (it is a group or above one)
	Open           []openPeriod // periods still open for submission
	Missing        int          // submissions past their deadline, not approved
	Slow           int
	OpenNotices    int
	OverdueNotices int
	Commitments    int // interview commitments due and not done
	// ToSign are the submissions waiting for the leader's step: 待我审核 and 待我签批.
	ToReview, ToApprove []signItem
	// Reminders are the office's 催报 of the periods the user's group has not reported.
	Reminders []*qingqian.Reminder
	// CampaignReminders are the office's 催报 of campaign periods the user's unit has not reported.
	CampaignReminders []*qingqian.CampaignReminder
	// Calendar reminds the office (the administrator, on its list of users) of a holiday arrangement to enter: the
	// next year's from 1 November, the current year's if it is missing.
	Calendar string
	// LPR reminds the office (and the administrator, on its list of users) of an LPR publication
	// missing from the table (qingqian.LPRReminder).
	LPR string
}

// signItem is a submission waiting for a leader's step.
type signItem struct {
	Sub    *qingqian.Submission
	Period *qingqian.Period
}

type openPeriod struct {
	Period  *qingqian.Period
	Pending int // groups (of those the user sees) without an approved submission
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := qingqian.ActorFrom(ctx)
	if !a.CanRead() {
		// The administrators see no figures: each starts on the page of its work.
		switch {
		case a.Has(qingqian.RoleAdmin), a.Has(qingqian.RoleSecAdmin):
			http.Redirect(w, r, "/users", http.StatusSeeOther)
			return nil
		case a.Has(qingqian.RoleAuditAdmin):
			http.Redirect(w, r, "/audit", http.StatusSeeOther)
			return nil
		}
		return qingqian.Errorf(qingqian.EFORBIDDEN, "账号尚未授予角色，请联系安全管理员")
	}
	q := newQuery(r)
	asOf, orgID := q.date("as_of"), q.id("org_id")
	if err := q.err(); err != nil {
		return err
	}
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	if orgID == 0 {
		orgID = a.OrgID
	}
	org, err := s.Orgs.FindOrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	d := &dashboardData{Org: org, AsOf: asOf}
	// Three parts that read apart, each on a read connection of its own: the figures and charts,
	// the counts and the duty box (ADR 38). A cold view costs the longest, not the sum.
	var wg sync.WaitGroup
	errs, panics := make([]error, 3), make([]any, 3)
	for k, part := range []func() error{
		func() error { return s.dashboardFigures(ctx, d, orgID) },
		func() error { return s.dashboardCounts(ctx, d, orgID) },
		func() (err error) { d.Duty, err = s.duty(r); return err },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic goes on in the request's goroutine, where the server recovers it.
			defer func() { panics[k] = recover() }()
			errs[k] = part()
		}()
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", &view{Title: "首页", Nav: "home", Data: d})
	return nil
}

// dashboardFigures fills the dashboard's figures and charts of the subtree of orgID as of d.AsOf.
func (s *Server) dashboardFigures(ctx context.Context, d *dashboardData, orgID int64) error {
	asOf, org := d.AsOf, d.Org
	tot, err := s.Totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: orgID, AsOf: asOf})
	if err != nil {
		return err
	}
	d.All, d.Rate = tot.Overall, tot.Overall.Rate()
	base := tot.ByOrigin[qingqian.OriginBaseline]
	d.Baseline = base.RecognisedUndisputed + base.RecognisedDisputed
	d.AfterBaseline = tot.Overall.RecognisedUndisputed + tot.Overall.RecognisedDisputed - d.Baseline
	children, _, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Under: orgID, MaxDepth: org.Depth + 1, Limit: 41})
	if err != nil {
		return err
	}
	for _, c := range children {
		if c.ID == orgID || len(d.Bars) == 40 {
			continue
		}
		ct, err := s.Totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: c.ID, AsOf: asOf})
		if err != nil {
			return err
		}
		label := c.ShortName
		if label == "" {
			label = c.Name
		}
		d.Bars = append(d.Bars, bar{Label: label, Repaid: ct.Overall.Repaid, Outstanding: ct.Overall.Outstanding})
	}
	d.BarChart = barChart(d.Bars)
	var ends []qingqian.Date
	for k := 11; k >= 0; k-- {
		end := monthEnd(asOf, -k)
		if k == 0 {
			end = asOf
		}
		ends = append(ends, end)
	}
	series, err := s.Totals.SubtreeSeries(ctx, orgID, ends)
	if err != nil {
		return err
	}
	var pts []point
	for i, end := range ends {
		pts = append(pts, point{Label: fmt.Sprintf("%d-%02d", end.Year(), end.Month()), Outstanding: series[i].Outstanding, Repaid: series[i].Repaid})
	}
	d.LineChart = lineChart(pts)
	return nil
}

// dashboardCounts fills the dashboard's counts of items, bills and payables.
func (s *Server) dashboardCounts(ctx context.Context, d *dashboardData, orgID int64) (err error) {
	asOf := d.AsOf
	yes := true
	none := qingqian.FundingNone
	one := qingqian.Money(1)
	for _, c := range []struct {
		dst *int
		f   qingqian.ItemFilter
	}{
		{&d.Overdue, qingqian.ItemFilter{OrgID: orgID, AsOf: asOf, Overdue: &yes, Limit: 1, CountOnly: true}},
		{&d.Unfunded, qingqian.ItemFilter{OrgID: orgID, AsOf: asOf, FundingSource: &none, MinAmount: &one, Limit: 1, CountOnly: true}},
		{&d.Disputed, qingqian.ItemFilter{OrgID: orgID, AsOf: asOf, Disputed: &yes, Limit: 1, CountOnly: true}},
	} {
		p, err := s.Items.FindItems(ctx, c.f)
		if err != nil {
			return err
		}
		*c.dst = p.Total
	}
	if d.Bills, err = s.Bills.UnhonouredBills(ctx, qingqian.BillQuery{OrgID: orgID, AsOf: asOf, Limit: 1}); err != nil {
		return err
	}
	if d.Pay, err = s.Aging.Aging(ctx, orgID, asOf); err != nil {
		return err
	}
	return nil
}

// duty gathers the periods due, missing submissions, slow groups, open notices and commitments
// due that the user's unit must act on or watch.
func (s *Server) duty(r *http.Request) (*dutyData, error) {
	ctx := r.Context()
	today := qingqian.Today()
	d := &dutyData{}
	ps, _, err := s.Reports.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 20})
	if err != nil {
		return nil, err
	}
	groups, err := s.Reports.Groups(ctx)
	if err != nil {
		return nil, err
	}
	a := qingqian.ActorFrom(ctx)
	reach := 0
	for _, g := range groups {
		if a.Reaches(g.Path) {
			reach++
		}
	}
	d.Reports = reach > 0
	leader := a.CanSign(qingqian.ActReview)
	for _, p := range ps {
		if !d.Reports || (p.Deadline.Before(today) && !leader) {
			continue
		}
		subs, err := s.Reports.FindSubmissions(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		if leader {
			for _, sub := range subs {
				switch sub.State {
				case qingqian.StatePrepared:
					d.ToReview = append(d.ToReview, signItem{Sub: sub, Period: p})
				case qingqian.StateReviewed:
					d.ToApprove = append(d.ToApprove, signItem{Sub: sub, Period: p})
				}
			}
		}
		if p.Deadline.Before(today) {
			continue
		}
		pending := reach
		for _, sub := range subs {
			if sub.State == qingqian.StateApproved {
				pending--
			}
		}
		d.Open = append(d.Open, openPeriod{Period: p, Pending: max(pending, 0)})
	}
	if d.Reports && !a.Has(qingqian.RoleSupervisor) {
		if d.Reminders, err = s.Reports.FindReminders(ctx); err != nil {
			return nil, err
		}
	}
	if !a.Has(qingqian.RoleSupervisor) {
		if d.CampaignReminders, err = s.Campaigns.FindCampaignReminders(ctx); err != nil {
			return nil, err
		}
	}
	late, err := s.Reports.Lateness(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range late {
		d.Missing += len(l.MissingNow)
	}
	prog, err := s.Supervision.Progress(ctx, today)
	if err != nil {
		return nil, err
	}
	for _, g := range prog.Groups {
		if g.Slow {
			d.Slow++
		}
	}
	ns, err := s.Supervision.FindNotices(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		d.OpenNotices++
		if n.Overdue(today) {
			d.OverdueNotices++
		}
	}
	ivs, err := s.Supervision.FindInterviews(ctx)
	if err != nil {
		return nil, err
	}
	for _, iv := range ivs {
		d.Commitments += len(iv.Due(today))
	}
	if a.Has(qingqian.RoleSupervisor) {
		cal, err := s.Calendar.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		d.Calendar = qingqian.CalendarReminder(cal, today)
		lpr, err := s.LPR.FindLPR(ctx)
		if err != nil {
			return nil, err
		}
		d.LPR = qingqian.LPRReminder(lpr, today)
	}
	return d, nil
}

// monthEnd returns the last day of the month k months from d's month.
func monthEnd(d qingqian.Date, k int) qingqian.Date {
	first := qingqian.NewDate(d.Year(), d.Month()+time.Month(k), 1)
	return first.AddMonths(1).AddDays(-1)
}
