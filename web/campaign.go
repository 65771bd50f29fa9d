package web

import (
	"net/http"

	"github.com/qingqian/qingqian"
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
	c := &qingqian.Campaign{Kind: in.Kind, Title: in.Title, Basis: in.Basis, Scope: in.Scope, Checklist: in.Checklist, StartsOn: in.StartsOn,
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
