package xlsx_test

import (
	"archive/zip"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// rawSheet is a worksheet written as Excel writes it, XML by hand, without excelize: a cell
// "#19.989999999999998" is a number cell with that stored value, "=SUM(A1)#700.00000000000011"
// a formula with its cached value, anything else an inline string; merges are ranges ("C2:C3").
type rawSheet struct {
	name   string
	rows   [][]string
	merges []string
}

// rawBook writes an .xlsx with the sheets, as Microsoft Excel lays it out.
func rawBook(t *testing.T, sheets ...rawSheet) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "excel.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	put := func(name, body string) {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + body))
	}
	var types, sheetList, rels strings.Builder
	for i, s := range sheets {
		n := i + 1
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		fmt.Fprintf(&sheetList, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, html.EscapeString(s.name), n, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		var b strings.Builder
		b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>`)
		for r, row := range s.rows {
			fmt.Fprintf(&b, `<row r="%d">`, r+1)
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				switch {
				case v == "":
				case strings.HasPrefix(v, "="):
					formula, cached, _ := strings.Cut(v[1:], "#")
					fmt.Fprintf(&b, `<c r="%s"><f>%s</f><v>%s</v></c>`, ref, html.EscapeString(formula), cached)
				case strings.HasPrefix(v, "#"):
					fmt.Fprintf(&b, `<c r="%s"><v>%s</v></c>`, ref, v[1:])
				default:
					fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, html.EscapeString(v))
				}
			}
			b.WriteString(`</row>`)
		}
		b.WriteString(`</sheetData>`)
		if len(s.merges) > 0 {
			fmt.Fprintf(&b, `<mergeCells count="%d">`, len(s.merges))
			for _, m := range s.merges {
				fmt.Fprintf(&b, `<mergeCell ref="%s"/>`, m)
			}
			b.WriteString(`</mergeCells>`)
		}
		b.WriteString(`</worksheet>`)
		put(fmt.Sprintf("xl/worksheets/sheet%d.xml", n), b.String())
	}
	put("[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+types.String()+`</Types>`)
	put("_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	put("xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`+sheetList.String()+`</sheets></workbook>`)
	put("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels.String()+`</Relationships>`)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// ledgerHeader is the header of the ledger template's required columns and the amounts.
var ledgerHeader = []string{"台账编号", "欠款单位", "债权企业名称", "统一社会信用代码", "欠款类型", "发生日期", "无分歧金额（元）", "有分歧金额（元）", "来源", "分歧原因"}
