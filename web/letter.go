package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// ---- API ----

// letterFilter reads the list's filters from the URL; the page, the export and the API share it.
func letterFilter(r *http.Request) (qingqian.LetterFilter, *query) {
	q := newQuery(r)
	f := qingqian.LetterFilter{State: qingqian.LetterState(q.str("state")), Finding: qingqian.FindingState(q.str("finding")),
		Overdue: q.str("overdue") == "true", BatchID: q.id("batch_id")}
	if _, ok := qingqian.LetterStateNames[f.State]; f.State != "" && !ok {
		q.bad.Add("state", "回函状态不正确")
	}
	if _, ok := qingqian.FindingStateNames[f.Finding]; f.Finding != "" && !ok {
		q.bad.Add("finding", "差异状态不正确")
	}
	return f, q
}

func (s *Server) listLetters(w http.ResponseWriter, r *http.Request) error {
	f, q := letterFilter(r)
	f.Limit, f.Offset = q.int("limit", 50), q.int("offset", 0)
	if err := q.err(); err != nil {
		return err
	}
	list, total, err := s.Letters.FindLetters(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(list, total, f.Offset, f.Limit))
	return nil
}

func (s *Server) issueLetters(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	dry := q.bool("dry_run")
	if err := q.err(); err != nil {
		return err
	}
	var in qingqian.LetterSelection
	if err := decode(r, &in); err != nil {
		return err
	}
	// Whether the letters offer the online reply is the server's, recorded with each letter.
	in.OnlineReply = s.PublicReplies
	if dry {
		pv, err := s.Letters.PreviewLetters(r.Context(), in)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, pv)
		return nil
	}
	b, err := s.Letters.IssueLetters(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) getLetter(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Letters.FindLetter)
}

func (s *Server) replyLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in qingqian.ReplyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := s.Letters.RecordReply(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) resolveLetter(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in qingqian.ResolveInput
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := s.Letters.ResolveFinding(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// ---- pages ----

type lettersData struct {
	Letters   []*qingqian.Letter
	Total     int
	Pager     *pager
	Q         url.Values
	Export    string
	Issuer    bool
	Modes     []qingqian.SelectMode
	States    []qingqian.LetterState
	Units     []*qingqian.Org
	Creditors []*qingqian.Creditor
	// Preview is what the selection posted would issue, shown for the issuer to confirm.
	Preview *qingqian.LetterPreview
}

// issuer reports whether the signed-in user may issue letters and record replies.
func issuer(r *http.Request) bool {
	u := userFrom(r)
	if u == nil {
		return false
	}
	a := u.Actor()
	return a.CanWrite() && a.Has(qingqian.RoleSupervisor, qingqian.RoleLiaison, qingqian.RoleReviewer)
}

func (s *Server) lettersPage(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"mode": {string(qingqian.SelectSample)}, "sample_size": {"10"}, "reply_by": {qingqian.Today().AddDays(15).String()}}
	return s.showLetters(w, r, http.StatusOK, &view{Form: form})
}

func (s *Server) showLetters(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	f, q := letterFilter(r)
	page := max(1, q.int("page", 1))
	if err := q.err(); err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*pageSize, pageSize
	list, total, err := s.Letters.FindLetters(ctx, f)
	if err != nil {
		return err
	}
	d := &lettersData{Letters: list, Total: total, Pager: newPager(r, page, pageSize, total), Q: r.URL.Query(), Export: "/letters/export?" + r.URL.RawQuery,
		Issuer: issuer(r), Modes: qingqian.SelectModes, States: qingqian.LetterStates}
	if d.Issuer {
		if d.Units, _, err = s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Limit: 500}); err != nil {
			return err
		}
		if d.Creditors, _, err = s.Creditors.FindCreditors(ctx, qingqian.CreditorFilter{Limit: 500}); err != nil {
			return err
		}
	}
	if p, ok := v.Data.(*qingqian.LetterPreview); ok {
		d.Preview = p
	}
	v.Title, v.Nav, v.Data = "询证函", "letters", d
	s.render(w, r, status, "letters", v)
	return nil
}

func (s *Server) issueLettersForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	sel := qingqian.LetterSelection{Mode: qingqian.SelectMode(form.Get("mode")), From: formDate(form, "from", bad), To: formDate(form, "to", bad),
		ReplyBy: formDate(form, "reply_by", bad)}
	sel.OrgID = formID(form, "org_id", "单位", bad)
	switch sel.Mode {
	case qingqian.SelectCreditor:
		sel.CreditorID = formID(form, "creditor_id", "债权人", bad)
	case qingqian.SelectAbove:
		sel.MinAmount = formMoney(form, "min_amount", bad)
	case qingqian.SelectSample:
		sel.SampleSize = formInt(form, "sample_size", bad)
		if seed := strings.TrimSpace(form.Get("seed")); seed != "" {
			n, err := strconv.ParseInt(seed, 10, 64)
			if err != nil {
				bad.Add("seed", "随机种子应为整数")
			}
			sel.Seed = n
		}
	}
	sel.OnlineReply = s.PublicReplies
	show := func(st int, v *view) error { return s.showLetters(w, r, st, v) }
	// A selection is first shown (how many letters, to whom, for what amount); the letters are
	// issued once the issuer confirms what it saw, with the sample's seed it was shown.
	if form.Get("confirm") != "yes" {
		if err := bad.Err(); err != nil {
			return s.retry(w, r, err, form, show)
		}
		pv, err := s.Letters.PreviewLetters(r.Context(), sel)
		if err != nil {
			return s.retry(w, r, err, form, show)
		}
		if sel.Mode == qingqian.SelectSample {
			form.Set("seed", strconv.FormatInt(pv.Selection.Seed, 10))
		}
		return show(http.StatusOK, &view{Form: form, Data: pv})
	}
	var b *qingqian.LetterBatch
	return s.submit(w, r, form, bad, func() (err error) {
		b, err = s.Letters.IssueLetters(r.Context(), sel)
		return err
	}, show, func() string { return fmt.Sprintf("/letters?batch_id=%d&done=letters", b.ID) })
}

func (s *Server) exportLetters(w http.ResponseWriter, r *http.Request) error {
	f, q := letterFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	f.Limit = 500
	var all []*qingqian.Letter
	for {
		list, total, err := s.Letters.FindLetters(r.Context(), f)
		if err != nil {
			return err
		}
		all = append(all, list...)
		f.Offset += len(list)
		if len(list) == 0 || f.Offset >= total {
			break
		}
	}
	format := formatOf(r)
	return s.download(w, r, "询证函台账", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteLetters(wr, all, format, meta)
	})
}

type letterData struct {
	L           *qingqian.Letter
	Issuer      bool // the user speaks for the issuing unit
	Resolutions []qingqian.Resolution
	Public      bool // the letter offered the creditor's online reply when it was issued
	Today       qingqian.Date
}

func (s *Server) letterPage(w http.ResponseWriter, r *http.Request) error {
	return s.showLetter(w, r, http.StatusOK, &view{})
}

func (s *Server) showLetter(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.Letters.FindLetter(r.Context(), id)
	if err != nil {
		return err
	}
	d := &letterData{L: l, Issuer: l.Code != "", Resolutions: qingqian.Resolutions, Public: l.OnlineReply, Today: qingqian.Today()}
	if v.Form == nil {
		v.Form = url.Values{"replied_on": {qingqian.Today().String()}, "result": {string(qingqian.LetterConfirmed)}}
	}
	v.Title, v.Nav, v.Data = l.No, "letters", d
	s.render(w, r, status, "letter", v)
	return nil
}

// replyAmounts reads the creditor's figures of a 不符 reply, one field per line.
func replyAmounts(form url.Values, l *qingqian.Letter, bad qingqian.Validation) map[int64]qingqian.Money {
	out := map[int64]qingqian.Money{}
	for _, ln := range l.Lines {
		name := fmt.Sprintf("amounts.%d", ln.EntryID)
		if strings.TrimSpace(form.Get(name)) == "" {
			continue
		}
		if m := formMoney(form, name, bad); bad[name] == "" {
			out[ln.EntryID] = m
		}
	}
	return out
}

func (s *Server) replyLetterForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.Letters.FindLetter(r.Context(), id)
	if err != nil {
		return err
	}
	if l.Code == "" {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有发函单位可以登记回函")
	}
	show := func(st int, v *view) error { return s.showLetter(w, r, st, v) }
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); tooLarge(err) {
		return s.retry(w, r, fieldErr("scan", "回函扫描件过大：不超过 "+sizeText(s.MaxUpload)), nil, show)
	} else if err != nil {
		return s.retry(w, r, fieldErr("scan", "上传的内容过大或无法识别"), nil, show)
	}
	form := r.PostForm
	if err := formNUL(form); err != nil {
		return s.retry(w, r, err, nil, show)
	}
	bad := qingqian.Validation{}
	in := qingqian.ReplyInput{Result: qingqian.LetterState(form.Get("result")), RepliedOn: formDate(form, "replied_on", bad), Note: form.Get("note"),
		Version: formInt(form, "version", bad)}
	if in.Result == qingqian.LetterDisputed {
		in.Amounts = replyAmounts(form, l, bad)
	}
	return s.submit(w, r, form, bad, func() error {
		if err := in.Validate(l, qingqian.Today()); err != nil {
			return err
		}
		if files := r.MultipartForm.File["scan"]; len(files) > 0 {
			f, err := files[0].Open()
			if err != nil {
				return err
			}
			v, err := s.Vouchers.StoreVoucher(r.Context(), files[0].Filename, f)
			f.Close()
			if err != nil {
				return fieldErr("scan", qingqian.ErrorMessage(err))
			}
			in.Voucher = v.SHA256
		}
		_, err := s.Letters.RecordReply(r.Context(), id, in)
		return err
	}, show, func() string { return fmt.Sprintf("/letters/%d?done=letter_reply", id) })
}

func (s *Server) resolveLetterForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.Letters.FindLetter(r.Context(), id)
	if err != nil {
		return err
	}
	if l.Code == "" {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有发函单位可以处理回函差异")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	in := qingqian.ResolveInput{Resolution: qingqian.Resolution(form.Get("resolution")), Note: form.Get("note"), Version: formInt(form, "version", bad)}
	if ref := strings.TrimSpace(form.Get("ref")); ref != "" {
		n, err := strconv.ParseInt(ref, 10, 64)
		if err != nil {
			bad.Add("ref", "关联记录编号应为数字")
		}
		in.Ref = n
	}
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Letters.ResolveFinding(r.Context(), id, in)
		return err
	}, func(st int, v *view) error { return s.showLetter(w, r, st, v) }, func() string { return fmt.Sprintf("/letters/%d?done=letter_resolved", id) })
}

// formID reads an optional id field (a select's value) into bad on error.
func formID(form url.Values, name, label string, bad qingqian.Validation) int64 {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		bad.Add(name, label+"不正确")
	}
	return n
}
