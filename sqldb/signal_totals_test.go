package sqldb_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The "no voucher" signal's count and amount and the confirmations by reply, taken from the
// running totals and the letters' lines, equal what the entries give repayment by repayment
// (dated by the date, not reversed by then; with no voucher; by their letter's reply), for the
// province, groups and a unit, on dates before and after reversals, a voucher attached later
// and the replies; the first repayments listed are the earliest, whether found along the
// repayments' index by date or from the units' items.
func TestSignalFiguresFromTheTotals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		ls := sqldb.NewLetterService(db)
		f.at("2020-06-01 09:00")
		v, err := f.vouchers.StoreVoucher(f.liaisonA, "回单.pdf", bytes.NewReader([]byte("%PDF-1.4 回单\n")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.entries.RecordEntry(f.liaisonA, qingqian.EntryInput{ItemID: f.itemA1.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2020-05-20"),
			Amount: qingqian.Yuan(100_000), Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}}); err != nil {
			t.Fatal(err)
		}
		e2 := f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-05-25", qingqian.Yuan(50_000))
		e3 := f.MustRepay(t, f.liaisonA, f.itemA2.ID, "2020-05-26", qingqian.Yuan(1_000))
		eB := f.MustRepay(t, f.liaisonB, f.itemB.ID, "2020-05-27", qingqian.Yuan(30_000))
		e5 := f.MustRepay(t, f.liaisonA, f.itemA1.ID, "2020-05-28", qingqian.Yuan(2_000))
		f.MustRepay(t, f.liaisonB, f.itemB.ID, "2020-05-29", qingqian.Yuan(3_000))
		b, err := ls.IssueLetters(f.office, qingqian.LetterSelection{Mode: qingqian.SelectAbove, MinAmount: qingqian.Yuan(20_000), ReplyBy: qingqian.MustParseDate("2020-06-30")})
		if err != nil {
			t.Fatal(err)
		}
		f.at("2020-06-10 09:00")
		scan, err := f.vouchers.StoreVoucher(f.office, "回函.pdf", bytes.NewReader([]byte("%PDF-1.4 回函\n")))
		if err != nil {
			t.Fatal(err)
		}
		replied := map[qingqian.LetterState]int{}
		for _, l := range b.Letters {
			in := qingqian.ReplyInput{Result: qingqian.LetterConfirmed, RepliedOn: qingqian.MustParseDate("2020-06-09"), Voucher: scan.SHA256, Version: l.Version}
			if l.Lines[0].EntryID == e2.ID {
				in.Result, in.Amounts = qingqian.LetterDisputed, map[int64]qingqian.Money{e2.ID: qingqian.Yuan(40_000)}
			}
			if l.Lines[0].EntryID == eB.ID {
				continue // not answered
			}
			if _, err := ls.RecordReply(f.office, l.ID, in); err != nil {
				t.Fatal(err)
			}
			replied[in.Result]++
		}
		if replied[qingqian.LetterConfirmed] == 0 || replied[qingqian.LetterDisputed] == 0 {
			t.Fatalf("replies: %v", replied)
		}
		if err := f.vouchers.AttachVoucher(f.liaisonA, e5.ID, v.SHA256); err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			e  *qingqian.Entry
			on string
		}{{e3, "2020-06-05"}, {eB, "2020-06-08"}, {e2, "2020-06-09"}} {
			if _, err := f.entries.ReverseEntry(f.office, qingqian.EntryInput{ReversesID: r.e.ID, Reason: "录入错误", On: qingqian.MustParseDate(r.on)}); err != nil {
				t.Fatal(err)
			}
		}

		signals := sqldb.NewSignalService(db)
		checked := 0
		for _, org := range []*qingqian.Org{f.root, f.groupA, f.subA1, f.groupB} {
			lo, hi := org.Path, org.Path[:len(org.Path)-1]+"0"
			for _, day := range []string{"2020-05-19", "2020-05-26", "2020-05-31", "2020-06-05", "2020-06-08", "2020-06-10"} {
				asOf := qingqian.MustParseDate(day)
				// Repayment by repayment, from the entries.
				const repaid = ` FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
					WHERE e.kind = 'repay' AND e.on_date <= $1 AND o.path >= $2 AND o.path < $3
					AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id AND r.on_date <= $1)`
				const bare = ` AND NOT EXISTS (SELECT 1 FROM entry_vouchers ev WHERE ev.entry_id = e.id)`
				var n int
				var amount qingqian.Money
				if err := db.QueryRowForTest(context.Background(), `SELECT COUNT(*), CAST(COALESCE(SUM(-(e.du + e.dd)), 0) AS BIGINT)`+repaid+bare, asOf, lo, hi).Scan(&n, &amount); err != nil {
					t.Fatal(err)
				}
				var first []string
				for k := 0; k < min(n, qingqian.MaxSignalHits); k++ {
					var item, id int64
					if err := db.QueryRowForTest(context.Background(), `SELECT e.item_id, e.id`+repaid+bare+` ORDER BY e.on_date, e.id LIMIT 1 OFFSET `+fmt.Sprint(k), asOf, lo, hi).Scan(&item, &id); err != nil {
						t.Fatal(err)
					}
					first = append(first, fmt.Sprintf("/items/%d#entry-%d", item, id))
				}
				want := qingqian.Confirmations{}
				for _, c := range []struct {
					state  string
					n      *int
					amount *qingqian.Money
				}{{"confirmed", &want.ConfirmedCount, &want.Confirmed}, {"disputed", &want.DisputedCount, &want.Disputed}, {"other", &want.UnconfirmedCount, &want.Unconfirmed}} {
					if err := db.QueryRowForTest(context.Background(), `SELECT COUNT(*), CAST(COALESCE(SUM(-(e.du + e.dd)), 0) AS BIGINT)`+repaid+`
						AND COALESCE((SELECT CASE WHEN l.state IN ('confirmed', 'disputed') THEN l.state END FROM letter_lines ll JOIN letters l ON l.id = ll.letter_id
							WHERE ll.entry_id = e.id), 'other') = $4`, asOf, lo, hi, c.state).Scan(c.n, c.amount); err != nil {
						t.Fatal(err)
					}
				}
				for _, large := range []int{0, 1 << 30} {
					restore := sqldb.LargeSubtreeForTest(large)
					db.ForgetKept()
					rep, err := signals.Signals(f.office, org.ID, asOf)
					restore()
					if err != nil {
						t.Fatal(err)
					}
					where := fmt.Sprintf("%s as of %s (large from %d)", org.Name, day, large)
					s := rep.Signals[0]
					if s.Key != "no_voucher" || s.Count != n || s.Amount != amount || len(s.Hits) != len(first) {
						t.Errorf("%s: no voucher %s: %d, %s, %d listed; repayment by repayment %d, %s, %d", where, s.Key, s.Count, s.Amount, len(s.Hits), n, amount, len(first))
						continue
					}
					for k, h := range s.Hits {
						if h.Link != first[k] {
							t.Errorf("%s: hit %d is %s, want %s", where, k, h.Link, first[k])
						}
					}
					if *rep.Confirmations != want {
						t.Errorf("%s: confirmations %+v, repayment by repayment %+v", where, *rep.Confirmations, want)
					}
					if n > 0 && want.ConfirmedCount > 0 && want.DisputedCount > 0 {
						checked++
					}
				}
			}
		}
		if checked == 0 {
			t.Fatal("no date had repayments without a voucher, confirmed and disputed ones at once")
		}
	})
}
