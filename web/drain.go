package web

// Stopping: a server asked to stop waits for the imports running in the background, for as long
// as the configured grace allows, then cancels those still running (each is one transaction, so
// a cancelled import writes nothing) and marks their jobs. Job records are kept as files in the
// spool folder, so that a job's page still says what became of it after a restart, and a job
// that was running when the server died is marked as interrupted.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/qingqian/qingqian/xlsx"
)

// Messages of a job that did not finish.
const (
	jobCancelled   = "服务停止，导入已取消，没有写入任何数据。服务恢复后请重新上传。"
	jobInterrupted = "导入被中断：服务在导入完成前停止。导入在一个事务中进行，要么全部写入、要么全部未写入；请在台账中核对，需要时重新上传（已导入的行不会重复导入）。"
	jobFileGone    = "服务重启后，上传的文件已删除，请重新上传。"
)

// cancelWait bounds the wait for cancelled imports to stop.
const cancelWait = 30 * time.Second

// Drain waits for the imports running in the background until ctx ends; then it cancels those
// still running, waits (a little) for them to roll back, and returns how many it cancelled.
// It is called once the HTTP server has stopped taking requests, so no import starts meanwhile.
func (s *Server) Drain(ctx context.Context) int {
	done := make(chan struct{})
	go func() { s.jobsWG.Wait(); close(done) }()
	select {
	case <-done:
		return 0
	case <-ctx.Done():
	}
	n := s.imports.running()
	s.cancelJobs()
	select {
	case <-done:
	case <-time.After(cancelWait):
		s.Logger.Error("cancelled imports did not stop in time", "imports", n)
	}
	return n
}

// running counts the jobs not done.
func (js *importJobs) running() int {
	js.mu.Lock()
	defer js.mu.Unlock()
	n := 0
	for _, j := range js.jobs {
		if _, done, _, _ := j.snapshot(); !done {
			n++
		}
	}
	return n
}

// jobRecord is what is kept of a job across a restart.
type jobRecord struct {
	ID       string              `json:"id"`
	Kind     string              `json:"kind"`
	UserID   int64               `json:"user_id"`
	FileName string              `json:"file_name"`
	DryRun   bool                `json:"dry_run"`
	Started  time.Time           `json:"started"`
	Done     bool                `json:"done"`
	Err      string              `json:"err,omitempty"`
	Report   *xlsx.ImportOutcome `json:"report,omitempty"`
}

func (s *Server) jobsDir() string {
	if s.SpoolDir == "" {
		return ""
	}
	return filepath.Join(s.SpoolDir, "jobs")
}

// saveJob writes a job's record, replacing the previous one (write and rename).
func (s *Server) saveJob(j *importJob) {
	dir := s.jobsDir()
	if dir == "" {
		return
	}
	_, done, rep, msg := j.snapshot()
	b, err := json.Marshal(jobRecord{ID: j.ID, Kind: j.Kind, UserID: j.UserID, FileName: j.FileName, DryRun: j.DryRun, Started: j.Started,
		Done: done, Err: msg, Report: rep})
	if err == nil {
		err = os.MkdirAll(dir, 0o750)
	}
	if err == nil {
		tmp := filepath.Join(dir, j.ID+".tmp")
		if err = os.WriteFile(tmp, b, 0o640); err == nil {
			err = os.Rename(tmp, filepath.Join(dir, j.ID+".json"))
		}
	}
	if err != nil {
		s.Logger.Error("import job record", "job", j.ID, "err", err)
	}
}

// RecoverImports reads the job records a previous run left: a job that was running is marked
// interrupted; records older than two hours are removed. Called at start, after SweepSpool
// (the uploaded files are gone: a job cannot be confirmed after a restart). It returns how many
// jobs it marked interrupted.
func (s *Server) RecoverImports() (int, error) {
	dir := s.jobsDir()
	if dir == "" {
		return 0, nil
	}
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return 0, err
	}
	interrupted := 0
	for _, name := range names {
		b, err := os.ReadFile(name)
		var rec jobRecord
		if err != nil || filepath.Ext(name) != ".json" || json.Unmarshal(b, &rec) != nil || rec.ID == "" || time.Since(rec.Started) > jobLifetime {
			os.Remove(name)
			continue
		}
		j := &importJob{ID: rec.ID, Kind: rec.Kind, UserID: rec.UserID, FileName: rec.FileName, DryRun: rec.DryRun, Started: rec.Started,
			Done: true, Report: rec.Report, Err: rec.Err}
		if !rec.Done {
			j.Err, j.Report = jobInterrupted, nil
			interrupted++
			s.saveJob(j)
		}
		s.imports.add(j)
	}
	return interrupted, nil
}

// removeJob removes a forgotten job's files.
func (s *Server) removeJob(j *importJob) {
	for _, p := range []string{j.Path, j.Vouchers} {
		if p != "" {
			os.Remove(p)
		}
	}
	if dir := s.jobsDir(); dir != "" {
		if err := os.Remove(filepath.Join(dir, j.ID+".json")); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.Logger.Warn("import job record", "job", j.ID, "err", err)
		}
	}
}
