package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// maxColumns bounds a row's width; a sheet wider than this is not a ledger.
const maxColumns = 200

// source yields a sheet's rows one at a time, so that a file of a million rows is never held in
// memory.
type source interface {
	next() ([]string, error) // io.EOF after the last row
	sheet() string
	close() error
}

// FileError is a problem with the file as a whole (not one cell), told in Chinese.
type FileError struct {
	Msg   string
	cause error // for the log, never shown
}

func (e *FileError) Error() string { return e.Msg }

// Unwrap returns what caused the problem, when it was not the file's content as read.
func (e *FileError) Unwrap() error { return e.cause }

func fileErr(format string, a ...any) error { return &FileError{Msg: fmt.Sprintf(format, a...)} }

// book is a file to import: a CSV file, or a workbook and the sheets of it to read.
type book struct {
	path    string
	f       *excelize.File // nil for a CSV file
	sheets  []string       // the sheets to read, in order: every sheet whose header matches
	skipped []string       // the other sheets, left out
}

// openBook opens an .xlsx or .csv file, deciding by content: a zip is a workbook, anything else
// is read as CSV. Of a workbook it reads every sheet whose header matches cols, and names the
// others; when none matches, the first, whose header check then says what is missing.
func openBook(path string, cols []Column) (*book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	f.Close()
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0")):
		return nil, fileErr("这是旧版 Excel（.xls）或 WPS 的 .et 文件，系统只能导入 .xlsx 和 .csv：请用 Excel、WPS 或 LibreOffice 打开后“另存为” .xlsx 再导入")
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
		src, err := openCSV(path)
		if err != nil {
			return nil, err
		}
		src.close()
		return &book{path: path, sheets: []string{"CSV"}}, nil
	}
	if isODS(path) {
		return nil, fileErr("这是 OpenDocument 表格（.ods），系统只能导入 .xlsx 和 .csv：请用 LibreOffice 或 WPS 打开后“另存为” .xlsx 再导入")
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fileErr("文件不是有效的 xlsx 工作簿（可能已损坏或被截断）")
	}
	zr.Close()
	wb, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fileErr("无法打开工作簿：文件可能已损坏、加密或不是 xlsx 格式（系统只能导入 .xlsx 和 .csv）")
	}
	b := &book{path: path, f: wb}
	names := wb.GetSheetList()
	if len(names) == 0 {
		wb.Close()
		return nil, fileErr("工作簿中没有工作表")
	}
	for _, name := range names {
		// The header is found without the merged ranges (reading them scans the whole sheet).
		rows, err := wb.Rows(name)
		var src source
		if err == nil {
			src = &pushback{source: &xlsxSource{f: wb, rows: rows, name: name}}
		}
		if err != nil {
			b.skipped = append(b.skipped, name)
			continue
		}
		if _, err := findHeader(src, cols); err == nil {
			b.sheets = append(b.sheets, name)
		} else {
			b.skipped = append(b.skipped, name)
		}
		src.close()
	}
	if len(b.sheets) == 0 {
		b.sheets, b.skipped = names[:1], nil
	}
	return b, nil
}

// isODS reports whether a zip is an OpenDocument file (its first entry names its type).
func isODS(path string) bool {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "mimetype" {
			rc, err := f.Open()
			if err != nil {
				return false
			}
			defer rc.Close()
			b, _ := io.ReadAll(io.LimitReader(rc, 100))
			return strings.HasPrefix(string(b), "application/vnd.oasis.opendocument")
		}
	}
	return false
}

// open returns the rows of one sheet of the book.
func (b *book) open(name string) (source, error) {
	src, err := b.raw(name)
	if err != nil {
		return nil, err
	}
	return &pushback{source: src}, nil
}

func (b *book) raw(name string) (source, error) {
	if b.f == nil {
		return openCSV(b.path)
	}
	rows, err := b.f.Rows(name)
	if err != nil {
		return nil, fileErr("无法读取工作表“%s”", name)
	}
	var src source = &xlsxSource{f: b.f, rows: rows, name: name}
	if m := b.merges(name); len(m) > 0 {
		src = &mergedSource{source: src, merges: m}
	}
	return src, nil
}

func (b *book) close() error {
	if b.f == nil {
		return nil
	}
	return b.f.Close()
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	name string
}

func (s *xlsxSource) next() ([]string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, fileErr("读取工作表“%s”出错：文件可能已损坏", s.name)
		}
		return nil, io.EOF
	}
	cols, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fileErr("读取工作表“%s”出错：文件可能已损坏", s.name)
	}
	for i, c := range cols {
		cols[i] = excelShown(c)
	}
	if len(cols) > maxColumns {
		// Trailing empty cells do not count; a row truly this wide is not a ledger.
		for len(cols) > 0 && strings.TrimSpace(cols[len(cols)-1]) == "" {
			cols = cols[:len(cols)-1]
		}
		if len(cols) > maxColumns {
			return nil, fileErr("工作表“%s”有 %d 列，超过 %d 列，不是台账格式", s.name, len(cols), maxColumns)
		}
	}
	return cols, nil
}

// excelShown returns a number cell's value as Excel shows it: Excel stores a number with up to 17
// significant digits (19.99 as 19.989999999999998, a formula's cached 700 as 700.00000000000011)
// and shows 15. A value with a fractional part or an exponent and more than 15 significant digits
// is rounded to 15; anything else, text included, is returned as it is. (The row iterator does not
// tell a number cell from a text cell holding the same digits; nobody types 17 digits by hand.)
func excelShown(s string) string {
	if len(s) < 17 || len(s) > 40 || !strings.ContainsAny(s, ".Ee") {
		return s
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' || c == '-' || c == '+' || c == 'E' || c == 'e':
		default:
			return s
		}
	}
	if digits <= 15 {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.Abs(f) >= 1e15 {
		return s
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func (s *xlsxSource) sheet() string { return s.name }

func (s *xlsxSource) close() error { return s.rows.Close() }

type csvSource struct {
	f *os.File
	r *csv.Reader
}

// openCSV reads UTF-8 (with or without a byte-order mark) or, when the start of the file is not
// valid UTF-8, GB18030 (a superset of GBK), which Excel and WPS write on Chinese Windows.
func openCSV(path string) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 64<<10)
	peek, _ := br.Peek(64 << 10)
	var rd io.Reader = br
	switch {
	case bytes.HasPrefix(peek, []byte("\xEF\xBB\xBF")):
		br.Discard(3)
	case !validPrefix(peek):
		rd = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	if bytes.IndexByte(peek, 0) >= 0 {
		f.Close()
		return nil, fileErr("文件既不是 xlsx 工作簿也不是 CSV 文本")
	}
	r := csv.NewReader(rd)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	return &csvSource{f: f, r: r}, nil
}

// validPrefix reports whether b is UTF-8, allowing a rune cut off at the end.
func validPrefix(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		b = b[size:]
	}
	return true
}

func (s *csvSource) next() ([]string, error) {
	rec, err := s.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fileErr("CSV 第 %d 行格式有误", pe.Line)
		}
		return nil, fileErr("读取 CSV 出错")
	}
	if len(rec) > maxColumns {
		return nil, fileErr("CSV 有 %d 列，超过 %d 列，不是台账格式", len(rec), maxColumns)
	}
	return rec, nil
}

func (s *csvSource) sheet() string { return "CSV" }
func (s *csvSource) close() error  { return s.f.Close() }

// header is where each column of a spec sits in a sheet.
type header struct {
	index map[string]int  // column key → cell index
	unit  map[string]Unit // amount column key → the unit its cells are in
	row   int             // 1-based row number of the header row
	sheet string          // the sheet's name ("CSV" for a CSV file)
	notes []string        // what a person should know about how the header was read
}

// headerScan is how many rows above the data may hold titles and the header.
const headerScan = 20

// pushback lets findHeader return a row it read ahead and found to be data.
type pushback struct {
	source
	row []string
}

func (p *pushback) next() ([]string, error) {
	if p.row != nil {
		r := p.row
		p.row = nil
		return r, nil
	}
	return p.source.next()
}

// candidate is a column of the file that a column of the spec could be read from.
type candidate struct {
	index int
	head  string
	unit  Unit
}

// matchHeader reads row as a header, with prev the row above it and note the unit a note above
// the header gives: a cell left empty under a vertically merged header takes the text above it,
// and an amount column without a unit of its own takes the unit of the group cell above it
// (merged across), else the note's, else 元.
func matchHeader(row, prev []string, cols []Column, n int, note Unit) (*header, int, bool) {
	h := &header{index: map[string]int{}, unit: map[string]Unit{}, row: n}
	found := map[string][]candidate{}
	for i := range max(len(row), len(prev)) {
		own := ""
		if i < len(row) {
			own = row[i]
		}
		text := own
		if strings.TrimSpace(text) == "" && i < len(prev) {
			text = prev[i]
		}
		name, _ := normHeader(text)
		if name == "" {
			continue
		}
		u, ok := unitIn(text)
		if ok {
			u.From = "表头“" + strings.TrimSpace(text) + "”"
		} else {
			u = note
			if strings.TrimSpace(own) != "" {
				for j := min(i, len(prev)-1); j >= 0; j-- {
					if strings.TrimSpace(prev[j]) != "" {
						if gu, ok := unitIn(prev[j]); ok && groupCell(prev[j]) {
							u = gu
							u.From = "表头“" + strings.TrimSpace(prev[j]) + "”"
						}
						break
					}
				}
			}
		}
		for _, c := range cols {
			if c.named(name) {
				found[c.Key] = append(found[c.Key], candidate{i, strings.TrimSpace(text), u})
			}
		}
	}
	for _, c := range cols {
		cands := found[c.Key]
		if len(cands) == 0 {
			continue
		}
		pick := cands[0]
		if len(cands) > 1 {
			var err string
			pick, err = pickColumn(&c, cands)
			if err != "" {
				h.notes = append(h.notes, "!"+err)
			} else {
				h.notes = append(h.notes, fmt.Sprintf("“%s”有 %d 列，按第 %s 列“%s”读取（%s，最精确）", c.Header, len(cands), colName(pick.index), pick.head, pick.unit.Name()))
			}
		}
		h.index[c.Key] = pick.index
		if c.kind == moneyCol {
			h.unit[c.Key] = pick.unit
		}
	}
	for _, c := range cols {
		if _, ok := h.index[c.Key]; c.Required && !ok {
			return h, len(h.index), false
		}
	}
	return h, len(h.index), true
}

// pickColumn chooses among several columns of a file with one column's name: for an amount, the
// one in the finest unit (元 before a rounded 万元), never one of two in the same unit; for a
// text column that is not required, the first; anything else is ambiguous.
func pickColumn(c *Column, cands []candidate) (candidate, string) {
	names := make([]string, len(cands))
	for i, k := range cands {
		names[i] = "第 " + colName(k.index) + " 列“" + k.head + "”"
	}
	ambiguous := fmt.Sprintf("表头中 %s 都是“%s”，无法确定按哪一列读取：请删去多余的列", strings.Join(names, "、"), c.Header)
	switch {
	case c.kind == moneyCol:
		best := cands[0]
		for _, k := range cands[1:] {
			if k.unit.Scale < best.unit.Scale {
				best = k
			}
		}
		for _, k := range cands {
			if k.index != best.index && k.unit.Scale == best.unit.Scale {
				return best, ambiguous
			}
		}
		return best, ""
	case c.kind == textCol && !c.Required:
		return cands[0], ""
	}
	return cands[0], ambiguous
}

// colName is a column's letter (A, B, … AA) from its 0-based index.
func colName(i int) string {
	name, _ := excelize.ColumnNumberToName(i + 1)
	return name
}

// findHeader reads rows until it finds the header: the first row naming every required column
// or, when the row under it names more (a two-row header), that row. Data begins after it. A
// unit note above the header (单位：万元, anywhere in the rows above) applies to the amount
// columns whose header says no unit.
func findHeader(s source, cols []Column) (*header, error) {
	var prev []string
	note := yuan
	best, bestCount := (*header)(nil), -1
	for n := 1; n <= headerScan; n++ {
		row, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		h, count, complete := matchHeader(row, prev, cols, n, note)
		if !complete {
			if count > bestCount {
				best, bestCount = h, count
			}
			if u, ok := unitNote(row); ok {
				note = u
			}
			prev = row
			continue
		}
		below, err := s.next()
		if errors.Is(err, io.EOF) {
			return h.checked(s)
		}
		if err != nil {
			return nil, err
		}
		if h2, count2, ok := matchHeader(below, row, cols, n+1, note); ok && count2 > count {
			return h2.checked(s)
		}
		if p, ok := s.(*pushback); ok {
			p.row = below
		}
		return h.checked(s)
	}
	var missing []string
	for _, c := range cols {
		if !c.Required {
			continue
		}
		if best != nil {
			if _, ok := best.index[c.Key]; ok {
				continue
			}
		}
		missing = append(missing, c.Header)
	}
	if best == nil || bestCount == 0 {
		return nil, fileErr("在工作表前 %d 行没有找到表头：须包含 %s", headerScan, strings.Join(missing, "、"))
	}
	return nil, fileErr("表头（第 %d 行）缺少必填列：%s", best.row, strings.Join(missing, "、"))
}

// checked refuses a header with two columns for one field that cannot be told apart.
func (h *header) checked(s source) (*header, error) {
	h.sheet = s.sheet()
	for _, n := range h.notes {
		if strings.HasPrefix(n, "!") {
			return nil, fileErr("工作表“%s”第 %d 行%s", h.sheet, h.row, n[1:])
		}
	}
	return h, nil
}

// groupCell reports whether a cell above a header reads as a group header of amounts
// (“金额（万元）”, “（万元）”), not a title or a note that merely has 元 in it.
func groupCell(text string) bool {
	t := strings.NewReplacer("（", "", "）", "", "(", "", ")", "", " ", "", "单位", "", "：", "", ":", "").Replace(strings.TrimSpace(text))
	return strings.Contains(t, "金额") || t == "元" || t == "万元" || t == "亿元"
}

// Unit is the unit an amount column is written in.
type Unit struct {
	Scale    int64  // 1 for 元, 10,000 for 万元, 100,000,000 for 亿元
	Explicit bool   // said by the file; else 元 by default, and a cell may say its own unit
	From     string // where the file says it, for the preview
}

var yuan = Unit{Scale: 1}

// Name is the unit in Chinese.
func (u Unit) Name() string {
	switch u.Scale {
	case 10_000:
		return "万元"
	case 100_000_000:
		return "亿元"
	}
	return "元"
}

// unitIn reads the unit a header states: 亿元, 万元 or 元.
func unitIn(text string) (Unit, bool) {
	switch {
	case strings.Contains(text, "亿元"):
		return Unit{Scale: 100_000_000, Explicit: true}, true
	case strings.Contains(text, "万元"):
		return Unit{Scale: 10_000, Explicit: true}, true
	case strings.Contains(text, "元"):
		return Unit{Scale: 1, Explicit: true}, true
	}
	return Unit{}, false
}

// unitNoteRE finds a unit note: 单位：万元, 金额单位：元, 计量单位: 亿元, (单位:万元).
var unitNoteRE = regexp.MustCompile(`单位\s*[:：]?\s*(?:人民币)?\s*(亿元|万元|元)`)

// unitNote reads a unit note anywhere in a row above the header (Chinese forms put it at the
// right end of the title line). "填报单位：元丰公司" is not a note: the unit must end a word.
func unitNote(row []string) (Unit, bool) {
	var found Unit
	ok := false
	for _, cell := range row {
		text := fold(cell)
		for _, m := range unitNoteRE.FindAllStringSubmatchIndex(text, -1) {
			rest := []rune(text[m[1]:])
			if len(rest) > 0 && unicode.Is(unicode.Han, rest[0]) {
				continue
			}
			found, _ = unitIn(text[m[2]:m[3]])
			found.From = "表格上方“" + strings.ReplaceAll(strings.TrimSpace(text[m[0]:m[1]]), ":", "：") + "”"
			ok = true
		}
	}
	return found, ok
}
