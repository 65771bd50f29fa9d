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
	return s.submit(w, r, form, bad, func() error {
		iv, err = s.Supervision.FollowUp(r.Context(), id, form.Get("follow_up"), done)
		return err
	}, func(st int, v *view) error {
		// The form belongs to an interview page; without the interview, say it plainly.
		ivID := atoi64(form.Get("interview_id"))
		if ivID <= 0 {
			return qingqian.Errorf(qingqian.EINVALID, "%s", v.Error)
		}
		r.SetPathValue("id", strconv.FormatInt(ivID, 10))
		return s.showInterview(w, r, st, v)
	}, func() string { return fmt.Sprintf("/interviews/%d?done=follow_up", iv.ID) })
}

// ---- API ----

func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	open := q.boolp("open")
	if err := q.err(); err != nil {
		return err
	}
	ns, err := s.Supervision.FindNotices(r.Context(), open != nil && *open)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ns})
	return nil
}

type noticeInput struct {
	OrgID    int64         `json:"org_id"`
	Reason   string        `json:"reason"`
	Actions  string        `json:"actions"`
	Deadline qingqian.Date `json:"deadline"`
}

func (s *Server) issueNotice(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in noticeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n := &qingqian.Notice{OrgID: in.OrgID, Reason: in.Reason, Actions: in.Actions, Deadline: in.Deadline}
	if err := s.Supervision.IssueNotice(r.Context(), n); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n)
	return nil
}

func (s *Server) getNotice(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Supervision.FindNotice)
}

type replyInput struct {
	Reply   string `json:"reply"`
	Version int    `json:"version"`
}

func (s *Server) replyNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	// Whoever may not see the notice learns nothing of it; the lookup records the attempt.
	if _, err := s.Supervision.FindNotice(r.Context(), id); err != nil {
		return err
	}
	var in replyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := s.Supervision.ReplyNotice(r.Context(), id, in.Reply, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (s *Server) closeNotice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	if _, err := s.Supervision.FindNotice(r.Context(), id); err != nil {
		return err
	}
	var in versionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := s.Supervision.CloseNotice(r.Context(), id, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

func (s *Server) listInterviews(w http.ResponseWriter, r *http.Request) error {
	ivs, err := s.Supervision.FindInterviews(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ivs})
	return nil
}

// commitmentInput is one commitment of an interview, decoded as strictly as a body.
type commitmentInput struct {
	Text  string        `json:"text"`
	DueOn qingqian.Date `json:"due_on"`
}

// UnmarshalJSON refuses unknown fields and says which field is wrong.
func (c *commitmentInput) UnmarshalJSON(b []byte) error {
	type plain commitmentInput
	var p plain
	if err := decodeBytes(b, &p, nil); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "承诺应为 {\"text\": 内容, \"due_on\": 完成时限}：%s", describe(qingqian.ErrorFields(err)))
	}
	*c = commitmentInput(p)
	return nil
}

type interviewInput struct {
	OrgID        int64                   `json:"org_id"`
	HeldOn       qingqian.Date           `json:"held_on"`
	Level        qingqian.InterviewLevel `json:"level"`
	Participants string                  `json:"participants"`
	Minutes      string                  `json:"minutes"`
	Commitments  []commitmentInput       `json:"commitments"`
}

func (s *Server) recordInterview(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in interviewInput
	if err := decode(r, &in); err != nil {
		return err
	}
	iv := &qingqian.Interview{OrgID: in.OrgID, HeldOn: in.HeldOn, Level: in.Level, Participants: in.Participants, Minutes: in.Minutes,
		Commitments: []qingqian.Commitment{}}
	for _, c := range in.Commitments {
		iv.Commitments = append(iv.Commitments, qingqian.Commitment{Text: strings.TrimSpace(c.Text), DueOn: c.DueOn})
	}
	if err := s.Supervision.RecordInterview(r.Context(), iv); err != nil {
		return err
	}
	got, err := s.Supervision.FindInterview(r.Context(), iv.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, got)
	return nil
}

func (s *Server) getInterview(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Supervision.FindInterview)
}

type followUpInput struct {
	FollowUp string        `json:"follow_up"`
	DoneOn   qingqian.Date `json:"done_on"`
}

func (s *Server) followUpCommitment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in followUpInput
	if err := decode(r, &in); err != nil {
		return err
	}
	iv, err := s.Supervision.FollowUp(r.Context(), id, in.FollowUp, in.DoneOn)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, iv)
	return nil
}
