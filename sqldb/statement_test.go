package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// stmtLine is a line of a statement file as a test writes it.
type stmtLine struct {
	on      string
	amount  int64 // 元
	payee   string
	account string
	memo    string
	serial  string
}

// statementCSV writes lines as a bank's CSV export: the header on row 1, the lines from row 2.
func statementCSV(lines ...stmtLine) string {
	var b strings.Builder
	b.WriteString("交易日期,借方发生额,贷方发生额,对方户名,对方账号,摘要,流水号\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "%s,%d.00,,%s,%s,%s,%s\n", l.on, l.amount, l.payee, l.account, l.memo, l.serial)
	}
	return b.String()
}

// importCSV uploads a statement file and imports it (or, with in.DryRun, checks it).
func importCSV(t *testing.T, st *sqldb.StatementService, ctx context.Context, csv string, in qingqian.StatementImport) (*qingqian.StatementResult, error) {
	t.Helper()
	f, err := st.SpoolStatement(ctx, "对账单.csv", strings.NewReader(csv))
	if err != nil {
		return nil, err
	}
	in.FileSHA256, in.FileName = f.SHA256, f.Name
	return st.ImportStatement(ctx, in)
}

// A statement's lines prove repayments of the same amount, within the date window, to the
// repayment's creditor; a line proves one repayment and a repayment has one line; what matches
// nothing is listed.
func TestStatementsMatchRepayments(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		st := sqldb.NewStatementService(db)
		ctx := as(f.subA1)
		f.at("2021-03-25 10:00")
		it := f.MustItem(t, ctx, f.subA1, "2021-01-04", qingqian.Yuan(100_000), 0)
		r1 := f.MustRepay(t, ctx, it.ID, "2021-03-01", qingqian.Yuan(1000))
		r2 := f.MustRepay(t, ctx, it.ID, "2021-03-10", qingqian.Yuan(2000))
		r3 := f.MustRepay(t, ctx, it.ID, "2021-03-20", qingqian.Yuan(500))
		keep := as(f.subA1, qingqian.RoleReviewer)
		line := func(on string, amount int64, payee, serial string) stmtLine {
			return stmtLine{on: on, amount: amount, payee: payee, account: "6217" + serial, serial: serial}
		}
		name := f.creditor.Name
		lines := []stmtLine{
			line("2021-03-02", 1000, " "+name, "S1"),
			line("2021-03-15", 2000, name, "S2"),
			line("2021-03-20", 500, "某某劳务", "S3"),
			line("2021-03-21", 1000, "示范市供电公司", "S4"),
			{on: "2021-03-05", amount: 500, payee: "某某劳务", account: "6217S1", serial: "S5"}, // paid to an account the creditor was paid to
		}
		bad := append(append([]stmtLine{}, lines...), line("2021-03-22", 1, name, "S1"))
		res, err := importCSV(t, st, keep, statementCSV(bad...), qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Row != 7 || res.Issues[0].Field != "serial_no" {
			t.Fatalf("a serial number twice: %+v %v", res, err)
		}
		// A line dated after today is refused by its row, and nothing is written.
		ahead := append(append([]stmtLine{}, lines...), line(qingqian.DateOf(f.clock).AddDays(1).String(), 1, name, "S9"))
		res, err = importCSV(t, st, keep, statementCSV(ahead...), qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Row != 7 || res.Issues[0].Field != "on" || !strings.Contains(res.Issues[0].Message, "晚于今天") {
			t.Fatalf("a line dated after today: %+v %v", res, err)
		}
		res, err = importCSV(t, st, keep, statementCSV(lines...), qingqian.StatementImport{OrgID: f.subA1.ID, DryRun: true})
		if err != nil || res.Matched != 1 || len(res.Read) != 5 || count(t, db, "statement_lines") != 0 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		// The clerk who records the repayments does not import their proof.
		_, err = importCSV(t, st, ctx, statementCSV(lines...), qingqian.StatementImport{OrgID: f.subA1.ID})
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = importCSV(t, st, as(f.groupB, qingqian.RoleReviewer), statementCSV(lines...), qingqian.StatementImport{OrgID: f.subA1.ID})
		wantCode(t, err, qingqian.EINVALID)
		res, err = importCSV(t, st, keep, statementCSV(lines...), qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || res.Matched != 1 || res.Statement == nil || count(t, db, "statement_lines") != 5 {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, err = importCSV(t, st, keep, statementCSV(lines[:1]...), qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Field != "serial_no" {
			t.Fatalf("imported again: %+v %v", res, err)
		}
		ctx = keep
		mustVerify(t, db)

		rc, err := st.Reconcile(as(f.groupA), f.subA1.ID, 0)
		if err != nil || len(rc.Matched) != 1 || rc.Matched[0].EntryID != r1.ID || len(rc.Unproven) != 2 || len(rc.UnmatchedLines) != 2 ||
			rc.OtherLines != 2 {
			t.Fatalf("reconciliation: %+v %v", rc, err)
		}
		if _, err := st.Reconcile(as(f.groupB), f.subA1.ID, 0); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("another group reads the reconciliation: %v", err)
		}
		// A wider window finds the line five days from its repayment.
		if n, err := st.MatchStatements(ctx, f.subA1.ID, 7); err != nil || n != 1 {
			t.Fatalf("window 7: %d %v", n, err)
		}
		missing, err := st.RepaymentsWithoutLine(as(f.groupA), 0)
		if err != nil || len(missing) != 1 || missing[0].EntryID != r3.ID {
			t.Fatalf("without a line: %+v %v", missing, err)
		}
		if m, _ := st.RepaymentsWithoutLine(as(f.groupB), 0); len(m) != 0 {
			t.Fatal("another group sees repayments without a line")
		}
		// The same repayment is the signal of a bank repayment the statement does not show.
		rep, err := sqldb.NewSignalService(db).Signals(as(f.groupA), 0, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sig := range rep.Signals {
			found = found || sig.Key == "no_bank_line"
			if sig.Key == "no_bank_line" && (sig.Count != 1 || sig.Hits[0].Link != fmt.Sprintf("/items/%d#entry-%d", r3.ItemID, r3.ID)) {
				t.Fatalf("no_bank_line signal: %+v", sig)
			}
		}
		if !found {
			t.Fatal("no signal no_bank_line")
		}

		rc, _ = st.Reconcile(ctx, f.subA1.ID, 0)
		for _, l := range rc.UnmatchedLines {
			if l.SerialNo == "S3" {
				t.Fatalf("S3 pays no creditor by name: %+v", rc.UnmatchedLines)
			}
		}
		// By hand: S3, paid to a name that is not the creditor's, cannot prove r3; S5, paid to
		// the account S1 paid the creditor, can; then it cannot prove another; S4 cannot prove
		// r1, which has S1.
		audit := count(t, db, "audit_log")
		lineOf := func(serial string) int64 {
			rc, _ := st.Reconcile(ctx, f.subA1.ID, 0)
			for _, p := range rc.Matched {
				if p.Line.SerialNo == serial {
					return p.Line.ID
				}
			}
			return 0
		}
		s1 := lineOf("S1")
		s3, s4, s5 := s1+2, s1+3, s1+4 // written in the file's order
		err = st.MatchLine(ctx, s3, r3.ID, "收款人为债权企业简称")
		wantCode(t, err, qingqian.EINVALID)
		if msg := err.Error(); !strings.Contains(msg, "某某劳务") || !strings.Contains(msg, name) || count(t, db, "repayment_lines") != 2 {
			t.Fatalf("another payee: %v", err)
		}
		wantCode(t, st.MatchLine(as(f.subA1), s5, r3.ID, ""), qingqian.EFORBIDDEN)
		if err := st.MatchLine(ctx, s5, r3.ID, "付至该企业已用过的账号"); err != nil {
			t.Fatal(err)
		}
		if count(t, db, "audit_log") != audit+1 {
			t.Fatal("a match by hand is audited")
		}
		wantCode(t, st.MatchLine(ctx, s5, r2.ID, ""), qingqian.ECONFLICT)
		wantCode(t, st.MatchLine(ctx, s4, r1.ID, ""), qingqian.ECONFLICT)
		wantCode(t, st.MatchLine(as(f.groupB, qingqian.RoleReviewer), s4, r1.ID, ""), qingqian.ENOTFOUND)
		wantCode(t, st.UnmatchLine(ctx, s5, ""), qingqian.EINVALID)
		audit = count(t, db, "audit_log")
		if err := st.UnmatchLine(ctx, s5, "匹配有误"); err != nil {
			t.Fatal(err)
		}
		if count(t, db, "audit_log") != audit+1 {
			t.Fatal("an unmatch is audited")
		}
		mustVerify(t, db)
		lines2, err := st.FindStatementLines(ctx, it.ID)
		if err != nil || len(lines2) != 2 || lines2[r1.ID] == nil || lines2[r1.ID].SerialNo != "S1" {
			t.Fatalf("lines of the item: %+v %v", lines2, err)
		}
	})
}
