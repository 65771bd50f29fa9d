package sqldb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/xlsx"
	"github.com/xuri/excelize/v2"
)

// sweptContract registers in unit org a goods contract of amount 元 delivered on delivered, paid
// nothing: 60 days later it is overdue, and the sweep makes it a ledger item of origin new.
func sweptContract(t *testing.T, f *fixture, org *qingqian.Org, no string, signed, delivered string, amount int64) *qingqian.Contract {
	t.Helper()
	contracts := sqldb.NewContractService(f.db)
	ctx := clerkOf(org)
	k := &qingqian.Contract{OrgID: org.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: no, Name: "办公设备采购", Kind: qingqian.KindGoods,
		Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate(signed), Amount: qingqian.Yuan(amount),
		SupplierSize: qingqian.SizeSmall, SizeDeclaredOn: qingqian.MustParseDate(signed), SizeEvidence: "中小企业声明函",
		Settlement: qingqian.SettleOnce, AgreedDays: 60}
	if err := contracts.CreateContract(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := contracts.AddContractEvent(ctx, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate(delivered)}); err != nil {
		t.Fatal(err)
	}
	return k
}

// The periodic report shows the new arrears apart (其中：新增拖欠): a group that clears its old
// debt while its payables go overdue shows both. A report issued before the column existed is
// produced again as it was issued, without it.
func TestReportShowsNewArrearsApart(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-01-11 09:00")
		sweptContract(t, f.fixture, f.subA1, "HT-2019-007", "2019-01-02", "2019-01-05", 80_000)
		// An item found by self-check is new too, but not new arrears.
		self := &qingqian.Item{OrgID: f.groupA.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractNo: "HT-ZC-1", Kind: qingqian.KindServices,
			ArisenOn: qingqian.MustParseDate("2018-12-01"), Undisputed: qingqian.Yuan(30_000), Origin: qingqian.OriginSelfCheck, FundingSource: qingqian.FundingOwn}
		if err := f.items.CreateItem(f.liaisonA, self); err != nil {
			t.Fatal(err)
		}
		f.at("2019-03-10 09:00")
		f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2019-03-10", qingqian.Yuan(250_000))
		if n, err := sqldb.NewContractService(db).RaiseArrears(f.sys); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		f.at("2019-04-01 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2019-03-31"), Deadline: qingqian.MustParseDate("2019-04-05")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		sub, err := f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "清偿二十五万元，新增合同逾期八万元"})
		if err != nil {
			t.Fatal(err)
		}
		g := sub.Figures
		if !g.ArrearsApart || g.NewItems != 2 || g.NewAmount != qingqian.Yuan(110_000) || g.ArrearsItems != 1 || g.ArrearsAmount != qingqian.Yuan(80_000) ||
			g.ArrearsOutstanding != qingqian.Yuan(80_000) || g.RepaidPeriod != qingqian.Yuan(250_000) {
			t.Fatalf("group A figures %+v", g)
		}
		f.signOff(t, sub, f.reviewerA, f.principal)
		rep, err := f.reports.IssueReport(f.office, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Layout != qingqian.ReportLayoutCurrent || rep.Total.ArrearsItems != 1 || rep.Total.ArrearsAmount != qingqian.Yuan(80_000) || !rep.Total.ArrearsApart {
			t.Fatalf("issued: layout %d total %+v", rep.Layout, rep.Total)
		}
		// Read again, the issued report has its columns and figures, and its spreadsheet the
		// column 其中：新增拖欠 with 8.00 万元 for group A and the total.
		again, err := f.reports.Report(f.office, p.ID)
		if err != nil || again.Layout != rep.Layout || again.Total != rep.Total {
			t.Fatalf("read again: %v layout %d total %+v", err, again.Layout, again.Total)
		}
		heads, cells := reportSheet(t, again)
		col := slices.Index(heads, "其中：新增拖欠（万元）")
		cnt := slices.Index(heads, "其中：新增拖欠（笔）")
		if col < 0 || cnt < 0 {
			t.Fatalf("no new arrears columns in %q", heads)
		}
		if cells[0][1] != "甲集团" || cells[0][col] != "8.00" || cells[0][cnt] != "1" || cells[1][col] != "0.00" || cells[2][col] != "8.00" {
			t.Fatalf("new arrears cells: %q", cells)
		}

		// A report issued before the column existed: its frozen body has no layout and no new
		// arrears figures. It is produced as it was, without the column.
		var body map[string]any
		raw, _ := json.Marshal(again)
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatal(err)
		}
		delete(body, "layout")
		for _, fs := range append([]any{body["total"]}, rowsFigures(body)...) {
			for _, k := range []string{"arrears_apart", "arrears_items", "arrears_amount", "arrears_outstanding"} {
				delete(fs.(map[string]any), k)
			}
		}
		old, _ := json.Marshal(body)
		if err := db.ExecForTest(context.Background(), `UPDATE reports SET body = $1 WHERE period_id = $2`, string(old), p.ID); err != nil {
			t.Fatal(err)
		}
		was, err := f.reports.Report(f.office, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		oldHeads, oldCells := reportSheet(t, was)
		if len(oldHeads) != len(heads)-2 || slices.ContainsFunc(oldHeads, func(h string) bool { return strings.Contains(h, "新增拖欠") }) {
			t.Fatalf("old layout heads %q", oldHeads)
		}
		// Every other column reads as it did.
		for i, h := range oldHeads {
			j := slices.Index(heads, h)
			for n := range oldCells {
				if oldCells[n][i] != cells[n][j] {
					t.Errorf("old layout line %d %s = %q, was %q", n, h, oldCells[n][i], cells[n][j])
				}
			}
		}
	})
}

func rowsFigures(body map[string]any) []any {
	var out []any
	for _, r := range body["rows"].([]any) {
		out = append(out, r.(map[string]any)["figures"])
	}
	return out
}

// reportSheet writes the report as xlsx and opens it back: the table's headings and its lines,
// as shown.
func reportSheet(t *testing.T, r *qingqian.Report) ([]string, [][]string) {
	t.Helper()
	var buf bytes.Buffer
	if err := xlsx.WriteReport(&buf, r, "xlsx"); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3+len(r.Rows)+1 {
		t.Fatalf("sheet rows %d", len(rows))
	}
	lines := rows[3 : 3+len(r.Rows)+1]
	for i := range lines { // GetRows leaves out the empty cells at the end of a row
		for len(lines[i]) < len(rows[2]) {
			lines[i] = append(lines[i], "")
		}
	}
	return rows[2], lines
}
