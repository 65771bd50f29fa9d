package sqldb

// Confirmation letters (询证函): selecting the repayments, issuing one letter per debtor unit and
// creditor, and reading them. Replies, findings and the creditor's own reply page are in
// letter_reply.go.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/qingqian/qingqian"
)

// LetterService implements qingqian.LetterService.
type LetterService struct{ db *DB }

// NewLetterService returns the confirmation letters over db.
func NewLetterService(db *DB) *LetterService { return &LetterService{db: db} }

var _ qingqian.LetterService = (*LetterService)(nil)

func letterNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "询证函不存在") }

// canIssue reports whether the actor may issue letters and record replies for its unit: the
// office, or a group's liaison or reviewer for its subtree. A clerk, who records repayments,
// never confirms them.
func canIssue(a *qingqian.Actor) bool {
	return a.CanWrite() && a.Has(qingqian.RoleSupervisor, qingqian.RoleLiaison, qingqian.RoleReviewer)
}

func requireIssuer(ctx context.Context) (*qingqian.Actor, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if !canIssue(a) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有清欠办或集团联络员、审核人可以发出询证函和登记回函")
	}
	return a, nil
}

// codeAlphabet leaves out the letters and digits read one for another (0 O 1 I L).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// letterCode returns a new verification code: 10 characters, about 49 bits.
func letterCode() string {
	var b strings.Builder
	for range 10 {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		b.WriteByte(codeAlphabet[n.Int64()])
	}
	return b.String()
}

// randomSeed returns a seed for a sample when none was given.
func randomSeed() int64 {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	return n.Int64() + 1
}

// candidate is a repayment a selection may ask about.
type candidate struct {
	entryID, itemID, orgID, creditorID int64
	orgPath                            string
	amount                             qingqian.Money
}

// IssueLetters implements qingqian.LetterService.
func (s *LetterService) IssueLetters(ctx context.Context, sel qingqian.LetterSelection) (_ *qingqian.LetterBatch, err error) {
	defer serviceErr(&err, "issue letters")
	a, err := requireIssuer(ctx)
	if err != nil {
		return nil, err
	}
	today := qingqian.DateOf(s.db.Now())
	if err := sel.Validate(today); err != nil {
		return nil, err
	}
	if sel.Mode == qingqian.SelectSample && sel.Seed == 0 {
		sel.Seed = randomSeed()
	}
	b := &qingqian.LetterBatch{}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		// Issues wait for one another from here: the second reads the candidates once the first
		// has committed its letters, and never asks about the same repayment twice.
		if err := tx.lockSeries(ctx, "letter", today.Year()); err != nil {
			return err
		}
		pl, err := tx.planLetters(ctx, a, &sel)
		if err != nil {
			return err
		}
		b.Candidates, b.MaxEntryID = pl.candidates, pl.maxEntryID
		issuerID, scopePath, keys, groups, paths := pl.issuerID, pl.scopePath, pl.keys, pl.groups, pl.paths
		var from, to any
		from, to = dateArg(sel.From), dateArg(sel.To)
		b.ID, err = tx.insertID(ctx, `INSERT INTO letter_batches (issuer_id, org_id, mode, creditor_id, min_amount, sample_size, seed, from_on, to_on, reply_due_on,
			candidates, max_entry_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			issuerID, sel.OrgID, sel.Mode, sel.CreditorID, sel.MinAmount, sel.SampleSize, sel.Seed, from, to, sel.ReplyBy,
			b.Candidates, b.MaxEntryID, a.Name, tx.ts(tx.now))
		if err != nil {
			return fmt.Errorf("insert into letter_batches: %w", err)
		}
		b.Selection, b.CreatedBy, b.CreatedAt = sel, a.Name, tx.now
		year := today.Year()
		var ids []int64
		for _, k := range keys {
			n, err := tx.nextNumber(ctx, "letter", year)
			if err != nil {
				return err
			}
			var total qingqian.Money
			for _, c := range groups[k] {
				total += c.amount
			}
			no := fmt.Sprintf("询证〔%d〕第%04d号", year, n)
			id, err := tx.insertID(ctx, `INSERT INTO letters (batch_id, no, code, issuer_id, org_id, creditor_id, issued_on, reply_due_on, total, state, created_by, created_at,
				online_reply) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, b.ID, no, letterCode(), issuerID, k.org, k.creditor, today, sel.ReplyBy,
				total, qingqian.LetterSent, a.Name, tx.ts(tx.now), sel.OnlineReply)
			if err != nil {
				return fmt.Errorf("insert into letters: %w", err)
			}
			asked := make([]issuedLine, 0, len(groups[k]))
			for _, c := range groups[k] {
				if _, err := tx.ExecContext(ctx, `INSERT INTO letter_lines (letter_id, entry_id, amount) VALUES ($1, $2, $3)`, id, c.entryID, c.amount); isUnique(err) {
					return qingqian.Errorf(qingqian.ECONFLICT, "清偿记录 %d 已由另一份询证函询证，请重新选择", c.entryID)
				} else if err != nil {
					return fmt.Errorf("insert into letter_lines: %w", err)
				}
				asked = append(asked, issuedLine{EntryID: c.entryID, Amount: c.amount})
			}
			// The code is left out of the audit trail: who reads the trail does not reply. The
			// lines are in it, for verify.
			if err := tx.audit(ctx, "letter.issue", "letter", id, paths[k.org], nil, &issuedLetter{No: no, BatchID: b.ID, OrgID: k.org,
				CreditorID: k.creditor, Total: total, Entries: len(groups[k]), ReplyBy: sel.ReplyBy, IssuedOn: today, Lines: asked, OnlineReply: sel.OnlineReply}); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if b.Letters, err = tx.db.lettersByID(ctx, tx, a, ids); err != nil {
			return err
		}
		return tx.audit(ctx, "letter.select", "letter_batch", b.ID, scopePath, nil, b.Selection)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// letterCandidates lists the repayments of the subtree the selection may ask about, in the
// order of their ids: not reversed, not asked before, recorded up to maxID.
func (tx *Tx) letterCandidates(ctx context.Context, sel qingqian.LetterSelection, scopePath string, maxID int64) (_ []candidate, err error) {
	defer wrapErr(&err, "read the repayments to confirm")
	lo, hi := subtreeRange(scopePath)
	var a args
	where := []string{`e.kind = 'repay'`, `o.path >= ` + a.add(lo), `o.path < ` + a.add(hi), `e.id <= ` + a.add(maxID),
		`NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id)`, `NOT EXISTS (SELECT 1 FROM letter_lines ll WHERE ll.entry_id = e.id)`}
	if !sel.From.IsZero() {
		where = append(where, `e.on_date >= `+a.add(sel.From))
	}
	if !sel.To.IsZero() {
		where = append(where, `e.on_date <= `+a.add(sel.To))
	}
	switch sel.Mode {
	case qingqian.SelectCreditor:
		where = append(where, `i.creditor_id = `+a.add(sel.CreditorID))
	case qingqian.SelectAbove:
		where = append(where, `-(e.du + e.dd) >= `+a.add(sel.MinAmount))
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.item_id, i.org_id, i.creditor_id, o.path, -(e.du + e.dd)
		FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY e.id`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.entryID, &c.itemID, &c.orgID, &c.creditorID, &c.orgPath, &c.amount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const letterColumns = `l.id, l.batch_id, l.no, l.code, l.issuer_id, f.name, f.path, l.org_id, o.name, o.path, l.creditor_id, c.name, c.uscc,
	l.issued_on, l.reply_due_on, l.total, l.state, l.replied_on, l.reply_channel, l.reply_note, l.reply_voucher, l.creditor_total, l.replied_by, l.replied_at,
	l.finding_state, l.resolution, l.resolution_ref, l.resolution_note, l.resolved_by, l.resolved_at, l.created_by, l.created_at, l.version, l.online_reply,
	COALESCE((SELECT e.item_id FROM entries e WHERE e.id = l.resolution_ref AND l.resolution <> 'clue'), 0)`

const letterFrom = ` FROM letters l JOIN orgs f ON f.id = l.issuer_id JOIN orgs o ON o.id = l.org_id JOIN creditors c ON c.id = l.creditor_id`

// letterRow is a letter with the paths that decide who reaches it.
type letterRow struct {
	*qingqian.Letter
	issuerPath, orgPath string
}

func scanLetter(row interface{ Scan(...any) error }) (*letterRow, error) {
	l := &qingqian.Letter{Lines: []qingqian.LetterLine{}}
	r := &letterRow{Letter: l}
	err := row.Scan(&l.ID, &l.BatchID, &l.No, &l.Code, &l.IssuerID, &l.IssuerName, &r.issuerPath, &l.OrgID, &l.OrgName, &r.orgPath, &l.CreditorID, &l.CreditorName, &l.CreditorUSCC,
		&l.IssuedOn, &l.ReplyBy, &l.Total, &l.State, optDate{&l.RepliedOn}, &l.ReplyChannel, &l.ReplyNote, &l.ReplyVoucher, &l.CreditorTotal, &l.RepliedBy, timeCol{&l.RepliedAt},
		&l.FindingState, &l.Resolution, &l.ResolutionRef, &l.ResolutionNote, &l.ResolvedBy, timeCol{&l.ResolvedAt}, &l.CreatedBy, timeCol{&l.CreatedAt}, &l.Version, &l.OnlineReply,
		&l.ResolutionItem)
	if err == nil && l.State != qingqian.LetterSent {
		l.Difference = l.Total - l.CreditorTotal
	}
	return r, err
}

// visible reports whether the actor sees the letter: it reaches the debtor unit or the issuer.
func (r *letterRow) visible(a *qingqian.Actor) bool {
	return a.Reaches(r.orgPath) || a.Reaches(r.issuerPath)
}

// issuer reports whether the actor speaks for the unit that issued the letter.
func (r *letterRow) issuer(a *qingqian.Actor) bool {
	return canIssue(a) && a.Reaches(r.issuerPath)
}

// finish reads the lines and derives the marks; the code is kept for the issuer only.
func (db *DB) finishLetters(ctx context.Context, q queryer, a *qingqian.Actor, rows []*letterRow) (err error) {
	defer wrapErr(&err, "read letter lines")
	if len(rows) == 0 {
		return nil
	}
	today := qingqian.DateOf(db.Now())
	byID := map[int64]*qingqian.Letter{}
	var ar args
	var in []string
	for _, r := range rows {
		r.Derive(today)
		if a == nil || !r.issuer(a) {
			r.Code = ""
		}
		byID[r.ID] = r.Letter
		in = append(in, ar.add(r.ID))
	}
	rs, err := q.QueryContext(ctx, `SELECT ll.letter_id, ll.entry_id, e.item_id, e.on_date, ll.amount, e.method, e.voucher_no, ll.creditor_amount
		FROM letter_lines ll JOIN entries e ON e.id = ll.entry_id WHERE ll.letter_id IN (`+strings.Join(in, ", ")+`) ORDER BY ll.letter_id, e.on_date, ll.entry_id`, ar...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var ln qingqian.LetterLine
		var ca sql.NullInt64
		if err := rs.Scan(&id, &ln.EntryID, &ln.ItemID, &ln.On, &ln.Amount, &ln.Method, &ln.VoucherNo, &ca); err != nil {
			return err
		}
		if ca.Valid {
			m := qingqian.Money(ca.Int64)
			ln.CreditorAmount = &m
		}
		byID[id].Lines = append(byID[id].Lines, ln)
	}
	return rs.Err()
}

// lettersByID reads letters the actor may see, in the order of the ids.
func (db *DB) lettersByID(ctx context.Context, q readQueryer, a *qingqian.Actor, ids []int64) ([]*qingqian.Letter, error) {
	out := []*qingqian.Letter{}
	var rows []*letterRow
	for _, id := range ids {
		r, err := scanLetter(q.QueryRowContext(ctx, `SELECT `+letterColumns+letterFrom+` WHERE l.id = $1`, id))
		if err != nil {
			return nil, fmt.Errorf("read letter %d: %w", id, err)
		}
		rows = append(rows, r)
		out = append(out, r.Letter)
	}
	return out, db.finishLetters(ctx, q, a, rows)
}

// FindLetter implements qingqian.LetterService.
func (s *LetterService) FindLetter(ctx context.Context, id int64) (_ *qingqian.Letter, err error) {
	defer serviceErr(&err, "find letter %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanLetter(s.db.read.QueryRowContext(ctx, `SELECT `+letterColumns+letterFrom+` WHERE l.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, letterNotFound()
	} else if err != nil {
		return nil, err
	}
	if !r.visible(a) {
		s.db.securityEvent(ctx, a, "letter", id)
		return nil, letterNotFound()
	}
	return r.Letter, s.db.finishLetters(ctx, s.db.read, a, []*letterRow{r})
}

// FindLetters implements qingqian.LetterService.
func (s *LetterService) FindLetters(ctx context.Context, f qingqian.LetterFilter) (_ []*qingqian.Letter, _ int, err error) {
	defer serviceErr(&err, "find letters")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	var ar args
	where := []string{`((o.path >= ` + ar.add(lo) + ` AND o.path < ` + ar.add(hi) + `) OR (f.path >= $1 AND f.path < $2))`}
	if f.OrgID != 0 {
		path, err := s.db.scopePath(ctx, a, f.OrgID)
		if err != nil {
			return nil, 0, err
		}
		olo, ohi := subtreeRange(path)
		where = append(where, `o.path >= `+ar.add(olo)+` AND o.path < `+ar.add(ohi))
	}
	if f.State != "" {
		where = append(where, `l.state = `+ar.add(f.State))
	}
	if f.Overdue {
		where = append(where, `l.state = 'sent' AND l.reply_due_on < `+ar.add(qingqian.DateOf(s.db.Now())))
	}
	if f.Finding != "" {
		where = append(where, `l.finding_state = `+ar.add(f.Finding))
	}
	if f.BatchID != 0 {
		where = append(where, `l.batch_id = `+ar.add(f.BatchID))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+letterFrom+` WHERE `+w, ar...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count letters: %w", err)
	}
	rs, err := s.db.read.QueryContext(ctx, `SELECT `+letterColumns+letterFrom+` WHERE `+w+` ORDER BY l.id DESC LIMIT `+ar.add(limit(f.Limit))+` OFFSET `+ar.add(max(f.Offset, 0)), ar...)
	if err != nil {
		return nil, 0, fmt.Errorf("read letters: %w", err)
	}
	var rows []*letterRow
	out := []*qingqian.Letter{}
	for rs.Next() {
		r, err := scanLetter(rs)
		if err != nil {
			rs.Close()
			return nil, 0, err
		}
		rows = append(rows, r)
		out = append(out, r.Letter)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.db.finishLetters(ctx, s.db.read, a, rows)
}
