package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A unit's bank statement imported from the command line is checked as on the workbench: a dry
// run lists it and writes nothing, a date before 1990 is refused naming its row, a line a year
// from the rest only with --accept-outliers; the import keeps the file, records its hash, is
// audited, and verify then holds.
func TestImportStatementCommand(t *testing.T) {
	eachDB(t, func(t *testing.T, dialect string, args []string) {
		newDeployment(t, args)
		dir := t.TempDir()
		write := func(name, body string) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}
		head := "交易日期,借方发生额,贷方发生额,对方户名,对方账号,摘要,流水号\n"
		body := "2024-03-02,1200.00,,某某建筑劳务有限公司,6217000011112222,货款,CLI-1\n" +
			"2024-03-05,,50.00,某某建筑劳务有限公司,6217000011112222,退款,CLI-2\n" +
			"2024-03-09,86.50,,示范市供电公司,,电费,CLI-3\n"
		good := write("三月.csv", head+body)
		out, err := run(t, "import", "statement", good)
		if err == nil || !strings.Contains(out, "--org") {
			t.Fatalf("without --org: %v\n%s", err, out)
		}
		out, err = runArgs(t, []string{"import", "statement", good, "--org", "2", "--dry-run"}, args)
		if err != nil || !strings.Contains(out, "试导入（未写入）：2 笔付款") || !strings.Contains(out, "CLI-3") {
			t.Fatalf("dry run: %v\n%s", err, out)
		}
		db := rawDB(t, dialect, args)
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM statement_lines`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a dry run wrote %d lines (%v)", n, err)
		}
		old := write("1900.csv", head+body+"1900-01-01,10.00,,某某,,x,CLI-4\n")
		out, err = runArgs(t, []string{"import", "statement", old, "--org", "2", "--accept-outliers"}, args)
		if err == nil || !strings.Contains(out, "第 5 行 交易日期「1900-01-01」") {
			t.Fatalf("1900: %v\n%s", err, out)
		}
		far := write("远.csv", head+body+"2021-01-04,10.00,,某某,,x,CLI-4\n")
		out, err = runArgs(t, []string{"import", "statement", far, "--org", "2"}, args)
		if err == nil || !strings.Contains(out, "第 5 行 交易日期「2021-01-04」") || !strings.Contains(out, "--accept-outliers") {
			t.Fatalf("a line years before: %v\n%s", err, out)
		}
		sum := sha256.Sum256([]byte(head + body))
		sha := hex.EncodeToString(sum[:])
		out, err = runArgs(t, []string{"import", "statement", good, "--org", "2"}, args)
		if err != nil || !strings.Contains(out, "（示范建工集团有限公司，2024-03-02 至 2024-03-09）：2 笔付款") || !strings.Contains(out, sha) {
			t.Fatalf("import: %v\n%s", err, out)
		}
		var kept string
		if err := db.QueryRow(`SELECT file_sha256 FROM bank_statements`).Scan(&kept); err != nil || kept != sha {
			t.Fatalf("kept %q, want %s (%v)", kept, sha, err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'statement.import' AND after_json LIKE '%` + sha + `%'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("the import's audit record: %d %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(args[1], "vouchers", sha[:2], sha[2:4], sha)); err != nil {
			t.Fatalf("the file is not kept: %v", err)
		}
		out, err = runArgs(t, []string{"import", "statement", good, "--org", "2"}, args)
		if err == nil || !strings.Contains(out, "该流水号已导入过") {
			t.Fatalf("again: %v\n%s", err, out)
		}
		out, err = runArgs(t, []string{"verify"}, args)
		if err != nil || !strings.Contains(out, "已核对 1 份银行对账单（2 行流水") {
			t.Fatalf("verify: %v\n%s", err, out)
		}
	})
}
