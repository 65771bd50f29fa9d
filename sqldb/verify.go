package sqldb

// `qingqian verify`: what the database holds is checked against itself, in one snapshot, while
// the system keeps writing. docs/verify.md says what it proves and what it cannot.

import (
	"context"
	"fmt"
	"time"

	"github.com/qingqian/qingqian"
)

// VerifyOptions says what Verify checks beyond the database itself.
type VerifyOptions struct {
	// Progress, when set, is told each step as it starts.
	Progress func(step string)
}

// VerifyReport is what Verify found: counts of what it read, and every problem, each naming
// what is wrong, in Chinese. No problems means every check held.
type VerifyReport struct {
	Records  int64 // audit records walked
	Chain    *qingqian.AuditVerification
	Totals   string // "" when the running totals agree with the entries
	Problems []string
	Took     time.Duration
}

// OK reports whether every check held.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

func (r *VerifyReport) add(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Verify checks, in one snapshot of the database, the audit chain and the running totals.
func (db *DB) Verify(ctx context.Context, opt VerifyOptions) (_ *VerifyReport, err error) {
	defer serviceErr(&err, "verify the ledger")
	start := time.Now()
	progress := func(step string) {
		if opt.Progress != nil {
			opt.Progress(step)
		}
	}
	s, err := db.beginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep := &VerifyReport{}
	progress("审计链")
	if rep.Chain, err = db.verifyChain(ctx, s, nil); err != nil {
		return nil, err
	}
	rep.Records = rep.Chain.Records
	if !rep.Chain.OK {
		rep.add("审计链断裂：第一处断点在第 %d 条。%s", rep.Chain.BrokenSeq, rep.Chain.Problem)
	}
	progress("汇总数")
	if rep.Totals, err = db.verifyTotals(ctx, s); err != nil {
		return nil, err
	}
	if rep.Totals != "" {
		rep.add("汇总数异常：%s", rep.Totals)
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// verifyChain walks the audit chain in order within the snapshot, recomputing each hash, and
// checks the head, so that deleting the newest records is caught too. each, when set, sees every
// record whose link holds.
func (db *DB) verifyChain(ctx context.Context, s *snapshot, each func(*qingqian.AuditRecord) error) (_ *qingqian.AuditVerification, err error) {
	defer wrapErr(&err, "walk the audit chain")
	res := &qingqian.AuditVerification{OK: true}
	st, err := openStream(ctx, s, `SELECT `+auditColumns+` FROM audit_log ORDER BY seq`, func(r rowScanner) (*qingqian.AuditRecord, error) { return scanAudit(r) })
	if err != nil {
		return nil, err
	}
	defer st.Close()
	prev, want := "", int64(1)
	fail := func(seq int64, problem string) (*qingqian.AuditVerification, error) {
		res.OK, res.BrokenSeq, res.Problem = false, seq, problem
		return res, nil
	}
	for st.Next() {
		r := st.Row()
		res.Records++
		switch {
		case r.Seq != want:
			return fail(want, fmt.Sprintf("缺少第 %d 条记录", want))
		case r.PrevHash != prev:
			return fail(r.Seq, fmt.Sprintf("第 %d 条记录的前序哈希与上一条不符", r.Seq))
		case r.ComputeHash() != r.Hash:
			return fail(r.Seq, fmt.Sprintf("第 %d 条记录的内容已被改动（哈希不符）", r.Seq))
		}
		if each != nil {
			if err := each(r); err != nil {
				return nil, err
			}
		}
		prev, want = r.Hash, want+1
	}
	if err := st.Err(); err != nil {
		return nil, err
	}
	var headSeq int64
	var headHash string
	if err := s.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("read audit_head: %w", err)
	}
	if headSeq != want-1 || headHash != prev {
		return fail(want, fmt.Sprintf("审计链末尾应为第 %d 条，实际只有 %d 条（记录被删除）", headSeq, want-1))
	}
	return res, nil
}
