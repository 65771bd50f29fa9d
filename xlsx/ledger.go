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
	cols := map[string]int{}
	if h, err := ledgerHeader(path); err == nil {
		cols = h.index
	}
	for _, is := range res.Issues {
		key := fieldColumn[is.Field]
		col, ok := cols[key]
		if !ok {
			col = -1
		}
		rep.Issues = append(rep.Issues, Issue{Sheet: rep.Sheet, Row: is.Row, Column: headerOf(LedgerColumns, key), Value: is.Value, Message: is.Message, col: col})
	}
	return rep, nil
}

func headerOf(cols []Column, key string) string {
	for _, c := range cols {
		if c.Key == key {
			return c.Header
		}
	}
	return ""
}

func ledgerHeader(path string) (*header, error) {
	src, err := openSource(path, LedgerColumns)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return findHeader(src, LedgerColumns)
}

// scanLedger reads the rows of a ledger file, checking each cell; problems go into rep, good rows
// to fn (until fn returns false).
func scanLedger(path string, rep *Report, fn func(*qingqian.LedgerRow) bool) error {
	src, err := openSource(path, LedgerColumns)
	if err != nil {
		return err
	}
	defer src.close()
	rep.Sheet = src.sheet()
	h, err := findHeader(src, LedgerColumns)
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
		r, ok := parseLedgerRow(h, cells, rowNum, func(c *Column, value, msg string) {
			if len(rep.Issues) < qingqian.MaxImportIssues {
				rep.Issues = append(rep.Issues, Issue{Sheet: src.sheet(), Row: rowNum, Column: c.Header, Value: value, Message: msg, col: h.index[c.Key]})
			}
		})
		if ok && !fn(r) {
			return nil
		}
		if len(rep.Issues) >= qingqian.MaxImportIssues {
			return nil
		}
	}
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
