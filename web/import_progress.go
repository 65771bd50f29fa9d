package web

import (
	"archive/zip"
	"bufio"
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// The import page shows how far an import has come: rows done of about how many, and the
// percentage. The count is an estimate taken before reading (a CSV's lines, a workbook's sheet
// dimensions), so the percentage stops at 99 until the import is done.

// estimateRows guesses how many data rows a file holds: 0 when it cannot tell.
func estimateRows(path string) int {
	if strings.EqualFold(strings.TrimPrefix(fileExt(path), "."), "csv") {
		return csvLines(path) - 1
	}
	if n := workbookRows(path); n > 0 {
		return n
	}
	return csvLines(path) - 1
}

func fileExt(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i:]
	}
	return ""
}

// csvLines counts the lines of a text file.
func csvLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n, buf := 0, make([]byte, 64<<10)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

var dimensionRef = regexp.MustCompile(`<dimension ref="[A-Z]+(\d+)(?::[A-Z]+(\d+))?"`)

// workbookRows adds up the rows of a workbook's sheets, less a header row each; 0 when it is
// not a workbook.
func workbookRows(path string) int {
	z, err := zip.OpenReader(path)
	if err != nil {
		return 0
	}
	defer z.Close()
	total := 0
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			continue
		}
		total += sheetRows(f)
	}
	return total
}

// sheetRows reads a sheet's rows, less its header, from the dimension at the head of its part
// (Excel and WPS write it), or else by counting its rows.
func sheetRows(f *zip.File) int {
	rc, err := f.Open()
	if err != nil {
		return 0
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(4 << 10)
	if m := dimensionRef.FindSubmatch(head); m != nil && len(m[2]) > 0 {
		if first, last := atoi(m[1]), atoi(m[2]); last > first {
			return last - first
		}
	}
	n, tail := 0, []byte{}
	buf := make([]byte, 64<<10)
	for {
		k, err := br.Read(buf)
		chunk := append(tail, buf[:k]...)
		n += bytes.Count(chunk, []byte("<row ")) - bytes.Count(tail, []byte("<row "))
		tail = append(tail[:0], chunk[max(0, len(chunk)-4):]...)
		if err != nil {
			break
		}
	}
	return max(0, n-1)
}

func atoi(b []byte) int {
	n, _ := strconv.Atoi(string(b))
	return n
}

// importPercent is how far an import is, of its estimated rows, below 100 until it is done.
func importPercent(rows, total int) int {
	if total <= 0 {
		return 0
	}
	return min(99, rows*100/total)
}
