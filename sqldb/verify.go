package sqldb

// `qingqian verify`: what the database holds is checked against itself, in one snapshot, while
// the system keeps writing. docs/verify.md says what it proves and what it cannot.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/qingqian/qingqian"
)

// VerifyOptions says what Verify checks beyond the database itself.
type VerifyOptions struct {
	// Anchors are heads of the audit chains written down outside the database before: each
	// record they name must still be there with the hash they name.
	Anchors []NamedAnchor
	// SkipVouchers leaves the voucher files unread (they are re-hashed by default), and the kept
	// bank statement files (read again by default, their lines compared with the statements').
	SkipVouchers bool
	// Progress, when set, is told each step as it starts and, in a long step, every million
	// rows read. Two steps run at once (the running totals on a second connection): it is
	// called from one goroutine at a time.
	Progress func(step string)
}

// NamedAnchor is an anchor and what to call it in a problem ("锚点文件 x.txt").
type NamedAnchor struct {
	Name   string
	Anchor *Anchor
}

// VerifyReport is what Verify found: counts of what it read, and every problem, each naming
// what is wrong, in Chinese. No problems means every check held.
type VerifyReport struct {
	Records  int64 // audit records walked
	Chains   int   // audit chains walked
	Entries  int64 // entries checked against their records
	Items    int64 // item balances checked against their entries
	Vouchers int64 // voucher files re-hashed
	Bills    int64 // bills checked against the audit records that wrote them
	// Statements, StatementLines, StatementLinks and Letters are the bank statements, their
	// lines, the links of lines to repayments and the confirmation letters checked against the
	// audit records that wrote them.
	Statements, StatementLines, StatementLinks, Letters int64
	// Contracts and ContractEvents are those checked against the audit records that wrote them.
	Contracts, ContractEvents int64
	// Swept is the payables in the ledger (swept into items) checked against their items.
	Swept  int64
	Chain  *qingqian.AuditVerification
	Totals string // "" when the running totals agree with the entries
	// Balances is true when no balance is negative or impossible and the gross movement
	// equals the entries (ADR 16).
	Balances bool
	Problems []string
	Took     time.Duration
	// Anchor is the heads of the chains in the snapshot verified (whether or not it passed).
	Anchor *Anchor
}

// OK reports whether every check held.
func (r *VerifyReport) OK() bool { return len(r.Problems) == 0 }

func (r *VerifyReport) add(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// maxListed bounds the problems of one kind listed one by one.
const maxListed = 10

// Verify checks, in one snapshot of the database, the audit chains (and the anchors given),
// every entry against the audit record that wrote it, every item's stored balance against its
// entries, the running totals against the entries, and the voucher files against their hashes.
func (db *DB) Verify(ctx context.Context, opt VerifyOptions) (_ *VerifyReport, err error) {
	defer serviceErr(&err, "verify the ledger")
	start := time.Now()
	var progressMu sync.Mutex
	progress := func(step string) {
		if opt.Progress != nil {
			progressMu.Lock()
			defer progressMu.Unlock()
			opt.Progress(step)
		}
	}
	// Two snapshots of one state: the running totals and the balances, which sort the whole
	// ledger in the database, are checked on the second while the rest is walked on the first.
	ss, err := db.beginLargeSnapshots(ctx, 2)
	if err != nil {
		return nil, err
	}
	s := ss[0]
	defer s.Close()
	s.progress, ss[1].progress = progress, progress
	totalsCtx, cancelTotals := context.WithCancel(ctx)
	type totalsResult struct {
		totals string
		bad    []string
		err    error
	}
	totalsDone := make(chan totalsResult, 1)
	go func() {
		defer ss[1].Close()
		var r totalsResult
		progress("汇总数")
		if r.totals, r.err = db.verifyTotals(totalsCtx, ss[1]); r.err == nil {
			progress("余额与累计发生额")
			r.bad, r.err = db.verifyBalances(totalsCtx, ss[1].tx)
		}
		totalsDone <- r
	}()
	totalsWaited := false
	defer func() {
		if !totalsWaited {
			cancelTotals()
			<-totalsDone
		}
	}()
	rep := &VerifyReport{}
	heads, err := readHeads(ctx, s.tx)
	if err != nil {
		return nil, err
	}
	rep.Anchor = &Anchor{At: db.Now().UTC().Truncate(time.Second), Heads: heads}
	progress("审计链")
	if rep.Chain, err = db.verifyChain(ctx, s); err != nil {
		return nil, err
	}
	rep.Records, rep.Chains = rep.Chain.Records, rep.Chain.Chains
	if !rep.Chain.OK {
		rep.add("审计链断裂：第一处断点在第 %d 条。%s", rep.Chain.BrokenSeq, rep.Chain.Problem)
	}
	for _, a := range opt.Anchors {
		if err := db.checkAnchor(ctx, s, a.Anchor, a.Name, rep); err != nil {
			return nil, err
		}
	}
	if err := db.verifyIssuedReports(ctx, s, rep); err != nil {
		return nil, err
	}
	progress("分录与台账余额")
	if err := db.verifyEntries(ctx, s, rep); err != nil {
		return nil, err
	}
	if err := db.verifyImports(ctx, s, rep); err != nil {
		return nil, err
	}
	progress("票据")
	if err := db.verifyBills(ctx, s, rep); err != nil {
		return nil, err
	}
	progress("合同与合同事项")
	if err := db.verifyContracts(ctx, s, rep); err != nil {
		return nil, err
	}
	if err := db.verifySwept(ctx, s, rep); err != nil {
		return nil, err
	}
	progress("银行对账单与询证函")
	if err := db.verifyStatements(ctx, s, rep, !opt.SkipVouchers); err != nil {
		return nil, err
	}
	if err := db.verifyLetters(ctx, s, rep); err != nil {
		return nil, err
	}
	progress("各单位未清偿条目计数")
	if err := db.verifyOwing(ctx, s, rep); err != nil {
		return nil, err
	}
	if !opt.SkipVouchers {
		progress("凭证文件")
		if err := db.verifyVouchers(ctx, s, rep); err != nil {
			return nil, err
		}
	}
	tr := <-totalsDone
	totalsWaited = true
	cancelTotals()
	if tr.err != nil {
		return nil, tr.err
	}
	if rep.Totals = tr.totals; rep.Totals != "" {
		rep.add("汇总数异常：%s", rep.Totals)
	}
	for _, p := range tr.bad {
		rep.add("余额异常：%s", p)
	}
	rep.Balances = len(tr.bad) == 0
	rep.Took = time.Since(start)
	return rep, nil
}

// boundEntry is the entry an audit record wrote, from its content: 0 for a record that wrote
// none.
func boundEntry(r *qingqian.AuditRecord) int64 {
	var v struct {
		ID      int64 `json:"id"`
		EntryID int64 `json:"recognise_entry_id"`
	}
	switch {
	case strings.HasPrefix(r.Action, "entry."):
		if json.Unmarshal(r.After, &v) != nil {
			return -1
		}
		return v.ID
	case r.Action == "item.import":
		if json.Unmarshal(r.After, &v) != nil {
			return -1
		}
		return v.EntryID
	}
	return 0
}

// verifyChain walks every audit chain in order within the snapshot, recomputing each hash and
// checking that a record bound to an entry names the entry its content is about, and checks each
// chain's head, so that deleting a chain's newest records is caught too.
func (db *DB) verifyChain(ctx context.Context, s *snapshot) (_ *qingqian.AuditVerification, err error) {
	defer wrapErr(&err, "walk the audit chain")
	res := &qingqian.AuditVerification{OK: true}
	heads := map[int64]ChainHead{}
	all, err := readHeads(ctx, s.tx)
	if err != nil {
		return nil, err
	}
	for _, h := range all {
		heads[h.Chain] = h
	}
	st, err := openStream(ctx, s, `SELECT `+auditColumns+` FROM audit_log ORDER BY chain, chain_seq`, func(r rowScanner) (*qingqian.AuditRecord, error) { return scanAudit(r) })
	if err != nil {
		return nil, err
	}
	defer st.Close()
	fail := func(seq int64, problem string, args ...any) (*qingqian.AuditVerification, error) {
		res.OK, res.BrokenSeq, res.Problem = false, seq, fmt.Sprintf(problem, args...)
		return res, nil
	}
	// in names a chain in a problem: chain 0 is the one there was before chains.
	in := func(chain int64) string {
		if chain == 0 {
			return "审计链"
		}
		return fmt.Sprintf("审计链 %d（单位 %d 所属集团）", chain, chain)
	}
	chain, prev, want, lastSeq := int64(-1), "", int64(1), int64(0)
	// endOf checks the head of the chain just walked.
	endOf := func() string {
		if chain < 0 {
			return ""
		}
		h, ok := heads[chain]
		delete(heads, chain)
		switch {
		case !ok:
			res.BrokenSeq = lastSeq
			return fmt.Sprintf("%s没有链头", in(chain))
		case h.Seq != want-1 || h.Hash != prev:
			res.BrokenSeq = max(h.LastSeq, lastSeq+1)
			return fmt.Sprintf("%s末尾应为第 %d 条，实际只有 %d 条（记录被删除）", in(chain), h.Seq, want-1)
		}
		return ""
	}
	for st.Next() {
		r := st.Row()
		if r.Chain != chain {
			if p := endOf(); p != "" {
				res.OK, res.Problem = false, p
				return res, nil
			}
			chain, prev, want = r.Chain, "", 1
			res.Chains++
		}
		res.Records++
		s.tick("审计记录", res.Records)
		switch {
		case r.ChainSeq != want:
			return fail(r.Seq, "%s缺少第 %d 条记录（在第 %d 条之前）", in(chain), want, r.Seq)
		case r.PrevHash != prev:
			return fail(r.Seq, "第 %d 条记录的前序哈希与%s中的上一条不符", r.Seq, in(chain))
		case r.ComputeHash() != r.Hash:
			return fail(r.Seq, "第 %d 条记录的内容已被改动（哈希不符）", r.Seq)
		case !(r.EntryID != 0 && strings.HasPrefix(r.Action, "entry.")) && boundEntry(r) != r.EntryID:
			// A record bound to an entry (entry_id set) is compared with that entry field by
			// field, its number included, by verifyEntries; here only the others are read.
			return fail(r.Seq, "第 %d 条记录所绑定的分录编号与其内容不符", r.Seq)
		}
		prev, want, lastSeq = r.Hash, want+1, r.Seq
	}
	if err := st.Err(); err != nil {
		return nil, err
	}
	if p := endOf(); p != "" {
		res.OK, res.Problem = false, p
		return res, nil
	}
	for _, h := range all {
		if _, left := heads[h.Chain]; left {
			return fail(h.LastSeq, "%s的 %d 条记录全部缺失（链头仍在）", in(h.Chain), h.Seq)
		}
	}
	return res, nil
}

// entryRow is an entry with the audit record that wrote it.
type entryRow struct {
	e      qingqian.Entry
	seq    int64 // the record's seq, 0 when there is none
	action string
	after  string
	at     time.Time
}

// verifyEntries checks each entry against the audit record that wrote it, each item's stored
// balance against its entries, and that no entry an audit record wrote is gone. Items and
// entries are read in item order and merged.
func (db *DB) verifyEntries(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the entries")
	type itemRow struct {
		id       int64
		b        qingqian.Balance
		status   string
		importID int64 // the import that published it, whose record proves its recognise entry (verify_imports.go)
	}
	items, err := openStream(ctx, s, `SELECT id, rec_u, rec_d, rep_u, rep_d, out_u, out_d, status, COALESCE(import_id, 0) FROM items ORDER BY id`, func(r rowScanner) (itemRow, error) {
		var it itemRow
		err := r.Scan(&it.id, &it.b.RecognisedUndisputed, &it.b.RecognisedDisputed, &it.b.RepaidUndisputed, &it.b.RepaidDisputed,
			&it.b.OutstandingUndisputed, &it.b.OutstandingDisputed, &it.status, &it.importID)
		return it, err
	})
	if err != nil {
		return err
	}
	defer items.Close()
	entries, err := openStream(ctx, s, `SELECT e.id, e.item_id, e.kind, e.cat, e.on_date, e.recorded_at, e.backdated, e.du, e.dd, e.method, e.voucher_no, e.reason,
			COALESCE(e.reverses_id, 0), e.actor_name, COALESCE(a.seq, 0), COALESCE(a.action, ''), COALESCE(a.after_json, ''), a.at
		FROM entries e LEFT JOIN audit_log a ON a.entry_id = e.id ORDER BY e.item_id, e.id`, func(r rowScanner) (entryRow, error) {
		var x entryRow
		err := r.Scan(&x.e.ID, &x.e.ItemID, &x.e.Kind, &x.e.Category, &x.e.On, timeCol{&x.e.RecordedAt}, &x.e.Backdated, &x.e.Undisputed, &x.e.Disputed,
			&x.e.Method, &x.e.VoucherNo, &x.e.Reason, &x.e.ReversesID, &x.e.ActorName, &x.seq, &x.action, &x.after, timeCol{&x.at})
		return x, err
	})
	if err != nil {
		return err
	}
	defer entries.Close()
	var unbound, altered, balances int
	haveEntry := entries.Next()
	for items.Next() {
		it := items.Row()
		rep.Items++
		var b qingqian.Balance
		for haveEntry && entries.Row().e.ItemID <= it.id {
			x := entries.Row()
			rep.Entries++
			s.tick("分录", rep.Entries)
			if x.e.ItemID == it.id {
				b.Add(x.e.Category, x.e.Undisputed, x.e.Disputed)
			}
			if publishedEntry(&x, it.id, it.importID) {
				// proved by its import's record (verifyImports)
			} else if problem := entryAgrees(&x); problem != "" {
				if x.seq == 0 {
					unbound++
				} else {
					altered++
				}
				if unbound+altered <= maxListed {
					rep.add("分录 %d（台账 %d）%s", x.e.ID, x.e.ItemID, problem)
				}
			}
			haveEntry = entries.Next()
		}
		if err := entries.Err(); err != nil {
			return err
		}
		got := it.b
		if got.RecognisedUndisputed != b.RecognisedUndisputed || got.RecognisedDisputed != b.RecognisedDisputed ||
			got.RepaidUndisputed != b.RepaidUndisputed || got.RepaidDisputed != b.RepaidDisputed ||
			got.OutstandingUndisputed != b.OutstandingUndisputed || got.OutstandingDisputed != b.OutstandingDisputed ||
			(len(b.Status) > 0 && it.status != string(b.Status)) {
			balances++
			if balances <= maxListed {
				rep.add("台账 %d 的余额与其分录不符：记载未还 %s 元，按分录应为 %s 元", it.id,
					(got.OutstandingUndisputed + got.OutstandingDisputed).String(), b.Outstanding.String())
			}
		}
	}
	if err := items.Err(); err != nil {
		return err
	}
	if n := unbound + altered - maxListed; n > 0 {
		rep.add("另有 %d 笔分录与审计记录不符", n)
	}
	if n := balances - maxListed; n > 0 {
		rep.add("另有 %d 笔台账的余额与其分录不符", n)
	}
	// An entry an audit record wrote must still be there.
	rows, err := s.tx.QueryContext(ctx, `SELECT a.seq, a.entry_id, a.action FROM audit_log a
		WHERE a.entry_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = a.entry_id) ORDER BY a.seq`)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	defer rows.Close()
	gone := 0
	for rows.Next() {
		var seq, id int64
		var action string
		if err := rows.Scan(&seq, &id, &action); err != nil {
			return err
		}
		gone++
		if gone <= maxListed {
			rep.add("第 %d 条审计记录（%s）所记的分录 %d 已不在台账中（被删除）", seq, action, id)
		}
	}
	if n := gone - maxListed; n > 0 {
		rep.add("另有 %d 笔审计记录所记的分录已不在台账中", n)
	}
	return rows.Err()
}

// entryAgrees compares an entry with the audit record that wrote it and says what differs,
// "" when they agree.
func entryAgrees(x *entryRow) string {
	if x.seq == 0 {
		return "没有写入它的审计记录（不是经由系统记录的）"
	}
	e := &x.e
	var w qingqian.Entry
	switch {
	case x.action == "item.import":
		var im importedItem
		if err := json.Unmarshal([]byte(x.after), &im); err != nil {
			return fmt.Sprintf("的审计记录（第 %d 条）无法读取", x.seq)
		}
		w = qingqian.Entry{ID: im.EntryID, ItemID: im.ID, Kind: qingqian.EntryRecognise, Category: qingqian.CatRecognise, On: im.ArisenOn,
			RecordedAt: x.at, Undisputed: im.Undisputed, Disputed: im.Disputed, ActorName: e.ActorName}
	case x.action == "entry."+string(e.Kind) && sameAsWritten(e, x.after):
		return ""
	case x.action == "entry."+string(e.Kind) || strings.HasPrefix(x.action, "entry."):
		if err := json.Unmarshal([]byte(x.after), &w); err != nil {
			return fmt.Sprintf("的审计记录（第 %d 条）无法读取", x.seq)
		}
		if x.action != "entry."+string(w.Kind) {
			return fmt.Sprintf("的审计记录（第 %d 条）不是分录记录", x.seq)
		}
	default:
		return fmt.Sprintf("的审计记录（第 %d 条）不是分录记录", x.seq)
	}
	var diff []string
	check := func(what string, same bool) {
		if !same {
			diff = append(diff, what)
		}
	}
	check("编号", w.ID == e.ID)
	check("台账", w.ItemID == e.ItemID)
	check("类型", w.Kind == e.Kind && w.Category == e.Category)
	check("业务日期", w.On == e.On)
	check("登记时间", w.RecordedAt.Equal(e.RecordedAt))
	check("无争议金额", w.Undisputed == e.Undisputed)
	check("有争议金额", w.Disputed == e.Disputed)
	check("支付方式", w.Method == e.Method)
	check("凭证号", w.VoucherNo == e.VoucherNo)
	check("原因", w.Reason == e.Reason)
	check("冲正对象", w.ReversesID == e.ReversesID)
	check("经办人", w.ActorName == e.ActorName)
	if len(diff) == 0 {
		return ""
	}
	return fmt.Sprintf("与写入它的审计记录（第 %d 条）不符：%s被改动", x.seq, strings.Join(diff, "、"))
}

// sameAsWritten reports whether after, the content of the record that wrote e, is e as the
// service wrote it: the bytes json.Marshal gives for the entry as read from its row, then its
// vouchers (which entryAgrees does not compare, but must decode). It saves decoding
// the record, most of the cost of checking an entry; false sends the record to the field by
// field comparison, which then names what differs. A reversal, whose record also holds the date
// of the entry it reverses (not in its row), is always compared field by field.
func sameAsWritten(e *qingqian.Entry, after string) bool {
	if e.Kind == qingqian.EntryReversal {
		return false
	}
	w := *e
	w.Vouchers, w.ReversedByID, w.ReversedOn = nil, 0, qingqian.Date{}
	b, err := json.Marshal(&w)
	const tail = `null}`
	if err != nil || !bytes.HasSuffix(b, []byte(tail)) {
		return false
	}
	head := b[:len(b)-len(tail)] // … ,"vouchers":
	if len(after) <= len(head) || after[:len(head)] != string(head) || after[len(after)-1] != '}' {
		return false
	}
	var vouchers []qingqian.VoucherRef
	return json.Unmarshal([]byte(after[len(head):len(after)-1]), &vouchers) == nil
}

// verifyVouchers re-hashes every voucher file (decrypting a sealed one): a file missing, or
// whose bytes no longer hash to its name, is named.
func (db *DB) verifyVouchers(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the voucher files")
	st, err := openStream(ctx, s, `SELECT sha256 FROM vouchers ORDER BY `+db.d.bytewise("sha256"), func(r rowScanner) (string, error) {
		var sha string
		err := r.Scan(&sha)
		return sha, err
	})
	if err != nil {
		return err
	}
	defer st.Close()
	bad := 0
	for st.Next() {
		sha := st.Row()
		rep.Vouchers++
		problem := ""
		if !validSHA(sha) {
			problem = "的登记编号不是 SHA-256"
		} else if f, err := openVoucherFile(VoucherPath(db.VoucherDir, sha), db.VoucherKey); errors.Is(err, os.ErrNotExist) {
			problem = "的文件缺失"
		} else if err != nil {
			problem = "的文件无法读取（" + err.Error() + "）"
		} else {
			h := sha256.New()
			_, err := io.Copy(h, f)
			f.Close()
			if err != nil {
				problem = "的文件已被改动（无法解密或读取）"
			} else if hex.EncodeToString(h.Sum(nil)) != sha {
				problem = "的文件已被改动（内容与哈希不符）"
			}
		}
		if problem != "" {
			bad++
			if bad <= maxListed {
				rep.add("凭证 %s%s", sha, problem)
			}
		}
	}
	if n := bad - maxListed; n > 0 {
		rep.add("另有 %d 个凭证文件缺失或被改动", n)
	}
	return st.Err()
}

// verifyIssuedReports checks the anchor each issued report carries: its digest is that of its
// heads and the one the record that issued it holds, and the trail still holds every head.
func (db *DB) verifyIssuedReports(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the anchors of issued reports")
	type issued struct {
		body, record string
	}
	var all []issued
	rows, err := s.tx.QueryContext(ctx, `SELECT r.body, COALESCE((SELECT a.after_json FROM audit_log a
		WHERE a.entity = 'period' AND a.entity_id = r.period_id AND a.action = 'report.issue' ORDER BY a.seq LIMIT 1), '')
		FROM reports r ORDER BY r.period_id`)
	if err != nil {
		return fmt.Errorf("read reports: %w", err)
	}
	for rows.Next() {
		var x issued
		if err := rows.Scan(&x.body, &x.record); err != nil {
			rows.Close()
			return err
		}
		all = append(all, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range all {
		var r qingqian.Report
		if err := json.Unmarshal([]byte(x.body), &r); err != nil {
			rep.add("一份已印发的汇总表无法读取")
			continue
		}
		if r.AuditDigest == "" {
			continue // issued before reports carried an anchor
		}
		name := fmt.Sprintf("第%d期汇总表所载的锚点", r.Period.No)
		heads, err := parseHeadLines(r.AuditHeads)
		a := &Anchor{At: r.IssuedAt, Heads: heads}
		var issuing struct {
			Digest string `json:"audit_digest"`
		}
		json.Unmarshal([]byte(x.record), &issuing)
		switch {
		case err != nil || a.Digest() != r.AuditDigest:
			rep.add("%s与其摘要不符：报表被改动", name)
			continue
		case issuing.Digest != r.AuditDigest:
			rep.add("%s（摘要 %s）与印发它的审计记录不符：报表或审计记录被改动", name, r.AuditDigest)
			continue
		}
		if err := db.checkAnchor(ctx, s, a, name, rep); err != nil {
			return err
		}
	}
	return nil
}
