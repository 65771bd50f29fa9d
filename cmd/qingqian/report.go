package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/web"
	"github.com/qingqian/qingqian/xlsx"
)

// report writes period N's consolidated report: as issued, or a draft when it has not been.
func (m *Main) report(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("report", &c)
	no := fs.Int("period", 0, "期次号 N（第N期）")
	format := fs.String("format", "", "xlsx、csv 或 html；默认按输出文件扩展名")
	out := fs.String("out", "", "输出文件")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *no <= 0 {
		return fmt.Errorf("请用 --period 指定期次号（正整数）")
	}
	if *out == "" {
		return fmt.Errorf("请用 --out 指定输出文件")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if *format != "xlsx" && *format != "csv" && *format != "html" {
		return fmt.Errorf("格式应为 xlsx、csv 或 html")
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行报表"))
	svc := sqldb.NewServices(db)
	p, err := svc.Reports.FindPeriodByNo(sys, *no)
	if err != nil {
		return userError(err)
	}
	rep, err := svc.Reports.Report(sys, p.ID)
	if err != nil {
		return userError(err)
	}
	// The annex goes with the table: as issued, or a draft's bills as they stand now.
	if rep.Annex, err = svc.Reports.ReportAnnex(sys, p.ID, false); err != nil {
		return userError(err)
	}
	if !rep.Issued {
		fmt.Fprintf(m.Stderr, "注意：第%d期汇总表尚未印发，输出的是按当前数据生成的草稿。\n", *no)
	}
	return writeFile(*out, func(w io.Writer) error {
		if *format == "html" {
			return web.WriteReportHTML(w, rep)
		}
		return xlsx.WriteReport(w, rep, *format)
	}, m.Stdout)
}
