package web

import (
	"context"

	"github.com/qingqian/qingqian"
)

// rectifyLine is a rectification campaign running on a report's date, as the report shows it:
// what was outstanding in its scope when it started and on the report's date, what was repaid
// between, and the units that will miss its target.
type rectifyLine struct {
	C           *qingqian.Campaign
	Start       qingqian.Money
	Outstanding qingqian.Money
	Repaid      qingqian.Money
	Missing     []string
}

// rectificationsAt are the rectification campaigns the reader sees that run on the date (started
// by it, and open or closed after it), each with its burn-down read as of that date: the weekly
// progress report carries the campaign's figures.
func (s *Server) rectificationsAt(ctx context.Context, asOf qingqian.Date) ([]rectifyLine, error) {
	cs, err := s.Campaigns.FindCampaigns(ctx)
	if err != nil {
		return nil, err
	}
	var out []rectifyLine
	for _, c := range cs {
		if c.Kind != qingqian.CampaignRectify || asOf.Before(c.StartsOn) || c.State == qingqian.CampaignClosed && qingqian.DateOf(c.ClosedAt).Before(asOf) {
			continue
		}
		r, err := s.Campaigns.Rectification(ctx, c.ID, asOf)
		if err != nil {
			return nil, err
		}
		l := rectifyLine{C: c, Missing: r.Missing}
		for i, p := range r.Points {
			if p.On.After(asOf) {
				break
			}
			if i == 0 {
				l.Start = p.Outstanding
			}
			l.Outstanding = p.Outstanding
		}
		l.Repaid = l.Start - l.Outstanding
		out = append(out, l)
	}
	return out, nil
}
