package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/xlsx"
)

// importFile imports a sheet of a kind; with any problem it writes nothing and puts a workbook
// with the bad cells marked beside the file.
func (m *Main) importFile(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "statement" {
		return m.importStatement(ctx, args[1:])
	}
	if len(args) < 2 {
		fmt.Fprint(m.Stderr, "用法：qingqian import ledger|repayments|plans|creditors|units|contracts|contract_events 文件.xlsx|文件.csv [--dry-run]\n"+
			"      qingqian import statement 对账单.xlsx|对账单.csv --org 单位ID [--window 天数] [--dry-run] [--accept-outliers]\n")
		return exitError(2)
	}
	kind := args[0]
	var c config
	fs := m.flags("import", &c)
	dry := fs.Bool("dry-run", false, "只校验并报告将要新增、更新、不变的条目，不写入")
	vouchers := fs.String("vouchers", "", "清偿记录的凭证压缩包（.zip，文件名为凭证号）")
	path := args[1]
	if err := fs.Parse(args[2:]); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行导入"))
	start := time.Now()
	progress := func(p xlsx.Progress) { fmt.Fprintf(m.Stderr, "\r%s：已处理 %d 行", p.Phase, p.Rows) }
	var rep *xlsx.ImportOutcome
	if kind == "repayments" {
		rep, err = xlsx.ImportRepayments(sys, sqldb.NewServices(db).Imports, path, *vouchers, *dry, progress)
	} else if *vouchers != "" {
		return fmt.Errorf("--vouchers 只用于导入清偿记录")
	} else {
		rep, err = xlsx.Import(sys, sqldb.NewServices(db).Imports, kind, path, *dry, progress)
	}
	fmt.Fprintln(m.Stderr)
	if err != nil {
		var fe *xlsx.FileError
		if errors.As(err, &fe) {
			return errors.New(fe.Msg)
		}
		return userError(err)
	}
	r := rep.Result
	if !rep.OK() {
		fmt.Fprintf(m.Stdout, "文件有 %d 处问题，没有导入任何数据：\n%s", len(rep.Issues), xlsx.IssueSummary(rep.Issues, 50))
		for _, n := range rep.Notes {
			fmt.Fprintf(m.Stdout, "说明：%s\n", n)
		}
		report := strings.TrimSuffix(path, filepath.Ext(path)) + ".错误报告.xlsx"
		if err := writeFile(report, func(w io.Writer) error { return xlsx.WriteErrorWorkbook(w, kind, path, rep.Issues) }, m.Stdout); err != nil {
			return err
		}
		return exitError(1)
	}
	verb := "已导入"
	if *dry {
		verb = "试导入（未写入）"
	}
	if kind == "repayments" {
		fmt.Fprintf(m.Stdout, "%s %d 行（%.1f 秒）：记录清偿 %d 笔，已导入过的 %d 笔未重复记录。\n", verb, r.Rows, time.Since(start).Seconds(), r.Created, r.Unchanged)
		return nil
	}
	fmt.Fprintf(m.Stdout, "%s %d 行（%.1f 秒）：新增 %d 条，更新 %d 条，不变 %d 条，新登记债权企业 %d 家。\n",
		verb, r.Rows, time.Since(start).Seconds(), r.Created, r.Updated, r.Unchanged, r.CreditorsCreated)
	fmt.Fprint(m.Stdout, xlsx.PreviewSummary(rep, kind, 50))
	return nil
}
