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
	"strconv"
	"strings"
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

// openSource opens an .xlsx or .csv file, deciding by content: a zip is a workbook, anything
// else is read as CSV. For a workbook, it takes the first sheet whose header matches cols.
func openSource(path string, cols []Column) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	f.Close()
	var src source
	if n == 4 && bytes.Equal(head, []byte("PK\x03\x04")) {
		src, err = openWorkbook(path, cols)
	} else {
		src, err = openCSV(path)
	}
	if err != nil {
		return nil, err
	}
	return &pushback{source: src}, nil
}

type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	name string
}

func openWorkbook(path string, cols []Column) (source, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fileErr("文件不是有效的 xlsx 工作簿（可能已损坏或被截断）")
	}
	zr.Close()
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fileErr("无法打开工作簿：文件可能已损坏、加密或不是 xlsx 格式")
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fileErr("工作簿中没有工作表")
	}
	// The first sheet whose top rows hold the header; else the first sheet, whose header
	// check then explains what is missing.
	pick := sheets[0]
	for _, name := range sheets {
		s := &xlsxSource{f: f, name: name}
		if s.rows, err = f.Rows(name); err != nil {
			continue
		}
		if _, err := findHeader(&pushback{source: s}, cols); err == nil {
			pick = name
			s.rows.Close()
			break
		}
		s.rows.Close()
	}
	rows, err := f.Rows(pick)
	if err != nil {
		f.Close()
		return nil, fileErr("无法读取工作表“%s”", pick)
	}
	return &xlsxSource{f: f, rows: rows, name: pick}, nil
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

func (s *xlsxSource) close() error {
	s.rows.Close()
	return s.f.Close()
}

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

// header is where each column of a spec sits in a file.
type header struct {
	index map[string]int  // column key → cell index
	wan   map[string]bool // column key → amounts in 万元
	row   int             // 1-based row number of the header row
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

// matchHeader reads row as a header, with prev the row above it: a cell left empty under a
// vertically merged header takes the text above it, and a header without a unit under a group
// cell (merged across) that says 万元 is in 万元.
func matchHeader(row, prev []string, cols []Column, n int) (*header, int, bool) {
	h := &header{index: map[string]int{}, wan: map[string]bool{}, row: n}
	for i := range max(len(row), len(prev)) {
		own := ""
		if i < len(row) {
			own = row[i]
		}
		text := own
		if strings.TrimSpace(text) == "" && i < len(prev) {
			text = prev[i]
		}
		name, wan := normHeader(text)
		if !strings.Contains(text, "元") && strings.TrimSpace(own) != "" {
			for j := min(i, len(prev)-1); j >= 0; j-- {
				if strings.TrimSpace(prev[j]) != "" {
					wan = strings.Contains(prev[j], "万元")
					break
				}
			}
		}
		for _, c := range cols {
			if want, _ := normHeader(c.Header); name == want {
				if _, dup := h.index[c.Key]; !dup {
					h.index[c.Key] = i
					h.wan[c.Key] = wan
				}
			}
		}
	}
	for _, c := range cols {
		if _, ok := h.index[c.Key]; c.Required && !ok {
			return h, len(h.index), false
		}
	}
	return h, len(h.index), true
}

// findHeader reads rows until it finds the header: the first row naming every required column
// or, when the row under it names more (a two-row header), that row. Data begins after it.
func findHeader(s source, cols []Column) (*header, error) {
	var prev []string
	for n := 1; n <= headerScan; n++ {
		row, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		h, count, complete := matchHeader(row, prev, cols, n)
		if !complete {
			prev = row
			continue
		}
		below, err := s.next()
		if errors.Is(err, io.EOF) {
			return h, nil
		}
		if err != nil {
			return nil, err
		}
		if h2, count2, ok := matchHeader(below, row, cols, n+1); ok && count2 > count {
			return h2, nil
		}
		if p, ok := s.(*pushback); ok {
			p.row = below
		}
		return h, nil
	}
	var missing []string
	for _, c := range cols {
		if c.Required {
			missing = append(missing, c.Header)
		}
	}
	return nil, fileErr("在工作表前 %d 行没有找到表头：须包含 %s", headerScan, strings.Join(missing, "、"))
}
