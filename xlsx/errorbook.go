package xlsx

import (
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteErrorWorkbook writes a copy of an imported file's rows with an added first column
// explaining the problems of each row and every cell at fault filled in red, for the person to
// correct and send again. It streams the file once more, so its size does not matter.
func WriteErrorWorkbook(w io.Writer, kind, path string, issues []Issue) error {
	cols, ok := Importable[kind]
	if !ok {
		return fileErr("不能导入“%s”", kind)
	}
	h, err := fileHeader(path, cols)
	if err != nil {
		return err
	}
	src, err := openSource(path, cols)
	if err != nil {
		return err
	}
	defer src.close()
	type cell struct{ row, col int }
	bad := map[cell]bool{}
	notes := map[int][]string{}
	for _, is := range issues {
		bad[cell{is.Row, is.col}] = true
		msg := is.Message
		if is.Column != "" {
			msg = is.Column + "：" + msg
		}
		notes[is.Row] = append(notes[is.Row], msg)
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "错误报告"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	red, _ := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F8B4B4"}}, Font: &excelize.Font{Color: "9B1C1C", Bold: true}})
	noteStyle, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "9B1C1C"}, Alignment: &excelize.Alignment{WrapText: true}})
	sw.SetColWidth(1, 1, 48)
	for n := 1; ; n++ {
		cells, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		out := make([]any, len(cells)+1)
		switch {
		case n == h.row:
			out[0] = "错误说明"
		case len(notes[n]) > 0:
			out[0] = excelize.Cell{Value: strings.Join(notes[n], "；"), StyleID: noteStyle}
		}
		for i, v := range cells {
			if bad[cell{n, i}] {
				out[i+1] = excelize.Cell{Value: v, StyleID: red}
			} else {
				out[i+1] = v
			}
		}
		if err := sw.SetRow(cellName(1, n), out); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
