package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// CreditorService implements qingqian.CreditorService.
type CreditorService struct{ db *DB }

// NewCreditorService returns the creditor service over db.
func NewCreditorService(db *DB) *CreditorService { return &CreditorService{db: db} }

var _ qingqian.CreditorService = (*CreditorService)(nil)

const creditorColumns = `c.id, c.name, c.uscc, c.ownership, c.size, c.size_declared_on, c.size_evidence, c.region, c.version, c.created_at, c.updated_at`

func scanCreditor(row interface{ Scan(...any) error }) (*qingqian.Creditor, error) {
	c := &qingqian.Creditor{}
	err := row.Scan(&c.ID, &c.Name, &c.USCC, &c.Ownership, &c.Size, &c.SizeDeclaredOn, &c.SizeEvidence, &c.Region,
		&c.Version, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

func creditorNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "债权企业不存在") }

func usccTaken() error {
	return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该统一社会信用代码的债权企业已存在", Fields: map[string]string{"uscc": "已存在相同信用代码的企业"}}
}

// CreateCreditor implements qingqian.CreditorService.
func (s *CreditorService) CreateCreditor(ctx context.Context, c *qingqian.Creditor) (err error) {
	defer serviceErr(&err, "create creditor %s", c.USCC)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		return tx.createCreditor(ctx, c)
	})
}

func (tx *Tx) createCreditor(ctx context.Context, c *qingqian.Creditor) (err error) {
	defer wrapErr(&err, "create creditor %s", c.USCC)
	c.Version, c.CreatedAt, c.UpdatedAt = 1, tx.now, tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO creditors (name, uscc, ownership, size, size_declared_on, size_evidence, region, search, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id`,
		c.Name, c.USCC, c.Ownership, c.Size, c.SizeDeclaredOn, c.SizeEvidence, c.Region, searchText(c.Name, c.USCC), tx.ts(tx.now)).Scan(&c.ID)
	if isUnique(err) {
		return usccTaken()
	} else if err != nil {
		return fmt.Errorf("insert into creditors: %w", err)
	}
	return tx.audit(ctx, "creditor.create", "creditor", c.ID, "/", nil, c)
}

// creditorFor is the one rule for a creditor named by its USCC with an item, a complaint clue or
// an imported ledger row (see qingqian.CreditorService): the creditor registered with that code,
// or else c registered in the transaction, as a private firm unless c gives the ownership, and
// only with a name. Field errors are named as the input names them, "creditor_name" and so on.
// created reports a new creditor.
func (tx *Tx) creditorFor(ctx context.Context, c qingqian.Creditor) (cr *qingqian.Creditor, created bool, err error) {
	defer wrapErr(&err, "creditor %s", c.USCC)
	c.Normalize()
	c.Name = strings.TrimSpace(c.Name)
	cr, err = scanCreditor(tx.QueryRowContext(ctx, `SELECT `+creditorColumns+` FROM creditors c WHERE c.uscc = $1`, c.USCC))
	if err == nil {
		return cr, false, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	if c.Ownership == "" {
		c.Ownership = qingqian.OwnershipPrivate
	}
	if c.Name == "" && qingqian.CheckUSCC(c.USCC) == "" {
		msg := "该信用代码的债权企业尚未登记，请填写企业名称"
		return nil, false, &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"creditor_name": msg}}
	}
	if err := c.Validate(); err != nil {
		return nil, false, prefixed(err, "creditor_")
	}
	if err := tx.createCreditor(ctx, &c); err != nil {
		return nil, false, err
	}
	return &c, true, nil
}

// prefixed renames the fields of a validation error (a creditor's "name" is the clue's
// "creditor_name").
func prefixed(err error, prefix string) error {
	var e *qingqian.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &qingqian.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		out.Fields[prefix+k] = v
	}
	return out
}

// FindCreditorByID implements qingqian.CreditorService.
func (s *CreditorService) FindCreditorByID(ctx context.Context, id int64) (_ *qingqian.Creditor, err error) {
	defer serviceErr(&err, "find creditor %d", id)
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	}
	c, err := scanCreditor(s.db.read.QueryRowContext(ctx, `SELECT `+creditorColumns+` FROM creditors c WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, creditorNotFound()
	} else if err != nil {
		return nil, err
	}
	return c, nil
}

// FindCreditors implements qingqian.CreditorService.
func (s *CreditorService) FindCreditors(ctx context.Context, f qingqian.CreditorFilter) (_ []*qingqian.Creditor, _ int, err error) {
	defer serviceErr(&err, "find creditors")
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, 0, err
	}
	var q args
	where := ` WHERE 1 = 1`
	if f.Query != "" {
		where += ` AND c.search LIKE ` + q.add(likePattern(f.Query)) + ` ESCAPE '\'`
	}
	if f.USCC != "" {
		where += ` AND c.uscc = ` + q.add(qingqian.NormalizeUSCC(f.USCC))
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM creditors c`+where, q...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("read creditors: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+creditorColumns+` FROM creditors c`+where+` ORDER BY c.id LIMIT `+q.add(limit(f.Limit))+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*qingqian.Creditor
	for rows.Next() {
		c, err := scanCreditor(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// UpdateCreditor implements qingqian.CreditorService.
func (s *CreditorService) UpdateCreditor(ctx context.Context, id int64, upd qingqian.CreditorUpdate) (_ *qingqian.Creditor, err error) {
	defer serviceErr(&err, "update creditor %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Creditor
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		c, err := scanCreditor(tx.QueryRowContext(ctx, `SELECT `+creditorColumns+` FROM creditors c WHERE c.id = $1`+s.db.d.forUpdate, id))
		if errors.Is(err, sql.ErrNoRows) {
			return creditorNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the creditor: %w", err)
		}
		if c.Version != upd.Version {
			return staleVersion()
		}
		before := *c
		if upd.Name != nil {
			c.Name = *upd.Name
		}
		if upd.Ownership != nil {
			c.Ownership = *upd.Ownership
		}
		if upd.Size != nil {
			c.Size = *upd.Size
		}
		if upd.SizeDeclaredOn != nil {
			c.SizeDeclaredOn = *upd.SizeDeclaredOn
		}
		if upd.SizeEvidence != nil {
			c.SizeEvidence = *upd.SizeEvidence
		}
		if upd.Region != nil {
			c.Region = *upd.Region
		}
		if err := c.Validate(); err != nil {
			return err
		}
		c.Version++
		c.UpdatedAt = tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE creditors SET name = $1, ownership = $2, size = $3, size_declared_on = $4, size_evidence = $5,
			region = $6, search = $7, version = $8, updated_at = $9 WHERE id = $10`,
			c.Name, c.Ownership, c.Size, c.SizeDeclaredOn, c.SizeEvidence, c.Region, searchText(c.Name, c.USCC), c.Version, tx.ts(tx.now), c.ID); err != nil {
			return fmt.Errorf("update creditors: %w", err)
		}
		out = c
		return tx.audit(ctx, "creditor.update", "creditor", c.ID, "/", before, c)
	})
	return out, err
}
