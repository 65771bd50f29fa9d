package qingqian

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web layer.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	// ECANCELED: the request was cancelled, or ran out of time, before it was done. It is not
	// a conflict: nothing about the data refused it.
	ECANCELED = "canceled"
)

// Error is the one error type the services return. Message is safe to show a user (Chinese);
// Fields names the input fields at fault; Err is the cause, logged but never shown.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with a code and a formatted user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure; its text is logged, never shown.
func Internal(err error) *Error {
	return &Error{Code: EINTERNAL, Message: "系统内部错误", Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not an *Error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; errors that are not an *Error give the
// generic internal message so that no internal text leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "系统内部错误"
}

// ErrorFields returns the field errors of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Validation collects field errors; Err returns nil when there are none.
type Validation map[string]string

// Add records a message for a field unless one is already there (the first problem is the one
// worth telling).
func (v Validation) Add(field, msg string) {
	if _, ok := v[field]; !ok {
		v[field] = msg
	}
}

// Err returns an EINVALID error listing the fields, or nil.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "提交的内容有误，请检查标出的字段", Fields: map[string]string(v)}
}

// NULMessage is what a text field containing the NUL character (U+0000) is refused with: no
// database stores it faithfully (PostgreSQL refuses it, SQLite stores it and some readers stop
// at it), and nobody types it.
const NULMessage = "不能含有空字符（U+0000），请删除后再提交"

// HasNUL reports whether a text contains the NUL character.
func HasNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// RefuseNUL returns an EINVALID error naming the field when its text contains the NUL
// character, or nil.
func RefuseNUL(field, s string) error {
	if !HasNUL(s) {
		return nil
	}
	return &Error{Code: EINVALID, Message: "“" + field + "”" + NULMessage, Fields: map[string]string{field: NULMessage}}
}
