package sqldb

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
)

// Rectification implements qingqian.CampaignService. The debts in scope are those of the
// campaign's units whose undisputed part was outstanding on the start date or arose during the
// campaign; the burn-down sums their undisputed outstanding week by week from the start to the
// target (or to asOf when earlier, and on to asOf when later), as known now.
func (s *CampaignService) Rectification(ctx context.Context, campaignID int64, asOf qingqian.Date) (_ *qingqian.Rectification, err error) {
	defer serviceErr(&err, "rectification of campaign %d", campaignID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.FindCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	units, paths, err := s.db.campaignUnits(ctx, s.db.read, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	type scoped struct {
		item             qingqian.RectifyItem
		unit             string
		entries          []qingqian.BurnPoint // on, du
		arisen, planEnds qingqian.Date
	}
	byID := map[int64]*scoped{}
	var order []int64
	for i, u := range units[c.ID] {
		path := paths[c.ID][i]
		if !a.Reaches(path) && !related(a, path) {
			continue
		}
		// A group's user sees only the debts of its own subtree.
		lo, hi := subtreeRange(path)
		if !a.Reaches(path) {
			lo, hi = subtreeRange(a.OrgPath)
		}
		rows, err := s.db.read.QueryContext(ctx, `SELECT i.id, i.org_id, o.name, cr.name, i.arisen_on, e.on_date, e.du,
				(SELECT MAX(pi.due_on) FROM plan_instalments pi WHERE pi.item_id = i.id AND pi.revision = (SELECT MAX(r.revision) FROM plan_revisions r WHERE r.item_id = i.id))
			FROM items i JOIN orgs o ON o.id = i.org_id JOIN creditors cr ON cr.id = i.creditor_id JOIN entries e ON e.item_id = i.id
			WHERE o.path >= $1 AND o.path < $2 AND e.du <> 0
				AND (i.out_u > 0 OR EXISTS (SELECT 1 FROM entries x WHERE x.item_id = i.id AND x.on_date >= $3 AND x.du <> 0))
			ORDER BY i.id, e.on_date, e.id`, lo, hi, c.StartsOn)
		if err != nil {
			return nil, fmt.Errorf("read the debts in scope: %w", err)
		}
		for rows.Next() {
			var id, org int64
			var orgName, creditor string
			var arisen, on qingqian.Date
			var du qingqian.Money
			var plan *qingqian.Date
			if err := rows.Scan(&id, &org, &orgName, &creditor, &arisen, &on, &du, &plan); err != nil {
				rows.Close()
				return nil, err
			}
			sc := byID[id]
			if sc == nil {
				sc = &scoped{item: qingqian.RectifyItem{ItemID: id, OrgID: org, OrgName: orgName, Creditor: creditor}, unit: u.OrgName, arisen: arisen}
				if plan != nil {
					sc.planEnds = *plan
				}
				byID[id] = sc
				order = append(order, id)
			}
			sc.entries = append(sc.entries, qingqian.BurnPoint{On: on, Outstanding: du})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	outstanding := func(sc *scoped, d qingqian.Date) qingqian.Money {
		var m qingqian.Money
		for _, e := range sc.entries {
			if !d.Before(e.On) {
				m += e.Outstanding
			}
		}
		return m
	}
	var inScope []*scoped
	for _, id := range order {
		sc := byID[id]
		during := !sc.arisen.Before(c.StartsOn) && !c.TargetOn.Before(sc.arisen)
		if outstanding(sc, c.StartsOn) > 0 || (during && sc.entries[0].Outstanding > 0) {
			inScope = append(inScope, sc)
		}
	}
	out := &qingqian.Rectification{CampaignID: c.ID, Points: []qingqian.BurnPoint{}, Items: []qingqian.RectifyItem{}, Missing: []string{}}
	end := c.TargetOn
	if asOf.Before(c.TargetOn) {
		end = asOf
	}
	var days []qingqian.Date
	for d := c.StartsOn; d.Before(end); d = d.AddDays(7) {
		days = append(days, d)
	}
	if !end.Before(c.StartsOn) {
		days = append(days, end)
	}
	if c.TargetOn.Before(asOf) {
		days = append(days, asOf)
	}
	for _, d := range days {
		var sum qingqian.Money
		for _, sc := range inScope {
			sum += outstanding(sc, d)
		}
		out.Points = append(out.Points, qingqian.BurnPoint{On: d, Outstanding: sum})
	}
	missing := map[string]bool{}
	for _, sc := range inScope {
		it := sc.item
		it.Outstanding = outstanding(sc, asOf)
		it.PlanEnds = sc.planEnds
		it.Misses = it.Outstanding > 0 && (it.PlanEnds.IsZero() || c.TargetOn.Before(it.PlanEnds) || c.TargetOn.Before(asOf))
		if it.Misses {
			missing[sc.unit] = true
		}
		out.Items = append(out.Items, it)
	}
	for u := range missing {
		out.Missing = append(out.Missing, u)
	}
	sort.Strings(out.Missing)
	sort.SliceStable(out.Items, func(i, j int) bool {
		if out.Items[i].Misses != out.Items[j].Misses {
			return out.Items[i].Misses
		}
		return strings.Compare(out.Items[i].OrgName, out.Items[j].OrgName) < 0
	})
	return out, nil
}
