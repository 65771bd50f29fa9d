package sqldb

// Reporting periods (报送期次): opened by the clearance office, numbered 第N期, with a deadline.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qingqian/qingqian"
)

func periodNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "报送期次不存在") }

const periodColumns = `p.id, p.org_id, o.name, o.path, p.no, p.kind, p.title, p.starts_on, p.as_of, p.deadline, p.note, p.created_by, p.created_at`

func (db *DB) scanPeriod(row interface{ Scan(...any) error }) (*qingqian.Period, string, error) {
	p := &qingqian.Period{}
	var path string
	err := row.Scan(&p.ID, &p.OrgID, &p.OrgName, &path, &p.No, &p.Kind, &p.Title, &p.StartsOn, &p.AsOf, &p.Deadline, &p.Note, &p.CreatedBy, timeCol{&p.CreatedAt})
	return p, path, err
}

// period reads a period the actor may see, with the path of its office.
func (db *DB) period(ctx context.Context, q rowQueryer, a *qingqian.Actor, where string, arg any) (_ *qingqian.Period, _ string, err error) {
	defer wrapErr(&err, "read period")
	p, path, err := db.scanPeriod(q.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM periods p JOIN orgs o ON o.id = p.org_id WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", periodNotFound()
	} else if err != nil {
		return nil, "", err
	}
	if !related(a, path) {
		return nil, "", periodNotFound()
	}
	return p, path, nil
}

// OpenPeriod implements qingqian.ReportService.
func (s *ReportService) OpenPeriod(ctx context.Context, p *qingqian.Period) (err error) {
	defer serviceErr(&err, "open a period")
	a, err := requireOffice(ctx, "开启报送期次")
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error { return tx.openPeriod(ctx, p) })
}

func (tx *Tx) openPeriod(ctx context.Context, p *qingqian.Period) (err error) {
	defer wrapErr(&err, "open period %d", p.No)
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	orgID, path, err := tx.db.actorOrg(ctx, tx, tx.actor)
	if err != nil {
		return err
	}
	p.OrgID = orgID
	if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, orgID).Scan(&p.OrgName); err != nil {
		return fmt.Errorf("read orgs: %w", err)
	}
	if p.No == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(MAX(no), 0) + 1 AS BIGINT) FROM periods WHERE org_id = $1`, orgID).Scan(&p.No); err != nil {
			return fmt.Errorf("read periods: %w", err)
		}
	}
	if p.Title == "" {
		p.Title = p.DefaultTitle()
	}
	p.CreatedBy, p.CreatedAt = tx.actor.Name, tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO periods (org_id, no, kind, title, starts_on, as_of, deadline, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		p.OrgID, p.No, p.Kind, p.Title, p.StartsOn, p.AsOf, p.Deadline, p.Note, p.CreatedBy, tx.ts(tx.now)).Scan(&p.ID)
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: fmt.Sprintf("第%d期已经存在", p.No), Fields: map[string]string{"no": "期次号已存在"}}
	} else if err != nil {
		return fmt.Errorf("insert into periods: %w", err)
	}
	return tx.audit(ctx, "period.open", "period", p.ID, path, nil, p)
}

// GeneratePeriods implements qingqian.ReportService.
func (s *ReportService) GeneratePeriods(ctx context.Context, sc qingqian.Schedule) (_ []*qingqian.Period, err error) {
	defer serviceErr(&err, "generate periods")
	a, err := requireOffice(ctx, "开启报送期次")
	if err != nil {
		return nil, err
	}
	ps, err := sc.Periods()
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		for _, p := range ps {
			if err := tx.openPeriod(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// FindPeriods implements qingqian.ReportService.
func (s *ReportService) FindPeriods(ctx context.Context, f qingqian.PeriodFilter) (_ []*qingqian.Period, _ int, err error) {
	defer serviceErr(&err, "find periods")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	var q args
	lo, hi := subtreeRange(a.OrgPath)
	// Periods of offices in the actor's subtree, or of an office above the actor.
	where := `((o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi) + `) OR substr(` + q.add(a.OrgPath) + `, 1, length(o.path)) = o.path)`
	if f.Kind != "" {
		where += ` AND p.kind = ` + q.add(string(f.Kind))
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM periods p JOIN orgs o ON o.id = p.org_id WHERE `+where, q...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("read periods: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+periodColumns+` FROM periods p JOIN orgs o ON o.id = p.org_id WHERE `+where+
		` ORDER BY p.as_of DESC, p.no DESC LIMIT `+q.add(limit)+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*qingqian.Period
	for rows.Next() {
		p, _, err := s.db.scanPeriod(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// FindPeriod implements qingqian.ReportService.
func (s *ReportService) FindPeriod(ctx context.Context, id int64) (_ *qingqian.Period, err error) {
	defer serviceErr(&err, "find period %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	p, _, err := s.db.period(ctx, s.db.read, a, `p.id = $1`, id)
	return p, err
}

// FindPeriodByNo implements qingqian.ReportService: the number is that of the actor's office,
// or of the office above it.
func (s *ReportService) FindPeriodByNo(ctx context.Context, no int) (_ *qingqian.Period, err error) {
	defer serviceErr(&err, "find period no. %d", no)
	ps, _, err := s.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.No == no {
			return p, nil
		}
	}
	return nil, qingqian.Errorf(qingqian.ENOTFOUND, "第%d期不存在", no)
}
