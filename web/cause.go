package web

import (
	"net/http"

	"github.com/qingqian/qingqian"
)

// ---- API ----

func (s *Server) listCauses(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Causes.FindCauses(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

func (s *Server) getCauseAnalysis(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	a, err := s.Causes.AnalyseCauses(r.Context(), asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) setClueCause(w http.ResponseWriter, r *http.Request) error {
	var in qingqian.CauseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	return s.setCause(w, r, qingqian.SubjectClue, in)
}

func (s *Server) setItemCause(w http.ResponseWriter, r *http.Request) error {
	var in qingqian.CauseInput
	if err := decode(r, &in); err != nil {
		return err
	}
	return s.setCause(w, r, qingqian.SubjectItem, in)
}

func (s *Server) setCause(w http.ResponseWriter, r *http.Request, subject qingqian.CauseSubject, in qingqian.CauseInput) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Causes.SetCause(r.Context(), subject, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
