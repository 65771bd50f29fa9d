package web

// Issuing a period's consolidated report once the office has seen what it freezes, and the
// office's reminders (催报) to the groups that have not reported.

import (
	"fmt"
	"net/http"

	"github.com/qingqian/qingqian"
)

// issueCheck is what issuing a report would freeze, shown for the office to confirm.
type issueCheck struct {
	Groups    int
	Reported  []string // approved
	Missing   []string // nothing approved: their figures are the ledger's, computed now
	Late      []string // approved after the deadline
	Pending   []string // prepared or reviewed, not yet approved
	Early     bool     // the deadline has not passed
	Future    bool     // the data date is after today: the service refuses
	Today     qingqian.Date
	Deadline  qingqian.Date
	AsOf      qingqian.Date
	Outstand  qingqian.Money
	LiveShare qingqian.Money // outstanding on the rows computed from the ledger
}

func newIssueCheck(rep *qingqian.Report) *issueCheck {
	c := &issueCheck{Groups: len(rep.Rows), Today: qingqian.Today(), Deadline: rep.Period.Deadline, AsOf: rep.Period.AsOf, Outstand: rep.Total.Outstanding}
	c.Early, c.Future = c.Today.Before(c.Deadline) || c.Today == c.Deadline, c.Today.Before(c.AsOf)
	for _, row := range rep.Rows {
		switch {
		case row.State == qingqian.StateApproved:
			c.Reported = append(c.Reported, row.OrgName)
			if row.Late {
				c.Late = append(c.Late, row.OrgName)
			}
		case row.State == qingqian.StatePrepared || row.State == qingqian.StateReviewed:
			c.Pending = append(c.Pending, row.OrgName+"（"+row.State.Label()+"）")
		default:
			c.Missing = append(c.Missing, row.OrgName)
		}
		if row.Live {
			c.LiveShare += row.Figures.Outstanding
		}
	}
	return c
}

// showReport shows a period's report and, for the office asking to issue it, what issuing
// would freeze with the form that confirms it.
func (s *Server) showReport(w http.ResponseWriter, r *http.Request, status int, v *view, confirm bool) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.Reports.Report(r.Context(), id)
	if err != nil {
		return err
	}
	d := newReportData(rep)
	d.Office = isOffice(r)
	if confirm && d.Office && !rep.Issued {
		d.Confirm = newIssueCheck(rep)
	}
	// The signals walk the province's repayments: a draft's are computed when asked for, not on
	// every view of the report; an issued report's were frozen with it.
	asked := r.URL.Query().Get("annex") == "1"
	if d.Bills, err = s.Reports.ReportAnnex(r.Context(), id, asked); err != nil {
		return err
	}
	d.Annex = d.Bills.Signals
	if d.Annex == nil && asked {
		if d.Annex, err = s.Signals.Signals(r.Context(), 0, rep.Period.AsOf); err != nil {
			return err
		}
		d.AnnexLive = true
	}
	if d.Rectify, err = s.rectificationsAt(r.Context(), rep.Period.AsOf); err != nil {
		return err
	}
	if o, err := s.Orgs.FindOrgByID(r.Context(), rep.Period.OrgID); err == nil {
		d.Leader = o.LeaderName
	}
	v.Title, v.Nav, v.Data = d.Title, "periods", d
	s.render(w, r, status, "report", v)
	return nil
}

// issueReportForm issues a report once the office confirmed it, having seen what it freezes.
func (s *Server) issueReportForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	show := func(st int, v *view) error { return s.showReport(w, r, st, v, true) }
	if form.Get("confirm") != "yes" {
		return s.retry(w, r, fieldErr("confirm", "印发后汇总表即固定、不能更改：请核对上面的情况，勾选“确认印发”后再提交"), form, show)
	}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Reports.IssueReport(r.Context(), id)
		return err
	}, show, func() string { return fmt.Sprintf("/periods/%d/report?done=issued", id) })
}

// remindForm sends the office's 催报 to the groups that have not reported a period.
func (s *Server) remindForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Reports.Remind(r.Context(), id, form.Get("note"))
		return err
	}, func(st int, v *view) error { return s.showPeriods(w, r, st, v) }, func() string { return fmt.Sprintf("/periods?done=reminded#period-%d", id) })
}

// reportDocNo numbers an issued consolidated report the way the office numbers its documents:
// 清欠汇〔year of its date〕period号.
func reportDocNo(rep *qingqian.Report) string {
	if !rep.Issued {
		return ""
	}
	return fmt.Sprintf("清欠汇〔%d〕%d号", rep.Period.AsOf.Year(), rep.Period.No)
}
