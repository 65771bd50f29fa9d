package qingqian

import "context"

type standbyKey struct{}

// WithStandbyReads marks a context whose reads may be served by a hot standby: what the call
// reads may be a moment old (a report, a list, an export, a dashboard), and the caller has not
// just written something it expects to see. Writes always go to the primary.
func WithStandbyReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, standbyKey{}, true)
}

// StandbyReadsOK reports whether the context's reads may be served by a hot standby.
func StandbyReadsOK(ctx context.Context) bool {
	ok, _ := ctx.Value(standbyKey{}).(bool)
	return ok
}
