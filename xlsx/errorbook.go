package xlsx

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// WriteErrorWorkbook writes a copy of an imported file's rows, a sheet for each sheet read, with
// an added first column explaining the problems of each row and every cell at fault filled in
// red, for the person to correct and send again. Dates are written as dates and amounts as
// numbers (in the column's unit), as they were read. It streams the file once more, so its size
// does not matter.
func WriteErrorWorkbook(w io.Writer, kind, path string, issues []Issue) error {
	cols, ok := Importable[kind]
	if !ok {
		return fileErr("不能导入“%s”", kind)
	}
	b, err := openBook(path, cols)
	if err != nil {
		return err
	}
	defer b.close()
	type cell struct {
		sheet    string
		row, col int
	}
	bad := map[cell]bool{}
	notes := map[cell][]string{} // by sheet and row
	for _, is := range issues {
		bad[cell{is.Sheet, is.Row, is.col}] = true
		msg := is.Message
		if is.Column != "" {
			msg = is.Column + "：" + msg
		}
		k := cell{is.Sheet, is.Row, 0}
		notes[k] = append(notes[k], msg)
	}
	f := excelize.NewFile()
	defer f.Close()
	redFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F8B4B4"}}
	redFont := &excelize.Font{Color: "9B1C1C", Bold: true}
	dateFmt, yuanFmt, wanFmt := "yyyy-mm-dd", "#,##0.00", "#,##0.00####"
	style := func(red bool, format *string) int {
		st := &excelize.Style{CustomNumFmt: format}
		if red {
			st.Fill, st.Font = redFill, redFont
		}
		id, _ := f.NewStyle(st)
		return id
	}
	red := style(true, nil)
	styles := map[bool]map[string]int{}
	for _, r := range []bool{false, true} {
		styles[r] = map[string]int{"date": style(r, &dateFmt), "yuan": style(r, &yuanFmt), "wan": style(r, &wanFmt)}
	}
	noteStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "9B1C1C"}, Alignment: &excelize.Alignment{WrapText: true}})
	for i, name := range b.sheets {
		out := name
		if b.f == nil {
			out = "错误报告"
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", out); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(out); err != nil {
			return err
		}
		hsrc, err := b.open(name)
		if err != nil {
			return err
		}
		h, err := findHeader(hsrc, cols)
		hsrc.close()
		if err != nil {
			return err
		}
		kinds := map[int]*Column{}
		for j := range cols {
			if i, ok := h.index[cols[j].Key]; ok && (cols[j].kind == dateCol || cols[j].kind == moneyCol) {
				kinds[i] = &cols[j]
			}
		}
		src, err := b.open(name)
		if err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(out)
		if err != nil {
			src.close()
			return err
		}
		sw.SetColWidth(1, 1, 48)
		for n := 1; ; n++ {
			cells, err := src.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				src.close()
				return err
			}
			row := make([]any, len(cells)+1)
			switch k := (cell{name, n, 0}); {
			case n == h.row:
				row[0] = "错误说明"
			case len(notes[k]) > 0:
				row[0] = excelize.Cell{Value: strings.Join(notes[k], "；"), StyleID: noteStyle}
			}
			for j, v := range cells {
				isBad := bad[cell{name, n, j}]
				row[j+1] = v
				if isBad {
					row[j+1] = excelize.Cell{Value: v, StyleID: red}
				}
				c := kinds[j]
				if n <= h.row || c == nil || strings.TrimSpace(v) == "" {
					continue
				}
				switch c.kind {
				case dateCol:
					if d, err := ParseDate(v); err == nil && !d.IsZero() {
						row[j+1] = excelize.Cell{Value: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), StyleID: styles[isBad]["date"]}
					}
				case moneyCol:
					u := h.unit[c.Key]
					if m, err := ParseAmountIn(v, u); err == nil {
						format := "yuan"
						if u.Scale > 1 {
							format = "wan"
						}
						row[j+1] = excelize.Cell{Value: float64(m) / 100 / float64(max(u.Scale, 1)), StyleID: styles[isBad][format]}
					}
				}
			}
			if err := sw.SetRow(cellName(1, n), row); err != nil {
				src.close()
				return err
			}
		}
		src.close()
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}
