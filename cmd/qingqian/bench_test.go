package main

import (
	"strings"
	"testing"
)

// TestBenchSmall runs the page benchmark on a small province: it loads, serves on loopback and
// measures every page (each answering 200). Full-size runs are made by hand (docs/benchmarks.md).
func TestBenchSmall(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, "bench", "--data", dir, "--items", "300", "--requests", "2")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"载入完成", "300 条台账条目", "首页", "台账 第一页", "接口 偏移 150", "预警信号 全省", "台账 截至过去日期"} {
		if !strings.Contains(out, want) {
			t.Fatalf("bench output lacks %q:\n%s", want, out)
		}
	}
	// A database that holds anything else is refused.
	other := t.TempDir()
	if out, err := run(t, "demo", "--data", other); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	if out, err := run(t, "bench", "--data", other, "--requests", "1"); err == nil || !strings.Contains(err.Error(), "不是基准省") {
		t.Fatalf("bench on the demo province: %v\n%s", err, out)
	}
	// A second run measures the province loaded before.
	out, err = run(t, "bench", "--data", dir, "--items", "300", "--requests", "1")
	if err != nil || strings.Contains(out, "载入完成") {
		t.Fatalf("second bench: %v\n%s", err, out)
	}
}
