package demo

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/qingqian/qingqian"
)

// complaints adds the complaint ledger of the last weeks, each step on the day it happened, so
// that the deadlines show: a clue settled, answered and called back within its 30 days; one that
// found a debt missing from a group's ledger, on time so far; one forwarded late, found out of
// scope and closed; a transfer registered days after it arrived (补录); and one never forwarded,
// overdue.
func (l *loader) complaints(living []*qingqian.Item, creditors []*qingqian.Creditor) error {
	today := qingqian.Today()
	office := l.person(l.prov.Regulator, "清欠办李联络", qingqian.RoleSupervisor)
	s := l.s
	groupOf := func(orgID int64) *qingqian.Org {
		for _, g := range l.prov.Groups {
			if g.ID == orgID {
				return g
			}
		}
		for _, sub := range l.prov.Subs {
			if sub.ID == orgID {
				for _, g := range l.prov.Groups {
					if g.ID == sub.ParentID {
						return g
					}
				}
			}
		}
		return l.prov.Groups[0]
	}
	creditorOf := func(id int64) *qingqian.Creditor {
		for _, c := range creditors {
			if c.ID == id {
				return c
			}
		}
		return creditors[0]
	}
	liaisonOf := func(g *qingqian.Org) context.Context { return l.person(g, g.LiaisonName, qingqian.RoleLiaison) }
	// The steps of every clue, run in the order of their days with the clock set to each.
	type step struct {
		on qingqian.Date
		do func() error
	}
	var steps []step
	at := func(on qingqian.Date, do func() error) { steps = append(steps, step{on, do}) }
	register := func(c **qingqian.Clue, on qingqian.Date, ch qingqian.Channel, transfer string, received qingqian.Date, cr *qingqian.Creditor,
		respondent string, claimed qingqian.Money, text string) {
		at(on, func() error {
			*c = &qingqian.Clue{Channel: ch, TransferNo: transfer, ReceivedOn: received, CreditorName: cr.Name, CreditorUSCC: cr.USCC,
				Respondent: respondent, Claimed: claimed, Text: text}
			if err := s.Clues.CreateClue(office, *c); err != nil {
				return fmt.Errorf("clue: %w", err)
			}
			return nil
		})
	}
	assign := func(c **qingqian.Clue, on qingqian.Date, g *qingqian.Org) {
		at(on, func() (err error) {
			*c, err = s.Clues.Assign(office, (*c).ID, qingqian.Assignment{OrgID: g.ID, ResponsibleLeader: g.LeaderName, ResponsiblePerson: g.LiaisonName,
				AssignedOn: on, Version: (*c).Version})
			return err
		})
	}
	verify := func(c **qingqian.Clue, on qingqian.Date, g *qingqian.Org, v qingqian.Verification) {
		at(on, func() (err error) {
			v.Version = (*c).Version
			*c, err = s.Clues.Verify(liaisonOf(g), (*c).ID, v)
			return err
		})
	}
	closeOn := func(c **qingqian.Clue, on qingqian.Date) {
		at(on, func() (err error) {
			*c, err = s.Clues.Close(office, (*c).ID, (*c).Version)
			return err
		})
	}
	feedback := func(c **qingqian.Clue, on qingqian.Date, text string) {
		at(on, func() (err error) {
			*c, err = s.Clues.RecordFeedback(office, (*c).ID, on, text, qingqian.Date{}, "", (*c).Version)
			return err
		})
	}

	// A paid debt: the complaint came in 25 days before the payment; forwarded within three
	// days, verified, linked, closed with its voucher, answered and called back within the 30 days.
	var paid *qingqian.Item
	var paidOn qingqian.Date
	for _, it := range living {
		es, err := s.Entries.FindEntries(l.ctx, it.ID)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Kind == qingqian.EntryRepay && e.ReversedByID == 0 && !today.Before(e.On.AddDays(8)) && e.On.After(paidOn) {
				if got, err := s.Items.FindItemByID(l.ctx, it.ID, qingqian.Date{}, time.Time{}); err == nil && got.Balance.Status == qingqian.StatusCleared {
					paid, paidOn = got, e.On
				}
			}
		}
	}
	if paid != nil {
		g, received := groupOf(paid.OrgID), paidOn.AddDays(-25)
		var c *qingqian.Clue
		register(&c, received, qingqian.ChannelPlatform, "国减负办转〔"+fmt.Sprint(received.Year())+"〕12号", received, creditorOf(paid.CreditorID), g.Name,
			paid.Undisputed, "反映"+paid.ContractName+"款项拖欠未付，要求尽快支付。")
		assign(&c, received.AddDays(3), g)
		verify(&c, paidOn.AddDays(2), g, qingqian.Verification{Conclusion: qingqian.ConclusionTrue, Finding: "属实，款项已于" + paidOn.String() + "付清，附银行回单。"})
		at(paidOn.AddDays(2), func() (err error) {
			c, err = s.Clues.LinkItem(liaisonOf(g), c.ID, paid.ID, c.Version)
			return err
		})
		closeOn(&c, paidOn.AddDays(4))
		feedback(&c, paidOn.AddDays(5), "已书面告知投诉人款项已付清并附支付凭证。")
		at(paidOn.AddDays(8), func() (err error) {
			c, err = s.Clues.RecordCallback(office, c.ID, paidOn.AddDays(8), "satisfied", c.Version)
			return err
		})
	}
	// A debt missing from a group's ledger, found by a complaint: recorded and flagged; its 30
	// days run until after today.
	g := l.prov.Groups[1]
	var missing *qingqian.Clue
	register(&missing, today.AddDays(-20), qingqian.ChannelPortal, "", today.AddDays(-20), creditors[5], g.ShortName+"下属项目部", qingqian.Yuan(126_000),
		"网民留言反映设备维修款12.6万元拖欠一年。")
	assign(&missing, today.AddDays(-17), g)
	verify(&missing, today.AddDays(-10), g, qingqian.Verification{Conclusion: qingqian.ConclusionPartly, Finding: "部分属实：维修款12万元未入账，6千元系质保金未到期。"})
	at(today.AddDays(-10), func() (err error) {
		it := &qingqian.Item{OrgID: g.ID, ContractNo: "WX-" + fmt.Sprint(today.Year()-1) + "-031", ContractName: "设备维修合同", Kind: qingqian.KindServices,
			ArisenOn: today.AddDays(-400), DueOn: today.AddDays(-370), Undisputed: qingqian.Yuan(120_000), FundingSource: qingqian.FundingOwn, Responsible: "财务部"}
		if missing, err = s.Clues.CreateItemFromClue(liaisonOf(g), missing.ID, it, missing.Version); err != nil {
			return fmt.Errorf("missing debt: %w", err)
		}
		return nil
	})
	at(today.AddDays(-3), func() error {
		_, err := s.Clues.AddUpdate(liaisonOf(g), missing.ID, today.AddDays(-3), "已补录台账，资金已落实，计划两周内支付。")
		return err
	})
	// Out of scope (the complainant is a large firm), and forwarded weeks after its 10 working
	// days: it stays marked 逾期转办.
	g3 := l.prov.Groups[2]
	var large *qingqian.Clue
	register(&large, today.AddDays(-50), qingqian.ChannelProvince, "省减负办转〔"+fmt.Sprint(today.AddDays(-50).Year())+"〕7号", today.AddDays(-50), creditors[2],
		g3.Name, qingqian.Yuan(2_300_000), "反映货款230万元未付。")
	assign(&large, today.AddDays(-12), g3)
	verify(&large, today.AddDays(-6), g3, qingqian.Verification{Conclusion: qingqian.ConclusionOutOfScope, OutReason: "not_sme",
		Finding: "投诉企业为大型企业，不属于清欠范围，已按合同约定协商。"})
	closeOn(&large, today.AddDays(-4))
	feedback(&large, today.AddDays(-3), "已书面告知投诉人不属于清欠范围及协商结果。")
	// A transfer that arrived nine days ago, registered four days later (补录) and forwarded
	// that day.
	g4 := l.prov.Groups[4]
	var transfer *qingqian.Clue
	register(&transfer, today.AddDays(-5), qingqian.ChannelStateCouncil, "国减负办转〔"+fmt.Sprint(today.AddDays(-9).Year())+"〕41号", today.AddDays(-9),
		creditors[14], g4.Name, qingqian.Yuan(380_000), "反映景区改造工程款38万元验收后半年未付。")
	assign(&transfer, today.AddDays(-5), g4)
	// Received a month ago and not yet forwarded: overdue.
	var waiting *qingqian.Clue
	register(&waiting, today.AddDays(-30), qingqian.ChannelCallback, "", today.AddDays(-30), creditors[9], l.prov.Groups[3].Name, qingqian.Yuan(45_000),
		"第三方评估电话回访中反映工程尾款4.5万元未付。")
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].on.Before(steps[j].on) })
	for _, st := range steps {
		l.at(st.on)
		if err := st.do(); err != nil {
			return err
		}
	}
	l.at(today)
	var err error
	// This month's report is open: the first group has prepared its submission, which waits for
	// its leaders' review and approval.
	asOf := qingqian.NewDate(today.Year(), today.Month(), 1).AddDays(-1)
	p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: asOf, Deadline: today.AddDays(10)}
	if err := s.Reports.OpenPeriod(office, p); err != nil {
		return fmt.Errorf("period: %w", err)
	}
	g = l.prov.Groups[0]
	_, err = s.Reports.Prepare(l.person(g, g.LiaisonName, qingqian.RoleLiaison), qingqian.SubmissionInput{PeriodID: p.ID, OrgID: g.ID,
		Narrative: "本月按计划清偿，新增欠款均已落实资金来源。"})
	return err
}
