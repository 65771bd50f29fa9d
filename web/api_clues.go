package web

import (
	"context"
	"net/http"

	"github.com/qingqian/qingqian"
)

// clueAPIRoutes are the API's routes for complaint clues, court cases and the disputed-debt
// table.
func (s *Server) clueAPIRoutes() []route {
	return []route{
		{"GET /api/v1/clues", s.listClues},
		{"POST /api/v1/clues", s.createClue},
		{"GET /api/v1/clues/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Clue, error) { return s.Clues.FindClue(ctx, id) })},
		{"POST /api/v1/clues/{id}/assign", s.assignClue},
		{"POST /api/v1/clues/{id}/verify", s.verifyClue},
		{"POST /api/v1/clues/{id}/items", s.linkClueItem},
		{"POST /api/v1/clues/{id}/updates", s.addClueUpdate},
		{"POST /api/v1/clues/{id}/close", s.closeClue},
		{"GET /api/v1/cases", s.listCases},
		{"POST /api/v1/cases", s.createCase},
		{"GET /api/v1/cases/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Case, error) { return s.Cases.FindCase(ctx, id) })},
		{"POST /api/v1/cases/{id}/events", s.addCaseEvent},
		{"POST /api/v1/cases/{id}/decisions", s.decideCase},
		{"GET /api/v1/disputes", s.getDisputes},
	}
}

func (s *Server) listClues(w http.ResponseWriter, r *http.Request) error {
	f, q := clueFilter(r)
	f.Offset, f.Limit = q.int("offset", 0), min(q.int("limit", 50), 500)
	if err := q.err(); err != nil {
		return err
	}
	list, n, err := s.Clues.FindClues(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(list, n, f.Offset, f.Limit))
	return nil
}

type clueInput struct {
	Channel      qingqian.Channel `json:"channel"`
	TransferNo   string           `json:"transfer_no"`
	ReceivedOn   qingqian.Date    `json:"received_on"`
	CreditorName string           `json:"creditor_name"`
	CreditorUSCC string           `json:"creditor_uscc"`
	Respondent   string           `json:"respondent"`
	Claimed      qingqian.Money   `json:"claimed"`
	Text         string           `json:"text"`
}

func (s *Server) createClue(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in clueInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Clue{Channel: in.Channel, TransferNo: in.TransferNo, ReceivedOn: in.ReceivedOn, CreditorName: in.CreditorName,
		CreditorUSCC: in.CreditorUSCC, Respondent: in.Respondent, Claimed: in.Claimed, Text: in.Text}
	if err := s.Clues.CreateClue(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// clueAction decodes a body into in and runs fn, answering with the clue afterwards. Callers
// that may not write are refused before their body is read.
func clueAction[T any](w http.ResponseWriter, r *http.Request, fn func(id int64, in *T) (*qingqian.Clue, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	var in T
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := fn(id, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) assignClue(w http.ResponseWriter, r *http.Request) error {
	return clueAction(w, r, func(id int64, in *qingqian.Assignment) (*qingqian.Clue, error) {
		return s.Clues.Assign(r.Context(), id, *in)
	})
}

func (s *Server) verifyClue(w http.ResponseWriter, r *http.Request) error {
	return clueAction(w, r, func(id int64, in *qingqian.Verification) (*qingqian.Clue, error) {
		return s.Clues.Verify(r.Context(), id, *in)
	})
}

type linkInput struct {
	ItemID  int64 `json:"item_id"`
	Version int   `json:"version"`
}

func (s *Server) linkClueItem(w http.ResponseWriter, r *http.Request) error {
	return clueAction(w, r, func(id int64, in *linkInput) (*qingqian.Clue, error) {
		return s.Clues.LinkItem(r.Context(), id, in.ItemID, in.Version)
	})
}

type updateInput struct {
	On   qingqian.Date `json:"on"`
	Text string        `json:"text"`
}

func (s *Server) addClueUpdate(w http.ResponseWriter, r *http.Request) error {
	return clueAction(w, r, func(id int64, in *updateInput) (*qingqian.Clue, error) {
		return s.Clues.AddUpdate(r.Context(), id, in.On, in.Text)
	})
}

type versionInput struct {
	Version int `json:"version"`
}

func (s *Server) closeClue(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	return clueAction(w, r, func(id int64, in *versionInput) (*qingqian.Clue, error) {
		return s.Clues.Close(r.Context(), id, in.Version)
	})
}

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
