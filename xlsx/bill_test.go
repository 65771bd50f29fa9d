package xlsx_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// The bills' workbook and the report's annex under its table open in LibreOffice as the screens
// show them; the CSV of the report carries the annex too.
func TestBillsWorkbookAndTheReportAnnex(t *testing.T) {
	soffice(t)
	bills := []*qingqian.Bill{
		{OrgName: "甲集团", ItemID: 7, CreditorName: "某某劳务有限公司", Kind: qingqian.BillCommercial, No: "CB-1", Amount: qingqian.Yuan(300),
			IssuedOn: qingqian.MustParseDate("2026-05-01"), HandedOn: qingqian.MustParseDate("2026-05-01"), MaturesOn: qingqian.MustParseDate("2026-11-01"),
			Acceptor: "示范银行", State: qingqian.BillPending, OverdueDays: 30},
		{OrgName: "甲集团", ItemNo: "QQ-2", CreditorName: "某某建材有限公司", Kind: qingqian.BillReceivable, No: "EV-2", Amount: qingqian.Yuan(50),
			IssuedOn: qingqian.MustParseDate("2026-10-01"), HandedOn: qingqian.MustParseDate("2026-10-01"), MaturesOn: qingqian.MustParseDate("2027-01-01"),
			Acceptor: "甲集团", State: qingqian.BillReturned, DishonouredOn: qingqian.MustParseDate("2026-11-15"), CloseReason: "债权企业退回"},
	}
	meta := xlsx.Meta{AsOf: qingqian.MustParseDate("2026-12-01"), User: "命令行", At: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := xlsx.WriteBills(&buf, bills, "xlsx", meta); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bills.xlsx")
	os.WriteFile(path, buf.Bytes(), 0o600)
	text := joined(readCSV(t, convert(t, path, csvShown, "")))
	for _, want := range []string{"欠款单位|条目|债权企业", "甲集团|#7|某某劳务有限公司|商业汇票|CB-1|300.00|2026-05-01|2026-05-01|2026-11-01|示范银行|逾期未兑付 30 天|30",
		"QQ-2|某某建材有限公司|电子债权凭证|EV-2|50.00", "到期前退回撤销|||2026-11-15|债权企业退回"} {
		if !strings.Contains(text, want) {
			t.Errorf("bills workbook lacks %q:\n%s", want, text)
		}
	}

	r := sampleReport()
	r.Annex = &qingqian.ReportAnnex{AsOf: r.Period.AsOf, Frozen: true, Bills: []qingqian.BillAnnexRow{{OrgName: "示范交建", Count: 3, Amount: qingqian.Yuan(1_500_000),
		OverdueCount: 1, OverdueAmount: qingqian.Yuan(500_000)}}, BillsTotal: qingqian.BillAnnexRow{OrgName: "合计", Count: 3, Amount: qingqian.Yuan(1_500_000),
		OverdueCount: 1, OverdueAmount: qingqian.Yuan(500_000)},
		Signals: &qingqian.SignalReport{OrgName: "示范省国资委", Confirmations: &qingqian.Confirmations{Confirmed: qingqian.Yuan(800), ConfirmedCount: 2},
			Signals: []*qingqian.Signal{{Key: "no_voucher", Title: "清偿未附支付凭证", Count: 4, Amount: qingqian.Yuan(1234)}}}}
	buf.Reset()
	if err := xlsx.WriteReport(&buf, r, "xlsx"); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "report.xlsx")
	os.WriteFile(path, buf.Bytes(), 0o600)
	text = joined(readCSV(t, convert(t, path, csvShown, "")))
	for _, want := range []string{"附：票据支付未兑付（截至2021年10月31日，印发时随表固定；不计入已清偿）", "单位|张数|金额（万元）|其中逾期未兑付张数|逾期未兑付金额（万元）",
		"示范交建|3|150.00|1|50.00", "合计|3|150.00|1|50.00", "回函相符|2|800.00", "预警信号：清偿未附支付凭证|4|1,234.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("report workbook lacks %q:\n%s", want, text)
		}
	}
	buf.Reset()
	if err := xlsx.WriteReport(&buf, r, "csv"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "示范交建,3,150.00,1,50.00") || !strings.Contains(buf.String(), "附：票据支付未兑付") {
		t.Errorf("report CSV lacks the annex:\n%s", buf.String())
	}
}

func joined(rows [][]string) string {
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	return text
}
