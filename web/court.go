package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

type casesData struct {
	Cases    []*qingqian.Case
	Disputed []*qingqian.Item
	Kinds    []qingqian.CaseKind
	CanWrite bool
	Open     bool
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCases(w, r, http.StatusOK, &view{})
}

func (s *Server) showCases(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	open := r.URL.Query().Get("open") == "true"
	cs, err := s.Cases.FindCases(ctx, open)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &casesData{Cases: cs, Kinds: qingqian.CaseKinds, CanWrite: a.CanWrite(), Open: open}
	if d.CanWrite {
		yes := true
		p, err := s.Items.FindItems(ctx, qingqian.ItemFilter{Disputed: &yes, Limit: 200, NoTotals: true})
		if err != nil {
			return err
		}
		d.Disputed = p.Items
	}
	v.Title, v.Nav, v.Data = "司法案件", "cases", d
	s.render(w, r, status, "cases", v)
	return nil
}

func (s *Server) createCaseForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Case{Kind: qingqian.CaseKind(form.Get("kind")), Body: form.Get("body"), CaseNo: form.Get("case_no"), FiledOn: formDate(form, "filed_on", bad),
		Claimed: formMoney(form, "claimed", bad), Responsible: form.Get("responsible"), NextStep: form.Get("next_step"), ExpectedOn: formDate(form, "expected_on", bad)}
	for _, v := range form["items"] {
		if id := atoi64(v); id > 0 {
			c.Items = append(c.Items, id)
		}
	}
	return s.submit(w, r, form, bad, func() error {
		return s.Cases.CreateCase(r.Context(), c)
	}, func(st int, v *view) error { return s.showCases(w, r, st, v) }, func() string { return fmt.Sprintf("/cases/%d?done=case", c.ID) })
}

type caseData struct {
	C        *qingqian.Case
	Items    []*qingqian.Item
	Stages   []qingqian.CaseStage
	CanWrite bool
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) error {
	return s.showCase(w, r, http.StatusOK, &view{})
}

func (s *Server) showCase(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Cases.FindCase(ctx, id)
	if err != nil {
		return err
	}
	d := &caseData{C: c, Stages: c.Kind.Stages(), CanWrite: qingqian.ActorFrom(ctx).CanWrite() && c.Stage != qingqian.StageClosed}
	for _, itemID := range c.Items {
		it, err := s.Items.FindItemByID(ctx, itemID, qingqian.Date{}, time.Time{})
		if err != nil {
			return err
		}
		d.Items = append(d.Items, it)
	}
	if v.Form == nil {
		v.Form = url.Values{"on": {qingqian.Today().String()}, "responsible": {c.Responsible}, "next_step": {c.NextStep}, "expected_on": {c.ExpectedOn.String()}}
	}
	v.Title, v.Nav, v.Data = "案件 "+c.CaseNo, "cases", d
	s.render(w, r, status, "case", v)
	return nil
}

func (s *Server) caseActionForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	version := formInt(form, "version", bad)
	action := r.PathValue("action")
	var run func() error
	switch action {
	case "event":
		e := qingqian.CaseEvent{On: formDate(form, "on", bad), Stage: qingqian.CaseStage(form.Get("stage")), Text: form.Get("text")}
		run = func() error {
			_, err := s.Cases.AddEvent(ctx, id, e, version)
			return err
		}
	case "decision":
		d := qingqian.Decision{ItemID: atoi64(form.Get("item_id")), On: formDate(form, "on", bad), Stage: qingqian.CaseStage(form.Get("stage")),
			Confirmed: formMoney(form, "confirmed", bad), Reduced: formMoney(form, "reduced", bad), Text: form.Get("text"), Version: version}
		run = func() error {
			_, err := s.Cases.Decide(ctx, id, d)
			return err
		}
	case "plan":
		resp, next, exp := form.Get("responsible"), form.Get("next_step"), formDate(form, "expected_on", bad)
		run = func() error {
			_, err := s.Cases.UpdateCase(ctx, id, qingqian.CaseUpdate{Responsible: &resp, NextStep: &next, ExpectedOn: &exp, Version: version})
			return err
		}
	default:
		return qingqian.Errorf(qingqian.ENOTFOUND, "页面不存在")
	}
	return s.submit(w, r, form, bad, func() error {
		return run()
	}, func(st int, v *view) error { return s.showCase(w, r, st, v) }, func() string { return fmt.Sprintf("/cases/%d?done=case_%s", id, action) })
}

type disputesData struct {
	T      *qingqian.DisputeTable
	Title  string
	Orgs   []*qingqian.Org
	OrgID  int64
	Export string
}

// disputeQuery reads the table's unit and date; the date defaults to the end of last month.
func disputeQuery(r *http.Request) (int64, qingqian.Date, error) {
	q := newQuery(r)
	orgID, asOf := q.id("org_id"), q.date("as_of")
	if asOf.IsZero() {
		asOf = monthEnd(qingqian.Today(), -1)
	}
	return orgID, asOf, q.err()
}

func (s *Server) disputesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgID, asOf, err := disputeQuery(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.Disputes(ctx, orgID, asOf)
	if err != nil {
		return err
	}
	d := &disputesData{T: t, Title: xlsx.DisputeTitle(t), OrgID: orgID, Export: "/disputes/export?" + url.Values{"org_id": {r.URL.Query().Get("org_id")}, "as_of": {asOf.String()}}.Encode()}
	if d.Orgs, _, err = s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{MaxDepth: 2, Limit: 200}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "disputes", &view{Title: d.Title, Nav: "cases", Data: d})
	return nil
}

func (s *Server) exportDisputes(w http.ResponseWriter, r *http.Request) error {
	orgID, asOf, err := disputeQuery(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.Disputes(r.Context(), orgID, asOf)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "剩余有分歧账款推动解决情况表", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteDisputes(wr, t, format, meta)
	})
}

// ---- API ----

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	open := q.boolp("open")
	if err := q.err(); err != nil {
		return err
	}
	cs, err := s.Cases.FindCases(r.Context(), open != nil && *open)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

type caseInput struct {
	OrgID       int64             `json:"org_id"`
	Kind        qingqian.CaseKind `json:"kind"`
	Body        string            `json:"body"`
	CaseNo      string            `json:"case_no"`
	FiledOn     qingqian.Date     `json:"filed_on"`
	Claimed     qingqian.Money    `json:"claimed"`
	Responsible string            `json:"responsible"`
	NextStep    string            `json:"next_step"`
	ExpectedOn  qingqian.Date     `json:"expected_on"`
	Items       []int64           `json:"items"`
}

func (s *Server) createCase(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	var in caseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Case{OrgID: in.OrgID, Kind: in.Kind, Body: in.Body, CaseNo: in.CaseNo, FiledOn: in.FiledOn, Claimed: in.Claimed,
		Responsible: in.Responsible, NextStep: in.NextStep, ExpectedOn: in.ExpectedOn, Items: in.Items}
	if err := s.Cases.CreateCase(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Cases.FindCase)
}

type eventInput struct {
	On      qingqian.Date      `json:"on"`
	Stage   qingqian.CaseStage `json:"stage"`
	Text    string             `json:"text"`
	Version int                `json:"version"`
}

func (s *Server) addCaseEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	var in eventInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Cases.AddEvent(r.Context(), id, qingqian.CaseEvent{On: in.On, Stage: in.Stage, Text: in.Text}, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	var in qingqian.Decision
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Cases.Decide(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) getDisputes(w http.ResponseWriter, r *http.Request) error {
	orgID, asOf, err := disputeQuery(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.Disputes(r.Context(), orgID, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
