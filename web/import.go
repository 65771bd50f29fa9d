package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// importJob is an import running in the background; its page refreshes until it is done.
// Jobs live in memory, with a record of each in the spool folder that outlives a restart
// (drain.go); the uploaded file does not.
type importJob struct {
	ID       string
	Kind     string // what is imported: a key of xlsx.Importable
	UserID   int64
	FileName string
	Path     string
	Vouchers string // a zip of voucher files beside a repayments sheet, or ""
	DryRun   bool
	Started  time.Time

	mu       sync.Mutex
	Total    int // rows the file holds, estimated before reading; 0 if unknown
	Progress xlsx.Progress
	Done     bool
	Report   *xlsx.ImportOutcome
	Err      string
}

func (j *importJob) snapshot() (xlsx.Progress, bool, *xlsx.ImportOutcome, string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.Progress, j.Done, j.Report, j.Err
}

type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*importJob
	// remove removes the files of a job it forgets.
	remove func(j *importJob)
}

// jobLifetime is how long a job is remembered.
const jobLifetime = 2 * time.Hour

// add registers a job and forgets those older than two hours, removing their files.
func (js *importJobs) add(j *importJob) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if js.jobs == nil {
		js.jobs = map[string]*importJob{}
	}
	for id, old := range js.jobs {
		if time.Since(old.Started) > jobLifetime {
			if js.remove != nil {
				js.remove(old)
			}
			delete(js.jobs, id)
		}
	}
	js.jobs[j.ID] = j
}

// get returns a job of the user; another user's job does not exist for them.
func (js *importJobs) get(id string, userID int64) (*importJob, error) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.jobs[id]
	if !ok || j.UserID != userID {
		return nil, qingqian.Errorf(qingqian.ENOTFOUND, "导入任务不存在或已过期（任务保留两小时）")
	}
	return j, nil
}

// spoolDir is the folder uploaded files wait in while they are imported.
func (s *Server) spoolDir() string {
	if s.SpoolDir == "" {
		return os.TempDir()
	}
	return s.SpoolDir
}

// spoolPrefix begins the name of every file the server spools, so that SweepSpool removes its
// files and nothing else.
const spoolPrefix = "qingqian-"

// SweepSpool removes the files a previous run left in the spool folder: uploads being imported
// when it was stopped or killed. It is called at start, before serving, when no import runs; it
// returns how many it removed.
func (s *Server) SweepSpool() (int, error) {
	if s.SpoolDir == "" {
		return 0, nil
	}
	if err := os.MkdirAll(s.SpoolDir, 0o750); err != nil {
		return 0, err
	}
	names, err := filepath.Glob(filepath.Join(s.SpoolDir, spoolPrefix+"*"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		if err := os.Remove(name); err == nil {
			n++
		}
	}
	return n, nil
}

// saveVouchers stores an uploaded zip of voucher files, if one came, in a spool file.
func (s *Server) saveVouchers(r *http.Request) (string, error) {
	file, hdr, err := r.FormFile("vouchers")
	if err != nil {
		return "", nil // none sent
	}
	defer file.Close()
	if !strings.EqualFold(filepath.Ext(hdr.Filename), ".zip") {
		return "", &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证压缩包应为 .zip 文件", Fields: map[string]string{"vouchers": "不是 zip 文件"}}
	}
	tmp, err := os.CreateTemp(s.spoolDir(), spoolPrefix+"vouchers-*.zip")
	if err != nil {
		return "", err
	}
	defer tmp.Close()
	if _, err := io.Copy(tmp, file); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// saveUpload stores an uploaded spreadsheet in a spool file.
func (s *Server) saveUpload(r *http.Request, limit int64) (path, name string, err error) {
	r.Body = http.MaxBytesReader(nil, r.Body, limit)
	file, hdr, err := r.FormFile("file")
	if tooLarge(err) {
		return "", "", &qingqian.Error{Code: qingqian.EINVALID, Message: "文件超过大小限制（" + sizeText(limit) + "）", Fields: map[string]string{"file": "文件过大"}}
	}
	if err != nil {
		return "", "", &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择要导入的 .xlsx 或 .csv 文件（大小不超过限制）", Fields: map[string]string{"file": "没有收到文件"}}
	}
	defer file.Close()
	ext := strings.ToLower(filepath.Ext(hdr.Filename))
	if ext != ".xlsx" && ext != ".csv" {
		return "", "", &qingqian.Error{Code: qingqian.EINVALID, Message: "只能导入 .xlsx 或 .csv 文件：.xls、.et、.ods 请用 Excel、WPS 或 LibreOffice 打开后“另存为” .xlsx 再导入", Fields: map[string]string{"file": "文件类型不对，请另存为 .xlsx"}}
	}
	tmp, err := os.CreateTemp(s.spoolDir(), spoolPrefix+"import-*"+ext)
	if err != nil {
		return "", "", err
	}
	if _, err := io.Copy(tmp, file); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", "", &qingqian.Error{Code: qingqian.EINVALID, Message: "文件过大或上传中断", Fields: map[string]string{"file": "上传失败"}}
	}
	return tmp.Name(), filepath.Base(hdr.Filename), tmp.Close()
}

// maxImportFile bounds an uploaded spreadsheet (a million rows of ledger is about 100 MB).
const maxImportFile = 256 << 20

func (s *Server) exportLedger(w http.ResponseWriter, r *http.Request) error {
	f, q := ledgerFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	// The export streams: what it names must exist for the actor before its first byte goes.
	if f.OrgID != 0 {
		if _, err := s.Orgs.FindOrgByID(r.Context(), f.OrgID); err != nil {
			return err
		}
	}
	if f.CreditorID != 0 {
		if _, err := s.Creditors.FindCreditorByID(r.Context(), f.CreditorID); err != nil {
			return err
		}
	}
	if _, err := qingqian.RequireReader(r.Context()); err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "台账", format, func(wr io.Writer, meta xlsx.Meta) error {
		if !f.AsOf.IsZero() {
			meta.AsOf = f.AsOf // the balances are those of that date
		}
		return xlsx.ExportLedger(r.Context(), s.Items, f, wr, format, meta)
	})
}

func (s *Server) exportCreditors(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireReader(r.Context()); err != nil {
		return err
	}
	return s.download(w, r, "债权企业", formatOf(r), func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.ExportCreditors(r.Context(), s.Creditors, wr, formatOf(r), meta)
	})
}

func (s *Server) exportOrgs(w http.ResponseWriter, r *http.Request) error {
	// Refused before its first byte: the export streams.
	if _, _, err := s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Limit: 1}); err != nil {
		return err
	}
	return s.download(w, r, "单位", formatOf(r), func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.ExportOrgs(r.Context(), s.Orgs, wr, formatOf(r), meta)
	})
}

func formatOf(r *http.Request) string {
	if r.URL.Query().Get("format") == "csv" {
		return "csv"
	}
	return "xlsx"
}

// download streams an export. Headers go out before the first byte, so an error after that
// can only cut the download short; it is logged. Every export is recorded in the audit trail
// (who, from where, what and with which filter) before it starts.
func (s *Server) download(w http.ResponseWriter, r *http.Request, name, format string, fn func(io.Writer, xlsx.Meta) error) error {
	if err := s.Audit.RecordAccess(r.Context(), "data.export", "export", 0, map[string]any{"name": name, "format": format, "path": r.URL.Path, "query": r.URL.RawQuery}); err != nil {
		return err
	}
	u := userFrom(r)
	meta := xlsx.Meta{AsOf: qingqian.Today(), User: u.Name + "（" + u.OrgName + "）", At: time.Now()}
	ctype := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if format == "csv" {
		ctype = "text/csv; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", attachment(name+"-"+meta.AsOf.String()+"."+format))
	w.Header().Set("Cache-Control", "no-store")
	if err := fn(w, meta); err != nil {
		s.Logger.Error("export", "name", name, "err", err, "id", requestID(r.Context()))
	}
	return nil
}

func (s *Server) template(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	t, ok := xlsx.Templates[kind]
	if !ok {
		return qingqian.Errorf(qingqian.ENOTFOUND, "没有这个模板")
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(t.Sheet+"模板.xlsx"))
	return xlsx.WriteTemplate(w, kind)
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	return s.showImport(w, r, http.StatusOK, &view{Form: url.Values{"dry_run": {"1"}}})
}

func (s *Server) showImport(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	v.Title, v.Nav = "导入台账", "ledger"
	s.render(w, r, status, "import", v)
	return nil
}

func (s *Server) startImport(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	show := func(st int, v *view) error { return s.showImport(w, r, st, v) }
	path, name, err := s.saveUpload(r, maxImportFile)
	if err != nil {
		return s.retry(w, r, err, nil, show)
	}
	kind := r.PostFormValue("kind")
	if _, ok := xlsx.Importable[kind]; !ok {
		kind = "ledger"
	}
	vouchers, err := s.saveVouchers(r)
	if err != nil {
		os.Remove(path)
		return s.retry(w, r, err, nil, show)
	}
	j := s.runImport(r.Context(), kind, path, vouchers, name, r.PostFormValue("dry_run") == "1")
	http.Redirect(w, r, "/imports/"+j.ID, http.StatusSeeOther)
	return nil
}

// runImport starts a job as the request's user, detached from the request.
// importKindNames are the screen names of what an import brings in.
var importKindNames = map[string]string{"ledger": "台账", "repayments": "清偿记录", "plans": "清偿计划", "creditors": "债权企业", "units": "单位",
	"contracts": "合同台账", "contract_events": "合同履行事项"}

// KindLabel is what the import brings in, as the page names it.
func (j *importJob) KindLabel() string {
	if l, ok := importKindNames[j.Kind]; ok {
		return l
	}
	return "数据"
}

func (s *Server) runImport(ctx context.Context, kind, path, vouchers, name string, dryRun bool) *importJob {
	j := &importJob{ID: randomKey(), Kind: kind, UserID: qingqian.ActorFrom(ctx).UserID, FileName: name, Path: path, Vouchers: vouchers, DryRun: dryRun, Started: time.Now()}
	s.imports.add(j)
	s.saveJob(j)
	// The job outlives the request, not the server: stopping cancels it (Drain).
	// Its logs carry the ID of the request that started it.
	actorCtx := qingqian.NewContext(context.WithValue(s.jobsCtx, requestIDKey, requestID(ctx)), qingqian.ActorFrom(ctx))
	s.jobsWG.Add(1)
	go func() {
		defer s.jobsWG.Done()
		defer s.saveJob(j)
		defer func() {
			switch _, _, _, msg := j.snapshot(); {
			case msg == jobCancelled:
				s.metrics.importDone("cancelled")
			case msg != "":
				s.metrics.importDone("failed")
			default:
				s.metrics.importDone("done")
			}
		}()
		defer func() {
			if v := recover(); v != nil {
				s.Logger.ErrorContext(actorCtx, "import panicked", "job", j.ID, "file", name, "panic", v, "stack", string(debug.Stack()))
				j.mu.Lock()
				j.Done, j.Err = true, "系统内部错误，导入未完成，没有写入任何数据"
				j.mu.Unlock()
			}
		}()
		total := estimateRows(path)
		j.mu.Lock()
		j.Total = total
		j.mu.Unlock()
		progress := func(p xlsx.Progress) {
			if dryRun {
				p.Phase = "校验" // a dry run writes nothing
			}
			j.mu.Lock()
			j.Progress = p
			j.mu.Unlock()
		}
		var rep *xlsx.ImportOutcome
		var err error
		if kind == "repayments" {
			rep, err = xlsx.ImportRepayments(actorCtx, s.Imports, path, vouchers, dryRun, progress)
		} else {
			rep, err = xlsx.Import(actorCtx, s.Imports, kind, path, dryRun, progress)
		}
		j.mu.Lock()
		defer j.mu.Unlock()
		j.Done, j.Report = true, rep
		if err != nil {
			var fe *xlsx.FileError
			switch {
			case s.jobsCtx.Err() != nil:
				j.Err, j.Report = jobCancelled, nil
				s.Logger.WarnContext(actorCtx, "import cancelled: the server is stopping", "job", j.ID, "file", name, "user", j.UserID)
			case errors.As(err, &fe):
				j.Err = fe.Msg
				if cause := errors.Unwrap(fe); cause != nil {
					s.Logger.ErrorContext(actorCtx, "import", "job", j.ID, "file", name, "err", cause)
				}
			case qingqian.ErrorCode(err) != qingqian.EINTERNAL:
				j.Err = qingqian.ErrorMessage(err)
			default:
				s.Logger.ErrorContext(actorCtx, "import", "job", j.ID, "file", name, "err", err)
				j.Err = "系统内部错误，导入未完成，没有写入任何数据"
			}
		}
	}()
	return j
}

type importData struct {
	Job      *importJob
	Total    int // estimated rows
	Percent  int
	Progress xlsx.Progress
	Done     bool
	Report   *xlsx.ImportOutcome
	Err      string
	Issues   []xlsx.Issue
	More     int
	// The preview: what each row does (matched and changed rows first), the totals per unit.
	Rows     []xlsx.PreviewRow
	MoreRows int
	Totals   []xlsx.PreviewTotal
}

func (s *Server) importStatus(w http.ResponseWriter, r *http.Request) error {
	j, err := s.imports.get(r.PathValue("id"), qingqian.ActorFrom(r.Context()).UserID)
	if err != nil {
		return err
	}
	d := &importData{Job: j}
	d.Progress, d.Done, d.Report, d.Err = j.snapshot()
	j.mu.Lock()
	d.Total = j.Total
	j.mu.Unlock()
	d.Percent = importPercent(d.Progress.Rows, d.Total)
	if d.Report != nil {
		d.Issues = d.Report.Issues
		if len(d.Issues) > 200 {
			d.More, d.Issues = len(d.Issues)-200, d.Issues[:200]
		}
		d.Rows, d.Totals = d.Report.PreviewRows(j.Kind), d.Report.PreviewTotals()
		if len(d.Rows) > 500 {
			d.MoreRows, d.Rows = len(d.Rows)-500, d.Rows[:500]
		}
		if d.Report.Result != nil && d.Report.Result.DetailsTruncated {
			d.MoreRows += d.Report.Result.Rows - len(d.Report.Result.Details)
		}
	}
	s.render(w, r, http.StatusOK, "import_status", &view{Title: "导入台账", Nav: "ledger", Data: d, Refresh: !d.Done})
	return nil
}

// confirmImport imports for real a file whose dry run was clean.
func (s *Server) confirmImport(w http.ResponseWriter, r *http.Request) error {
	j, err := s.imports.get(r.PathValue("id"), qingqian.ActorFrom(r.Context()).UserID)
	if err != nil {
		return err
	}
	_, done, rep, msg := j.snapshot()
	if !done || !j.DryRun || msg != "" || rep == nil || !rep.OK() {
		return qingqian.Errorf(qingqian.ECONFLICT, "只有校验通过的试导入可以确认导入")
	}
	if j.Path == "" {
		return qingqian.Errorf(qingqian.ECONFLICT, jobFileGone)
	}
	nj := s.runImport(r.Context(), j.Kind, j.Path, j.Vouchers, j.FileName, false)
	http.Redirect(w, r, "/imports/"+nj.ID, http.StatusSeeOther)
	return nil
}

func (s *Server) importErrors(w http.ResponseWriter, r *http.Request) error {
	j, err := s.imports.get(r.PathValue("id"), qingqian.ActorFrom(r.Context()).UserID)
	if err != nil {
		return err
	}
	_, done, rep, _ := j.snapshot()
	if !done || rep == nil || rep.OK() {
		return qingqian.Errorf(qingqian.ENOTFOUND, "没有错误报告")
	}
	if j.Path == "" {
		return qingqian.Errorf(qingqian.ENOTFOUND, jobFileGone)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(strings.TrimSuffix(j.FileName, filepath.Ext(j.FileName))+"-错误报告.xlsx"))
	return xlsx.WriteErrorWorkbook(w, j.Kind, j.Path, rep.Issues)
}

// attachment is a Content-Disposition for a download with a Chinese file name.
func attachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}

// ---- API ----

// apiImport imports (or, with dry_run=true, checks) an uploaded ledger or list of repayments and
// answers with the report in the same request: 200 when clean, 422 with every problem otherwise.
func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	kind := r.PathValue("kind")
	if _, ok := xlsx.Importable[kind]; !ok {
		return qingqian.Errorf(qingqian.ENOTFOUND, "不能导入“%s”，可选：ledger、repayments、plans、creditors、units、contracts、contract_events", kind)
	}
	path, _, err := s.saveUpload(r, maxImportFile)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	vouchers, err := s.saveVouchers(r)
	if err != nil {
		return err
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	var rep *xlsx.ImportOutcome
	switch {
	case kind == "repayments":
		defer os.Remove(vouchers)
		rep, err = xlsx.ImportRepayments(r.Context(), s.Imports, path, vouchers, dry, nil)
	case vouchers != "":
		os.Remove(vouchers)
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证压缩包只用于导入清偿记录", Fields: map[string]string{"vouchers": "只用于清偿记录"}}
	default:
		rep, err = xlsx.Import(r.Context(), s.Imports, kind, path, dry, nil)
	}
	if err != nil {
		var fe *xlsx.FileError
		if errors.As(err, &fe) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fe.Msg, Fields: map[string]string{"file": fe.Msg}, Err: errors.Unwrap(fe)}
		}
		return err
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, rep)
	return nil
}
