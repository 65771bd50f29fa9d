package main

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian/sqldb"
)

// verify checks, in one snapshot of the database taken while the system may go on writing, the
// audit hash chain and that the running totals equal the entries; it exits with status 1 when
// a check does not hold, after naming every problem found.
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
	rep, err := db.Verify(ctx, sqldb.VerifyOptions{Progress: func(step string) { fmt.Fprintf(m.Stderr, "校验%s…\n", step) }})
	if err != nil {
		return err
	}
	if rep.Chain.OK {
		fmt.Fprintf(m.Stdout, "审计链完好：%d 条记录（%d 条链），逐条哈希相连。\n", rep.Records, rep.Chains)
	}
	fmt.Fprintf(m.Stdout, "已核对 %d 笔分录与写入它们的审计记录、%d 笔台账的余额、%d 个凭证文件的哈希。\n", rep.Entries, rep.Items, rep.Vouchers)
	if rep.Totals == "" {
		fmt.Fprintln(m.Stdout, "汇总数与明细分录一致。")
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(m.Stdout, p)
	}
	fmt.Fprintf(m.Stdout, "用时 %.1f 秒。\n", rep.Took.Seconds())
	if !rep.OK() {
		return exitError(1)
	}
	return nil
}
