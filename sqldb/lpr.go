package sqldb

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/payrules"
)

// LPRService implements qingqian.LPRService.
type LPRService struct{ db *DB }

// NewLPRService returns the LPR service over db.
func NewLPRService(db *DB) *LPRService { return &LPRService{db: db} }

var _ qingqian.LPRService = (*LPRService)(nil)

// seedLPR loads the shipped publications (payrules/lpr.csv).
func seedLPR(ctx context.Context, tx *Tx) error {
	return tx.setLPR(ctx, payrules.ShippedLPR())
}

func (tx *Tx) setLPR(ctx context.Context, rates []qingqian.LPR) (err error) {
	defer wrapErr(&err, "write the LPR")
	for _, r := range rates {
		if _, err := tx.ExecContext(ctx, `DELETE FROM lpr_rates WHERE published_on = $1`, r.Published); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO lpr_rates (published_on, one_year, five_year, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			r.Published, r.OneYear.Micro, r.FiveYear.Micro, tx.actor.Name, tx.ts(tx.now)); err != nil {
			return err
		}
	}
	return nil
}

// lpr reads the whole table (a dozen rows a year).
func (db *DB) lpr(ctx context.Context, q queryer) (_ qingqian.LPRTable, err error) {
	defer wrapErr(&err, "read the LPR")
	rows, err := q.QueryContext(ctx, `SELECT published_on, one_year, five_year FROM lpr_rates ORDER BY published_on`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := qingqian.LPRTable{}
	for rows.Next() {
		var r qingqian.LPR
		if err := rows.Scan(&r.Published, &r.OneYear.Micro, &r.FiveYear.Micro); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindLPR implements qingqian.LPRService.
func (s *LPRService) FindLPR(ctx context.Context) (_ qingqian.LPRTable, err error) {
	defer serviceErr(&err, "find the LPR")
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	}
	return s.db.lpr(ctx, s.db.read)
}

// SetLPR implements qingqian.LPRService. The payables of every contract signed on or after the
// first changed publication are recomputed, since their rate floor may have moved.
func (s *LPRService) SetLPR(ctx context.Context, rates []qingqian.LPR) (err error) {
	defer serviceErr(&err, "set the LPR")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以录入LPR")
	}
	if len(rates) == 0 {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "没有读到任何LPR", Fields: map[string]string{"lpr": "请填写公布日期和利率"}}
	}
	v := qingqian.Validation{}
	first := rates[0].Published
	for _, r := range rates {
		if r.Published.IsZero() || r.OneYear.Micro <= 0 || r.FiveYear.Micro <= 0 || r.OneYear.PerDay || r.FiveYear.PerDay {
			v.Add("lpr", fmt.Sprintf("%s 的LPR不完整", r.Published))
		}
		if r.Published.Before(first) {
			first = r.Published
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		if err := tx.setLPR(ctx, rates); err != nil {
			return err
		}
		n, err := tx.recomputeContractsSignedFrom(ctx, first)
		if err != nil {
			return err
		}
		return tx.audit(ctx, "lpr.set", "lpr", 0, a.OrgPath, nil, map[string]any{"rates": rates, "contracts_recomputed": n})
	})
}
