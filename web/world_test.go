package web_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

const testPassword = "Qingqian-2019"

// world adds people and ledger data to an env: one user per role, an item in each group, a
// voucher of group B.
type world struct {
	itemA, itemB       int64
	entryA             int64
	voucherA, voucherB string
	users              map[string]*qingqian.User
	// Reporting and supervision of group A: a period opened by the office, A's prepared
	// submission, a notice and an interview with one commitment.
	period, submissionA, noticeA, interviewA, commitmentA int64
	// A complaint clue assigned to group A, and a court case of group A.
	clueA, caseA int64
	// A creditor group A registered and alone uses; B's request to change the shared creditor.
	creditorA, changeB int64
	// A self-check launched to group A with A's prepared answer, and a circular sent to A.
	campaignA, answerA, circularA int64
	// A contract of group A's with its own supplier, and its yearly disclosure (a draft).
	contractA, disclosureA int64
	eventA                 int64 // an open dispute on contractA
	// A bill handed over on group A's item, not yet due, and a line of A's bank statement.
	billA, lineA int64
	statementA   int64
	// A confirmation letter the office sent for group A's repayment.
	letterA int64
}

func newWorld(t *testing.T, db *sqldb.DB, e *env) *world {
	t.Helper()
	sqldb.Argon2Memory = 1024
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
	users := sqldb.NewUserService(db)
	w := &world{users: map[string]*qingqian.User{}}
	for _, u := range []struct {
		name string
		org  *qingqian.Org
		role qingqian.Role
	}{
		{"admin", e.root, qingqian.RoleAdmin}, {"secadmin", e.root, qingqian.RoleSecAdmin}, {"auditadmin", e.root, qingqian.RoleAuditAdmin},
		{"supervisor", e.root, qingqian.RoleSupervisor}, {"observer", e.root, qingqian.RoleObserver},
		{"auditor", e.root, qingqian.RoleAuditor}, {"liaison", e.a, qingqian.RoleLiaison}, {"reviewer", e.a, qingqian.RoleReviewer},
		{"clerk_a", e.a, qingqian.RoleClerk}, {"clerk_b", e.b, qingqian.RoleClerk},
	} {
		user := &qingqian.User{Username: u.name, Name: u.name, OrgID: u.org.ID, Roles: []qingqian.Role{u.role}}
		if err := users.CreateUser(sys, user, testPassword); err != nil {
			t.Fatal(err)
		}
		w.users[u.name] = user
	}
	items := sqldb.NewItemService(db)
	mk := func(org *qingqian.Org, name string) int64 {
		it := &qingqian.Item{OrgID: org.ID, CreditorID: e.creditor.ID, ContractName: name, ContractNo: "HT-1", Kind: qingqian.KindWorks,
			ArisenOn: qingqian.MustParseDate("2019-01-10"), Undisputed: qingqian.Yuan(1000), Origin: qingqian.OriginBaseline}
		if err := items.CreateItem(sys, it); err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	w.itemA, w.itemB = mk(e.a, "甲集团欠款"), mk(e.b, "乙集团欠款")
	clerkB := qingqian.NewContext(context.Background(), w.users["clerk_b"].Actor())
	v, err := sqldb.NewVoucherService(db).StoreVoucher(clerkB, "b.pdf", bytes.NewReader([]byte("%PDF-1.4 乙\n")))
	if err != nil {
		t.Fatal(err)
	}
	w.voucherB = v.SHA256
	clerkA := qingqian.NewContext(context.Background(), w.users["clerk_a"].Actor())
	va, err := sqldb.NewVoucherService(db).StoreVoucher(clerkA, "a.pdf", bytes.NewReader([]byte("%PDF-1.4 甲\n")))
	if err != nil {
		t.Fatal(err)
	}
	w.voucherA = va.SHA256
	ea, err := sqldb.NewEntryService(db).RecordEntry(clerkA, qingqian.EntryInput{ItemID: w.itemA, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"),
		Amount: qingqian.Yuan(1), Method: qingqian.MethodTransfer, Vouchers: []string{va.SHA256}})
	if err != nil {
		t.Fatal(err)
	}
	w.entryA = ea.ID
	if _, err := sqldb.NewEntryService(db).RecordEntry(clerkB, qingqian.EntryInput{ItemID: w.itemB, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"),
		Amount: qingqian.Yuan(1), Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}}); err != nil {
		t.Fatal(err)
	}
	office := qingqian.NewContext(context.Background(), w.users["supervisor"].Actor())
	p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-02-28"), Deadline: qingqian.Today().AddDays(10)}
	reports := sqldb.NewReportService(db)
	if err := reports.OpenPeriod(office, p); err != nil {
		t.Fatal(err)
	}
	w.period = p.ID
	liaison := qingqian.NewContext(context.Background(), w.users["liaison"].Actor())
	sub, err := reports.Prepare(liaison, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "二月清偿一元"})
	if err != nil {
		t.Fatal(err)
	}
	w.submissionA = sub.ID
	sv := sqldb.NewSupervisionService(db)
	n := &qingqian.Notice{OrgID: e.a.ID, Reason: "进度滞后", Actions: "加快清偿", Deadline: qingqian.Today().AddDays(10)}
	if err := sv.IssueNotice(office, n); err != nil {
		t.Fatal(err)
	}
	w.noticeA = n.ID
	iv := &qingqian.Interview{OrgID: e.a.ID, HeldOn: qingqian.Today(), Level: qingqian.LevelLeader, Participants: "清欠办、甲集团分管领导",
		Minutes: "督促清偿", Commitments: []qingqian.Commitment{{Text: "月底前清偿", DueOn: qingqian.Today().AddDays(20)}}}
	if err := sv.RecordInterview(office, iv); err != nil {
		t.Fatal(err)
	}
	w.interviewA, w.commitmentA = iv.ID, iv.Commitments[0].ID
	clues := sqldb.NewClueService(db)
	c := &qingqian.Clue{Channel: qingqian.ChannelDirect, ReceivedOn: qingqian.Today(), CreditorName: e.creditor.Name, CreditorUSCC: e.creditor.USCC,
		Respondent: "甲集团", Claimed: qingqian.Yuan(999), Text: "货款未付"}
	if err := clues.CreateClue(office, c); err != nil {
		t.Fatal(err)
	}
	if _, err := clues.Assign(office, c.ID, qingqian.Assignment{OrgID: e.a.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务", Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	w.clueA = c.ID
	k := &qingqian.Case{Kind: qingqian.CaseLitigation, Body: "示范市中级人民法院", CaseNo: "（2019）示01民初1号", FiledOn: qingqian.MustParseDate("2019-03-01"), Items: []int64{w.itemA}}
	if err := sqldb.NewCaseService(db).CreateCase(liaison, k); err != nil {
		t.Fatal(err)
	}
	w.caseA = k.ID
	own := &qingqian.Creditor{Name: "甲集团自有供应商有限公司", USCC: "91110108MA01C9BP27", Ownership: qingqian.OwnershipPrivate}
	if err := sqldb.NewCreditorService(db).CreateCreditor(clerkA, own); err != nil {
		t.Fatal(err)
	}
	w.creditorA = own.ID
	kA := &qingqian.Contract{OrgID: e.a.ID, CreditorID: own.ID, No: "HT-A-1", Name: "设备采购", Kind: qingqian.KindGoods, Buyer: qingqian.BuyerLarge,
		SignedOn: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(100_000), SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
	if err := sqldb.NewContractService(db).CreateContract(clerkA, kA); err != nil {
		t.Fatal(err)
	}
	w.contractA = kA.ID
	evA := &qingqian.ContractEvent{ContractID: kA.ID, Kind: qingqian.EventDispute, On: qingqian.MustParseDate("2025-08-01"), Amount: qingqian.Yuan(10_000)}
	if err := sqldb.NewContractService(db).AddContractEvent(clerkA, evA); err != nil {
		t.Fatal(err)
	}
	w.eventA = evA.ID
	dA := &qingqian.Disclosure{OrgID: e.a.ID, Year: 2025, Note: "无逾期"}
	if err := sqldb.NewDisclosureService(db).PrepareDisclosure(clerkA, dA); err != nil {
		t.Fatal(err)
	}
	w.disclosureA = dA.ID
	bA, err := sqldb.NewBillService(db).RecordBill(clerkA, qingqian.BillInput{ItemID: w.itemA, Kind: qingqian.BillCommercial, No: "CB-A-1",
		Amount: qingqian.Yuan(100), IssuedOn: qingqian.MustParseDate("2019-03-01"), HandedOn: qingqian.MustParseDate("2019-03-01"),
		MaturesOn: qingqian.Today().AddDays(30), Acceptor: "示范银行"})
	if err != nil {
		t.Fatal(err)
	}
	w.billA = bA.ID
	statements := sqldb.NewStatementService(db)
	reviewerA := qingqian.NewContext(context.Background(), w.users["reviewer"].Actor())
	file, err := statements.SpoolStatement(reviewerA, "对账单.csv", strings.NewReader("交易日期,借方发生额,对方户名,流水号\n2019-02-01,5.00,"+e.creditor.Name+",W-A-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	sres, err := statements.ImportStatement(reviewerA, qingqian.StatementImport{OrgID: e.a.ID, FileSHA256: file.SHA256, FileName: file.Name})
	if err != nil || sres.Statement == nil {
		t.Fatalf("statement of A: %+v %v", sres, err)
	}
	w.statementA = sres.Statement.ID
	rec, err := statements.Reconcile(clerkA, e.a.ID, 0)
	if err != nil || len(rec.UnmatchedLines) != 1 {
		t.Fatalf("statement of A: %+v %v", rec, err)
	}
	w.lineA = rec.UnmatchedLines[0].ID
	region := "乙市"
	ch, err := sqldb.NewCreditorService(db).RequestCreditorChange(clerkB, e.creditor.ID, qingqian.CreditorUpdate{Region: &region}, "注册地址变更")
	if err != nil {
		t.Fatal(err)
	}
	w.changeB = ch.ID
	camp := &qingqian.Campaign{Kind: qingqian.CampaignSelfCheck, Title: "清欠自查", StartsOn: qingqian.Today(), TargetOn: qingqian.Today().AddDays(20)}
	if err := sqldb.NewCampaignService(db).LaunchCampaign(office, camp, []int64{e.a.ID}); err != nil {
		t.Fatal(err)
	}
	var fs []qingqian.Finding
	for i := range camp.Checklist {
		fs = append(fs, qingqian.Finding{Seq: i + 1, Finding: "已核实"})
	}
	ans, err := sqldb.NewCampaignService(db).PrepareAnswer(liaison, camp.ID, qingqian.AnswerInput{Findings: fs})
	if err != nil {
		t.Fatal(err)
	}
	w.campaignA, w.answerA = camp.ID, ans.ID
	circ := &qingqian.Circular{Title: "关于开展清欠自查的通知", Body: "请认真开展自查。", Target: qingqian.TargetChosen}
	if err := sqldb.NewCircularService(db).SendCircular(office, circ, []int64{e.a.ID}); err != nil {
		t.Fatal(err)
	}
	w.circularA = circ.ID
	b, err := sqldb.NewLetterService(db).IssueLetters(office, qingqian.LetterSelection{Mode: qingqian.SelectCreditor, OrgID: e.a.ID,
		CreditorID: e.creditor.ID, ReplyBy: qingqian.Today().AddDays(15)})
	if err != nil {
		t.Fatal(err)
	}
	w.letterA = b.Letters[0].ID
	return w
}
