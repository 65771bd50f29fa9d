package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

func (s *Server) planForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.writableItem(r, id); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	in := qingqian.PlanInput{Reason: strings.TrimSpace(form.Get("reason")), BaseRevision: formInt(form, "base_revision", bad)}
	// One instalment a row; a row left empty is skipped, and errors name the row.
	dues, amounts, funds, notes := form["due"], form["amount"], form["funding"], form["note"]
	for i := range dues {
		if dues[i] == "" && (i >= len(amounts) || amounts[i] == "") {
			continue
		}
		inst := qingqian.Instalment{}
		if inst.Due, err = qingqian.ParseDate(strings.TrimSpace(dues[i])); err != nil {
			bad.Add(fmt.Sprintf("due.%d", i), fmt.Sprintf("第%d行：请填写计划日期", i+1))
		}
		if i < len(amounts) {
			if inst.Amount, err = parseAmount(amounts[i]); err != nil {
				bad.Add(fmt.Sprintf("amount.%d", i), fmt.Sprintf("第%d行：金额应为元，最多两位小数", i+1))
			}
		}
		if i < len(funds) {
			inst.FundingSource = qingqian.FundingSource(funds[i])
		}
		if i < len(notes) {
			inst.Note = notes[i]
		}
		in.Instalments = append(in.Instalments, inst)
	}
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Plans.RevisePlan(r.Context(), id, in)
		return err
	}, s.showItem(w, r, id, true), func() string { return fmt.Sprintf("/items/%d?done=plan#plan", id) })
}

// ---- API ----

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ps, err := s.Plans.FindPlans(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}

func (s *Server) revisePlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in qingqian.PlanInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.Plans.RevisePlan(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}
