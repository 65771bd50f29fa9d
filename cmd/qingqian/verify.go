package main

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// verify checks the audit hash chain and that the running totals equal the entries; it exits
// with status 1 when either does not hold.
func (m *Main) verify(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("verify", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("verify"))
	res, err := sqldb.NewServices(db).Audit.VerifyAudit(sys)
	if err != nil {
		return err
	}
	failed := false
	if res.OK {
		fmt.Fprintf(m.Stdout, "审计链完好：%d 条记录，逐条哈希相连。\n", res.Records)
	} else {
		failed = true
		fmt.Fprintf(m.Stdout, "审计链断裂：第一处断点在第 %d 条。%s\n", res.BrokenSeq, res.Problem)
	}
	bad, err := db.VerifyTotals(ctx)
	if err != nil {
		return err
	}
	if bad == "" {
		fmt.Fprintln(m.Stdout, "汇总数与明细分录一致。")
	} else {
		failed = true
		fmt.Fprintln(m.Stdout, "汇总数异常：", bad)
	}
	problems, err := db.VerifyBalances(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintln(m.Stdout, "余额均在可能的范围内，累计发生额与明细分录一致。")
	} else {
		failed = true
		for _, p := range problems {
			fmt.Fprintln(m.Stdout, "余额异常：", p)
		}
	}
	if failed {
		return exitError(1)
	}
	return nil
}
