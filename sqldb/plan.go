package sqldb

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
)

// PlanService implements qingqian.PlanService.
type PlanService struct{ db *DB }

// NewPlanService returns the plan service over db.
func NewPlanService(db *DB) *PlanService { return &PlanService{db: db} }

var _ qingqian.PlanService = (*PlanService)(nil)

// RevisePlan implements qingqian.PlanService.
func (s *PlanService) RevisePlan(ctx context.Context, itemID int64, in qingqian.PlanInput) (_ *qingqian.Plan, err error) {
	defer serviceErr(&err, "revise the plan of item %d", itemID)
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
		latest, err := tx.latestRevision(ctx, itemID)
		if err != nil {
			return err
		}
		if in.BaseRevision != latest {
			return qingqian.Errorf(qingqian.ECONFLICT, "清偿计划已被他人调整（当前为第%d版），请刷新后重试", latest)
		}
		out, err = tx.revisePlan(ctx, r, latest, in)
		return err
	})
	return out, err
}

func (tx *Tx) latestRevision(ctx context.Context, itemID int64) (_ int, err error) {
	defer wrapErr(&err, "latest plan revision")
	var latest int
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(revision), 0) FROM plan_revisions WHERE item_id = $1`, itemID).Scan(&latest)
	return latest, err
}

// revisePlan validates and writes revision latest+1 of an item's plan.
func (tx *Tx) revisePlan(ctx context.Context, r *itemRow, latest int, in qingqian.PlanInput) (_ *qingqian.Plan, err error) {
	defer wrapErr(&err, "write plan revision %d", latest+1)
	if err := in.Validate(r.ArisenOn, r.Balance.Outstanding); err != nil {
		return nil, err
	}
	p := &qingqian.Plan{ItemID: r.ID, Revision: latest + 1, Reason: in.Reason, ActorName: tx.actor.Name, CreatedAt: tx.now, Instalments: in.Instalments}
	if _, err := tx.ExecContext(ctx, `INSERT INTO plan_revisions (item_id, revision, reason, actor_name, created_at) VALUES ($1, $2, $3, $4, $5)`,
		r.ID, p.Revision, p.Reason, p.ActorName, tx.ts(tx.now)); err != nil {
		return nil, fmt.Errorf("insert into plan_revisions: %w", err)
	}
	for i, inst := range p.Instalments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plan_instalments (item_id, revision, seq, due_on, amount, funding_source, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			r.ID, p.Revision, i+1, inst.Due, inst.Amount, inst.FundingSource, inst.Note); err != nil {
			return nil, fmt.Errorf("insert into plan_instalments: %w", err)
		}
	}
	return p, tx.audit(ctx, "plan.revise", "item", r.ID, r.path, nil, p)
}

// instalments returns the instalments of one revision.
func (tx *Tx) instalments(ctx context.Context, itemID int64, revision int) (_ []qingqian.Instalment, err error) {
	defer wrapErr(&err, "instalments of plan revision %d", revision)
	rows, err := tx.QueryContext(ctx, `SELECT due_on, amount, funding_source, note FROM plan_instalments WHERE item_id = $1 AND revision = $2 ORDER BY seq`, itemID, revision)
	if err != nil {
		return nil, fmt.Errorf("read plan_instalments: %w", err)
	}
	defer rows.Close()
	var out []qingqian.Instalment
	for rows.Next() {
		var in qingqian.Instalment
		if err := rows.Scan(&in.Due, &in.Amount, &in.FundingSource, &in.Note); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// FindPlans implements qingqian.PlanService.
func (s *PlanService) FindPlans(ctx context.Context, itemID int64) (_ []*qingqian.Plan, err error) {
	defer serviceErr(&err, "find the plans of item %d", itemID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, itemID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT revision, reason, actor_name, created_at FROM plan_revisions WHERE item_id = $1 ORDER BY revision DESC`, itemID)
	if err != nil {
		return nil, fmt.Errorf("read plan_revisions: %w", err)
	}
	plans := []*qingqian.Plan{}
	byRev := map[int]*qingqian.Plan{}
	for rows.Next() {
		p := &qingqian.Plan{ItemID: itemID, Instalments: []qingqian.Instalment{}}
		if err := rows.Scan(&p.Revision, &p.Reason, &p.ActorName, timeCol{&p.CreatedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		plans = append(plans, p)
		byRev[p.Revision] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	irows, err := s.db.read.QueryContext(ctx, `SELECT revision, due_on, amount, funding_source, note FROM plan_instalments WHERE item_id = $1 ORDER BY revision, seq`, itemID)
	if err != nil {
		return nil, fmt.Errorf("read plan_instalments: %w", err)
	}
	defer irows.Close()
	for irows.Next() {
		var rev int
		var in qingqian.Instalment
		if err := irows.Scan(&rev, &in.Due, &in.Amount, &in.FundingSource, &in.Note); err != nil {
			return nil, err
		}
		if p := byRev[rev]; p != nil {
			p.Instalments = append(p.Instalments, in)
		}
	}
	if err := irows.Err(); err != nil {
		return nil, err
	}
	return plans, nil
}
