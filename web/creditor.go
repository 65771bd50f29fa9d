package web

import (
	"net/http"
	"net/url"
	"strconv"
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
	// Changes are the change requests waiting for the office (its own, for a unit).
	Changes []*qingqian.CreditorChange
	Office  bool
	// ByCode is true when the creditor listed was found by its code only: the unit does not use
	// it yet, and may name it by that code on a new item.
	ByCode bool
}

func (s *Server) creditorsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCreditors(w, r, http.StatusOK, &view{})
}

func (s *Server) showCreditors(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	d := &creditorsData{Q: q.str("q"), Ownerships: ownerships, Sizes: sizes, Office: isOffice(r)}
	var err error
	f := qingqian.CreditorFilter{Query: d.Q, Offset: (page - 1) * 100, Limit: 100}
	if d.Creditors, d.Total, err = s.Creditors.FindCreditors(r.Context(), f); err != nil {
		return err
	}
	if d.Total == 0 && qingqian.CheckUSCC(qingqian.NormalizeUSCC(d.Q)) == "" {
		// A whole USCC finds its creditor, whoever uses it: to use it rather than register it again.
		if d.Creditors, d.Total, err = s.Creditors.FindCreditors(r.Context(), qingqian.CreditorFilter{USCC: d.Q, Limit: 1}); err != nil {
			return err
		}
		d.ByCode = d.Total > 0
	}
	if d.Changes, err = s.Creditors.FindCreditorChanges(r.Context(), true); err != nil {
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

var sizes = []qingqian.Size{qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium, qingqian.SizeLarge}

type creditorData struct {
	C          *qingqian.Creditor
	Ownerships []qingqian.Ownership
	Sizes      []qingqian.Size
	Changes    []*qingqian.CreditorChange // this creditor's requests
	Office     bool
}

func (s *Server) creditorPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCreditor(w, r, http.StatusOK, &view{})
}

func (s *Server) showCreditor(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Creditors.FindCreditorByID(r.Context(), id)
	if err != nil {
		return err
	}
	d := &creditorData{C: c, Ownerships: ownerships, Sizes: sizes, Office: isOffice(r)}
	all, err := s.Creditors.FindCreditorChanges(r.Context(), false)
	if err != nil {
		return err
	}
	for _, ch := range all {
		if ch.CreditorID == id {
			d.Changes = append(d.Changes, ch)
		}
	}
	if v.Form == nil {
		v.Form = url.Values{"name": {c.Name}, "ownership": {string(c.Ownership)}, "size": {string(c.Size)}, "size_declared_on": {c.SizeDeclaredOn.String()},
			"size_evidence": {c.SizeEvidence}, "region": {c.Region}, "version": {strconv.Itoa(c.Version)}}
		if c.SizeDeclaredOn.IsZero() {
			v.Form.Set("size_declared_on", "")
		}
	}
	v.Title, v.Nav, v.Data = c.Name, "creditors", d
	s.render(w, r, status, "creditor", v)
	return nil
}

// creditorForm reads the creditor form as an update: every field, as the form shows them all.
func creditorForm(form url.Values, bad qingqian.Validation) qingqian.CreditorUpdate {
	return qingqian.CreditorUpdate{Version: formInt(form, "version", bad), Name: ptr(strings.TrimSpace(form.Get("name"))),
		Ownership: ptr(qingqian.Ownership(form.Get("ownership"))), Size: ptr(qingqian.Size(form.Get("size"))),
		SizeDeclaredOn: ptr(formDate(form, "size_declared_on", bad)), SizeEvidence: ptr(strings.TrimSpace(form.Get("size_evidence"))),
		Region: ptr(strings.TrimSpace(form.Get("region")))}
}

// updateCreditorForm changes a creditor directly (the office, or its registering unit while
// nobody else uses it) or, with request set, asks the office to.
func (s *Server) updateCreditorForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	upd := creditorForm(form, bad)
	show := func(st int, v *view) error { return s.showCreditor(w, r, st, v) }
	if form.Get("request") != "" {
		return s.submit(w, r, form, bad, func() error {
			_, err := s.Creditors.RequestCreditorChange(r.Context(), id, upd, form.Get("reason"))
			return err
		}, show, func() string { return r.URL.Path + "?done=creditor_request" })
	}
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Creditors.UpdateCreditor(r.Context(), id, upd)
		return err
	}, show, func() string { return r.URL.Path + "?done=creditor_update" })
}

// decideCreditorChangeForm is the office approving or rejecting a change request.
func (s *Server) decideCreditorChangeForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !isOffice(r) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有清欠办可以审核债权企业变更申请")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, nil, nil, func() error {
		_, err := s.Creditors.DecideCreditorChange(r.Context(), id, form.Get("decision") == "approve", form.Get("note"))
		return err
	}, func(st int, v *view) error {
		v.Error = "审核失败：" + v.Error
		return s.showCreditors(w, r, st, v)
	}, func() string { return "/creditors?done=creditor_decided" })
}

// ---- API ----

type changeInput struct {
	Changes qingqian.CreditorUpdate `json:"changes"`
	Reason  string                  `json:"reason"`
}

func (s *Server) requestCreditorChange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	var in changeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ch, err := s.Creditors.RequestCreditorChange(r.Context(), id, in.Changes, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ch)
	return nil
}

func (s *Server) listCreditorChanges(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	pending := q.boolp("pending")
	if err := q.err(); err != nil {
		return err
	}
	cs, err := s.Creditors.FindCreditorChanges(r.Context(), pending != nil && *pending)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

type decisionInput struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

func (s *Server) decideCreditorChange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in decisionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	ch, err := s.Creditors.DecideCreditorChange(r.Context(), id, in.Approve, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ch)
	return nil
}

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
