package sqldb

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
)

// reconciliation is what matching and the reconciliation page need of a unit: its statements,
// its repayments with and without a line, and its lines not matched (each with the creditor its
// payee was recognised as, if any).
type reconciliation struct {
	statements []*qingqian.BankStatement
	matched    []*qingqian.RepaymentProof
	unproven   []*qingqian.RepaymentProof
	free       []*qingqian.StatementLine
}

// reconcileData reads a unit's statements, lines and repayments through q. The repayments that
// want a line are the standing ones paid through a bank (transfers, and bills honoured at
// maturity) dated within the statements' dates (widened by the window); cash and offsets are
// not looked for. A repayment matched by hand counts whatever its method.
func (db *DB) reconcileData(ctx context.Context, q queryer, orgID int64, window int) (_ *reconciliation, err error) {
	defer wrapErr(&err, "reconcile org %d", orgID)
	rc := &reconciliation{statements: []*qingqian.BankStatement{}}
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.org_id, o.name, s.file_name, s.lines, s.from_on, s.to_on, s.imported_at, s.actor_name,
		s.file_sha256, s.lines_digest FROM bank_statements s JOIN orgs o ON o.id = s.org_id WHERE s.org_id = $1 ORDER BY s.id`, orgID)
	if err != nil {
		return nil, err
	}
	var lo, hi qingqian.Date
	for rows.Next() {
		s := &qingqian.BankStatement{}
		if err := rows.Scan(&s.ID, &s.OrgID, &s.OrgName, &s.FileName, &s.Lines, &s.From, &s.To, timeCol{&s.ImportedAt}, &s.ActorName,
			&s.FileSHA256, &s.LinesDigest); err != nil {
			rows.Close()
			return nil, err
		}
		if lo.IsZero() || s.From.Before(lo) {
			lo = s.From
		}
		if s.To.After(hi) {
			hi = s.To
		}
		rc.statements = append(rc.statements, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(rc.statements) == 0 {
		return rc, err
	}
	lo, hi = lo.AddDays(-window), hi.AddDays(window)

	creditors := map[string]int64{}
	names := map[int64]string{}
	rows, err = q.QueryContext(ctx, `SELECT DISTINCT c.id, c.name FROM items i JOIN creditors c ON c.id = i.creditor_id WHERE i.org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return nil, err
		}
		creditors[payeeKey(name)], names[id] = id, name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	byEntry := map[int64]*qingqian.RepaymentProof{}
	rows, err = q.QueryContext(ctx, `SELECT e.id, e.item_id, i.no, o.id, o.name, c.id, c.name, e.on_date, e.du + e.dd, e.method, e.voucher_no,
		COALESCE(m.line_id, 0)
		FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id JOIN creditors c ON c.id = i.creditor_id
		LEFT JOIN repayment_lines m ON m.entry_id = e.id
		WHERE i.org_id = $1 AND e.kind = $2 AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id)
		AND (m.line_id IS NOT NULL OR (e.method IN ($3, $4, $5) AND e.on_date >= $6 AND e.on_date <= $7))`,
		orgID, qingqian.EntryRepay, qingqian.MethodTransfer, qingqian.MethodBill, qingqian.MethodReceivable, lo, hi)
	if err != nil {
		return nil, err
	}
	lineOf := map[int64]int64{}
	for rows.Next() {
		p := &qingqian.RepaymentProof{}
		var line int64
		if err := rows.Scan(&p.EntryID, &p.ItemID, &p.ItemNo, &p.OrgID, &p.OrgName, &p.CreditorID, &p.CreditorName, &p.On, &p.Amount, &p.Method,
			&p.VoucherNo, &line); err != nil {
			rows.Close()
			return nil, err
		}
		p.Amount = -p.Amount
		byEntry[p.EntryID] = p
		if line != 0 {
			lineOf[line] = p.EntryID
			rc.matched = append(rc.matched, p)
		} else {
			rc.unproven = append(rc.unproven, p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT l.id, l.statement_id, l.org_id, l.row_no, l.on_date, l.amount, l.payee_name, l.payee_account, l.memo,
		l.serial_no, COALESCE(m.entry_id, 0), COALESCE(m.manual, 0)
		FROM statement_lines l LEFT JOIN repayment_lines m ON m.line_id = l.id WHERE l.org_id = $1 ORDER BY l.on_date, l.id`, orgID)
	if err != nil {
		return nil, err
	}
	var lines []*qingqian.StatementLine
	accounts := map[string]int64{}
	for rows.Next() {
		l := &qingqian.StatementLine{}
		var manual int64
		if err := rows.Scan(&l.ID, &l.StatementID, &l.OrgID, &l.Row, &l.On, &l.Amount, &l.PayeeName, &l.PayeeAccount, &l.Memo, &l.SerialNo,
			&l.EntryID, &manual); err != nil {
			rows.Close()
			return nil, err
		}
		l.Manual = manual != 0
		if p := byEntry[l.EntryID]; p != nil {
			p.Line = l
			l.CreditorID, l.CreditorName = p.CreditorID, p.CreditorName
			if l.PayeeAccount != "" {
				accounts[l.PayeeAccount] = p.CreditorID
			}
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, l := range lines {
		if l.EntryID != 0 {
			continue
		}
		if id, ok := creditors[payeeKey(l.PayeeName)]; ok {
			l.CreditorID = id
		} else if id, ok := accounts[l.PayeeAccount]; ok && l.PayeeAccount != "" {
			l.CreditorID = id
		}
		l.CreditorName = names[l.CreditorID]
		rc.free = append(rc.free, l)
	}
	sortProofs(rc.matched)
	sortProofs(rc.unproven)
	return rc, nil
}

// Reconcile implements qingqian.StatementService.
func (s *StatementService) Reconcile(ctx context.Context, orgID int64, window int) (_ *qingqian.Reconciliation, err error) {
	defer serviceErr(&err, "reconcile org %d", orgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if window, err = matchWindow(window); err != nil {
		return nil, err
	}
	if orgID == 0 {
		orgID = a.OrgID
	}
	if _, err := s.db.scopePath(ctx, a, orgID); err != nil {
		return nil, err
	}
	var name string
	if err := s.db.read.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, orgID).Scan(&name); err != nil {
		return nil, fmt.Errorf("read org: %w", err)
	}
	rc, err := s.db.reconcileData(ctx, s.db.read, orgID, window)
	if err != nil {
		return nil, err
	}
	out := &qingqian.Reconciliation{OrgID: orgID, OrgName: name, Window: window, Statements: rc.statements,
		Matched: orEmpty(rc.matched), Unproven: orEmpty(rc.unproven), UnmatchedLines: []*qingqian.StatementLine{}}
	for _, p := range rc.unproven {
		out.UnprovenAmount += p.Amount
	}
	for _, l := range rc.free {
		if l.CreditorID == 0 {
			out.OtherLines++
			continue
		}
		out.UnmatchedLines = append(out.UnmatchedLines, l)
		out.UnmatchedAmount += l.Amount
	}
	return out, nil
}

func orEmpty(ps []*qingqian.RepaymentProof) []*qingqian.RepaymentProof {
	if ps == nil {
		return []*qingqian.RepaymentProof{}
	}
	return ps
}

// RepaymentsWithoutLine implements qingqian.StatementService.
func (s *StatementService) RepaymentsWithoutLine(ctx context.Context, orgID int64) (_ []*qingqian.RepaymentProof, err error) {
	defer serviceErr(&err, "repayments without line under org %d", orgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(scope)
	rows, err := s.db.read.QueryContext(ctx, `SELECT DISTINCT s.org_id FROM bank_statements s JOIN orgs o ON o.id = s.org_id
		WHERE o.path >= $1 AND o.path < $2 ORDER BY s.org_id`, lo, hi)
	if err != nil {
		return nil, err
	}
	var units []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		units = append(units, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []*qingqian.RepaymentProof{}
	for _, u := range units {
		rc, err := s.db.reconcileData(ctx, s.db.read, u, qingqian.DefaultMatchWindow)
		if err != nil {
			return nil, err
		}
		out = append(out, rc.unproven...)
	}
	return out, nil
}

// FindStatementLines implements qingqian.StatementService.
func (s *StatementService) FindStatementLines(ctx context.Context, itemID int64) (_ map[int64]*qingqian.StatementLine, err error) {
	defer serviceErr(&err, "statement lines of item %d", itemID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, itemID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT l.id, l.statement_id, l.org_id, l.row_no, l.on_date, l.amount, l.payee_name, l.payee_account,
		l.memo, l.serial_no, m.entry_id, m.manual FROM repayment_lines m JOIN statement_lines l ON l.id = m.line_id
		JOIN entries e ON e.id = m.entry_id WHERE e.item_id = $1`, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*qingqian.StatementLine{}
	for rows.Next() {
		l := &qingqian.StatementLine{}
		var manual int64
		if err := rows.Scan(&l.ID, &l.StatementID, &l.OrgID, &l.Row, &l.On, &l.Amount, &l.PayeeName, &l.PayeeAccount, &l.Memo, &l.SerialNo,
			&l.EntryID, &manual); err != nil {
			return nil, err
		}
		l.Manual = manual != 0
		out[l.EntryID] = l
	}
	return out, rows.Err()
}
