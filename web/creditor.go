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
	return s.renderCreditors(w, r, http.StatusOK, &view{})
}

func (s *Server) renderCreditors(w http.ResponseWriter, r *http.Request, status int, v *view) error {
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
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	f := r.PostForm
	c := &qingqian.Creditor{Name: strings.TrimSpace(f.Get("name")), USCC: f.Get("uscc"), Ownership: qingqian.Ownership(f.Get("ownership")),
		Size: qingqian.Size(f.Get("size")), SizeEvidence: f.Get("size_evidence"), Region: f.Get("region")}
	var err error
	if v := f.Get("size_declared_on"); v != "" {
		if c.SizeDeclaredOn, err = qingqian.ParseDate(v); err != nil {
			return s.renderCreditors(w, r, http.StatusBadRequest, &view{Error: "日期格式不正确", Fields: map[string]string{"size_declared_on": "日期格式不正确"}, Form: f})
		}
	}
	if err := s.Creditors.CreateCreditor(r.Context(), c); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		return s.renderCreditors(w, r, http.StatusBadRequest, &view{Error: msg, Fields: fields, Form: f})
	}
	http.Redirect(w, r, "/creditors?done=creditor", http.StatusSeeOther)
	return nil
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
