package xlsx_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// An assessor re-checks the exported trail outside the system: each row hashes to its hash, and
// in each chain links to the row before it.
func TestAuditExportRechecks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		var buf bytes.Buffer
		if err := xlsx.ExportAudit(l.sys, sqldb.NewAuditService(db), qingqian.AuditFilter{}, &buf, "csv", meta()); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF"))))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		cst := time.FixedZone("CST", 8*3600)
		num := func(s string) int64 {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("not a number: %q", s)
			}
			return n
		}
		last := map[int64]string{} // each chain's link, from its oldest record (rows are newest first)
		var recs []qingqian.AuditRecord
		header := false
		for _, row := range rows {
			if !header {
				header = len(row) > 0 && row[0] == "序号"
				continue
			}
			if len(row) != len(xlsx.AuditColumns) {
				continue
			}
			at, err := time.ParseInLocation("2006-01-02 15:04:05.000000", row[1], cst)
			if err != nil {
				t.Fatal(err)
			}
			rec := qingqian.AuditRecord{Seq: num(row[0]), At: at, ActorName: row[2], ActorID: num(row[3]), Source: row[4], Action: row[5], Entity: row[6],
				EntityID: num(row[7]), OrgPath: row[8], PrevHash: row[11], Hash: row[12], Chain: num(row[13]), ChainSeq: num(row[14])}
			if row[9] != "" {
				rec.Before = []byte(row[9])
			}
			if row[10] != "" {
				rec.After = []byte(row[10])
			}
			recs = append(recs, rec)
		}
		if len(recs) < 10 {
			t.Fatalf("%d records exported", len(recs))
		}
		chains := map[int64]bool{}
		for i := len(recs) - 1; i >= 0; i-- {
			rec := recs[i]
			if rec.ComputeHash() != rec.Hash {
				t.Fatalf("record %d does not hash to its hash from the export", rec.Seq)
			}
			if rec.PrevHash != last[rec.Chain] {
				t.Fatalf("record %d does not link to the one before it in chain %d", rec.Seq, rec.Chain)
			}
			last[rec.Chain] = rec.Hash
			chains[rec.Chain] = true
		}
		if len(chains) < 2 {
			t.Fatalf("the records are in %d chains, want the regulator's and the group's", len(chains))
		}
	})
}
