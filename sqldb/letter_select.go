package sqldb

// What a selection of repayments issues, shared by the issue and its preview, and the letters
// that asked about an item's repayments.

import (
	"context"
	"fmt"
	"sort"

	"github.com/qingqian/qingqian"
)

// letterKey is one letter: a debtor unit and a creditor.
type letterKey struct{ org, creditor int64 }

// letterPlan is what a selection issues: the repayments chosen, grouped one letter per debtor
// unit and creditor, in the order of the units' paths.
type letterPlan struct {
	issuerID   int64
	scopePath  string
	candidates int
	maxEntryID int64
	keys       []letterKey
	groups     map[letterKey][]candidate
	paths      map[int64]string
}

// planLetters reads the selection's candidates and chooses among them; sel.OrgID is set to the
// issuer's unit when it was 0.
func (tx *Tx) planLetters(ctx context.Context, a *qingqian.Actor, sel *qingqian.LetterSelection) (_ *letterPlan, err error) {
	issuerID, issuerPath, err := tx.db.actorOrg(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	pl := &letterPlan{issuerID: issuerID, scopePath: issuerPath, groups: map[letterKey][]candidate{}, paths: map[int64]string{}}
	if sel.OrgID == 0 {
		sel.OrgID = issuerID
	} else {
		o, err := tx.findOrg(ctx, sel.OrgID)
		if err != nil && !missing(err) {
			return nil, err
		}
		if err != nil || !a.Reaches(o.Path) {
			if err == nil {
				tx.deny("org", sel.OrgID)
			}
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "单位不存在或不在本单位范围内", Fields: map[string]string{"org_id": "请选择本单位或下级单位"}}
		}
		pl.scopePath = o.Path
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM entries`).Scan(&pl.maxEntryID); err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	cands, err := tx.letterCandidates(ctx, *sel, pl.scopePath, pl.maxEntryID)
	if err != nil {
		return nil, err
	}
	pl.candidates = len(cands)
	chosen := cands
	if sel.Mode == qingqian.SelectSample {
		ids := make([]int64, len(cands))
		byID := map[int64]candidate{}
		for i, c := range cands {
			ids[i], byID[c.entryID] = c.entryID, c
		}
		chosen = nil
		for _, id := range qingqian.Sample(ids, sel.SampleSize, sel.Seed) {
			chosen = append(chosen, byID[id])
		}
	}
	if len(chosen) == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "没有符合条件且尚未询证的清偿记录", Fields: map[string]string{"mode": "没有符合条件的清偿记录"}}
	}
	for _, c := range chosen {
		k := letterKey{c.orgID, c.creditorID}
		if pl.groups[k] == nil {
			pl.keys = append(pl.keys, k)
		}
		pl.groups[k] = append(pl.groups[k], c)
		pl.paths[c.orgID] = c.orgPath
	}
	sort.Slice(pl.keys, func(i, j int) bool {
		ki, kj := pl.keys[i], pl.keys[j]
		if pl.paths[ki.org] != pl.paths[kj.org] {
			return pl.paths[ki.org] < pl.paths[kj.org]
		}
		return ki.creditor < kj.creditor
	})
	return pl, nil
}

// lockSeries takes the counter row of a series and year for the rest of the transaction (on
// PostgreSQL a row lock; SQLite's writer is one at a time already), creating it at 0.
func (tx *Tx) lockSeries(ctx context.Context, series string, year int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO counters (series, year, last) VALUES ($1, $2, 0)
		ON CONFLICT (series, year) DO UPDATE SET last = counters.last`, series, year); err != nil {
		return fmt.Errorf("lock the counter of %s %d: %w", series, year, err)
	}
	return nil
}

// PreviewLetters implements qingqian.LetterService.
func (s *LetterService) PreviewLetters(ctx context.Context, sel qingqian.LetterSelection) (_ *qingqian.LetterPreview, err error) {
	defer serviceErr(&err, "preview letters")
	a, err := requireIssuer(ctx)
	if err != nil {
		return nil, err
	}
	if err := sel.Validate(qingqian.DateOf(s.db.Now())); err != nil {
		return nil, err
	}
	if sel.Mode == qingqian.SelectSample && sel.Seed == 0 {
		sel.Seed = randomSeed()
	}
	pv := &qingqian.LetterPreview{Lines: []qingqian.LetterPreviewLine{}}
	// A write transaction, as the issue's, that writes nothing: the same reads, the same choice.
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		pl, err := tx.planLetters(ctx, a, &sel)
		if err != nil {
			return err
		}
		pv.Selection, pv.Candidates, pv.Letters = sel, pl.candidates, len(pl.keys)
		creditors := map[int64]bool{}
		for _, k := range pl.keys {
			ln := qingqian.LetterPreviewLine{OrgID: k.org, CreditorID: k.creditor, Entries: len(pl.groups[k])}
			for _, c := range pl.groups[k] {
				ln.Amount += c.amount
			}
			if err := tx.QueryRowContext(ctx, `SELECT o.name, c.name FROM orgs o, creditors c WHERE o.id = $1 AND c.id = $2`, k.org, k.creditor).
				Scan(&ln.OrgName, &ln.CreditorName); err != nil {
				return fmt.Errorf("read names: %w", err)
			}
			creditors[k.creditor] = true
			pv.Entries += ln.Entries
			pv.Amount += ln.Amount // repayments each within an item's balance: no overflow
			pv.Lines = append(pv.Lines, ln)
		}
		pv.Creditors = len(creditors)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pv, nil
}

// EntryLetters implements qingqian.LetterService.
func (s *LetterService) EntryLetters(ctx context.Context, itemID int64) (_ map[int64]qingqian.LetterRef, err error) {
	defer serviceErr(&err, "the letters of item %d", itemID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, itemID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT ll.entry_id, l.id, l.no, l.state, l.reply_due_on, l.replied_on
		FROM letter_lines ll JOIN letters l ON l.id = ll.letter_id JOIN entries e ON e.id = ll.entry_id WHERE e.item_id = $1`, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := qingqian.DateOf(s.db.Now())
	out := map[int64]qingqian.LetterRef{}
	for rows.Next() {
		var entryID int64
		l := &qingqian.Letter{}
		if err := rows.Scan(&entryID, &l.ID, &l.No, &l.State, &l.ReplyBy, optDate{&l.RepliedOn}); err != nil {
			return nil, err
		}
		l.Derive(today)
		out[entryID] = qingqian.LetterRef{ID: l.ID, No: l.No, State: l.State, StatusLabel: l.StatusLabel()}
	}
	return out, rows.Err()
}
