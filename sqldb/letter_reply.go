package sqldb

// Replies to confirmation letters: recorded by the issuer from the paper reply (its scan a
// voucher), or given by the creditor itself with the letter's number and code; the finding a
// disputed reply opens and its resolution; the repaid amounts by reply.

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// changeLetter runs fn on a letter the actor may see, locked, at the expected version; it bumps
// the version, writes the audit record and returns the letter as it is afterwards.
func (s *LetterService) changeLetter(ctx context.Context, a *qingqian.Actor, id int64, version int, action string, fn func(tx *Tx, r *letterRow) error) (*qingqian.Letter, error) {
	var out *qingqian.Letter
	err := s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := scanLetter(tx.QueryRowContext(ctx, `SELECT `+letterColumns+letterFrom+` WHERE l.id = $1`+tx.db.d.forUpdateOf("l"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return letterNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the letter: %w", err)
		}
		if !r.visible(a) {
			tx.deny("letter", id)
			return letterNotFound()
		}
		if err := tx.db.finishLetters(ctx, tx, a, []*letterRow{r}); err != nil {
			return err
		}
		if version >= 0 && r.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该询证函已被他人处理（版本 %d，当前 %d），请刷新后再操作", version, r.Version)
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE letters SET version = version + 1 WHERE id = $1`, id); err != nil {
			return fmt.Errorf("update letters: %w", err)
		}
		ls, err := tx.db.lettersByID(ctx, tx, a, []int64{id})
		if err != nil {
			return err
		}
		out = ls[0]
		after := *out
		after.Code = ""
		return tx.audit(ctx, "letter."+action, "letter", id, r.orgPath, nil, &after)
	})
	return out, err
}

// writeReply records a reply on a locked letter.
func (tx *Tx) writeReply(ctx context.Context, r *letterRow, in qingqian.ReplyInput, channel qingqian.ReplyChannel, by string) error {
	if r.State != qingqian.LetterSent {
		return qingqian.Errorf(qingqian.ECONFLICT, "该询证函已于%s回函（%s），不能再次登记", r.RepliedOn, r.State.Label())
	}
	if err := in.Validate(r.Letter, qingqian.DateOf(tx.now)); err != nil {
		return err
	}
	creditorTotal := r.Total
	finding := qingqian.FindingNone
	if in.Result == qingqian.LetterDisputed {
		finding = qingqian.FindingOpen
		for _, ln := range r.Lines {
			if m, ok := in.Amounts[ln.EntryID]; ok {
				creditorTotal += m - ln.Amount
				if _, err := tx.ExecContext(ctx, `UPDATE letter_lines SET creditor_amount = $1 WHERE letter_id = $2 AND entry_id = $3`, m, r.ID, ln.EntryID); err != nil {
					return fmt.Errorf("update letter_lines: %w", err)
				}
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE letters SET state = $1, replied_on = $2, reply_channel = $3, reply_note = $4, reply_voucher = $5,
		creditor_total = $6, replied_by = $7, replied_at = $8, finding_state = $9 WHERE id = $10`,
		in.Result, in.RepliedOn, channel, in.Note, in.Voucher, creditorTotal, by, tx.ts(tx.now), finding, r.ID); err != nil {
		return fmt.Errorf("update letters: %w", err)
	}
	return nil
}

// RecordReply implements qingqian.LetterService. Only the unit that issued the letter records
// its reply, and only with the scanned reply: the debtor does not confirm its own repayments.
func (s *LetterService) RecordReply(ctx context.Context, id int64, in qingqian.ReplyInput) (_ *qingqian.Letter, err error) {
	defer serviceErr(&err, "record the reply to letter %d", id)
	a, err := requireIssuer(ctx)
	if err != nil {
		return nil, err
	}
	in.Voucher = strings.ToLower(strings.TrimSpace(in.Voucher))
	return s.changeLetter(ctx, a, id, in.Version, "reply", func(tx *Tx, r *letterRow) error {
		if !r.issuer(a) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有发函单位可以登记回函")
		}
		bad := &qingqian.Error{Code: qingqian.EINVALID, Message: "请上传回函扫描件", Fields: map[string]string{"voucher": "请上传回函扫描件"}}
		if in.Voucher == "" {
			return bad
		}
		if !validSHA(in.Voucher) {
			return bad
		}
		ok, err := visible(ctx, tx, a, in.Voucher)
		if err != nil {
			return err
		}
		if !ok {
			bad.Message, bad.Fields["voucher"] = "回函扫描件不存在或无权使用", "回函扫描件不存在"
			return bad
		}
		return tx.writeReply(ctx, r, in, qingqian.ReplyByOffice, a.Name)
	})
}

// ResolveFinding implements qingqian.LetterService.
func (s *LetterService) ResolveFinding(ctx context.Context, id int64, in qingqian.ResolveInput) (_ *qingqian.Letter, err error) {
	defer serviceErr(&err, "resolve the finding of letter %d", id)
	a, err := requireIssuer(ctx)
	if err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	return s.changeLetter(ctx, a, id, in.Version, "resolve", func(tx *Tx, r *letterRow) error {
		if !r.issuer(a) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有发函单位可以处理回函差异")
		}
		if r.FindingState != qingqian.FindingOpen {
			return qingqian.Errorf(qingqian.ECONFLICT, "该询证函没有待处理的差异")
		}
		v := qingqian.Validation{}
		if _, ok := qingqian.ResolutionNames[in.Resolution]; !ok {
			v.Add("resolution", "请选择处理方式：冲正、更正金额或转投诉举报线索")
		}
		if in.Ref <= 0 {
			v.Add("ref", "请填写关联记录的编号")
		}
		if len([]rune(in.Note)) > 2000 {
			v.Add("note", "说明不能超过2000个字")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.checkResolution(ctx, r, in); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE letters SET finding_state = $1, resolution = $2, resolution_ref = $3, resolution_note = $4, resolved_by = $5, resolved_at = $6 WHERE id = $7`,
			qingqian.FindingResolved, in.Resolution, in.Ref, in.Note, a.Name, tx.ts(tx.now), r.ID)
		return err
	})
}

// checkResolution checks the record a resolution links: a reversal of one of the letter's
// repayments, an entry on one of its items recorded after the reply, or a clue of its creditor.
func (tx *Tx) checkResolution(ctx context.Context, r *letterRow, in qingqian.ResolveInput) error {
	bad := func(msg string) error {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"ref": msg}}
	}
	entries, items := map[int64]bool{}, map[int64]bool{}
	for _, ln := range r.Lines {
		entries[ln.EntryID], items[ln.ItemID] = true, true
	}
	switch in.Resolution {
	case qingqian.ResolveClue:
		var creditor int64
		err := tx.QueryRowContext(ctx, `SELECT creditor_id FROM clues WHERE id = $1`, in.Ref).Scan(&creditor)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && creditor != r.CreditorID) {
			return bad(fmt.Sprintf("线索 %d 不存在或不是本函债权人的线索", in.Ref))
		}
		return err
	default:
		e, err := tx.db.entryByID(ctx, tx, in.Ref)
		if missing(err) {
			return bad(fmt.Sprintf("记录 %d 不存在", in.Ref))
		} else if err != nil {
			return err
		}
		if in.Resolution == qingqian.ResolveReversal {
			if e.Kind != qingqian.EntryReversal || !entries[e.ReversesID] {
				return bad(fmt.Sprintf("记录 %d 不是对本函所列清偿的冲正", in.Ref))
			}
			return nil
		}
		if !items[e.ItemID] || !e.RecordedAt.After(r.RepliedAt) {
			return bad(fmt.Sprintf("记录 %d 不是回函后在本函所列台账条目上登记的更正记录", in.Ref))
		}
		return nil
	}
}

// Confirmations implements qingqian.LetterService.
func (s *LetterService) Confirmations(ctx context.Context, orgID int64, asOf qingqian.Date) (_ *qingqian.Confirmations, err error) {
	defer serviceErr(&err, "sum the confirmations")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	_, path, err := s.db.signalScope(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	return s.db.confirmations(ctx, s.db.read, path, asOf)
}

// confirmations sums the repayments of the subtree dated up to asOf and not reversed by then,
// by what their creditors replied: those on letters confirmed or disputed from the letters'
// lines (a repayment is asked once), all of them from the running totals (ADR 38), the rest
// unconfirmed. Only the repayments asked about are read.
func (db *DB) confirmations(ctx context.Context, q queryer, path string, asOf qingqian.Date) (_ *qingqian.Confirmations, err error) {
	defer wrapErr(&err, "sum the repayments by reply")
	all, err := db.subtreeRepayments(ctx, q, path, asOf)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(path)
	rows, err := q.QueryContext(ctx, `SELECT l.state, COUNT(*), COALESCE(SUM(-(e.du + e.dd)), 0)
		FROM letters l JOIN letter_lines ll ON ll.letter_id = l.id JOIN entries e ON e.id = ll.entry_id
		JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE l.state IN ('confirmed', 'disputed') AND e.kind = 'repay' AND e.on_date <= $1 AND o.path >= $2 AND o.path < $3
		AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id AND r.on_date <= $1)
		GROUP BY l.state`, asOf, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &qingqian.Confirmations{}
	for rows.Next() {
		var state string
		var n int
		var m qingqian.Money
		if err := rows.Scan(&state, &n, &m); err != nil {
			return nil, err
		}
		switch qingqian.LetterState(state) {
		case qingqian.LetterConfirmed:
			c.Confirmed, c.ConfirmedCount = m, n
		case qingqian.LetterDisputed:
			c.Disputed, c.DisputedCount = m, n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.Unconfirmed = all.amount - c.Confirmed - c.Disputed
	c.UnconfirmedCount = all.n - c.ConfirmedCount - c.DisputedCount
	return c, nil
}

// letterSource is the key a creditor's attempts count under: the address, apart from its
// sign-ins, so that guessing codes from an address stops that address's guessing alone.
func letterSource(ctx context.Context) string {
	if src := qingqian.SourceFrom(ctx); src != "" {
		return "letter " + src
	}
	return ""
}

// publicLetter finds the letter by number and code for a creditor without an account. A wrong
// pair, or an unknown number, counts against the address as a failed sign-in does.
func (s *LetterService) publicLetter(ctx context.Context, no, code string) (*letterRow, error) {
	source := letterSource(ctx)
	wrong := qingqian.Errorf(qingqian.ENOTFOUND, "函号或校验码不正确")
	now := s.db.Now()
	if source != "" {
		var until time.Time
		err := s.db.read.QueryRowContext(ctx, `SELECT locked_until FROM login_sources WHERE source = $1`, source).Scan(timeCol{&until})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("read login_sources: %w", err)
		}
		if now.Before(until) {
			return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "尝试次数过多，请%d分钟后再试", int(until.Sub(now).Minutes())+1)
		}
	}
	no, code = strings.TrimSpace(no), strings.ToUpper(strings.TrimSpace(code))
	var r *letterRow
	var err error
	if no != "" && len(no) <= 100 {
		r, err = scanLetter(s.db.read.QueryRowContext(ctx, `SELECT `+letterColumns+letterFrom+` WHERE l.no = $1`, no))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	want := "-"
	if r != nil {
		want = r.Code
	}
	if r == nil || subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		pol, err := s.db.securityPolicy(ctx)
		if err != nil {
			return nil, err
		}
		anon := &qingqian.Actor{Name: "询证函在线回复", OrgPath: "/"}
		if err := s.db.inTx(context.WithoutCancel(ctx), anon, func(tx *Tx) error {
			if err := tx.sourceFailed(ctx, source, pol); err != nil {
				return err
			}
			return tx.audit(ctx, "letter.public_failed", "letter", 0, "/", nil, map[string]any{"no": no})
		}); err != nil {
			return nil, err
		}
		return nil, wrong
	}
	if err := s.db.finishLetters(ctx, s.db.read, nil, []*letterRow{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// forCreditor keeps what the creditor's page shows: the letter, never who handles it inside.
func forCreditor(l *qingqian.Letter) *qingqian.Letter {
	c := *l
	c.Code, c.ReplyVoucher, c.RepliedBy, c.CreatedBy = "", "", "", ""
	c.Resolution, c.ResolutionRef, c.ResolutionItem, c.ResolutionNote, c.ResolvedBy, c.ResolvedAt = "", 0, 0, "", "", time.Time{}
	c.FindingState = qingqian.FindingNone
	lines := make([]qingqian.LetterLine, len(l.Lines))
	for i, ln := range l.Lines {
		ln.ItemID = 0
		lines[i] = ln
	}
	c.Lines = lines
	return &c
}

// PublicLetter implements qingqian.LetterService.
func (s *LetterService) PublicLetter(ctx context.Context, no, code string) (_ *qingqian.Letter, err error) {
	defer serviceErr(&err, "find a letter by its number")
	r, err := s.publicLetter(ctx, no, code)
	if err != nil {
		return nil, err
	}
	return forCreditor(r.Letter), nil
}

// PublicReply implements qingqian.LetterService.
func (s *LetterService) PublicReply(ctx context.Context, no, code string, in qingqian.ReplyInput) (_ *qingqian.Letter, err error) {
	defer serviceErr(&err, "record a creditor's reply")
	r, err := s.publicLetter(ctx, no, code)
	if err != nil {
		return nil, err
	}
	in.Voucher = "" // a creditor uploads nothing: its reply is the record
	if in.RepliedOn.IsZero() {
		in.RepliedOn = qingqian.DateOf(s.db.Now())
	}
	by := "债权人：" + r.CreditorName
	a := &qingqian.Actor{Name: by, OrgPath: r.orgPath}
	l, err := s.changeLetter(ctx, a, r.ID, in.Version, "public_reply", func(tx *Tx, r *letterRow) error {
		return tx.writeReply(ctx, r, in, qingqian.ReplyByCreditor, by)
	})
	if err != nil {
		return nil, err
	}
	return forCreditor(l), nil
}
