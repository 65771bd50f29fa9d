package sqldb_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// TestAgingMatchesParts checks the aging and the drill-down against a naive computation over
// every generated part: a part is open on d when its clock started by d, it was not paid by d and
// it was not held on d (held_from <= d < held_to, or held still), in the bucket of its due date; a
// payable counts once, in its first open part. The days checked put parts on every bucket's
// boundaries, started, paid, held and released on the day itself.
func TestAgingMatchesParts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.at("2026-01-31 10:00")
		subA2 := f.MustOrg(t, f.groupA.ID, "甲集团二公司", qingqian.OrgSubsidiary)
		subA1x := f.MustOrg(t, f.subA1.ID, "甲集团一公司分公司", qingqian.OrgSubsidiary)
		orgs := []*qingqian.Org{f.groupA, f.subA1, subA1x, subA2, f.groupB}
		var ids []int64
		pathOf := map[int64]string{}
		for _, o := range orgs {
			ids = append(ids, o.ID)
			pathOf[o.ID] = o.Path
		}
		g := &agingGen{rnd: rand.New(rand.NewPCG(7, 11)), keep: true}
		g.load(t, db, f, ids, 4000)
		days := []string{"2024-02-29", "2025-06-30", "2025-12-31"}
		// Parts on each day's boundaries: due on every threshold and beside it, some started or
		// paid on the day itself, some the later parts of a payable whose first was paid then.
		var extra []genPart
		for di, s := range days {
			d := qingqian.MustParseDate(s)
			for j, off := range []int{31, 30, 8, 7, 0, -1, -30, -31, -90, -91, -365, -366} {
				for ui, org := range ids {
					k := g.kept[0].contract
					for _, p := range g.kept {
						if p.org == org {
							k = p.contract
							break
						}
					}
					seq := int64(10000 + di*1000 + j*10 + ui)
					due := d.AddDays(off)
					amt := qingqian.Money(1000*(j+1) + ui)
					switch ui % 3 {
					case 0: // one part, started on the day
						extra = append(extra, genPart{contract: k, seq: seq, org: org, start: d, due: due, amount: amt})
					case 1: // paid on the day: closed; its second part open, counting the payable
						extra = append(extra, genPart{contract: k, seq: seq, org: org, start: d.AddDays(-400), due: due, amount: amt, paid: d},
							genPart{contract: k, seq: seq, org: org, start: d.AddDays(-400), due: due, amount: amt + 1, prevPaid: d})
					case 2: // paid the day after: open, and its second part does not count again
						extra = append(extra, genPart{contract: k, seq: seq, org: org, start: d.AddDays(-400), due: due, amount: amt, paid: d.AddDays(1)},
							genPart{contract: k, seq: seq, org: org, start: d.AddDays(-400), due: due, amount: amt + 1, prevPaid: d.AddDays(1)})
					}
				}
			}
			// Not started yet: starts the day after.
			k := g.kept[0].contract
			extra = append(extra, genPart{contract: k, seq: int64(90000 + di), org: ids[0], start: d.AddDays(1), due: d.AddDays(5), amount: 77})
			// Held from the day (out), released on the day (in), released the day after (out),
			// held from the day after (in), held still since the day before (out); each the
			// held part of a payable whose amount never held was paid the day before.
			for j, h := range [][2]qingqian.Date{{d, d.AddDays(20)}, {d.AddDays(-20), d}, {d.AddDays(-20), d.AddDays(1)}, {d.AddDays(1), {}}, {d.AddDays(-1), {}}} {
				seq := int64(91000 + di*10 + j)
				extra = append(extra, genPart{contract: k, seq: seq, org: ids[0], start: d.AddDays(-100), due: d.AddDays(-40), amount: 500, paid: d.AddDays(-1)},
					genPart{contract: k, seq: seq, org: ids[0], start: d.AddDays(-100), due: d.AddDays(-40), amount: qingqian.Money(900 + j), prevPaid: d.AddDays(-1), heldFrom: h[0], heldTo: h[1]})
			}
		}
		g.insert(t, db, extra)
		aging := sqldb.NewAgingService(db)
		for _, s := range days {
			d := qingqian.MustParseDate(s)
			for _, scope := range []*qingqian.Org{f.groupA, f.root, f.subA1} {
				// The naive aging of scope's subtree: the scope's own row and each direct
				// subordinate's subtree.
				rowKey := func(path string) string {
					if path == scope.Path {
						return path
					}
					head, _, _ := strings.Cut(strings.TrimPrefix(path, scope.Path), "/")
					return scope.Path + head + "/"
				}
				want := map[string]*qingqian.AgingRow{}
				total := &qingqian.AgingRow{}
				type pk struct{ contract, seq int64 }
				drill := map[int64]map[qingqian.AgingBucket]map[pk]qingqian.Money{}
				for _, p := range g.kept {
					path := pathOf[p.org]
					if !strings.HasPrefix(path, scope.Path) || p.start.After(d) || (!p.paid.IsZero() && !p.paid.After(d)) {
						continue
					}
					if !p.heldFrom.IsZero() && !p.heldFrom.After(d) && (p.heldTo.IsZero() || p.heldTo.After(d)) {
						continue // held on d
					}
					b := qingqian.BucketOf(p.due, d)
					n := 0
					if p.prevPaid.IsZero() || !p.prevPaid.After(d) {
						n = 1
					}
					key := rowKey(path)
					if want[key] == nil {
						want[key] = &qingqian.AgingRow{}
					}
					want[key].Add(b, n, p.amount)
					total.Add(b, n, p.amount)
					if drill[p.org] == nil {
						drill[p.org] = map[qingqian.AgingBucket]map[pk]qingqian.Money{}
					}
					if drill[p.org][b] == nil {
						drill[p.org][b] = map[pk]qingqian.Money{}
					}
					drill[p.org][b][pk{p.contract, p.seq}] += p.amount
				}
				if total.Total.Count == 0 || len(total.Cells) < len(qingqian.AgingBuckets) {
					t.Fatalf("%s as of %s: the data does not fill every bucket: %+v", scope.Name, s, total.Cells)
				}
				ag, err := aging.Aging(f.sys, scope.ID, d)
				if err != nil {
					t.Fatal(err)
				}
				same := func(what string, got, want *qingqian.AgingRow) {
					t.Helper()
					if want == nil {
						want = &qingqian.AgingRow{}
					}
					for _, b := range qingqian.AgingBuckets {
						if got.Cell(b) != want.Cell(b) {
							t.Errorf("%s as of %s, %s, %s: got %+v, want %+v", scope.Name, s, what, b, got.Cell(b), want.Cell(b))
						}
					}
					if got.Total != want.Total || got.Overdue != want.Overdue {
						t.Errorf("%s as of %s, %s: total %+v overdue %+v, want %+v %+v", scope.Name, s, what, got.Total, got.Overdue, want.Total, want.Overdue)
					}
				}
				same("total", ag.Total, total)
				seen := 0
				for _, r := range ag.Rows {
					key := rowKey(pathOf[r.OrgID])
					if r.OrgID == scope.ID {
						key = scope.Path
					}
					same(r.OrgName, r, want[key])
					if want[key] != nil {
						seen++
					}
				}
				if seen != len(want) {
					t.Errorf("%s as of %s: %d rows with payables, want %d", scope.Name, s, seen, len(want))
				}
				// The drill-down to each unit's bucket: its payables with their open amounts.
				for _, org := range ids {
					if !strings.HasPrefix(pathOf[org], scope.Path) {
						continue
					}
					for _, b := range qingqian.AgingBuckets {
						ps, err := aging.FindOpenPayables(f.sys, qingqian.PayableFilter{OrgID: org, AsOf: d, Bucket: b, Limit: 500})
						if err != nil {
							t.Fatal(err)
						}
						w := drill[org][b]
						if len(ps) != len(w) {
							t.Errorf("drill-down to %d, %s as of %s: %d payables, want %d", org, b, s, len(ps), len(w))
							continue
						}
						for _, p := range ps {
							if p.Bucket != b || p.Open != w[pk{p.ContractID, int64(p.Seq)}] {
								t.Errorf("drill-down to %d, %s as of %s: %+v, want %s", org, b, s, p, w[pk{p.ContractID, int64(p.Seq)}])
							}
						}
						if n := want[rowKey(pathOf[org])]; org == scope.ID && n != nil && n.Cell(b).Count != len(w) {
							t.Errorf("%s as of %s: %d payables counted in %s, %d listed", scope.Name, s, n.Cell(b).Count, b, len(w))
						}
					}
				}
			}
		}
	})
}
