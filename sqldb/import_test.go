package sqldb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// ledgerRows yields rows of items spread over two units, days, kinds and origins.
func ledgerRows(f *fixture, n int) func(yield func(*qingqian.LedgerRow) bool) error {
	return func(yield func(*qingqian.LedgerRow) bool) error {
		kinds := []qingqian.ItemKind{qingqian.KindWorks, qingqian.KindGoods}
		origins := []qingqian.Origin{qingqian.OriginBaseline, qingqian.OriginSelfCheck, qingqian.OriginNew}
		for i := 1; i <= n; i++ {
			org := []*qingqian.Org{f.groupA, f.subA1}[i%2]
			r := &qingqian.LedgerRow{Row: i + 1, OrgName: org.Name, Creditor: *f.creditor, Item: qingqian.Item{
				No: fmt.Sprintf("I-%03d", i), ContractNo: fmt.Sprintf("HT-%d", i), ContractName: "施工合同",
				Kind: kinds[i%2], Origin: origins[i%3], ArisenOn: qingqian.MustParseDate("2019-01-01").AddDays(i % 5),
				Undisputed: qingqian.Money(100_00 * i), FundingSource: qingqian.FundingOwn}}
			if i%4 == 0 {
				r.Item.Disputed, r.Item.DisputeReason = qingqian.Money(7_00*i), "结算金额有争议"
			}
			if !yield(r) {
				return nil
			}
		}
		return nil
	}
}

// An import writes its running totals once at the end and one audit record for the items it
// created; the figures, the totals check and the audit chain agree with the same items entered
// by hand.
func TestImportWritesTotalsOnceAndOneAuditRecordPerImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		imports := sqldb.NewImportService(db)
		ctx := as(f.groupA)
		q := qingqian.TotalsQuery{OrgID: f.groupA.ID, AsOf: qingqian.MustParseDate("2021-10-31")}
		before, err := f.totals.SubtreeTotals(f.sys, q)
		if err != nil {
			t.Fatal(err)
		}
		auditBefore := count(t, db, "audit_log")

		// A dry run writes nothing, totals included.
		res, err := imports.ImportLedger(ctx, ledgerRows(f, 40), true)
		if err != nil || res.Created != 40 {
			t.Fatalf("dry run: %+v %v", res, err)
		}
		if n := count(t, db, "items"); n != 0 {
			t.Fatalf("a dry run wrote %d items", n)
		}
		res, err = imports.ImportLedger(ctx, ledgerRows(f, 40), false)
		if err != nil || !res.OK() || res.Created != 40 {
			t.Fatalf("import: %+v %v", res, err)
		}
		mustVerifyTotals(t, db)
		after, err := f.totals.SubtreeTotals(f.sys, q)
		if err != nil {
			t.Fatal(err)
		}
		var wantU, wantD qingqian.Money
		for i := 1; i <= 40; i++ {
			wantU += qingqian.Money(100_00 * i)
			if i%4 == 0 {
				wantD += qingqian.Money(7_00 * i)
			}
		}
		if got := after.Overall.OutstandingUndisputed - before.Overall.OutstandingUndisputed; got != wantU {
			t.Fatalf("undisputed outstanding grew by %s, want %s", got, wantU)
		}
		if got := after.Overall.OutstandingDisputed - before.Overall.OutstandingDisputed; got != wantD {
			t.Fatalf("disputed outstanding grew by %s, want %s", got, wantD)
		}
		if after.Overall.Items-before.Overall.Items != 40 {
			t.Fatalf("items counted %d, want 40", after.Overall.Items-before.Overall.Items)
		}

		// One audit record for the import (ADR 28), which an imported item's history starts with:
		// the number of items, the first of them, and a digest over them that verify recomputes;
		// the chain holds.
		if n := count(t, db, "audit_log") - auditBefore; n != 1 {
			t.Fatalf("%d audit records for one import of 40 items", n)
		}
		page, err := f.items.FindItems(ctx, qingqian.ItemFilter{Sort: "id", Limit: 1})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("items: %+v %v", page, err)
		}
		it := page.Items[0]
		hist, n, err := f.audit.FindAudit(ctx, qingqian.AuditFilter{Entity: "item", EntityID: it.ID})
		if err != nil || n != 1 || hist[0].Action != "import.publish" {
			t.Fatalf("history of an imported item: %d %+v %v", n, hist, err)
		}
		var rec struct {
			Items      int    `json:"items"`
			FirstItem  int64  `json:"first_item_id"`
			RowsSHA256 string `json:"rows_sha256"`
		}
		if err := json.Unmarshal(hist[0].After, &rec); err != nil {
			t.Fatal(err)
		}
		full, err := f.entries.FindEntries(ctx, it.ID)
		if err != nil || len(full) != 1 || full[0].Kind != qingqian.EntryRecognise || full[0].Undisputed != it.Undisputed {
			t.Fatalf("entries of an imported item: %+v %v", full, err)
		}
		if rec.Items != 40 || rec.FirstItem != it.ID || len(rec.RowsSHA256) != 64 {
			t.Fatalf("audit record %+v does not describe the import starting with item %+v", rec, it)
		}
		mustVerify(t, db)
		if v, err := f.audit.VerifyAudit(f.sys); err != nil || !v.OK {
			t.Fatalf("verify: %+v %v", v, err)
		}

		// Importing the same rows again changes nothing, totals included.
		res, err = imports.ImportLedger(ctx, ledgerRows(f, 40), false)
		if err != nil || res.Unchanged != 40 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		again, _ := f.totals.SubtreeTotals(f.sys, q)
		if again.Overall != after.Overall {
			t.Fatalf("a repeated import moved the totals: %+v → %+v", after.Overall, again.Overall)
		}

		// Repayments imported in bulk reach the totals as the same repayments entered by hand.
		repay := func(yield func(*qingqian.RepaymentRow) bool) error {
			for i := 1; i <= 10; i++ {
				org := []*qingqian.Org{f.groupA, f.subA1}[i%2]
				r := &qingqian.RepaymentRow{Row: i + 1, OrgName: org.Name, ItemNo: fmt.Sprintf("I-%03d", i),
					Entry: qingqian.EntryInput{Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2020-06-01").AddDays(i % 3), Amount: qingqian.Money(10_00 * i), Method: qingqian.MethodTransfer}}
				if !yield(r) {
					return nil
				}
			}
			return nil
		}
		res, err = imports.ImportRepayments(ctx, repay, false)
		if err != nil || !res.OK() || res.Created != 10 {
			t.Fatalf("repayments: %+v %v", res, err)
		}
		mustVerifyTotals(t, db)
		paid, _ := f.totals.SubtreeTotals(f.sys, q)
		if got := paid.Overall.Repaid - after.Overall.Repaid; got != qingqian.Money(10_00*55) {
			t.Fatalf("repaid grew by %s, want 550.00", got)
		}
		if got := paid.Overall.PaymentsNoVoucher - after.Overall.PaymentsNoVoucher; got != 10 {
			t.Fatalf("repayments without vouchers grew by %d, want 10", got)
		}
	})
}

// A new baseline row under a signed-off baseline is an issue on its row (with the others of the
// file), not a refusal of the whole import that names no row.
func TestImportLockedBaselineIsARowIssue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		f.at("2019-01-12 09:00")
		p := &qingqian.Period{Kind: qingqian.PeriodBaseline, AsOf: qingqian.MustParseDate("2019-01-10"), Deadline: qingqian.MustParseDate("2019-01-20")}
		if err := f.reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		sub, err := f.reports.Prepare(f.liaisonA, qingqian.SubmissionInput{PeriodID: p.ID, Narrative: "底数已核实"})
		if err != nil {
			t.Fatal(err)
		}
		f.signOff(t, sub, f.reviewerA, f.principal)
		f.at("2019-03-01 09:00")
		rows := func(yield func(*qingqian.LedgerRow) bool) error {
			for i, origin := range []qingqian.Origin{qingqian.OriginBaseline, qingqian.OriginSelfCheck, qingqian.OriginBaseline} {
				r := &qingqian.LedgerRow{Row: i + 2, OrgName: f.subA1.Name, Creditor: *f.creditor, Item: qingqian.Item{
					No: fmt.Sprintf("L-%d", i), Kind: qingqian.KindGoods, Origin: origin, ArisenOn: qingqian.MustParseDate("2018-12-01"),
					Undisputed: qingqian.Yuan(10), FundingSource: qingqian.FundingOwn}}
				if !yield(r) {
					return nil
				}
			}
			return nil
		}
		res, err := sqldb.NewImportService(db).ImportLedger(f.liaisonA, rows, false)
		if err != nil || len(res.Issues) != 2 || res.Issues[0].Row != 2 || res.Issues[1].Row != 4 || res.Issues[0].Field != "origin" ||
			!strings.Contains(res.Issues[0].Message, "已签批锁定") || res.Issues[0].Value != "底数" {
			t.Fatalf("%v %+v", err, res)
		}
	})
}

// The digest a publication records is computed from what the staging kept, not read back from
// the rows written; verify recomputes it from those rows: the two agree for an import that
// registers its creditor and for one naming a registered creditor, and a published row changed
// behind the service's back (an entry's amount, an item's creditor) no longer matches.
func TestVerifyRecomputesTheDigestOfAPublishedImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := as(f.groupA)
		never := make(chan struct{})
		res, err := sqldb.NewImportService(db).ImportLedger(ctx, heldLedger(t, f, 30, 30, make(chan struct{}), never), false)
		if err != nil || !res.OK() || res.Created != 30 {
			t.Fatalf("import with a new creditor: %+v %v", res, err)
		}
		// Another writer's item between the two imports.
		f.MustItem(t, ctx, f.groupA, "2019-01-10", qingqian.Yuan(100), 0)
		res, err = sqldb.NewImportService(db).ImportLedger(ctx, ledgerRows(f, 40), false)
		if err != nil || !res.OK() || res.Created != 40 {
			t.Fatalf("import: %+v %v", res, err)
		}
		mustVerify(t, db)

		var itemID, entryID, creditorID int64
		if err := db.QueryRowForTest(context.Background(), `SELECT i.id, e.id, i.creditor_id FROM items i JOIN entries e ON e.item_id = i.id
			WHERE i.no = 'I-007'`).Scan(&itemID, &entryID, &creditorID); err != nil {
			t.Fatal(err)
		}
		const mismatch = "发布的条目及其确认分录与其审计记录不符"
		tamper := func(change, undo string, id, to, back int64) {
			t.Helper()
			if err := db.ExecForTest(context.Background(), change, id, to); err != nil {
				t.Fatal(err)
			}
			wantProblem(t, db, sqldb.VerifyOptions{}, mismatch)
			if err := db.ExecForTest(context.Background(), undo, id, back); err != nil {
				t.Fatal(err)
			}
			mustVerify(t, db)
		}
		tamper(`UPDATE entries SET du = du + $2 WHERE id = $1`, `UPDATE entries SET du = du - $2 WHERE id = $1`, entryID, 1, 1)
		var other int64
		if err := db.QueryRowForTest(context.Background(), `SELECT MIN(id) FROM creditors WHERE id <> $1`, creditorID).Scan(&other); err != nil {
			t.Fatal(err)
		}
		tamper(`UPDATE items SET creditor_id = $2 WHERE id = $1`, `UPDATE items SET creditor_id = $2 WHERE id = $1`, itemID, other, creditorID)
	})
}
