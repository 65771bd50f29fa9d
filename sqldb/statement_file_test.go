package sqldb_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The import reads the lines from the file uploaded, by its hash, and keeps the file: a file
// changed after its preview is refused, the kept file is the statement's evidence (its hash on
// the statement and in the audit record), downloadable by those who see the unit, and no voucher.
// With a data key the file is kept encrypted, like a voucher.
func TestStatementFileKept(t *testing.T) {
	for _, sealed := range []bool{false, true} {
		t.Run(fmt.Sprintf("sealed=%v", sealed), func(t *testing.T) {
			sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
				if sealed {
					db.VoucherKey = make([]byte, sqldb.KeySize)
					rand.Read(db.VoucherKey)
				}
				f := newFixture(t, db)
				st := sqldb.NewStatementService(db)
				keep := as(f.subA1, qingqian.RoleReviewer)
				f.at("2021-03-25 10:00")
				it := f.MustItem(t, as(f.subA1), f.subA1, "2021-01-04", qingqian.Yuan(100_000), 0)
				r1 := f.MustRepay(t, as(f.subA1), it.ID, "2021-03-01", qingqian.Yuan(1000))
				csv := statementCSV(stmtLine{on: "2021-03-02", amount: 1000, payee: f.creditor.Name, account: "6217000011112222", serial: "S1"},
					stmtLine{on: "2021-03-03", amount: 80, payee: "示范市供电公司", serial: "S2"})
				sum := sha256.Sum256([]byte(csv))
				sha := hex.EncodeToString(sum[:])

				_, err := st.SpoolStatement(as(f.subA1), "对账单.csv", strings.NewReader(csv))
				wantCode(t, err, qingqian.EFORBIDDEN)
				_, err = st.SpoolStatement(keep, "回单.pdf", strings.NewReader("%PDF-1.4\n"))
				wantCode(t, err, qingqian.EINVALID)
				file, err := st.SpoolStatement(keep, "对账单.csv", strings.NewReader(csv))
				if err != nil || file.SHA256 != sha || file.Size != int64(len(csv)) {
					t.Fatalf("spool: %+v %v", file, err)
				}
				// Nothing the caller says about the lines counts: only the file, by its hash.
				_, err = st.ImportStatement(keep, qingqian.StatementImport{OrgID: f.subA1.ID, FileSHA256: strings.Repeat("0", 64)})
				wantCode(t, err, qingqian.EINVALID)
				_, err = st.ImportStatement(keep, qingqian.StatementImport{OrgID: f.subA1.ID})
				wantCode(t, err, qingqian.EINVALID)
				// The spooled bytes changed on disk after the preview no longer have the hash.
				spooled, err := os.ReadFile(db.SpoolPathForTest(sha))
				if err != nil {
					t.Fatal(err)
				}
				if sealed == strings.Contains(string(spooled), "6217000011112222") {
					t.Fatalf("spooled in clear: %v", !sealed)
				}
				if !sealed {
					forged := strings.Replace(csv, "80.00", "1000.00", 1)
					if err := os.WriteFile(db.SpoolPathForTest(sha), []byte(forged), 0o600); err != nil {
						t.Fatal(err)
					}
					_, err = st.ImportStatement(keep, qingqian.StatementImport{OrgID: f.subA1.ID, FileSHA256: sha})
					wantCode(t, err, qingqian.EINVALID)
					if err := os.WriteFile(db.SpoolPathForTest(sha), spooled, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				res, err := st.ImportStatement(keep, qingqian.StatementImport{OrgID: f.subA1.ID, FileSHA256: sha, FileName: "工行3月.csv"})
				if err != nil || res.Statement == nil || res.Statement.FileSHA256 != sha || res.Statement.LinesDigest == "" || res.Matched != 1 ||
					res.File.Size != int64(len(csv)) {
					t.Fatalf("import: %+v %v", res, err)
				}
				if _, err := os.Stat(db.SpoolPathForTest(sha)); !os.IsNotExist(err) {
					t.Errorf("the spooled file is left after its import: %v", err)
				}
				// Confirmed twice: the second says when the file was imported.
				_, err = st.ImportStatement(keep, qingqian.StatementImport{OrgID: f.subA1.ID, FileSHA256: sha})
				if wantCode(t, err, qingqian.ECONFLICT); !strings.Contains(err.Error(), fmt.Sprintf("第 %d 号对账单", res.Statement.ID)) {
					t.Fatalf("confirmed twice: %v", err)
				}
				recs, _, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "statement.import", Limit: 5})
				if err != nil || len(recs) != 1 || !strings.Contains(string(recs[0].After), sha) || !strings.Contains(string(recs[0].After), res.Statement.LinesDigest) {
					t.Fatalf("the import's record: %+v %v", recs, err)
				}
				rc, err := st.Reconcile(as(f.groupA), f.subA1.ID, 0)
				if err != nil || len(rc.Statements) != 1 || rc.Statements[0].FileSHA256 != sha || rc.Matched[0].EntryID != r1.ID {
					t.Fatalf("reconciliation: %+v %v", rc, err)
				}
				// The file is downloadable by the unit's group (audited), not by another group.
				before := auditCount(t, f, "statement.download")
				got, rd, err := st.OpenStatementFile(as(f.groupA, qingqian.RoleObserver), res.Statement.ID)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rd)
				rd.Close()
				if string(b) != csv || got.FileName != "工行3月.csv" || auditCount(t, f, "statement.download") != before+1 {
					t.Fatalf("downloaded %q as %+v", b, got)
				}
				_, _, err = st.OpenStatementFile(as(f.groupB), res.Statement.ID)
				wantCode(t, err, qingqian.ENOTFOUND)
				// It is no voucher: not attachable, not downloadable as one.
				_, err = f.entries.RecordEntry(as(f.subA1), qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-03-05"),
					Amount: qingqian.Yuan(1), Method: qingqian.MethodTransfer, Vouchers: []string{sha}})
				wantCode(t, err, qingqian.EINVALID)
				_, _, err = sqldb.NewVoucherService(db).OpenVoucher(as(f.subA1), sha)
				wantCode(t, err, qingqian.ENOTFOUND)
				// verify re-hashes it with the vouchers.
				if rep := mustVerify(t, db); rep.Vouchers != 1 || rep.Statements != 1 || rep.StatementLines != 2 || rep.StatementLinks != 1 {
					t.Fatalf("verify counted %d files, %d statements, %d lines, %d links", rep.Vouchers, rep.Statements, rep.StatementLines, rep.StatementLinks)
				}
			})
		})
	}
}

// A line dated 1900 is refused naming its row; a line a year and more from the rest is warned
// of on the preview and refused at the import unless confirmed, then imported.
func TestStatementOutlierDates(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		st := sqldb.NewStatementService(db)
		keep := as(f.subA1, qingqian.RoleReviewer)
		f.at("2021-03-25 10:00")
		lines := []stmtLine{
			{on: "2021-03-02", amount: 10, payee: "甲", serial: "D1"},
			{on: "2021-03-03", amount: 20, payee: "乙", serial: "D2"},
			{on: "2021-03-04", amount: 30, payee: "丙", serial: "D3"},
		}
		old := append(append([]stmtLine{}, lines...), stmtLine{on: "1900-01-01", amount: 40, payee: "丁", serial: "D4"})
		res, err := importCSV(t, st, keep, statementCSV(old...), qingqian.StatementImport{OrgID: f.subA1.ID, DryRun: true, AcceptOutliers: true})
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Row != 5 || res.Issues[0].Field != "on" || !strings.Contains(res.Issues[0].Message, "1990-01-01") {
			t.Fatalf("1900: %+v %v", res, err)
		}
		far := append(append([]stmtLine{}, lines...), stmtLine{on: "2019-02-01", amount: 40, payee: "丁", serial: "D4"})
		res, err = importCSV(t, st, keep, statementCSV(far...), qingqian.StatementImport{OrgID: f.subA1.ID, DryRun: true})
		if err != nil || len(res.Issues) != 0 || len(res.Warnings) != 1 || res.Warnings[0].Row != 5 || !strings.Contains(res.Warnings[0].Message, "2021-03-02 至 2021-03-04") {
			t.Fatalf("preview: %+v %v", res, err)
		}
		res, err = importCSV(t, st, keep, statementCSV(far...), qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || len(res.Issues) != 1 || res.Issues[0].Row != 5 || res.Statement != nil || count(t, db, "statement_lines") != 0 {
			t.Fatalf("unconfirmed: %+v %v", res, err)
		}
		res, err = importCSV(t, st, keep, statementCSV(far...), qingqian.StatementImport{OrgID: f.subA1.ID, AcceptOutliers: true})
		if err != nil || len(res.Issues) != 0 || res.Statement == nil || res.Statement.From != qingqian.MustParseDate("2019-02-01") {
			t.Fatalf("confirmed: %+v %v", res, err)
		}
	})
}

// A statement, a line, a link of a line to a repayment (made by the matching or by hand) or a
// confirmation letter or its reply changed, added or removed behind the services' back is named
// by verify.
func TestVerifyFindsTamperedProofs(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		st := sqldb.NewStatementService(db)
		ls := sqldb.NewLetterService(db)
		f.at("2020-06-01 09:00")
		e1 := f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2020-05-20", qingqian.Yuan(100_000))
		e2 := f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2020-05-21", qingqian.Yuan(7_000))
		name := f.itemA1.CreditorName
		res, err := importCSV(t, st, f.liaisonA, statementCSV(
			stmtLine{on: "2020-05-20", amount: 100_000, payee: name, serial: "T1"},
			stmtLine{on: "2020-05-10", amount: 7_000, payee: name, serial: "T2"},
			stmtLine{on: "2020-05-22", amount: 90, payee: "示范市供电公司", serial: "T3"}), qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || res.Statement == nil || res.Matched != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		sid := res.Statement.ID
		var t1, t2, t3 int64
		rc, _ := st.Reconcile(f.liaisonA, f.subA1.ID, 0)
		t1 = rc.Matched[0].Line.ID
		t2, t3 = t1+1, t1+2
		if err := st.MatchLine(f.liaisonA, t2, e2.ID, "日期相差十一天，核对回单无误"); err != nil {
			t.Fatal(err)
		}
		sel := qingqian.LetterSelection{Mode: qingqian.SelectAbove, MinAmount: qingqian.Yuan(40_000), OrgID: f.groupA.ID, ReplyBy: qingqian.MustParseDate("2020-06-30")}
		b, err := ls.IssueLetters(f.office, sel)
		if err != nil || len(b.Letters) != 1 {
			t.Fatalf("letters: %+v %v", b, err)
		}
		l := b.Letters[0]
		if rep := mustVerify(t, db); rep.Statements != 1 || rep.StatementLines != 3 || rep.StatementLinks != 2 || rep.Letters != 1 {
			t.Fatalf("verify counted %+v", rep)
		}
		stmt := fmt.Sprintf("对账单 %d（对账单.csv）", sid)
		letter := fmt.Sprintf("询证函 %d（%s）", l.ID, l.No)

		// The lines.
		mustExec(t, db, `UPDATE statement_lines SET amount = amount + 100 WHERE id = $1`, t3)
		wantProblem(t, db, sqldb.VerifyOptions{}, stmt+"的流水行与导入时的摘要不符")
		mustExec(t, db, `UPDATE statement_lines SET amount = amount - 100 WHERE id = $1`, t3)
		mustVerify(t, db)
		mustExec(t, db, `UPDATE statement_lines SET payee_name = $1 WHERE id = $2`, name, t3)
		wantProblem(t, db, sqldb.VerifyOptions{}, stmt+"的流水行与导入时的摘要不符")
		mustExec(t, db, `UPDATE statement_lines SET payee_name = '示范市供电公司' WHERE id = $1`, t3)
		mustExec(t, db, `INSERT INTO statement_lines (statement_id, org_id, row_no, on_date, amount, payee_name, payee_account, memo, serial_no)
			VALUES ($1, $2, 9, $3, 500000, $4, '', '', 'T9')`, sid, f.subA1.ID, qingqian.MustParseDate("2020-05-25"), name)
		wantProblem(t, db, sqldb.VerifyOptions{}, stmt+"导入时有 3 行，现有 4 行")
		mustExec(t, db, `DELETE FROM statement_lines WHERE serial_no = 'T9'`)
		mustVerify(t, db)
		mustExec(t, db, `DELETE FROM statement_lines WHERE id = $1`, t3)
		wantProblem(t, db, sqldb.VerifyOptions{}, stmt+"导入时有 3 行，现有 2 行")
		// The statement itself.
		mustExec(t, db, `UPDATE bank_statements SET to_on = $1 WHERE id = $2`, qingqian.MustParseDate("2020-12-31"), sid)
		wantProblem(t, db, sqldb.VerifyOptions{}, stmt+"与导入它的审计记录不符")

		// The links: made by the matching, by hand, and one written behind the system's back.
		mustExec(t, db, `DELETE FROM repayment_lines WHERE line_id = $1`, t2)
		mustExec(t, db, `UPDATE repayment_lines SET entry_id = $1 WHERE line_id = $2`, e2.ID, t1)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("流水行 %d 的匹配（清偿记录 %d）与第", t1, e2.ID),
			fmt.Sprintf("流水行 %d 与清偿记录 %d 的匹配有审计记录", t2, e2.ID))
		mustExec(t, db, `UPDATE repayment_lines SET entry_id = $1, manual = 1 WHERE line_id = $2`, e1.ID, t1)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("流水行 %d 的匹配（清偿记录 %d）与第", t1, e1.ID))
		mustExec(t, db, `UPDATE repayment_lines SET manual = 0 WHERE line_id = $1`, t1)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("流水行 %d 与清偿记录 %d 的匹配有审计记录", t2, e2.ID))
		mustExec(t, db, `INSERT INTO repayment_lines (line_id, entry_id, manual, matched_at, actor_name) VALUES ($1, $2, 1, '2020-06-01T09:00:00Z', 'x')`, t2, e2.ID)
		mustExec(t, db, `UPDATE bank_statements SET to_on = $1 WHERE id = $2`, res.Statement.To, sid)
		mustExec(t, db, `INSERT INTO statement_lines (id, statement_id, org_id, row_no, on_date, amount, payee_name, payee_account, memo, serial_no)
			VALUES ($1, $2, $3, 4, $4, 9000, '示范市供电公司', '', '', 'T3')`, t3, sid, f.subA1.ID, qingqian.MustParseDate("2020-05-22"))
		mustVerify(t, db)
		// An unmatch by the service is replayed too; a link put back behind its back is named.
		if err := st.UnmatchLine(f.liaisonA, t2, "回单日期不符"); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
		mustExec(t, db, `INSERT INTO repayment_lines (line_id, entry_id, manual, matched_at, actor_name) VALUES ($1, $2, 1, '2020-06-01T09:00:00Z', 'x')`, t2, e2.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("流水行 %d 与清偿记录 %d 的匹配没有审计记录", t2, e2.ID))
		mustExec(t, db, `DELETE FROM repayment_lines WHERE line_id = $1`, t2)

		// The letter as issued: its amount, its lines, its state.
		mustExec(t, db, `UPDATE letter_lines SET amount = amount - 1 WHERE letter_id = $1`, l.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, letter+"与最后写入它的审计记录", "询证的清偿记录")
		mustExec(t, db, `UPDATE letter_lines SET amount = amount + 1 WHERE letter_id = $1`, l.ID)
		mustExec(t, db, `UPDATE letters SET state = 'confirmed', creditor_total = total, replied_on = $1 WHERE id = $2`, qingqian.MustParseDate("2020-06-09"), l.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, letter+"与最后写入它的审计记录", "回函状态")
		mustExec(t, db, `UPDATE letters SET state = 'sent', creditor_total = 0, replied_on = NULL WHERE id = $1`, l.ID)
		mustVerify(t, db)
		// Its reply, recorded by the office, then edited: the creditor "confirmed" less.
		scan, err := f.vouchers.StoreVoucher(f.office, "回函.pdf", strings.NewReader("%PDF-1.4 回函\n"))
		if err != nil {
			t.Fatal(err)
		}
		f.at("2020-06-10 09:00")
		if _, err := ls.RecordReply(f.office, l.ID, qingqian.ReplyInput{Result: qingqian.LetterConfirmed, RepliedOn: qingqian.MustParseDate("2020-06-09"),
			Version: 1, Voucher: scan.SHA256}); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
		mustExec(t, db, `UPDATE letters SET reply_note = '电话确认' WHERE id = $1`, l.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, letter+"与最后写入它的审计记录", "回函说明")
		mustExec(t, db, `UPDATE letters SET reply_note = '' WHERE id = $1`, l.ID)
		mustVerify(t, db)
		// A letter deleted, and one added.
		mustExec(t, db, `DELETE FROM letter_lines WHERE letter_id = $1`, l.ID)
		mustExec(t, db, `DELETE FROM letters WHERE id = $1`, l.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, fmt.Sprintf("询证函 %d 有审计记录", l.ID))
		mustExec(t, db, `INSERT INTO letters (id, batch_id, no, code, issuer_id, org_id, creditor_id, issued_on, reply_due_on, total, state, created_by, created_at)
			VALUES ($1, $2, '询证〔2020〕第0099号', 'X', $3, $4, $5, $6, $6, 100, 'confirmed', 'x', '2020-06-01T09:00:00Z')`,
			l.ID+100, l.BatchID, l.IssuerID, l.OrgID, l.CreditorID, qingqian.MustParseDate("2020-06-01"))
		wantProblem(t, db, sqldb.VerifyOptions{}, "（询证〔2020〕第0099号）没有发出它的审计记录")
	})
}

// verify reads each kept statement file again: the file changed on disk, or its registration
// removed, is named.
func TestVerifyRereadsStatementFiles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		st := sqldb.NewStatementService(db)
		f.at("2021-03-25 10:00")
		csv := statementCSV(stmtLine{on: "2021-03-02", amount: 10, payee: "甲", serial: "R1"}, stmtLine{on: "2021-03-03", amount: 20, payee: "乙", serial: "R2"})
		res, err := importCSV(t, st, as(f.subA1, qingqian.RoleLiaison), csv, qingqian.StatementImport{OrgID: f.subA1.ID})
		if err != nil || res.Statement == nil {
			t.Fatalf("import: %+v %v", res, err)
		}
		mustVerify(t, db)
		sha := res.Statement.FileSHA256
		path := sqldb.VoucherPath(db.VoucherDir, sha)
		if err := os.WriteFile(path, []byte(strings.Replace(csv, "20.00", "2000.00", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("对账单 %d（对账单.csv）", res.Statement.ID)
		wantProblem(t, db, sqldb.VerifyOptions{}, name+"的原文件已被改动", "凭证 "+sha+"的文件已被改动")
		if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, db)
		mustExec(t, db, `DELETE FROM vouchers WHERE sha256 = $1`, sha)
		wantProblem(t, db, sqldb.VerifyOptions{}, name+"的原文件没有登记在文件存储中")
	})
}
