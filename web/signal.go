package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// ---- signals ----

func signalArgs(r *http.Request) (int64, qingqian.Date, error) {
	q := newQuery(r)
	org, asOf := q.id("org_id"), q.date("as_of")
	return org, asOf, q.err()
}

func (s *Server) getSignals(w http.ResponseWriter, r *http.Request) error {
	org, asOf, err := signalArgs(r)
	if err != nil {
		return err
	}
	rep, err := s.Signals.Signals(r.Context(), org, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

type signalsData struct {
	R     *qingqian.SignalReport
	Units []*qingqian.Org
	Q     url.Values
}

func (s *Server) signalsPage(w http.ResponseWriter, r *http.Request) error {
	org, asOf, err := signalArgs(r)
	if err != nil {
		return err
	}
	rep, err := s.Signals.Signals(r.Context(), org, asOf)
	if err != nil {
		return err
	}
	d := &signalsData{R: rep, Q: r.URL.Query()}
	if d.Units, _, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{MaxDepth: 2, Limit: 500}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "signals", &view{Title: "预警信号", Nav: "signals", Data: d})
	return nil
}

func (s *Server) exportSignals(w http.ResponseWriter, r *http.Request) error {
	org, asOf, err := signalArgs(r)
	if err != nil {
		return err
	}
	rep, err := s.Signals.Signals(r.Context(), org, asOf)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "预警信号", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteSignals(wr, rep, format, meta)
	})
}

// ---- the creditor's own reply page (no account) ----

// confirmData is what the creditor's page shows: the letter found by number and code, or the
// form asking for them.
type confirmData struct {
	L    *qingqian.Letter
	No   string
	Code string
	Done bool
	// Public is always true here: the letter shown says it may be answered online.
	Public bool
}

// publicReplies answers 404 unless the server offers the creditor's reply page.
func (s *Server) publicReplies(w http.ResponseWriter, r *http.Request) bool {
	if !s.PublicReplies {
		s.errorPage(w, r, qingqian.Errorf(qingqian.ENOTFOUND, "页面不存在"))
		return false
	}
	w.Header().Set("Cache-Control", "no-store")
	return true
}

func (s *Server) confirmPage(w http.ResponseWriter, r *http.Request) {
	if !s.publicReplies(w, r) {
		return
	}
	s.render(w, r, http.StatusOK, "confirm", &view{Title: "询证函在线回复", Data: &confirmData{}})
}

// confirmLookup shows the letter named by the number and code posted.
func (s *Server) confirmLookup(w http.ResponseWriter, r *http.Request) {
	if !s.publicReplies(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "confirm", &view{Title: "询证函在线回复", Error: "提交的内容无法识别", Data: &confirmData{}})
		return
	}
	if err := formNUL(r.PostForm); err != nil {
		s.confirmError(w, r, err, &confirmData{})
		return
	}
	no, code := strings.TrimSpace(r.PostForm.Get("no")), strings.TrimSpace(r.PostForm.Get("code"))
	l, err := s.Letters.PublicLetter(r.Context(), no, code)
	if err != nil {
		s.confirmError(w, r, err, &confirmData{No: no})
		return
	}
	s.render(w, r, http.StatusOK, "confirm", &view{Title: "询证函在线回复", Data: &confirmData{L: l, No: no, Code: code},
		Form: url.Values{"result": {string(qingqian.LetterConfirmed)}}})
}

func (s *Server) confirmError(w http.ResponseWriter, r *http.Request, err error, d *confirmData) {
	if code := qingqian.ErrorCode(err); code == qingqian.EINTERNAL || code == qingqian.ECANCELED {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, ErrorStatus(err), "confirm", &view{Title: "询证函在线回复", Error: qingqian.ErrorMessage(err), Data: d})
}

// confirmReply records the creditor's reply.
func (s *Server) confirmReply(w http.ResponseWriter, r *http.Request) {
	if !s.publicReplies(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "confirm", &view{Title: "询证函在线回复", Error: "提交的内容无法识别", Data: &confirmData{}})
		return
	}
	form := r.PostForm
	if err := formNUL(form); err != nil {
		s.confirmError(w, r, err, &confirmData{})
		return
	}
	no, code := strings.TrimSpace(form.Get("no")), strings.TrimSpace(form.Get("code"))
	l, err := s.Letters.PublicLetter(r.Context(), no, code)
	if err != nil {
		s.confirmError(w, r, err, &confirmData{No: no})
		return
	}
	bad := qingqian.Validation{}
	in := qingqian.ReplyInput{Result: qingqian.LetterState(form.Get("result")), RepliedOn: qingqian.Today(), Note: form.Get("note"), Version: l.Version}
	if in.Result == qingqian.LetterDisputed {
		in.Amounts = replyAmounts(form, l, bad)
	}
	err = bad.Err()
	if err == nil {
		// The letter stays on the page when the reply is refused, its fields marked.
		var replied *qingqian.Letter
		if replied, err = s.Letters.PublicReply(r.Context(), no, code, in); err == nil {
			l = replied
		}
	}
	if err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			s.confirmError(w, r, err, &confirmData{No: no})
			return
		}
		d := &confirmData{L: l, No: no, Code: code, Public: true}
		if qingqian.ErrorCode(err) != qingqian.EINVALID {
			d.L = nil
		}
		s.render(w, r, ErrorStatus(err), "confirm", &view{Title: "询证函在线回复", Error: msg, Fields: fields, Form: form, Data: d})
		return
	}
	s.render(w, r, http.StatusOK, "confirm", &view{Title: "询证函在线回复", Flash: fmt.Sprintf("已收到贵单位对%s的回函：%s。", l.No, l.State.Label()),
		Data: &confirmData{L: l, Done: true, Public: true}})
}
