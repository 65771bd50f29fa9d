package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/xlsx"
)

// importStatement imports a unit's bank statement from a file, as the workbench does: the file
// is kept by its hash, the lines are read from it, checked, matched with the unit's repayments
// and audited; with --dry-run nothing is written and the lines are listed.
func (m *Main) importStatement(ctx context.Context, args []string) error {
	const use = "用法：qingqian import statement 对账单.xlsx|对账单.csv --org 单位ID [--window 天数] [--dry-run] [--accept-outliers]\n"
	if len(args) < 1 || len(args[0]) == 0 || args[0][0] == '-' {
		fmt.Fprint(m.Stderr, use)
		return exitError(2)
	}
	path := args[0]
	var c config
	fs := m.flags("import", &c)
	org := fs.Int64("org", 0, "对账单所属单位的编号")
	window := fs.Int("window", 0, fmt.Sprintf("匹配的日期窗口（天，默认 %d）", qingqian.DefaultMatchWindow))
	dry := fs.Bool("dry-run", false, "只读取、校验并列出付款行和可匹配的清偿，不写入")
	accept := fs.Bool("accept-outliers", false, "确认导入与其余各行相隔一年以上的行（已核对）")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if *org == 0 {
		fmt.Fprint(m.Stderr, "请用 --org 指明对账单所属单位的编号\n"+use)
		return exitError(2)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("无法打开对账单文件：%w", err)
	}
	defer f.Close()
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行导入"))
	st := sqldb.NewServices(db).Statements
	file, err := st.SpoolStatement(sys, filepath.Base(path), f)
	if err != nil {
		return userError(err)
	}
	res, err := st.ImportStatement(sys, qingqian.StatementImport{OrgID: *org, FileSHA256: file.SHA256, FileName: file.Name, Window: *window,
		DryRun: *dry, AcceptOutliers: *accept})
	if err != nil {
		return userError(err)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(m.Stdout, "说明：%s\n", n)
	}
	if len(res.Issues) > 0 {
		fmt.Fprintf(m.Stdout, "对账单有 %d 处问题，没有导入任何数据：\n", len(res.Issues))
		for i, is := range res.Issues {
			if i == 50 {
				fmt.Fprintf(m.Stdout, "……另有 %d 处\n", len(res.Issues)-50)
				break
			}
			fmt.Fprintf(m.Stdout, "  第 %d 行 %s「%s」：%s\n", is.Row, xlsx.StatementColumn(is.Field), is.Value, is.Message)
		}
		if len(res.Warnings) > 0 && !*accept {
			fmt.Fprintln(m.Stdout, "核对无误后，可加 --accept-outliers 导入日期与其余各行相隔一年以上的行。")
		}
		return exitError(1)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(m.Stdout, "请核对：第 %d 行 交易日期「%s」：%s\n", w.Row, w.Value, w.Message)
	}
	fmt.Fprintf(m.Stdout, "文件 SHA-256：%s\n", file.SHA256)
	if *dry {
		fmt.Fprintf(m.Stdout, "试导入（未写入）：%d 笔付款，可自动匹配 %d 笔清偿。\n", res.Lines, res.Matched)
		for i, l := range res.Read {
			if i == 50 {
				fmt.Fprintf(m.Stdout, "……另有 %d 行\n", len(res.Read)-50)
				break
			}
			fmt.Fprintf(m.Stdout, "  第 %d 行  %s  %s 元  %s %s  %s\n", l.Row, l.On, l.Amount, l.PayeeName, l.PayeeAccount, l.SerialNo)
		}
		return nil
	}
	s := res.Statement
	fmt.Fprintf(m.Stdout, "已导入对账单 %d（%s，%s 至 %s）：%d 笔付款，自动匹配 %d 笔清偿；原文件已留存。\n", s.ID, s.OrgName, s.From, s.To, res.Lines, res.Matched)
	return nil
}
