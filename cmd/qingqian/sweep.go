package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// sweep turns the contracts' payables that are overdue and unpaid today (or were paid late) into
// items of the ledger (新增欠款), as a running server does every day at --sweep-at. The sweep is
// idempotent: a payable that already has its item only gets the late payments not yet recorded.
func (m *Main) sweep(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("sweep", &c)
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sweep 不接受参数 %q", fs.Arg(0))
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := sweepArrears(ctx, sqldb.NewServices(db), "命令行逾期转欠款")
	if err != nil {
		return userError(err)
	}
	if n == 0 {
		fmt.Fprintln(m.Stdout, "没有需要转入拖欠台账的逾期应付款。")
		return nil
	}
	fmt.Fprintf(m.Stdout, "已处理 %d 份合同的逾期应付款：逾期未付的已列入拖欠台账（新增欠款），逾期后支付的已记为还款。\n", n)
	return nil
}

// sweepArrears runs the sweep over the whole province as the system.
func sweepArrears(ctx context.Context, svc qingqian.Services, who string) (int, error) {
	return svc.Contracts.RaiseArrears(qingqian.NewContext(ctx, qingqian.SystemActor(who)))
}

// beijing is the time zone of the office's day: the sweep runs at its hour whatever the
// server's own zone (the business days are China's, see qingqian.DateOf).
var beijing = time.FixedZone("CST", 8*3600)

// parseSweepAt reads --sweep-at: a time of day "HH:MM" (Beijing time), or "off".
func parseSweepAt(s string) (at time.Duration, on bool, err error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "" {
		return 0, false, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false, fmt.Errorf("--sweep-at 应为每日时刻 HH:MM（如 01:30）或 off，收到 %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true, nil
}

// nextSweep is the first moment after now at the time of day at, in now's location.
func nextSweep(now time.Time, at time.Duration) time.Time {
	y, mo, d := now.Date()
	next := time.Date(y, mo, d, 0, 0, 0, 0, now.Location()).Add(at)
	if !next.After(now) {
		next = time.Date(y, mo, d+1, 0, 0, 0, 0, now.Location()).Add(at)
	}
	return next
}

// keepSweeping runs the sweep once when the server starts (a server stopped over its hour has
// not missed a day) and then every day at the time of day at, until ctx ends. A failed sweep is
// logged and tried again the next day: the payables wait, nothing is half-written.
func keepSweeping(ctx context.Context, svc qingqian.Services, at time.Duration, logger *slog.Logger) {
	run := func() {
		n, err := sweepArrears(ctx, svc, "每日逾期转欠款")
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("the daily sweep of overdue payables failed; it runs again tomorrow", "err", err)
		case n > 0:
			logger.Info("overdue payables swept into the ledger", "contracts", n)
		}
	}
	run()
	for {
		t := time.NewTimer(time.Until(nextSweep(time.Now().In(beijing), at)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			run()
		}
	}
}
