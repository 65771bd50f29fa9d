package web

import (
	"context"
	"log/slog"
)

// NewLogHandler wraps a log handler so that every record logged with a request's context (the
// *Context methods of slog.Logger) carries the request's ID as "id", like the access log line and
// the "系统内部错误（编号 …）" a user is shown: one ID finds everything a request did, in this
// package and in those it calls with the request's context (the database's security records,
// an import started by the request).
func NewLogHandler(h slog.Handler) slog.Handler {
	if lh, ok := h.(*logHandler); ok {
		return lh
	}
	return &logHandler{h}
}

type logHandler struct{ slog.Handler }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestID(ctx); id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "id"
			return !has
		})
		if !has {
			r.AddAttrs(slog.String("id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &logHandler{h.Handler.WithAttrs(attrs)}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{h.Handler.WithGroup(name)}
}
