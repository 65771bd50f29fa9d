package sqldb

// A subtree's figures at several dates in one pass over the running totals: the dashboard's
// twelve month ends.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qingqian/qingqian"
)

// SubtreeSeries implements qingqian.TotalsService. The monthly roll-up is read once, grouped by
// month; a date within a month adds that month's days up to it.
func (s *TotalsService) SubtreeSeries(ctx context.Context, orgID int64, dates []qingqian.Date) (_ []qingqian.Figures, err error) {
	defer serviceErr(&err, "totals series of org %d", orgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if orgID == 0 {
		orgID = a.OrgID
	}
	var path string
	err = s.db.read.QueryRowContext(ctx, `SELECT path FROM orgs WHERE id = $1`, orgID).Scan(&path)
	if err != nil && !missing(err) {
		return nil, fmt.Errorf("read org %d: %w", orgID, err)
	}
	if err != nil || !a.Reaches(path) {
		if err == nil {
			s.db.securityEvent(ctx, a, "org", orgID)
		}
		return nil, orgNotFound()
	}
	out := make([]qingqian.Figures, len(dates))
	if len(dates) == 0 {
		return out, nil
	}
	gen, err := s.db.ledgerGeneration(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint("subtree series ", orgID, " ", dates)
	if c, ok := s.db.cache.get(key, gen); ok {
		return slices.Clone(c.([]qingqian.Figures)), nil
	}
	defer func() {
		if err == nil {
			s.db.cache.put(key, gen, slices.Clone(out))
		}
	}()
	units, err := totalsUnits(ctx, s.db.read, []int64{orgID})
	if err != nil {
		return nil, err
	}
	var q args
	var in []string
	for id := range units {
		in = append(in, q.add(id))
	}
	set := strings.Join(in, ", ")
	type monthSums struct {
		month qingqian.Date
		m     measures
	}
	var months []monthSums
	rows, err := s.db.read.QueryContext(ctx, `SELECT month, `+totalsSums+` FROM org_totals_month WHERE org_id IN (`+set+`) GROUP BY month ORDER BY month`, q...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ms monthSums
		if err := rows.Scan(append([]any{&ms.month}, ms.m.pointers()...)...); err != nil {
			rows.Close()
			return nil, err
		}
		months = append(months, ms)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, d := range dates {
		first := qingqian.NewDate(d.Year(), d.Month(), 1)
		var sum measures
		for _, ms := range months {
			if ms.month.Before(first) {
				sum.add(ms.m)
			}
		}
		if d == first.AddMonths(1).AddDays(-1) {
			// A month's last day: the whole month, from the roll-up.
			for _, ms := range months {
				if ms.month == first {
					sum.add(ms.m)
				}
			}
		} else {
			qd := append(args{}, q...)
			var m measures
			sums := eachMeasure(", ", func(c string) string { return `CAST(COALESCE(SUM(` + c + `), 0) AS BIGINT)` })
			err := s.db.read.QueryRowContext(ctx, `SELECT `+sums+` FROM org_totals WHERE org_id IN (`+set+`) AND day >= `+qd.add(first)+` AND day <= `+qd.add(d), qd...).
				Scan(m.pointers()...)
			if err != nil {
				return nil, err
			}
			sum.add(m)
		}
		out[i] = figuresOf(&sum)
		out[i].Status = ""
	}
	return out, nil
}
