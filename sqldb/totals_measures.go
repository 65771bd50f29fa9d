package sqldb

// The measures the running totals sum, and what one entry adds to them.

import (
	"strings"

	"github.com/qingqian/qingqian"
)

// measure is one summed column of the running totals: of org_totals, org_totals_month and the
// temporary tables that recompute them.
type measure int

// The measures, in the order of their columns.
const (
	mItems measure = iota
	mRecU
	mRecD
	mRepU
	mRepD
	mAdjU
	mAdjD
	mPayN
	mPayNV
	mRepNV
	numMeasures
)

// measureCols is the one table of the measures: each one's column and what it sums. Amounts
// are in 分. Every SQL fragment over the measures and every operation on measures is derived
// from it, so adding a measure is a line here and a column in a migration, plus the code that
// computes it: entryMeasures (one entry), insertComputedTotals (the recomputation) and
// subtractLater (figures as known at an earlier time).
var measureCols = [numMeasures]struct{ col, meaning string }{
	mItems: {"items", "items that arose on the day (counted on their arising date)"},
	mRecU:  {"rec_u", "recognised, undisputed part"},
	mRecD:  {"rec_d", "recognised, disputed part"},
	mRepU:  {"rep_u", "repaid, undisputed part (positive)"},
	mRepD:  {"rep_d", "repaid, disputed part (positive)"},
	mAdjU:  {"adj_u", "adjusted, undisputed part (signed: adjustments, court reductions, write-offs, reclassification)"},
	mAdjD:  {"adj_d", "adjusted, disputed part (signed)"},
	mPayN:  {"pay_n", "repayments, net of reversals"},
	mPayNV: {"pay_nv", "repayments without a voucher yet"},
	mRepNV: {"rep_nv", "amount of the repayments without a voucher yet (positive)"},
}

// measures are one row's sums, indexed by measure.
type measures [numMeasures]int64

// eachMeasure joins f of every measure's column with sep, in column order.
func eachMeasure(sep string, f func(col string) string) string {
	out := make([]string, numMeasures)
	for m, c := range measureCols {
		out[m] = f(c.col)
	}
	return strings.Join(out, sep)
}

// SQL fragments over the measures, in column order.
var (
	// totalsCols are the measure columns, after the key in every INSERT.
	totalsCols = eachMeasure(", ", func(c string) string { return c })
	// totalsSums sums every measure column.
	totalsSums = eachMeasure(", ", func(c string) string { return `CAST(SUM(` + c + `) AS BIGINT)` })
	// totalsUpsert adds a change to a daily row, monthUpsert to a monthly one.
	totalsUpsert = upsertSums("org_totals", totalsKeyCols)
	monthUpsert  = upsertSums("org_totals_month", monthKeyCols)
)

// The keys of the daily and monthly rows.
const (
	totalsKeyCols = `org_id, day, rec_day, kind, origin`
	monthKeyCols  = `org_id, month, kind, origin`
)

// upsertSums is the ON CONFLICT clause that adds an inserted row's measures to the row of table
// with the same key.
func upsertSums(table, key string) string {
	return ` ON CONFLICT (` + key + `) DO UPDATE SET ` +
		eachMeasure(", ", func(c string) string { return c + ` = ` + table + `.` + c + ` + excluded.` + c })
}

// scaledMeasures multiplies every measure column by factor (a placeholder).
func scaledMeasures(factor string) string {
	return eachMeasure(", ", func(c string) string { return factor + ` * ` + c })
}

// computedMeasures lists, in column order, the SQL expression of each measure given in exprs and
// 0 for the others.
func computedMeasures(exprs map[measure]string) string {
	out := make([]string, numMeasures)
	for m := range out {
		out[m] = "0"
		if e, ok := exprs[measure(m)]; ok {
			out[m] = e
		}
	}
	return strings.Join(out, ", ")
}

func (m *measures) values() []any {
	out := make([]any, numMeasures)
	for i, v := range m {
		out[i] = v
	}
	return out
}

func (m *measures) pointers() []any {
	out := make([]any, numMeasures)
	for i := range m {
		out[i] = &m[i]
	}
	return out
}

// add adds o to m.
func (m *measures) add(o measures) {
	for i := range m {
		m[i] += o[i]
	}
}

// sub takes o off m.
func (m *measures) sub(o measures) {
	for i := range m {
		m[i] -= o[i]
	}
}

func measuresOf(cat qingqian.Category, du, dd qingqian.Money) measures {
	switch cat {
	case qingqian.CatRecognise:
		return measures{mRecU: int64(du), mRecD: int64(dd)}
	case qingqian.CatRepay:
		return measures{mRepU: -int64(du), mRepD: -int64(dd)}
	}
	return measures{mAdjU: int64(du), mAdjD: int64(dd)}
}

// entryMeasures are what one entry adds to the running totals. A repayment counts as without a
// voucher until one is attached (attachVoucher takes it off again); the reversal of a
// repayment takes off what the repayment still counts.
func entryMeasures(kind qingqian.EntryKind, cat qingqian.Category, du, dd qingqian.Money, reversedHadVoucher bool) measures {
	m := measuresOf(cat, du, dd)
	if cat != qingqian.CatRepay {
		return m
	}
	switch {
	case kind == qingqian.EntryRepay:
		m[mPayN], m[mPayNV], m[mRepNV] = 1, 1, -int64(du+dd)
	case kind == qingqian.EntryReversal && reversedHadVoucher:
		m[mPayN] = -1
	case kind == qingqian.EntryReversal:
		m[mPayN], m[mPayNV], m[mRepNV] = -1, -1, -int64(du+dd)
	}
	return m
}
