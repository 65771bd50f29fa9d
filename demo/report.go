package demo

import (
	"fmt"

	"github.com/qingqian/qingqian"
)

// period opens a period, has every group prepare, review and approve its submission on day
// (group zero, if any, declaring a zero report), and issues the consolidated report.
func (l *loader) period(p *qingqian.Period, day qingqian.Date, zero int) error {
	l.at(p.AsOf.AddDays(1))
	office := l.person(l.prov.Regulator, "清欠办李联络", qingqian.RoleSupervisor)
	if err := l.s.Reports.OpenPeriod(office, p); err != nil {
		return fmt.Errorf("period: %w", err)
	}
	// Each group prepares in the morning, its leader in charge reviews in the afternoon, its
	// principal approves after that: the signing steps in time order.
	for i, g := range l.prov.Groups {
		l.atTime(day, 9, 10*i)
		in := qingqian.SubmissionInput{PeriodID: p.ID, OrgID: g.ID, Narrative: g.ShortName + "按台账逐笔核实，数据由台账生成。"}
		if i == zero {
			in.Zero, in.Narrative = true, g.ShortName+"本期无拖欠民营企业中小企业账款。"
		}
		sub, err := l.s.Reports.Prepare(l.person(g, g.LiaisonName, qingqian.RoleLiaison), in)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		l.atTime(day, 14, 10*i)
		if sub, err = l.s.Reports.Sign(l.person(g, g.LeaderName, qingqian.RoleReviewer), sub.ID, qingqian.ActReview, "已审核", sub.Version); err != nil {
			return fmt.Errorf("review: %w", err)
		}
		l.atTime(day, 16, 10*i)
		if sub, err = l.s.Reports.Sign(l.person(g, "主要负责同志", qingqian.RoleReviewer), sub.ID, qingqian.ActApprove, "同意报送", sub.Version); err != nil {
			return fmt.Errorf("approve: %w", err)
		}
		if i == zero {
			if _, err := l.s.Reports.CheckZero(office, sub.ID, "rejected", "比对台账：该集团尚有在诉讼中的有分歧账款，零报告不属实，已责成更正。"); err != nil {
				return fmt.Errorf("check: %w", err)
			}
		}
	}
	l.atTime(day, 17, 30)
	if _, err := l.s.Reports.IssueReport(office, p.ID); err != nil {
		return fmt.Errorf("issue: %w", err)
	}
	return nil
}

// supervise records a supervision notice about a disputed debt, its reply and an interview.
func (l *loader) supervise(it *qingqian.Item) error {
	g := l.prov.Groups[0]
	for _, x := range l.prov.Groups {
		if x.ID == it.OrgID {
			g = x
		}
	}
	l.at(qingqian.MustParseDate("2021-11-08"))
	office := l.person(l.prov.Regulator, "清欠办李联络", qingqian.RoleSupervisor)
	n := &qingqian.Notice{OrgID: g.ID, Reason: "有分歧账款" + it.No + "判决后尚有余额未清偿，进度滞后。",
		Actions: "十五日内制定剩余款项清偿计划，落实资金来源，报清欠办。", Deadline: qingqian.MustParseDate("2021-11-23")}
	if err := l.s.Supervision.IssueNotice(office, n); err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	l.at(qingqian.MustParseDate("2021-11-20"))
	if _, err := l.s.Supervision.ReplyNotice(l.person(g, g.LiaisonName, qingqian.RoleLiaison), n.ID, "已制定清偿计划，资金从年度预算中安排，计划2022年3月底前付清。", n.Version); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	l.at(qingqian.MustParseDate("2021-11-25"))
	iv := &qingqian.Interview{OrgID: g.ID, HeldOn: qingqian.MustParseDate("2021-11-25"), Level: qingqian.LevelLeader,
		Participants: "省国资委分管负责同志、清欠办；" + g.ShortName + "分管负责同志、财务部、法务部",
		Minutes:      "听取有分歧账款化解情况汇报，要求按判决结果尽快支付，逐笔销号。",
		Commitments: []qingqian.Commitment{{Text: "2022年3月31日前付清判决确认款项", DueOn: qingqian.MustParseDate("2022-03-31")},
			{Text: "每月向清欠办报送进展", DueOn: qingqian.MustParseDate("2021-12-31")}}}
	if err := l.s.Supervision.RecordInterview(office, iv); err != nil {
		return fmt.Errorf("interview: %w", err)
	}
	return nil
}
