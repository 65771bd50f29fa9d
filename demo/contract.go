package demo

import (
	"fmt"

	"github.com/qingqian/qingqian"
)

// contracts adds contracts with SMEs under both versions of the Regulation: paid on time, paid
// late with interest, one by progress settlement, one whose acceptance the buyer delayed and that
// is still unpaid (it becomes a new arrear in the ledger), one with a forbidden clause falling due
// within days, and one whose agreed overdue rate is below the LPR.
func (l *loader) contracts(creditors []*qingqian.Creditor) error {
	if len(l.prov.Subs) == 0 || len(creditors) < 6 {
		return nil
	}
	sub := l.prov.Subs[0]
	clerk := l.person(sub, "合同管理员赵经办", qingqian.RoleClerk)
	d := qingqian.MustParseDate
	today := qingqian.Today()
	type ev struct {
		kind   qingqian.EventKind
		on     qingqian.Date
		amount qingqian.Money
		method qingqian.PayMethod
		late   bool
	}
	mk := func(i int, k qingqian.Contract, events ...ev) error {
		c := creditors[i%len(creditors)]
		k.OrgID, k.Creditor = sub.ID, &qingqian.Creditor{USCC: c.USCC}
		if k.SupplierSize == "" {
			k.SupplierSize = qingqian.SizeSmall
		}
		k.SizeDeclaredOn, k.SizeEvidence = k.SignedOn, "中小企业声明函"
		if k.Buyer == "" {
			k.Buyer = qingqian.BuyerLarge
		}
		if k.Settlement == "" {
			k.Settlement = qingqian.SettleOnce
		}
		if k.Kind == "" {
			k.Kind = qingqian.KindGoods
		}
		l.at(k.SignedOn)
		if err := l.s.Contracts.CreateContract(clerk, &k); err != nil {
			return fmt.Errorf("contract %s: %w", k.No, err)
		}
		for j, e := range events {
			if e.on.After(today) {
				continue
			}
			l.at(e.on)
			ce := &qingqian.ContractEvent{ContractID: k.ID, Kind: e.kind, On: e.on, Amount: e.amount, LateBySupplier: e.late}
			if e.kind == qingqian.EventPayment {
				ce.Method, ce.VoucherNo = e.method, fmt.Sprintf("FK%s-%d", k.No, j+1)
			}
			if err := l.s.Contracts.AddContractEvent(clerk, ce); err != nil {
				return fmt.Errorf("contract %s event %d: %w", k.No, j, err)
			}
		}
		return nil
	}
	rate := func(pct string, perDay bool) qingqian.Rate {
		r, _ := qingqian.ParsePercent(pct)
		r.PerDay = perDay
		return r
	}
	t := qingqian.MethodTransfer
	steps := []func() error{
		// 2020 rules: agreed 45 days from 1 April 2025, due Friday 16 May; paid the day before.
		func() error {
			return mk(0, qingqian.Contract{No: "SFNY-2025-CG-001", Name: "配电柜采购", SignedOn: d("2025-03-10"), Amount: qingqian.Yuan(860_000), AgreedDays: 45},
				ev{qingqian.EventDelivery, d("2025-04-01"), 0, "", false}, ev{qingqian.EventInvoice, d("2025-04-03"), qingqian.Yuan(860_000), "", false},
				ev{qingqian.EventPayment, d("2025-05-15"), qingqian.Yuan(860_000), t, false})
		},
		// 2020 rules: agreed 60 days from 10 January 2025, due 11 March; paid 30 days late at the
		// agreed 4.35 % a year.
		func() error {
			return mk(1, qingqian.Contract{No: "SFNY-2024-FW-017", Name: "设备维保服务", Kind: qingqian.KindServices, SignedOn: d("2024-11-15"),
				Amount: qingqian.Yuan(1_200_000), AgreedDays: 60, AgreedRate: rate("4.35", false)},
				ev{qingqian.EventDelivery, d("2025-01-10"), 0, "", false}, ev{qingqian.EventPayment, d("2025-04-10"), qingqian.Yuan(1_200_000), t, false})
		},
		// 2025 rules, no term agreed: 60 days from 1 August, due 30 September; paid that day.
		func() error {
			return mk(2, qingqian.Contract{No: "SFNY-2025-CG-031", Name: "钢材采购", SignedOn: d("2025-07-01"), Amount: qingqian.Yuan(2_400_000)},
				ev{qingqian.EventDelivery, d("2025-08-01"), 0, "", false}, ev{qingqian.EventPayment, d("2025-09-30"), qingqian.Yuan(2_400_000), t, false})
		},
		// 2025 rules, by progress: settled 4 August (due 9 October, after National Day) and
		// 1 September (due 31 October, paid 20 November: 20 days' interest at 0.05 % a day).
		func() error {
			return mk(3, qingqian.Contract{No: "SFNY-2025-GC-008", Name: "厂区道路改造工程", Kind: qingqian.KindWorks, SignedOn: d("2025-06-15"),
				Amount: qingqian.Yuan(1_000_000), Settlement: qingqian.SettleProgress},
				ev{qingqian.EventSettlement, d("2025-08-04"), qingqian.Yuan(300_000), "", false}, ev{qingqian.EventSettlement, d("2025-09-01"), qingqian.Yuan(500_000), "", false},
				ev{qingqian.EventPayment, d("2025-10-09"), qingqian.Yuan(300_000), t, false}, ev{qingqian.EventPayment, d("2025-11-20"), qingqian.Yuan(500_000), t, false})
		},
		// 2025 rules, acceptance a condition within 15 days: delivered 1 July, accepted 20 August
		// late through the buyer: the clock starts 16 July, due Monday 15 September; unpaid.
		func() error {
			return mk(4, qingqian.Contract{No: "SFNY-2025-CG-044", Name: "在线监测系统", Kind: qingqian.KindGoods, SignedOn: d("2025-06-20"),
				Amount: qingqian.Yuan(650_000), AcceptanceCondition: true, AcceptanceDays: 15, SupplierSize: qingqian.SizeMicro},
				ev{qingqian.EventDelivery, d("2025-07-01"), 0, "", false}, ev{qingqian.EventAcceptance, d("2025-08-20"), 0, "", false})
		},
		// A pay-when-paid clause (void), delivered 45 days ago: due within the next weeks.
		func() error {
			return mk(5, qingqian.Contract{No: "SFNY-2026-CG-102", Name: "电缆及附件采购", SignedOn: today.AddDays(-60), Amount: qingqian.Yuan(380_000), PayWhenPaid: true},
				ev{qingqian.EventDelivery, today.AddDays(-45), 0, "", false})
		},
		// An agreed overdue rate of 2.50 % a year, below the 3.00 % LPR: flagged; the LPR applies.
		func() error {
			return mk(6, qingqian.Contract{No: "SFNY-2026-FW-009", Name: "物业保洁服务", Kind: qingqian.KindServices, SignedOn: d("2026-03-02"),
				Amount: qingqian.Yuan(240_000), AgreedDays: 30, AgreedRate: rate("2.50", false)},
				ev{qingqian.EventDelivery, d("2026-04-01"), 0, "", false}, ev{qingqian.EventPayment, d("2026-05-15"), qingqian.Yuan(240_000), t, false})
		},
	}
	for _, f := range steps {
		if err := f(); err != nil {
			return err
		}
	}
	// The daily sweep: what is overdue or was paid late becomes a new arrear in the ledger.
	l.at(today)
	if _, err := l.s.Contracts.RaiseArrears(clerk); err != nil {
		return fmt.Errorf("raise arrears: %w", err)
	}
	// The group's disclosure for 2025, signed: one contract overdue and unpaid at 12-31.
	group := l.prov.Groups[0]
	for _, g := range l.prov.Groups {
		if g.ID == sub.ParentID {
			group = g
		}
	}
	liaison := l.person(group, "集团联络员钱公示", qingqian.RoleLiaison)
	disc := &qingqian.Disclosure{OrgID: group.ID, Year: 2025, HasOverdue: true, Count: 1, Amount: qingqian.Yuan(650_000),
		Note: "在线监测系统采购合同因验收延迟形成逾期，已列入新增欠款台账，正在筹措资金清偿。"}
	if err := l.s.Disclosures.PrepareDisclosure(liaison, disc); err != nil {
		return fmt.Errorf("disclosure: %w", err)
	}
	// Signed by the group's leader in charge, not by the liaison who prepared it.
	name := group.LeaderName
	if name == "" {
		name = "集团分管领导"
	}
	leader := l.person(group, name, qingqian.RoleReviewer)
	if _, err := l.s.Disclosures.SignDisclosure(leader, disc.ID, qingqian.DisclosureSign{Version: disc.Version}); err != nil {
		return fmt.Errorf("sign the disclosure: %w", err)
	}
	return nil
}
