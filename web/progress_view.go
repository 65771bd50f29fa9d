package web

import (
	"sort"

	"github.com/qingqian/qingqian"
)

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
