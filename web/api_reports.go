package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

// reportAPIRoutes are the API's routes for periods, submissions, reports and supervision.
func (s *Server) reportAPIRoutes() []route {
	return []route{
		{"GET /api/v1/periods", s.listPeriods},
		{"POST /api/v1/periods", s.openPeriod},
		{"GET /api/v1/periods/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Period, error) { return s.Reports.FindPeriod(ctx, id) })},
		{"GET /api/v1/periods/{id}/submissions", byID(func(ctx context.Context, id int64) (map[string]any, error) {
			subs, err := s.Reports.FindSubmissions(ctx, id)
			return map[string]any{"items": subs}, err
		})},
		{"POST /api/v1/periods/{id}/submissions", s.prepareSubmission},
		{"GET /api/v1/periods/{id}/report", byID(func(ctx context.Context, id int64) (*qingqian.Report, error) { return s.Reports.Report(ctx, id) })},
		{"POST /api/v1/periods/{id}/report", s.issueReport},
		{"GET /api/v1/submissions/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Submission, error) {
			return s.Reports.FindSubmission(ctx, id)
		})},
		{"POST /api/v1/submissions/{id}/sign", s.signSubmission},
		{"POST /api/v1/submissions/{id}/check", s.checkZeroReport},
		{"GET /api/v1/progress", s.getProgress},
		{"GET /api/v1/notices", s.listNotices},
	}
}

func (s *Server) listPeriods(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.PeriodFilter{Kind: qingqian.PeriodKind(q.str("kind")), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if _, ok := qingqian.PeriodKindNames[f.Kind]; f.Kind != "" && !ok {
		q.bad.Add("kind", "期次类型应为 weekly、monthly、special 或 baseline")
	}
	if err := q.err(); err != nil {
		return err
	}
	ps, n, err := s.Reports.FindPeriods(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(ps, n, f.Offset, f.Limit))
	return nil
}

type periodInput struct {
	No       int                 `json:"no"`
	Kind     qingqian.PeriodKind `json:"kind"`
	Title    string              `json:"title"`
	StartsOn qingqian.Date       `json:"starts_on"`
	AsOf     qingqian.Date       `json:"as_of"`
	Deadline qingqian.Date       `json:"deadline"`
	Note     string              `json:"note"`
}

func (s *Server) openPeriod(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in periodInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := &qingqian.Period{No: in.No, Kind: in.Kind, Title: in.Title, StartsOn: in.StartsOn, AsOf: in.AsOf, Deadline: in.Deadline, Note: in.Note}
	if err := s.Reports.OpenPeriod(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// byID answers GET …/{id} with what find returns for the id. (Route lists are also built on an
// empty server, so find must not touch the services until it is called.)
func byID[T any](find func(ctx context.Context, id int64) (T, error)) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		v, err := find(r.Context(), id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
}

// requireOfficeAPI refuses a caller that is not the clearance office before its body is read.
func requireOfficeAPI(r *http.Request) (*qingqian.Actor, error) {
	a, err := qingqian.RequireActor(r.Context())
	if err != nil {
		return nil, err
	}
	if !a.Has(qingqian.RoleSupervisor, qingqian.RoleAdmin) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有清欠办可以进行此操作")
	}
	return a, nil
}

type submissionInput struct {
	OrgID       int64  `json:"org_id"`
	Zero        bool   `json:"zero"`
	Narrative   string `json:"narrative"`
	Explanation string `json:"explanation"`
}

func (s *Server) prepareSubmission(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := qingqian.RequireActor(r.Context())
	if err != nil {
		return err
	}
	if !a.CanSign(qingqian.ActPrepare) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有联络员或填报人员可以填报")
	}
	var in submissionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := s.Reports.Prepare(r.Context(), qingqian.SubmissionInput{PeriodID: id, OrgID: in.OrgID, Zero: in.Zero, Narrative: in.Narrative, Explanation: in.Explanation})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

type signInput struct {
	Action  qingqian.SignAction `json:"action"`
	Note    string              `json:"note"`
	Version int                 `json:"version"`
}

func (s *Server) signSubmission(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in signInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := s.Reports.Sign(r.Context(), id, in.Action, in.Note, in.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

type zeroCheckInput struct {
	Result string `json:"result"`
	Basis  string `json:"basis"`
}

// checkZeroReport records the office's verification of an approved zero report.
func (s *Server) checkZeroReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in zeroCheckInput
	if err := decode(r, &in); err != nil {
		return err
	}
	sub, err := s.Reports.CheckZero(r.Context(), id, in.Result, strings.TrimSpace(in.Basis))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sub)
	return nil
}

func (s *Server) issueReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.Reports.IssueReport(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rep)
	return nil
}

func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	p, err := s.Supervision.Progress(r.Context(), asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) listNotices(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	open := q.boolp("open")
	if err := q.err(); err != nil {
		return err
	}
	ns, err := s.Supervision.FindNotices(r.Context(), open != nil && *open)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ns})
	return nil
}
