package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/qingqian/qingqian"
)

// Charts are drawn on the server as SVG (see ADR 8): no script, nothing to download, and they
// print like the rest of the page.

// bar is one unit's figures in the per-unit chart.
type bar struct {
	Label       string
	Repaid      qingqian.Money
	Outstanding qingqian.Money
}

// barChart draws stacked horizontal bars, repaid then outstanding, scaled to the largest total.
func barChart(bars []bar) template.HTML {
	const w, left, rowH, right = 640, 150, 26, 90
	var maxTotal qingqian.Money
	for _, b := range bars {
		maxTotal = max(maxTotal, b.Repaid+b.Outstanding)
	}
	h := len(bars)*rowH + 30
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="各单位已清偿与未清偿（万元）">`, w, h)
	scale := func(m qingqian.Money) float64 {
		if maxTotal <= 0 {
			return 0
		}
		return float64(w-left-right) * float64(m) / float64(maxTotal)
	}
	for i, b := range bars {
		y := i*rowH + 4
		label := []rune(b.Label)
		if len(label) > 11 {
			label = append(label[:10], '…')
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-6, y+15, template.HTMLEscapeString(string(label)))
		rw, ow := scale(b.Repaid), scale(b.Outstanding)
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="18" fill="#2f7d32"><title>已清偿 %s 万元</title></rect>`, left, y, rw, b.Repaid.Wan())
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%d" width="%.1f" height="18" fill="#c62828"><title>未清偿 %s 万元</title></rect>`, float64(left)+rw, y, ow, b.Outstanding.Wan())
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d">%s</text>`, float64(left)+rw+ow+4, y+14, (b.Repaid + b.Outstanding).Wan())
	}
	ly := len(bars)*rowH + 16
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="10" height="10" fill="#2f7d32"/><text x="%d" y="%d">已清偿</text>`, left, ly, left+14, ly+9)
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="10" height="10" fill="#c62828"/><text x="%d" y="%d">未清偿（万元）</text>`, left+70, ly, left+84, ly+9)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// point is one month-end in the time chart.
type point struct {
	Label       string
	Outstanding qingqian.Money
	Repaid      qingqian.Money
}

// lineChart draws outstanding and cumulative repaid at each month end.
func lineChart(pts []point) template.HTML {
	const w, h, left, top, bottom = 640, 260, 70, 14, 40
	var maxV qingqian.Money
	for _, p := range pts {
		maxV = max(maxV, p.Outstanding, p.Repaid)
	}
	if maxV <= 0 {
		maxV = 1
	}
	x := func(i int) float64 {
		if len(pts) < 2 {
			return left
		}
		return left + float64(w-left-20)*float64(i)/float64(len(pts)-1)
	}
	y := func(m qingqian.Money) float64 { return top + float64(h-top-bottom)*(1-float64(m)/float64(maxV)) }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="未清偿余额与累计清偿（万元）">`, w, h)
	for k := 0; k <= 4; k++ {
		v := qingqian.Money(int64(maxV) * int64(k) / 4)
		fmt.Fprintf(&sb, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#d9e2ec"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`, left, w-20, y(v), y(v), left-4, y(v)+4, v.Wan())
	}
	line := func(get func(point) qingqian.Money, color, name string) {
		var ps []string
		for i, p := range pts {
			ps = append(ps, fmt.Sprintf("%.1f,%.1f", x(i), y(get(p))))
		}
		fmt.Fprintf(&sb, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"><title>%s</title></polyline>`, color, strings.Join(ps, " "), name)
		for i, p := range pts {
			fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s：%s 万元</title></circle>`, x(i), y(get(p)), color, p.Label, name, get(p).Wan())
		}
	}
	line(func(p point) qingqian.Money { return p.Outstanding }, "#c62828", "未清偿")
	line(func(p point) qingqian.Money { return p.Repaid }, "#2f7d32", "累计清偿")
	for i, p := range pts {
		if len(pts) <= 6 || i%2 == (len(pts)-1)%2 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), h-bottom+16, p.Label)
		}
	}
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="10" height="3" fill="#c62828"/><text x="%d" y="%d">未清偿</text>`, left, h-10, left+14, h-6)
	fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="10" height="3" fill="#2f7d32"/><text x="%d" y="%d">累计清偿（万元）</text>`, left+70, h-10, left+84, h-6)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
