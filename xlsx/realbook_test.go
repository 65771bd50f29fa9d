package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// Excel stores 19.99 as 19.989999999999998 and a formula's 700 as 700.00000000000011: they are
// read as Excel shows them (15 significant digits), then the two-decimal rule applies, so that a
// real third decimal is still refused.
func TestExcelStoredNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		book := rawBook(t, rawSheet{name: "台账", rows: [][]string{
			ledgerHeader,
			{"X-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#19.989999999999998", "=SUM(H5:H9)#700.00000000000011", "底数", "结算争议"},
			{"X-2", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1234567.8899999999", "", "底数"},
		}})
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 2 {
			t.Fatalf("%v %+v %s", err, rep, issues(rep))
		}
		items := l.all(t)
		if items[0].Undisputed != 1999 || items[0].Disputed != 70000 || items[1].Undisputed != 123456789 {
			t.Fatalf("stored %s %s %s", items[0].Undisputed, items[0].Disputed, items[1].Undisputed)
		}
		// A third decimal that is really there is refused, stored with 17 digits or not.
		book = rawBook(t, rawSheet{name: "台账", rows: [][]string{
			ledgerHeader,
			{"X-3", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1.2345000000000002", "", "底数"},
			{"X-4", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1.234", "", "底数"},
		}})
		rep, err = xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || len(rep.Issues) != 2 || !strings.Contains(rep.Issues[0].Message, "两位小数") {
			t.Fatalf("%v %s", err, issues(rep))
		}
	})
}

func issues(rep *xlsx.ImportOutcome) string {
	if rep == nil {
		return ""
	}
	return xlsx.IssueSummary(rep.Issues, 20)
}

// importText imports a CSV text, for real unless dry.
func importText(t *testing.T, l *ledger, text string, dry bool) *xlsx.ImportOutcome {
	t.Helper()
	rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "ledger.csv", []byte(text)), dry, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func itemCount(t *testing.T, l *ledger) int {
	t.Helper()
	n, err := l.db.CountRows(context.Background(), "items")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A ledger without 台账编号 and 合同编号 imported twice adds nothing the second time: a row is
// its debt (unit, creditor, date, kind, amounts), and the result says which item each row
// matched and by what. The same debt twice in one file is reported, not made two debts.
func TestReimportWithoutNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		text := "欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n" +
			"示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n" +
			"示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,200.00,底数\n" +
			"示范建工第一工程有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n"
		if rep := importText(t, l, text, false); !rep.OK() || rep.Result.Created != 3 {
			t.Fatalf("first: %+v %s", rep.Result, issues(rep))
		}
		rep := importText(t, l, text, false)
		if !rep.OK() || rep.Result.Created != 0 || rep.Result.Unchanged != 3 || itemCount(t, l) != 3 {
			t.Fatalf("again: %+v %s", rep.Result, issues(rep))
		}
		if d := rep.Result.Details; len(d) != 3 || d[0].Action != qingqian.ImportIdentical || d[0].ItemID == 0 || !strings.Contains(d[0].MatchedBy, "发生日期") {
			t.Fatalf("details %+v", d)
		}
		// A row repeated in the file: reported with the row it repeats, nothing written.
		dup := text + "示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,200.00,底数\n" +
			"示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-12-01,300.00,底数\n" +
			"示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-12-01,300.00,底数\n"
		rep = importText(t, l, dup, false)
		if rep.OK() || len(rep.Issues) != 2 || rep.Issues[0].Row != 5 || !strings.Contains(rep.Issues[0].Message, "第3行") || rep.Issues[1].Row != 7 || itemCount(t, l) != 3 {
			t.Fatalf("duplicates: %s", issues(rep))
		}
	})
}

// "单位：万元" anywhere above the header applies to the amount columns whose header says no unit,
// and the outcome says which unit each amount column was read in.
func TestUnitNoteAboveHeader(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		book := rawBook(t, rawSheet{name: "台账", rows: [][]string{
			{"示范建工集团清欠台账", "", "", "", "", "", "", "", "单位：万元"},
			{"填报单位：元丰分公司", "", "", "", "", "", "", "", ""},
			{"台账编号", "欠款单位", "债权企业名称", "统一社会信用代码", "欠款类型", "发生日期", "无分歧金额", "有分歧金额（元）", "来源"},
			{"U-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#250", "", "底数"},
		}})
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("%v %s", err, issues(rep))
		}
		if got := l.all(t)[0].Undisputed; got != 2_500_000_00 {
			t.Fatalf("250 万元 stored as %s", got)
		}
		units := map[string]string{}
		for _, u := range rep.Units {
			units[u.Column] = u.Unit + " " + u.From
		}
		if !strings.HasPrefix(units["无分歧金额（元）"], "万元 表格上方") || !strings.HasPrefix(units["有分歧金额（元）"], "元 表头") {
			t.Fatalf("units %v", units)
		}
	})
}

// Two columns for one amount, in 元 and rounded in 万元: the exact one is read, whichever comes
// first; two in the same unit are refused. A cell whose own unit contradicts its column's and
// a thousands separator out of place are errors naming the cell.
func TestAmountColumnsAndCells(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		rep := importText(t, l, "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（万元）,无分歧金额（元）,来源\n"+
			"W-1,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,123.46,\"1,234,567.89\",底数\n", false)
		if !rep.OK() || l.all(t)[0].Undisputed != 123456789 || len(rep.Notes) == 0 {
			t.Fatalf("%s %v %v", issues(rep), rep.Notes, l.all(t))
		}
		_, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "two.csv", []byte("台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,无分歧金额,来源\n"+
			"W-2,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,1,2,底数\n")), false, nil)
		if err == nil || !strings.Contains(err.Error(), "无法确定") {
			t.Fatalf("two 元 columns: %v", err)
		}
		rep = importText(t, l, "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（万元）,有分歧金额（万元）,分歧原因,来源\n"+
			"W-3,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,\"1,234.56元\",,,底数\n"+
			"W-4,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,\"12,34\",\"1,0\",争议,底数\n", false)
		want := map[string]bool{"2 无分歧金额（元）": true, "3 无分歧金额（元）": true, "3 有分歧金额（元）": true}
		for _, is := range rep.Issues {
			delete(want, fmt.Sprint(is.Row, " ", is.Column))
		}
		if len(want) != 0 || !strings.Contains(issues(rep), "与本列的单位“万元”不一致") || !strings.Contains(issues(rep), "千位分隔符") || itemCount(t, l) != 1 {
			t.Fatalf("missing %v in %s", want, issues(rep))
		}
	})
}

// A workbook with a sheet per subsidiary: every sheet whose header matches is read, and the
// outcome names the sheets read and those left out.
func TestEverySheetIsRead(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		book := rawBook(t,
			rawSheet{name: "说明", rows: [][]string{{"本表按子公司分列"}}},
			rawSheet{name: "集团本部", rows: [][]string{ledgerHeader,
				{"S-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#100", "", "底数"}}},
			rawSheet{name: "一公司", rows: [][]string{ledgerHeader,
				{"S-1", "示范建工第一工程有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#200", "", "底数"},
				{"S-2", "示范建工第一工程有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#1.234", "", "底数"}}},
		)
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || len(rep.Issues) != 1 || rep.Issues[0].Sheet != "一公司" || rep.Issues[0].Row != 3 {
			t.Fatalf("%v %s", err, issues(rep))
		}
		book = rawBook(t,
			rawSheet{name: "说明", rows: [][]string{{"本表按子公司分列"}}},
			rawSheet{name: "集团本部", rows: [][]string{ledgerHeader,
				{"S-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#100", "", "底数"}}},
			rawSheet{name: "一公司", rows: [][]string{ledgerHeader,
				{"S-1", "示范建工第一工程有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#200", "", "底数"}}},
		)
		rep, err = xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 2 || len(rep.Sheets) != 2 {
			t.Fatalf("%v %+v %s", err, rep, issues(rep))
		}
		notes := strings.Join(rep.Notes, "\n")
		if !strings.Contains(notes, "集团本部、一公司") || !strings.Contains(notes, "“说明”") {
			t.Fatalf("notes %q", notes)
		}
	})
}

// A debt whose 欠款单位 was corrected in the file is not made a second debt: the row is an error
// naming the unit it is recorded under. A creditor's name that differs from the one registered
// for its code is a warning on the row.
func TestChangedUnitAndCreditorName(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		head := "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n"
		importText(t, l, head+"M-1,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n"+
			",示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,货物款,2019-11-30,50.00,底数\n", false)
		rep := importText(t, l, head+"M-1,示范建工第一工程有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n"+
			",示范建工第一工程有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,货物款,2019-11-30,50.00,底数\n", false)
		if len(rep.Issues) != 2 || rep.Issues[0].Column != "欠款单位" || !strings.Contains(rep.Issues[0].Message, "示范建工集团有限公司") || itemCount(t, l) != 2 {
			t.Fatalf("moved: %s", issues(rep))
		}
		rep = importText(t, l, head+"M-2,示范建工集团有限公司,某某建筑劳务公司,91310115MA1K3BTP2B,工程款,2019-11-30,300.00,底数\n", true)
		if !rep.OK() || len(rep.Warnings) != 1 || rep.Warnings[0].Column != "债权企业名称" || !strings.Contains(rep.Warnings[0].Message, "某某建筑劳务有限公司") {
			t.Fatalf("name: %s %+v", issues(rep), rep.Warnings)
		}
	})
}

// What real ledgers hold and was refused: a 合计 row (checked against the rows, left out), a 小计
// that does not add up (a warning), a creditor merged over two rows, a 06:00 date-time, "-" and
// "无" for zero, a USCC in groups of four, a unit name with half-width brackets.
func TestRealLedgerShapes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		o := &qingqian.Org{ParentID: l.a.ID, Name: "示范建工（海南）有限公司", Kind: qingqian.OrgSubsidiary}
		if err := sqldb.NewOrgService(db).CreateOrg(l.sys, o); err != nil {
			t.Fatal(err)
		}
		book := rawBook(t, rawSheet{name: "台账", merges: []string{"C2:C3", "D2:D3"}, rows: [][]string{
			ledgerHeader,
			{"R-1", "示范建工(海南)有限公司", "某某建筑劳务有限公司", "9131 0115 MA1K 3BTP 2B", "工程款", "#43539.25", "#100.5", "-", "底数"},
			{"R-2", "示范建工集团有限公司", "", "", "货物款", "2019-03-15 06:00:00", "#200", "无", "底数"},
			{"小计", "", "", "", "", "", "#300", "", ""},
			{"R-3", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "服务款", "#43539", "#1000", "—", "底数"},
			{"合计", "", "", "", "", "", "=SUM(G2:G5)#1300.5", "#0", ""},
		}})
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 3 {
			t.Fatalf("%v %+v %s", err, rep, issues(rep))
		}
		if len(rep.Warnings) != 1 || rep.Warnings[0].Row != 4 || !strings.Contains(rep.Warnings[0].Message, "相差 -0.50") {
			t.Fatalf("warnings %+v", rep.Warnings)
		}
		items := l.all(t)
		if items[0].OrgID != o.ID || items[0].ArisenOn.String() != "2019-03-15" || items[0].Disputed != 0 ||
			items[1].CreditorUSCC != "91310115MA1K3BTP2B" || items[1].ArisenOn.String() != "2019-03-15" {
			t.Fatalf("items %+v %+v", items[0], items[1])
		}
		// A negative in brackets is read as negative (and refused as such); a near-miss unit
		// name suggests the nearest.
		rep = importText(t, l, "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n"+
			"N-1,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,\"(1,234.56)\",底数\n", true)
		if len(rep.Issues) != 1 || !strings.Contains(rep.Issues[0].Message, "负数") {
			t.Fatalf("%s", issues(rep))
		}
		rep = importText(t, l, "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n"+
			"N-2,示范建工集团有限公,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,5,底数\n", true)
		if len(rep.Issues) != 1 || !strings.Contains(rep.Issues[0].Message, "是否为“示范建工集团有限公司”") {
			t.Fatalf("%s", issues(rep))
		}
	})
}

// .xls and .ods are refused with the formats that are accepted, and how to get one.
func TestOtherSpreadsheetFormats(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		var ods bytes.Buffer
		z := zip.NewWriter(&ods)
		w, _ := z.Create("mimetype")
		w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
		z.Close()
		for name, b := range map[string][]byte{"a.xls": append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 600)...), "a.ods": ods.Bytes()} {
			_, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, name, b), true, nil)
			var fe *xlsx.FileError
			if !errors.As(err, &fe) || !strings.Contains(fe.Msg, "另存为") || !strings.Contains(fe.Msg, ".xlsx") {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// Everything that can be checked is reported in one round, bad cells and what the database says
// about the other rows (an unknown unit, a repeated row), each with its value; the error
// workbook keeps dates as dates and amounts as numbers. A header that lacks columns names them.
func TestOneRoundOfErrors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		text := "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n" +
			"O-1,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-02-30,100.00,底数\n" +
			"O-2,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n" +
			"O-3,示范建工二公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n" +
			"O-2,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,100.00,底数\n" +
			"O-5,示范建工集团有限公司,,91110000600037341L,工程款,2019-11-30,\"1,0\",底数\n"
		path := writeFile(t, "errors.csv", []byte(text))
		rep, err := xlsx.ImportLedger(l.sys, l.imports, path, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, is := range rep.Issues {
			got[fmt.Sprint(is.Row, " ", is.Column)] = is.Value
		}
		want := map[string]string{"2 发生日期": "2019-02-30", "4 欠款单位": "示范建工二公司", "5 台账编号": "O-2", "6 无分歧金额（元）": "1,0"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("issue %s = %q, want %q", k, got[k], v)
			}
		}
		if t.Failed() {
			t.Fatal(issues(rep))
		}
		var buf bytes.Buffer
		if err := xlsx.WriteErrorWorkbook(&buf, "ledger", path, rep.Issues); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetList()[0]
		// The first column explains: the file's column F (发生日期) is G here.
		date, _ := f.GetCellValue(sheet, "G3")
		amount, _ := f.GetCellValue(sheet, "H3")
		note, _ := f.GetCellValue(sheet, "A2")
		if date != "43799" || amount != "100" || !strings.Contains(note, "日期") {
			t.Fatalf("error workbook: date %q amount %q note %q", date, amount, note)
		}
		_, err = xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "head.csv", []byte("台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,来源\nX,Y,Z,W,工程款,底数\n")), true, nil)
		if err == nil || !strings.Contains(err.Error(), "发生日期") || strings.Contains(err.Error(), "欠款单位") {
			t.Fatalf("header: %v", err)
		}
	})
}

// The ledger export fills 企业性质.
func TestExportHasOwnership(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		rows := readCSV(t, export(t, l, "csv"))
		if rows[3][4] != "民营企业" || rows[4][4] != "个体工商户" {
			t.Fatalf("企业性质 %q %q", rows[3][4], rows[4][4])
		}
	})
}

// An amount merged over two rows is Excel's one amount (its SUM counts it once): it is not given
// to the second row, whose text cells under a merge are.
func TestMergedAmountCountsOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		book := rawBook(t, rawSheet{name: "台账", merges: []string{"B2:B3", "G2:G3"}, rows: [][]string{
			ledgerHeader,
			{"G-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#100", "", "底数"},
			{"G-2", "", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "", "#5", "底数", "结算争议"},
		}})
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("%v %s", err, issues(rep))
		}
		items := l.all(t)
		if len(items) != 2 || items[1].OrgName != "示范建工集团有限公司" || items[1].Undisputed != 0 || items[0].Undisputed != 10000 {
			t.Fatalf("items %+v %+v", items[0], items[1])
		}
	})
}

// The same shapes saved by LibreOffice (its own XML: shared strings, its relationship paths,
// its merged ranges) read the same: several sheets, a unit note, merged cells, a 合计 row.
func TestLibreOfficeSavedShapes(t *testing.T) {
	soffice(t)
	book := rawBook(t,
		rawSheet{name: "说明", rows: [][]string{{"按子公司分列"}}},
		rawSheet{name: "本部", merges: []string{"C3:C4", "D3:D4"}, rows: [][]string{
			{"清欠台账", "", "", "", "", "", "", "", "金额单位：万元"},
			{"台账编号", "欠款单位", "债权企业名称", "统一社会信用代码", "欠款类型", "发生日期", "无分歧金额", "有分歧金额", "来源", "分歧原因"},
			{"L-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539.25", "#1.5", "", "底数"},
			{"L-2", "示范建工集团有限公司", "", "", "货物款", "#43539", "#0.25", "", "底数"},
			{"合计", "", "", "", "", "", "#1.75", "", ""},
		}},
		rawSheet{name: "一公司", rows: [][]string{ledgerHeader,
			{"L-1", "示范建工第一工程有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "#43539", "#19.989999999999998", "", "底数"}}},
	)
	saved := convert(t, book, "xlsx", "")
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		rep, err := xlsx.ImportLedger(l.sys, l.imports, saved, false, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("%v %s", err, issues(rep))
		}
		if len(rep.Sheets) != 2 || len(rep.Warnings) != 0 {
			t.Fatalf("sheets %v warnings %+v notes %v", rep.Sheets, rep.Warnings, rep.Notes)
		}
		items := l.all(t)
		if len(items) != 3 || items[0].Undisputed != 1_500_000 || items[1].Undisputed != 250_000 || items[1].CreditorUSCC != "91310115MA1K3BTP2B" ||
			items[2].Undisputed != 1999 {
			for _, it := range items {
				t.Logf("%s %s %s %s", it.No, it.OrgName, it.CreditorUSCC, it.Undisputed)
			}
			t.Fatalf("items")
		}
	})
}
