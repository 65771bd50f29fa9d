package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// maxMerges bounds the merged ranges of a sheet that are honoured.
const maxMerges = 100_000

// span is a merged range of cells, 1-based and inclusive.
type span struct{ r1, c1, r2, c2 int }

// merges returns the ranges merged over more than one row in a sheet, read from the sheet's XML
// as a stream (excelize's GetMergeCells loads the whole sheet). A range's value is in its
// top-left cell; the rows under it show that value in Excel.
func (b *book) merges(sheet string) []span {
	part := b.sheetPart(sheet)
	if part == "" {
		return nil
	}
	zr, err := zip.OpenReader(b.path)
	if err != nil {
		return nil
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != part {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		return scanMerges(rc)
	}
	return nil
}

// scanMerges finds the <mergeCell ref="A1:B2"/> elements of a sheet's XML.
func scanMerges(r io.Reader) []span {
	var out []span
	buf := make([]byte, 0, 1<<20)
	chunk := make([]byte, 1<<20)
	marker := []byte("mergeCell ")
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		for {
			i := bytes.Index(buf, marker)
			if i < 0 {
				break
			}
			end := bytes.IndexByte(buf[i:], '>')
			if end < 0 {
				break // the element continues in the next chunk
			}
			el := string(buf[i : i+end])
			buf = buf[i+end:]
			if _, ref, ok := strings.Cut(el, `ref="`); ok {
				ref, _, _ = strings.Cut(ref, `"`)
				if sp, ok := parseSpan(ref); ok && sp.r2 > sp.r1 && len(out) < maxMerges {
					out = append(out, sp)
				}
			}
		}
		if len(buf) > 256 {
			buf = append(buf[:0], buf[len(buf)-256:]...)
		}
		if err != nil {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].r1 < out[j].r1 })
	return out
}

func parseSpan(ref string) (span, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return span{}, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil || r2 < r1 || c2 < c1 || c2 > maxColumns {
		return span{}, false
	}
	return span{r1, c1, r2, c2}, true
}

// sheetPart is the path in the zip of a sheet's XML, from the workbook and its relationships.
func (b *book) sheetPart(sheet string) string {
	zr, err := zip.OpenReader(b.path)
	if err != nil {
		return ""
	}
	defer zr.Close()
	read := func(name string, v any) bool {
		for _, f := range zr.File {
			if f.Name == name {
				rc, err := f.Open()
				if err != nil {
					return false
				}
				defer rc.Close()
				return xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v) == nil
			}
		}
		return false
	}
	var wb struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if !read("xl/workbook.xml", &wb) || !read("xl/_rels/workbook.xml.rels", &rels) {
		return ""
	}
	id := ""
	for _, s := range wb.Sheets {
		if s.Name == sheet {
			for _, a := range s.Attr {
				if a.Name.Local == "id" {
					id = a.Value
				}
			}
		}
	}
	for _, r := range rels.Rels {
		if r.ID == id && id != "" {
			if strings.HasPrefix(r.Target, "/") {
				return strings.TrimPrefix(r.Target, "/")
			}
			return path.Join("xl", r.Target)
		}
	}
	return ""
}

// mergedSource gives every row under a range merged over several rows the range's value, as
// Excel shows it (a creditor's name over the two rows of its two debts).
type mergedSource struct {
	source
	merges []span // by first row
	n      int    // the row last read
	next_  int    // the first range not yet begun
	active []span
	values map[span]string
	keep   map[int]bool // columns (0-based) never filled: amounts
}

// keepEmpty stops the filling of columns from now on: an amount merged over several rows is
// Excel's one amount (its SUM counts it once), not one amount for each row.
func (m *mergedSource) keepEmpty(cols []int) {
	m.keep = map[int]bool{}
	for _, c := range cols {
		m.keep[c] = true
	}
}

// keepEmpty passes the columns on to a merged source.
func (p *pushback) keepEmpty(cols []int) {
	if m, ok := p.source.(*mergedSource); ok {
		m.keepEmpty(cols)
	}
}

func (m *mergedSource) next() ([]string, error) {
	cells, err := m.source.next()
	if err != nil {
		return cells, err
	}
	m.n++
	if m.values == nil {
		m.values = map[span]string{}
	}
	for m.next_ < len(m.merges) && m.merges[m.next_].r1 <= m.n {
		sp := m.merges[m.next_]
		m.next_++
		if sp.r1 == m.n {
			if sp.c1 <= len(cells) {
				m.values[sp] = cells[sp.c1-1]
			}
			m.active = append(m.active, sp)
		}
	}
	kept := m.active[:0]
	for _, sp := range m.active {
		if sp.r2 < m.n {
			delete(m.values, sp)
			continue
		}
		kept = append(kept, sp)
		if sp.r1 == m.n {
			continue
		}
		v := m.values[sp]
		for len(cells) < sp.c2 {
			cells = append(cells, "")
		}
		for c := sp.c1; c <= sp.c2; c++ {
			if !m.keep[c-1] {
				cells[c-1] = v
			}
		}
	}
	m.active = kept
	return cells, nil
}
