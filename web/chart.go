package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// Charts are drawn on the server as SVG (see ADR 8): no script, nothing to download, and they
// print like the rest of the page. Colour never carries a meaning alone: what is outstanding is
// hatched and drawn with square marks, what is repaid is solid with round marks, and every
// series is named on the chart. Axes step in round numbers (1, 2 or 5 times a power of ten).

// chartDefs holds the patterns the charts share.
const chartDefs = `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
	`<rect width="6" height="6" fill="#c62828"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>`

// niceStep is the round step (1, 2 or 5 times a power of ten) that divides 0..top into at most
// n intervals.
func niceStep(top float64, n int) float64 {
	if top <= 0 || n <= 0 {
		return 1
	}
	raw := top / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// niceTicks returns the ticks 0, step, … up to the first one at or above top.
func niceTicks(top float64, n int) []float64 {
	step := niceStep(top, n)
	ticks := []float64{0}
	for k := 1; ticks[len(ticks)-1] < top; k++ {
		// Through text, so that 3 × 0.2 is 0.6 and not 0.6000000000000001.
		v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(k)*step, 'g', 12, 64), 64)
		ticks = append(ticks, v)
	}
	return ticks
}

// wanOf is an amount in 万元 as a number for drawing.
func wanOf(m qingqian.Money) float64 { return float64(m) / 1e6 }

// tickText writes an axis value without useless decimals: 2000, 0.5.
func tickText(v float64) string {
	return qingqian.GroupThousands(strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), "."))
}

// bar is one unit's figures in the per-unit chart.
type bar struct {
	Label       string
	Repaid      qingqian.Money
	Outstanding qingqian.Money
}

func shortLabel(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// barChart draws stacked horizontal bars, repaid (solid) then outstanding (hatched), on a round
// 万元 axis.
func barChart(bars []bar) template.HTML {
	const w, left, rowH, right, top = 640, 150, 26, 70, 22
	var maxTotal qingqian.Money
	for _, b := range bars {
		maxTotal = max(maxTotal, b.Repaid+b.Outstanding)
	}
	ticks := niceTicks(wanOf(maxTotal), 5)
	axisMax := ticks[len(ticks)-1]
	h := top + len(bars)*rowH + 34
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="各单位已清偿与未清偿（万元）">%s`, w, h, chartDefs)
	scale := func(v float64) float64 { return float64(w-left-right) * v / axisMax }
	for _, t := range ticks {
		x := float64(left) + scale(t)
		fmt.Fprintf(&sb, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#d9e2ec"/><text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, x, top-4, top+len(bars)*rowH, x, top-8, tickText(t))
	}
	for i, b := range bars {
		y := top + i*rowH + 4
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-6, y+14, template.HTMLEscapeString(shortLabel(b.Label, 11)))
		rw, ow := scale(wanOf(b.Repaid)), scale(wanOf(b.Outstanding))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="18" fill="#2f7d32"><title>已清偿 %s 万元</title></rect>`, left, y, rw, b.Repaid.WanGrouped())
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%d" width="%.1f" height="18" fill="url(#hatch)" stroke="#c62828"><title>未清偿 %s 万元</title></rect>`, float64(left)+rw, y, ow, b.Outstanding.WanGrouped())
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d">未 %s</text>`, float64(left)+rw+ow+4, y+14, b.Outstanding.WanGrouped())
	}
	ly := top + len(bars)*rowH + 14
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="14" height="10" fill="#2f7d32"/><text x="%d" y="%d">已清偿（实心）</text>`, left, ly, left+18, ly+9)
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="14" height="10" fill="url(#hatch)" stroke="#c62828"/><text x="%d" y="%d">未清偿（斜线），单位：万元</text>`, left+120, ly, left+138, ly+9)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// point is one month-end in the time chart.
type point struct {
	Label       string
	Outstanding qingqian.Money
	Repaid      qingqian.Money
}

// lineChart draws cumulative repaid and outstanding at each month end in two panels, each on its
// own round axis: on one axis the outstanding line, a few percent of what was repaid, would lie
// flat along the bottom.
func lineChart(pts []point) template.HTML {
	const w, panelH, left, gap = 640, 120, 78, 36
	h := 2*panelH + gap + 44
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="累计清偿与未清偿余额（万元）">`, w, h)
	x := func(i int) float64 {
		if len(pts) < 2 {
			return left
		}
		return left + float64(w-left-24)*float64(i)/float64(len(pts)-1)
	}
	panel := func(top int, name string, get func(point) qingqian.Money, color string, square bool, dash string) {
		var maxV float64
		for _, p := range pts {
			maxV = max(maxV, wanOf(get(p)))
		}
		ticks := niceTicks(maxV, 4)
		axisMax := ticks[len(ticks)-1]
		y := func(v float64) float64 { return float64(top) + 14 + float64(panelH-14)*(1-v/axisMax) }
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-weight="600">%s（万元）</text>`, left, top+6, name)
		for _, t := range ticks {
			fmt.Fprintf(&sb, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d9e2ec"/><text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, left, w-20, y(t), y(t), left-4, y(t)+4, tickText(t))
		}
		var ps []string
		for i, p := range pts {
			ps = append(ps, fmt.Sprintf("%.1f,%.1f", x(i), y(wanOf(get(p)))))
		}
		fmt.Fprintf(&sb, `<polyline fill="none" stroke="%s" stroke-width="2" stroke-dasharray="%s" points="%s"><title>%s</title></polyline>`, color, dash, strings.Join(ps, " "), name)
		for i, p := range pts {
			cx, cy := x(i), y(wanOf(get(p)))
			title := fmt.Sprintf(`<title>%s %s：%s 万元</title>`, p.Label, name, get(p).WanGrouped())
			if square {
				fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="7" height="7" fill="%s">%s</rect>`, cx-3.5, cy-3.5, color, title)
			} else {
				fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s">%s</circle>`, cx, cy, color, title)
			}
		}
		if n := len(pts); n > 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x(n-1), y(wanOf(get(pts[n-1])))-8, get(pts[n-1]).WanGrouped())
		}
	}
	panel(4, "累计清偿（圆点实线）", func(p point) qingqian.Money { return p.Repaid }, "#2f7d32", false, "")
	panel(4+panelH+gap, "未清偿余额（方点虚线）", func(p point) qingqian.Money { return p.Outstanding }, "#c62828", true, "6 3")
	for i, p := range pts {
		if len(pts) <= 6 || i%2 == (len(pts)-1)%2 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), h-22, p.Label)
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// rateBar is one group's clearance rate.
type rateBar struct {
	Label string
	Rate  int64 // basis points
	Slow  bool
}

// rateChart draws the groups' clearance rates, highest first, with the province's rate as a
// dashed line; a group behind the province is marked ▼ and named so, not only coloured.
func rateChart(bars []rateBar, province int64) template.HTML {
	const w, left, rowH, right, top = 640, 150, 24, 80, 26
	minRate := province
	for _, b := range bars {
		minRate = min(minRate, b.Rate)
	}
	// The axis starts at a round percentage below the lowest rate, so that differences of a few
	// points show; it says where it starts.
	step := niceStep(float64(10000-minRate)/100, 5)
	lo := math.Max(0, math.Floor(float64(minRate)/100/step)*step)
	var ticks []float64
	for v := lo; v <= 100+1e-9; v += step {
		ticks = append(ticks, math.Round(v*100)/100)
	}
	if ticks[len(ticks)-1] < 100 {
		ticks = append(ticks, 100)
	}
	h := top + len(bars)*rowH + 34
	scale := func(pct float64) float64 { return float64(left) + float64(w-left-right)*(pct-lo)/(100-lo) }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="各集团清偿率，按清偿率从高到低">`, w, h)
	for _, t := range ticks {
		fmt.Fprintf(&sb, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#d9e2ec"/><text class="tick" x="%.1f" y="%d" text-anchor="middle">%s%%</text>`, scale(t), scale(t), top-4, top+len(bars)*rowH, scale(t), top-8, tickText(t))
	}
	for i, b := range bars {
		y := top + i*rowH + 3
		pct := float64(b.Rate) / 100
		fill, mark := "#1d4ed8", ""
		if b.Rate < province {
			fill, mark = "#6b7280", "▼ "
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-6, y+13, template.HTMLEscapeString(shortLabel(b.Label, 11)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="16" fill="%s"><title>%s 清偿率 %s</title></rect>`, left, y, math.Max(0, scale(pct)-float64(left)), fill, template.HTMLEscapeString(b.Label), pctText(b.Rate))
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d">%s%s</text>`, scale(pct)+4, y+13, mark, pctText(b.Rate))
	}
	px := scale(float64(province) / 100)
	fmt.Fprintf(&sb, `<line class="prov" x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke-width="1.5"/>`, px, px, top-2, top+len(bars)*rowH+2)
	ly := top + len(bars)*rowH + 16
	fmt.Fprintf(&sb, `<line class="prov" x1="%d" x2="%d" y1="%d" y2="%d" stroke-width="1.5"/><text x="%d" y="%d">全省 %s（虚线）；▼ 低于全省；横轴自 %s%% 起</text>`, left, left+20, ly, ly, left+26, ly+4, pctText(province), tickText(lo))
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// share is one part of a whole in a parts chart.
type share struct {
	Label  string
	Amount qingqian.Money
}

// partsChart draws the parts of an amount as horizontal bars on a round 万元 axis, each named and
// with its amount and share written beside it, so that nothing depends on colour.
func partsChart(title string, parts []share) template.HTML {
	const w, left, rowH, right, top = 640, 150, 24, 150, 22
	var maxV, sum qingqian.Money
	for _, p := range parts {
		maxV = max(maxV, p.Amount)
		sum += p.Amount
	}
	ticks := niceTicks(wanOf(maxV), 4)
	axisMax := ticks[len(ticks)-1]
	h := top + len(parts)*rowH + 8
	scale := func(v float64) float64 { return float64(w-left-right) * v / axisMax }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	for _, t := range ticks {
		x := float64(left) + scale(t)
		fmt.Fprintf(&sb, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#d9e2ec"/><text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, x, top-4, top+len(parts)*rowH, x, top-8, tickText(t))
	}
	for i, p := range parts {
		y := top + i*rowH + 3
		share := ""
		if sum > 0 {
			share = fmt.Sprintf("（%.1f%%）", 100*float64(p.Amount)/float64(sum))
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-6, y+13, template.HTMLEscapeString(shortLabel(p.Label, 11)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="16" fill="#c62828" fill-opacity="%.2f" stroke="#c62828"><title>%s %s 万元</title></rect>`, left, y, scale(wanOf(p.Amount)), 0.35+0.5*float64(len(parts)-i)/float64(len(parts)), template.HTMLEscapeString(p.Label), p.Amount.WanGrouped())
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d">%s%s</text>`, float64(left)+scale(wanOf(p.Amount))+4, y+13, p.Amount.WanGrouped(), share)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
