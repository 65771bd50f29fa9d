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

// The letters' and the signals' workbooks open in LibreOffice with their headers, amounts and
// states as the screens show them.
func TestLettersAndSignalsWorkbooks(t *testing.T) {
	soffice(t)
	ca := qingqian.Yuan(900)
	letters := []*qingqian.Letter{
		{No: "询证〔2026〕第0001号", OrgName: "甲集团", CreditorName: "某某劳务有限公司", CreditorUSCC: "91110000600037341L",
			IssuedOn: qingqian.MustParseDate("2026-11-02"), ReplyBy: qingqian.MustParseDate("2026-11-20"), Total: qingqian.Yuan(1000),
			Lines: []qingqian.LetterLine{{EntryID: 1, Amount: qingqian.Yuan(1000), CreditorAmount: &ca}}, State: qingqian.LetterDisputed,
			RepliedOn: qingqian.MustParseDate("2026-11-10"), CreditorTotal: ca, Difference: qingqian.Yuan(100), FindingState: qingqian.FindingOpen},
		{No: "询证〔2026〕第0002号", OrgName: "乙集团", CreditorName: "某某建材有限公司", IssuedOn: qingqian.MustParseDate("2026-11-02"),
			ReplyBy: qingqian.MustParseDate("2026-11-20"), Total: qingqian.Yuan(50), State: qingqian.LetterSent, Overdue: true,
			Lines: []qingqian.LetterLine{{EntryID: 2, Amount: qingqian.Yuan(50)}}},
		{No: "询证〔2026〕第0003号", OrgName: "乙集团", CreditorName: "某某五金有限公司", IssuedOn: qingqian.MustParseDate("2026-11-02"),
			ReplyBy: qingqian.MustParseDate("2026-11-20"), Total: qingqian.Yuan(70), State: qingqian.LetterConfirmed, RepliedOn: qingqian.MustParseDate("2026-11-25"),
			CreditorTotal: qingqian.Yuan(70), LateDays: 5, OnlineReply: true, Lines: []qingqian.LetterLine{{EntryID: 3, Amount: qingqian.Yuan(70)}}},
	}
	meta := xlsx.Meta{AsOf: qingqian.MustParseDate("2026-12-01"), User: "清欠办", At: time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := xlsx.WriteLetters(&buf, letters, "xlsx", meta); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "letters.xlsx")
	os.WriteFile(path, buf.Bytes(), 0o600)
	all := readCSV(t, convert(t, path, csvShown, ""))
	text := ""
	for _, r := range all {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"函号|债务单位|债权人", "询证〔2026〕第0001号|甲集团|某某劳务有限公司", "回函不符|2026-11-10|900.00|100.00|差异待处理", "逾期未回函",
		"逾期回函（天）|在线回复", "回函相符（逾期回函 5 天）|2026-11-25|70.00|0.00|无||5|是"} {
		if !strings.Contains(text, want) {
			t.Errorf("letters workbook lacks %q:\n%s", want, text)
		}
	}

	rep := &qingqian.SignalReport{OrgName: "示范省国资委", AsOf: qingqian.MustParseDate("2026-12-01"), Signals: []*qingqian.Signal{
		{Key: "no_voucher", Title: "清偿未附支付凭证", Rule: "未附凭证", Count: 1, Amount: qingqian.Yuan(1234),
			Hits: []qingqian.SignalHit{{OrgName: "甲集团", Creditor: "某某劳务有限公司", On: qingqian.MustParseDate("2026-10-01"), Amount: qingqian.Yuan(1234), Text: "清偿记录 7 未附支付凭证"}}}}}
	buf.Reset()
	if err := xlsx.WriteSignals(&buf, rep, "xlsx", meta); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "signals.xlsx")
	os.WriteFile(path, buf.Bytes(), 0o600)
	all = readCSV(t, convert(t, path, csvShown, ""))
	text = ""
	for _, r := range all {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"预警信号：示范省国资委（截至2026-12-01）", "清偿未附支付凭证|未附凭证|合计||", "1,234.00|1项", "甲集团|某某劳务有限公司|2026-10-01|1,234.00|清偿记录 7 未附支付凭证"} {
		if !strings.Contains(text, want) {
			t.Errorf("signals workbook lacks %q:\n%s", want, text)
		}
	}
}
