package sqldb

import (
	"context"

	"github.com/qingqian/qingqian"
)

// PlanService implements qingqian.PlanService.
type PlanService struct{ db *DB }

// NewPlanService returns the plan service over db.
func NewPlanService(db *DB) *PlanService { return &PlanService{db: db} }

var _ qingqian.PlanService = (*PlanService)(nil)

// RevisePlan implements qingqian.PlanService.
func (s *PlanService) RevisePlan(ctx context.Context, itemID int64, in qingqian.PlanInput) (*qingqian.Plan, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Plan
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachItem(ctx, itemID)
		if err != nil {
			return err
		}
		var latest int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(revision), 0) FROM plan_revisions WHERE item_id = $1`, itemID).Scan(&latest); err != nil {
			return err
		}
		if in.BaseRevision != latest {
			return qingqian.Errorf(qingqian.ECONFLICT, "清偿计划已被他人调整（当前为第%d版），请刷新后重试", latest)
		}
		if err := in.Validate(r.ArisenOn, r.Balance.Outstanding); err != nil {
			return err
		}
		p := &qingqian.Plan{ItemID: itemID, Revision: latest + 1, Reason: in.Reason, ActorName: a.Name, CreatedAt: tx.now, Instalments: in.Instalments}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_revisions (item_id, revision, reason, actor_name, created_at) VALUES ($1, $2, $3, $4, $5)`,
			itemID, p.Revision, p.Reason, p.ActorName, tx.ts(tx.now)); err != nil {
			if isUnique(err) {
				return qingqian.Errorf(qingqian.ECONFLICT, "清偿计划已被他人调整，请刷新后重试")
			}
			return err
		}
		for i, inst := range p.Instalments {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_instalments (item_id, revision, seq, due_on, amount, funding_source, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				itemID, p.Revision, i+1, inst.Due, inst.Amount, inst.FundingSource, inst.Note); err != nil {
				return err
			}
		}
		out = p
		return tx.audit(ctx, "plan.revise", "item", itemID, r.path, nil, p)
	})
	return out, err
}

// FindPlans implements qingqian.PlanService.
func (s *PlanService) FindPlans(ctx context.Context, itemID int64) ([]*qingqian.Plan, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, itemID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT revision, reason, actor_name, created_at FROM plan_revisions WHERE item_id = $1 ORDER BY revision DESC`, itemID)
	if err != nil {
		return nil, qingqian.Internal(err)
	}
	plans := []*qingqian.Plan{}
	byRev := map[int]*qingqian.Plan{}
	for rows.Next() {
		p := &qingqian.Plan{ItemID: itemID, Instalments: []qingqian.Instalment{}}
		if err := rows.Scan(&p.Revision, &p.Reason, &p.ActorName, timeCol{&p.CreatedAt}); err != nil {
			rows.Close()
			return nil, qingqian.Internal(err)
		}
		plans = append(plans, p)
		byRev[p.Revision] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, qingqian.Internal(err)
	}
	irows, err := s.db.read.QueryContext(ctx, `SELECT revision, due_on, amount, funding_source, note FROM plan_instalments WHERE item_id = $1 ORDER BY revision, seq`, itemID)
	if err != nil {
		return nil, qingqian.Internal(err)
	}
	defer irows.Close()
	for irows.Next() {
		var rev int
		var in qingqian.Instalment
		if err := irows.Scan(&rev, &in.Due, &in.Amount, &in.FundingSource, &in.Note); err != nil {
			return nil, qingqian.Internal(err)
		}
		if p := byRev[rev]; p != nil {
			p.Instalments = append(p.Instalments, in)
		}
	}
	if err := irows.Err(); err != nil {
		return nil, qingqian.Internal(err)
	}
	return plans, nil
}
