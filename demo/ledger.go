package demo

import (
	"fmt"

	"github.com/qingqian/qingqian"
)

// living adds the ledger of today: items found by self-checks and new arrears of 2025 and 2026,
// some paid, some with plans, some overdue.
func (l *loader) living(units []*qingqian.Org, creditors []*qingqian.Creditor) error {
	ctx, s := l.ctx, l.s
	today := qingqian.Today()
	start := qingqian.MustParseDate("2025-03-01")
	if today.Before(start.AddDays(60)) {
		return nil
	}
	span := today.Sub(start) - 30
	var living []*qingqian.Item
	for i := 0; i < 36; i++ {
		arisen := start.AddDays(i * span / 36)
		l.at(arisen)
		origin := qingqian.OriginNew
		if i%4 == 1 {
			origin = qingqian.OriginSelfCheck
		}
		it := &qingqian.Item{OrgID: units[(i*3)%len(units)].ID, CreditorID: creditors[(i*7)%len(creditors)].ID,
			No: fmt.Sprintf("XZ-%04d", i+1), ContractNo: fmt.Sprintf("SF-HT-2025-%04d", i+1), ContractName: []string{"材料采购合同", "技术服务合同", "维修工程合同"}[i%3],
			Kind:     []qingqian.ItemKind{qingqian.KindGoods, qingqian.KindServices, qingqian.KindWorks, qingqian.KindRetention}[i%4],
			ArisenOn: arisen, DueOn: arisen.AddDays(60), Undisputed: qingqian.Money(20_000_00 + l.rng.Int64N(3_000_000_00)),
			Origin: origin, FundingSource: []qingqian.FundingSource{qingqian.FundingOwn, qingqian.FundingNone, qingqian.FundingLoan}[i%3], Responsible: "财务部"}
		if i%9 == 4 {
			it.Disputed = it.Undisputed / 4
			it.DisputeReason = "验收结论存在分歧"
		}
		if err := s.Items.CreateItem(ctx, it); err != nil {
			return fmt.Errorf("new item: %w", err)
		}
		living = append(living, it)
		switch i % 3 {
		case 0: // paid in full within 50 days
			on := arisen.AddDays(50)
			if on.After(today) {
				continue
			}
			l.at(on)
			if err := l.repay(it.ID, on, it.Undisputed, qingqian.MethodTransfer, qingqian.PartUndisputed); err != nil {
				return err
			}
		case 1: // a plan, part paid
			if _, err := s.Plans.RevisePlan(ctx, it.ID, qingqian.PlanInput{Instalments: []qingqian.Instalment{
				{Due: arisen.AddDays(45), Amount: it.Undisputed / 2, FundingSource: qingqian.FundingOwn},
				{Due: arisen.AddDays(120), Amount: it.Undisputed - it.Undisputed/2, FundingSource: qingqian.FundingLoan},
			}}); err != nil {
				return fmt.Errorf("plan: %w", err)
			}
			on := arisen.AddDays(45)
			if on.After(today) {
				continue
			}
			l.at(on)
			if err := l.repay(it.ID, on, it.Undisputed/2, qingqian.MethodReceivable, qingqian.PartUndisputed); err != nil {
				return err
			}
		}
	}
	if err := l.billsAndStatement(living); err != nil {
		return err
	}
	if err := l.complaints(living, creditors); err != nil {
		return err
	}
	if err := l.causes(living); err != nil {
		return err
	}
	return l.contracts(creditors)
}
