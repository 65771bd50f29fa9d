package xlsx_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// A statement as one bank exports it (a title, debit and credit columns): the payments out are
// read, the receipts left out and counted.
func TestReadStatementDebitColumns(t *testing.T) {
	src := "中国工商银行 账户明细\n交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,对方账号,流水号\n" +
		"2021-03-02,支付货款,\"1,000.00\",,9000.00,某某建筑劳务有限公司,6217000011112222,ICBC0001\n" +
		"2021/03/03,收到退款,,50.00,9050.00,某某建筑劳务有限公司,6217000011112222,ICBC0002\n" +
		"20210305,电费,86.50,,8963.50,示范市供电公司,,ICBC0003\n"
	lines, rep, err := xlsx.ReadStatement(writeFile(t, "工行.csv", []byte(src)))
	if err != nil || !rep.OK() || len(lines) != 2 {
		t.Fatalf("%v %+v %+v", err, rep, lines)
	}
	if l := lines[0]; l.Amount != qingqian.Yuan(1000) || l.PayeeName != "某某建筑劳务有限公司" || l.SerialNo != "ICBC0001" || l.Row != 3 ||
		l.On != qingqian.MustParseDate("2021-03-02") || l.PayeeAccount != "6217000011112222" || l.Memo != "支付货款" {
		t.Fatalf("first line %+v", l)
	}
	if lines[1].Amount != 8650 || lines[1].On != qingqian.MustParseDate("2021-03-05") {
		t.Fatalf("second line %+v", lines[1])
	}
	if len(rep.Notes) < 2 {
		t.Fatalf("notes %v", rep.Notes)
	}
}

// GBK text with a signed amount and the other bank's names for the columns; a bad cell is named
// by its row and column, and then no line is returned.
func TestReadStatementGBKSigned(t *testing.T) {
	src := "交易时间,交易金额,收款人名称,收款人账号,用途,交易流水号\n" +
		"2021-03-02 10:11:12,-1000.00,某某建筑劳务有限公司,6217000011112222,货款,CCB01\n" +
		"2021-03-04 09:00:00,200.00,示范集团,6217000099998888,往来款,CCB02\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(src)
	if err != nil {
		t.Fatal(err)
	}
	lines, rep, err := xlsx.ReadStatement(writeFile(t, "建行.csv", []byte(gbk)))
	if err != nil || !rep.OK() || len(lines) != 1 || lines[0].Amount != qingqian.Yuan(1000) || lines[0].SerialNo != "CCB01" {
		t.Fatalf("%v %+v %+v", err, rep, lines)
	}
	bad := src + "2021-02-30,-1.00,某某,1,x,CCB03\n2021-03-05,-1.001,某某,1,x,CCB04\n"
	lines, rep, err = xlsx.ReadStatement(writeFile(t, "bad.csv", []byte(bad)))
	if err != nil || rep.OK() || lines != nil || len(rep.Issues) != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	if is := rep.Issues[0]; is.Row != 4 || is.Column != "交易日期" || rep.Issues[1].Row != 5 || rep.Issues[1].Column != "金额" {
		t.Fatalf("issues %+v", rep.Issues)
	}
	// Without an amount column the file is refused.
	_, rep, err = xlsx.ReadStatement(writeFile(t, "none.csv", []byte("交易日期,对方户名,流水号\n2021-03-02,某某,X1\n")))
	if err == nil && rep.OK() {
		t.Fatal("a statement without amounts was read")
	}
}

// A unit note of 万元 above the header is not guessed away: the amounts are read in 万元 and the
// preview says so.
func TestReadStatementUnitNote(t *testing.T) {
	src := "单位：万元\n交易日期,借方发生额,对方户名,流水号\n2021-03-02,1.5,某某建筑劳务有限公司,W1\n"
	lines, rep, err := xlsx.ReadStatement(writeFile(t, "万元.csv", []byte(src)))
	if err != nil || !rep.OK() || len(lines) != 1 || lines[0].Amount != qingqian.Yuan(15000) || len(rep.Units) != 1 || rep.Units[0].Unit != "万元" {
		t.Fatalf("%v %+v %+v", err, rep, lines)
	}
}

// A statement saved by LibreOffice as xlsx is read and imported; imported twice, its serial
// numbers are refused naming the row and column.
func TestStatementWrittenByLibreOffice(t *testing.T) {
	soffice(t)
	src := filepath.Join(t.TempDir(), "statement.csv")
	os.WriteFile(src, []byte("交易日期,借方发生额,贷方发生额,对方户名,对方账号,摘要,流水号\n"+
		"2021-03-02,1000.00,,某某建筑劳务有限公司,6217000011112222,货款,000123\n"+
		"2021-03-03,,80.00,示范集团,6217000099998888,退款,000124\n"), 0o644)
	book := convert(t, src, "xlsx", "CSV:44,34,76,1,1/5/2/1/3/1/4/2/5/2/6/2/7/2")
	lines, rep, err := xlsx.ReadStatement(book)
	if err != nil || !rep.OK() || len(lines) != 1 || lines[0].SerialNo != "000123" || lines[0].PayeeAccount != "6217000011112222" ||
		lines[0].Amount != qingqian.Yuan(1000) || lines[0].On != qingqian.MustParseDate("2021-03-02") {
		t.Fatalf("%v %+v %+v", err, rep, lines)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("测试"))
		org := &qingqian.Org{Name: "示范省国资委", Kind: qingqian.OrgRegulator}
		if err := sqldb.NewOrgService(db).CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		st := sqldb.NewStatementService(db)
		for round := range 2 {
			b, err := os.ReadFile(book)
			if err != nil {
				t.Fatal(err)
			}
			f, err := st.SpoolStatement(ctx, "statement.xlsx", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			res, err := st.ImportStatement(ctx, qingqian.StatementImport{OrgID: org.ID, FileName: f.Name, FileSHA256: f.SHA256})
			if err != nil || (round == 0) != (len(res.Issues) == 0) {
				t.Fatalf("round %d: %+v %v", round, res, err)
			}
			if round == 1 {
				out := &xlsx.ImportOutcome{}
				xlsx.StatementIssues(out, res.Issues)
				if out.Issues[0].Row != 2 || out.Issues[0].Column != "流水号" {
					t.Fatalf("issues %+v", out.Issues)
				}
			}
		}
	})
}

// A 16-digit account typed into a number cell (as LibreOffice reads a CSV with the column left
// as numbers) has lost its last digit: the cell is refused, named; a text cell keeps every digit.
// A file with a header and no line says so.
func TestStatementNumericAccountByLibreOffice(t *testing.T) {
	soffice(t)
	src := filepath.Join(t.TempDir(), "statement.csv")
	os.WriteFile(src, []byte("交易日期,借方发生额,贷方发生额,对方户名,对方账号,摘要,流水号\n"+
		"2021-03-02,1000.00,,某某建筑劳务有限公司,6217000011112222,货款,000123\n"+
		"2021-03-03,80.00,,示范集团,123456789012,退款,000124\n"), 0o644)
	book := convert(t, src, "xlsx", "CSV:44,34,76,1,1/5/2/1/3/1/4/2/5/1/6/2/7/2")
	lines, rep, err := xlsx.ReadStatement(book)
	if err != nil || rep.OK() || lines != nil || len(rep.Issues) != 1 {
		t.Fatalf("%v %+v %+v", err, rep, lines)
	}
	if is := rep.Issues[0]; is.Row != 2 || is.Column != "收款人账号" || !strings.Contains(is.Message, "E2") || !strings.Contains(is.Message, "15 位") {
		t.Fatalf("issue %+v", is)
	}
	// The same account in scientific notation, as a CSV saved from Excel has it.
	_, rep, err = xlsx.ReadStatement(writeFile(t, "sci.csv", []byte("交易日期,借方发生额,对方户名,对方账号,流水号\n2021-03-02,1.00,某某,6.21700001111222E+15,X1\n")))
	if err != nil || rep.OK() || rep.Issues[0].Column != "收款人账号" || rep.Issues[0].Row != 2 {
		t.Fatalf("scientific: %v %+v", err, rep)
	}
	// A header alone.
	_, _, err = xlsx.ReadStatement(writeFile(t, "empty.csv", []byte("交易日期,借方发生额,对方户名,流水号\n")))
	var fe *xlsx.FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "文件中没有流水行") {
		t.Fatalf("a header alone: %v", err)
	}
}
