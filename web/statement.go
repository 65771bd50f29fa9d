package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// maxStatementFile bounds an uploaded bank statement.
const maxStatementFile = 32 << 20 // as sqldb.MaxStatementFile

// ---- pages ----

type statementsData struct {
	Orgs    []*qingqian.Org
	Rec     *qingqian.Reconciliation
	Preview *statementPreview
}

// statementPreview is what a statement would import: its lines, the problems found (by row and
// column), the dates to look at, how it was read, and the file to confirm (by its hash).
type statementPreview struct {
	FileName string
	Lines    []qingqian.StatementLineInput
	Outcome  *xlsx.ImportOutcome
	Result   *qingqian.StatementResult
	Warnings []qingqian.ImportIssue
	SHA256   string // the spooled file, when it may be imported
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

// importStatementForm previews an uploaded statement (the file is kept by its hash, nothing is
// written) or imports the file previewed before, whose lines the server reads again.
func (s *Server) importStatementForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireStatementKeeper(ctx); err != nil {
		return err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return s.previewStatement(w, r)
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	in := qingqian.StatementImport{OrgID: atoi64(form.Get("org_id")), FileSHA256: form.Get("file_sha256"), FileName: form.Get("file_name"),
		Window: formInt(form, "window", bad), AcceptOutliers: form.Get("accept_outliers") == "1"}
	show := s.showStatements(w, r, in.OrgID, in.Window, nil)
	return s.submit(w, r, form, bad, func() error {
		res, err := s.Statements.ImportStatement(ctx, in)
		if err == nil && len(res.Issues) > 0 {
			is := res.Issues[0]
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("第 %d 行“%s”：%s（未导入）", is.Row, xlsx.StatementColumn(is.Field), is.Message),
				Fields: map[string]string{"file": is.Message}}
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
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	file, err := s.Statements.SpoolStatement(ctx, name, f)
	f.Close()
	if err != nil {
		return s.retry(w, r, err, form, show)
	}
	res, err := s.Statements.ImportStatement(ctx, qingqian.StatementImport{OrgID: orgID, FileSHA256: file.SHA256, FileName: name, Window: window, DryRun: true})
	if err != nil {
		return s.retry(w, r, err, form, show)
	}
	p := &statementPreview{FileName: name, Lines: res.Read, Outcome: &xlsx.ImportOutcome{Notes: res.Notes}, Result: res, Warnings: res.Warnings}
	xlsx.StatementIssues(p.Outcome, res.Issues)
	if len(res.Issues) == 0 {
		p.SHA256 = file.SHA256
	}
	return s.showStatements(w, r, orgID, window, p)(http.StatusOK, &view{Form: form})
}

// statementFile sends the file a statement was imported from.
func (s *Server) statementFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	st, f, err := s.Statements.OpenStatementFile(r.Context(), id)
	if err != nil {
		return err
	}
	defer f.Close()
	ctype := "text/csv"
	head := make([]byte, 4)
	if n, _ := io.ReadFull(f, head); n == 4 && string(head) == "PK\x03\x04" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": st.FileName}))
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", st.ImportedAt, f)
	return nil
}

func (s *Server) matchLineForm(unmatch bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if _, err := qingqian.RequireStatementKeeper(r.Context()); err != nil {
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

// uploadStatementFile keeps an uploaded statement file (multipart, field file) for its import,
// by its SHA-256.
func (s *Server) uploadStatementFile(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireStatementKeeper(r.Context()); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxStatementFile+1<<20)
	file, hdr, err := r.FormFile("file")
	if tooLarge(err) {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "对账单文件超过大小限制（" + sizeText(maxStatementFile) + "）", Fields: map[string]string{"file": "文件过大"}}
	}
	if err != nil {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "请以 multipart/form-data 上传文件（字段名 file），大小不超过限制", Fields: map[string]string{"file": "没有收到文件"}}
	}
	defer file.Close()
	f, err := s.Statements.SpoolStatement(r.Context(), hdr.Filename, file)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

// importStatement imports a statement from a file uploaded before, by its hash (or, with
// dry_run, checks it): 200 when clean, 422 with every problem by row otherwise. The server reads
// the lines from the file; none are taken from the request.
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
