package web

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// ---- API ----

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Campaigns.FindCampaigns(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

type campaignInput struct {
	Kind      qingqian.CampaignKind  `json:"kind"`
	Title     string                 `json:"title"`
	Basis     string                 `json:"basis"`
	Scope     qingqian.CampaignScope `json:"scope"`
	Level     int                    `json:"level"` // with scope "level": 2 for the groups' direct subsidiaries
	Checklist []string               `json:"checklist"`
	StartsOn  qingqian.Date          `json:"starts_on"`
	TargetOn  qingqian.Date          `json:"target_on"`
	Rhythm    qingqian.Rhythm        `json:"rhythm"`
	OrgIDs    []int64                `json:"org_ids"`
}

func (s *Server) launchCampaign(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in campaignInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Campaign{Kind: in.Kind, Title: in.Title, Basis: in.Basis, Scope: in.Scope, Level: in.Level, Checklist: in.Checklist, StartsOn: in.StartsOn,
		TargetOn: in.TargetOn, Rhythm: in.Rhythm}
	if err := s.Campaigns.LaunchCampaign(r.Context(), c, in.OrgIDs); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Campaigns.FindCampaign)
}

type closeCampaignInput struct {
	Summary string `json:"summary"`
	Version int    `json:"version"`
}

func (s *Server) closeCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in closeCampaignInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Campaigns.CloseCampaign(r.Context(), id, in.Summary, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) listAnswers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	xs, err := s.Campaigns.FindAnswers(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": xs})
	return nil
}

func (s *Server) prepareAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in qingqian.AnswerInput
	if err := decode(r, &in); err != nil {
		return err
	}
	x, err := s.Campaigns.PrepareAnswer(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) getAnswer(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Campaigns.FindAnswer)
}

func (s *Server) signAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in signInput
	if err := decode(r, &in); err != nil {
		return err
	}
	x, err := s.Campaigns.SignAnswer(r.Context(), id, in.Action, in.Note, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, x)
	return nil
}

func (s *Server) getRectification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	rc, err := s.Campaigns.Rectification(r.Context(), id, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rc)
	return nil
}

// ---- pages ----

type campaignsData struct {
	Campaigns []*qingqian.Campaign
	Groups    []*qingqian.Org
	Chosen    map[int64]bool
	Office    bool
	Kinds     []qingqian.CampaignKind
	Scopes    map[qingqian.CampaignScope]string
	Rhythms   map[qingqian.Rhythm]string
	Pager     *pager
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) error {
	today := qingqian.Today()
	form := url.Values{"starts_on": {today.String()}, "target_on": {today.AddDays(30).String()}, "checklist": {strings.Join(qingqian.DefaultChecklist, "\n")},
		"scope": {string(qingqian.ScopeGroups)}, "rhythm": {string(qingqian.RhythmNone)}}
	return s.showCampaigns(w, r, http.StatusOK, &view{Form: form})
}

func (s *Server) showCampaigns(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	cs, err := s.Campaigns.FindCampaigns(ctx)
	if err != nil {
		return err
	}
	q := newQuery(r)
	page := max(q.int("page", 1), 1)
	total := len(cs)
	cs = cs[min((page-1)*pageSize, total):min(page*pageSize, total)]
	d := &campaignsData{Campaigns: cs, Office: isOffice(r), Kinds: qingqian.CampaignKinds, Scopes: qingqian.CampaignScopeNames, Rhythms: qingqian.RhythmNames,
		Chosen: map[int64]bool{}, Pager: newPager(r, page, pageSize, total)}
	if total <= pageSize {
		d.Pager = nil
	}
	for _, id := range v.Form["org_ids"] {
		d.Chosen[atoi64(id)] = true
	}
	if d.Office {
		if d.Groups, err = s.Reports.Groups(ctx); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = "专项工作", "campaigns", d
	s.render(w, r, status, "campaigns", v)
	return nil
}

// formIDs reads the ids a form's checkboxes chose.
func formIDs(form url.Values, name string) []int64 {
	var out []int64
	for _, s := range form[name] {
		if id := atoi64(s); id > 0 {
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) launchCampaignForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Campaign{Kind: qingqian.CampaignKind(form.Get("kind")), Title: form.Get("title"), Basis: form.Get("basis"),
		Scope: qingqian.CampaignScope(form.Get("scope")), Checklist: strings.Split(form.Get("checklist"), "\n"),
		StartsOn: formDate(form, "starts_on", bad), TargetOn: formDate(form, "target_on", bad), Rhythm: qingqian.Rhythm(form.Get("rhythm"))}
	if c.Scope == qingqian.ScopeLevel {
		c.Level = formInt(form, "level", bad)
	}
	return s.submit(w, r, form, bad, func() error {
		return s.Campaigns.LaunchCampaign(r.Context(), c, formIDs(form, "org_ids"))
	}, func(st int, v *view) error { return s.showCampaigns(w, r, st, v) }, func() string { return fmt.Sprintf("/campaigns/%d?done=campaign", c.ID) })
}

type campaignData struct {
	C        *qingqian.Campaign
	Office   bool
	Answers  []*qingqian.CampaignAnswer
	Mine     *qingqian.CampaignUnit // the actor's unit's row, when it answers
	MyAnswer *qingqian.CampaignAnswer
	CanPrep  bool
	Rect     *qingqian.Rectification
	Chart    template.HTML
	Answered int
	Late     int
	Found    qingqian.Money
	Reversed qingqian.Money
	Today    qingqian.Date
	// Period is the current reporting period of a campaign with a rhythm; Unreported counts the
	// units that have not prepared their answer in it.
	Period     *qingqian.RhythmPeriod
	PeriodName string
	Unreported int
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCampaign(w, r, http.StatusOK, &view{})
}

func (s *Server) campaignData(r *http.Request) (*campaignData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := s.Campaigns.FindCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	a := qingqian.ActorFrom(ctx)
	d := &campaignData{C: c, Office: isOffice(r), Today: qingqian.Today()}
	if p, ok := c.CurrentPeriod(d.Today); ok {
		d.Period, d.PeriodName = &p, p.Label(c.Rhythm)
		for _, u := range c.Units {
			if !u.Reported {
				d.Unreported++
			}
		}
	}
	if d.Answers, err = s.Campaigns.FindAnswers(ctx, id); err != nil {
		return nil, err
	}
	for i := range c.Units {
		u := &c.Units[i]
		if u.State == qingqian.StateApproved {
			d.Answered++
		}
		if u.Late {
			d.Late++
		}
		d.Found += u.Found
		d.Reversed += u.Reversed
		if u.OrgID == a.OrgID {
			d.Mine = u
		}
	}
	if d.Mine != nil {
		for _, x := range d.Answers {
			if x.OrgID == d.Mine.OrgID {
				d.MyAnswer = x
			}
		}
		// With a rhythm, an approved answer is prepared again as the new period's report.
		d.CanPrep = c.State == qingqian.CampaignOpen && a.CanSign(qingqian.ActPrepare) &&
			(d.MyAnswer == nil || d.MyAnswer.State == qingqian.StatePrepared || d.MyAnswer.State == qingqian.StateReturned ||
				d.MyAnswer.State == qingqian.StateApproved && d.Period != nil && !d.Mine.Reported)
	}
	if c.Kind == qingqian.CampaignRectify {
		// A closed campaign's curve ends on the day it closed.
		asOf := qingqian.Date{}
		if c.State == qingqian.CampaignClosed {
			asOf = qingqian.DateOf(c.ClosedAt)
		}
		if d.Rect, err = s.Campaigns.Rectification(ctx, id, asOf); err != nil {
			return nil, err
		}
		var pts []point
		var first qingqian.Money
		for i, p := range d.Rect.Points {
			if i == 0 {
				first = p.Outstanding
			}
			pts = append(pts, point{Label: fmt.Sprintf("%d-%02d-%02d", p.On.Year(), p.On.Month(), p.On.Day())[5:], Outstanding: p.Outstanding, Repaid: first - p.Outstanding})
		}
		if len(pts) > 0 {
			d.Chart = lineChart(pts)
		}
	}
	return d, nil
}

func (s *Server) showCampaign(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	d, err := s.campaignData(r)
	if err != nil {
		return err
	}
	if v.Form == nil {
		v.Form = url.Values{}
		if d.MyAnswer != nil {
			for _, f := range d.MyAnswer.Findings {
				v.Form.Set(fmt.Sprintf("findings.%d.finding", f.Seq-1), f.Finding)
				v.Form.Set(fmt.Sprintf("findings.%d.action", f.Seq-1), f.Action)
				v.Form.Set(fmt.Sprintf("findings.%d.evidence", f.Seq-1), strings.Join(f.Evidence, " "))
			}
		}
	}
	v.Title, v.Nav, v.Data = d.C.Kind.Label()+" "+d.C.Title, "campaigns", d
	s.render(w, r, status, "campaign", v)
	return nil
}

func (s *Server) prepareAnswerForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Campaigns.FindCampaign(r.Context(), id)
	if err != nil {
		return err
	}
	if !qingqian.ActorFrom(r.Context()).CanSign(qingqian.ActPrepare) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有联络员或填报人员可以填报")
	}
	show := func(st int, v *view) error { return s.showCampaign(w, r, st, v) }
	// The form is multipart when it carries evidence files (at most five per item).
	r.Body = http.MaxBytesReader(w, r.Body, 5*s.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); tooLarge(err) {
		return s.retry(w, r, fieldErr("file", "上传的佐证材料过大：单个文件不超过 "+sizeText(s.MaxUpload)), nil, show)
	} else if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return s.retry(w, r, fieldErr("file", "提交的内容过大或无法识别"), nil, show)
	}
	form := r.PostForm
	in := qingqian.AnswerInput{Version: formInt(form, "version", qingqian.Validation{})}
	for i := range c.Checklist {
		f := qingqian.Finding{Seq: i + 1, Finding: form.Get(fmt.Sprintf("findings.%d.finding", i)), Action: form.Get(fmt.Sprintf("findings.%d.action", i)), Evidence: []string{}}
		for _, sha := range strings.Fields(form.Get(fmt.Sprintf("findings.%d.evidence", i))) {
			f.Evidence = append(f.Evidence, strings.ToLower(sha))
		}
		in.Findings = append(in.Findings, f)
	}
	return s.submit(w, r, form, nil, func() error {
		// The answer is checked before its files are stored, so that bad input stores nothing.
		if err := in.Validate(c); err != nil {
			return err
		}
		if r.MultipartForm != nil {
			for i := range in.Findings {
				field := fmt.Sprintf("findings.%d.evidence", i)
				files := r.MultipartForm.File[fmt.Sprintf("findings.%d.files", i)]
				if len(files)+len(in.Findings[i].Evidence) > 10 {
					return fieldErr(field, fmt.Sprintf("检查事项%d：佐证材料最多10份", i+1))
				}
				for _, fh := range files {
					f, err := fh.Open()
					if err != nil {
						return err
					}
					v, err := s.Vouchers.StoreVoucher(r.Context(), fh.Filename, f)
					f.Close()
					if err != nil {
						if qingqian.ErrorFields(err) != nil {
							err = fieldErr(field, fmt.Sprintf("检查事项%d：%s：%s", i+1, fh.Filename, qingqian.ErrorMessage(err)))
						}
						return err
					}
					in.Findings[i].Evidence = append(in.Findings[i].Evidence, v.SHA256)
				}
			}
		}
		_, err := s.Campaigns.PrepareAnswer(r.Context(), id, in)
		return err
	}, show, func() string { return fmt.Sprintf("/campaigns/%d?done=prepared", id) })
}

func (s *Server) closeCampaignForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Campaigns.CloseCampaign(r.Context(), id, form.Get("summary"), formInt(form, "version", qingqian.Validation{}))
		return err
	}, func(st int, v *view) error { return s.showCampaign(w, r, st, v) }, func() string { return fmt.Sprintf("/campaigns/%d?done=campaign_closed", id) })
}

type answerData struct {
	X       *qingqian.CampaignAnswer
	C       *qingqian.Campaign
	CanSign bool
}

func (s *Server) answerPage(w http.ResponseWriter, r *http.Request) error {
	return s.showAnswer(w, r, http.StatusOK, &view{})
}

func (s *Server) showAnswer(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	x, err := s.Campaigns.FindAnswer(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.Campaigns.FindCampaign(ctx, x.CampaignID)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &answerData{X: x, C: c, CanSign: a.CanSign(qingqian.ActReview) && c.State == qingqian.CampaignOpen &&
		(x.State == qingqian.StatePrepared || x.State == qingqian.StateReviewed)}
	v.Title, v.Nav, v.Data = "自查报告 "+x.OrgName, "campaigns", d
	s.render(w, r, status, "campaign_answer", v)
	return nil
}

func (s *Server) signAnswerForm(w http.ResponseWriter, r *http.Request) error {
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
		_, err := s.Campaigns.SignAnswer(r.Context(), id, act, form.Get("note"), formInt(form, "version", qingqian.Validation{}))
		return err
	}, func(st int, v *view) error { return s.showAnswer(w, r, st, v) }, func() string { return fmt.Sprintf("/campaign-answers/%d?done=%s", id, act) })
}

// campaignAnnex prints a campaign as an annex: what was asked, who answered what, the summary.
func (s *Server) campaignAnnex(w http.ResponseWriter, r *http.Request) error {
	d, err := s.campaignData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "campaign_annex", &view{Title: "附件：" + d.C.Title, Nav: "campaigns", Data: d})
	return nil
}

// exportCampaign writes the campaign's table of units and their findings.
func (s *Server) exportCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Campaigns.FindCampaign(r.Context(), id)
	if err != nil {
		return err
	}
	xs, err := s.Campaigns.FindAnswers(r.Context(), id)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, c.Kind.Label()+"情况表", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteCampaign(wr, c, xs, format, meta)
	})
}
