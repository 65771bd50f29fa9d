package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// StatementService implements qingqian.StatementService.
type StatementService struct{ db *DB }

// NewStatementService returns the statement service over db.
func NewStatementService(db *DB) *StatementService { return &StatementService{db: db} }

var _ qingqian.StatementService = (*StatementService)(nil)

// matchWindow checks a window asked for; 0 is the default.
func matchWindow(w int) (int, error) {
	if w == 0 {
		return qingqian.DefaultMatchWindow, nil
	}
	if w < 0 || w > qingqian.MaxMatchWindow {
		return 0, &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("日期窗口应为 1 至 %d 天", qingqian.MaxMatchWindow),
			Fields: map[string]string{"window": fmt.Sprintf("应为 1 至 %d 天", qingqian.MaxMatchWindow)}}
	}
	return w, nil
}

// checkLines checks a statement's lines on their own: each cell, and serial numbers given twice.
func checkLines(lines []qingqian.StatementLineInput, res *qingqian.StatementResult, today qingqian.Date) {
	issue := func(l *qingqian.StatementLineInput, field, value, msg string) {
		if len(res.Issues) < qingqian.MaxImportIssues {
			res.Issues = append(res.Issues, qingqian.ImportIssue{Sheet: l.Sheet, Row: l.Row, Field: field, Value: value, Message: msg})
		}
	}
	first := map[string]int{}
	for i := range lines {
		l := &lines[i]
		if l.On.IsZero() {
			issue(l, "on", "", "请填写交易日期")
		} else if l.On.After(today) {
			issue(l, "on", l.On.String(), "交易日期晚于今天（"+today.String()+"），请核对")
		}
		if l.Amount <= 0 {
			issue(l, "amount", l.Amount.String(), "付款金额必须大于零")
		} else if l.Amount > qingqian.MaxAmount {
			issue(l, "amount", l.Amount.String(), "金额超过上限：单笔金额不能超过"+qingqian.MaxAmount.String()+"元")
		}
		if l.PayeeName == "" {
			issue(l, "payee_name", "", "请填写收款人名称")
		} else if len([]rune(l.PayeeName)) > 200 {
			issue(l, "payee_name", l.PayeeName, "收款人名称不能超过200个字")
		}
		if len([]rune(l.PayeeAccount)) > 60 {
			issue(l, "payee_account", l.PayeeAccount, "收款人账号不能超过60个字符")
		}
		if len([]rune(l.Memo)) > 500 {
			issue(l, "memo", l.Memo, "摘要不能超过500个字")
		}
		switch {
		case l.SerialNo == "":
			issue(l, "serial_no", "", "请填写流水号：流水号用于识别重复导入")
		case len([]rune(l.SerialNo)) > 60:
			issue(l, "serial_no", l.SerialNo, "流水号不能超过60个字符")
		default:
			if row, dup := first[l.SerialNo]; dup {
				issue(l, "serial_no", l.SerialNo, fmt.Sprintf("流水号与第 %d 行重复", row))
			} else {
				first[l.SerialNo] = l.Row
			}
		}
	}
}

// ImportStatement implements qingqian.StatementService. The lines are read from the file spooled
// before, by its hash; nothing the caller says about them is taken.
func (s *StatementService) ImportStatement(ctx context.Context, in qingqian.StatementImport) (_ *qingqian.StatementResult, err error) {
	defer serviceErr(&err, "import statement of org %d", in.OrgID)
	a, err := requireKeeper(ctx)
	if err != nil {
		return nil, err
	}
	window, err := matchWindow(in.Window)
	if err != nil {
		return nil, err
	}
	in.FileSHA256 = strings.ToLower(strings.TrimSpace(in.FileSHA256))
	if in.FileSHA256 == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请先上传对账单并预览", Fields: map[string]string{"file": "请先上传对账单"}}
	}
	read, size, err := s.db.readSpooled(in.FileSHA256)
	if err != nil {
		if qingqian.ErrorCode(err) == qingqian.EINVALID && validSHA(in.FileSHA256) {
			// Confirmed twice: the file is no longer waiting because it was imported.
			var id int64
			var at time.Time
			if _, e := s.db.scopePath(ctx, a, in.OrgID); e == nil && s.db.read.QueryRowContext(ctx, `SELECT id, imported_at FROM bank_statements
				WHERE file_sha256 = $1 AND org_id = $2 ORDER BY id LIMIT 1`, in.FileSHA256, in.OrgID).Scan(&id, timeCol{&at}) == nil {
				return nil, qingqian.Errorf(qingqian.ECONFLICT, "该对账单文件已于 %s 导入（第 %d 号对账单），不再重复导入", qingqian.DateOf(at), id)
			}
		}
		return nil, err
	}
	name := cleanFileName(in.FileName, "")
	if name == "" {
		name = cleanFileName(s.db.spooledName(in.FileSHA256), "对账单")
	}
	file := &qingqian.StatementFile{SHA256: in.FileSHA256, Name: name, Size: size}
	res := &qingqian.StatementResult{DryRun: in.DryRun, File: file, Lines: len(read.Lines), Read: read.Lines, Issues: []qingqian.ImportIssue{},
		Warnings: []qingqian.ImportIssue{}, Notes: orNone(read.Notes)}
	if len(read.Issues) > 0 {
		res.Issues = append(res.Issues, read.Issues...)
		return res, nil
	}
	lines := read.Lines
	if len(lines) == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "文件中没有付款流水", Fields: map[string]string{"file": "没有付款流水"}}
	}
	if len(lines) > maxBatch {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("一份对账单最多 %d 行", maxBatch), Fields: map[string]string{"file": "行数过多"}}
	}
	checkLines(lines, res, qingqian.DateOf(s.db.Now()))
	checkOutliers(lines, res)
	if len(res.Warnings) > 0 && !in.DryRun && !in.AcceptOutliers {
		for _, w := range res.Warnings {
			w.Message += "（如确为本对账单的交易，请在预览中勾选“确认导入日期异常的行”）"
			res.Issues = append(res.Issues, w)
		}
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, in.OrgID)
		if err != nil {
			if qingqian.ErrorCode(err) == qingqian.ENOTFOUND {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "单位不存在", Fields: map[string]string{"org_id": "单位不存在"}}
			}
			return err
		}
		if err := tx.knownSerials(ctx, o.ID, lines, res); err != nil {
			return err
		}
		if len(res.Issues) > 0 {
			return errRollback
		}
		st := &qingqian.BankStatement{OrgID: o.ID, OrgName: o.Name, FileName: file.Name, Lines: len(lines), ImportedAt: tx.now, ActorName: tx.actor.Name,
			FileSHA256: file.SHA256}
		for _, l := range lines {
			if st.From.IsZero() || l.On.Before(st.From) {
				st.From = l.On
			}
			if l.On.After(st.To) {
				st.To = l.On
			}
		}
		st.ID, err = tx.insertID(ctx, `INSERT INTO bank_statements (org_id, file_name, lines, from_on, to_on, imported_at, actor_name, file_sha256)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, st.OrgID, st.FileName, st.Lines, st.From, st.To, tx.ts(tx.now), st.ActorName, st.FileSHA256)
		if err != nil {
			return fmt.Errorf("insert into bank_statements: %w", err)
		}
		stored := make([]qingqian.StatementLine, 0, len(lines))
		for _, l := range lines {
			id, err := tx.insertID(ctx, `INSERT INTO statement_lines (statement_id, org_id, row_no, on_date, amount, payee_name, payee_account, memo, serial_no)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, st.ID, o.ID, l.Row, l.On, l.Amount, l.PayeeName, l.PayeeAccount, l.Memo, l.SerialNo)
			if isUnique(err) {
				return qingqian.Errorf(qingqian.ECONFLICT, "流水号 %s 已导入过", l.SerialNo)
			} else if err != nil {
				return fmt.Errorf("insert into statement_lines: %w", err)
			}
			stored = append(stored, qingqian.StatementLine{ID: id, StatementID: st.ID, OrgID: o.ID, Row: l.Row, On: l.On, Amount: l.Amount,
				PayeeName: l.PayeeName, PayeeAccount: l.PayeeAccount, Memo: l.Memo, SerialNo: l.SerialNo})
		}
		st.LinesDigest = linesDigest(stored)
		if _, err := tx.ExecContext(ctx, `UPDATE bank_statements SET lines_digest = $1 WHERE id = $2`, st.LinesDigest, st.ID); err != nil {
			return fmt.Errorf("update bank_statements: %w", err)
		}
		res.Statement = st
		if err := tx.audit(ctx, "statement.import", "statement", st.ID, o.Path, nil, st); err != nil {
			return err
		}
		if res.Matched, err = tx.matchUnit(ctx, o, window); err != nil {
			return err
		}
		if in.DryRun {
			return errRollback
		}
		return tx.keepStatementFile(ctx, file)
	})
	if err != nil && !errors.Is(err, errRollback) {
		return nil, err
	}
	if in.DryRun || len(res.Issues) > 0 {
		res.Statement = nil
	} else {
		res.Read = nil
		os.Remove(s.db.spoolPath(file.SHA256))
		os.Remove(s.db.spoolPath(file.SHA256) + nameSuffix)
	}
	return res, nil
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// earliestLine is the earliest date a bank line can have: before it, a date is a slip (a year
// typed as 1900, a date cell read as a serial number).
var earliestLine = qingqian.MustParseDate("1990-01-01")

// outlierDays is the gap between a statement's dates past which lines stand apart: a year,
// which no account leaves without a payment in a statement a bank exports at once.
const outlierDays = 366

// checkOutliers refuses a line dated before earliestLine, and warns of the lines that stand
// apart from the statement's body: its dates, in order, split where two follow each other more
// than outlierDays apart, and the lines outside the largest group (the latest of equals) are
// named. Such a date would stretch the statement's period, and with it the repayments said to
// have no bank line.
func checkOutliers(lines []qingqian.StatementLineInput, res *qingqian.StatementResult) {
	var dates []qingqian.Date
	for i := range lines {
		l := &lines[i]
		if l.On.IsZero() {
			continue
		}
		if l.On.Before(earliestLine) {
			if len(res.Issues) < qingqian.MaxImportIssues {
				res.Issues = append(res.Issues, qingqian.ImportIssue{Sheet: l.Sheet, Row: l.Row, Field: "on", Value: l.On.String(),
					Message: "交易日期早于" + earliestLine.String() + "，不是可信的银行流水日期，请核对"})
			}
			continue
		}
		dates = append(dates, l.On)
	}
	if len(dates) < 2 {
		return
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	lo, hi := 0, 0 // the largest group, dates[lo:hi+1]
	for start, i := 0, 1; i <= len(dates); i++ {
		if i == len(dates) || dates[i].Sub(dates[i-1]) > outlierDays {
			if i-start >= hi-lo+1 {
				lo, hi = start, i-1
			}
			start = i
		}
	}
	from, to := dates[lo], dates[hi]
	for i := range lines {
		l := &lines[i]
		if l.On.IsZero() || l.On.Before(earliestLine) || (!l.On.Before(from) && !l.On.After(to)) {
			continue
		}
		if len(res.Warnings) < qingqian.MaxImportIssues {
			res.Warnings = append(res.Warnings, qingqian.ImportIssue{Sheet: l.Sheet, Row: l.Row, Field: "on", Value: l.On.String(),
				Message: fmt.Sprintf("交易日期与本对账单其余各行（%s 至 %s）相隔一年以上，会拉长对账单覆盖的期间，请核对", from, to)})
		}
	}
}

// linesDigest is the SHA-256 over a statement's lines, in the order of their ids: what the audit
// record of the import holds and verify recomputes.
func linesDigest(lines []qingqian.StatementLine) string {
	h := sha256.New()
	for _, l := range lines {
		fmt.Fprintf(h, "%d\t%d\t%d\t%d\t%s\t%d\t%q\t%q\t%q\t%q\n", l.ID, l.StatementID, l.OrgID, l.Row, l.On, int64(l.Amount),
			l.PayeeName, l.PayeeAccount, l.Memo, l.SerialNo)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// knownSerials adds an issue for each line whose serial number the unit already imported.
func (tx *Tx) knownSerials(ctx context.Context, orgID int64, lines []qingqian.StatementLineInput, res *qingqian.StatementResult) error {
	for start := 0; start < len(lines); start += 500 {
		var q args
		org := q.add(orgID)
		var in []string
		for _, l := range lines[start:min(start+500, len(lines))] {
			in = append(in, q.add(l.SerialNo))
		}
		rows, err := tx.QueryContext(ctx, `SELECT serial_no FROM statement_lines WHERE org_id = `+org+` AND serial_no IN (`+strings.Join(in, ", ")+`)`, q...)
		if err != nil {
			return fmt.Errorf("read statement_lines: %w", err)
		}
		known := map[string]bool{}
		for rows.Next() {
			var sn string
			if err := rows.Scan(&sn); err != nil {
				rows.Close()
				return err
			}
			known[sn] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range lines[start:min(start+500, len(lines))] {
			if known[l.SerialNo] && len(res.Issues) < qingqian.MaxImportIssues {
				res.Issues = append(res.Issues, qingqian.ImportIssue{Sheet: l.Sheet, Row: l.Row, Field: "serial_no", Value: l.SerialNo,
					Message: "该流水号已导入过（重复的对账单行）"})
			}
		}
	}
	return nil
}

// payeeKey reduces a payee's or a creditor's name to what identifies it: no spaces, one kind
// of brackets.
func payeeKey(name string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "(", "（", ")", "）").Replace(strings.TrimSpace(name))
}

// MatchStatements implements qingqian.StatementService.
func (s *StatementService) MatchStatements(ctx context.Context, orgID int64, window int) (n int, err error) {
	defer serviceErr(&err, "match statements of org %d", orgID)
	a, err := requireKeeper(ctx)
	if err != nil {
		return 0, err
	}
	if window, err = matchWindow(window); err != nil {
		return 0, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, orgID)
		if err != nil {
			return err
		}
		n, err = tx.matchUnit(ctx, o, window)
		return err
	})
	return n, err
}

// matchUnit matches a unit's unmatched lines with its unmatched repayments: the same amount, a
// date within the window, a payee that is the repayment's creditor (by name, or by an account
// already matched to that creditor). Each repayment, earliest first, takes the nearest line.
func (tx *Tx) matchUnit(ctx context.Context, o *qingqian.Org, window int) (int, error) {
	rc, err := tx.db.reconcileData(ctx, tx, o.ID, window)
	if err != nil {
		return 0, err
	}
	used := map[int64]bool{}
	var pairs [][2]int64
	for _, p := range rc.unproven {
		var best *qingqian.StatementLine
		for _, l := range rc.free {
			if used[l.ID] || l.Amount != p.Amount || l.CreditorID != p.CreditorID {
				continue
			}
			d := abs(l.On.Sub(p.On))
			if d > window {
				continue
			}
			if best == nil || d < abs(best.On.Sub(p.On)) {
				best = l
			}
		}
		if best != nil {
			used[best.ID] = true
			pairs = append(pairs, [2]int64{best.ID, p.EntryID})
		}
	}
	for _, pr := range pairs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO repayment_lines (line_id, entry_id, manual, matched_at, actor_name) VALUES ($1, $2, 0, $3, $4)`,
			pr[0], pr[1], tx.ts(tx.now), tx.actor.Name); err != nil {
			return 0, fmt.Errorf("insert into repayment_lines: %w", err)
		}
	}
	if len(pairs) > 0 {
		if err := tx.audit(ctx, "statement.match", "org", o.ID, o.Path, nil, map[string]any{"window": window, "pairs": pairs}); err != nil {
			return 0, err
		}
	}
	return len(pairs), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// reachLine reads a statement line for a write if the actor's subtree holds its unit.
func (tx *Tx) reachLine(ctx context.Context, id int64) (*qingqian.StatementLine, string, error) {
	l := &qingqian.StatementLine{}
	var path string
	err := tx.QueryRowContext(ctx, `SELECT l.id, l.statement_id, l.org_id, l.row_no, l.on_date, l.amount, l.payee_name, l.payee_account, l.memo,
		l.serial_no, COALESCE(m.entry_id, 0), o.path FROM statement_lines l JOIN orgs o ON o.id = l.org_id
		LEFT JOIN repayment_lines m ON m.line_id = l.id WHERE l.id = $1`, id).Scan(&l.ID, &l.StatementID, &l.OrgID, &l.Row, &l.On, &l.Amount,
		&l.PayeeName, &l.PayeeAccount, &l.Memo, &l.SerialNo, &l.EntryID, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", qingqian.Errorf(qingqian.ENOTFOUND, "对账单行不存在")
	} else if err != nil {
		return nil, "", fmt.Errorf("read statement line %d: %w", id, err)
	}
	if !tx.actor.Reaches(path) {
		tx.deny("statement_line", id)
		return nil, "", qingqian.Errorf(qingqian.ENOTFOUND, "对账单行不存在")
	}
	return l, path, nil
}

// MatchLine implements qingqian.StatementService.
func (s *StatementService) MatchLine(ctx context.Context, lineID, entryID int64, reason string) (err error) {
	defer serviceErr(&err, "match line %d with entry %d", lineID, entryID)
	a, err := requireKeeper(ctx)
	if err != nil {
		return err
	}
	if len([]rune(reason)) > 500 {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "说明不能超过500个字", Fields: map[string]string{"reason": "说明不能超过500个字"}}
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		l, path, err := tx.reachLine(ctx, lineID)
		if err != nil {
			return err
		}
		if l.EntryID != 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "该对账单行已证明另一笔清偿，请先解除")
		}
		e, err := tx.db.entryByID(ctx, tx, entryID)
		if err != nil && !missing(err) {
			return err
		}
		var orgID int64
		if err == nil {
			err = tx.QueryRowContext(ctx, `SELECT org_id FROM items WHERE id = $1`, e.ItemID).Scan(&orgID)
			if err != nil {
				return fmt.Errorf("read item: %w", err)
			}
		}
		if e == nil || orgID != l.OrgID {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "清偿记录不存在或不属于该对账单的单位", Fields: map[string]string{"entry_id": "清偿记录不存在"}}
		}
		if e.Kind != qingqian.EntryRepay || e.ReversedByID != 0 {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "只能匹配未冲正的清偿记录", Fields: map[string]string{"entry_id": "不是未冲正的清偿记录"}}
		}
		if -e.Amount() != l.Amount {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("金额不一致：对账单行 %s 元，清偿记录 %s 元", l.Amount, -e.Amount()),
				Fields: map[string]string{"entry_id": "金额不一致"}}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO repayment_lines (line_id, entry_id, manual, matched_at, actor_name) VALUES ($1, $2, 1, $3, $4)`,
			l.ID, e.ID, tx.ts(tx.now), tx.actor.Name)
		if isUnique(err) {
			return qingqian.Errorf(qingqian.ECONFLICT, "该清偿记录已有对账单行佐证，请先解除")
		} else if err != nil {
			return fmt.Errorf("insert into repayment_lines: %w", err)
		}
		if err := tx.samePayee(ctx, l, e); err != nil {
			return err // the row just written goes with the transaction
		}
		return tx.audit(ctx, "statement.match_line", "item", e.ItemID, path, nil, map[string]any{"line_id": l.ID, "serial_no": l.SerialNo, "entry_id": e.ID, "reason": reason})
	})
}

// samePayee checks that a line paid the repayment's creditor: its payee is the creditor's name,
// or its account is one a line already matched to that creditor was paid to.
func (tx *Tx) samePayee(ctx context.Context, l *qingqian.StatementLine, e *qingqian.Entry) error {
	var creditorID int64
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT c.id, c.name FROM items i JOIN creditors c ON c.id = i.creditor_id WHERE i.id = $1`, e.ItemID).
		Scan(&creditorID, &name); err != nil {
		return fmt.Errorf("read creditor: %w", err)
	}
	if payeeKey(l.PayeeName) == payeeKey(name) {
		return nil
	}
	if l.PayeeAccount != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM statement_lines x JOIN repayment_lines m ON m.line_id = x.id
			JOIN entries me ON me.id = m.entry_id JOIN items mi ON mi.id = me.item_id
			WHERE x.org_id = $1 AND x.payee_account = $2 AND mi.creditor_id = $3 AND x.id <> $4`, l.OrgID, l.PayeeAccount, creditorID, l.ID).Scan(&n); err != nil {
			return fmt.Errorf("read matched accounts: %w", err)
		}
		if n > 0 {
			return nil
		}
	}
	account := ""
	if l.PayeeAccount != "" {
		account = "（账号 " + l.PayeeAccount + "）"
	}
	msg := fmt.Sprintf("收款人不一致：对账单行的收款人为“%s”%s，清偿记录的债权企业为“%s”，该行不能佐证这笔清偿", l.PayeeName, account, name)
	return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"entry_id": "收款人与债权企业不一致"}}
}

// UnmatchLine implements qingqian.StatementService.
func (s *StatementService) UnmatchLine(ctx context.Context, lineID int64, reason string) (err error) {
	defer serviceErr(&err, "unmatch line %d", lineID)
	a, err := requireKeeper(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		l, path, err := tx.reachLine(ctx, lineID)
		if err != nil {
			return err
		}
		if reason == "" || len([]rune(reason)) > 500 {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "请说明解除匹配的原因（不超过500个字）", Fields: map[string]string{"reason": "请说明原因"}}
		}
		if l.EntryID == 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "该对账单行没有匹配的清偿记录")
		}
		var itemID int64
		if err := tx.QueryRowContext(ctx, `SELECT item_id FROM entries WHERE id = $1`, l.EntryID).Scan(&itemID); err != nil {
			return fmt.Errorf("read entry: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM repayment_lines WHERE line_id = $1`, l.ID); err != nil {
			return fmt.Errorf("delete from repayment_lines: %w", err)
		}
		return tx.audit(ctx, "statement.unmatch_line", "item", itemID, path, map[string]any{"line_id": l.ID, "serial_no": l.SerialNo, "entry_id": l.EntryID},
			map[string]any{"reason": reason})
	})
}

// sortProofs orders repayments by date, then id.
func sortProofs(ps []*qingqian.RepaymentProof) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].On != ps[j].On {
			return ps[i].On.Before(ps[j].On)
		}
		return ps[i].EntryID < ps[j].EntryID
	})
}
