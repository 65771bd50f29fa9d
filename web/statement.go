package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// maxStatementFile bounds an uploaded bank statement.
const maxStatementFile = 32 << 20

// ---- pages ----

type statementsData struct {
	Orgs    []*qingqian.Org
	Rec     *qingqian.Reconciliation
	Preview *statementPreview
}

// statementPreview is what a statement would import: its lines, the problems found (by row and
// column), how it was read, and the lines to confirm.
type statementPreview struct {
	FileName string
	Lines    []qingqian.StatementLineInput
	Outcome  *xlsx.ImportOutcome
	Result   *qingqian.StatementResult
	JSON     string
}

func (s *Server) statementsPage(w http.ResponseWriter, r *http.Request) error {
	return s.showStatements(w, r, 0, 0, nil)(http.StatusOK, &view{})
}

// showStatements returns how the reconciliation page of a unit is shown with a view of one of
// its forms; the unit and window come from the URL unless given.
func (s *Server) showStatements(w http.ResponseWriter, r *http.Request, orgID int64, window int, p *statementPreview) func(int, *view) error {
	return func(status int, v *view) error {
		ctx := r.Context()
		q := newQuery(r)
		if orgID == 0 {
			orgID = q.id("org_id")
		}
		if window == 0 {
			window = q.int("window", 0)
		}
		if err := q.err(); err != nil {
			return err
		}
		if orgID == 0 {
			orgID = qingqian.ActorFrom(ctx).OrgID
		}
		rec, err := s.Statements.Reconcile(ctx, orgID, window)
		if err != nil {
			return err
		}
		orgs, _, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Limit: 500})
		if err != nil {
			return err
		}
		if v.Form == nil {
			v.Form = url.Values{"org_id": {strconv.FormatInt(orgID, 10)}, "window": {strconv.Itoa(rec.Window)}}
		}
		v.Title, v.Nav, v.Data = "银行对账单核对", "statements", &statementsData{Orgs: orgs, Rec: rec, Preview: p}
		s.render(w, r, status, "statements", v)
		return nil
	}
}

// importStatementForm previews an uploaded statement (nothing is written) or imports the lines
// previewed before.
func (s *Server) importStatementForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return s.previewStatement(w, r)
	}
	form, err := parseFormLimit(w, r, 16<<20)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	in := qingqian.StatementImport{OrgID: atoi64(form.Get("org_id")), FileName: form.Get("file_name"), Window: formInt(form, "window", bad)}
	if err := json.Unmarshal([]byte(form.Get("lines")), &in.Lines); err != nil {
		bad.Add("file", "请先上传对账单并预览")
	}
	show := s.showStatements(w, r, in.OrgID, in.Window, nil)
	return s.submit(w, r, form, bad, func() error {
		res, err := s.Statements.ImportStatement(ctx, in)
		if err == nil && len(res.Issues) > 0 {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("第 %d 行：%s（未导入，请重新上传预览）", res.Issues[0].Row, res.Issues[0].Message),
				Fields: map[string]string{"file": res.Issues[0].Message}}
		}
		return err
	}, show, func() string {
		return fmt.Sprintf("/statements?org_id=%d&window=%d&done=imported", in.OrgID, in.Window)
	})
}

func (s *Server) previewStatement(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	path, name, err := s.saveUpload(r, maxStatementFile)
	if err != nil {
		return s.retry(w, r, err, nil, s.showStatements(w, r, 0, 0, nil))
	}
	defer os.Remove(path)
	form := r.PostForm
	if err := formNUL(form); err != nil {
		return err
	}
	bad := qingqian.Validation{}
	orgID, window := atoi64(form.Get("org_id")), formInt(form, "window", bad)
	show := s.showStatements(w, r, orgID, window, nil)
	if err := bad.Err(); err != nil {
		return s.retry(w, r, err, form, show)
	}
	lines, rep, err := xlsx.ReadStatement(path)
	if err != nil {
		var fe *xlsx.FileError
		if errors.As(err, &fe) {
			return s.retry(w, r, fieldErr("file", fe.Msg), form, show)
		}
		return err
	}
	p := &statementPreview{FileName: name, Lines: lines, Outcome: rep}
	if rep.OK() && len(lines) > 0 {
		p.Result, err = s.Statements.ImportStatement(ctx, qingqian.StatementImport{OrgID: orgID, FileName: name, Lines: lines, Window: window, DryRun: true})
		if err != nil {
			return s.retry(w, r, err, form, show)
		}
		xlsx.StatementIssues(rep, p.Result.Issues)
		b, _ := json.Marshal(lines)
		p.JSON = string(b)
	}
	return s.showStatements(w, r, orgID, window, p)(http.StatusOK, &view{Form: form})
}

func (s *Server) matchLineForm(unmatch bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
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
		orgID := atoi64(form.Get("org_id"))
		reason := strings.TrimSpace(form.Get("reason"))
		return s.submit(w, r, form, qingqian.Validation{}, func() error {
			if unmatch {
				return s.Statements.UnmatchLine(r.Context(), id, reason)
			}
			return s.Statements.MatchLine(r.Context(), id, atoi64(form.Get("entry_id")), reason)
		}, s.showStatements(w, r, orgID, 0, nil), func() string { return fmt.Sprintf("/statements?org_id=%d&done=matched", orgID) })
	}
}

// ---- API ----

// importStatement imports a statement's lines (or, with dry_run, checks them): 200 when clean,
// 422 with every problem by row otherwise. Files are read by the workbench.
func (s *Server) importStatement(w http.ResponseWriter, r *http.Request) error {
	var in qingqian.StatementImport
	if err := decode(r, &in); err != nil {
		return err
	}
	res, err := s.Statements.ImportStatement(r.Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Issues) > 0 {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) getReconciliation(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	orgID, window := q.id("org_id"), q.int("window", 0)
	if err := q.err(); err != nil {
		return err
	}
	rec, err := s.Statements.Reconcile(r.Context(), orgID, window)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

type lineMatchInput struct {
	EntryID int64  `json:"entry_id"`
	Reason  string `json:"reason"`
}

type lineUnmatchInput struct {
	Reason string `json:"reason"`
}

func (s *Server) matchLine(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in lineMatchInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Statements.MatchLine(r.Context(), id, in.EntryID, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) unmatchLine(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in lineUnmatchInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Statements.UnmatchLine(r.Context(), id, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) repaymentsWithoutLine(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	orgID := q.id("org_id")
	if err := q.err(); err != nil {
		return err
	}
	ps, err := s.Statements.RepaymentsWithoutLine(r.Context(), orgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}

// parseFormLimit is parseForm for a form that carries more than a megabyte (the lines of a
// previewed statement).
func parseFormLimit(w http.ResponseWriter, r *http.Request, limit int64) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return nil, qingqian.Errorf(qingqian.EINVALID, "提交的内容过大或无法识别")
	}
	if err := formNUL(r.PostForm); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}
