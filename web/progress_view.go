package web

import (
	"context"
	"fmt"
	"html/template"
	"sort"

	"github.com/qingqian/qingqian"
)

type progressData struct {
	P      *qingqian.Progress
	Office bool
	Sort   string
	Sorts  []sortOption
	Total  progressTotal
	Chart  template.HTML
	// The office's charts: outstanding by kind and by dispute status, and the periods' trend.
	KindChart, DisputeChart, TrendChart template.HTML
	TrendRange                          string
}

// progressTotal is the progress table's 合计 row: the groups' sums and their common rate.
type progressTotal struct {
	Baseline, Repaid, Left, PlannedDue         qingqian.Money
	Rate                                       int64
	OverdueItems, OpenNotices, OpenClues, Miss int
	Slow                                       int
}

// arrangeProgress sorts the groups as asked ("rate": lowest rate first; "-rate": highest first;
// otherwise as the office lists them), adds them up and draws their rates against the province's.
func arrangeProgress(d *progressData, order string) {
	g := d.P.Groups
	switch order {
	case "rate":
		sort.SliceStable(g, func(i, j int) bool { return g[i].Rate < g[j].Rate })
	case "-rate":
		sort.SliceStable(g, func(i, j int) bool { return g[i].Rate > g[j].Rate })
	default:
		order = ""
	}
	d.Sort = order
	var t progressTotal
	for i := range g {
		x := &g[i]
		t.Baseline += x.Baseline
		t.Repaid += x.Repaid
		t.Left += x.Left
		t.PlannedDue += x.PlannedDue
		t.OverdueItems += x.OverdueItems
		t.OpenNotices += x.OpenNotices
		t.OpenClues += x.OpenClues
		t.Miss += x.MissingDebts
		if x.Slow {
			t.Slow++
		}
	}
	t.Rate = d.P.Rate
	d.Total = t
	bars := make([]rateBar, len(g))
	for i := range g {
		bars[i] = rateBar{Label: g[i].OrgName, Rate: g[i].Rate, Slow: g[i].Slow}
	}
	sort.SliceStable(bars, func(i, j int) bool { return bars[i].Rate > bars[j].Rate })
	if len(bars) > 0 {
		d.Chart = rateChart(bars, d.P.Rate)
	}
}

// progressSorts are the orders the progress table offers.
var progressSorts = []sortOption{{"", "按集团"}, {"rate", "清偿率从低到高"}, {"-rate", "清偿率从高到低"}}

// periodTrendLimit is how many recent periods the trend chart draws.
const periodTrendLimit = 12

// progressCharts draws, for the office's whole subtree, the outstanding amount by kind of debt
// and by dispute status as of the progress date, and the trend over the reporting periods up to
// it (第1–N期: repaid to date and outstanding, each on its own panel).
func (s *Server) progressCharts(ctx context.Context, d *progressData) error {
	tot, err := s.Totals.SubtreeTotals(ctx, qingqian.TotalsQuery{AsOf: d.P.AsOf})
	if err != nil {
		return err
	}
	var kinds []share
	for _, k := range qingqian.ItemKinds {
		if f := tot.ByKind[k]; f.Outstanding != 0 {
			kinds = append(kinds, share{k.Label(), f.Outstanding})
		}
	}
	sort.SliceStable(kinds, func(i, j int) bool { return kinds[i].Amount > kinds[j].Amount })
	if len(kinds) > 0 {
		d.KindChart = partsChart("未清偿按欠款类型（万元）", kinds)
	}
	if tot.Overall.Outstanding != 0 {
		d.DisputeChart = partsChart("未清偿按有无分歧（万元）", []share{{"无分歧", tot.Overall.OutstandingUndisputed}, {"有分歧", tot.Overall.OutstandingDisputed}})
	}
	periods, _, err := s.Reports.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 1000})
	if c := qingqian.ErrorCode(err); c == qingqian.EFORBIDDEN || c == qingqian.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	sort.Slice(periods, func(i, j int) bool { return periods[i].No < periods[j].No })
	var pts []point
	for _, p := range periods {
		if p.AsOf.After(d.P.AsOf) {
			continue
		}
		rep, err := s.Reports.Report(ctx, p.ID)
		if err != nil {
			return err
		}
		pts = append(pts, point{Label: fmt.Sprintf("第%d期", p.No), Repaid: rep.Total.RepaidToDate, Outstanding: rep.Total.Outstanding})
	}
	if len(pts) > periodTrendLimit {
		pts = pts[len(pts)-periodTrendLimit:]
	}
	if len(pts) > 1 {
		d.TrendChart = lineChart(pts)
		d.TrendRange = pts[0].Label + "至" + pts[len(pts)-1].Label
	}
	return nil
}
