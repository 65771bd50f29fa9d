package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

type periodsData struct {
	Periods  []*qingqian.Period
	Status   map[int64]qingqian.PeriodStatus
	Pager    *pager
	Late     []qingqian.Lateness
	Office   bool
	Kinds    []qingqian.PeriodKind
	Today    qingqian.Date
	Upcoming int
}

func (s *Server) periodsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showPeriods(w, r, http.StatusOK, &view{})
}

func (s *Server) showPeriods(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	if err := q.err(); err != nil {
		return err
	}
	ps, total, err := s.Reports.FindPeriods(ctx, qingqian.PeriodFilter{Offset: (page - 1) * pageSize, Limit: pageSize})
	if err != nil {
		return err
	}
	late, err := s.Reports.Lateness(ctx)
	if err != nil {
		return err
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	statuses, err := s.Reports.PeriodStatuses(ctx, ids)
	if err != nil {
		return err
	}
	d := &periodsData{Periods: ps, Status: statuses, Pager: newPager(r, page, pageSize, total), Late: late, Office: isOffice(r), Kinds: qingqian.PeriodKinds, Today: qingqian.Today()}
	if v.Form == nil {
		v.Form = url.Values{"kind": {"monthly"}, "count": {"12"}, "deadline_days": {"5"}}
	}
	v.Title, v.Nav, v.Data = "报送期次", "periods", d
	s.render(w, r, status, "periods", v)
	return nil
}

func (s *Server) openPeriodForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	p := &qingqian.Period{Kind: qingqian.PeriodKind(form.Get("kind")), Title: strings.TrimSpace(form.Get("title")), Note: strings.TrimSpace(form.Get("note")),
		No: formInt(form, "no", bad), StartsOn: formDate(form, "starts_on", bad), AsOf: formDate(form, "as_of", bad), Deadline: formDate(form, "deadline", bad)}
	return s.submit(w, r, form, bad, func() error {
		return s.Reports.OpenPeriod(r.Context(), p)
	}, func(st int, v *view) error { return s.showPeriods(w, r, st, v) }, func() string { return fmt.Sprintf("/periods/%d?done=period", p.ID) })
}

func (s *Server) generatePeriodsForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	sc := qingqian.Schedule{Kind: qingqian.PeriodKind(form.Get("kind")), First: formDate(form, "first", bad),
		Count: formInt(form, "count", bad), DeadlineDays: formInt(form, "deadline_days", bad)}
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Reports.GeneratePeriods(r.Context(), sc)
		return err
	}, func(st int, v *view) error { return s.showPeriods(w, r, st, v) }, func() string { return "/periods?done=periods" })
}

type periodRow struct {
	Org *qingqian.Org
	Sub *qingqian.Submission
}

type periodData struct {
	Period  *qingqian.Period
	Rows    []periodRow
	Office  bool
	CanPrep bool
	Mine    *periodRow // the group a group's user reports for
	Overdue bool
}

func (s *Server) periodPage(w http.ResponseWriter, r *http.Request) error {
	return s.showPeriod(w, r, http.StatusOK, &view{})
}

func (s *Server) showPeriod(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.Reports.FindPeriod(ctx, id)
	if err != nil {
		return err
	}
	subs, err := s.Reports.FindSubmissions(ctx, id)
	if err != nil {
		return err
	}
	groups, err := s.Reports.Groups(ctx)
	if err != nil {
		return err
	}
	byOrg := map[int64]*qingqian.Submission{}
	for _, sub := range subs {
		byOrg[sub.OrgID] = sub
	}
	a := qingqian.ActorFrom(ctx)
	d := &periodData{Period: p, Office: isOffice(r), CanPrep: a.CanSign(qingqian.ActPrepare), Overdue: p.Deadline.Before(qingqian.Today())}
	for _, g := range groups {
		if !a.Reaches(g.Path) {
			continue
		}
		d.Rows = append(d.Rows, periodRow{Org: g, Sub: byOrg[g.ID]})
	}
	if len(d.Rows) == 1 && !d.Office {
		d.Mine = &d.Rows[0]
		if v.Form == nil && d.Mine.Sub != nil {
			v.Form = url.Values{"narrative": {d.Mine.Sub.Narrative}, "explanation": {d.Mine.Sub.Explanation}}
			if d.Mine.Sub.Zero {
				v.Form.Set("zero", "on")
			}
		}
	}
	v.Title, v.Nav, v.Data = p.Title, "periods", d
	s.render(w, r, status, "period", v)
	return nil
}

func (s *Server) prepareForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	in := qingqian.SubmissionInput{PeriodID: id, OrgID: atoi64(form.Get("org_id")), Zero: form.Get("zero") != "",
		Narrative: strings.TrimSpace(form.Get("narrative")), Explanation: strings.TrimSpace(form.Get("explanation"))}
	sub, err := s.Reports.Prepare(r.Context(), in)
	if err != nil {
		return s.retry(w, r, err, form, func(st int, v *view) error { return s.showPeriod(w, r, st, v) })
	}
	http.Redirect(w, r, fmt.Sprintf("/submissions/%d?done=prepared", sub.ID), http.StatusSeeOther)
	return nil
}

type submissionData struct {
	Sub       *qingqian.Submission
	Period    *qingqian.Period
	Office    bool
	CanReview bool
	CanSign   bool
	// Next is the step the submission waits for (审核 or 签批), Mine whether the actor may take
	// it (not the one who prepared or reviewed it), Why what it is told when it may not.
	Next    qingqian.SignAction
	Mine    bool
	Why     string
	Results map[string]string
}

func (s *Server) submissionPage(w http.ResponseWriter, r *http.Request) error {
	return s.showSubmission(w, r, http.StatusOK, &view{})
}

func (s *Server) showSubmission(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sub, err := s.Reports.FindSubmission(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.Reports.FindPeriod(ctx, sub.PeriodID)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &submissionData{Sub: sub, Period: p, Office: isOffice(r), CanSign: a.CanSign(qingqian.ActReview), Results: qingqian.ZeroCheckResults}
	switch sub.State {
	case qingqian.StatePrepared:
		d.Next = qingqian.ActReview
	case qingqian.StateReviewed:
		d.Next = qingqian.ActApprove
	}
	if d.Next != "" && d.CanSign {
		if err := qingqian.SeparateSigners(sub.Steps, d.Next, a.UserID); err != nil {
			d.Why = qingqian.ErrorMessage(err)
		} else {
			d.Mine = true
		}
	}
	v.Title, v.Nav, v.Data = sub.OrgName+" · "+p.Title, "periods", d
	s.render(w, r, status, "submission", v)
	return nil
}

func (s *Server) signForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	act, note := qingqian.SignAction(form.Get("action")), strings.TrimSpace(form.Get("note"))
	if act == "regenerate" {
		// Returned so that it is prepared again from the ledger as it is now.
		act = qingqian.ActReturn
		if note == "" {
			note = "台账已变动，请按当前台账重新生成报送数"
		}
	}
	return s.submit(w, r, form, nil, func() error {
		version := formInt(form, "version", qingqian.Validation{})
		if form.Get("as_reported") != "" {
			_, err := s.Reports.SignAsReported(r.Context(), id, act, note, version)
			return err
		}
		_, err := s.Reports.Sign(r.Context(), id, act, note, version)
		return err
	}, func(st int, v *view) error { return s.showSubmission(w, r, st, v) }, func() string { return fmt.Sprintf("/submissions/%d?done=%s", id, act) })
}

func (s *Server) checkZeroForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Reports.CheckZero(r.Context(), id, form.Get("result"), strings.TrimSpace(form.Get("basis")))
		return err
	}, func(st int, v *view) error { return s.showSubmission(w, r, st, v) }, func() string { return fmt.Sprintf("/submissions/%d?done=checked", id) })
}

// reportCell is one cell of the report's table; Num marks a figure.
type reportCell struct {
	Text string
	Num  bool
}

// reportRow is one line of the report's table.
type reportRow struct {
	Live  bool // computed from the ledger: the group has no approved submission
	Cells []reportCell
}

type reportData struct {
	R      *qingqian.Report
	Heads  []reportCell
	Rows   []reportRow
	Total  reportRow
	Title  string
	Line   string
	Office bool
	// The document's particulars on paper: its number (once issued), who made it and who
	// answers for it, and the dates as official documents write them.
	DocNo, Preparer, Leader, IssuedOn, MadeOn string
	// Bills is the annex: what each group paid in bills not yet honoured as of the report's date,
	// which the table does not count as repaid; for an issued report, as it was issued (ADR 32).
	Bills *qingqian.ReportAnnex
	// Confirm is shown when the office asks to issue the report.
	Confirm *issueCheck
	// Annex is the signals and the confirmations as of the period's date, shown below the report:
	// the office's as frozen at issue, or, when asked for, computed now (AnnexLive) for the
	// reader's unit.
	Annex     *qingqian.SignalReport
	AnnexLive bool
	// Rectify are the rectification campaigns running on the report's date, with their figures
	// as of it.
	Rectify []rectifyLine
}

// newReportData lays the report's table out by its columns (Report.Columns), like its spreadsheet.
// The line above the table says the amounts are in 万元, so their headers do not repeat it.
func newReportData(rep *qingqian.Report) *reportData {
	d := &reportData{R: rep, Title: xlsx.ReportTitle(rep), Line: xlsx.ReportLine(rep), DocNo: reportDocNo(rep), Preparer: rep.IssuedBy,
		MadeOn: qingqian.DateOf(rep.MadeAt).Chinese()}
	if rep.Issued {
		d.IssuedOn = qingqian.DateOf(rep.IssuedAt).Chinese()
	}
	if d.MadeOn == "" {
		d.MadeOn = qingqian.Today().Chinese()
	}
	for _, c := range rep.Columns() {
		h := reportCell{Text: c.Heading(), Num: c.Unit != qingqian.UnitText}
		if c.Unit == qingqian.UnitWan {
			h.Text = c.Header
		}
		d.Heads = append(d.Heads, h)
	}
	for i := range rep.Rows {
		d.Rows = append(d.Rows, reportRow{Live: rep.Rows[i].Live, Cells: reportCells(rep, i)})
	}
	d.Total = reportRow{Cells: reportCells(rep, len(rep.Rows))}
	return d
}

// reportCells writes line i of a report (len(rep.Rows) for the total) as the page shows it.
func reportCells(rep *qingqian.Report, i int) []reportCell {
	cs := rep.Columns()
	out := make([]reportCell, len(cs))
	for k, c := range cs {
		if c.Unit == qingqian.UnitText {
			out[k] = reportCell{Text: c.Text(rep, i)}
			continue
		}
		if c.Blank(rep, i) {
			out[k] = reportCell{Text: "—", Num: true}
			continue
		}
		v := c.Figure(rep.FiguresAt(i))
		switch c.Unit {
		case qingqian.UnitWan:
			out[k] = reportCell{Text: qingqian.Money(v).Wan(), Num: true}
		case qingqian.UnitRate:
			out[k] = reportCell{Text: pctText(v), Num: true}
		default:
			out[k] = reportCell{Text: strconv.FormatInt(v, 10), Num: true}
		}
	}
	return out
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
	return s.showReport(w, r, http.StatusOK, &view{}, r.URL.Query().Get("issue") == "1")
}

func (s *Server) progressPage(w http.ResponseWriter, r *http.Request) error {
	return s.showProgress(w, r, http.StatusOK, &view{})
}

func (s *Server) showProgress(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	p, err := s.Supervision.Progress(r.Context(), asOf)
	if err != nil {
		return err
	}
	if v.Form == nil {
		v.Form = url.Values{"overdue_days": {strconv.Itoa(p.Rule.OverdueDays)}, "rate_gap": {strconv.Itoa(p.Rule.RateGap)}}
	}
	d := &progressData{P: p, Office: isOffice(r), Sorts: progressSorts}
	arrangeProgress(d, r.URL.Query().Get("sort"))
	if err := s.progressCharts(r.Context(), d); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "清偿进度", "progress", d
	s.render(w, r, status, "progress", v)
	return nil
}

func (s *Server) slowRuleForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	rule := qingqian.SlowRule{OverdueDays: formInt(form, "overdue_days", bad), RateGap: formInt(form, "rate_gap", bad)}
	return s.submit(w, r, form, bad, func() error {
		return s.Supervision.SetSlowRule(r.Context(), rule)
	}, func(st int, v *view) error { return s.showProgress(w, r, st, v) }, func() string { return "/progress?done=rule" })
}

// ---- API ----

func (s *Server) listPeriods(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.PeriodFilter{Kind: qingqian.PeriodKind(q.str("kind")), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if _, ok := qingqian.PeriodKindNames[f.Kind]; f.Kind != "" && !ok {
		q.bad.Add("kind", "期次类型应为 weekly、monthly、special 或 baseline")
	}
	if err := q.err(); err != nil {
		return err
	}
	ps, n, err := s.Reports.FindPeriods(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(ps, n, f.Offset, f.Limit))
	return nil
}

type periodInput struct {
	No       int                 `json:"no"`
	Kind     qingqian.PeriodKind `json:"kind"`
	Title    string              `json:"title"`
	StartsOn qingqian.Date       `json:"starts_on"`
	AsOf     qingqian.Date       `json:"as_of"`
	Deadline qingqian.Date       `json:"deadline"`
	Note     string              `json:"note"`
}

func (s *Server) openPeriod(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in periodInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := &qingqian.Period{No: in.No, Kind: in.Kind, Title: in.Title, StartsOn: in.StartsOn, AsOf: in.AsOf, Deadline: in.Deadline, Note: in.Note}
	if err := s.Reports.OpenPeriod(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) getPeriod(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reports.FindPeriod)
}

func (s *Server) listSubmissions(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(ctx context.Context, id int64) (map[string]any, error) {
		subs, err := s.Reports.FindSubmissions(ctx, id)
		return map[string]any{"items": subs}, err
	})
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reports.Report)
}

func (s *Server) getSubmission(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Reports.FindSubmission)
}

type submissionInput struct {
	OrgID       int64  `json:"org_id"`
	Zero        bool   `json:"zero"`
	Narrative   string `json:"narrative"`
	Explanation string `json:"explanation"`
}

func (s *Server) prepareSubmission(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := qingqian.RequireActor(r.Context())
	if err != nil {
		return err
	}
	if !a.CanSign(qingqian.ActPrepare) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有联络员或填报人员可以填报")
	}
	var in submissionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := s.Reports.Prepare(r.Context(), qingqian.SubmissionInput{PeriodID: id, OrgID: in.OrgID, Zero: in.Zero, Narrative: in.Narrative, Explanation: in.Explanation})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

type signInput struct {
	Action  qingqian.SignAction `json:"action"`
	Note    string              `json:"note"`
	Version int                 `json:"version"`
	// AsReported signs figures that the ledger now gives differently, as they were reported.
	AsReported bool `json:"as_reported"`
}

func (s *Server) signSubmission(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in signInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sign := s.Reports.Sign
	if in.AsReported {
		sign = s.Reports.SignAsReported
	}
	sub, err := sign(r.Context(), id, in.Action, in.Note, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

type zeroCheckInput struct {
	Result string `json:"result"`
	Basis  string `json:"basis"`
}

// checkZeroReport records the office's verification of an approved zero report.
func (s *Server) checkZeroReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in zeroCheckInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := s.Reports.CheckZero(r.Context(), id, in.Result, strings.TrimSpace(in.Basis))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) issueReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.Reports.IssueReport(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rep)
	return nil
}

func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	p, err := s.Supervision.Progress(r.Context(), asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}
