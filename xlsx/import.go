package xlsx

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/text/encoding/simplifiedchinese"

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

// ImportOutcome is what an import did or would do, and every problem found.
type ImportOutcome struct {
	Sheet  string                 `json:"sheet"`  // the first sheet read
	Sheets []string               `json:"sheets"` // every sheet read (a workbook's sheets whose header matched)
	Result *qingqian.ImportResult `json:"result"`
	Issues []Issue                `json:"issues"`
	// Warnings do not stop the import; Notes say how the file was read: sheets left out, the
	// unit taken for each amount column, a column chosen among two.
	Warnings []Issue      `json:"warnings"`
	Notes    []string     `json:"notes"`
	Units    []ColumnUnit `json:"units"`
	headers  map[string]*header
}

// ColumnUnit is the unit an amount column of a sheet was read in, and what said so.
type ColumnUnit struct {
	Sheet  string `json:"sheet"`
	Column string `json:"column"`
	Unit   string `json:"unit"`
	From   string `json:"from"`
}

// OK reports whether the file had no problem.
func (r *ImportOutcome) OK() bool { return len(r.Issues) == 0 }

// Progress tells a waiting person how far an import has come.
type Progress struct {
	Phase string // what is being done, e.g. "校验并写入"
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
var Importable = map[string][]Column{"ledger": LedgerColumns, "repayments": RepaymentColumns, "plans": PlanColumns, "creditors": CreditorColumns, "units": OrgColumns,
	"contracts": ContractImportColumns, "contract_events": ContractEventColumns}

// Import imports a file of a kind: "ledger", "repayments", "plans", "creditors", "units",
// "contracts" or "contract_events". It
// reads the file once, checking every cell and streaming the good rows into the service, which
// resolves them and writes them in one transaction (or, in a dry run, reports what it would do).
// With any problem in the file or in the rows, the transaction is rolled back, nothing is
// written, and the problems are reported. Memory stays bounded whatever the number of rows.
func Import(ctx context.Context, svc qingqian.ImportService, kind, path string, dryRun bool, progress func(Progress)) (*ImportOutcome, error) {
	switch kind {
	case "ledger":
		return ImportLedger(ctx, svc, path, dryRun, progress)
	case "repayments":
		return ImportRepayments(ctx, svc, path, "", dryRun, progress)
	case "plans":
		return importRows(ctx, path, PlanColumns, dryRun, progress, parsePlan, svc.ImportPlans,
			map[string]string{"org_id": "org", "no": "no", "due": "due", "amount": "amount", "funding_source": "funding", "instalments": "amount", "reason": "note"}, nil)
	case "creditors":
		return importRows(ctx, path, CreditorColumns, dryRun, progress, parseCreditor, svc.ImportCreditors,
			map[string]string{"name": "name", "uscc": "uscc", "ownership": "ownership", "size": "size", "size_declared_on": "size_declared_on", "region": "region"}, nil)
	case "units":
		return importRows(ctx, path, OrgColumns, dryRun, progress, parseOrg, svc.ImportOrgs,
			map[string]string{"name": "name", "parent": "parent", "short_name": "short_name", "uscc": "uscc", "kind": "kind", "liaison_phone": "phone"}, nil)
	case "contracts":
		return importRows(ctx, path, ContractImportColumns, dryRun, progress, parseContract, svc.ImportContracts,
			map[string]string{"org_id": "org", "no": "no", "name": "name", "kind": "kind", "buyer_kind": "buyer", "creditor_id": "uscc", "uscc": "uscc",
				"creditor_name": "creditor", "supplier_size": "size", "size_declared_on": "size_declared_on", "size_evidence": "size_evidence",
				"signed_on": "signed_on", "amount": "amount", "settlement": "settlement", "agreed_days": "agreed_days", "acceptance_days": "acceptance_days",
				"agreed_rate": "rate", "note": "note"}, nil)
	case "contract_events":
		return importRows(ctx, path, ContractEventColumns, dryRun, progress, parseContractEvent, svc.ImportContractEvents,
			map[string]string{"org_id": "org", "contract_no": "no", "kind": "kind", "on": "on", "amount": "amount", "method": "method",
				"voucher_no": "voucher_no", "end_on": "end_on", "late_by_supplier": "late_by_supplier", "note": "note", "key": "key"}, nil)
	}
	return nil, fileErr("不能导入“%s”，可选：ledger、repayments、plans、creditors、units、contracts、contract_events", kind)
}

// ImportRepayments imports a sheet of repayments (see Import) with, when zipPath is not empty,
// a zip of voucher files beside it: a file belongs to the row whose voucher number (凭证号) is its
// name without extension, or the part of its name before "_" (HD-1.pdf, HD-1_回单2.jpg). A file
// that no row claims is a problem, like a bad cell.
func ImportRepayments(ctx context.Context, svc qingqian.ImportService, sheet, zipPath string, dryRun bool, progress func(Progress)) (*ImportOutcome, error) {
	files := map[string][]*zip.File{}
	if zipPath != "" {
		zr, err := zip.OpenReader(zipPath)
		if err != nil {
			return nil, fileErr("凭证压缩包不是有效的 zip 文件")
		}
		defer zr.Close()
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			key := voucherKey(zipName(f))
			files[key] = append(files[key], f)
		}
	}
	claimed := map[string]bool{}
	parse := func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.RepaymentRow, bool) {
		r, ok := parseRepayment(h, cells, rowNum, bad)
		if !ok || r.Entry.VoucherNo == "" {
			return r, ok
		}
		for _, f := range files[r.Entry.VoucherNo] {
			claimed[r.Entry.VoucherNo] = true
			r.Files = append(r.Files, qingqian.VoucherFile{Name: path.Base(zipName(f)), Open: func() (io.ReadCloser, error) { return f.Open() }})
		}
		return r, ok
	}
	// After the check of every row, before anything is written: files no row claims.
	unclaimed := func(rep *ImportOutcome) {
		for key, fs := range files {
			if !claimed[key] {
				for _, f := range fs {
					rep.Issues = append(rep.Issues, Issue{Sheet: "凭证压缩包", Column: "凭证号", Value: zipName(f), Message: "没有凭证号为“" + key + "”的清偿记录，文件无法对应", col: -1})
				}
			}
		}
	}
	return importRows(ctx, sheet, RepaymentColumns, dryRun, progress, parse, svc.ImportRepayments,
		map[string]string{"org_id": "org", "no": "no", "on": "on", "amount": "amount", "method": "method", "part": "part", "voucher_no": "voucher_no", "reason": "reason"},
		[]func(*ImportOutcome){unclaimed})
}

// zipName is a file's name in a zip, decoded from GB18030 when the zip tool did not use UTF-8
// (as Windows tools on Chinese systems do).
func zipName(f *zip.File) string {
	if f.NonUTF8 {
		if b, err := simplifiedchinese.GB18030.NewDecoder().String(f.Name); err == nil {
			return b
		}
	}
	return f.Name
}

// voucherKey is the voucher number a file in the zip stands for.
func voucherKey(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	stem := strings.TrimSuffix(base, path.Ext(base))
	if i := strings.Index(stem, "_"); i > 0 {
		stem = stem[:i]
	}
	return strings.TrimSpace(stem)
}

// ImportLedger imports a ledger workbook or CSV; see Import.
func ImportLedger(ctx context.Context, svc qingqian.ImportService, path string, dryRun bool, progress func(Progress)) (*ImportOutcome, error) {
	if !dryRun {
		// The import's audit record keeps the file's digest.
		sum, err := fileSHA256(path)
		if err != nil {
			return nil, fileErr("文件无法读取")
		}
		ctx = qingqian.WithImportFile(ctx, sum)
	}
	return importRows(ctx, path, LedgerColumns, dryRun, progress, parseLedgerRow, svc.ImportLedger, fieldColumn, nil)
}

// parser reads one data row into a T, telling bad cells to bad; ok is false if there were any.
type parser[T any] func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (row *T, ok bool)

// importRows reads a file and writes its rows through the service. The file is read and
// checked in its own goroutine while the service writes the rows checked so far in its one
// transaction, so that reading and writing overlap; the transaction commits only if the whole
// file turned out clean (no bad cell, nothing found by checks, which run after the last row).
// Any problem rolls everything back: nothing is written, and every problem is reported. From
// the first bad cell the writer stops and rolls back; the reader goes on checking.
func importRows[T any](ctx context.Context, path string, cols []Column, dryRun bool, progress func(Progress), parse parser[T],
	write func(context.Context, func(yield func(*T) bool) error, bool) (*qingqian.ImportResult, error), fields map[string]string,
	checks []func(*ImportOutcome)) (*ImportOutcome, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	rep := &ImportOutcome{Issues: []Issue{}, Warnings: []Issue{}, Notes: []string{}, Units: []ColumnUnit{}}
	var mu sync.Mutex // progress is told from both goroutines
	tell := func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		progress(p)
	}
	const batchSize = 256
	batches := make(chan []*T, 8) // bounds what is read ahead of the writer
	stop := make(chan struct{})   // closed when the writer wants no more rows
	halt := sync.OnceFunc(func() { close(stop) })
	defer halt()        // even if the writer panics, the reader must not wait on it for ever
	var bad atomic.Bool // a bad cell was found: nothing will be written
	var readErr error   // read once batches is closed
	rows := 0
	go func() {
		defer func() {
			// The reader runs apart from the caller, so a panic in it (a spreadsheet library
			// choking on a malformed file) would end the process: it is a broken file instead.
			if v := recover(); v != nil {
				readErr = &FileError{Msg: "文件无法读取：内容已损坏或格式不受支持", cause: fmt.Errorf("reading %s panicked: %v\n%s", path, v, debug.Stack())}
			}
			close(batches)
		}()
		send := func(b []*T) bool {
			select {
			case batches <- b:
				return true
			case <-stop:
				return false
			}
		}
		batch := make([]*T, 0, batchSize)
		read := 0
		readErr = scanRows(path, cols, rep, func(h *header, cells []string, rowNum int, fault func(c *Column, value, msg string)) bool {
			r, ok := parse(h, cells, rowNum, fault)
			if read++; !ok {
				// The writer goes on checking the good rows against the database, so that every
				// problem is reported in one round; nothing will be written.
				bad.Store(true)
				return true
			}
			rows++
			if batch = append(batch, r); len(batch) == batchSize {
				if !send(batch) {
					return false
				}
				batch = make([]*T, 0, batchSize)
			}
			return true
		})
		if readErr != nil || !send(batch) {
			return
		}
		for _, check := range checks {
			check(rep)
		}
	}()
	res, err := write(ctx, func(yield func(*T) bool) error {
		n := 0
		for batch := range batches {
			for _, r := range batch {
				if n++; n%5000 == 0 {
					tell(Progress{"校验并写入", n})
				}
				if !yield(r) {
					return nil
				}
			}
		}
		tell(Progress{"校验并写入", n})
		// The reader is done: a broken file rolls the writing back; a file with bad cells or
		// problems found at the end too, once the service has checked every good row.
		if readErr != nil {
			return errFileProblems
		}
		if !rep.OK() || bad.Load() {
			return qingqian.ErrRowsRejected
		}
		return nil
	}, dryRun)
	halt()
	for range batches { // wait for the reader to stop
	}
	switch {
	case errors.Is(err, qingqian.ErrRowsRejected):
		res, err = nil, nil
	case err != nil && !errors.Is(err, errFileProblems): // refused, or the database failed
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	if res == nil {
		res = &qingqian.ImportResult{}
	}
	res.DryRun, res.Rows = dryRun, rows
	if res.Issues == nil {
		res.Issues = []qingqian.ImportIssue{}
	}
	rep.Result = res
	rep.addServiceIssues(cols, fields)
	// The file's problems and the service's, in the order of the file.
	order := func(is Issue) (int, int) {
		i := slices.Index(rep.Sheets, is.Sheet)
		if i < 0 || is.Row == 0 {
			return len(rep.Sheets), 0
		}
		return i, is.Row
	}
	slices.SortStableFunc(rep.Issues, func(a, b Issue) int {
		sa, ra := order(a)
		sb, rb := order(b)
		if sa != sb {
			return sa - sb
		}
		return ra - rb
	})
	return rep, nil
}

// errFileProblems rolls an import's transaction back when the file had problems.
var errFileProblems = errors.New("the file has problems")

// addServiceIssues turns the service's issues and warnings (by field) into issues a person can
// find (by column).
func (rep *ImportOutcome) addServiceIssues(cols []Column, fields map[string]string) {
	conv := func(is qingqian.ImportIssue) Issue {
		sheet := is.Sheet
		if sheet == "" {
			sheet = rep.Sheet
		}
		key := fields[is.Field]
		col := -1
		if h := rep.headers[sheet]; h != nil {
			if i, ok := h.index[key]; ok {
				col = i
			}
		}
		name := ""
		for _, c := range cols {
			if c.Key == key {
				name = c.Header
			}
		}
		return Issue{Sheet: sheet, Row: is.Row, Column: name, Value: is.Value, Message: is.Message, col: col}
	}
	for _, is := range rep.Result.Issues {
		rep.Issues = append(rep.Issues, conv(is))
	}
	for _, is := range rep.Result.Warnings {
		rep.Warnings = append(rep.Warnings, conv(is))
	}
}

// scanRows reads the data rows of every sheet of a file with the given columns, handing each
// non-blank row to parse (which reports bad cells and returns false to stop).
func scanRows(path string, cols []Column, rep *ImportOutcome, parse func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) bool) error {
	b, err := openBook(path, cols)
	if err != nil {
		return err
	}
	defer b.close()
	rep.headers = map[string]*header{}
	for _, name := range b.skipped {
		rep.Notes = append(rep.Notes, "工作表“"+name+"”中没有找到本类表格的表头，未读取")
	}
	for _, name := range b.sheets {
		more, err := scanSheet(b, name, cols, rep, parse)
		if err != nil || !more {
			return err
		}
	}
	if len(b.sheets) > 1 {
		rep.Notes = append([]string{fmt.Sprintf("读取了 %d 个工作表：%s", len(b.sheets), strings.Join(b.sheets, "、"))}, rep.Notes...)
	}
	return nil
}

func scanSheet(b *book, name string, cols []Column, rep *ImportOutcome, parse func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) bool) (bool, error) {
	src, err := b.open(name)
	if err != nil {
		return false, err
	}
	defer src.close()
	if rep.Sheet == "" {
		rep.Sheet = src.sheet()
	}
	rep.Sheets = append(rep.Sheets, src.sheet())
	h, err := findHeader(src, cols)
	if err != nil {
		if len(b.sheets) > 1 {
			var fe *FileError
			if errors.As(err, &fe) {
				return false, fileErr("工作表“%s”：%s", name, fe.Msg)
			}
		}
		return false, err
	}
	rep.headers[h.sheet] = h
	rep.Notes = append(rep.Notes, h.notes...)
	for _, c := range cols {
		if u, ok := h.unit[c.Key]; ok {
			from := u.From
			if !u.Explicit {
				from = "表头和表格上方都未注明单位，按元读取"
			}
			rep.Units = append(rep.Units, ColumnUnit{Sheet: h.sheet, Column: c.Header, Unit: u.Name(), From: from})
		}
	}
	var amounts []int
	for _, c := range cols {
		if i, ok := h.index[c.Key]; ok && c.kind == moneyCol {
			amounts = append(amounts, i)
		}
	}
	if p, ok := src.(*pushback); ok {
		p.keepEmpty(amounts)
	}
	sums := newSums(h, cols)
	rowNum := h.row
	for {
		cells, err := src.next()
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		rowNum++
		if isBlank(cells) {
			continue
		}
		if label, ok := totalsRow(h, cols, cells); ok {
			rep.Warnings = append(rep.Warnings, sums.check(label, rowNum, cells)...)
			continue
		}
		before := len(rep.Issues)
		more := parse(h, cells, rowNum, func(c *Column, value, msg string) {
			if len(rep.Issues) < qingqian.MaxImportIssues {
				rep.Issues = append(rep.Issues, Issue{Sheet: h.sheet, Row: rowNum, Column: c.Header, Value: value, Message: msg, col: h.index[c.Key]})
			}
		})
		sums.add(cells, len(rep.Issues) == before)
		if !more || len(rep.Issues) >= qingqian.MaxImportIssues {
			return false, nil
		}
	}
}

// totalLabels begin the rows a ledger ends with (合计), or a group (小计).
var totalLabels = []string{"合计", "总计", "小计", "本页合计", "累计"}

var labelFolder = strings.NewReplacer(" ", "", "\u3000", "", ":", "", "：", "")

// totalsRow reports whether a row is a 合计, 总计 or 小计 row: a cell saying so, and a required
// column that no data row leaves empty left empty. It returns the label.
func totalsRow(h *header, cols []Column, cells []string) (string, bool) {
	label := ""
	for _, c := range cells {
		if !strings.Contains(c, "计") {
			continue
		}
		t := labelFolder.Replace(strings.TrimSpace(c))
		for _, l := range totalLabels {
			if t == l {
				label = l
			}
		}
		if label != "" {
			break
		}
	}
	if label == "" {
		return "", false
	}
	for i := range cols {
		if c := &cols[i]; c.Required && c.kind != moneyCol {
			if v := cellOf(h, cells, c); v == "" || strings.Contains(v, label) {
				return label, true
			}
		}
	}
	return "", false
}

// sums adds up the amounts of a sheet's good rows, to check its 合计 and 小计 rows against.
type sums struct {
	h        *header
	cols     []*Column
	all, sub []qingqian.Money
	clean    bool // every row so far was good: a sum of only some rows checks nothing
}

func newSums(h *header, cols []Column) *sums {
	s := &sums{h: h, clean: true}
	for i := range cols {
		if _, ok := h.index[cols[i].Key]; ok && cols[i].kind == moneyCol && !cols[i].Derived {
			s.cols = append(s.cols, &cols[i])
		}
	}
	s.all, s.sub = make([]qingqian.Money, len(s.cols)), make([]qingqian.Money, len(s.cols))
	return s
}

func (s *sums) add(cells []string, good bool) {
	if !good {
		s.clean = false
		return
	}
	for i, c := range s.cols {
		if m, err := ParseAmountIn(cellOf(s.h, cells, c), s.h.unit[c.Key]); err == nil {
			s.all[i] += m
			s.sub[i] += m
		}
	}
}

// check compares a totals row with the rows above it (a 小计 with those since the last 小计) and
// returns a warning for each amount that differs: rows may be missing.
func (s *sums) check(label string, row int, cells []string) []Issue {
	var out []Issue
	for i, c := range s.cols {
		v := cellOf(s.h, cells, c)
		if v == "" {
			continue
		}
		want := s.all[i]
		if label == "小计" {
			want = s.sub[i]
		}
		u := s.h.unit[c.Key]
		m, err := ParseAmountIn(v, u)
		switch {
		case err != nil:
			out = append(out, Issue{Sheet: s.h.sheet, Row: row, Column: c.Header, Value: v, Message: label + "行未读取；其金额无法识别：" + err.Error(), col: s.h.index[c.Key]})
		case !s.clean:
		case m != want:
			out = append(out, Issue{Sheet: s.h.sheet, Row: row, Column: c.Header, Value: v, col: s.h.index[c.Key],
				Message: fmt.Sprintf("%s行为 %s 元，而以上各行之和为 %s 元，相差 %s 元：请核对是否漏填或多填了行（%s行不导入）", label, m, want, m-want, label)})
		}
	}
	if label == "小计" {
		clear(s.sub)
	}
	return out
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
		where := is.Sheet
		if is.Row > 0 {
			where += fmt.Sprintf(" 第%d行", is.Row)
		}
		fmt.Fprintf(&b, "%s %s：%q —— %s\n", where, col, is.Value, is.Message)
	}
	return b.String()
}

// fileSHA256 is the hex SHA-256 of a file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
