package xlsx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
)

// pipelineFile writes a CSV of the creditor register with n rows.
func pipelineFile(t *testing.T, n int) string {
	var b strings.Builder
	b.WriteString("企业名称,统一社会信用代码,企业性质\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "企业%d,91310115MA1K3BTP2B,民营企业\n", i)
	}
	path := filepath.Join(t.TempDir(), "c.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rowNumbers parses a row into its number, panicking at one of them.
func rowNumbers(panicAt int) parser[int] {
	return func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*int, bool) {
		if rowNum == panicAt {
			panic("the spreadsheet library choked")
		}
		return &rowNum, true
	}
}

// consume is a service that reads every row it is given, or the first few, and fails as the
// rows do (rolling back).
func consume(got *int, upTo int) func(context.Context, func(yield func(*int) bool) error, bool) (*qingqian.ImportResult, error) {
	return func(_ context.Context, rows func(yield func(*int) bool) error, _ bool) (*qingqian.ImportResult, error) {
		if err := rows(func(*int) bool { *got++; return upTo == 0 || *got < upTo }); err != nil {
			return nil, err
		}
		return &qingqian.ImportResult{Created: *got, Issues: []qingqian.ImportIssue{}}, nil
	}
}

// The file is read in a goroutine of its own: a panic there becomes a file error (with its
// cause kept for the log), not the end of the process.
func TestReaderPanicIsAFileError(t *testing.T) {
	var got int
	rep, err := importRows(context.Background(), pipelineFile(t, 2000), CreditorColumns, false, nil, rowNumbers(1500), consume(&got, 0), nil, nil)
	var fe *FileError
	if !errors.As(err, &fe) || rep != nil || fe.Msg == "" || !strings.Contains(fmt.Sprint(errors.Unwrap(fe)), "choked") {
		t.Fatalf("panic while reading: %v %+v", err, rep)
	}
	if strings.Contains(fe.Msg, "choked") {
		t.Fatalf("the panic's text reached the user: %q", fe.Msg)
	}
	if got == 0 || got >= 1500 {
		t.Fatalf("the writer saw %d rows", got)
	}
}

// A writer that stops early (too many problems) stops the reader too, and the import ends.
func TestWriterStoppingStopsTheReader(t *testing.T) {
	var got, parsed int
	parse := func(h *header, cells []string, rowNum int, fault func(c *Column, value, msg string)) (*int, bool) {
		parsed++ // read once the import has returned
		return &rowNum, true
	}
	rep, err := importRows(context.Background(), pipelineFile(t, 20000), CreditorColumns, false, nil, parse, consume(&got, 10), nil, nil)
	if err != nil || rep == nil || rep.Result.Created != 10 || got != 10 {
		t.Fatalf("writer stopping at 10: %v %+v (saw %d)", err, rep, got)
	}
	// At most what the channel holds ahead of the writer was read past its tenth row.
	if parsed > 10*256 {
		t.Fatalf("the reader went on to row %d of 20,000 after the writer stopped", parsed)
	}
}

// A bad cell writes nothing, but the good rows are all still given to the service, which checks
// them against the database, so that every problem is reported in one round; the rows end with
// qingqian.ErrRowsRejected, and the service rolls back.
func TestBadCellStillChecksEveryRowAndWritesNothing(t *testing.T) {
	badAt := map[int]bool{600: true, 4000: true}
	parse := func(h *header, cells []string, rowNum int, fault func(c *Column, value, msg string)) (*int, bool) {
		if badAt[rowNum] {
			fault(&CreditorColumns[0], cells[0], "不对")
			return nil, false
		}
		return &rowNum, true
	}
	var got int
	var rowsErr error
	write := func(_ context.Context, rows func(yield func(*int) bool) error, _ bool) (*qingqian.ImportResult, error) {
		rowsErr = rows(func(*int) bool { got++; return true })
		return nil, rowsErr
	}
	rep, err := importRows(context.Background(), pipelineFile(t, 5000), CreditorColumns, false, nil, parse, write, nil, nil)
	if err != nil || rep == nil || len(rep.Issues) != 2 || rep.Issues[1].Row != 4000 || rep.Result.Rows != 4998 {
		t.Fatalf("two bad cells: %v %+v", err, rep)
	}
	if got != 4998 || !errors.Is(rowsErr, qingqian.ErrRowsRejected) {
		t.Fatalf("the service checked %d rows of 4,998, and was told %v", got, rowsErr)
	}
}

// A writer that panics does not leave the reader waiting for ever.
func TestWriterPanicStopsTheReader(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the writer's panic did not come through")
			}
		}()
		importRows(context.Background(), pipelineFile(t, 5000), CreditorColumns, false, nil, rowNumbers(-1),
			func(_ context.Context, rows func(yield func(*int) bool) error, _ bool) (*qingqian.ImportResult, error) {
				n := 0
				rows(func(*int) bool {
					if n++; n == 10 {
						panic("a bug in the service")
					}
					return true
				})
				return nil, nil
			}, nil, nil)
	}()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind", runtime.NumGoroutine()-before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
