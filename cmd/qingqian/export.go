package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/xlsx"
)

// export writes the list of a kind to --out as xlsx or CSV.
func (m *Main) export(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	kind := args[0]
	var c config
	fs := m.flags("export", &c)
	out := fs.String("out", "", "输出文件（.xlsx 或 .csv）")
	org := fs.Int64("org", 0, "只导出该单位及下级（台账、有分歧账款、线索、票据、询证函、合同、应付款）")
	id := fs.Int64("id", 0, "专项工作或文件的ID（campaign、circular 必填）")
	asOfText := fs.String("as-of", "", "截至日期 YYYY-MM-DD：台账按该日的余额导出（默认今天），有分歧账款表截至该日（默认上月末），应付款为该日未付的；其他导出不适用")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if *out == "" {
		return fmt.Errorf("请用 --out 指定输出文件")
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if format != "xlsx" && format != "csv" {
		return fmt.Errorf("输出文件应以 .xlsx 或 .csv 结尾")
	}
	var asOf qingqian.Date
	if *asOfText != "" {
		d, err := qingqian.ParseDate(*asOfText)
		if err != nil {
			return fmt.Errorf("--as-of 日期格式应为 YYYY-MM-DD")
		}
		if d.After(qingqian.Today()) {
			return fmt.Errorf("--as-of 不能晚于今天")
		}
		if kind != "ledger" && kind != "disputes" && kind != "payables" {
			return fmt.Errorf("--as-of 只适用于 ledger、disputes 和 payables：%s 导出的是当前的记录", kind)
		}
		asOf = d
	}
	if (kind == "campaign" || kind == "circular") && *id <= 0 {
		return fmt.Errorf("导出 %s 须用 --id 指定其ID", kind)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行导出"))
	meta := xlsx.Meta{AsOf: qingqian.Today(), User: "命令行", At: time.Now()}
	svc := sqldb.NewServices(db)
	var fn func(io.Writer) error
	switch kind {
	case "ledger":
		if !asOf.IsZero() {
			meta.AsOf = asOf
		}
		fn = func(w io.Writer) error {
			return xlsx.ExportLedger(sys, svc.Items, qingqian.ItemFilter{OrgID: *org, AsOf: asOf}, w, format, meta)
		}
	case "creditors":
		fn = func(w io.Writer) error { return xlsx.ExportCreditors(sys, svc.Creditors, w, format, meta) }
	case "units":
		fn = func(w io.Writer) error { return xlsx.ExportOrgs(sys, svc.Orgs, w, format, meta) }
	case "clues":
		fn = func(w io.Writer) error {
			list, _, err := svc.Clues.FindClues(sys, qingqian.ClueFilter{OrgID: *org, Limit: 100_000})
			if err != nil {
				return err
			}
			return xlsx.WriteClues(w, list, format, meta)
		}
	case "interviews":
		fn = func(w io.Writer) error {
			ivs, err := svc.Supervision.FindInterviews(sys)
			if err != nil {
				return err
			}
			return xlsx.WriteInterviews(w, ivs, format, meta)
		}
	case "disputes":
		if asOf.IsZero() {
			today := qingqian.Today()
			asOf = qingqian.NewDate(today.Year(), today.Month(), 1).AddDays(-1)
		}
		meta.AsOf = asOf
		fn = func(w io.Writer) error {
			t, err := svc.Cases.Disputes(sys, *org, asOf)
			if err != nil {
				return err
			}
			return xlsx.WriteDisputes(w, t, format, meta)
		}
	case "audit":
		// For the assessor: the whole trail, every field of every record with its hash link.
		fn = func(w io.Writer) error {
			return xlsx.ExportAudit(sys, svc.Audit, qingqian.AuditFilter{}, w, format, meta)
		}
	case "bills":
		// Every bill of the unit's subtree, whatever its state; pending ones past maturity say so.
		fn = func(w io.Writer) error {
			bills, err := svc.Bills.UnitBills(sys, *org)
			if err != nil {
				return err
			}
			return xlsx.WriteBills(w, bills, format, meta)
		}
	case "letters":
		// The confirmation letters to the unit's subtree, as the workbench's export lists them.
		fn = func(w io.Writer) error {
			f := qingqian.LetterFilter{OrgID: *org, Limit: 500}
			var all []*qingqian.Letter
			for {
				list, total, err := svc.Letters.FindLetters(sys, f)
				if err != nil {
					return err
				}
				all = append(all, list...)
				f.Offset += len(list)
				if len(list) == 0 || f.Offset >= total {
					break
				}
			}
			return xlsx.WriteLetters(w, all, format, meta)
		}
	case "causes":
		fn = func(w io.Writer) error {
			recs, err := svc.Causes.FindCauses(sys)
			if err != nil {
				return err
			}
			return xlsx.WriteCauses(w, recs, format, meta)
		}
	case "campaign":
		// One campaign's answers, unit by unit, with its checklist.
		fn = func(w io.Writer) error {
			cp, err := svc.Campaigns.FindCampaign(sys, *id)
			if err != nil {
				return err
			}
			xs, err := svc.Campaigns.FindAnswers(sys, *id)
			if err != nil {
				return err
			}
			return xlsx.WriteCampaign(w, cp, xs, format, meta)
		}
	case "circular":
		// One circular's receipts and replies.
		fn = func(w io.Writer) error {
			ci, err := svc.Circulars.FindCircular(sys, *id)
			if err != nil {
				return err
			}
			ci.MarkOverdue(qingqian.Today())
			return xlsx.WriteReceipts(w, ci, format, meta)
		}
	case "contracts":
		fn = func(w io.Writer) error {
			return xlsx.ExportContracts(sys, svc.Contracts, qingqian.ContractFilter{OrgID: *org}, w, format, meta)
		}
	case "payables":
		// The payables open on the date, of the unit and its subtree (the whole province by default).
		if asOf.IsZero() {
			asOf = qingqian.Today()
		}
		fn = func(w io.Writer) error {
			return xlsx.ExportOpenPayables(sys, svc.Aging, qingqian.PayableFilter{OrgID: *org, Subtree: true, AsOf: asOf}, w, format, meta)
		}
	default:
		return fmt.Errorf("不能导出“%s”，可选：ledger、creditors、units、clues、interviews、disputes、audit、causes、bills、letters、campaign、circular、contracts、payables", kind)
	}
	// An export from the command line is recorded as one from the workbench is.
	if err := svc.Audit.RecordAccess(sys, "data.export", "export", 0, map[string]any{"name": kind, "format": format, "path": "命令行", "org": *org, "id": *id}); err != nil {
		return err
	}
	if err := writeFile(*out, fn, m.Stdout); err != nil {
		return userError(err)
	}
	return nil
}
