package qingqian

import (
	"context"
	"strconv"
	"time"
)

// Instalment is one dated payment of a repayment plan.
type Instalment struct {
	Due           Date          `json:"due"`
	Amount        Money         `json:"amount"`
	FundingSource FundingSource `json:"funding_source"`
	Note          string        `json:"note"`
}

// Plan is one revision of an item's repayment plan (清偿计划). Revisions are never changed;
// revising writes a new one and keeps the old.
type Plan struct {
	ItemID      int64        `json:"item_id"`
	Revision    int          `json:"revision"`
	Reason      string       `json:"reason"`
	ActorName   string       `json:"actor_name"`
	CreatedAt   time.Time    `json:"created_at"`
	Instalments []Instalment `json:"instalments"`
}

// Total is the sum of the instalments.
func (p *Plan) Total() Money {
	var t Money
	for _, in := range p.Instalments {
		t += in.Amount
	}
	return t
}

// PlanInput revises a plan. BaseRevision must be the latest revision (0 for the first plan).
type PlanInput struct {
	BaseRevision int          `json:"base_revision"`
	Reason       string       `json:"reason"`
	Instalments  []Instalment `json:"instalments"`
}

// Validate checks the instalments against the item's arising date and outstanding amount.
func (in *PlanInput) Validate(arisen Date, outstanding Money) error {
	v := Validation{}
	if len(in.Instalments) == 0 {
		v.Add("instalments", "清偿计划至少要有一期")
	}
	if len(in.Instalments) > 120 {
		v.Add("instalments", "清偿计划不能超过120期")
	}
	if in.BaseRevision > 0 && in.Reason == "" {
		v.Add("reason", "调整计划须说明原因")
	}
	var total Money
	var prev Date
	for i, inst := range in.Instalments {
		f := func(name string) string { return "instalments." + strconv.Itoa(i) + "." + name }
		if inst.Due.IsZero() {
			v.Add(f("due"), "请填写计划日期")
		} else if inst.Due.Before(arisen) {
			v.Add(f("due"), "计划日期不能早于欠款发生日期")
		} else if !prev.IsZero() && inst.Due.Before(prev) {
			v.Add(f("due"), "各期日期应按先后排列")
		}
		prev = inst.Due
		if inst.Amount <= 0 {
			v.Add(f("amount"), "每期金额必须大于零")
		}
		CheckAmount(v, f("amount"), "每期金额", inst.Amount)
		if _, ok := FundingNames[inst.FundingSource]; !ok {
			v.Add(f("funding_source"), "资金来源不正确")
		}
		total += inst.Amount // at most 120 instalments of at most MaxAmount each
	}
	if total > outstanding {
		v.Add("instalments", "计划总额 "+total.String()+" 元超过未清偿余额 "+outstanding.String()+" 元")
	}
	return v.Err()
}

// PlanService keeps repayment plans.
type PlanService interface {
	// RevisePlan writes a new revision of an item's plan. Callers: writers whose subtree holds the
	// item. Errors: EINVALID, ENOTFOUND, ECONFLICT (BaseRevision is not the latest).
	RevisePlan(ctx context.Context, itemID int64, in PlanInput) (*Plan, error)
	// FindPlans returns every revision, newest first.
	FindPlans(ctx context.Context, itemID int64) ([]*Plan, error)
}
