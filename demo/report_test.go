package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// Every row of every demo report reconciles — baseline + found later = repaid + reduced +
// outstanding — and its 核减核销 is what the ledger's court reductions, write-offs and
// adjustments came to; so does every row of the disputed-debt table at each period's date.
func TestDemoReportsAddUp(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		p := MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		reports, totals, cases := sqldb.NewReportService(db), sqldb.NewTotalsService(db), sqldb.NewCaseService(db)
		periods, _, err := reports.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 1000})
		if err != nil || len(periods) < 5 {
			t.Fatalf("periods: %d %v", len(periods), err)
		}
		reducedSeen := false
		for _, per := range periods {
			r, err := reports.Report(ctx, per.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i := range len(r.Rows) + 1 {
				f := r.FiguresAt(i)
				name := "合计"
				if i < len(r.Rows) {
					name = r.Rows[i].OrgName
				}
				if f.Baseline+f.NewAmount != f.RepaidToDate+f.Reduced+f.Outstanding {
					t.Errorf("第%d期 %s: 底数 %s + 新增 %s ≠ 清偿 %s + 核减核销 %s + 未清偿 %s", per.No, name,
						f.Baseline.Wan(), f.NewAmount.Wan(), f.RepaidToDate.Wan(), f.Reduced.Wan(), f.Outstanding.Wan())
				}
				if i == len(r.Rows) || f.BaselineLocked {
					continue
				}
				// The ledger's own reductions, as known when the report was issued (or now).
				var known time.Time
				if r.Issued {
					known = r.IssuedAt
				}
				tot, err := totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: r.Rows[i].OrgID, AsOf: per.AsOf, KnownAt: known})
				if err != nil {
					t.Fatal(err)
				}
				if want := -(tot.Overall.AdjustedUndisputed + tot.Overall.AdjustedDisputed); f.Reduced != want {
					t.Errorf("第%d期 %s: 核减核销 %s, the ledger says %s", per.No, name, f.Reduced, want)
				}
			}
			if r.Total.Reduced != 0 {
				reducedSeen = true
			}
			dt, err := cases.Disputes(ctx, p.Regulator.ID, per.AsOf)
			if err != nil {
				t.Fatal(err)
			}
			var sum qingqian.Money
			for _, row := range dt.Rows {
				if row.Recognised != row.Repaid+row.Reduced+row.Outstanding || row.Amount > row.Outstanding {
					t.Errorf("disputed-debt table %s, %s: 认定 %s ≠ 清偿 %s + 核减核销 %s + 未清偿 %s (有分歧 %s)", per.AsOf, row.ItemNo,
						row.Recognised, row.Repaid, row.Reduced, row.Outstanding, row.Amount)
				}
				sum += row.Reduced
			}
			if dt.Recognised != dt.Repaid+dt.Reduced+dt.Outstanding || sum != dt.Reduced {
				t.Errorf("disputed-debt table %s total does not reconcile: %+v", per.AsOf, dt)
			}
		}
		if !reducedSeen {
			t.Error("no demo report shows a court reduction")
		}
	})
}
