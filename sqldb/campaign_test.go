package sqldb_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func auditCount(t *testing.T, f *fixture, action string) int {
	t.Helper()
	_, n, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: action, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func findings(n int, text string) []qingqian.Finding {
	var out []qingqian.Finding
	for i := 1; i <= n; i++ {
		out = append(out, qingqian.Finding{Seq: i, Finding: text})
	}
	return out
}

// A self-check is launched to every group, answered item by item with what the ledger recorded
// meanwhile computed, signed off by the group's leaders, followed by the office and closed.
func TestCampaignLifeCycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cs := sqldb.NewCampaignService(db)
		f.at("2020-06-01 09:00")
		repaid := f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2020-05-20", qingqian.Yuan(100_000))

		c := &qingqian.Campaign{Kind: qingqian.CampaignSelfCheck, Title: "2020年第一次清欠自查", Basis: "关于做好监管企业2020年清欠工作的通知",
			Scope: qingqian.ScopeSubsidiaries, StartsOn: qingqian.MustParseDate("2020-06-01"), TargetOn: qingqian.MustParseDate("2020-06-30")}
		wantCode(t, cs.LaunchCampaign(f.liaisonA, c, nil), qingqian.EFORBIDDEN)
		bad := &qingqian.Campaign{Kind: "audit", StartsOn: qingqian.MustParseDate("2020-06-01"), TargetOn: qingqian.MustParseDate("2020-05-01")}
		fs := qingqian.ErrorFields(cs.LaunchCampaign(f.office, bad, nil))
		for _, k := range []string{"kind", "title", "target_on"} {
			if fs[k] == "" {
				t.Errorf("bad campaign: no error on %s (%v)", k, fs)
			}
		}
		if err := cs.LaunchCampaign(f.office, c, nil); err != nil {
			t.Fatal(err)
		}
		if len(c.Units) != 2 || len(c.Checklist) != len(qingqian.DefaultChecklist) || c.Rhythm != qingqian.RhythmNone || c.State != qingqian.CampaignOpen {
			t.Fatalf("launched %+v", c)
		}
		// Group B sees the campaign and only its own row.
		got, err := cs.FindCampaign(f.liaisonB, c.ID)
		if err != nil || len(got.Units) != 1 || got.Units[0].OrgID != f.groupB.ID {
			t.Fatalf("B sees %+v %v", got, err)
		}

		// A's subsidiary finds a debt missing from its ledger and a repayment that was not real.
		f.at("2020-06-10 09:00")
		self := &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractNo: "ZC-2020-1", ContractName: "物业服务合同",
			Kind: qingqian.KindServices, ArisenOn: qingqian.MustParseDate("2019-10-31"), Undisputed: qingqian.Yuan(60_000),
			Origin: qingqian.OriginSelfCheck, FundingSource: qingqian.FundingOwn}
		if err := f.items.CreateItem(f.liaisonA, self); err != nil {
			t.Fatal(err)
		}
		if _, err := f.entries.ReverseEntry(f.liaisonA, qingqian.EntryInput{ReversesID: repaid.ID, Reason: "自查发现未实际支付"}); err != nil {
			t.Fatal(err)
		}

		// Every item answered, else the missing one is named.
		_, err = cs.PrepareAnswer(f.liaisonA, c.ID, qingqian.AnswerInput{Findings: findings(2, "已核实")})
		if fs := qingqian.ErrorFields(err); fs["findings.2.finding"] == "" || fs["findings.0.finding"] != "" {
			t.Fatalf("incomplete answer: %v", err)
		}
		_, err = cs.PrepareAnswer(f.reviewerA, c.ID, qingqian.AnswerInput{Findings: findings(7, "已核实")})
		wantCode(t, err, qingqian.EFORBIDDEN)
		x, err := cs.PrepareAnswer(f.liaisonA, c.ID, qingqian.AnswerInput{Findings: findings(7, "已逐笔核实")})
		if err != nil {
			t.Fatal(err)
		}
		if x.State != qingqian.StatePrepared || x.FoundItems != 1 || x.Found != qingqian.Yuan(60_000) || x.ReversedCount != 1 || x.Reversed != qingqian.Yuan(100_000) {
			t.Fatalf("answer %+v", x)
		}
		// Group B can neither read nor sign A's answer.
		_, err = cs.FindAnswer(f.liaisonB, x.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		_, err = cs.SignAnswer(f.reviewerB, x.ID, qingqian.ActReview, "", x.Version)
		wantCode(t, err, qingqian.ENOTFOUND)
		// Returned with a reason, prepared again, reviewed and approved by two other people.
		_, err = cs.SignAnswer(f.reviewerA, x.ID, qingqian.ActReturn, "", x.Version)
		if qingqian.ErrorFields(err)["note"] == "" {
			t.Fatalf("return without a reason: %v", err)
		}
		x, err = cs.SignAnswer(f.reviewerA, x.ID, qingqian.ActReturn, "补充长效机制情况", x.Version)
		if err != nil || x.State != qingqian.StateReturned {
			t.Fatalf("returned %+v %v", x, err)
		}
		_, err = cs.PrepareAnswer(f.liaisonA, c.ID, qingqian.AnswerInput{Findings: findings(7, "已补充"), Version: x.Version - 1})
		wantCode(t, err, qingqian.ECONFLICT)
		x, err = cs.PrepareAnswer(f.liaisonA, c.ID, qingqian.AnswerInput{Findings: findings(7, "已补充"), Version: x.Version})
		if err != nil {
			t.Fatal(err)
		}
		x = f.signAnswer(t, cs, x)
		if x.State != qingqian.StateApproved || len(x.Steps) != 5 {
			t.Fatalf("approved %+v", x)
		}
		_, err = cs.PrepareAnswer(f.liaisonA, c.ID, qingqian.AnswerInput{Findings: findings(7, "再改"), Version: x.Version})
		wantCode(t, err, qingqian.ECONFLICT)

		// After the target the office sees B late, A answered with its figures.
		f.at("2020-07-01 09:00")
		got, err = cs.FindCampaign(f.office, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range got.Units {
			switch u.OrgID {
			case f.groupA.ID:
				if u.Late || u.State != qingqian.StateApproved || u.Found != qingqian.Yuan(60_000) || u.Reversed != qingqian.Yuan(100_000) {
					t.Errorf("A: %+v", u)
				}
			case f.groupB.ID:
				if !u.Late || u.State != qingqian.StateMissing {
					t.Errorf("B: %+v", u)
				}
			}
		}
		_, err = cs.CloseCampaign(f.office, c.ID, "", got.Version)
		if qingqian.ErrorFields(err)["summary"] == "" {
			t.Fatalf("close without a summary: %v", err)
		}
		_, err = cs.CloseCampaign(f.liaisonA, c.ID, "总结", got.Version)
		wantCode(t, err, qingqian.EFORBIDDEN)
		closed, err := cs.CloseCampaign(f.office, c.ID, "甲集团发现漏报1笔、冲正虚假清偿1笔；乙集团逾期未报。", got.Version)
		if err != nil || closed.State != qingqian.CampaignClosed || !closed.Units[1].Late || closed.Units[0].Late {
			t.Fatalf("closed %+v %v", closed, err)
		}
		_, err = cs.PrepareAnswer(f.liaisonB, c.ID, qingqian.AnswerInput{Findings: findings(7, "迟到")})
		wantCode(t, err, qingqian.ECONFLICT)
		for _, a := range []string{"campaign.launch", "campaign.prepare", "campaign.review", "campaign.approve", "campaign.return", "campaign.close"} {
			if auditCount(t, f.fixture, a) == 0 {
				t.Errorf("no audit record %s", a)
			}
		}
		if list, err := cs.FindCampaigns(f.liaisonB); err != nil || len(list) != 1 {
			t.Fatalf("B's campaigns %v %v", list, err)
		}
		if xs, err := cs.FindAnswers(f.office, c.ID); err != nil || len(xs) != 1 || len(xs[0].Steps) != 5 {
			t.Fatalf("answers %v %v", xs, err)
		}
	})
}

func (f *reportFixture) signAnswer(t *testing.T, cs *sqldb.CampaignService, x *qingqian.CampaignAnswer) *qingqian.CampaignAnswer {
	t.Helper()
	_, err := cs.SignAnswer(f.liaisonA, x.ID, qingqian.ActReview, "", x.Version)
	wantCode(t, err, qingqian.EFORBIDDEN)
	x, err = cs.SignAnswer(f.reviewerA, x.ID, qingqian.ActReview, "情况属实", x.Version)
	if err != nil {
		t.Fatalf("review: %v", err)
	}
	_, err = cs.SignAnswer(f.reviewerA, x.ID, qingqian.ActApprove, "", x.Version)
	wantCode(t, err, qingqian.ECONFLICT) // the reviewer cannot approve too
	x, err = cs.SignAnswer(f.principal, x.ID, qingqian.ActApprove, "同意", x.Version)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return x
}

// A rectification's burn-down follows the undisputed outstanding of the debts in scope week by
// week and names the units whose debts have no plan ending by the target.
func TestRectificationBurnDown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cs := sqldb.NewCampaignService(db)
		f.at("2021-10-08 09:00")
		c := &qingqian.Campaign{Kind: qingqian.CampaignRectify, Title: "第八次大督查发现问题整改", Rhythm: qingqian.RhythmWeekly,
			StartsOn: qingqian.MustParseDate("2021-10-08"), TargetOn: qingqian.MustParseDate("2021-11-30")}
		if err := cs.LaunchCampaign(f.office, c, []int64{f.groupA.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.plans.RevisePlan(f.liaisonA, f.itemA1.ID, qingqian.PlanInput{Reason: "整改计划", Instalments: []qingqian.Instalment{
			{Due: qingqian.MustParseDate("2021-10-31"), Amount: qingqian.Yuan(500_000), FundingSource: qingqian.FundingOwn},
			{Due: qingqian.MustParseDate("2021-11-20"), Amount: qingqian.Yuan(500_000), FundingSource: qingqian.FundingOwn}}}); err != nil {
			t.Fatal(err)
		}
		r, err := cs.Rectification(f.office, c.ID, qingqian.MustParseDate("2021-10-20"))
		if err != nil {
			t.Fatal(err)
		}
		// A1's debt is planned; A's own has no plan and will miss the target. B is not in scope.
		if len(r.Items) != 2 || !r.Items[0].Misses || r.Items[0].ItemID != f.itemA2.ID || r.Items[1].Misses || len(r.Missing) != 1 || r.Missing[0] != "甲集团" {
			t.Fatalf("rectification %+v", r)
		}
		if r.Points[0].Outstanding != qingqian.Yuan(1_300_000) || r.Points[len(r.Points)-1].On != qingqian.MustParseDate("2021-10-20") {
			t.Fatalf("points %+v", r.Points)
		}
		f.at("2021-11-30 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2021-10-29", qingqian.Yuan(500_000))
		f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2021-11-19", qingqian.Yuan(500_000))
		f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2021-11-26", qingqian.Yuan(300_000))
		r, err = cs.Rectification(f.office, c.ID, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		// Weekly from 8 October to the target: the disputed 200,000 of A1 is not counted.
		want := []int64{1_300_000, 1_300_000, 1_300_000, 800_000, 800_000, 800_000, 300_000, 0, 0}
		if len(r.Points) != len(want) {
			t.Fatalf("points %+v", r.Points)
		}
		for i, p := range r.Points {
			if p.Outstanding != qingqian.Yuan(want[i]) {
				t.Errorf("point %d (%s): %s, want %d", i, p.On, p.Outstanding, want[i])
			}
		}
		if len(r.Missing) != 0 {
			t.Errorf("missing %v", r.Missing)
		}
		// Group B's user cannot read it.
		_, err = cs.Rectification(f.liaisonB, c.ID, qingqian.Date{})
		wantCode(t, err, qingqian.ENOTFOUND)
	})
}

// A circular goes down with receipts: signed for once, replied, overdue when not, passed down a
// group's tree; another group sees nothing of it.
func TestCircularReceipts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cc := sqldb.NewCircularService(db)
		clerkA1 := person(f.subA1, 31, "甲一公司填报员", qingqian.RoleClerk)
		f.at("2021-08-02 09:00")
		c := &qingqian.Circular{No: "示国资清欠〔2021〕5号", Title: "转发省领导批示意见", Body: "请对上半年投诉举报情况进行梳理，举一反三。",
			ReplyRequired: true, ReplyBy: qingqian.MustParseDate("2021-08-16"), Target: qingqian.TargetChosen}
		wantCode(t, cc.SendCircular(f.liaisonA, c, []int64{f.groupA.ID}), qingqian.EFORBIDDEN)
		bad := &qingqian.Circular{ReplyRequired: true, ReplyBy: qingqian.MustParseDate("2021-08-01"), Target: qingqian.TargetChosen}
		fs := qingqian.ErrorFields(cc.SendCircular(f.office, bad, []int64{f.groupA.ID}))
		for _, k := range []string{"title", "body", "reply_by"} {
			if fs[k] == "" {
				t.Errorf("bad circular: no error on %s (%v)", k, fs)
			}
		}
		if fs := qingqian.ErrorFields(cc.SendCircular(f.office, &qingqian.Circular{Title: "x", Body: "y", Target: qingqian.TargetChosen}, nil)); fs["org_ids"] == "" {
			t.Fatalf("no recipients: %v", fs)
		}
		// The rule needs complaints: none in the last half-year.
		if fs := qingqian.ErrorFields(cc.SendCircular(f.office, &qingqian.Circular{Title: "x", Body: "y", Target: qingqian.TargetRule, RuleTop: 10}, nil)); fs["target"] == "" {
			t.Fatalf("rule without complaints: %v", fs)
		}
		// The office attaches a file; the recipients may open it, a unit not sent it may not.
		att, aerr := f.vouchers.StoreVoucher(f.office, "批示.pdf", strings.NewReader("%PDF-1.4 批示\n"))
		if aerr != nil {
			t.Fatal(aerr)
		}
		c.Attachments = []string{att.SHA256}
		if err := cc.SendCircular(f.office, c, []int64{f.groupA.ID}); err != nil {
			t.Fatal(err)
		}
		if _, rc, err := f.vouchers.OpenVoucher(f.liaisonB, att.SHA256); err == nil {
			rc.Close()
			t.Fatal("B opens an attachment of a circular it was not sent")
		}
		if _, rc, err := f.vouchers.OpenVoucher(f.liaisonA, att.SHA256); err != nil {
			t.Fatalf("A cannot open the attachment of a circular it was sent: %v", err)
		} else {
			rc.Close()
		}
		c.ID, c.Attachments = 0, nil
		if err := cc.SendCircular(f.office, c, []int64{f.groupA.ID, f.groupB.ID}); err != nil {
			t.Fatal(err)
		}
		if len(c.Receipts) != 2 {
			t.Fatalf("sent %+v", c)
		}
		_, err := cc.SignFor(clerkA1, c.ID) // A1 is not a recipient
		wantCode(t, err, qingqian.ENOTFOUND)
		got, err := cc.SignFor(f.liaisonA, c.ID)
		if err != nil || len(got.Receipts) != 1 || got.Receipts[0].ReadBy != "甲联络员" {
			t.Fatalf("signed %+v %v", got, err)
		}
		_, err = cc.SignFor(f.reviewerA, c.ID)
		wantCode(t, err, qingqian.ECONFLICT)
		_, err = cc.Reply(f.liaisonB, c.ID, " ")
		if qingqian.ErrorFields(err)["reply"] == "" {
			t.Fatalf("empty reply: %v", err)
		}
		if got, err = cc.Reply(f.liaisonB, c.ID, "已梳理上半年投诉2件，原因为项目未结算。"); err != nil || got.Receipts[0].ReadAt.IsZero() {
			t.Fatalf("replied %+v %v", got, err)
		}
		// A passes it down to its subsidiary, which sees it; B does not see A's copy.
		down, err := cc.PassDown(f.liaisonA, c.ID, qingqian.TargetAll, nil)
		if err != nil || down.ParentID != c.ID || len(down.Receipts) != 1 || down.Receipts[0].OrgID != f.subA1.ID || down.OrgID != f.groupA.ID {
			t.Fatalf("passed down %+v %v", down, err)
		}
		_, err = cc.PassDown(f.liaisonB, down.ID, qingqian.TargetAll, nil)
		wantCode(t, err, qingqian.ENOTFOUND)
		if list, err := cc.FindCirculars(clerkA1); err != nil || len(list) != 1 || list[0].ID != down.ID {
			t.Fatalf("A1's circulars %+v %v", list, err)
		}
		// After the date, A's missing reply is overdue; B's is not.
		f.at("2021-08-17 09:00")
		got, err = cc.FindCircular(f.office, c.ID)
		if err != nil || got.Overdue() != 1 || !got.Receipts[0].Overdue || got.Receipts[1].Overdue || got.Unread() != 0 {
			t.Fatalf("overdue %+v %v", got, err)
		}
		for _, a := range []string{"circular.send", "circular.sign", "circular.reply"} {
			if auditCount(t, f.fixture, a) == 0 {
				t.Errorf("no audit record %s", a)
			}
		}
	})
}

// Causes are recorded on verified clues and on items, and counted by group, kind and half-year;
// the rule of the circulars picks the groups with the most complaints.
func TestCauses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		causes := sqldb.NewCauseService(db)
		clues := sqldb.NewClueService(db)
		f.at("2021-03-01 09:00")
		_, err := causes.SetCause(f.liaisonA, qingqian.SubjectItem, f.itemA2.ID, qingqian.CauseInput{Cause: "weather"})
		if qingqian.ErrorFields(err)["cause"] == "" {
			t.Fatalf("unknown cause: %v", err)
		}
		_, err = causes.SetCause(f.liaisonA, qingqian.SubjectItem, f.itemA2.ID, qingqian.CauseInput{Cause: qingqian.CauseOther})
		if qingqian.ErrorFields(err)["note"] == "" {
			t.Fatalf("other without a note: %v", err)
		}
		_, err = causes.SetCause(f.liaisonB, qingqian.SubjectItem, f.itemA2.ID, qingqian.CauseInput{Cause: qingqian.CauseFunds})
		wantCode(t, err, qingqian.ENOTFOUND)
		_, err = causes.SetCause(f.officeObserver, qingqian.SubjectItem, f.itemA2.ID, qingqian.CauseInput{Cause: qingqian.CauseFunds})
		wantCode(t, err, qingqian.EFORBIDDEN)
		r, err := causes.SetCause(f.liaisonA, qingqian.SubjectItem, f.itemA2.ID, qingqian.CauseInput{Cause: qingqian.CauseFunds, Note: "专项资金未到位"})
		if err != nil || r.Cause != qingqian.CauseFunds || r.ItemKind != qingqian.KindWorks || r.OrgID != f.groupA.ID {
			t.Fatalf("set %+v %v", r, err)
		}
		// Changed, not added.
		if r, err = causes.SetCause(f.liaisonA, qingqian.SubjectItem, f.itemA2.ID, qingqian.CauseInput{Cause: qingqian.CauseUnsettled}); err != nil || r.Cause != qingqian.CauseUnsettled {
			t.Fatalf("changed %+v %v", r, err)
		}

		// A clue gets its cause once verified.
		clue := &qingqian.Clue{Channel: qingqian.ChannelPlatform, ReceivedOn: qingqian.MustParseDate("2021-03-01"), CreditorName: "某某建材有限公司",
			CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(80_000), Text: "货款8万元未付。"}
		if err := clues.CreateClue(f.office, clue); err != nil {
			t.Fatal(err)
		}
		clue, err = clues.Assign(f.office, clue.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "副总经理", ResponsiblePerson: "财务部", Version: clue.Version})
		if err != nil {
			t.Fatal(err)
		}
		_, err = causes.SetCause(f.liaisonA, qingqian.SubjectClue, clue.ID, qingqian.CauseInput{Cause: qingqian.CauseUpstream})
		wantCode(t, err, qingqian.ECONFLICT)
		if _, err = clues.Verify(f.liaisonA, clue.ID, qingqian.Verification{Conclusion: qingqian.ConclusionTrue, Finding: "属实", Version: clue.Version}); err != nil {
			t.Fatal(err)
		}
		_, err = causes.SetCause(f.liaisonB, qingqian.SubjectClue, clue.ID, qingqian.CauseInput{Cause: qingqian.CauseUpstream})
		wantCode(t, err, qingqian.ENOTFOUND)
		if _, err = causes.SetCause(f.liaisonA, qingqian.SubjectClue, clue.ID, qingqian.CauseInput{Cause: qingqian.CauseUpstream, Note: "业主未拨付工程款"}); err != nil {
			t.Fatal(err)
		}
		if r, err := causes.FindCause(f.liaisonB, qingqian.SubjectClue, clue.ID); err != nil || r != nil {
			t.Fatalf("B reads A's cause: %+v %v", r, err)
		}
		an, err := causes.AnalyseCauses(f.office, qingqian.MustParseDate("2021-06-30"), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(an.ByGroup) != 1 || an.ByGroup[0].Total != 2 || an.ByGroup[0].Counts[qingqian.CauseUpstream] != 1 {
			t.Fatalf("by group %+v", an.ByGroup)
		}
		if len(an.ByKind) != 2 || an.ByKind[0].Key != "works" || an.ByKind[1].Key != "unknown" {
			t.Fatalf("by kind %+v", an.ByKind)
		}
		if an.Period != qingqian.PeriodHalf || len(an.ByPeriod) != 2 || an.ByPeriod[0].Name != "2018下半年" || an.ByPeriod[1].Name != "2021上半年" {
			t.Fatalf("by half %+v", an.ByPeriod)
		}
		// The records name the clue and the item by their numbers.
		recs, err := causes.FindCauses(f.office)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Subject == qingqian.SubjectClue && r.SubjectNo != clue.No {
				t.Fatalf("the clue's cause is numbered %q, want %q", r.SubjectNo, clue.No)
			}
		}
		// By quarter: the clue of March is in 2021's first quarter, and the trend compares the
		// second quarter (none) with the first (one): not rising.
		q, err := causes.AnalyseCauses(f.office, qingqian.MustParseDate("2021-06-30"), qingqian.PeriodQuarter)
		if err != nil {
			t.Fatal(err)
		}
		if q.ByPeriod[len(q.ByPeriod)-1].Name != "2021年第1季度" || len(q.Trends) != 1 || q.Trends[0].Rising || q.Trends[0].Before != 1 {
			t.Fatalf("by quarter %+v trends %+v", q.ByPeriod, q.Trends)
		}
		if _, err := causes.AnalyseCauses(f.office, qingqian.MustParseDate("2021-06-30"), "week"); qingqian.ErrorFields(err)["period"] == "" {
			t.Fatalf("a week: %v", err)
		}
		if len(an.Trends) != 1 || !an.Trends[0].Rising || an.Trends[0].Recent != 1 || an.Trends[0].OrgID != f.groupA.ID {
			t.Fatalf("trends %+v", an.Trends)
		}
		if an, err := causes.AnalyseCauses(f.liaisonB, qingqian.MustParseDate("2021-06-30"), ""); err != nil || len(an.ByGroup) != 0 {
			t.Fatalf("B's analysis %+v %v", an, err)
		}
		// The groups with the most complaints: A only.
		cc := sqldb.NewCircularService(db)
		c := &qingqian.Circular{Title: "转发批示", Body: "举一反三", Target: qingqian.TargetRule, RuleTop: 10}
		if err := cc.SendCircular(f.office, c, nil); err != nil || len(c.Receipts) != 1 || c.Receipts[0].OrgID != f.groupA.ID {
			t.Fatalf("rule %+v %v", c, err)
		}
		// The groups whose complaints rose over the half-year: A (none before, one since).
		rising := &qingqian.Circular{Title: "关于举一反三的通知", Body: "举一反三", Target: qingqian.TargetRising}
		if err := cc.SendCircular(f.office, rising, nil); err != nil || len(rising.Receipts) != 1 || rising.Receipts[0].OrgID != f.groupA.ID {
			t.Fatalf("rising %+v %v", rising, err)
		}
		if auditCount(t, f.fixture, "cause.set") != 3 {
			t.Errorf("cause.set records: %d", auditCount(t, f.fixture, "cause.set"))
		}
	})
}
