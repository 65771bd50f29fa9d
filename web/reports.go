package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// reportRoutes are the workbench's pages for reporting periods, submissions, consolidated
// reports, progress, supervision notices and interviews.
func (s *Server) reportRoutes() []route {
	return []route{
		{"GET /periods", s.periodsPage},
		{"POST /periods", s.openPeriodForm},
		{"POST /periods/generate", s.generatePeriodsForm},
		{"GET /periods/{id}", s.periodPage},
		{"POST /periods/{id}/prepare", s.prepareForm},
		{"GET /periods/{id}/report", s.reportPage},
		{"GET /periods/{id}/report/export", s.exportReport},
		{"POST /periods/{id}/report/issue", s.issueReportForm},
		{"GET /submissions/{id}", s.submissionPage},
		{"POST /submissions/{id}/sign", s.signForm},
		{"POST /submissions/{id}/check", s.checkZeroForm},
		{"GET /progress", s.progressPage},
		{"POST /progress/rule", s.slowRuleForm},
		{"GET /notices", s.noticesPage},
		{"POST /notices", s.issueNoticeForm},
		{"GET /notices/{id}", s.noticePage},
		{"POST /notices/{id}/reply", s.replyNoticeForm},
		{"POST /notices/{id}/close", s.closeNoticeForm},
		{"GET /interviews", s.interviewsPage},
		{"POST /interviews", s.recordInterviewForm},
		{"GET /interviews/export", s.exportInterviews},
		{"GET /interviews/{id}", s.interviewPage},
		{"POST /commitments/{id}/follow-up", s.followUpForm},
	}
}

// parseForm reads a posted form (bounded) or says it cannot.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	return r.PostForm, nil
}

// formDate reads an optional date field into bad on error.
func formDate(form url.Values, name string, bad qingqian.Validation) qingqian.Date {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return qingqian.Date{}
	}
	d, err := qingqian.ParseDate(v)
	if err != nil {
		bad.Add(name, "日期格式应为 YYYY-MM-DD")
	}
	return d
}

// formInt reads an optional non-negative integer field.
func formInt(form url.Values, name string, bad qingqian.Validation) int {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		bad.Add(name, "应为非负整数")
	}
	return n
}

// retry re-renders a form's page with the error of a failed submission, keeping the input; an
// error that is not about the input becomes an error page.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, err error, form url.Values, show func(status int, v *view) error) error {
	msg, fields, ok := formError(err)
	if !ok {
		return err
	}
	return show(ErrorStatus(err), &view{Error: msg, Fields: fields, Form: form})
}

// submit finishes a form: unless its fields already failed, it runs the action; then it either
// shows the form again with the error (keeping the input) or redirects to the target, which is
// read after the action (it may name what the action created).
func (s *Server) submit(w http.ResponseWriter, r *http.Request, form url.Values, bad qingqian.Validation, run func() error,
	show func(status int, v *view) error, target func() string) error {
	err := bad.Err()
	if err == nil {
		err = run()
	}
	if err != nil {
		return s.retry(w, r, err, form, show)
	}
	http.Redirect(w, r, target(), http.StatusSeeOther)
	return nil
}

func isOffice(r *http.Request) bool {
	u := userFrom(r)
	return u != nil && u.Actor().Has(qingqian.RoleSupervisor, qingqian.RoleAdmin)
}

// ---- periods ----

type periodsData struct {
	Periods  []*qingqian.Period
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
	d := &periodsData{Periods: ps, Pager: newPager(r, page, pageSize, total), Late: late, Office: isOffice(r), Kinds: qingqian.PeriodKinds, Today: qingqian.Today()}
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
	Period    *qingqian.Period
	Rows      []periodRow
	Office    bool
	CanPrep   bool
	Mine      *periodRow // the group a group's user reports for
	Overdue   bool
	StateName map[qingqian.SubmissionState]string
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
	d := &periodData{Period: p, Office: isOffice(r), CanPrep: a.CanSign(qingqian.ActPrepare), Overdue: p.Deadline.Before(qingqian.Today()),
		StateName: qingqian.SubmissionStateNames}
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

// ---- submissions ----

type submissionData struct {
	Sub       *qingqian.Submission
	Period    *qingqian.Period
	Office    bool
	CanReview bool
	CanSign   bool
	Results   map[string]string
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
	act := qingqian.SignAction(form.Get("action"))
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Reports.Sign(r.Context(), id, act, strings.TrimSpace(form.Get("note")), formInt(form, "version", qingqian.Validation{}))
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

// ---- consolidated report ----

type reportRowView struct {
	N     int
	Row   qingqian.ReportRow
	State string
}

type reportData struct {
	R      *qingqian.Report
	Rows   []reportRowView
	Title  string
	Line   string
	Office bool
}

func newReportData(rep *qingqian.Report) *reportData {
	d := &reportData{R: rep, Title: xlsx.ReportTitle(rep), Line: xlsx.ReportLine(rep)}
	for i, row := range rep.Rows {
		d.Rows = append(d.Rows, reportRowView{N: i + 1, Row: row, State: xlsx.StateText(&rep.Rows[i])})
	}
	return d
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
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
	s.render(w, r, http.StatusOK, "report", &view{Title: d.Title, Nav: "periods", Data: d})
	return nil
}

func (s *Server) exportReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.Reports.Report(r.Context(), id)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, fmt.Sprintf("第%d期汇总表", rep.Period.No), format, func(wr io.Writer, _ xlsx.Meta) error {
		return xlsx.WriteReport(wr, rep, format)
	})
}

func (s *Server) issueReportForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Reports.IssueReport(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/periods/%d/report?done=issued", id), http.StatusSeeOther)
	return nil
}

// ---- progress ----

type progressData struct {
	P      *qingqian.Progress
	Office bool
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
	v.Title, v.Nav, v.Data = "清偿进度", "progress", &progressData{P: p, Office: isOffice(r)}
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

// ---- notices ----

type noticesData struct {
	Notices []*qingqian.Notice
	Groups  []*qingqian.Org
	Office  bool
	Today   qingqian.Date
	Open    bool
}

func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	form := url.Values{"org_id": {q.Get("org_id")}, "reason": {q.Get("reason")}, "deadline": {qingqian.Today().AddDays(15).String()}}
	return s.showNotices(w, r, http.StatusOK, &view{Form: form})
}

func (s *Server) showNotices(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	open := r.URL.Query().Get("open") == "true"
	ns, err := s.Supervision.FindNotices(ctx, open)
	if err != nil {
		return err
	}
	d := &noticesData{Notices: ns, Office: isOffice(r), Today: qingqian.Today(), Open: open}
	if d.Office {
		if d.Groups, err = s.Reports.Groups(ctx); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = "督办", "notices", d
	s.render(w, r, status, "notices", v)
	return nil
}

func (s *Server) issueNoticeForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	n := &qingqian.Notice{OrgID: atoi64(form.Get("org_id")), Reason: form.Get("reason"), Actions: form.Get("actions"), Deadline: formDate(form, "deadline", bad)}
	return s.submit(w, r, form, bad, func() error {
		return s.Supervision.IssueNotice(r.Context(), n)
	}, func(st int, v *view) error { return s.showNotices(w, r, st, v) }, func() string { return fmt.Sprintf("/notices/%d?done=notice", n.ID) })
}

type noticeData struct {
	N        *qingqian.Notice
	Office   bool
	CanReply bool
	Overdue  bool
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request) error {
	return s.showNotice(w, r, http.StatusOK, &view{})
}

func (s *Server) showNotice(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.Supervision.FindNotice(r.Context(), id)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(r.Context())
	d := &noticeData{N: n, Office: isOffice(r), CanReply: a.CanWrite() && n.State != qingqian.NoticeClosed, Overdue: n.Overdue(qingqian.Today())}
	if v.Form == nil {
		v.Form = url.Values{"reply": {n.Reply}}
	}
	v.Title, v.Nav, v.Data = "督办 "+n.No, "notices", d
	s.render(w, r, status, "notice", v)
	return nil
}

func (s *Server) replyNoticeForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Supervision.ReplyNotice(r.Context(), id, form.Get("reply"), formInt(form, "version", qingqian.Validation{}))
		return err
	}, func(st int, v *view) error { return s.showNotice(w, r, st, v) }, func() string { return fmt.Sprintf("/notices/%d?done=replied", id) })
}

func (s *Server) closeNoticeForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Supervision.CloseNotice(r.Context(), id, formInt(form, "version", qingqian.Validation{}))
		return err
	}, func(st int, v *view) error { return s.showNotice(w, r, st, v) }, func() string { return fmt.Sprintf("/notices/%d?done=closed", id) })
}

// ---- interviews ----

// commitmentRows is how many commitments the interview form offers.
const commitmentRows = 5

type interviewsData struct {
	Interviews []*qingqian.Interview
	Groups     []*qingqian.Org
	Office     bool
	Levels     map[qingqian.InterviewLevel]string
	Rows       []int
	Today      qingqian.Date
}

func (s *Server) interviewsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showInterviews(w, r, http.StatusOK, &view{Form: url.Values{"held_on": {qingqian.Today().String()}, "org_id": {r.URL.Query().Get("org_id")}}})
}

func (s *Server) showInterviews(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	ivs, err := s.Supervision.FindInterviews(ctx)
	if err != nil {
		return err
	}
	d := &interviewsData{Interviews: ivs, Office: isOffice(r), Levels: qingqian.InterviewLevelNames, Today: qingqian.Today()}
	for i := range commitmentRows {
		d.Rows = append(d.Rows, i)
	}
	if d.Office {
		if d.Groups, err = s.Reports.Groups(ctx); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = "约谈", "interviews", d
	s.render(w, r, status, "interviews", v)
	return nil
}

func (s *Server) recordInterviewForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	iv := &qingqian.Interview{OrgID: atoi64(form.Get("org_id")), HeldOn: formDate(form, "held_on", bad), Level: qingqian.InterviewLevel(form.Get("level")),
		Participants: form.Get("participants"), Minutes: form.Get("minutes")}
	for i := range commitmentRows {
		text := strings.TrimSpace(form.Get(fmt.Sprintf("commitments.%d.text", i)))
		due := formDate(form, fmt.Sprintf("commitments.%d.due_on", i), bad)
		if text == "" && due.IsZero() {
			continue
		}
		iv.Commitments = append(iv.Commitments, qingqian.Commitment{Text: text, DueOn: due})
	}
	return s.submit(w, r, form, bad, func() error {
		return s.Supervision.RecordInterview(r.Context(), iv)
	}, func(st int, v *view) error { return s.showInterviews(w, r, st, v) }, func() string { return fmt.Sprintf("/interviews/%d?done=interview", iv.ID) })
}

func (s *Server) exportInterviews(w http.ResponseWriter, r *http.Request) error {
	ivs, err := s.Supervision.FindInterviews(r.Context())
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "约谈情况表", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteInterviews(wr, ivs, format, meta)
	})
}

type interviewData struct {
	IV     *qingqian.Interview
	Office bool
	Today  qingqian.Date
}

func (s *Server) interviewPage(w http.ResponseWriter, r *http.Request) error {
	return s.showInterview(w, r, http.StatusOK, &view{})
}

func (s *Server) showInterview(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	iv, err := s.Supervision.FindInterview(r.Context(), id)
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "约谈 "+iv.OrgName, "interviews", &interviewData{IV: iv, Office: isOffice(r), Today: qingqian.Today()}
	s.render(w, r, status, "interview", v)
	return nil
}

func (s *Server) followUpForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	done := formDate(form, "done_on", bad)
	var iv *qingqian.Interview
	err = bad.Err()
	if err == nil {
		iv, err = s.Supervision.FollowUp(r.Context(), id, form.Get("follow_up"), done)
	}
	if err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		// The form belongs to an interview page; without the interview, say it plainly.
		ivID := atoi64(form.Get("interview_id"))
		if ivID <= 0 {
			return qingqian.Errorf(qingqian.EINVALID, "%s", msg)
		}
		r.SetPathValue("id", strconv.FormatInt(ivID, 10))
		return s.showInterview(w, r, ErrorStatus(err), &view{Error: msg, Fields: fields, Form: form})
	}
	http.Redirect(w, r, fmt.Sprintf("/interviews/%d?done=follow_up", iv.ID), http.StatusSeeOther)
	return nil
}
