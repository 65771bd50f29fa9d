package xlsx

import (
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// PreviewRow is what an import does or would do with a row, told for people.
type PreviewRow struct {
	Sheet     string
	Row       int
	Action    string   // 新增, 不变, 更新
	MatchedBy string   // how the row was matched to an item
	ItemID    int64    // the matched item
	Changes   []string // "合同名称：旧 → 新"
	// Contract is, for a contract, the terms the payment rules will apply to it.
	Contract *qingqian.ContractRules
}

// PreviewRows tells the rows of the result one by one: matched and changed rows first.
func (r *ImportOutcome) PreviewRows(kind string) []PreviewRow {
	if r.Result == nil {
		return nil
	}
	cols := Importable[kind]
	header := func(field string) string {
		key := fieldColumn[field]
		for _, c := range cols {
			if c.Key == key {
				return c.Header
			}
		}
		return field
	}
	var changed, rest []PreviewRow
	for _, d := range r.Result.Details {
		p := PreviewRow{Sheet: d.Sheet, Row: d.Row, MatchedBy: d.MatchedBy, ItemID: d.ItemID, Contract: d.Contract}
		switch d.Action {
		case qingqian.ImportNew:
			p.Action = "新增"
		case qingqian.ImportIdentical:
			p.Action = "不变"
		case qingqian.ImportUpdated:
			p.Action = "更新"
		}
		for _, c := range d.Changes {
			old, new := c.Old, c.New
			if old == "" {
				old = "（空）"
			}
			if new == "" {
				new = "（空）"
			}
			p.Changes = append(p.Changes, header(c.Field)+"："+old+" → "+new)
		}
		if d.Action == qingqian.ImportUpdated {
			changed = append(changed, p)
		} else {
			rest = append(rest, p)
		}
	}
	return append(changed, rest...)
}

// PreviewTotal is the sum of a file's rows for one unit, in 元 and in the file's unit.
type PreviewTotal struct {
	Org                  string
	Rows                 int
	Undisputed, Disputed qingqian.Money
	Unit                 string // the file's unit of amounts, when it is not 元
	UndisputedInUnit     string
	DisputedInUnit       string
	Total                qingqian.Money
	TotalInUnit          string
}

// PreviewTotals are the amounts per unit (欠款单位) of the file's rows, in 元 and, when the file
// writes its amounts in 万元 or 亿元, in that unit too, to check against the file's own 合计.
func (r *ImportOutcome) PreviewTotals() []PreviewTotal {
	if r.Result == nil {
		return nil
	}
	var scale int64 = 1
	for _, u := range r.Units {
		if u.Column == column(LedgerColumns, "undisputed").Header {
			scale = map[string]int64{"万元": 10_000, "亿元": 100_000_000}[u.Unit]
			if scale == 0 {
				scale = 1
			}
			break
		}
	}
	var out []PreviewTotal
	for _, t := range r.Result.Totals {
		p := PreviewTotal{Org: t.OrgName, Rows: t.Rows, Undisputed: t.Undisputed, Disputed: t.Disputed, Total: t.Undisputed + t.Disputed}
		if scale > 1 {
			p.Unit = Unit{Scale: scale}.Name()
			p.UndisputedInUnit, p.DisputedInUnit, p.TotalInUnit = InUnit(t.Undisputed, scale), InUnit(t.Disputed, scale), InUnit(t.Undisputed+t.Disputed, scale)
		}
		out = append(out, p)
	}
	return out
}

// InUnit writes an amount exactly in a unit of scale 元 (10,000 for 万元), with at least two
// decimals and no more than it needs.
func InUnit(m qingqian.Money, scale int64) string {
	neg := m < 0
	if neg {
		m = -m
	}
	div := int64(100) * scale
	digits := len(fmt.Sprint(div)) - 1
	frac := strings.TrimRight(fmt.Sprintf("%0*d", digits, int64(m)%div), "0")
	for len(frac) < 2 {
		frac += "0"
	}
	s := fmt.Sprintf("%d.%s", int64(m)/div, frac)
	if neg {
		s = "-" + s
	}
	return s
}

// PreviewSummary renders the preview for a terminal: units of the amount columns, notes, totals
// per unit, changed rows and warnings.
func PreviewSummary(r *ImportOutcome, kind string, max int) string {
	var b strings.Builder
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "说明：%s\n", n)
	}
	for _, u := range r.Units {
		fmt.Fprintf(&b, "金额单位：%s %s 按%s读取（%s）\n", u.Sheet, u.Column, u.Unit, u.From)
	}
	for _, t := range r.PreviewTotals() {
		fmt.Fprintf(&b, "合计 %s：%d 行，无分歧 %s 元，有分歧 %s 元", t.Org, t.Rows, t.Undisputed, t.Disputed)
		if t.Unit != "" {
			fmt.Fprintf(&b, "（即 %s %s、%s %s）", t.UndisputedInUnit, t.Unit, t.DisputedInUnit, t.Unit)
		}
		b.WriteString("\n")
	}
	n := 0
	for _, p := range r.PreviewRows(kind) {
		if p.Action != "更新" || n == max {
			continue
		}
		n++
		fmt.Fprintf(&b, "更新 %s 第%d行（按%s匹配）：%s\n", p.Sheet, p.Row, p.MatchedBy, strings.Join(p.Changes, "；"))
	}
	for i, w := range r.Warnings {
		if i == max {
			fmt.Fprintf(&b, "……另有 %d 条提醒\n", len(r.Warnings)-max)
			break
		}
		fmt.Fprintf(&b, "提醒：%s 第%d行 %s：%q —— %s\n", w.Sheet, w.Row, w.Column, w.Value, w.Message)
	}
	return b.String()
}
