package web

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The import page's count of rows is estimated before reading, from a CSV's lines or a
// workbook's sheet dimensions; its percentage stays below 100 until the import is done.
func TestEstimateRows(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "台账.csv")
	os.WriteFile(csv, []byte("欠款单位,金额\n甲,1\n乙,2\n丙,3\n"), 0o644)
	if n := estimateRows(csv); n != 3 {
		t.Fatalf("csv rows: %d", n)
	}
	f := excelize.NewFile()
	for r := 1; r <= 251; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		f.SetCellValue("Sheet1", cell, r)
	}
	book := filepath.Join(dir, "台账.xlsx")
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	if n := estimateRows(book); n != 250 {
		t.Fatalf("workbook rows: %d", n)
	}
	for _, c := range []struct{ rows, total, want int }{{0, 0, 0}, {50, 200, 25}, {250, 200, 99}, {199, 200, 99}} {
		if got := importPercent(c.rows, c.total); got != c.want {
			t.Fatalf("importPercent(%d, %d) = %d", c.rows, c.total, got)
		}
	}
}
