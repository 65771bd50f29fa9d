package demo

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
)

// The campaigns of the report, each step on its day, without moving its three figures: the
// 2019 回头看 signed by each group's principal; the two 2020 self-checks focused on the
// subsidiaries (one finds a debt that arose after November 2019 and a repayment that was only
// on paper, reversed, then really paid); the September 2021 自查自纠 (late for one group,
// returned once for another; it finds a 2021 debt); the October 2021 rectification after the
// State Council inspection, whose debts — that one and three found by complaints — are planned
// and paid in November (after the report's 31 October); and the circulars sent down: the work
// plan, and the provincial leaders' instructions forwarded to the groups with the most
// complaints, which one of them never answered.
func (l *loader) campaigns() error {
	s := l.s
	office := l.person(l.prov.Regulator, "清欠办李联络", qingqian.RoleSupervisor)
	groups := l.prov.Groups
	liaison := func(g *qingqian.Org) context.Context { return l.person(g, g.LiaisonName, qingqian.RoleLiaison) }
	subOf := func(g *qingqian.Org) *qingqian.Org {
		for _, sub := range l.prov.Subs {
			if sub.ParentID == g.ID {
				return sub
			}
		}
		return g
	}
	// answer has a group prepare its answer on day, its leader review it and its principal
	// approve it the day after; the findings say text for every item of the checklist.
	answer := func(c *qingqian.Campaign, g *qingqian.Org, day qingqian.Date, text func(i int, item string) (string, string)) error {
		l.at(day)
		var fs []qingqian.Finding
		for i, item := range c.Checklist {
			f, a := text(i, item)
			fs = append(fs, qingqian.Finding{Seq: i + 1, Finding: f, Action: a})
		}
		in := qingqian.AnswerInput{Findings: fs}
		xs, err := s.Campaigns.FindAnswers(liaison(g), c.ID)
		if err != nil {
			return err
		}
		for _, x := range xs {
			if x.OrgID == g.ID {
				in.Version = x.Version // prepared again after a return
			}
		}
		x, err := s.Campaigns.PrepareAnswer(liaison(g), c.ID, in)
		if err != nil {
			return fmt.Errorf("answer %s: %w", c.Title, err)
		}
		if x, err = s.Campaigns.SignAnswer(l.person(g, g.LeaderName, qingqian.RoleReviewer), x.ID, qingqian.ActReview, "情况属实", x.Version); err != nil {
			return fmt.Errorf("review %s: %w", c.Title, err)
		}
		l.at(day.AddDays(1))
		if _, err = s.Campaigns.SignAnswer(l.person(g, "主要负责同志", qingqian.RoleReviewer), x.ID, qingqian.ActApprove, "同意", x.Version); err != nil {
			return fmt.Errorf("approve %s: %w", c.Title, err)
		}
		return nil
	}
	launch := func(c *qingqian.Campaign, on qingqian.Date, ids []int64) error {
		l.at(on)
		if err := s.Campaigns.LaunchCampaign(office, c, ids); err != nil {
			return fmt.Errorf("campaign %s: %w", c.Title, err)
		}
		return nil
	}
	closeWith := func(c *qingqian.Campaign, on qingqian.Date, summary string) error {
		l.at(on)
		got, err := s.Campaigns.FindCampaign(office, c.ID)
		if err != nil {
			return err
		}
		if _, err := s.Campaigns.CloseCampaign(office, c.ID, summary, got.Version); err != nil {
			return fmt.Errorf("close %s: %w", c.Title, err)
		}
		return nil
	}
	plain := func(i int, item string) (string, string) { return "已按要求逐项核查，未发现问题。", "" }

	// 2019: the work plan goes to every group; each signs for it.
	l.at(qingqian.MustParseDate("2019-01-08"))
	plan := &qingqian.Circular{No: "示国资发〔2019〕3号", Title: "省国资委清理拖欠民营企业中小企业账款工作方案",
		Body:   "各监管企业：现将《省国资委清理拖欠民营企业中小企业账款工作方案》印发给你们，请认真贯彻落实。各企业由集团公司负总责，明确分管领导、主管部室和具体联络员，于1月15日前摸清底数。",
		Target: qingqian.TargetAll}
	if err := s.Circulars.SendCircular(office, plan, nil); err != nil {
		return fmt.Errorf("work plan: %w", err)
	}
	for i, g := range groups {
		l.at(qingqian.MustParseDate("2019-01-08").AddDays(i % 3))
		if _, err := s.Circulars.SignFor(liaison(g), plan.ID); err != nil {
			return fmt.Errorf("sign for the plan: %w", err)
		}
	}

	// The 2019 回头看, signed by each group's principal.
	review := &qingqian.Campaign{Kind: qingqian.CampaignReview, Title: "2019年清欠工作“回头看”",
		Basis: "国务院减轻企业负担部际联席会议办公室清欠工作有关问题口径", Scope: qingqian.ScopeGroups,
		Checklist: []string{"对照口径逐笔核实台账底数，无瞒报漏报", "“零报告”逐级核查属实", "已清偿账款支付凭证齐全"},
		StartsOn:  qingqian.MustParseDate("2019-06-10"), TargetOn: qingqian.MustParseDate("2019-06-30")}
	if err := launch(review, review.StartsOn, nil); err != nil {
		return err
	}
	for i, g := range groups {
		if err := answer(review, g, qingqian.MustParseDate("2019-06-20").AddDays(i%5), plain); err != nil {
			return err
		}
	}
	if err := closeWith(review, qingqian.MustParseDate("2019-07-05"), "8家监管企业均完成“回头看”，由集团主要负责同志签批后完成底数上报，未发现瞒报漏报。"); err != nil {
		return err
	}

	// 2020: two self-checks focused on the subsidiaries. In the first, the first group's
	// subsidiary finds a debt of December 2019 missing from its ledger, and a repayment of it
	// recorded by offset that was not real: reversed, then paid by transfer.
	check := []string{"已清偿账款逐笔核实，无数字清偿、纸面清偿", "投诉举报线索逐件落实", "有无新增拖欠账款"}
	first := &qingqian.Campaign{Kind: qingqian.CampaignSelfCheck, Title: "2020年第一次清欠自查", Basis: "关于做好监管企业2020年清理拖欠民营企业中小企业账款工作的通知",
		Scope: qingqian.ScopeSubsidiaries, Checklist: check, StartsOn: qingqian.MustParseDate("2020-06-01"), TargetOn: qingqian.MustParseDate("2020-06-30")}
	if err := launch(first, first.StartsOn, nil); err != nil {
		return err
	}
	g0, sub0 := groups[0], subOf(groups[0])
	l.at(qingqian.MustParseDate("2020-06-05"))
	found := &qingqian.Item{OrgID: sub0.ID, CreditorID: l.creditors[11].ID, No: "ZC-2020-0001", ContractNo: "SF-HT-2019-0871", ContractName: "零星维修合同",
		Kind: qingqian.KindServices, ArisenOn: qingqian.MustParseDate("2019-12-20"), DueOn: qingqian.MustParseDate("2020-01-20"), Undisputed: qingqian.Yuan(186_500),
		Origin: qingqian.OriginSelfCheck, FundingSource: qingqian.FundingOwn, Responsible: "财务部"}
	if err := s.Items.CreateItem(l.ctx, found); err != nil {
		return fmt.Errorf("self-check item: %w", err)
	}
	l.at(qingqian.MustParseDate("2020-06-08"))
	paper, err := s.Entries.RecordEntry(l.ctx, qingqian.EntryInput{ItemID: found.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2020-06-08"),
		Amount: found.Undisputed, Method: qingqian.MethodOffset, Reason: "以应收款抵账"})
	if err != nil {
		return fmt.Errorf("paper repayment: %w", err)
	}
	l.at(qingqian.MustParseDate("2020-06-18"))
	if _, err := s.Entries.ReverseEntry(l.ctx, qingqian.EntryInput{ReversesID: paper.ID, Reason: "自查发现抵账协议未经债权人确认，属纸面清偿"}); err != nil {
		return fmt.Errorf("reverse the paper repayment: %w", err)
	}
	if err := l.repay(found.ID, qingqian.MustParseDate("2020-06-24"), found.Undisputed, qingqian.MethodTransfer, qingqian.PartUndisputed); err != nil {
		return err
	}
	for i, g := range groups {
		text := plain
		if g.ID == g0.ID {
			text = func(i int, item string) (string, string) {
				switch i {
				case 0:
					return "发现" + sub0.Name + "一笔维修款以抵账方式记为已清偿，抵账协议未经债权人确认。", "已冲正，6月24日以银行转账付清，附回单。"
				case 2:
					return "发现" + sub0.Name + "2019年12月零星维修款18.65万元未列入台账。", "已按“自查发现”补录台账并付清。"
				}
				return "已逐项核查，未发现问题。", ""
			}
		}
		if err := answer(first, g, qingqian.MustParseDate("2020-06-25").AddDays(i%4), text); err != nil {
			return err
		}
	}
	if err := closeWith(first, qingqian.MustParseDate("2020-07-06"), "各企业以子分公司为重点完成自查。"+g0.ShortName+"发现漏报欠款1笔18.65万元、纸面清偿1笔，均已整改，款项已付清。"); err != nil {
		return err
	}
	second := &qingqian.Campaign{Kind: qingqian.CampaignSelfCheck, Title: "2020年第二次清欠自查", Basis: "省减负办关于开展清欠“回头看”的通知",
		Scope: qingqian.ScopeSubsidiaries, Checklist: check, StartsOn: qingqian.MustParseDate("2020-11-02"), TargetOn: qingqian.MustParseDate("2020-11-20")}
	if err := launch(second, second.StartsOn, nil); err != nil {
		return err
	}
	for i, g := range groups {
		if err := answer(second, g, qingqian.MustParseDate("2020-11-12").AddDays(i%5), plain); err != nil {
			return err
		}
	}
	if err := closeWith(second, qingqian.MustParseDate("2020-11-27"), "各企业完成第二次自查，未发现新增拖欠和纸面清偿。"); err != nil {
		return err
	}

	// 2021: the provincial leaders' instructions on the half-year circular go to the three
	// groups with the most complaints; two answer in time, one never does.
	l.at(qingqian.MustParseDate("2021-08-09"))
	chosen := []*qingqian.Org{groups[3], groups[5], groups[6]}
	inst := &qingqian.Circular{No: "示国资清欠〔2021〕12号", Title: "关于转发省领导对2021年上半年防范和化解拖欠中小企业账款情况通报批示意见的通知",
		Body: "省领导对国务院减轻企业负担部际联席会议《关于2021年上半年各地区防范和化解拖欠中小企业账款情况的通报》作出批示。请对上半年投诉举报情况进行梳理，" +
			"以线索核实为抓手，举一反三，深入分析导致拖欠的内外部原因，持续查漏补缺，于8月20日前书面报送分析报告。",
		ReplyRequired: true, ReplyBy: qingqian.MustParseDate("2021-08-20"), Target: qingqian.TargetChosen}
	if err := s.Circulars.SendCircular(office, inst, []int64{chosen[0].ID, chosen[1].ID, chosen[2].ID}); err != nil {
		return fmt.Errorf("instructions: %w", err)
	}
	for i, g := range chosen {
		l.at(qingqian.MustParseDate("2021-08-10").AddDays(i))
		if _, err := s.Circulars.SignFor(liaison(g), inst.ID); err != nil {
			return fmt.Errorf("sign for the instructions: %w", err)
		}
	}
	l.at(qingqian.MustParseDate("2021-08-11"))
	if _, err := s.Circulars.PassDown(liaison(chosen[0]), inst.ID, qingqian.TargetAll, nil); err != nil {
		return fmt.Errorf("pass down: %w", err)
	}
	replies := []string{"上半年投诉3件，主要原因为工程项目未结算和上游业主资金未到位（背靠背），已建立结算台账，逐项推动。",
		"上半年投诉2件，均为验收后付款审批流程过长，已压缩审批环节，付款审批时限缩短至10个工作日。"}
	for i, g := range chosen[:2] {
		l.at(qingqian.MustParseDate("2021-08-17").AddDays(i * 2))
		if _, err := s.Circulars.Reply(liaison(g), inst.ID, replies[i]); err != nil {
			return fmt.Errorf("reply to the instructions: %w", err)
		}
	}

	// The complaints the inspection forwarded in September, for the rectification to come.
	rectGroups := []*qingqian.Org{groups[3], groups[5], groups[6]}
	debts, err := l.complaints2021(office, rectGroups)
	if err != nil {
		return err
	}

	// The September 2021 自查自纠: one group is returned once, one approves after the target,
	// and the sixth group finds a debt of May 2021 missing from its ledger.
	correct := &qingqian.Campaign{Kind: qingqian.CampaignSelfCorrect, Title: "2021年清欠自查自纠", Basis: "全省防范和化解拖欠中小企业账款调度会议工作部署",
		Scope:     qingqian.ScopeGroups,
		Checklist: []string{"台账内账款清偿情况", "投诉举报落实情况", "长效机制：采购、工程项目、应付账款管理制度", "及时支付纳入内部绩效考核"},
		StartsOn:  qingqian.MustParseDate("2021-09-03"), TargetOn: qingqian.MustParseDate("2021-09-30"), Rhythm: qingqian.RhythmNone}
	if err := launch(correct, correct.StartsOn, nil); err != nil {
		return err
	}
	g5 := groups[5]
	l.at(qingqian.MustParseDate("2021-09-15"))
	selfFound := &qingqian.Item{OrgID: g5.ID, CreditorID: l.creditors[20].ID, No: "ZC-2021-0001", ContractNo: "SF-HT-2021-0315", ContractName: "管网维修材料采购合同",
		Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2021-05-10"), DueOn: qingqian.MustParseDate("2021-07-10"), Undisputed: qingqian.Yuan(352_000),
		Origin: qingqian.OriginSelfCheck, FundingSource: qingqian.FundingOwn, Responsible: "物资部"}
	if err := s.Items.CreateItem(l.ctx, selfFound); err != nil {
		return fmt.Errorf("self-correction item: %w", err)
	}
	mechanism := func(i int, item string) (string, string) {
		return []string{"台账内账款均已清偿，支付凭证齐全。", "上半年投诉线索均已核实办结。", "已修订采购管理、工程项目管理和应付账款管理办法。", "已将及时支付纳入二级单位负责人年度考核。"}[i], ""
	}
	for i, g := range groups {
		day := qingqian.MustParseDate("2021-09-24").AddDays(i % 4)
		text := mechanism
		switch i {
		case 5:
			text = func(i int, item string) (string, string) {
				if i == 0 {
					return "发现5月管网维修材料款35.2万元未列入台账。", "已按“自查发现”补录，纳入整改计划，11月底前付清。"
				}
				return mechanism(i, item)
			}
		case 7: // late: approved after the target
			day = qingqian.MustParseDate("2021-10-08")
		}
		if i == 2 { // returned once for the missing mechanism, then approved
			l.at(day)
			var fs []qingqian.Finding
			for k := range correct.Checklist {
				fs = append(fs, qingqian.Finding{Seq: k + 1, Finding: "已核查。"})
			}
			x, err := s.Campaigns.PrepareAnswer(liaison(g), correct.ID, qingqian.AnswerInput{Findings: fs})
			if err != nil {
				return err
			}
			if _, err = s.Campaigns.SignAnswer(l.person(g, g.LeaderName, qingqian.RoleReviewer), x.ID, qingqian.ActReturn, "长效机制建立情况未写清，请补充具体制度名称。", x.Version); err != nil {
				return err
			}
			day = day.AddDays(2)
		}
		if err := answer(correct, g, day, text); err != nil {
			return err
		}
	}

	// The rectification after the State Council's eighth inspection: three debts found by
	// complaints in September and the self-correction's debt, each with a plan before the end
	// of November, paid week by week in November with bank slips.
	rect := &qingqian.Campaign{Kind: qingqian.CampaignRectify, Title: "国务院第八次大督查发现问题整改",
		Basis:     "省政府办公厅《关于印发国务院第八次大督查第三督查组发现问题整改方案的通知》",
		Scope:     qingqian.ScopeGroups,
		Checklist: []string{"经确认属于清欠范围未清偿完毕的账款逐笔制定清偿计划", "每周报送清偿进展，附支付凭证", "11月底前清偿完毕"},
		StartsOn:  qingqian.MustParseDate("2021-10-08"), TargetOn: qingqian.MustParseDate("2021-11-30"), Rhythm: qingqian.RhythmWeekly}
	if err := launch(rect, rect.StartsOn, []int64{rectGroups[0].ID, rectGroups[1].ID, rectGroups[2].ID}); err != nil {
		return err
	}
	debts = append(debts, selfFound)
	for i, it := range debts {
		l.at(qingqian.MustParseDate("2021-10-12"))
		half := it.Undisputed / 2
		ins := []qingqian.Instalment{{Due: qingqian.MustParseDate("2021-11-05").AddDays(i * 4), Amount: half, FundingSource: qingqian.FundingOwn},
			{Due: qingqian.MustParseDate("2021-11-19").AddDays(i * 2), Amount: it.Undisputed - half, FundingSource: qingqian.FundingOwn}}
		if _, err := s.Plans.RevisePlan(l.ctx, it.ID, qingqian.PlanInput{Reason: "大督查问题整改清偿计划", Instalments: ins}); err != nil {
			return fmt.Errorf("rectification plan: %w", err)
		}
	}
	if err := closeWith(correct, qingqian.MustParseDate("2021-10-15"), "8家监管企业完成自查自纠；"+g5.ShortName+"发现漏报欠款1笔35.2万元，已纳入整改；"+groups[7].ShortName+"逾期报送。"); err != nil {
		return err
	}
	for i, it := range debts {
		half := it.Undisputed / 2
		if err := l.repay(it.ID, qingqian.MustParseDate("2021-11-05").AddDays(i*4), half, qingqian.MethodTransfer, qingqian.PartUndisputed); err != nil {
			return err
		}
		if err := l.repay(it.ID, qingqian.MustParseDate("2021-11-19").AddDays(i*2), it.Undisputed-half, qingqian.MethodTransfer, qingqian.PartUndisputed); err != nil {
			return err
		}
	}
	for i, g := range rectGroups {
		if err := answer(rect, g, qingqian.MustParseDate("2021-11-26").AddDays(i), func(k int, item string) (string, string) {
			return []string{"已逐笔制定清偿计划。", "每周报送进展，附银行回单。", "整改范围内账款已于11月底前全部清偿。"}[k], ""
		}); err != nil {
			return err
		}
	}
	if err := l.closeClues2021(office, rectGroups); err != nil {
		return err
	}
	return closeWith(rect, qingqian.MustParseDate("2021-12-03"), "整改范围内经确认属于清欠范围的4笔账款均已于11月底前清偿完毕，凭证齐全；剩余账款均为司法程序中的有分歧账款。")
}

// complaints2021 registers the complaints the inspection forwarded in September 2021, one for
// each group: verified true, the debt recorded from the clue and its cause given.
func (l *loader) complaints2021(office context.Context, gs []*qingqian.Org) ([]*qingqian.Item, error) {
	s := l.s
	texts := []struct {
		claimed  qingqian.Money
		text     string
		contract string
		kind     qingqian.ItemKind
		arisen   string
		cause    qingqian.Cause
		note     string
	}{
		{qingqian.Yuan(268_000), "反映安装工程款26.8万元完工验收后半年未付。", "设备安装工程合同", qingqian.KindWorks, "2021-03-31", qingqian.CauseUnsettled, "工程完工后未及时办理结算"},
		{qingqian.Yuan(95_000), "反映检测服务费9.5万元拖欠。", "水质检测服务合同", qingqian.KindServices, "2021-04-30", qingqian.CauseProcess, "付款审批流程过长"},
		{qingqian.Yuan(413_500), "反映劳务费41.35万元以业主未付款为由拒付。", "景区提升改造劳务分包合同", qingqian.KindWorks, "2021-06-15", qingqian.CauseUpstream, "业主方工程款未拨付，背靠背条款"},
	}
	var out []*qingqian.Item
	for i, g := range gs {
		x := texts[i]
		received := qingqian.MustParseDate("2021-09-06").AddDays(i)
		cr := l.creditors[30+i*3]
		l.at(received)
		c := &qingqian.Clue{Channel: qingqian.ChannelInspection, TransferNo: fmt.Sprintf("督查转〔2021〕%d号", 31+i), ReceivedOn: received,
			CreditorName: cr.Name, CreditorUSCC: cr.USCC, Respondent: g.Name, Claimed: x.claimed, Text: x.text}
		if err := s.Clues.CreateClue(office, c); err != nil {
			return nil, fmt.Errorf("2021 clue: %w", err)
		}
		l.at(received.AddDays(1))
		c, err := s.Clues.Assign(office, c.ID, qingqian.Assignment{OrgID: g.ID, ResponsibleLeader: g.LeaderName, ResponsiblePerson: g.LiaisonName,
			AssignedOn: received.AddDays(1), Version: c.Version})
		if err != nil {
			return nil, fmt.Errorf("assign 2021 clue: %w", err)
		}
		lia := l.person(g, g.LiaisonName, qingqian.RoleLiaison)
		l.at(received.AddDays(8))
		if c, err = s.Clues.Verify(lia, c.ID, qingqian.Verification{Conclusion: qingqian.ConclusionTrue, Finding: "属实，该笔款项未列入台账。", Version: c.Version}); err != nil {
			return nil, fmt.Errorf("verify 2021 clue: %w", err)
		}
		it := &qingqian.Item{OrgID: g.ID, ContractNo: fmt.Sprintf("SF-HT-2021-%04d", 700+i), ContractName: x.contract, Kind: x.kind,
			ArisenOn: qingqian.MustParseDate(x.arisen), DueOn: qingqian.MustParseDate(x.arisen).AddDays(30), Undisputed: x.claimed,
			FundingSource: qingqian.FundingOwn, Responsible: "财务部"}
		if c, err = s.Clues.CreateItemFromClue(lia, c.ID, it, c.Version); err != nil {
			return nil, fmt.Errorf("2021 clue's debt: %w", err)
		}
		if _, err := s.Causes.SetCause(lia, qingqian.SubjectClue, c.ID, qingqian.CauseInput{Cause: x.cause, Note: x.note}); err != nil {
			return nil, fmt.Errorf("2021 clue's cause: %w", err)
		}
		l.clues2021 = append(l.clues2021, c.ID)
		out = append(out, it)
	}
	return out, nil
}

// closeClues2021 closes the 2021 clues once their debts are paid, and answers the complainants.
func (l *loader) closeClues2021(office context.Context, gs []*qingqian.Org) error {
	for i, id := range l.clues2021 {
		on := qingqian.MustParseDate("2021-12-01").AddDays(i)
		l.at(on)
		c, err := l.s.Clues.FindClue(office, id)
		if err != nil {
			return err
		}
		if c, err = l.s.Clues.Close(office, id, c.Version); err != nil {
			return fmt.Errorf("close 2021 clue: %w", err)
		}
		if _, err = l.s.Clues.RecordFeedback(office, id, on, "已书面告知投诉人款项已付清并附支付凭证。", qingqian.Date{}, "", c.Version); err != nil {
			return fmt.Errorf("2021 clue feedback: %w", err)
		}
	}
	return nil
}

// causes gives today's verified clues and some of the new arrears their causes, recorded by
// the system on the day the demo loads.
func (l *loader) causes(living []*qingqian.Item) error {
	l.at(qingqian.Today())
	cs, _, err := l.s.Clues.FindClues(l.ctx, qingqian.ClueFilter{Limit: 500})
	if err != nil {
		return err
	}
	reasons := []qingqian.CauseInput{{Cause: qingqian.CauseFunds, Note: "年度资金计划未安排"}, {Cause: qingqian.CauseProcess, Note: "合同未录入系统，付款未发起"},
		{Cause: qingqian.CauseAcceptance, Note: "竣工审计未完成"}, {Cause: qingqian.CauseDispute, Note: "对质保金返还时间理解不一"}}
	n := 0
	for _, c := range cs {
		if (c.State != qingqian.ClueVerified && c.State != qingqian.ClueClosed) || !c.Conclusion.InScope() || c.ReceivedOn.Year() < 2022 {
			continue
		}
		if _, err := l.s.Causes.SetCause(l.ctx, qingqian.SubjectClue, c.ID, reasons[n%len(reasons)]); err != nil {
			return fmt.Errorf("clue cause: %w", err)
		}
		n++
	}
	for i, it := range living {
		if it.Origin != qingqian.OriginNew || i%2 == 1 {
			continue
		}
		if _, err := l.s.Causes.SetCause(l.ctx, qingqian.SubjectItem, it.ID, reasons[(i/2)%len(reasons)]); err != nil {
			return fmt.Errorf("item cause: %w", err)
		}
	}
	return nil
}
