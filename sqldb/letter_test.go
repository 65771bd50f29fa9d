package sqldb_test

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The same candidates and seed draw the same sample; another seed another.
func TestLetterSampleReproduces(t *testing.T) {
	ids := []int64{3, 5, 8, 13, 21, 34, 55, 89, 144, 233}
	a, b := qingqian.Sample(ids, 4, 20260101), qingqian.Sample(ids, 4, 20260101)
	if !reflect.DeepEqual(a, b) || len(a) != 4 {
		t.Fatalf("samples %v and %v", a, b)
	}
	if c := qingqian.Sample(ids, 4, 7); reflect.DeepEqual(a, c) {
		t.Errorf("seeds 20260101 and 7 drew the same %v", a)
	}
	if all := qingqian.Sample(ids, 20, 1); !reflect.DeepEqual(all, ids) {
		t.Errorf("a sample larger than the candidates = %v", all)
	}
}

// Letters are issued by the office for the repayments above an amount, one per debtor unit and
// creditor; the office records a paper reply with its scan, the creditor replies online with the
// number and code; a disputed reply's finding is resolved by a reversal; the repaid amounts are
// summed by reply and the signals list what is left.
func TestLetterLifeCycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		ls := sqldb.NewLetterService(db)
		clues := sqldb.NewClueService(db)
		clerkA := as(f.groupA)
		f.at("2020-06-01 09:00")
		pdf := []byte("%PDF-1.4 回单\n")
		v, err := f.vouchers.StoreVoucher(f.liaisonA, "回单.pdf", bytes.NewReader(pdf))
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.entries.RecordEntry(f.liaisonA, qingqian.EntryInput{ItemID: f.itemA1.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2020-05-20"),
			Amount: qingqian.Yuan(100_000), Method: qingqian.MethodTransfer, VoucherNo: "HD-001", Vouchers: []string{v.SHA256}})
		if err != nil {
			t.Fatal(err)
		}
		e2 := f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-05-25", qingqian.Yuan(50_000))
		f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-05-26", qingqian.Yuan(1_000))
		eB := f.MustRepay(t, f.liaisonB, f.itemB.ID, "2020-05-27", qingqian.Yuan(30_000))

		replyBy := qingqian.MustParseDate("2020-06-30")
		sel := qingqian.LetterSelection{Mode: qingqian.SelectAbove, MinAmount: qingqian.Yuan(40_000), OrgID: f.groupA.ID, ReplyBy: replyBy}
		_, err = ls.IssueLetters(clerkA, sel)
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = ls.IssueLetters(f.liaisonB, sel)
		wantCode(t, err, qingqian.EINVALID) // A is not in B's reach
		fs := qingqian.ErrorFields(func() error {
			_, err := ls.IssueLetters(f.office, qingqian.LetterSelection{Mode: qingqian.SelectSample, ReplyBy: qingqian.MustParseDate("2020-05-01")})
			return err
		}())
		if fs["sample_size"] == "" || fs["reply_by"] == "" {
			t.Errorf("bad selection: %v", fs)
		}
		before := count(t, db, "letters")
		b, err := ls.IssueLetters(f.office, sel)
		if err != nil {
			t.Fatal(err)
		}
		if b.Candidates != 2 || len(b.Letters) != 2 {
			t.Fatalf("batch: %d candidates, %d letters", b.Candidates, len(b.Letters))
		}
		// The group's own unit comes before its subsidiary.
		l2, l1 := b.Letters[0], b.Letters[1]
		if l2.OrgID != f.groupA.ID || l1.OrgID != f.subA1.ID || l1.No != "询证〔2020〕第0002号" || l2.No != "询证〔2020〕第0001号" ||
			l1.Code == "" || l1.Total != qingqian.Yuan(100_000) || len(l1.Lines) != 1 || l1.Lines[0].VoucherNo != "HD-001" || l1.State != qingqian.LetterSent {
			t.Fatalf("letters %+v %+v", l1, l2)
		}
		if count(t, db, "letters") != before+2 || auditCount(t, f.fixture, "letter.issue") != 2 {
			t.Error("letters or their audit records not written")
		}
		// Asked once: the same selection again finds nothing.
		_, err = ls.IssueLetters(f.office, sel)
		wantCode(t, err, qingqian.EINVALID)

		// The debtor's group sees its letters without their codes; B sees none of them.
		got, err := ls.FindLetter(f.liaisonA, l1.ID)
		if err != nil || got.Code != "" {
			t.Fatalf("A sees %+v %v", got, err)
		}
		_, err = ls.FindLetter(f.liaisonB, l1.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		list, n, err := ls.FindLetters(f.liaisonB, qingqian.LetterFilter{})
		if err != nil || n != 0 || len(list) != 0 {
			t.Fatalf("B lists %d letters %v", n, err)
		}

		// The debtor does not record its own confirmation; the office does, with the scan.
		f.at("2020-06-10 09:00")
		reply := qingqian.ReplyInput{Result: qingqian.LetterConfirmed, RepliedOn: qingqian.MustParseDate("2020-06-09"), Version: 1}
		_, err = ls.RecordReply(f.liaisonA, l1.ID, reply)
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = ls.RecordReply(f.office, l1.ID, reply)
		wantCode(t, err, qingqian.EINVALID)
		scan, err := f.vouchers.StoreVoucher(f.office, "回函.pdf", bytes.NewReader([]byte("%PDF-1.4 回函\n")))
		if err != nil {
			t.Fatal(err)
		}
		reply.Voucher = scan.SHA256
		l1, err = ls.RecordReply(f.office, l1.ID, reply)
		if err != nil || l1.State != qingqian.LetterConfirmed || l1.CreditorTotal != l1.Total || l1.FindingState != qingqian.FindingNone {
			t.Fatalf("confirmed %+v %v", l1, err)
		}
		_, err = ls.RecordReply(f.office, l1.ID, reply)
		wantCode(t, err, qingqian.ECONFLICT)

		// The creditor replies online: a wrong code is refused and counted, the right one shows
		// that letter only.
		web := qingqian.WithSource(context.Background(), "203.0.113.7")
		_, err = ls.PublicLetter(web, l2.No, "WRONGCODE2")
		wantCode(t, err, qingqian.ENOTFOUND)
		pub, err := ls.PublicLetter(web, l2.No, strings.ToLower(l2.Code))
		if err != nil || pub.Code != "" || pub.ID != l2.ID || pub.Lines[0].ItemID != 0 {
			t.Fatalf("public letter %+v %v", pub, err)
		}
		pub, err = ls.PublicReply(web, l2.No, l2.Code, qingqian.ReplyInput{Result: qingqian.LetterDisputed,
			Amounts: map[int64]qingqian.Money{e2.ID: qingqian.Yuan(40_000)}, Note: "只收到4万元", Version: 1})
		if err != nil || pub.State != qingqian.LetterDisputed || pub.Difference != qingqian.Yuan(10_000) {
			t.Fatalf("public reply %+v %v", pub, err)
		}
		l2, _ = ls.FindLetter(f.office, l2.ID)
		if l2.FindingState != qingqian.FindingOpen || l2.ReplyChannel != qingqian.ReplyByCreditor || *l2.Lines[0].CreditorAmount != qingqian.Yuan(40_000) {
			t.Fatalf("disputed letter %+v", l2)
		}
		list, n, err = ls.FindLetters(f.office, qingqian.LetterFilter{Finding: qingqian.FindingOpen})
		if err != nil || n != 1 || list[0].ID != l2.ID {
			t.Fatalf("open findings: %d %v", n, err)
		}

		// The signals see the dispute and the repayments without vouchers.
		rep, err := sqldb.NewSignalService(db).Signals(f.office, 0, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		sig := map[string]*qingqian.Signal{}
		for _, s := range rep.Signals {
			sig[s.Key] = s
		}
		if s := sig["letter_disputed"]; s.Count != 1 || s.Amount != qingqian.Yuan(10_000) || s.Hits[0].Link == "" {
			t.Errorf("disputed signal %+v", s)
		}
		if s := sig["no_voucher"]; s.Count != 3 || s.Amount != qingqian.Yuan(81_000) {
			t.Errorf("no voucher signal %+v", s)
		}
		// B's own view holds B's alone.
		repB, err := sqldb.NewSignalService(db).Signals(f.liaisonB, 0, qingqian.Date{})
		if err != nil || repB.Signals[0].Count != 1 || repB.Signals[0].Hits[0].Amount != qingqian.Yuan(30_000) {
			t.Fatalf("B's signals %+v %v", repB, err)
		}
		_, err = sqldb.NewSignalService(db).Signals(f.liaisonB, f.groupA.ID, qingqian.Date{})
		wantCode(t, err, qingqian.ENOTFOUND)

		// Resolved by a reversal of the repayment asked, not by a clue of another creditor.
		other := &qingqian.Clue{Channel: qingqian.ChannelDirect, ReceivedOn: qingqian.MustParseDate("2020-06-10"), CreditorName: "另一家公司",
			CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(1), Text: "欠款未付"}
		if err := clues.CreateClue(f.office, other); err != nil {
			t.Fatal(err)
		}
		_, err = ls.ResolveFinding(f.office, l2.ID, qingqian.ResolveInput{Resolution: qingqian.ResolveClue, Ref: other.ID, Version: l2.Version})
		wantCode(t, err, qingqian.EINVALID)
		rev, err := f.entries.ReverseEntry(f.liaisonA, qingqian.EntryInput{Kind: qingqian.EntryReversal, ReversesID: e2.ID, Reason: "债权人回函不符，实付4万元"})
		if err != nil {
			t.Fatal(err)
		}
		l2, err = ls.ResolveFinding(f.office, l2.ID, qingqian.ResolveInput{Resolution: qingqian.ResolveReversal, Ref: rev.ID, Note: "冲正后按实付重新登记", Version: l2.Version})
		if err != nil || l2.FindingState != qingqian.FindingResolved || !strings.Contains(l2.ResolutionLink(), "#entry-") {
			t.Fatalf("resolved %+v %v", l2, err)
		}

		c, err := ls.Confirmations(f.office, 0, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		want := qingqian.Confirmations{Confirmed: qingqian.Yuan(100_000), ConfirmedCount: 1, Unconfirmed: qingqian.Yuan(31_000), UnconfirmedCount: 2}
		if *c != want {
			t.Errorf("confirmations = %+v, want %+v", *c, want)
		}
		_ = eB

		// Guessing codes stops the address, the right code too, as sign-in does.
		for range qingqian.DefaultPolicy().SourceMaxFailures {
			ls.PublicLetter(web, "询证〔2020〕第0009号", "AAAAAAAAAA")
		}
		_, err = ls.PublicLetter(web, l1.No, l1.Code)
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = ls.PublicLetter(qingqian.WithSource(context.Background(), "198.51.100.9"), l2.No, "WRONG")
		wantCode(t, err, qingqian.ENOTFOUND)
	})
}

// docs/domain.md lists every signal with its rule as the code has it.
func TestSignalRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile("../docs/domain.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sqldb.SignalRules() {
		if row := "| `" + s.Key + "` | " + s.Title + " | " + s.Rule + " |"; !strings.Contains(string(doc), row) {
			t.Errorf("docs/domain.md does not have the row %s", row)
		}
	}
}

// The signals over a ledger that does what auditors look for: a debt cleared just before the
// report date and found again after it, a back-dated repayment over the report date, one bank
// slip on two repayments, a zero report with an open complaint.
func TestSignalsOverTheLedger(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		f.at("2019-03-25 09:00")
		slip, err := f.vouchers.StoreVoucher(f.liaisonA, "回单.pdf", bytes.NewReader([]byte("%PDF-1.4 一张回单\n")))
		if err != nil {
			t.Fatal(err)
		}
		repay := func(item int64, on string, amount qingqian.Money) *qingqian.Entry {
			e, err := f.entries.RecordEntry(f.liaisonA, qingqian.EntryInput{ItemID: item, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate(on),
				Amount: amount, Method: qingqian.MethodTransfer, Vouchers: []string{slip.SHA256}})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		repay(f.itemA2.ID, "2019-03-25", qingqian.Yuan(300_000)) // clears A2
		f.at("2019-04-01 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-05")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		c := &qingqian.Clue{Channel: qingqian.ChannelDirect, ReceivedOn: qingqian.MustParseDate("2019-03-20"), CreditorName: f.creditor.Name,
			CreditorUSCC: f.creditor.USCC, Respondent: "乙集团", Claimed: qingqian.Yuan(7_000), Text: "货款未付"}
		if err := clues.CreateClue(f.office, c); err != nil {
			t.Fatal(err)
		}
		if _, err := clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupB.ID, ResponsibleLeader: "乙领导", ResponsiblePerson: "乙财务", Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reports.Prepare(f.liaisonB, qingqian.SubmissionInput{PeriodID: p.ID, Zero: true, Narrative: "本期无拖欠"}); err != nil {
			t.Fatal(err)
		}
		f.at("2019-04-03 09:00")
		back := repay(f.itemA1.ID, "2019-03-30", qingqian.Yuan(50_000)) // entered after the report date
		f.at("2019-04-10 09:00")
		again := f.MustItem(t, f.liaisonA, f.groupA, "2019-04-08", qingqian.Yuan(280_000), 0)

		rep, err := sqldb.NewSignalService(db).Signals(f.office, 0, qingqian.MustParseDate("2019-04-30"))
		if err != nil {
			t.Fatal(err)
		}
		sig := map[string]*qingqian.Signal{}
		for _, s := range rep.Signals {
			sig[s.Key] = s
		}
		check := func(key string, count int, amount qingqian.Money, link string) {
			t.Helper()
			s := sig[key]
			if s.Count != count || s.Amount != amount || (link != "" && !strings.Contains(s.Hits[0].Link, link)) {
				t.Errorf("%s: %d, %s, %+v; want %d, %s, %s", key, s.Count, s.Amount, s.Hits, count, amount, link)
			}
		}
		itemLink := "/items/" + strconv.FormatInt(again.ID, 10)
		check("cleared_then_found", 1, qingqian.Yuan(280_000), itemLink)
		check("repaid_then_owed", 1, qingqian.Yuan(280_000), itemLink)
		check("backdated_near_report", 1, qingqian.Yuan(50_000), "#entry-"+strconv.FormatInt(back.ID, 10))
		check("shared_voucher", 2, qingqian.Yuan(350_000), "")
		check("no_voucher", 0, 0, "")
		check("zero_with_clues", 1, qingqian.Yuan(7_000), "/submissions/")
		// As of the report date, nothing after it is known: no back-dated entry, nothing found again.
		early, err := sqldb.NewSignalService(db).Signals(f.office, 0, qingqian.MustParseDate("2019-03-31"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range early.Signals {
			if (s.Key == "cleared_then_found" || s.Key == "backdated_near_report") && s.Count != 0 {
				t.Errorf("as of the report date %s: %d", s.Key, s.Count)
			}
		}
	})
}
