package sqldb

// Errors. Every service method ends with serviceErr, which turns what went wrong into what the
// service returns: a service error (*qingqian.Error) as it is, a cancelled request as such, and
// anything else as an internal error whose text, logged and never shown, names the operation,
// its entity and the steps it went through: "record repay entry on item 42: insert entry: …".
// The steps name themselves with wrapErr.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qingqian/qingqian"
)

// serviceErr ends a service method whose error result is *errp; deferred, with the operation:
//
//	defer serviceErr(&err, "record %s entry on item %d", in.Kind, in.ItemID)
//
// A *qingqian.Error other than internal comes out unwrapped, its code, message and fields
// intact; a cancelled or timed-out request is ECANCELED; anything else is internal, its cause
// prefixed with the operation.
func serviceErr(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = serviceError(*errp, format, args...)
	}
}

func serviceError(err error, format string, args ...any) error {
	var e *qingqian.Error
	if errors.As(err, &e) && e.Code != qingqian.EINTERNAL {
		return e
	}
	op := fmt.Sprintf(format, args...)
	if timeout, ok := isCancelled(err); ok {
		msg := "请求已取消"
		if timeout {
			msg = "处理超时，请稍后再试"
		}
		return &qingqian.Error{Code: qingqian.ECANCELED, Message: msg, Err: fmt.Errorf("%s: %w", op, err)}
	}
	if isBusy(err) {
		// Writers waited for each other longer than the database allows: nothing was written,
		// and the same request may be sent again.
		return &qingqian.Error{Code: qingqian.ECANCELED, Message: "系统繁忙，请稍后重试", Err: fmt.Errorf("%s: %w", op, err)}
	}
	if e != nil && error(e) == err && e.Err != nil {
		err = e.Err // an internal error of a service called inside: its cause, not its text again
	}
	return qingqian.Internal(fmt.Errorf("%s: %w", op, err))
}

// wrapErr prefixes the failure of a step with what the step does; deferred, like serviceErr.
// Service errors inside keep their code: serviceErr finds them through the prefix.
func wrapErr(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf(format+": %w", append(args, *errp)...)
	}
}

// missing reports an error that says a row is not there, or is outside the actor's reach, which
// reads the same: the caller answers with a message of its own. Any other error is a failure it
// must pass on, not hide behind "not found".
func missing(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || qingqian.ErrorCode(err) == qingqian.ENOTFOUND
}

// isCancelled reports whether err comes from a request's context ending, and whether it ran
// out of time rather than being cancelled. Both drivers, and database/sql around them, report a
// statement stopped that way with the context's own error (TestCancelledRequests).
func isCancelled(err error) (timeout, ok bool) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return true, true
	case errors.Is(err, context.Canceled):
		return false, true
	}
	return false, false
}
