package sqldb_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// One group's clerk records items of the largest amount allowed until the group's gross
// movement reaches its ceiling: the next one is refused with a clear message, not a 500; the
// other group still records a 0.01 元 item; every total, the rate and verify still answer; a
// reversal on the item's own date frees the room again.
func TestAmountsBoundedSoNoSumOverflows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerkA, clerkB := as(f.subA1), as(f.groupB)
		f.at("2021-03-01 10:00")
		// Above the ceiling: refused naming the field.
		it := &qingqian.Item{OrgID: f.subA1.ID, CreditorID: f.creditor.ID, Kind: qingqian.KindWorks, Origin: qingqian.OriginNew,
			ArisenOn: qingqian.MustParseDate("2021-01-01"), Undisputed: 92_000_000_000_000_000}
		err := f.items.CreateItem(clerkA, it)
		wantCode(t, err, qingqian.EINVALID)
		if e := err.(*qingqian.Error); !strings.Contains(e.Fields["undisputed"], "无分歧金额超过上限") {
			t.Fatalf("fields %v", e.Fields)
		}
		n := int(qingqian.MaxGroupVolume / qingqian.MaxAmount)
		var items []*qingqian.Item
		for i := 0; i < n; i++ {
			items = append(items, f.MustItem(t, clerkA, f.subA1, "2021-01-01", qingqian.MaxAmount, 0))
		}
		it = &qingqian.Item{OrgID: f.subA1.ID, CreditorID: f.creditor.ID, Kind: qingqian.KindWorks, Origin: qingqian.OriginNew,
			ArisenOn: qingqian.MustParseDate("2021-01-01"), Undisputed: 1}
		err = f.items.CreateItem(clerkA, it)
		wantCode(t, err, qingqian.EINVALID)
		if !strings.Contains(err.Error(), "累计发生额将超过上限") {
			t.Fatalf("err %v", err)
		}
		// Another group is not blocked.
		f.MustItem(t, clerkB, f.groupB, "2021-01-01", 1, 0)
		// A repayment of the largest amount is refused too, but the reversal of the typing
		// error passes, and frees the room.
		_, err = f.entries.RecordEntry(clerkA, qingqian.EntryInput{ItemID: items[0].ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2021-02-01"), Amount: 100, Method: qingqian.MethodTransfer})
		wantCode(t, err, qingqian.EINVALID)
		es, err := f.entries.FindEntries(clerkA, items[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.entries.ReverseEntry(clerkA, qingqian.EntryInput{ReversesID: es[0].ID, On: es[0].On, Reason: "金额录入错误"}); err != nil {
			t.Fatalf("reverse: %v", err)
		}
		f.MustRepay(t, clerkA, items[0].ID, "2021-02-01", qingqian.Yuan(1))
		tot, err := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.root.ID, AsOf: qingqian.MustParseDate("2021-03-01")})
		if err != nil {
			t.Fatal(err)
		}
		want := qingqian.Money(n-1)*qingqian.MaxAmount + 1 - qingqian.Yuan(1)
		if tot.Overall.Outstanding != want || tot.Overall.Repaid != qingqian.Yuan(1) {
			t.Fatalf("province: outstanding %s repaid %s, want %s", tot.Overall.Outstanding, tot.Overall.Repaid, want)
		}
		if r := tot.Overall.Rate(); r != 0 {
			t.Fatalf("rate %d", r)
		}
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("verify totals: %q %v", bad, err)
		}
		if probs, err := db.VerifyBalances(context.Background()); err != nil || len(probs) != 0 {
			t.Fatalf("verify balances: %q %v", probs, err)
		}
		// The rebuild recomputes the same gross movement.
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		if probs, err := db.VerifyBalances(context.Background()); err != nil || len(probs) != 0 {
			t.Fatalf("verify balances after rebuild: %q %v", probs, err)
		}
	})
}

// verify reports a negative balance that a broken ledger holds, and a gross movement that does
// not match the entries.
func TestVerifyReportsImpossibleBalances(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-03-01 10:00")
		it := f.MustItem(t, as(f.subA1), f.subA1, "2021-01-01", qingqian.Yuan(100), 0)
		if probs, err := db.VerifyBalances(context.Background()); err != nil || len(probs) != 0 {
			t.Fatalf("sound ledger: %q %v", probs, err)
		}
		if err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`UPDATE items SET out_u = -5 WHERE id = $1`, it.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(`UPDATE org_totals_month SET rep_u = rec_u + 1`); return err }); err != nil {
			t.Fatal(err)
		}
		if err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec(`UPDATE ledger_volume SET gross = gross + 1`); return err }); err != nil {
			t.Fatal(err)
		}
		probs, err := db.VerifyBalances(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all := strings.Join(probs, "\n")
		for _, want := range []string{"累计发生额", "条目", "未清偿余额为负"} {
			if !strings.Contains(all, want) {
				t.Errorf("verify says %q, want it to mention %s", all, want)
			}
		}
	})
}

// The whole ledger has its ceiling too, without a row every group would wait for: when the
// groups' gross movements add up to it, a group under its own ceiling is refused.
func TestLedgerCeilingIsTheGroupsSum(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2021-03-01 10:00")
		f.MustItem(t, as(f.subA1), f.subA1, "2021-01-01", 1, 0)
		f.MustItem(t, as(f.groupB), f.groupB, "2021-01-01", 1, 0)
		// Behind the system's back, as if a hundred groups had filled their ceilings: the
		// rows of other groups add up to the ledger's ceiling.
		if err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
			for g := int64(0); g < int64(qingqian.MaxLedgerVolume/qingqian.MaxGroupVolume); g++ {
				if _, err := tx.Exec(`INSERT INTO ledger_volume (org_id, gross) VALUES ($1, $2)`, 1_000_000+g, int64(qingqian.MaxGroupVolume)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		it := &qingqian.Item{OrgID: f.groupB.ID, CreditorID: f.creditor.ID, Kind: qingqian.KindWorks, Origin: qingqian.OriginNew,
			ArisenOn: qingqian.MustParseDate("2021-01-01"), Undisputed: 100}
		err := f.items.CreateItem(as(f.groupB), it)
		wantCode(t, err, qingqian.EINVALID)
		if !strings.Contains(err.Error(), "全省台账的累计发生额将超过上限") {
			t.Fatalf("err %v", err)
		}
	})
}
