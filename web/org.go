package web

import (
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

type orgsData struct {
	Q       string
	Orgs    []*qingqian.Org
	Parents []*qingqian.Org
	Total   int
	Pager   *pager
}

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showOrgs(w, r, http.StatusOK, &view{})
}

func (s *Server) showOrgs(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	d := &orgsData{Q: q.str("q")}
	var err error
	if d.Orgs, d.Total, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Query: d.Q, Offset: (page - 1) * 100, Limit: 100}); err != nil {
		return err
	}
	if d.Parents, _, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Active: ptr(true), Limit: 500}); err != nil {
		return err
	}
	if err := s.personalData(r, "org", d.Orgs); err != nil {
		return err
	}
	d.Pager = newPager(r, page, 100, d.Total)
	v.Title, v.Nav, v.Data = "单位", "orgs", d
	s.render(w, r, status, "orgs", v)
	return nil
}

func (s *Server) createOrgForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	o := &qingqian.Org{ParentID: atoi64(form.Get("parent_id")), Name: strings.TrimSpace(form.Get("name")), ShortName: strings.TrimSpace(form.Get("short_name")),
		USCC: form.Get("uscc"), Kind: qingqian.OrgKind(form.Get("kind")), LeaderName: form.Get("leader_name"), Department: form.Get("department"),
		LiaisonName: form.Get("liaison_name"), LiaisonPhone: strings.TrimSpace(form.Get("liaison_phone"))}
	return s.submit(w, r, form, nil, func() error {
		return s.Orgs.CreateOrg(r.Context(), o)
	}, func(st int, v *view) error { return s.showOrgs(w, r, st, v) }, func() string { return "/orgs?done=org" })
}

// ---- API ----

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.OrgFilter{Under: q.id("under"), Query: q.str("q"), Active: q.boolp("active"), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if err := q.err(); err != nil {
		return err
	}
	orgs, n, err := s.Orgs.FindOrgs(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.personalData(r, "org", orgs); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(orgs, n, f.Offset, f.Limit))
	return nil
}

type orgInput struct {
	ParentID     int64            `json:"parent_id"`
	Name         string           `json:"name"`
	ShortName    string           `json:"short_name"`
	USCC         string           `json:"uscc"`
	Kind         qingqian.OrgKind `json:"kind"`
	LeaderName   string           `json:"leader_name"`
	Department   string           `json:"department"`
	LiaisonName  string           `json:"liaison_name"`
	LiaisonPhone string           `json:"liaison_phone"`
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	var in orgInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o := &qingqian.Org{ParentID: in.ParentID, Name: in.Name, ShortName: in.ShortName, USCC: in.USCC, Kind: in.Kind,
		LeaderName: in.LeaderName, Department: in.Department, LiaisonName: in.LiaisonName, LiaisonPhone: in.LiaisonPhone}
	if err := s.Orgs.CreateOrg(r.Context(), o); err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.Orgs.FindOrgByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.personalData(r, "org", []*qingqian.Org{o}); err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd qingqian.OrgUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	if upd.Version, err = ifMatch(r, upd.Version); err != nil {
		return err
	}
	o, err := s.Orgs.UpdateOrg(r.Context(), id, upd)
	if err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Orgs.DeleteOrg(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) moveOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		ParentID int64 `json:"parent_id"`
		Version  int   `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version, err = ifMatch(r, in.Version); err != nil {
		return err
	}
	o, err := s.Orgs.MoveOrg(r.Context(), id, in.ParentID, in.Version)
	if err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) orgTotals(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	tq := qingqian.TotalsQuery{OrgID: id, AsOf: q.date("as_of"), KnownAt: q.time("known_at")}
	if err := q.err(); err != nil {
		return err
	}
	t, err := s.Totals.SubtreeTotals(r.Context(), tq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// personalData records that a response shows the liaisons' phone numbers of units: who read
// them, from where, and whose.
func (s *Server) personalData(r *http.Request, entity string, orgs []*qingqian.Org) error {
	var ids []int64
	for _, o := range orgs {
		if o.LiaisonPhone != "" {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return s.Audit.RecordAccess(r.Context(), "personal.view", entity, 0, map[string]any{"field": "liaison_phone", "ids": ids, "path": r.URL.Path})
}
