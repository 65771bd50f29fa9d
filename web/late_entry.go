package web

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// lateEntries marks the entries recorded after the report that should have counted them (补录):
// the report of the first period whose date is on or after the entry's business date, signed
// off by the item's group before the entry was recorded. An entry typed a day after a payment,
// with no report in between, is not late; neither is one whose period nobody has reported yet.
func (s *Server) lateEntries(ctx context.Context, it *qingqian.Item, entries []*qingqian.Entry) (map[int64]bool, error) {
	late := map[int64]bool{}
	var backdated []*qingqian.Entry
	for _, e := range entries {
		if e.Backdated {
			backdated = append(backdated, e)
		}
	}
	if len(backdated) == 0 {
		return late, nil
	}
	periods, _, err := s.Reports.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 1000})
	if c := qingqian.ErrorCode(err); c == qingqian.EFORBIDDEN || c == qingqian.ENOTFOUND {
		return late, nil // who may not see the reports sees no mark
	} else if err != nil {
		return nil, err
	}
	sort.Slice(periods, func(i, j int) bool { return periods[i].AsOf.Before(periods[j].AsOf) })
	org, err := s.Orgs.FindOrgByID(ctx, it.OrgID)
	if err != nil {
		return nil, err
	}
	reported := map[int64]*qingqian.Submission{} // by period, the group's submission
	for _, e := range backdated {
		i := sort.Search(len(periods), func(i int) bool { return !periods[i].AsOf.Before(e.On) })
		if i == len(periods) {
			continue
		}
		p := periods[i]
		sub, ok := reported[p.ID]
		if !ok {
			subs, err := s.Reports.FindSubmissions(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			for _, x := range subs {
				if strings.Contains(org.Path, "/"+strconv.FormatInt(x.OrgID, 10)+"/") {
					sub = x
				}
			}
			reported[p.ID] = sub
		}
		if sub != nil && !sub.SubmittedAt.IsZero() && sub.SubmittedAt.Before(e.RecordedAt) {
			late[e.ID] = true
		}
	}
	return late, nil
}
