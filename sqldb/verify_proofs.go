package sqldb

// verify: the proofs of repayments against the audit trail — bank statements, their lines and
// the links of lines to repayments, and confirmation letters with their replies. Each is compared
// with what the records that wrote it say it was left as; the records themselves the chain
// proves unaltered.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/qingqian/qingqian"
)

// lister lists problems of one kind, at most maxListed, then how many more.
type lister struct {
	rep  *VerifyReport
	n    int
	more string
}

func (l *lister) add(format string, args ...any) {
	if l.n < maxListed {
		l.rep.add(format, args...)
	}
	l.n++
}

func (l *lister) done() {
	if l.n > maxListed {
		l.rep.add(l.more, l.n-maxListed)
	}
}

// auditAfter calls fn with the seq and the state after of every record of the actions, in order.
func auditAfter(ctx context.Context, s *snapshot, fn func(seq, entityID int64, action string, before, after []byte) error, actions ...string) error {
	var q args
	in := ""
	for i, a := range actions {
		if i > 0 {
			in += ", "
		}
		in += q.add(a)
	}
	rows, err := s.tx.QueryContext(ctx, `SELECT seq, COALESCE(entity_id, 0), action, COALESCE(before_json, ''), COALESCE(after_json, '') FROM audit_log WHERE action IN (`+in+`) ORDER BY seq`, q...)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq, entity int64
		var action, before, after string
		if err := rows.Scan(&seq, &entity, &action, &before, &after); err != nil {
			return err
		}
		if err := fn(seq, entity, action, []byte(before), []byte(after)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// verifyStatements checks every bank statement against the record of its import, its lines
// against the digest that record holds, and the links of lines to repayments against the
// records of the matches and unmatches, replayed in order.
func (db *DB) verifyStatements(ctx context.Context, s *snapshot, rep *VerifyReport, reread bool) (err error) {
	defer wrapErr(&err, "verify the bank statements")
	trail := map[int64]*qingqian.BankStatement{}
	type link struct {
		entry  int64
		manual bool
		seq    int64
	}
	links := map[int64]link{}
	bad := &lister{rep: rep, more: "另有 %d 处对账单、流水行或匹配与审计记录不符，未逐一列出"}
	err = auditAfter(ctx, s, func(seq, _ int64, action string, before, after []byte) error {
		switch action {
		case "statement.import":
			st := &qingqian.BankStatement{}
			if json.Unmarshal(after, st) != nil || st.ID == 0 {
				bad.add("第 %d 条审计记录（导入银行对账单）无法读取", seq)
				return nil
			}
			trail[st.ID] = st
		case "statement.match":
			var v struct {
				Pairs [][2]int64 `json:"pairs"`
			}
			if json.Unmarshal(after, &v) != nil {
				bad.add("第 %d 条审计记录（对账单自动匹配）无法读取", seq)
				return nil
			}
			for _, p := range v.Pairs {
				links[p[0]] = link{entry: p[1], seq: seq}
			}
		case "statement.match_line":
			var v struct {
				LineID  int64 `json:"line_id"`
				EntryID int64 `json:"entry_id"`
			}
			if json.Unmarshal(after, &v) != nil || v.LineID == 0 {
				bad.add("第 %d 条审计记录（对账单手工匹配）无法读取", seq)
				return nil
			}
			links[v.LineID] = link{entry: v.EntryID, manual: true, seq: seq}
		case "statement.unmatch_line":
			var v struct {
				LineID int64 `json:"line_id"`
			}
			if json.Unmarshal(before, &v) != nil || v.LineID == 0 {
				bad.add("第 %d 条审计记录（取消对账单匹配）无法读取", seq)
				return nil
			}
			delete(links, v.LineID)
		}
		return nil
	}, "statement.import", "statement.match", "statement.match_line", "statement.unmatch_line")
	if err != nil {
		return err
	}

	// The statements, and the lines of each in id order.
	type stmtRow struct {
		st    qingqian.BankStatement
		lines []qingqian.StatementLine
	}
	var stmts []*stmtRow
	byID := map[int64]*stmtRow{}
	rows, err := s.tx.QueryContext(ctx, `SELECT id, org_id, file_name, lines, from_on, to_on, actor_name, file_sha256, lines_digest FROM bank_statements ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read bank_statements: %w", err)
	}
	for rows.Next() {
		r := &stmtRow{}
		if err := rows.Scan(&r.st.ID, &r.st.OrgID, &r.st.FileName, &r.st.Lines, &r.st.From, &r.st.To, &r.st.ActorName, &r.st.FileSHA256, &r.st.LinesDigest); err != nil {
			rows.Close()
			return err
		}
		stmts = append(stmts, r)
		byID[r.st.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.tx.QueryContext(ctx, `SELECT id, statement_id, org_id, row_no, on_date, amount, payee_name, payee_account, memo, serial_no
		FROM statement_lines ORDER BY statement_id, id`)
	if err != nil {
		return fmt.Errorf("read statement_lines: %w", err)
	}
	lineIDs := map[int64]bool{}
	for rows.Next() {
		var l qingqian.StatementLine
		if err := rows.Scan(&l.ID, &l.StatementID, &l.OrgID, &l.Row, &l.On, &l.Amount, &l.PayeeName, &l.PayeeAccount, &l.Memo, &l.SerialNo); err != nil {
			rows.Close()
			return err
		}
		lineIDs[l.ID] = true
		if r := byID[l.StatementID]; r != nil {
			r.lines = append(r.lines, l)
		} else {
			bad.add("流水行 %d（流水号 %s）所属的对账单 %d 不存在：绕过系统写入", l.ID, l.SerialNo, l.StatementID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range stmts {
		rep.Statements++
		rep.StatementLines += int64(len(r.lines))
		t, ok := trail[r.st.ID]
		delete(trail, r.st.ID)
		name := fmt.Sprintf("对账单 %d（%s）", r.st.ID, r.st.FileName)
		switch {
		case !ok:
			bad.add("%s没有导入它的审计记录：绕过系统写入", name)
			continue
		case t.OrgID != r.st.OrgID || t.FileName != r.st.FileName || t.Lines != r.st.Lines || t.From != r.st.From || t.To != r.st.To ||
			t.ActorName != r.st.ActorName || t.FileSHA256 != r.st.FileSHA256 || t.LinesDigest != r.st.LinesDigest:
			bad.add("%s与导入它的审计记录不符（单位、文件、行数、期间或摘要被改动）：被绕过系统改动", name)
			continue
		}
		if len(r.lines) != t.Lines {
			bad.add("%s导入时有 %d 行，现有 %d 行：流水行被绕过系统增删", name, t.Lines, len(r.lines))
			continue
		}
		if t.LinesDigest == "" {
			continue // imported before the lines carried a digest: only their number is known
		}
		if linesDigest(r.lines) != t.LinesDigest {
			bad.add("%s的流水行与导入时的摘要不符：%s", name, lineChanged(r.lines, t.OrgID))
			continue
		}
		if r.st.FileSHA256 != "" && reread {
			if problem := db.linesFromFile(r.st.FileSHA256, r.lines); problem != "" {
				bad.add("%s%s", name, problem)
			}
		}
	}
	for id, t := range trail {
		bad.add("对账单 %d（%s）有导入记录而已不在库中：被绕过系统删除", id, t.FileName)
	}
	rows, err = s.tx.QueryContext(ctx, `SELECT s.id, s.file_name FROM bank_statements s WHERE s.file_sha256 <> ''
		AND NOT EXISTS (SELECT 1 FROM vouchers v WHERE v.sha256 = s.file_sha256 AND v.kind = 'statement') ORDER BY s.id`)
	if err != nil {
		return fmt.Errorf("read bank_statements: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		bad.add("对账单 %d（%s）的原文件没有登记在文件存储中：登记被绕过系统删除", id, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// The links of lines to repayments.
	rows, err = s.tx.QueryContext(ctx, `SELECT line_id, entry_id, manual FROM repayment_lines ORDER BY line_id`)
	if err != nil {
		return fmt.Errorf("read repayment_lines: %w", err)
	}
	for rows.Next() {
		var line, entry, manual int64
		if err := rows.Scan(&line, &entry, &manual); err != nil {
			rows.Close()
			return err
		}
		rep.StatementLinks++
		t, ok := links[line]
		delete(links, line)
		switch {
		case !ok:
			bad.add("流水行 %d 与清偿记录 %d 的匹配没有审计记录：绕过系统写入", line, entry)
		case t.entry != entry || t.manual != (manual != 0):
			bad.add("流水行 %d 的匹配（清偿记录 %d）与第 %d 条审计记录（清偿记录 %d）不符：被绕过系统改动", line, entry, t.seq, t.entry)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	gone := make([]int64, 0, len(links))
	for line := range links {
		gone = append(gone, line)
	}
	slices.Sort(gone)
	for _, line := range gone {
		bad.add("流水行 %d 与清偿记录 %d 的匹配有审计记录（第 %d 条）而已不在库中：被绕过系统删除", line, links[line].entry, links[line].seq)
	}
	bad.done()
	return nil
}

// linesFromFile reads a statement's kept file again and says how the lines differ from what it
// gives, "" when they are the same: the lines of a statement are those of its file.
func (db *DB) linesFromFile(sha string, lines []qingqian.StatementLine) string {
	res, _, err := db.readStatementAt(VoucherPath(db.VoucherDir, sha), sha)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "的原文件缺失"
	case errors.Is(err, errHashDiffers):
		return "的原文件已被改动（内容与哈希不符）"
	case err != nil:
		return "的原文件无法读取（" + qingqian.ErrorMessage(err) + "）"
	case len(res.Issues) > 0 || len(res.Lines) != len(lines):
		return fmt.Sprintf("的流水行（%d 行）与从原文件读出的付款行（%d 行）不符", len(lines), len(res.Lines))
	}
	for i, l := range lines {
		f := res.Lines[i]
		if f.Row != l.Row || f.On != l.On || f.Amount != l.Amount || f.PayeeName != l.PayeeName || f.PayeeAccount != l.PayeeAccount ||
			f.Memo != l.Memo || f.SerialNo != l.SerialNo {
			return fmt.Sprintf("的流水行 %d（流水号 %s）与原文件第 %d 行不符", l.ID, l.SerialNo, f.Row)
		}
	}
	return ""
}

// lineChanged says which lines are suspect when a statement's lines no longer give its digest:
// a line of another unit, or else the rows of the lines (one of them was edited).
func lineChanged(lines []qingqian.StatementLine, orgID int64) string {
	for _, l := range lines {
		if l.OrgID != orgID {
			return fmt.Sprintf("流水行 %d（流水号 %s）的单位被改动", l.ID, l.SerialNo)
		}
	}
	return "流水行的日期、金额、收款人、账号、摘要或流水号被绕过系统改动，或流水行被替换"
}

// issuedLetter is what the record of a letter's issue holds: the letter as issued, and the
// repayments asked.
type issuedLetter struct {
	No         string         `json:"no"`
	BatchID    int64          `json:"batch_id"`
	OrgID      int64          `json:"org_id"`
	CreditorID int64          `json:"creditor_id"`
	Total      qingqian.Money `json:"total"`
	Entries    int            `json:"entries"`
	ReplyBy    qingqian.Date  `json:"reply_by"`
	IssuedOn   qingqian.Date  `json:"issued_on"`
	Lines      []issuedLine   `json:"lines"`
	// OnlineReply is whether the letter offered the creditor's online reply (since ADR 32).
	OnlineReply bool `json:"online_reply"`
}

type issuedLine struct {
	EntryID int64          `json:"entry_id"`
	Amount  qingqian.Money `json:"amount"`
}

// verifyLetters checks every confirmation letter, with its lines and its reply, against the
// last audit record that wrote it: the issue (the letter as sent, and since ADR 31 the
// repayments asked), or a reply or resolution (the whole letter as left).
func (db *DB) verifyLetters(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the confirmation letters")
	bad := &lister{rep: rep, more: "另有 %d 份询证函与审计记录不符，未逐一列出"}
	type last struct {
		seq    int64
		issued *issuedLetter
		letter *qingqian.Letter
	}
	trail := map[int64]last{}
	err = auditAfter(ctx, s, func(seq, entityID int64, action string, _, after []byte) error {
		if action == "letter.issue" {
			var v issuedLetter
			if json.Unmarshal(after, &v) != nil {
				bad.add("第 %d 条审计记录（发出询证函）无法读取", seq)
				return nil
			}
			trail[entityID] = last{seq: seq, issued: &v}
			return nil
		}
		l := &qingqian.Letter{}
		if json.Unmarshal(after, l) != nil || l.ID == 0 {
			bad.add("第 %d 条审计记录（%s）无法读取", seq, action)
			return nil
		}
		trail[l.ID] = last{seq: seq, letter: l}
		return nil
	}, "letter.issue", "letter.reply", "letter.resolve", "letter.public_reply")
	if err != nil {
		return err
	}
	var letters []*letterRow
	rows, err := s.tx.QueryContext(ctx, `SELECT `+letterColumns+letterFrom+` ORDER BY l.id`)
	if err != nil {
		return fmt.Errorf("read letters: %w", err)
	}
	for rows.Next() {
		r, err := scanLetter(rows)
		if err != nil {
			rows.Close()
			return err
		}
		letters = append(letters, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(letters); start += 500 {
		if err := db.finishLetters(ctx, s.tx, nil, letters[start:min(start+500, len(letters))]); err != nil {
			return err
		}
	}
	for _, r := range letters {
		rep.Letters++
		t, ok := trail[r.ID]
		delete(trail, r.ID)
		name := fmt.Sprintf("询证函 %d（%s）", r.ID, r.No)
		if !ok {
			bad.add("%s没有发出它的审计记录：绕过系统写入", name)
			continue
		}
		if what := letterAgrees(r.Letter, t.issued, t.letter); what != "" {
			bad.add("%s与最后写入它的审计记录（第 %d 条）不符：%s被绕过系统改动", name, t.seq, what)
		}
	}
	ids := make([]int64, 0, len(trail))
	for id := range trail {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		bad.add("询证函 %d 有审计记录（第 %d 条）而已不在库中：被绕过系统删除", id, trail[id].seq)
	}
	bad.done()
	return nil
}

// letterAgrees compares a letter with the last record that wrote it and says what differs, ""
// when they agree.
func letterAgrees(l *qingqian.Letter, issued *issuedLetter, was *qingqian.Letter) string {
	var diff []string
	check := func(what string, same bool) {
		if !same {
			diff = append(diff, what)
		}
	}
	if issued != nil {
		check("函号", l.No == issued.No)
		check("债权企业", l.CreditorID == issued.CreditorID)
		check("询证金额", l.Total == issued.Total)
		check("回函状态", l.State == qingqian.LetterSent && l.RepliedOn.IsZero() && l.CreditorTotal == 0 && l.FindingState == qingqian.FindingNone)
		check("询证的清偿笔数", len(l.Lines) == issued.Entries)
		if issued.OrgID != 0 { // the record holds the unit, the date and the lines since ADR 31
			check("被询证单位", l.OrgID == issued.OrgID)
			check("发函日期", l.IssuedOn == issued.IssuedOn)
			check("回函期限", l.ReplyBy == issued.ReplyBy)
			check("在线回函", l.OnlineReply == issued.OnlineReply)
			same := len(l.Lines) == len(issued.Lines)
			asked := map[int64]qingqian.Money{}
			for _, x := range issued.Lines {
				asked[x.EntryID] = x.Amount
			}
			for _, x := range l.Lines {
				m, ok := asked[x.EntryID]
				same = same && ok && m == x.Amount && x.CreditorAmount == nil
			}
			check("询证的清偿记录", same)
		}
	} else {
		check("函号", l.No == was.No)
		check("被询证单位", l.OrgID == was.OrgID)
		check("债权企业", l.CreditorID == was.CreditorID)
		check("发函日期", l.IssuedOn == was.IssuedOn)
		check("回函期限", l.ReplyBy == was.ReplyBy)
		check("询证金额", l.Total == was.Total)
		check("回函状态", l.State == was.State)
		check("回函日期", l.RepliedOn == was.RepliedOn)
		check("回函方式", l.ReplyChannel == was.ReplyChannel)
		check("回函说明", l.ReplyNote == was.ReplyNote)
		check("回函扫描件", l.ReplyVoucher == was.ReplyVoucher)
		check("债权人确认金额", l.CreditorTotal == was.CreditorTotal)
		check("登记人", l.RepliedBy == was.RepliedBy)
		check("不符事项", l.FindingState == was.FindingState && l.Resolution == was.Resolution && l.ResolutionRef == was.ResolutionRef &&
			l.ResolutionNote == was.ResolutionNote && l.ResolvedBy == was.ResolvedBy)
		check("版本", l.Version == was.Version)
		same := len(l.Lines) == len(was.Lines)
		byEntry := map[int64]qingqian.LetterLine{}
		for _, x := range was.Lines {
			byEntry[x.EntryID] = x
		}
		for _, x := range l.Lines {
			w, ok := byEntry[x.EntryID]
			same = same && ok && w.Amount == x.Amount && (w.CreditorAmount == nil) == (x.CreditorAmount == nil) &&
				(w.CreditorAmount == nil || *w.CreditorAmount == *x.CreditorAmount)
		}
		check("询证的清偿记录或债权人所述金额", same)
	}
	if len(diff) == 0 {
		return ""
	}
	return strings.Join(diff, "、")
}
