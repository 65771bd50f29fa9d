package sqldb

// The periodic report's annex: the bills each group paid not yet honoured as of the period's
// date, and the signals and confirmations of the office's subtree. An issued report keeps the
// annex computed in the transaction that issued it (ADR 32); a draft's is computed when read.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// ReportAnnex implements qingqian.ReportService.
func (s *ReportService) ReportAnnex(ctx context.Context, periodID int64, signals bool) (_ *qingqian.ReportAnnex, err error) {
	defer serviceErr(&err, "the annex of the report of period %d", periodID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.ReportAnnex
	err = s.db.snapshot(ctx, func(q readQueryer) error {
		r, err := s.db.report(ctx, q, a, periodID)
		if err != nil {
			return err
		}
		if r.Annex != nil {
			out = r.Annex
			return nil
		}
		_, officePath, err := s.db.period(ctx, q, a, `p.id = $1`, periodID)
		if err != nil {
			return err
		}
		var known time.Time
		if r.Issued {
			// Issued before annexes were frozen: the bills as known when it was issued; the
			// signals are today's.
			known = r.IssuedAt
		}
		out, err = s.db.reportAnnex(ctx, q, r, officePath, known, signals && a.Reaches(officePath))
		if err == nil && r.Issued {
			out.Note = "本期汇总表印发时附表尚未随表固定：票据按印发时所知计算，预警信号和核实情况按今天的数据计算"
		}
		return err
	})
	return out, err
}

// annexRows are the lines of the period's groups the actor reaches, as consolidate makes them
// (without their figures, which the annex does not read).
func (db *DB) annexRows(ctx context.Context, q queryer, a *qingqian.Actor, officePath string) ([]qingqian.ReportRow, error) {
	gs, err := db.groups(ctx, q, a, officePath)
	if err != nil {
		return nil, err
	}
	rows := []qingqian.ReportRow{}
	for _, g := range gs {
		if !a.Reaches(g.Path) {
			continue
		}
		name := g.ShortName
		if name == "" {
			name = g.Name
		}
		rows = append(rows, qingqian.ReportRow{OrgID: g.ID, OrgName: name})
	}
	return rows, nil
}

// annexBeforeIssue computes, in a read snapshot, the annex an issue of the period would freeze,
// with the heads of the audit chains as that snapshot saw them. Every write is audited, so if
// the issuing transaction finds the same heads nothing was written in between and the annex is
// the one of the issue's own snapshot: the signals, which read every repayment, are then not
// computed while the writer is held (on SQLite, the only writer).
func (db *DB) annexBeforeIssue(ctx context.Context, a *qingqian.Actor, periodID int64) (an *qingqian.ReportAnnex, heads []ChainHead, err error) {
	err = db.snapshot(ctx, func(q readQueryer) error {
		p, officePath, err := db.period(ctx, q, a, `p.id = $1`, periodID)
		if err != nil {
			return err
		}
		if heads, err = readHeads(ctx, q); err != nil {
			return err
		}
		r := &qingqian.Report{Period: *p}
		if r.Rows, err = db.annexRows(ctx, q, a, officePath); err != nil {
			return err
		}
		an, err = db.reportAnnex(ctx, q, r, officePath, time.Time{}, true)
		return err
	})
	return an, heads, err
}

// reportAnnex computes a report's annex through q: the bills of its rows as of the period's date
// as known at knownAt (zero: everything recorded), and, when asked, the signals of the office's
// subtree without their records.
func (db *DB) reportAnnex(ctx context.Context, q readQueryer, r *qingqian.Report, officePath string, knownAt time.Time, signals bool) (_ *qingqian.ReportAnnex, err error) {
	defer wrapErr(&err, "the report's annex")
	an := &qingqian.ReportAnnex{AsOf: r.Period.AsOf, ComputedAt: db.Now().UTC().Truncate(time.Microsecond), Bills: []qingqian.BillAnnexRow{}}
	if an.Bills, an.BillsTotal, err = db.billAnnex(ctx, q, r.Rows, r.Period.AsOf, knownAt); err != nil {
		return nil, err
	}
	if signals {
		if an.Signals, err = db.signalTotals(ctx, q, officePath, r.Period.AsOf); err != nil {
			return nil, err
		}
	}
	return an, nil
}

// billAnnex sums, in one grouped query, the bills pending on asOf as known at knownAt (zero:
// now) under each row's group: count, amount, and those past maturity on asOf. Rows with none
// are left out; the total is 合计.
func (db *DB) billAnnex(ctx context.Context, q queryer, rows []qingqian.ReportRow, asOf qingqian.Date, knownAt time.Time) (_ []qingqian.BillAnnexRow, total qingqian.BillAnnexRow, err error) {
	total.OrgName = "合计"
	out := []qingqian.BillAnnexRow{}
	if len(rows) == 0 {
		return out, total, nil
	}
	var p args
	var ids []string
	for _, row := range rows {
		ids = append(ids, p.add(row.OrgID))
	}
	d := p.add(asOf)
	known := func(col string) string { return "" }
	if !knownAt.IsZero() {
		k := p.add(db.d.ts(knownAt))
		known = func(col string) string { return ` AND ` + col + ` <= ` + k }
	}
	// A bill belongs to the group whose path begins its unit's path (paths end with '/').
	res, err := q.QueryContext(ctx, `SELECT g.id, COUNT(*), COALESCE(SUM(b.amount), 0),
		COALESCE(SUM(CASE WHEN b.matures_on < `+d+` THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN b.matures_on < `+d+` THEN b.amount ELSE 0 END), 0)
		FROM bills b JOIN items i ON i.id = b.item_id JOIN orgs o ON o.id = i.org_id
		JOIN orgs g ON g.id IN (`+strings.Join(ids, ", ")+`) AND o.path >= g.path AND o.path < substr(g.path, 1, length(g.path) - 1) || '0'
		WHERE b.handed_on <= `+d+known("b.recorded_at")+`
		AND NOT (b.honoured_on IS NOT NULL AND b.honoured_on <= `+d+known("b.honoured_at")+`)
		AND NOT (b.dishonoured_on IS NOT NULL AND b.dishonoured_on <= `+d+known("b.dishonoured_at")+`)
		GROUP BY g.id`, p...)
	if err != nil {
		return nil, total, fmt.Errorf("sum bills by group: %w", err)
	}
	defer res.Close()
	by := map[int64]qingqian.BillAnnexRow{}
	for res.Next() {
		var x qingqian.BillAnnexRow
		if err := res.Scan(&x.OrgID, &x.Count, &x.Amount, &x.OverdueCount, &x.OverdueAmount); err != nil {
			return nil, total, err
		}
		by[x.OrgID] = x
	}
	if err := res.Err(); err != nil {
		return nil, total, err
	}
	for _, row := range rows {
		if x, ok := by[row.OrgID]; ok {
			x.OrgName = row.OrgName
			out = append(out, x)
			total.Count += x.Count
			total.Amount += x.Amount // bills are within the items' balances: no overflow
			total.OverdueCount += x.OverdueCount
			total.OverdueAmount += x.OverdueAmount
		}
	}
	return out, total, nil
}

// signalTotals evaluates every signal over the subtree at path as of asOf through q, keeping the
// counts and amounts (not the records), with the confirmations.
func (db *DB) signalTotals(ctx context.Context, q readQueryer, path string, asOf qingqian.Date) (_ *qingqian.SignalReport, err error) {
	defer wrapErr(&err, "the signals")
	rep := &qingqian.SignalReport{AsOf: asOf, Signals: []*qingqian.Signal{}}
	if err := q.QueryRowContext(ctx, `SELECT id, name FROM orgs WHERE path = $1`, path).Scan(&rep.OrgID, &rep.OrgName); err != nil {
		return nil, fmt.Errorf("read orgs: %w", err)
	}
	signals, err := db.evalSignals(ctx, q, path, asOf)
	if err != nil {
		return nil, err
	}
	for _, sig := range signals {
		sig.Hits = []qingqian.SignalHit{} // the annex keeps the counts and amounts
		rep.Signals = append(rep.Signals, sig)
	}
	if rep.Confirmations, err = db.confirmations(ctx, q, path, asOf); err != nil {
		return nil, err
	}
	return rep, nil
}

// groupsOnly is the annex as a group's user sees an issued report: its own groups' lines of
// bills, and not the office's signals.
func annexGroupsOnly(an *qingqian.ReportAnnex, mine map[int64]bool) *qingqian.ReportAnnex {
	if an == nil {
		return nil
	}
	out := *an
	out.Signals = nil
	out.Bills, out.BillsTotal = []qingqian.BillAnnexRow{}, qingqian.BillAnnexRow{OrgName: "合计"}
	for _, x := range an.Bills {
		if mine[x.OrgID] {
			out.Bills = append(out.Bills, x)
			out.BillsTotal.Count += x.Count
			out.BillsTotal.Amount += x.Amount
			out.BillsTotal.OverdueCount += x.OverdueCount
			out.BillsTotal.OverdueAmount += x.OverdueAmount
		}
	}
	return &out
}
