package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The newest record of a chain removed and the chain's head set back: the chain holds together,
// but the anchor printed before and the copy verify left in the data folder both name a record
// that is gone; anchor then refuses to move the copy on.
func TestAnchorFindsACutChain(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, "demo", "--data", dir); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	out, err := run(t, "verify", "--data", dir)
	if err != nil || !strings.Contains(out, "审计链锚点：") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "audit-anchor.txt")); err != nil {
		t.Fatalf("verify left no anchor in the data folder: %v", err)
	}
	printed := filepath.Join(t.TempDir(), "锚点.txt")
	if out, err := run(t, "anchor", "--data", dir, "--out", printed); err != nil || !strings.Contains(out, "审计链锚点已写入") {
		t.Fatalf("anchor: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "qingqian.db"))
	if err != nil {
		t.Fatal(err)
	}
	var seq, chain, chainSeq int64
	if err := db.QueryRow(`SELECT a.seq, a.chain, a.chain_seq FROM audit_log a JOIN audit_heads h ON h.chain = a.chain AND h.seq = a.chain_seq
		WHERE a.entry_id IS NULL ORDER BY a.seq DESC LIMIT 1`).Scan(&seq, &chain, &chainSeq); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP TRIGGER audit_log_no_delete`,
		`DELETE FROM audit_log WHERE seq = ?`,
		`UPDATE audit_heads SET seq = seq - 1, hash = (SELECT hash FROM audit_log WHERE chain = audit_heads.chain AND chain_seq = audit_heads.seq - 1),
			last_seq = (SELECT seq FROM audit_log WHERE chain = audit_heads.chain AND chain_seq = audit_heads.seq - 1) WHERE chain = ?`,
	} {
		var arg []any
		switch {
		case strings.HasPrefix(q, "DELETE"):
			arg = []any{seq}
		case strings.HasPrefix(q, "UPDATE"):
			arg = []any{chain}
		}
		if _, err := db.Exec(q, arg...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	out, err = run(t, "verify", "--data", dir, "--anchor", printed)
	if err == nil || !strings.Contains(out, "锚点文件 "+printed) || !strings.Contains(out, "数据目录中的锚点") ||
		!strings.Contains(out, "数据库中已没有这条记录") {
		t.Fatalf("verify after cutting a chain: %v\n%s", err, out)
	}
	if strings.Contains(out, "审计链断裂") {
		t.Fatalf("the cut chain should hold together by itself:\n%s", out)
	}
	if out, err := run(t, "anchor", "--data", dir); err == nil || !strings.Contains(out, "未生成新的锚点") {
		t.Fatalf("anchor moved on past a cut chain: %v\n%s", err, out)
	}
}
