package web

import (
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

// The payables derived from the contracts: aging, the drill-down, the sweep into the ledger and
// the timely-payment rate.

type agingData struct {
	Aging   *qingqian.Aging
	Buckets []qingqian.AgingBucket
}

func (s *Server) agingPage(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	orgID, asOf := q.id("org_id"), q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	ag, err := s.Aging.Aging(r.Context(), orgID, asOf)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "aging", &view{Title: "应付账款账龄", Nav: "contracts", Data: &agingData{Aging: ag, Buckets: qingqian.AgingBuckets}})
	return nil
}

type payablesData struct {
	F        qingqian.PayableFilter
	Payables []*qingqian.OpenPayable
	Buckets  []qingqian.AgingBucket
}

// payableFilter reads the drill-down's filter from the URL; the page and the API share it.
func payableFilter(r *http.Request) (qingqian.PayableFilter, *query) {
	q := newQuery(r)
	f := qingqian.PayableFilter{OrgID: q.id("org_id"), AsOf: q.date("as_of"), Bucket: qingqian.AgingBucket(q.str("bucket")),
		Subtree: q.str("subtree") != "0", Offset: q.int("offset", 0), Limit: q.int("limit", 200)}
	if _, ok := qingqian.AgingBucketNames[f.Bucket]; f.Bucket != "" && !ok {
		q.bad.Add("bucket", "账龄区间应为 "+strings.Join(bucketCodes(), "、")+" 之一")
	}
	return f, q
}

func bucketCodes() []string {
	var out []string
	for _, b := range qingqian.AgingBuckets {
		out = append(out, string(b))
	}
	return out
}

func (s *Server) payablesPage(w http.ResponseWriter, r *http.Request) error {
	f, q := payableFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	if f.AsOf.IsZero() {
		f.AsOf = qingqian.Today()
	}
	ps, err := s.Aging.FindOpenPayables(r.Context(), f)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "payables", &view{Title: "应付款", Nav: "contracts", Data: &payablesData{F: f, Payables: ps, Buckets: qingqian.AgingBuckets}})
	return nil
}

func (s *Server) getAging(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	orgID, asOf := q.id("org_id"), q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	ag, err := s.Aging.Aging(r.Context(), orgID, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

func (s *Server) listPayables(w http.ResponseWriter, r *http.Request) error {
	f, q := payableFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	ps, err := s.Aging.FindOpenPayables(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}

// arrearsOutcome is what raiseArrears answers.
type arrearsOutcome struct {
	Contracts int `json:"contracts"` // contracts whose payables became ledger items
}

func (s *Server) raiseArrears(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Contracts.RaiseArrears(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, arrearsOutcome{Contracts: n})
	return nil
}

// raiseArrearsForm is the payables page's button for what the server also does every night: the
// payables of the user's subtree that are overdue and unpaid become items of the ledger.
func (s *Server) raiseArrearsForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := parseForm(w, r); err != nil {
		return err
	}
	n, err := s.Contracts.RaiseArrears(r.Context())
	if err != nil {
		return err
	}
	done := "arrears"
	if n == 0 {
		done = "arrears_none"
	}
	http.Redirect(w, r, "/payables?done="+done, http.StatusSeeOther)
	return nil
}

// timelyQuery reads the unit and the period; the period defaults to the current year to date.
func timelyQuery(r *http.Request) (orgID int64, from, to qingqian.Date, q *query) {
	q = newQuery(r)
	orgID, from, to = q.id("org_id"), q.date("from"), q.date("to")
	if to.IsZero() {
		to = qingqian.Today()
	}
	if from.IsZero() {
		from = qingqian.NewDate(to.Year(), 1, 1)
	}
	return
}

func (s *Server) timelyPage(w http.ResponseWriter, r *http.Request) error {
	orgID, from, to, q := timelyQuery(r)
	if err := q.err(); err != nil {
		return err
	}
	t, err := s.Aging.TimelyRates(r.Context(), orgID, from, to)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "timely", &view{Title: "及时支付率", Nav: "contracts", Data: t})
	return nil
}

func (s *Server) getTimely(w http.ResponseWriter, r *http.Request) error {
	orgID, from, to, q := timelyQuery(r)
	if err := q.err(); err != nil {
		return err
	}
	t, err := s.Aging.TimelyRates(r.Context(), orgID, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
