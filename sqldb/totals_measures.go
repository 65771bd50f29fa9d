package sqldb

// The measures the running totals sum, and what one entry adds to them.

import (
	"strings"

	"github.com/qingqian/qingqian"
)

// measures are the summed columns of org_totals.
type measures struct{ items, recU, recD, repU, repD, adjU, adjD, payN, payNV, repNV int64 }

// totalsCols are the columns of org_totals in the order of measures, after the key.
const totalsCols = `items, rec_u, rec_d, rep_u, rep_d, adj_u, adj_d, pay_n, pay_nv, rep_nv`

// totalsSums sums every measure column, in the order of totalsCols.
var totalsSums = func() string {
	var out []string
	for _, c := range strings.Split(totalsCols, ", ") {
		out = append(out, `CAST(SUM(`+c+`) AS BIGINT)`)
	}
	return strings.Join(out, ", ")
}()

func (m *measures) values() []any {
	return []any{m.items, m.recU, m.recD, m.repU, m.repD, m.adjU, m.adjD, m.payN, m.payNV, m.repNV}
}

func (m *measures) pointers() []any {
	return []any{&m.items, &m.recU, &m.recD, &m.repU, &m.repD, &m.adjU, &m.adjD, &m.payN, &m.payNV, &m.repNV}
}

// sub takes o off m.
func (m *measures) sub(o measures) {
	m.items -= o.items
	m.recU, m.recD = m.recU-o.recU, m.recD-o.recD
	m.repU, m.repD = m.repU-o.repU, m.repD-o.repD
	m.adjU, m.adjD = m.adjU-o.adjU, m.adjD-o.adjD
	m.payN, m.payNV, m.repNV = m.payN-o.payN, m.payNV-o.payNV, m.repNV-o.repNV
}

func measuresOf(cat qingqian.Category, du, dd qingqian.Money) measures {
	switch cat {
	case qingqian.CatRecognise:
		return measures{recU: int64(du), recD: int64(dd)}
	case qingqian.CatRepay:
		return measures{repU: -int64(du), repD: -int64(dd)}
	}
	return measures{adjU: int64(du), adjD: int64(dd)}
}

const totalsUpsert = ` ON CONFLICT (org_id, day, rec_day, kind, origin) DO UPDATE SET
	items = org_totals.items + excluded.items,
	rec_u = org_totals.rec_u + excluded.rec_u, rec_d = org_totals.rec_d + excluded.rec_d,
	rep_u = org_totals.rep_u + excluded.rep_u, rep_d = org_totals.rep_d + excluded.rep_d,
	adj_u = org_totals.adj_u + excluded.adj_u, adj_d = org_totals.adj_d + excluded.adj_d,
	pay_n = org_totals.pay_n + excluded.pay_n, pay_nv = org_totals.pay_nv + excluded.pay_nv,
	rep_nv = org_totals.rep_nv + excluded.rep_nv`

// add adds o to m.
func (m *measures) add(o measures) {
	m.items += o.items
	m.recU, m.recD = m.recU+o.recU, m.recD+o.recD
	m.repU, m.repD = m.repU+o.repU, m.repD+o.repD
	m.adjU, m.adjD = m.adjU+o.adjU, m.adjD+o.adjD
	m.payN, m.payNV, m.repNV = m.payN+o.payN, m.payNV+o.payNV, m.repNV+o.repNV
}

// monthUpsert adds a change to a monthly row.
var monthUpsert = strings.NewReplacer("(org_id, day, rec_day, kind, origin)", "(org_id, month, kind, origin)", "org_totals.", "org_totals_month.").Replace(totalsUpsert)

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
		m.payN, m.payNV, m.repNV = 1, 1, -int64(du+dd)
	case kind == qingqian.EntryReversal && reversedHadVoucher:
		m.payN = -1
	case kind == qingqian.EntryReversal:
		m.payN, m.payNV, m.repNV = -1, -1, -int64(du+dd)
	}
	return m
}
