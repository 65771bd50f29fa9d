package xlsx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/qingqian/qingqian"
)

// Issue is a problem found in a file, where a person can find it: sheet, row, column, value.
type Issue struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Message string `json:"message"`
	col     int    // cell index, -1 for the row as a whole
}

// Report is what an import did or would do, and every problem found.
type Report struct {
	Sheet  string                 `json:"sheet"`
	Result *qingqian.ImportResult `json:"result"`
	Issues []Issue                `json:"issues"`
}

// OK reports whether the file had no problem.
func (r *Report) OK() bool { return len(r.Issues) == 0 }

// Progress tells a waiting person how far an import has come.
type Progress struct {
	Phase string // "校验" then "写入"
	Rows  int
}

// fieldColumn names the ledger column of a domain field in a service issue.
var fieldColumn = map[string]string{
	"org_id": "org", "creditor_id": "uscc", "creditor_uscc": "uscc", "creditor_name": "creditor", "creditor_ownership": "ownership",
	"no": "no", "contract_no": "contract_no", "contract_name": "contract_name", "kind": "kind", "origin": "origin",
	"funding_source": "funding", "arisen_on": "arisen_on", "due_on": "due_on", "undisputed": "undisputed", "disputed": "disputed",
	"dispute_reason": "dispute_reason", "responsible": "responsible", "note": "note",
}

// Importable names the sheets that can be imported, with their columns.
var Importable = map[string][]Column{"ledger": LedgerColumns, "repayments": RepaymentColumns}

// Import imports a file of a kind ("ledger" or "repayments"); see ImportLedger.
func Import(ctx context.Context, svc qingqian.ImportService, kind, path string, dryRun bool, progress func(Progress)) (*Report, error) {
	switch kind {
	case "ledger":
		return ImportLedger(ctx, svc, path, dryRun, progress)
	case "repayments":
		return ImportRepayments(ctx, svc, path, dryRun, progress)
	}
	return nil, fileErr("不能导入“%s”，可选：ledger（台账条目）、repayments（清偿记录）", kind)
}

// ImportRepayments imports a file of repayments the way ImportLedger imports a ledger: every
// cell checked first, then one transaction, each repayment checked against the item's balance.
func ImportRepayments(ctx context.Context, svc qingqian.ImportService, path string, dryRun bool, progress func(Progress)) (*Report, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	rep := &Report{Issues: []Issue{}}
	rows := 0
	if err := scanRepayments(path, rep, func(*qingqian.RepaymentRow) bool { rows++; return true }); err != nil {
		return nil, err
	}
	progress(Progress{"校验", rows})
	if !rep.OK() {
		rep.Result = &qingqian.ImportResult{DryRun: dryRun, Rows: rows, Issues: []qingqian.ImportIssue{}}
		return rep, nil
	}
	n := 0
	res, err := svc.ImportRepayments(ctx, func(yield func(*qingqian.RepaymentRow) bool) error {
		return scanRepayments(path, &Report{}, func(r *qingqian.RepaymentRow) bool {
			n++
			if n%5000 == 0 {
				progress(Progress{"写入", n})
			}
			return yield(r)
		})
	}, dryRun)
	if err != nil {
		return nil, err
	}
	progress(Progress{"写入", n})
	rep.Result = res
	rep.addServiceIssues(path, RepaymentColumns, map[string]string{"org_id": "org", "no": "no", "on": "on", "amount": "amount", "method": "method",
		"part": "part", "voucher_no": "voucher_no", "reason": "reason"})
	return rep, nil
}

// addServiceIssues turns the service's issues (by field) into issues a person can find (by column).
func (rep *Report) addServiceIssues(path string, cols []Column, fields map[string]string) {
	index := map[string]int{}
	if h, err := fileHeader(path, cols); err == nil {
		index = h.index
	}
	for _, is := range rep.Result.Issues {
		key := fields[is.Field]
		col, ok := index[key]
		if !ok {
			col = -1
		}
		name := ""
		for _, c := range cols {
			if c.Key == key {
				name = c.Header
			}
		}
		rep.Issues = append(rep.Issues, Issue{Sheet: rep.Sheet, Row: is.Row, Column: name, Value: is.Value, Message: is.Message, col: col})
	}
}

func fileHeader(path string, cols []Column) (*header, error) {
	src, err := openSource(path, cols)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return findHeader(src, cols)
}

func scanRepayments(path string, rep *Report, fn func(*qingqian.RepaymentRow) bool) error {
	return scanRows(path, RepaymentColumns, rep, func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) bool {
		r := &qingqian.RepaymentRow{Row: rowNum, Entry: qingqian.EntryInput{Kind: qingqian.EntryRepay}}
		ok := true
		for i := range RepaymentColumns {
			c := &RepaymentColumns[i]
			v := ""
			if idx, found := h.index[c.Key]; found && idx < len(cells) {
				v = strings.TrimSpace(cells[idx])
			}
			if c.Required && v == "" {
				bad(c, v, "必填")
				ok = false
				continue
			}
			var err error
			switch c.Key {
			case "org":
				r.OrgName = v
			case "no":
				r.ItemNo = v
			case "on":
				r.Entry.On, err = ParseDate(v)
			case "amount":
				r.Entry.Amount, err = ParseAmount(v, h.wan[c.Key])
				if err == nil && r.Entry.Amount <= 0 {
					err = fmt.Errorf("清偿金额必须大于零")
				}
			case "method", "part":
				code, found := c.code(v)
				if !found && v != "" {
					err = fmt.Errorf("应为：%s", strings.Join(c.labels(), "、"))
				}
				if c.Key == "method" {
					r.Entry.Method = qingqian.PayMethod(code)
				} else {
					r.Entry.Part = qingqian.Part(code)
				}
			case "voucher_no":
				r.Entry.VoucherNo = v
			case "reason":
				r.Entry.Reason = v
			}
			if err != nil {
				bad(c, v, err.Error())
				ok = false
			}
		}
		return !ok || fn(r)
	})
}

// scanRows reads the data rows of a file with the given columns, handing each non-blank row to
// parse (which reports bad cells and returns false to stop).
func scanRows(path string, cols []Column, rep *Report, parse func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) bool) error {
	src, err := openSource(path, cols)
	if err != nil {
		return err
	}
	defer src.close()
	rep.Sheet = src.sheet()
	h, err := findHeader(src, cols)
	if err != nil {
		return err
	}
	rowNum := h.row
	for {
		cells, err := src.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rowNum++
		if isBlank(cells) {
			continue
		}
		more := parse(h, cells, rowNum, func(c *Column, value, msg string) {
			if len(rep.Issues) < qingqian.MaxImportIssues {
				rep.Issues = append(rep.Issues, Issue{Sheet: src.sheet(), Row: rowNum, Column: c.Header, Value: value, Message: msg, col: h.index[c.Key]})
			}
		})
		if !more || len(rep.Issues) >= qingqian.MaxImportIssues {
			return nil
		}
	}
}

// ImportLedger imports a ledger workbook or CSV. It reads the whole file once checking every
// cell; with any problem it writes nothing and reports them all. Otherwise it reads the file
// again, streaming the rows into the service, which resolves them and writes them in one
// transaction (or, in a dry run, reports what it would do). Memory stays bounded whatever the
// number of rows.
func ImportLedger(ctx context.Context, svc qingqian.ImportService, path string, dryRun bool, progress func(Progress)) (*Report, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	rep := &Report{Issues: []Issue{}}
	// Pass 1: every cell.
	rows := 0
	err := scanLedger(path, rep, func(*qingqian.LedgerRow) bool {
		rows++
		if rows%5000 == 0 {
			progress(Progress{"校验", rows})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	progress(Progress{"校验", rows})
	if !rep.OK() {
		rep.Result = &qingqian.ImportResult{DryRun: dryRun, Rows: rows, Issues: []qingqian.ImportIssue{}}
		return rep, nil
	}
	// Pass 2: into the service, in one transaction.
	n := 0
	res, err := svc.ImportLedger(ctx, func(yield func(*qingqian.LedgerRow) bool) error {
		return scanLedger(path, &Report{}, func(r *qingqian.LedgerRow) bool {
			n++
			if n%5000 == 0 {
				progress(Progress{"写入", n})
			}
			return yield(r)
		})
	}, dryRun)
	if err != nil {
		return nil, err
	}
	progress(Progress{"写入", n})
	rep.Result = res
	rep.addServiceIssues(path, LedgerColumns, fieldColumn)
	return rep, nil
}

// scanLedger reads the rows of a ledger file, checking each cell; problems go into rep, good rows
// to fn (until fn returns false).
func scanLedger(path string, rep *Report, fn func(*qingqian.LedgerRow) bool) error {
	return scanRows(path, LedgerColumns, rep, func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) bool {
		r, ok := parseLedgerRow(h, cells, rowNum, bad)
		return !ok || fn(r)
	})
}

// parseLedgerRow reads one data row; bad cells are told to bad, and ok is false if there were any.
func parseLedgerRow(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.LedgerRow, bool) {
	ok := true
	cell := func(c *Column) string {
		i, found := h.index[c.Key]
		if !found || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(cells[i])
	}
	fail := func(c *Column, v, msg string) {
		ok = false
		bad(c, v, msg)
	}
	r := &qingqian.LedgerRow{Row: rowNum}
	it := &r.Item
	for i := range LedgerColumns {
		c := &LedgerColumns[i]
		if c.Derived {
			continue
		}
		v := cell(c)
		if c.Required && v == "" {
			fail(c, v, "必填")
			continue
		}
		switch c.kind {
		case dateCol:
			d, err := ParseDate(v)
			if err != nil {
				fail(c, v, err.Error())
				continue
			}
			switch c.Key {
			case "arisen_on":
				it.ArisenOn = d
			case "due_on":
				it.DueOn = d
			}
		case moneyCol:
			m, err := ParseAmount(v, h.wan[c.Key])
			if err != nil {
				fail(c, v, err.Error())
				continue
			}
			if m < 0 {
				fail(c, v, "金额不能为负数")
				continue
			}
			switch c.Key {
			case "undisputed":
				it.Undisputed = m
			case "disputed":
				it.Disputed = m
			}
		case usccCol:
			code, err := ParseUSCC(v)
			if err != nil {
				fail(c, v, err.Error())
				continue
			}
			r.Creditor.USCC = code
		case enumCol:
			code, found := c.code(v)
			if !found {
				if v == "" {
					continue
				}
				fail(c, v, "应为："+strings.Join(c.labels(), "、"))
				continue
			}
			switch c.Key {
			case "ownership":
				r.Creditor.Ownership = qingqian.Ownership(code)
			case "kind":
				it.Kind = qingqian.ItemKind(code)
			case "funding":
				it.FundingSource = qingqian.FundingSource(code)
			case "origin":
				it.Origin = qingqian.Origin(code)
			}
		default:
			if len([]rune(v)) > 500 {
				fail(c, v[:50]+"…", "内容过长（最多500字）")
				continue
			}
			switch c.Key {
			case "no":
				it.No = v
			case "org":
				r.OrgName = v
			case "creditor":
				r.Creditor.Name = v
			case "contract_no":
				it.ContractNo = v
			case "contract_name":
				it.ContractName = v
			case "dispute_reason":
				it.DisputeReason = v
			case "responsible":
				it.Responsible = v
			case "note":
				it.Note = v
			}
		}
	}
	if ok && it.Undisputed+it.Disputed == 0 {
		c := column(LedgerColumns, "undisputed")
		fail(c, cell(c), "无分歧金额与有分歧金额不能都为零")
	}
	return r, ok
}

// IssueSummary renders issues as lines "工作表 第N行 列：值 —— 说明" for a terminal.
func IssueSummary(issues []Issue, max int) string {
	var b strings.Builder
	for i, is := range issues {
		if i == max {
			fmt.Fprintf(&b, "……另有 %d 处问题，见错误报告\n", len(issues)-max)
			break
		}
		col := is.Column
		if col == "" {
			col = "（整行）"
		}
		fmt.Fprintf(&b, "%s 第%d行 %s：%q —— %s\n", is.Sheet, is.Row, col, is.Value, is.Message)
	}
	return b.String()
}
