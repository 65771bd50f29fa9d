package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// Every workbench form follows one pattern. parseForm reads the posted form (bounded); the
// form* helpers read its typed fields, collecting in a qingqian.Validation what cannot be read;
// submit then calls the service, unless a field already failed, and either redirects to the
// result or shows the page again through its show function, with the messages next to the
// fields and what was typed. retry is that second half alone, for a form that does not
// redirect. The page shown again has the error's status: 400 for bad input, 409 for a conflict.

// parseForm reads a posted form (bounded) or says it cannot.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	if err := formNUL(r.PostForm); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// formNUL refuses a form with the NUL character in a field, naming the first such field.
func formNUL(form url.Values) error {
	for _, name := range slices.Sorted(maps.Keys(form)) {
		for _, v := range form[name] {
			if err := qingqian.RefuseNUL(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// formDate reads an optional date field into bad on error.
func formDate(form url.Values, name string, bad qingqian.Validation) qingqian.Date {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return qingqian.Date{}
	}
	d, err := qingqian.ParseDate(v)
	if err != nil {
		bad.Add(name, "日期格式应为 YYYY-MM-DD")
	}
	return d
}

// formInt reads an optional non-negative integer field.
func formInt(form url.Values, name string, bad qingqian.Validation) int {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		bad.Add(name, "应为非负整数")
	}
	return n
}

// formMoney reads an optional amount in 元.
func formMoney(form url.Values, name string, bad qingqian.Validation) qingqian.Money {
	v := strings.ReplaceAll(strings.TrimSpace(form.Get(name)), ",", "")
	if v == "" {
		return 0
	}
	m, err := parseAmount(v)
	if err != nil {
		bad.Add(name, "金额应为元，最多两位小数")
	}
	return m
}

// parseAmount reads an amount in 元 as people type it, with or without thousands separators.
func parseAmount(s string) (qingqian.Money, error) {
	return qingqian.ParseYuan(strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

func fieldErr(field, msg string) error {
	return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// formError splits a service error into a form-wide message and field messages for re-rendering;
// errors that are not about the input become error pages.
func formError(err error) (msg string, fields map[string]string, ok bool) {
	var e *qingqian.Error
	if !errors.As(err, &e) {
		return "", nil, false
	}
	switch e.Code {
	case qingqian.EINVALID, qingqian.ECONFLICT:
		return e.Message, e.Fields, true
	}
	return "", nil, false
}

// retry re-renders a form's page with the error of a failed submission, keeping the input; an
// error that is not about the input becomes an error page.
func (s *Server) retry(w http.ResponseWriter, r *http.Request, err error, form url.Values, show func(status int, v *view) error) error {
	msg, fields, ok := formError(err)
	if !ok {
		return err
	}
	return show(ErrorStatus(err), &view{Error: msg, Fields: fields, Form: form})
}

// submit finishes a form: unless its fields already failed, it runs the action; then it either
// shows the form again with the error (keeping the input) or redirects to the target, which is
// read after the action (it may name what the action created).
func (s *Server) submit(w http.ResponseWriter, r *http.Request, form url.Values, bad qingqian.Validation, run func() error,
	show func(status int, v *view) error, target func() string) error {
	err := bad.Err()
	if err == nil {
		err = run()
	}
	if err != nil {
		return s.retry(w, r, err, form, show)
	}
	http.Redirect(w, r, target(), http.StatusSeeOther)
	return nil
}
