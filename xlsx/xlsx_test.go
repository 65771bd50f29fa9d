package xlsx_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
)

// soffice finds LibreOffice; without it the tests that need it skip, unless
// QINGQIAN_LIBREOFFICE_REQUIRED is set (CI sets it).
func soffice(t *testing.T) string {
	p, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("QINGQIAN_LIBREOFFICE_REQUIRED") != "" {
			t.Fatal("soffice not found and QINGQIAN_LIBREOFFICE_REQUIRED is set")
		}
		t.Skip("LibreOffice is not installed")
	}
	return p
}

// convert runs LibreOffice headless; it exits 0 even when it fails, so the output is checked.
func convert(t *testing.T, in, to, infilter string) string {
	t.Helper()
	bin := soffice(t)
	out := t.TempDir()
	args := []string{"--headless", "-env:UserInstallation=file://" + t.TempDir(), "--convert-to", to, "--outdir", out}
	if infilter != "" {
		args = append(args, "--infilter="+infilter)
	}
	cmd := exec.Command(bin, append(args, in)...)
	msg, err := cmd.CombinedOutput()
	ext := strings.SplitN(to, ":", 2)[0]
	res := filepath.Join(out, strings.TrimSuffix(filepath.Base(in), filepath.Ext(in))+"."+ext)
	if _, serr := os.Stat(res); err != nil || serr != nil {
		t.Fatalf("soffice %v: %v %s", args, err, msg)
	}
	return res
}

const csvUTF8 = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// ledger is a small province with items whose amounts and dates test the formats.
type ledger struct {
	db          *sqldb.DB
	sys         context.Context
	root, a, a1 *qingqian.Org
	items       *sqldb.ItemService
	imports     *sqldb.ImportService
}

func newLedger(t *testing.T, db *sqldb.DB) *ledger {
	t.Helper()
	l := &ledger{db: db, sys: qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")), items: sqldb.NewItemService(db), imports: sqldb.NewImportService(db)}
	orgs := sqldb.NewOrgService(db)
	mk := func(parent int64, name string, kind qingqian.OrgKind) *qingqian.Org {
		o := &qingqian.Org{ParentID: parent, Name: name, Kind: kind}
		if err := orgs.CreateOrg(l.sys, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	l.root = mk(0, "示范省国资委", qingqian.OrgRegulator)
	l.a = mk(l.root.ID, "示范建工集团有限公司", qingqian.OrgGroup)
	l.a1 = mk(l.a.ID, "示范建工第一工程有限公司", qingqian.OrgSubsidiary)
	return l
}

// seed adds items through the services, as people would.
func (l *ledger) seed(t *testing.T) {
	t.Helper()
	creditors := sqldb.NewCreditorService(l.db)
	c1 := &qingqian.Creditor{Name: "某某建筑劳务有限公司", USCC: "91310115MA1K3BTP2B", Ownership: qingqian.OwnershipPrivate}
	c2 := &qingqian.Creditor{Name: "老张五金经营部", USCC: "92340602MA2PBMEM24", Ownership: qingqian.OwnershipIndividual}
	for _, c := range []*qingqian.Creditor{c1, c2} {
		if err := creditors.CreateCreditor(l.sys, c); err != nil {
			t.Fatal(err)
		}
	}
	for i, it := range []*qingqian.Item{
		{No: "A-001", OrgID: l.a.ID, CreditorID: c1.ID, ContractNo: "HT-001", ContractName: "办公楼施工合同", Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2018-03-15"),
			DueOn: qingqian.MustParseDate("2018-06-15"), Undisputed: 96855380000, Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn, Responsible: "张三"},
		{No: "A-002", OrgID: l.a1.ID, CreditorID: c2.ID, ContractNo: "0012", ContractName: "五金采购, 含\"螺丝\"", Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2019-12-31"),
			Undisputed: 1, Disputed: 123456789, DisputeReason: "数量有争议", Origin: qingqian.OriginSelfCheck, Note: "第一行\n第二行"},
		{OrgID: l.a1.ID, CreditorID: c1.ID, ContractNo: "HT-003", ContractName: "=HYPERLINK(\"http://evil.example\",\"点我\")", Kind: qingqian.KindRetention, ArisenOn: qingqian.MustParseDate("2020-02-29"),
			Undisputed: 100000, Origin: qingqian.OriginNew, FundingSource: qingqian.FundingLoan},
	} {
		if err := l.items.CreateItem(l.sys, it); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
	}
}

func (l *ledger) all(t *testing.T) []*qingqian.Item {
	t.Helper()
	page, err := l.items.FindItems(l.sys, qingqian.ItemFilter{Sort: "id", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func meta() xlsx.Meta {
	return xlsx.Meta{AsOf: qingqian.MustParseDate("2021-10-31"), User: "测试员", At: time.Date(2021, 11, 1, 2, 0, 0, 0, time.UTC)}
}

func export(t *testing.T, l *ledger, format string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "台账."+format)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xlsx.ExportLedger(l.sys, l.items, qingqian.ItemFilter{}, f, format, meta()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// Every value of an export, opened by LibreOffice, equals the ledger's.
func TestExportOpensInLibreOffice(t *testing.T) {
	soffice(t)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		rows := readCSV(t, convert(t, export(t, l, "xlsx"), csvUTF8, ""))
		if len(rows) < 3 || !strings.HasPrefix(rows[0][0], "清理拖欠") || !strings.Contains(rows[1][0], "截至 2021-10-31") || !strings.Contains(rows[1][0], "测试员") {
			t.Fatalf("header area %q", rows[:min(3, len(rows))])
		}
		for i, c := range xlsx.LedgerColumns {
			if rows[2][i] != c.Header {
				t.Fatalf("header %d = %q, want %q", i, rows[2][i], c.Header)
			}
		}
		items := l.all(t)
		if len(rows)-3 != len(items) {
			t.Fatalf("%d data rows, want %d", len(rows)-3, len(items))
		}
		for n, it := range items {
			row := rows[3+n]
			text := map[int]string{0: it.No, 1: it.OrgName, 2: it.CreditorName, 3: it.CreditorUSCC, 5: it.ContractNo, 6: it.ContractName,
				7: qingqian.ItemKindNames[it.Kind], 12: it.DisputeReason, 13: qingqian.FundingNames[it.FundingSource], 14: qingqian.OriginNames[it.Origin],
				15: it.Responsible, 16: it.Note, 20: qingqian.StatusNames[it.Balance.Status]}
			for i, want := range text {
				if row[i] != want {
					t.Errorf("row %d col %s = %q, want %q", n+1, xlsx.LedgerColumns[i].Header, row[i], want)
				}
			}
			dates := map[int]qingqian.Date{8: it.ArisenOn, 9: it.DueOn}
			for i, want := range dates {
				got, err := xlsx.ParseDate(row[i])
				if err != nil || got != want {
					t.Errorf("row %d date %s = %q (%s, %v), want %s", n+1, xlsx.LedgerColumns[i].Header, row[i], got, err, want)
				}
			}
			// Each row reconciles: 无分歧 + 有分歧 = 已清偿 + 核减核销 + 未清偿.
			money := map[int]qingqian.Money{10: it.Undisputed, 11: it.Disputed, 17: it.Balance.Repaid,
				18: it.Undisputed + it.Disputed - it.Balance.Repaid - it.Balance.Outstanding, 19: it.Balance.Outstanding}
			for i, want := range money {
				got, err := xlsx.ParseAmount(row[i], false)
				if err != nil || got != want {
					t.Errorf("row %d amount %s = %q (%d, %v), want %d", n+1, xlsx.LedgerColumns[i].Header, row[i], got, err, want)
				}
			}
		}
	})
}

// A file written by LibreOffice (a CSV fixture converted with soffice) imports with every value.
func TestImportLibreOfficeWritten(t *testing.T) {
	soffice(t)
	src := filepath.Join(t.TempDir(), "fixture.csv")
	os.WriteFile(src, []byte(`台账编号,欠款单位,债权企业名称,统一社会信用代码,企业性质,合同编号,合同名称,欠款类型,发生日期,应付日期,无分歧金额（元）,有分歧金额（元）,分歧原因,资金来源,来源,责任人,备注
L-1,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,民营企业,0012,道路施工合同,工程款,2019-11-30,2020-01-29,968553800.00,0,,自有资金,底数,张三,
L-2,示范建工第一工程有限公司,老张五金经营部,92340602MA2PBMEM24,个体工商户,HT-2,五金,货物款,2019-01-05,,1001.10,25.5,价格争议,未落实,自查发现,,备注文字
`), 0o644)
	// Column types: text for codes (so 0012 stays 0012), standard for the rest.
	types := "1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2/9/1/10/1/11/1/12/1/13/2/14/2/15/2/16/2/17/2"
	book := convert(t, src, "xlsx", "CSV:44,34,76,1,"+types)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		rep, err := xlsx.ImportLedger(l.sys, l.imports, book, false, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("import: %v %+v", err, rep)
		}
		if rep.Result.Created != 2 || rep.Result.CreditorsCreated != 2 {
			t.Fatalf("result %+v", rep.Result)
		}
		items := l.all(t)
		a, b := items[0], items[1]
		if a.No != "L-1" || a.ContractNo != "0012" || a.Undisputed != 96855380000 || a.ArisenOn.String() != "2019-11-30" || a.DueOn.String() != "2020-01-29" ||
			a.Kind != qingqian.KindWorks || a.FundingSource != qingqian.FundingOwn || a.Responsible != "张三" || a.OrgName != "示范建工集团有限公司" {
			t.Fatalf("first row imported as %+v", a)
		}
		if b.Undisputed != 100110 || b.Disputed != 2550 || b.DueOn.IsZero() == false || b.Origin != qingqian.OriginSelfCheck || b.FundingSource != qingqian.FundingNone ||
			b.Note != "备注文字" || b.CreditorUSCC != "92340602MA2PBMEM24" {
			t.Fatalf("second row imported as %+v", b)
		}
	})
}

// An export imports back without change, in both formats; the same file twice changes nothing.
func TestRoundTripIsIdempotent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		before := l.all(t)
		for _, format := range []string{"xlsx", "csv"} {
			path := export(t, l, format)
			for round := 0; round < 2; round++ {
				rep, err := xlsx.ImportLedger(l.sys, l.imports, path, false, nil)
				if err != nil || !rep.OK() || rep.Result.Unchanged != len(before) || rep.Result.Created+rep.Result.Updated != 0 {
					t.Fatalf("%s round %d: %v %+v %s", format, round, err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
				}
			}
		}
		if n, _ := db.CountRows(context.Background(), "items"); n != len(before) {
			t.Fatalf("%d items after re-imports", n)
		}
		// An edited descriptive field updates the item; the dry run says so and writes nothing.
		path := export(t, l, "csv")
		b, _ := os.ReadFile(path)
		os.WriteFile(path, bytes.Replace(b, []byte("张三"), []byte("李四"), 1), 0o644)
		rep, err := xlsx.ImportLedger(l.sys, l.imports, path, true, nil)
		if err != nil || rep.Result.Updated != 1 || !rep.Result.DryRun {
			t.Fatalf("dry run %v %+v", err, rep.Result)
		}
		if l.all(t)[0].Responsible != "张三" {
			t.Fatal("a dry run wrote")
		}
		if rep, err = xlsx.ImportLedger(l.sys, l.imports, path, false, nil); err != nil || rep.Result.Updated != 1 {
			t.Fatalf("update %v %+v", err, rep.Result)
		}
		if l.all(t)[0].Responsible != "李四" {
			t.Fatal("the update was not written")
		}
	})
}

func writeFile(t *testing.T, name string, b []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// What people really send: GB18030 from Excel on Chinese Windows, a title row, amounts in 万元,
// full-width digits, dates in every shape, lower-case codes, blank rows at the end.
func TestImportWhatPeopleType(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		text := "示范建工集团2021年三季度清欠台账,,,,,,,,,,,,,\n" +
			"台账编号,欠款单位,债权企业名称,统一社会信用代码,合同编号,欠款类型,发生日期,无分歧金额（万元）,有分歧金额（万元）,分歧原因,来源\n" +
			"G-1,示范建工集团有限公司,某某建筑劳务有限公司, 91310115ma1k3btp2b ,HT-9,工程款,2019年11月30日,\"96,855.38\",0,,底数\n" +
			"G-2,示范建工第一工程有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,HT-10,服务款,２０２０／０１／０５,０.５,4929.7万元,尚在诉讼,新增欠款\n" +
			"G-3,示范建工第一工程有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,HT-11,质保金,2020.2.29,1,,,底数\n" +
			",,,,,,,,,,\n,,,,,,,,,,\n"
		gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "gb.csv", gb), false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 3 {
			t.Fatalf("%v %+v %s", err, rep, xlsx.IssueSummary(rep.Issues, 10))
		}
		items := l.all(t)
		if items[0].Undisputed != 96855380000 || items[0].ArisenOn.String() != "2019-11-30" || items[0].CreditorUSCC != "91310115MA1K3BTP2B" {
			t.Fatalf("G-1 %+v", items[0])
		}
		if items[1].Undisputed != 500000 || items[1].Disputed != 4929700000 || items[1].ArisenOn.String() != "2020-01-05" || items[1].Kind != qingqian.KindServices {
			t.Fatalf("G-2 %+v", items[1])
		}
		if items[2].Undisputed != 1000000 || items[2].ArisenOn.String() != "2020-02-29" {
			t.Fatalf("G-3 %+v", items[2])
		}
		// UTF-8 with a byte-order mark reads the same.
		l2 := newLedger(t, sqldbtest.MustOpen(t, db.Dialect()))
		rep, err = xlsx.ImportLedger(l2.sys, l2.imports, writeFile(t, "bom.csv", append([]byte("\xEF\xBB\xBF"), text...)), false, nil)
		if err != nil || rep.Result.Created != 3 {
			t.Fatalf("BOM: %v %+v", err, rep)
		}
	})
}

// A file with any error writes nothing and says where each problem is; the error workbook marks
// the cells and explains each row.
func TestImportErrorsWriteNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		text := "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,应付日期,无分歧金额（元）,有分歧金额（元）,分歧原因,来源\n" +
			"E-1,示范建工集团有限公司,甲公司,91310115MA1K3BTP2B,工程款,2019-11-30,,100.00,,,底数\n" +
			"E-2,示范建工集团有限公司,乙公司,91110000600037341N,工程款,2019-02-30,,1.234,,,底数\n" +
			"E-3,不存在的公司,丙公司,91110000600037341L,借款,2019-11-30,2019-01-01,100,,,底数\n" +
			"E-4,示范建工集团有限公司,丁公司,9131012056010553X5,货物款,2019-11-30,2019-01-01,100,50,,底数\n"
		path := writeFile(t, "bad.csv", []byte(text))
		rep, err := xlsx.ImportLedger(l.sys, l.imports, path, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{"3 统一社会信用代码": true, "3 发生日期": true, "3 无分歧金额（元）": true, "4 欠款类型": true}
		for _, is := range rep.Issues {
			delete(want, strconv.Itoa(is.Row)+" "+is.Column)
			if is.Sheet != "CSV" || is.Message == "" {
				t.Errorf("issue %+v", is)
			}
		}
		if len(want) != 0 {
			t.Fatalf("missing issues %v; got\n%s", want, xlsx.IssueSummary(rep.Issues, 20))
		}
		if n, _ := db.CountRows(context.Background(), "items"); n != 0 {
			t.Fatalf("%d items written from a bad file", n)
		}
		// Cells fine, but the database says no: unknown unit, due before arising, missing reason.
		fixed := strings.NewReplacer("91110000600037341N", "91110000710926094P", "2019-02-30", "2019-02-28", "1.234", "1.23", "借款", "工程款").Replace(text)
		rep, err = xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "bad2.csv", []byte(fixed)), false, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, is := range rep.Issues {
			got[strconv.Itoa(is.Row)+" "+is.Column] = true
		}
		for _, k := range []string{"4 欠款单位", "5 应付日期", "5 分歧原因"} {
			if !got[k] {
				t.Errorf("no issue at %s; got\n%s", k, xlsx.IssueSummary(rep.Issues, 20))
			}
		}
		for _, table := range []string{"items", "creditors", "entries"} {
			if n, _ := db.CountRows(context.Background(), table); n != 0 {
				t.Fatalf("%d %s written from a file with errors", n, table)
			}
		}
		var buf bytes.Buffer
		if err := xlsx.WriteErrorWorkbook(&buf, "ledger", path, mustImport(t, l, path).Issues); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := f.GetCellValue("错误报告", "A1"); v != "错误说明" {
			t.Fatalf("A1 = %q", v)
		}
		if v, _ := f.GetCellValue("错误报告", "A3"); !strings.Contains(v, "统一社会信用代码") {
			t.Fatalf("A3 = %q", v)
		}
		// The bad USCC of row 3 is column D of the file, E in the report.
		style, _ := f.GetCellStyle("错误报告", "E3")
		plain, _ := f.GetCellStyle("错误报告", "C3")
		if style == plain {
			t.Fatal("the bad cell is not marked")
		}
	})
}

// The rows are written while the file is still being read: a bad cell in the last row, or a
// file that breaks after a thousand good rows, still leaves nothing written.
func TestLateProblemsRollBackWhatWasWritten(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		audit, _ := db.CountRows(context.Background(), "audit_log")
		var b strings.Builder
		b.WriteString("台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源\n")
		for i := 1; i <= 1050; i++ {
			fmt.Fprintf(&b, "L-%04d,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-30,%d.00,底数\n", i, i)
		}
		good := b.String()
		rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "late.csv", []byte(good+"L-1051,示范建工集团有限公司,某某建筑劳务有限公司,91310115MA1K3BTP2B,工程款,2019-11-31,1.00,底数\n")), false, nil)
		if err != nil || rep.OK() || len(rep.Issues) != 1 || rep.Issues[0].Row != 1052 || rep.Issues[0].Column != "发生日期" {
			t.Fatalf("bad last row: %v %+v", err, rep)
		}
		wide := "L-1051" + strings.Repeat(",x", 300) + "\n"
		_, err = xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "wide.csv", []byte(good+wide)), false, nil)
		var fe *xlsx.FileError
		if !errors.As(err, &fe) {
			t.Fatalf("a row too wide after good rows: %v", err)
		}
		for _, table := range []string{"items", "creditors", "entries", "org_totals", "import_items"} {
			if n, _ := db.CountRows(context.Background(), table); n != 0 {
				t.Fatalf("%d rows of %s after two refused files", n, table)
			}
		}
		if n, _ := db.CountRows(context.Background(), "audit_log"); n != audit {
			t.Fatalf("%d audit records after two refused files", n-audit)
		}
		// The same rows alone import.
		rep, err = xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "good.csv", []byte(good)), false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 1050 {
			t.Fatalf("good rows: %v %+v", err, rep.Result)
		}
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("totals: %q %v", bad, err)
		}
		// One audit record for the import's 1,050 items (ADR 28) and the creditor's; they chain
		// up, and the whole verification recomputes the import's digest.
		if n, _ := db.CountRows(context.Background(), "audit_log"); n != audit+1+1 {
			t.Fatalf("%d audit records for an import of 1,050 items and a creditor", n-audit)
		}
		if rep, err := db.Verify(context.Background(), sqldb.VerifyOptions{SkipVouchers: true}); err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
		if v, err := sqldb.NewAuditService(db).VerifyAudit(l.sys); err != nil || !v.OK {
			t.Fatalf("audit chain: %+v %v", v, err)
		}
	})
}

func mustImport(t *testing.T, l *ledger, path string) *xlsx.ImportOutcome {
	rep, err := xlsx.ImportLedger(l.sys, l.imports, path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Broken files end in a clear error, never a panic or a half import.
func TestBrokenFiles(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		good, _ := os.ReadFile(export(t, l, "xlsx"))
		wide := excelize.NewFile()
		row := make([]any, 10000)
		for i := range row {
			row[i] = "x"
		}
		wide.SetSheetRow("Sheet1", "A1", &row)
		var wideBuf bytes.Buffer
		wide.WriteTo(&wideBuf)
		wrongSheet := excelize.NewFile()
		wrongSheet.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "电话"})
		var wrongBuf bytes.Buffer
		wrongSheet.WriteTo(&wrongBuf)
		formulas := excelize.NewFile()
		formulas.SetSheetRow("Sheet1", "A1", &[]any{"台账编号", "欠款单位", "债权企业名称", "统一社会信用代码", "欠款类型", "发生日期", "无分歧金额（元）", "来源"})
		formulas.SetSheetRow("Sheet1", "A2", &[]any{"F-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", "2019-11-30", nil, "底数"})
		formulas.SetCellFormula("Sheet1", "G2", "=1+1")
		var formulaBuf bytes.Buffer
		formulas.WriteTo(&formulaBuf)
		before, _ := l.db.CountRows(context.Background(), "items")
		for name, b := range map[string][]byte{
			"truncated.xlsx": good[:len(good)/2], "wide.xlsx": wideBuf.Bytes(), "wrong-sheet.xlsx": wrongBuf.Bytes(), "empty.csv": nil,
			"binary.csv": {0, 1, 2, 3, 0xff, 0}, "formulas.xlsx": formulaBuf.Bytes(),
		} {
			rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, name, b), false, nil)
			if err == nil && rep.OK() {
				t.Errorf("%s imported: %+v", name, rep.Result)
				continue
			}
			if err != nil {
				var fe *xlsx.FileError
				if !errors.As(err, &fe) {
					t.Errorf("%s: not a clear error: %v", name, err)
				}
				t.Logf("%s: %v", name, err)
			} else {
				t.Logf("%s: %s", name, xlsx.IssueSummary(rep.Issues, 3))
			}
		}
		if after, _ := l.db.CountRows(context.Background(), "items"); after != before {
			t.Fatalf("broken files wrote %d items", after-before)
		}
	})
}

// The templates open in LibreOffice with their header, and have the instructions sheet.
func TestTemplates(t *testing.T) {
	for kind, tmpl := range xlsx.Templates {
		var buf bytes.Buffer
		if err := xlsx.WriteTemplate(&buf, kind); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); len(got) != 2 || got[0] != tmpl.Sheet || got[1] != "填写说明" {
			t.Fatalf("%s sheets %v", kind, got)
		}
		dvs, _ := f.GetDataValidations(tmpl.Sheet)
		if kind == "ledger" && len(dvs) < 4 {
			t.Fatalf("ledger template has %d drop-down lists", len(dvs))
		}
		if _, err := exec.LookPath("soffice"); err == nil || os.Getenv("QINGQIAN_LIBREOFFICE_REQUIRED") != "" {
			path := writeFile(t, kind+".xlsx", buf.Bytes())
			rows := readCSV(t, convert(t, path, csvUTF8, ""))
			for i, c := range tmpl.Cols {
				if rows[0][i] != c.Header {
					t.Fatalf("%s header %d = %q", kind, i, rows[0][i])
				}
			}
		}
	}
}

// An export holds every row of a ledger larger than any page the service returns, and so do the
// creditor and unit exports.
func TestExportHasEveryRow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
		const n = 2345
		err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
			for c := 1; c <= n; c++ {
				if _, err := tx.Exec(`INSERT INTO creditors (id, name, uscc, ownership, created_at, updated_at) VALUES ($1, $2, $3, 'private', $4, $4)`,
					c, "债权企业"+strconv.Itoa(c), "U"+strconv.Itoa(100000+c), now); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO items (no, org_id, creditor_id, kind, arisen_on, undisputed, disputed, origin, rec_u, out_u, status, created_at, created_on, updated_at)
					VALUES ($1, $2, $3, 'works', '2019-01-01', 100, 0, 'baseline', 100, 100, 'unpaid', $4, '2019-01-01', $4)`, "N-"+strconv.Itoa(c), l.a1.ID, c, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := xlsx.ExportLedger(l.sys, l.items, qingqian.ItemFilter{}, &buf, "csv", meta()); err != nil {
			t.Fatal(err)
		}
		if rows := bytes.Count(buf.Bytes(), []byte("\n")); rows != n+3 {
			t.Fatalf("ledger export has %d lines, want %d", rows, n+3)
		}
		buf.Reset()
		if err := xlsx.ExportCreditors(l.sys, sqldb.NewCreditorService(db), &buf, "csv", meta()); err != nil {
			t.Fatal(err)
		}
		if rows := bytes.Count(buf.Bytes(), []byte("\n")); rows != n+3 {
			t.Fatalf("creditor export has %d lines, want %d", rows, n+3)
		}
	})
}

// A list of repayments is recorded once: the same file again pays nothing twice, and a row above
// the balance or for an unknown item writes nothing at all.
func TestImportRepayments(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		head := "欠款单位,台账编号,清偿日期,清偿金额（元）,清偿方式,金额性质,凭证号,说明\n"
		good := head + "示范建工集团有限公司,A-001,2019-11-30,\"968,553,000.00\",银行转账,,HD-1,\n" +
			"示范建工第一工程有限公司,A-002,2020/01/10,0.01,现金,无分歧部分,HP-2,现金\n"
		path := writeFile(t, "还款.csv", []byte(good))
		for round, want := range []struct{ created, unchanged int }{{2, 0}, {0, 2}} {
			rep, err := xlsx.Import(l.sys, l.imports, "repayments", path, false, nil)
			if err != nil || !rep.OK() || rep.Result.Created != want.created || rep.Result.Unchanged != want.unchanged {
				t.Fatalf("round %d: %v %+v %s", round, err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
			}
		}
		items := l.all(t)
		if items[0].Balance.Repaid != 96855300000 || items[1].Balance.Repaid != 1 || items[1].Balance.Status != qingqian.StatusPartial {
			t.Fatalf("balances %+v / %+v", items[0].Balance, items[1].Balance)
		}
		entries, _ := db.CountRows(context.Background(), "entries")
		bad := head + "示范建工集团有限公司,A-001,2019-12-01,800.01,银行转账,,HD-3,\n" + // 800.00 left
			"示范建工集团有限公司,A-999,2019-12-01,1,现金,,,\n" +
			"示范建工集团有限公司,A-001,2019-12-01,1,支票,,,\n"
		rep, err := xlsx.Import(l.sys, l.imports, "repayments", writeFile(t, "bad.csv", []byte(bad)), false, nil)
		if err != nil || rep.OK() {
			t.Fatalf("bad file: %v %+v", err, rep)
		}
		// The bad cell and what the database says about the other rows, in one round.
		if len(rep.Issues) != 3 || rep.Issues[2].Row != 4 || rep.Issues[2].Column != "清偿方式" || rep.Issues[0].Row != 2 || rep.Issues[1].Row != 3 {
			t.Fatalf("cell issue %+v", rep.Issues)
		}
		bad = strings.Replace(bad, "支票", "现金", 1)
		rep, err = xlsx.Import(l.sys, l.imports, "repayments", writeFile(t, "bad2.csv", []byte(bad)), false, nil)
		if err != nil || rep.OK() {
			t.Fatalf("bad file 2: %v %+v", err, rep)
		}
		got := map[string]bool{}
		for _, is := range rep.Issues {
			got[strconv.Itoa(is.Row)+" "+is.Column] = true
		}
		if !got["2 清偿金额（元）"] || !got["3 台账编号"] {
			t.Fatalf("issues %s", xlsx.IssueSummary(rep.Issues, 10))
		}
		if after, _ := db.CountRows(context.Background(), "entries"); after != entries {
			t.Fatalf("a refused file wrote %d entries", after-entries)
		}
		var buf bytes.Buffer
		if err := xlsx.WriteErrorWorkbook(&buf, "repayments", writeFile(t, "bad3.csv", []byte(bad)), rep.Issues); err != nil {
			t.Fatal(err)
		}
	})
}

// The creditor register and the units come in from their templates and go back out unchanged.
func TestImportCreditorsAndUnits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		creditors := "企业名称,统一社会信用代码,企业性质,声明规模,声明日期,声明依据,地区\n" +
			"某某建筑劳务有限公司,91310115MA1K3BTP2B,民营企业,小型,2019-01-10,声明函,上海\n" +
			"老张五金经营部,92340602ma2pbmem24,个体工商户,微型,2019/3/1,,\n"
		path := writeFile(t, "债权企业.csv", []byte(creditors))
		for round, want := range []int{2, 0} {
			rep, err := xlsx.Import(l.sys, l.imports, "creditors", path, false, nil)
			if err != nil || !rep.OK() || rep.Result.Created != want || rep.Result.Created+rep.Result.Unchanged != 2 {
				t.Fatalf("creditors round %d: %v %+v %s", round, err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
			}
		}
		rep, err := xlsx.Import(l.sys, l.imports, "creditors", writeFile(t, "c2.csv", []byte(strings.Replace(creditors, "上海", "杭州", 1))), false, nil)
		if err != nil || rep.Result.Updated != 1 {
			t.Fatalf("creditor update: %v %+v", err, rep.Result)
		}
		units := "单位名称,上级单位,简称,统一社会信用代码,单位类型,分管领导,责任部门,联络员,联络员电话,状态\n" +
			"示范建工第二工程有限公司,示范建工集团有限公司,建工二公司,,子分公司,赵六,财务部,钱七,0311-80000001,启用\n" +
			"示范建工第二工程有限公司项目部,示范建工第二工程有限公司,,,,,,,,\n" +
			"孤儿公司,不存在的集团,,,,,,,,\n"
		rep, err = xlsx.Import(l.sys, l.imports, "units", writeFile(t, "单位.csv", []byte(units)), false, nil)
		if err != nil || rep.OK() || rep.Issues[0].Row != 4 || rep.Issues[0].Column != "上级单位" {
			t.Fatalf("units with an unknown parent: %v %+v", err, rep)
		}
		if n, _ := db.CountRows(context.Background(), "orgs"); n != 3 {
			t.Fatalf("a refused units file wrote units: %d", n)
		}
		units = strings.Replace(units, "孤儿公司,不存在的集团", "示范建工第三工程有限公司,示范建工集团有限公司", 1)
		rep, err = xlsx.Import(l.sys, l.imports, "units", writeFile(t, "单位2.csv", []byte(units)), false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 3 {
			t.Fatalf("units: %v %+v %s", err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
		}
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("totals after units import: %q %v", bad, err)
		}
		// The export of units imports back without change.
		var buf bytes.Buffer
		if err := xlsx.ExportOrgs(l.sys, sqldb.NewOrgService(db), &buf, "csv", meta()); err != nil {
			t.Fatal(err)
		}
		rep, err = xlsx.Import(l.sys, l.imports, "units", writeFile(t, "export.csv", buf.Bytes()), false, nil)
		if err != nil || !rep.OK() || rep.Result.Unchanged != 6 || rep.Result.Created+rep.Result.Updated != 0 {
			t.Fatalf("units round trip: %v %+v %s", err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
		}
		// A clerk may not import units.
		clerk := qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 9, Name: "填报员", OrgID: l.a.ID, OrgPath: l.a.Path, Roles: []qingqian.Role{qingqian.RoleClerk}})
		if _, err := xlsx.Import(clerk, l.imports, "units", writeFile(t, "单位3.csv", []byte(units)), true, nil); qingqian.ErrorCode(err) != qingqian.EFORBIDDEN {
			t.Fatalf("clerk importing units: %v", err)
		}
	})
}

// Text that looks like a formula stays text in a CSV export, and imports back as typed.
func TestCSVFormulaInjection(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		b, _ := os.ReadFile(export(t, l, "csv"))
		if !strings.Contains(string(b), `'=HYPERLINK`) {
			t.Fatalf("formula-like text not defused:\n%s", b)
		}
		rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "back.csv", b), false, nil)
		if err != nil || rep.Result.Unchanged != 3 {
			t.Fatalf("round trip: %v %+v %s", err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
		}
		if soffice := os.Getenv("QINGQIAN_LIBREOFFICE_REQUIRED"); soffice != "" || hasSoffice() {
			rows := readCSV(t, convert(t, writeFile(t, "open.csv", b), "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false", "CSV:44,34,76,1"))
			found := false
			for _, r := range rows {
				for _, c := range r {
					if strings.Contains(c, "HYPERLINK") {
						found = true
					}
					if c == "点我" {
						t.Fatal("LibreOffice evaluated the formula")
					}
				}
			}
			if !found {
				t.Fatal("the text is gone after LibreOffice opened the CSV")
			}
		}
	})
}

func hasSoffice() bool {
	_, err := exec.LookPath("soffice")
	return err == nil
}

// A workbook as offices lay them out: a merged title row, then a two-row header whose group
// cells are merged across and whose other cells are merged down.
func TestImportMergedHeader(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		f := excelize.NewFile()
		s := "Sheet1"
		f.SetSheetRow(s, "A1", &[]any{"示范建工集团清欠台账（2021年10月）"})
		f.MergeCell(s, "A1", "J1")
		f.SetSheetRow(s, "A2", &[]any{"台账编号", "欠款单位", "债权企业名称", "统一社会信用代码", "欠款类型", "发生日期", "金额（万元）", "", "来源", "备注"})
		f.SetSheetRow(s, "A3", &[]any{"", "", "", "", "", "", "无分歧金额", "有分歧金额", "", ""})
		for _, col := range []string{"A", "B", "C", "D", "E", "F", "I", "J"} {
			f.MergeCell(s, col+"2", col+"3")
		}
		f.MergeCell(s, "G2", "H2")
		f.SetSheetRow(s, "A4", &[]any{"M-1", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B", "工程款", 43799, 96855.38, 0, "底数", "合并表头"})
		f.SetSheetRow(s, "A5", &[]any{})
		var buf bytes.Buffer
		f.WriteTo(&buf)
		rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "merged.xlsx", buf.Bytes()), false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 1 {
			t.Fatalf("%v %+v %s", err, rep, xlsx.IssueSummary(rep.Issues, 5))
		}
		it := l.all(t)[0]
		if it.Undisputed != 96855380000 || it.ArisenOn.String() != "2019-11-30" || it.Note != "合并表头" {
			t.Fatalf("imported %+v", it)
		}
	})
}

// Repayment plans come in a row per instalment; an unchanged plan is left alone, a changed one
// becomes a new revision, and one above the balance is refused at the instalment's row.
func TestImportPlans(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		head := "欠款单位,台账编号,计划日期,计划金额（元）,资金来源,说明\n"
		plan := head + "示范建工集团有限公司,A-001,2019-06-30,\"500,000,000.00\",自有资金,第一期\n" +
			"示范建工第一工程有限公司,A-002,2020-03-31,1234567.90,银行贷款,\n" +
			"示范建工集团有限公司,A-001,2019-12-31,468553800.00,资产处置,第二期\n"
		path := writeFile(t, "计划.csv", []byte(plan))
		for round, want := range []struct{ created, unchanged int }{{2, 0}, {0, 2}} {
			rep, err := xlsx.Import(l.sys, l.imports, "plans", path, false, nil)
			if err != nil || !rep.OK() || rep.Result.Created != want.created || rep.Result.Unchanged != want.unchanged {
				t.Fatalf("round %d: %v %+v %s", round, err, rep.Result, xlsx.IssueSummary(rep.Issues, 5))
			}
		}
		plans, err := sqldb.NewPlanService(db).FindPlans(l.sys, l.all(t)[0].ID)
		if err != nil || len(plans) != 1 || len(plans[0].Instalments) != 2 || plans[0].Total() != 96855380000 || plans[0].Instalments[1].FundingSource != qingqian.FundingAssets {
			t.Fatalf("plans %+v %v", plans, err)
		}
		changed := strings.Replace(plan, "2019-12-31", "2020-01-31", 1)
		rep, err := xlsx.Import(l.sys, l.imports, "plans", writeFile(t, "c.csv", []byte(changed)), false, nil)
		if err != nil || rep.Result.Updated != 1 || rep.Result.Unchanged != 1 {
			t.Fatalf("revision: %v %+v", err, rep.Result)
		}
		over := strings.Replace(plan, "468553800.00", "468553800.01", 1)
		rep, err = xlsx.Import(l.sys, l.imports, "plans", writeFile(t, "o.csv", []byte(over)), false, nil)
		if err != nil || rep.OK() {
			t.Fatalf("plan above the balance: %v %+v", err, rep)
		}
		if rep.Issues[0].Column != "计划金额（元）" {
			t.Fatalf("issue %+v", rep.Issues[0])
		}
	})
}

// Voucher files in a zip beside the repayments sheet are attached to their rows by voucher
// number; a file no row claims, or one that is not a voucher, stops the whole import.
func TestImportRepaymentVouchers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		mkzip := func(files map[string][]byte) string {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			for name, b := range files {
				w, _ := zw.Create(name)
				w.Write(b)
			}
			zw.Close()
			return writeFile(t, "凭证.zip", buf.Bytes())
		}
		sheet := writeFile(t, "还款.csv", []byte("欠款单位,台账编号,清偿日期,清偿金额（元）,清偿方式,凭证号\n"+
			"示范建工集团有限公司,A-001,2019-11-30,100.00,银行转账,HD-1\n示范建工第一工程有限公司,A-002,2020-01-10,0.01,现金,HD-2\n"))
		pdf := []byte("%PDF-1.4\n%%EOF\n")
		entries, _ := l.db.CountRows(context.Background(), "entries")
		for name, files := range map[string]map[string][]byte{
			"unclaimed":     {"HD-1.pdf": pdf, "HD-9.pdf": pdf},
			"not a voucher": {"HD-1.pdf": pdf, "HD-2.pdf": []byte("MZ this is a program")},
		} {
			rep, err := xlsx.ImportRepayments(l.sys, l.imports, sheet, mkzip(files), false, nil)
			if err != nil || rep.OK() {
				t.Fatalf("%s: %v %+v", name, err, rep)
			}
			t.Logf("%s: %s", name, xlsx.IssueSummary(rep.Issues, 3))
		}
		if n, _ := l.db.CountRows(context.Background(), "entries"); n != entries {
			t.Fatalf("refused imports wrote %d entries", n-entries)
		}
		rep, err := xlsx.ImportRepayments(l.sys, l.imports, sheet, mkzip(map[string][]byte{"凭证/HD-1.pdf": pdf, "HD-1_第二页.png": []byte("\x89PNG\r\n\x1a\n00"), "HD-2.pdf": append(pdf, '2')}), false, nil)
		if err != nil || !rep.OK() || rep.Result.Created != 2 {
			t.Fatalf("%v %+v %s", err, rep, xlsx.IssueSummary(rep.Issues, 5))
		}
		if n, _ := l.db.CountRows(context.Background(), "entry_vouchers"); n != 3 {
			t.Fatalf("%d vouchers attached, want 3", n)
		}
	})
}

// The ledger's cell rules that the other tests do not reach: no negative amounts, text of at
// most 500 characters, codes from the list.
func TestLedgerCellRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		long := strings.Repeat("长", 501)
		text := "台账编号,欠款单位,债权企业名称,统一社会信用代码,欠款类型,发生日期,无分歧金额（元）,来源,备注\n" +
			"R-1,示范建工集团有限公司,甲,91310115MA1K3BTP2B,工程款,2019-11-30,-5.00,底数,\n" +
			"R-2,示范建工集团有限公司,甲,91310115MA1K3BTP2B,工程款,2019-11-30,5.00,底数," + long + "\n" +
			"R-3,示范建工集团有限公司,甲,91310115MA1K3BTP2B,工程款,2019-11-30,5.00,旧账,\n"
		rep, err := xlsx.ImportLedger(l.sys, l.imports, writeFile(t, "rules.csv", []byte(text)), false, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, is := range rep.Issues {
			got[strconv.Itoa(is.Row)+" "+is.Column] = true
		}
		for _, want := range []string{"2 无分歧金额（元）", "3 备注", "4 来源"} {
			if !got[want] {
				t.Errorf("no issue at %s:\n%s", want, xlsx.IssueSummary(rep.Issues, 10))
			}
		}
		if n, _ := l.db.CountRows(context.Background(), "items"); n != 0 {
			t.Fatalf("%d items written", n)
		}
	})
}

// An import leaves no file open behind it (a server imports many files).
func TestImportClosesItsFiles(t *testing.T) {
	if _, err := os.ReadDir("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd here")
	}
	// fds counts the open files other than the database's: its connections (SQLite's files,
	// PostgreSQL's sockets) come and go with the pools, whatever an import does.
	fds := func(t *testing.T) int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
			if err == nil && strings.HasPrefix(target, "/") && !strings.Contains(filepath.Base(target), "qingqian.db") {
				n++
			}
		}
		return n
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		l := newLedger(t, db)
		l.seed(t)
		path := export(t, l, "xlsx")
		defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no finalizer closes a forgotten file meanwhile
		before := fds(t)
		for i := 0; i < 10; i++ {
			if rep, err := xlsx.ImportLedger(l.sys, l.imports, path, true, nil); err != nil || !rep.OK() {
				t.Fatalf("%v %+v", err, rep)
			}
		}
		if after := fds(t); after > before {
			t.Fatalf("%d files left open by 10 imports", after-before)
		}
	})
}
