package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/qingqian/qingqian"
)

// DisclosureService implements qingqian.DisclosureService.
type DisclosureService struct{ db *DB }

// NewDisclosureService returns the disclosure service over db.
func NewDisclosureService(db *DB) *DisclosureService { return &DisclosureService{db: db} }

var _ qingqian.DisclosureService = (*DisclosureService)(nil)

const disclosureColumns = `d.id, d.org_id, o.name, d.year, d.has_overdue, d.count, d.amount, d.note, d.computed_count, d.computed_amount,
	d.contradicted, d.state, d.prepared_by, d.signed_by, d.signed_at, d.version, o.path`

func scanDisclosure(row interface{ Scan(...any) error }) (*qingqian.Disclosure, string, error) {
	d := &qingqian.Disclosure{}
	var path string
	err := row.Scan(&d.ID, &d.OrgID, &d.OrgName, &d.Year, &d.HasOverdue, &d.Count, &d.Amount, &d.Note, &d.ComputedCount, &d.ComputedAmount,
		&d.Contradicted, &d.State, &d.PreparedBy, &d.SignedBy, timeCol{&d.SignedAt}, &d.Version, &path)
	return d, path, err
}

func disclosureNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "年度公示不存在") }

// overdueAtYearEnd counts the contracts with SMEs of the subtree of path that had payables
// overdue and unpaid at the end of year, and their unpaid amount.
func (tx *Tx) overdueAtYearEnd(ctx context.Context, path string, year int) (n int, amount qingqian.Money, err error) {
	end := qingqian.NewDate(year, 12, 31)
	lo, hi := subtreeRange(path)
	err = tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT pp.contract_id), CAST(COALESCE(SUM(pp.amount), 0) AS BIGINT)
		FROM payable_parts pp JOIN contracts k ON k.id = pp.contract_id JOIN orgs o ON o.id = pp.org_id
		WHERE o.path >= $1 AND o.path < $2 AND k.supplier_size IN ('micro', 'small', 'medium')
		AND pp.due_on < $3 AND pp.start_on <= $3 AND (pp.paid_on IS NULL OR pp.paid_on > $3)
		AND (pp.held_from IS NULL OR pp.held_from > $3 OR pp.held_to <= $3)`, lo, hi, end).Scan(&n, &amount)
	return n, amount, err
}

// PrepareDisclosure implements qingqian.DisclosureService.
func (s *DisclosureService) PrepareDisclosure(ctx context.Context, d *qingqian.Disclosure) (err error) {
	defer serviceErr(&err, "prepare the disclosure of org %d for %d", d.OrgID, d.Year)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, d.OrgID)
		if err != nil {
			return err
		}
		var id int64
		var state string
		err = tx.QueryRowContext(ctx, `SELECT id, state FROM disclosures WHERE org_id = $1 AND year = $2`, d.OrgID, d.Year).Scan(&id, &state)
		switch {
		case err == nil && state == string(qingqian.DisclosureSigned):
			return qingqian.Errorf(qingqian.ECONFLICT, "%d年度公示已签发，不能修改", d.Year)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if d.ComputedCount, d.ComputedAmount, err = tx.overdueAtYearEnd(ctx, o.Path, d.Year); err != nil {
			return err
		}
		d.OrgName, d.State, d.PreparedBy = o.Name, qingqian.DisclosureDraft, a.Name
		d.Contradicted = d.Contradiction() != ""
		if id == 0 {
			d.Version = 1
			d.ID, err = tx.insertID(ctx, `INSERT INTO disclosures (org_id, year, has_overdue, count, amount, note, computed_count, computed_amount, contradicted, state, prepared_by, version)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, 1)`, d.OrgID, d.Year, d.HasOverdue, d.Count, d.Amount, d.Note, d.ComputedCount, d.ComputedAmount, d.Contradicted, a.Name)
		} else {
			d.ID = id
			err = tx.QueryRowContext(ctx, `UPDATE disclosures SET has_overdue = $1, count = $2, amount = $3, note = $4, computed_count = $5, computed_amount = $6,
				contradicted = $7, prepared_by = $8, version = version + 1 WHERE id = $9 RETURNING version`,
				d.HasOverdue, d.Count, d.Amount, d.Note, d.ComputedCount, d.ComputedAmount, d.Contradicted, a.Name, id).Scan(&d.Version)
		}
		if err != nil {
			return err
		}
		return tx.audit(ctx, "disclosure.prepare", "disclosure", d.ID, o.Path, nil, d)
	})
}

// SignDisclosure implements qingqian.DisclosureService.
func (s *DisclosureService) SignDisclosure(ctx context.Context, id int64, version int) (_ *qingqian.Disclosure, err error) {
	defer serviceErr(&err, "sign disclosure %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Disclosure
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		d, path, err := scanDisclosure(tx.QueryRowContext(ctx, `SELECT `+disclosureColumns+` FROM disclosures d JOIN orgs o ON o.id = d.org_id WHERE d.id = $1`+tx.db.d.forUpdateOf("d"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return disclosureNotFound()
		} else if err != nil {
			return err
		}
		if !a.Reaches(path) {
			tx.deny("disclosure", id)
			return disclosureNotFound()
		}
		if d.State == qingqian.DisclosureSigned {
			return qingqian.Errorf(qingqian.ECONFLICT, "已签发")
		}
		if d.Version != version {
			return staleVersion()
		}
		d.State, d.SignedBy, d.SignedAt, d.Version = qingqian.DisclosureSigned, a.Name, tx.now, d.Version+1
		if _, err := tx.ExecContext(ctx, `UPDATE disclosures SET state = 'signed', signed_by = $1, signed_at = $2, version = $3 WHERE id = $4`,
			a.Name, tx.ts(tx.now), d.Version, id); err != nil {
			return err
		}
		out = d
		return tx.audit(ctx, "disclosure.sign", "disclosure", id, path, nil, d)
	})
	return out, err
}

// FindDisclosureByID implements qingqian.DisclosureService.
func (s *DisclosureService) FindDisclosureByID(ctx context.Context, id int64) (_ *qingqian.Disclosure, err error) {
	defer serviceErr(&err, "find disclosure %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	d, path, err := scanDisclosure(s.db.read.QueryRowContext(ctx, `SELECT `+disclosureColumns+` FROM disclosures d JOIN orgs o ON o.id = d.org_id WHERE d.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, disclosureNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "disclosure", id)
		return nil, disclosureNotFound()
	}
	return d, nil
}

// FindDisclosures implements qingqian.DisclosureService.
func (s *DisclosureService) FindDisclosures(ctx context.Context, year int) (_ []*qingqian.Disclosure, err error) {
	defer serviceErr(&err, "find disclosures")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+disclosureColumns+` FROM disclosures d JOIN orgs o ON o.id = d.org_id
		WHERE o.path >= $1 AND o.path < $2 AND ($3 = 0 OR d.year = $3) ORDER BY d.year DESC, o.path`, lo, hi, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.Disclosure{}
	for rows.Next() {
		d, _, err := scanDisclosure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
