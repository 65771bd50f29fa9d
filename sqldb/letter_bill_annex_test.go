package sqldb_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A bill past its maturity and not honoured is marked with its days overdue, counted apart and
// selectable; an issued report's annex stays as issued while a draft's follows the ledger.
func TestOverdueBillsAndTheFrozenAnnex(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		bills, ls := sqldb.NewBillService(db), sqldb.NewLetterService(db)
		f.at("2020-03-01 09:00")
		in := qingqian.BillInput{ItemID: f.itemA2.ID, Kind: qingqian.BillCommercial, No: "CB-A", Amount: qingqian.Yuan(20_000), IssuedOn: qingqian.MustParseDate("2020-02-01"),
			HandedOn: qingqian.MustParseDate("2020-02-01"), MaturesOn: qingqian.MustParseDate("2020-03-10"), Acceptor: "某银行"}
		late, err := bills.RecordBill(f.liaisonA, in)
		if err != nil {
			t.Fatal(err)
		}
		in.No, in.Amount, in.MaturesOn = "CB-B", qingqian.Yuan(5_000), qingqian.MustParseDate("2020-08-01")
		if _, err := bills.RecordBill(f.liaisonA, in); err != nil {
			t.Fatal(err)
		}
		e := f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-02-20", qingqian.Yuan(40_000))

		f.at("2020-03-31 09:00")
		sum, err := bills.UnhonouredBills(f.office, qingqian.BillQuery{AsOf: qingqian.MustParseDate("2020-03-31")})
		if err != nil || sum.Count != 2 || sum.OverdueCount != 1 || sum.OverdueAmount != qingqian.Yuan(20_000) {
			t.Fatalf("summary %+v %v", sum, err)
		}
		if b := sum.Bills[0]; b.No != "CB-A" || b.OverdueDays != 21 || b.OverdueLabel() != "逾期未兑付 21 天" || sum.Bills[1].OverdueDays != 0 {
			t.Fatalf("marks %+v", sum.Bills)
		}
		only, err := bills.UnhonouredBills(f.office, qingqian.BillQuery{AsOf: qingqian.MustParseDate("2020-03-31"), Overdue: true})
		if err != nil || only.Count != 1 || len(only.Bills) != 1 || only.Amount != qingqian.Yuan(20_000) {
			t.Fatalf("overdue only %+v %v", only, err)
		}
		if got, err := bills.FindBillByID(f.office, late.ID); err != nil || got.OverdueDays != 21 {
			t.Fatalf("the bill read today: %+v %v", got, err)
		}

		// A letter on the repayment, then two periods as of the same date: one issued, one a draft.
		sel := qingqian.LetterSelection{Mode: qingqian.SelectCreditor, CreditorID: f.itemA2.CreditorID, ReplyBy: qingqian.MustParseDate("2020-04-10"), OnlineReply: true}
		b, err := ls.IssueLetters(f.office, sel)
		if err != nil || len(b.Letters) != 1 || !b.Letters[0].OnlineReply {
			t.Fatalf("letters %+v %v", b, err)
		}
		refs, err := ls.EntryLetters(f.liaisonA, f.itemA2.ID)
		if err != nil || refs[e.ID].No != b.Letters[0].No || refs[e.ID].State != qingqian.LetterSent {
			t.Fatalf("the letter of the repayment: %+v %v", refs, err)
		}
		issued := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2020-03-31"), Deadline: qingqian.MustParseDate("2020-04-05")}
		draft := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2020-03-31"), Deadline: qingqian.MustParseDate("2020-04-06")}
		for _, p := range []*qingqian.Period{issued, draft} {
			if err := f.reports.OpenPeriod(f.office, p); err != nil {
				t.Fatal(err)
			}
		}
		// Computed before the issue, the annex is kept only if nothing was written since: here a
		// bill recorded in between (handed over by the period's date) is in the issued annex.
		in.No, in.Amount, in.MaturesOn = "CB-C", qingqian.Yuan(1_000), qingqian.MustParseDate("2020-09-01")
		db.BeforeIssueForTest(func() {
			db.BeforeIssueForTest(nil)
			if _, err := bills.RecordBill(f.liaisonA, in); err != nil {
				t.Error(err)
			}
		})
		if _, err := f.reports.IssueReport(f.office, issued.ID); err != nil {
			t.Fatal(err)
		}
		annex := func(id int64) *qingqian.ReportAnnex {
			t.Helper()
			an, err := f.reports.ReportAnnex(f.office, id, true)
			if err != nil {
				t.Fatal(err)
			}
			return an
		}
		confirmed := func(an *qingqian.ReportAnnex) qingqian.Money { return an.Signals.Confirmations.Confirmed }
		before := annex(issued.ID)
		if !before.Frozen || before.BillsTotal.Count != 3 || before.BillsTotal.OverdueCount != 1 || confirmed(before) != 0 || len(before.Bills) != 1 || before.Bills[0].OrgID != f.groupA.ID {
			t.Fatalf("issued annex %+v", before)
		}
		if d := annex(draft.ID); d.Frozen || d.BillsTotal.Count != 3 || confirmed(d) != 0 {
			t.Fatalf("draft annex %+v", d)
		}

		// After the issue: the overdue bill is honoured (dated before the period's date) and the
		// creditor confirms the letter, late.
		f.at("2020-04-20 09:00")
		if _, err := bills.HonourBill(f.liaisonA, late.ID, qingqian.BillClose{On: qingqian.MustParseDate("2020-03-20")}); err != nil {
			t.Fatal(err)
		}
		web := qingqian.WithSource(context.Background(), "203.0.113.7")
		l, err := ls.PublicReply(web, b.Letters[0].No, b.Letters[0].Code, qingqian.ReplyInput{Result: qingqian.LetterConfirmed, RepliedOn: qingqian.MustParseDate("2020-04-15"), Version: b.Letters[0].Version})
		if err == nil {
			l, err = ls.FindLetter(f.office, l.ID)
		}
		if err != nil || l.LateDays != 5 || !strings.Contains(l.StatusLabel(), "逾期回函 5 天") {
			t.Fatalf("late reply %+v %v", l, err)
		}
		after := annex(issued.ID)
		if after.BillsTotal != before.BillsTotal || confirmed(after) != 0 || !after.ComputedAt.Equal(before.ComputedAt) {
			t.Fatalf("the issued annex changed: %+v, was %+v", after, before)
		}
		d := annex(draft.ID)
		if d.BillsTotal.Count != 2 || d.BillsTotal.OverdueCount != 0 || confirmed(d) != qingqian.Yuan(40_000) {
			t.Fatalf("the draft annex did not follow: %+v %+v", d.BillsTotal, d.Signals.Confirmations)
		}
		// A group's user sees its own lines of the issued annex, and not the office's signals.
		g, err := f.reports.ReportAnnex(f.liaisonB, issued.ID, true)
		if err != nil || len(g.Bills) != 0 || g.Signals != nil {
			t.Fatalf("group B's annex %+v %v", g, err)
		}
	})
}

// Twenty letters issued at once take twenty numbers, none refused; the preview tells what an
// issue would make and writes nothing; the counter filled from the letters goes on after them.
func TestLettersNumberedUnderConcurrency(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		ls := sqldb.NewLetterService(db)
		f.at("2020-06-01 09:00")
		const n = 20
		var creditors []int64
		for i := range n {
			c := f.MustCreditor(t, "并发供应商"+strconv.Itoa(i))
			it := &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: c.USCC}, ContractNo: "HT-C" + strconv.Itoa(i), ContractName: "供货合同",
				Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2020-01-31"), Undisputed: qingqian.Yuan(10_000), Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
			if err := f.items.CreateItem(f.liaisonA, it); err != nil {
				t.Fatal(err)
			}
			f.MustRepay(t, f.liaisonA, it.ID, "2020-05-20", qingqian.Yuan(1_000))
			creditors = append(creditors, it.CreditorID)
		}
		reply := qingqian.MustParseDate("2020-06-30")
		pv, err := ls.PreviewLetters(f.office, qingqian.LetterSelection{Mode: qingqian.SelectAbove, MinAmount: qingqian.Yuan(500), ReplyBy: reply})
		if err != nil || pv.Letters < n || pv.Entries < n || len(pv.Lines) != pv.Letters || pv.Amount < qingqian.Yuan(n*1_000) || count(t, db, "letters") != 0 {
			t.Fatalf("preview %+v %v", pv, err)
		}
		var wg sync.WaitGroup
		nos := make([]string, n)
		errs := make([]error, n)
		for i, c := range creditors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, err := ls.IssueLetters(f.office, qingqian.LetterSelection{Mode: qingqian.SelectCreditor, CreditorID: c, ReplyBy: reply})
				if err == nil {
					nos[i] = b.Letters[0].No
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		distinct := map[string]bool{}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("issue %d: %v", i, errs[i])
			}
			distinct[nos[i]] = true
		}
		if len(distinct) != n {
			t.Fatalf("numbers %v", nos)
		}
		// The same selection twice at once: one issues, the other finds nothing left.
		f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-05-21", qingqian.Yuan(2_000))
		sel := qingqian.LetterSelection{Mode: qingqian.SelectCreditor, CreditorID: f.itemA2.CreditorID, ReplyBy: reply}
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = ls.IssueLetters(f.office, sel)
			}()
		}
		wg.Wait()
		ok := 0
		for i := range 4 {
			if errs[i] == nil {
				ok++
			} else if c := qingqian.ErrorCode(errs[i]); c != qingqian.EINVALID && c != qingqian.ECONFLICT {
				t.Fatalf("issue %d: %v", i, errs[i])
			}
		}
		if ok != 1 {
			t.Fatalf("%d issues of the same selection succeeded", ok)
		}
		// The counter lost and filled again from the letters: the next number follows them.
		if err := db.ExecForTest(context.Background(), `DELETE FROM counters WHERE series = 'letter'`); err != nil {
			t.Fatal(err)
		}
		if err := db.InTxForTest(context.Background(), qingqian.SystemActor("测试"), func(tx *sqldb.Tx) error {
			return tx.FillCountersForTest(context.Background(), "letter")
		}); err != nil {
			t.Fatal(err)
		}
		f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-05-22", qingqian.Yuan(3_000))
		b, err := ls.IssueLetters(f.office, sel)
		if err != nil || b.Letters[0].No != "询证〔2020〕第0022号" {
			t.Fatalf("after the fill: %+v %v", b, err)
		}
	})
}
