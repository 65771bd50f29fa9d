package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/qingqian/qingqian/sqldb"
)

// verify checks, in one snapshot of the database taken while the system may go on writing, the
// audit hash chain and that the running totals equal the entries; it exits with status 1 when
// a check does not hold, after naming every problem found.
func (m *Main) verify(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("verify", &c)
	var anchors []string
	fs.Func("anchor", "此前用 qingqian anchor 留存的锚点文件（可多次给出）", func(s string) error {
		anchors = append(anchors, s)
		return nil
	})
	skipVouchers := fs.Bool("skip-vouchers", false, "不重新计算凭证文件的哈希")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	start := time.Now()
	opt := sqldb.VerifyOptions{SkipVouchers: *skipVouchers, Progress: func(step string) {
		fmt.Fprintf(m.Stderr, "[%4.0f 秒] 校验%s…\n", time.Since(start).Seconds(), step)
	}}
	for _, f := range anchors {
		a, err := sqldb.ReadAnchorFile(f)
		if err != nil {
			return fmt.Errorf("锚点文件 %s 无法读取: %w", f, err)
		}
		opt.Anchors = append(opt.Anchors, sqldb.NamedAnchor{Name: "锚点文件 " + f, Anchor: a})
	}
	// The data folder's copy, kept by the server and by every verify that passed.
	kept, err := sqldb.ReadAnchorFile(anchorPath(&c))
	switch {
	case err == nil:
		opt.Anchors = append(opt.Anchors, sqldb.NamedAnchor{Name: "数据目录中的锚点", Anchor: kept})
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("数据目录中的锚点 %s 无法读取: %w", anchorPath(&c), err)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Verify(ctx, opt)
	if err != nil {
		return err
	}
	if rep.Chain.OK {
		fmt.Fprintf(m.Stdout, "审计链完好：%d 条记录（%d 条链），逐条哈希相连。\n", rep.Records, rep.Chains)
	}
	fmt.Fprintf(m.Stdout, "已核对 %d 笔分录与写入它们的审计记录、%d 笔台账的余额、%d 个凭证文件的哈希、%d 张票据与其审计记录。\n", rep.Entries, rep.Items, rep.Vouchers, rep.Bills)
	fmt.Fprintf(m.Stdout, "已核对 %d 份银行对账单（%d 行流水、%d 处与清偿的匹配）、%d 份询证函与其审计记录。\n", rep.Statements, rep.StatementLines, rep.StatementLinks, rep.Letters)
	fmt.Fprintf(m.Stdout, "已核对 %d 份合同、%d 个合同事项与其审计记录。\n", rep.Contracts, rep.ContractEvents)
	fmt.Fprintf(m.Stdout, "已核对 %d 笔转入拖欠台账的合同应付款与其台账条目，及最近一次转入时逾期未付的应付款均已列入台账。\n", rep.Swept)
	if rep.Totals == "" {
		fmt.Fprintln(m.Stdout, "汇总数与明细分录一致。")
	}
	if rep.Balances {
		fmt.Fprintln(m.Stdout, "余额均在可能的范围内，累计发生额与明细分录一致。")
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(m.Stdout, p)
	}
	fmt.Fprintf(m.Stdout, "审计链锚点：%d 条链、%d 条记录，摘要 %s\n", len(rep.Anchor.Heads), rep.Anchor.Records(), rep.Anchor.Digest())
	fmt.Fprintf(m.Stdout, "用时 %.1f 秒。\n", rep.Took.Seconds())
	if !rep.OK() {
		return exitError(1)
	}
	// What passed becomes the data folder's anchor.
	if err := sqldb.WriteAnchorFile(anchorPath(&c), rep.Anchor); err != nil {
		fmt.Fprintf(m.Stderr, "数据目录中的锚点未能更新: %v\n", err)
	}
	return nil
}
