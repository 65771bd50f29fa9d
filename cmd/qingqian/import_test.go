package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every template the command lists is written, plans included; an .xls file is refused with
// what to do.
func TestTemplatesAndOldFormats(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"ledger", "repayments", "plans", "creditors", "units"} {
		path := filepath.Join(dir, kind+".xlsx")
		if out, err := run(t, "template", kind, "--out", path); err != nil {
			t.Fatalf("template %s: %v %s", kind, err, out)
		}
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Fatalf("template %s not written", kind)
		}
	}
	if out, _ := run(t, "demo", "--data", dir); !strings.Contains(out, "演示数据已载入") {
		t.Fatal(out)
	}
	xls := filepath.Join(dir, "台账.xls")
	os.WriteFile(xls, append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 600)...), 0o644)
	out, err := run(t, "import", "ledger", xls, "--data", dir, "--dry-run")
	if err == nil || !strings.Contains(err.Error()+out, "另存为") {
		t.Fatalf("xls: %v %s", err, out)
	}
}
