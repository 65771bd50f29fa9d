package demo

import (
	"fmt"
	"time"

	"github.com/qingqian/qingqian"
)

// complaints adds the complaint ledger of the last weeks: a clue settled and closed, one that
// found a debt missing from a group's ledger, one out of scope, one not yet forwarded.
func (l *loader) complaints(living []*qingqian.Item, creditors []*qingqian.Creditor) error {
	today := qingqian.Today()
	l.at(today)
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
	register := func(ch qingqian.Channel, transfer string, daysAgo int, cr *qingqian.Creditor, respondent string, claimed qingqian.Money, text string) (*qingqian.Clue, error) {
		c := &qingqian.Clue{Channel: ch, TransferNo: transfer, ReceivedOn: today.AddDays(-daysAgo), CreditorName: cr.Name, CreditorUSCC: cr.USCC,
			Respondent: respondent, Claimed: claimed, Text: text}
		if err := s.Clues.CreateClue(office, c); err != nil {
			return nil, fmt.Errorf("clue: %w", err)
		}
		return c, nil
	}
	assign := func(c *qingqian.Clue, g *qingqian.Org) (*qingqian.Clue, error) {
		return s.Clues.Assign(office, c.ID, qingqian.Assignment{OrgID: g.ID, ResponsibleLeader: g.LeaderName, ResponsiblePerson: g.LiaisonName, Version: c.Version})
	}
	// A paid debt: verified, linked, closed with its voucher, answered, called back.
	var paid *qingqian.Item
	for _, it := range living {
		if got, err := s.Items.FindItemByID(l.ctx, it.ID, qingqian.Date{}, time.Time{}); err == nil && got.Balance.Status == qingqian.StatusCleared {
			paid = got
		}
	}
	if paid != nil {
		g := groupOf(paid.OrgID)
		c, err := register(qingqian.ChannelPlatform, "国减负办转〔"+fmt.Sprint(today.Year())+"〕12号", 40, creditorOf(paid.CreditorID), g.Name, paid.Undisputed,
			"反映"+paid.ContractName+"款项逾期未付。")
		if err != nil {
			return err
		}
		if c, err = assign(c, g); err != nil {
			return err
		}
		liaison := l.person(g, g.LiaisonName, qingqian.RoleLiaison)
		if c, err = s.Clues.Verify(liaison, c.ID, qingqian.Verification{Conclusion: qingqian.ConclusionTrue, Finding: "属实，款项已于" + paid.ArisenOn.AddDays(50).String() + "付清。", Version: c.Version}); err != nil {
			return err
		}
		if c, err = s.Clues.LinkItem(liaison, c.ID, paid.ID, c.Version); err != nil {
			return err
		}
		if c, err = s.Clues.Close(office, c.ID, c.Version); err != nil {
			return err
		}
		if _, err = s.Clues.RecordFeedback(office, c.ID, today, "已书面告知投诉人款项已付清并附支付凭证。", today, "satisfied", c.Version); err != nil {
			return err
		}
	}
	// A debt missing from a group's ledger, found by a complaint: recorded and flagged.
	g := l.prov.Groups[1]
	c, err := register(qingqian.ChannelPortal, "", 20, creditors[5], g.ShortName+"下属项目部", qingqian.Yuan(126_000), "网民留言反映设备维修款12.6万元拖欠一年。")
	if err != nil {
		return err
	}
	if c, err = assign(c, g); err != nil {
		return err
	}
	liaison := l.person(g, g.LiaisonName, qingqian.RoleLiaison)
	if c, err = s.Clues.Verify(liaison, c.ID, qingqian.Verification{Conclusion: qingqian.ConclusionPartly, Finding: "部分属实：维修款12万元未入账，6千元系质保金未到期。", Version: c.Version}); err != nil {
		return err
	}
	it := &qingqian.Item{OrgID: g.ID, ContractNo: "WX-" + fmt.Sprint(today.Year()-1) + "-031", ContractName: "设备维修合同", Kind: qingqian.KindServices,
		ArisenOn: today.AddDays(-400), DueOn: today.AddDays(-370), Undisputed: qingqian.Yuan(120_000), FundingSource: qingqian.FundingOwn, Responsible: "财务部"}
	if c, err = s.Clues.CreateItemFromClue(liaison, c.ID, it, c.Version); err != nil {
		return fmt.Errorf("missing debt: %w", err)
	}
	if _, err = s.Clues.AddUpdate(liaison, c.ID, today, "已补录台账，资金已落实，计划两周内支付。"); err != nil {
		return err
	}
	// Out of scope: the complainant is a large firm.
	g = l.prov.Groups[2]
	if c, err = register(qingqian.ChannelProvince, "省减负办转〔"+fmt.Sprint(today.Year())+"〕7号", 30, creditors[2], g.Name, qingqian.Yuan(2_300_000), "反映货款230万元未付。"); err != nil {
		return err
	}
	if c, err = assign(c, g); err != nil {
		return err
	}
	if c, err = s.Clues.Verify(l.person(g, g.LiaisonName, qingqian.RoleLiaison), c.ID, qingqian.Verification{Conclusion: qingqian.ConclusionOutOfScope, OutReason: "not_sme",
		Finding: "投诉企业为大型企业，不属于清欠范围，已按合同约定协商。", Version: c.Version}); err != nil {
		return err
	}
	if _, err = s.Clues.Close(office, c.ID, c.Version); err != nil {
		return err
	}
	// Received three weeks ago and not yet forwarded: overdue.
	if _, err = register(qingqian.ChannelCallback, "", 21, creditors[9], l.prov.Groups[3].Name, qingqian.Yuan(45_000), "第三方评估电话回访中反映工程尾款4.5万元未付。"); err != nil {
		return err
	}
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
