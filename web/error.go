package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/qingqian/qingqian"
)

// statusOf maps each error code to one HTTP status.
var statusOf = map[string]int{
	qingqian.EINVALID:      http.StatusBadRequest,
	qingqian.ENOTFOUND:     http.StatusNotFound,
	qingqian.ECONFLICT:     http.StatusConflict,
	qingqian.EFORBIDDEN:    http.StatusForbidden,
	qingqian.EUNAUTHORIZED: http.StatusUnauthorized,
	qingqian.EINTERNAL:     http.StatusInternalServerError,
	qingqian.ECANCELED:     http.StatusServiceUnavailable,
}

// ErrorStatus returns the HTTP status of an error.
func ErrorStatus(err error) int {
	if st, ok := statusOf[qingqian.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code      string            `json:"code"`
		Message   string            `json:"message"`
		Fields    map[string]string `json:"fields,omitempty"`
		RequestID string            `json:"request_id,omitempty"`
	} `json:"error"`
}

// writeError answers with {"error":{code,message,fields}}. An internal error is logged with the
// request ID and shown only as "系统内部错误（编号 …）"; a cancelled request is logged as such.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var body errorBody
	code := qingqian.ErrorCode(err)
	body.Error.Code = code
	body.Error.Message = qingqian.ErrorMessage(err)
	body.Error.Fields = qingqian.ErrorFields(err)
	if code == qingqian.ECANCELED {
		s.logCancelled(r, err)
	}
	if code == qingqian.EINTERNAL {
		id := requestID(r.Context())
		s.Logger.Error("internal error", "id", id, "method", r.Method, "path", r.URL.Path, "err", err)
		body.Error.Message = "系统内部错误（编号 " + id + "）"
		body.Error.RequestID = id
		body.Error.Fields = nil
	}
	writeJSON(w, ErrorStatus(err), body)
}

// logCancelled logs a request that ended before it was done: at Info when it was cancelled (the
// client went away), at Warn when it ran out of time. It is answered 503 with its message.
func (s *Server) logCancelled(r *http.Request, err error) {
	level := slog.LevelInfo
	if errors.Is(err, context.DeadlineExceeded) {
		level = slog.LevelWarn
	}
	s.Logger.Log(context.WithoutCancel(r.Context()), level, "request cancelled", "id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
}
