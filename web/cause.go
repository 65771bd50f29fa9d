package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
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
	asOf, period := q.date("as_of"), qingqian.AnalysisPeriod(q.str("period"))
	if err := q.err(); err != nil {
		return err
	}
	a, err := s.Causes.AnalyseCauses(r.Context(), asOf, period)
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

// ---- pages ----

// causeBox is the cause section of a clue's or an item's page.
type causeBox struct {
	Action  string // where the form posts
	Rec     *qingqian.CauseRecord
	CanEdit bool
	Causes  []qingqian.Cause
	Error   string
	Fields  map[string]string
	Cause   string // what was chosen, kept after an error
	Note    string
}

// causeBoxFor builds the cause section for a page; open says whether a cause may be recorded
// now (a clue once verified).
func (s *Server) causeBoxFor(r *http.Request, subject qingqian.CauseSubject, id int64, v *view, open bool) (*causeBox, error) {
	rec, err := s.Causes.FindCause(r.Context(), subject, id)
	if err != nil {
		return nil, err
	}
	b := &causeBox{Action: fmt.Sprintf("/%ss/%d/cause", subject, id), Rec: rec, Causes: qingqian.Causes,
		CanEdit: open && qingqian.ActorFrom(r.Context()).CanWrite()}
	if rec != nil {
		b.Cause, b.Note = string(rec.Cause), rec.Note
	}
	if v.Form.Get("cause_form") == "1" {
		b.Error, b.Fields, b.Cause, b.Note = v.Error, v.Fields, v.Form.Get("cause"), v.Form.Get("note")
		v.Error, v.Fields = "", nil
	}
	return b, nil
}

func (s *Server) clueCauseForm(w http.ResponseWriter, r *http.Request) error {
	return s.causeForm(w, r, qingqian.SubjectClue, func(st int, v *view) error { return s.showClue(w, r, st, v) })
}

func (s *Server) itemCauseForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.causeForm(w, r, qingqian.SubjectItem, s.showItem(w, r, id, false))
}

func (s *Server) causeForm(w http.ResponseWriter, r *http.Request, subject qingqian.CauseSubject, show func(int, *view) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	form.Set("cause_form", "1")
	in := qingqian.CauseInput{Cause: qingqian.Cause(form.Get("cause")), Note: form.Get("note")}
	return s.submit(w, r, form, nil, func() error {
		_, err := s.Causes.SetCause(r.Context(), subject, id, in)
		return err
	}, show, func() string { return fmt.Sprintf("/%ss/%d?done=cause#cause", subject, id) })
}

type causesData struct {
	A       *qingqian.CauseAnalysis
	Causes  []qingqian.Cause
	Records []*qingqian.CauseRecord
	Pager   *pager
	AsOf    string
	Periods []qingqian.AnalysisPeriod
	Office  bool // the clearance office: it may send a 举一反三 notice
	Rising  int  // groups whose complaints rose
}

func (s *Server) causesPage(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	asOf, period := q.date("as_of"), qingqian.AnalysisPeriod(q.str("period"))
	page := max(q.int("page", 1), 1)
	if err := q.err(); err != nil {
		return err
	}
	ctx := r.Context()
	an, err := s.Causes.AnalyseCauses(ctx, asOf, period)
	if err != nil {
		return err
	}
	recs, err := s.Causes.FindCauses(ctx)
	if err != nil {
		return err
	}
	total := len(recs)
	d := &causesData{A: an, Causes: qingqian.Causes, Records: recs[min((page-1)*pageSize, total):min(page*pageSize, total)], AsOf: an.AsOf.String(),
		Periods: qingqian.AnalysisPeriods, Office: isOffice(r)}
	// The notice goes to the groups rising over the half-year to the day it is sent (the
	// circular's rule), so it is offered from that view only.
	for _, t := range an.Trends {
		if t.Rising && an.Period == qingqian.PeriodHalf && an.AsOf == qingqian.Today() {
			d.Rising++
		}
	}
	if total > pageSize {
		d.Pager = newPager(r, page, pageSize, total)
	}
	s.render(w, r, http.StatusOK, "causes", &view{Title: "拖欠原因分析", Nav: "causes", Data: d})
	return nil
}

// exportCauses writes the causes recorded.
func (s *Server) exportCauses(w http.ResponseWriter, r *http.Request) error {
	recs, err := s.Causes.FindCauses(r.Context())
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "拖欠原因明细表", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteCauses(wr, recs, format, meta)
	})
}
