package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

type disclosuresData struct {
	Disclosures []*qingqian.Disclosure
	Orgs        []*qingqian.Org
	Year        int
}

func (s *Server) disclosuresPage(w http.ResponseWriter, r *http.Request) error {
	return s.showDisclosures(w, r, http.StatusOK, &view{})
}

func (s *Server) showDisclosures(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	ds, err := s.Disclosures.FindDisclosures(ctx, 0)
	if err != nil {
		return err
	}
	orgs, _, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Limit: 500, MaxDepth: 1})
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "年度公示", "contracts", &disclosuresData{Disclosures: ds, Orgs: orgs, Year: qingqian.Today().Year() - 1}
	s.render(w, r, status, "disclosures", v)
	return nil
}

func (s *Server) prepareDisclosureForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	d := &qingqian.Disclosure{OrgID: atoi64(form.Get("org_id")), Year: formInt(form, "year", bad), HasOverdue: form.Get("has_overdue") == "true",
		Count: formInt(form, "count", bad), Note: strings.TrimSpace(form.Get("note"))}
	if strings.TrimSpace(form.Get("amount")) != "" {
		d.Amount = formMoney(form, "amount", bad)
	}
	return s.submit(w, r, form, bad, func() error { return s.Disclosures.PrepareDisclosure(ctx, d) },
		func(st int, v *view) error { return s.showDisclosures(w, r, st, v) }, func() string { return fmt.Sprintf("/disclosures/%d?done=disclosure", d.ID) })
}

func (s *Server) disclosurePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.showDisclosure(w, r, id, http.StatusOK, &view{})
}

// showDisclosure renders a disclosure's page, with the error of a refused signing if any.
func (s *Server) showDisclosure(w http.ResponseWriter, r *http.Request, id int64, status int, v *view) error {
	d, err := s.Disclosures.FindDisclosureByID(r.Context(), id)
	if err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = fmt.Sprintf("%d年度公示 · %s", d.Year, d.OrgName), "contracts", d
	s.render(w, r, status, "disclosure", v)
	return nil
}

func (s *Server) signDisclosureForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	in := qingqian.DisclosureSign{Version: int(atoi64(form.Get("version"))), ConfirmContradiction: form.Get("confirm_contradiction") != "",
		Reason: form.Get("reason")}
	if _, err := s.Disclosures.SignDisclosure(r.Context(), id, in); err != nil {
		// A refusal about this signing (the year, the signer, the contradiction) is shown on the
		// disclosure's page; one the signer may not see the disclosure for stays an error page.
		switch qingqian.ErrorCode(err) {
		case qingqian.EINVALID, qingqian.ECONFLICT, qingqian.EFORBIDDEN:
			if _, ferr := s.Disclosures.FindDisclosureByID(r.Context(), id); ferr == nil {
				return s.showDisclosure(w, r, id, ErrorStatus(err), &view{Error: qingqian.ErrorMessage(err), Fields: qingqian.ErrorFields(err), Form: form})
			}
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/disclosures/%d?done=disclosure_signed", id), http.StatusSeeOther)
	return nil
}

// ---- API ----

func (s *Server) listDisclosures(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	year := q.int("year", 0)
	if err := q.err(); err != nil {
		return err
	}
	ds, err := s.Disclosures.FindDisclosures(r.Context(), year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ds})
	return nil
}

type disclosureInput struct {
	OrgID      int64          `json:"org_id"`
	Year       int            `json:"year"`
	HasOverdue bool           `json:"has_overdue"`
	Count      int            `json:"count"`
	Amount     qingqian.Money `json:"amount"`
	Note       string         `json:"note"`
}

func (s *Server) prepareDisclosure(w http.ResponseWriter, r *http.Request) error {
	var in disclosureInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d := &qingqian.Disclosure{OrgID: in.OrgID, Year: in.Year, HasOverdue: in.HasOverdue, Count: in.Count, Amount: in.Amount, Note: in.Note}
	if err := s.Disclosures.PrepareDisclosure(r.Context(), d); err != nil {
		return err
	}
	got, err := s.Disclosures.FindDisclosureByID(r.Context(), d.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, got)
	return nil
}

func (s *Server) getDisclosure(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.Disclosures.FindDisclosureByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// disclosureSignInput signs a disclosure: the version seen; for a declaration the payables
// contradict, confirm_contradiction and the reason.
type disclosureSignInput struct {
	Version              int    `json:"version"`
	ConfirmContradiction bool   `json:"confirm_contradiction"`
	Reason               string `json:"reason"`
}

func (s *Server) signDisclosure(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in disclosureSignInput
	if err := decode(r, &in); err != nil {
		return err
	}
	d, err := s.Disclosures.SignDisclosure(r.Context(), id, qingqian.DisclosureSign{Version: in.Version, ConfirmContradiction: in.ConfirmContradiction, Reason: in.Reason})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
