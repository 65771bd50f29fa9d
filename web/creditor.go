package web

import (
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

type creditorsData struct {
	Q          string
	Creditors  []*qingqian.Creditor
	Total      int
	Pager      *pager
	Ownerships []qingqian.Ownership
	Sizes      []qingqian.Size
}

func (s *Server) creditorsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCreditors(w, r, http.StatusOK, &view{})
}

func (s *Server) showCreditors(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	d := &creditorsData{Q: q.str("q"), Ownerships: ownerships, Sizes: []qingqian.Size{qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium, qingqian.SizeLarge}}
	var err error
	if d.Creditors, d.Total, err = s.Creditors.FindCreditors(r.Context(), qingqian.CreditorFilter{Query: d.Q, Offset: (page - 1) * 100, Limit: 100}); err != nil {
		return err
	}
	d.Pager = newPager(r, page, 100, d.Total)
	v.Title, v.Nav, v.Data = "债权企业", "creditors", d
	s.render(w, r, status, "creditors", v)
	return nil
}

func (s *Server) createCreditorForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Creditor{Name: strings.TrimSpace(form.Get("name")), USCC: form.Get("uscc"), Ownership: qingqian.Ownership(form.Get("ownership")),
		Size: qingqian.Size(form.Get("size")), SizeDeclaredOn: formDate(form, "size_declared_on", bad), SizeEvidence: form.Get("size_evidence"), Region: form.Get("region")}
	return s.submit(w, r, form, bad, func() error {
		return s.Creditors.CreateCreditor(r.Context(), c)
	}, func(st int, v *view) error { return s.showCreditors(w, r, st, v) }, func() string { return "/creditors?done=creditor" })
}

// ---- API ----

func (s *Server) listCreditors(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.CreditorFilter{Query: q.str("q"), USCC: q.str("uscc"), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if err := q.err(); err != nil {
		return err
	}
	cs, n, err := s.Creditors.FindCreditors(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(cs, n, f.Offset, f.Limit))
	return nil
}

type creditorInput struct {
	Name           string             `json:"name"`
	USCC           string             `json:"uscc"`
	Ownership      qingqian.Ownership `json:"ownership"`
	Size           qingqian.Size      `json:"size"`
	SizeDeclaredOn qingqian.Date      `json:"size_declared_on"`
	SizeEvidence   string             `json:"size_evidence"`
	Region         string             `json:"region"`
}

func (s *Server) createCreditor(w http.ResponseWriter, r *http.Request) error {
	var in creditorInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Creditor{Name: in.Name, USCC: in.USCC, Ownership: in.Ownership, Size: in.Size, SizeDeclaredOn: in.SizeDeclaredOn,
		SizeEvidence: in.SizeEvidence, Region: in.Region}
	if err := s.Creditors.CreateCreditor(r.Context(), c); err != nil {
		return err
	}
	etag(w, c.Version)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCreditor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Creditors.FindCreditorByID(r.Context(), id)
	if err != nil {
		return err
	}
	etag(w, c.Version)
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateCreditor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd qingqian.CreditorUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	if upd.Version, err = ifMatch(r, upd.Version); err != nil {
		return err
	}
	c, err := s.Creditors.UpdateCreditor(r.Context(), id, upd)
	if err != nil {
		return err
	}
	etag(w, c.Version)
	writeJSON(w, http.StatusOK, c)
	return nil
}
