package web

import (
	"net/http"

	"github.com/qingqian/qingqian"
)

// ---- API ----

func (s *Server) listCirculars(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Circulars.FindCirculars(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

type circularInput struct {
	No            string                  `json:"no"`
	Title         string                  `json:"title"`
	Body          string                  `json:"body"`
	Attachments   []string                `json:"attachments"`
	ReplyRequired bool                    `json:"reply_required"`
	ReplyBy       qingqian.Date           `json:"reply_by"`
	Target        qingqian.CircularTarget `json:"target"`
	RuleTop       int                     `json:"rule_top"`
	OrgIDs        []int64                 `json:"org_ids"`
}

func (s *Server) sendCircular(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in circularInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Circular{No: in.No, Title: in.Title, Body: in.Body, Attachments: in.Attachments, ReplyRequired: in.ReplyRequired,
		ReplyBy: in.ReplyBy, Target: in.Target, RuleTop: in.RuleTop}
	if err := s.Circulars.SendCircular(r.Context(), c, in.OrgIDs); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCircular(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Circulars.FindCircular)
}

func (s *Server) signForCircular(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Circulars.SignFor(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type circularReplyInput struct {
	Reply string `json:"reply"`
}

func (s *Server) replyCircular(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	// Whoever may not see the circular learns nothing of it; the lookup records the attempt.
	if _, err := s.Circulars.FindCircular(r.Context(), id); err != nil {
		return err
	}
	var in circularReplyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Circulars.Reply(r.Context(), id, in.Reply)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type passDownInput struct {
	Target qingqian.CircularTarget `json:"target"`
	OrgIDs []int64                 `json:"org_ids"`
}

func (s *Server) passDownCircular(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	if _, err := s.Circulars.FindCircular(r.Context(), id); err != nil {
		return err
	}
	var in passDownInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Circulars.PassDown(r.Context(), id, in.Target, in.OrgIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}
