package web

import (
	"fmt"
	"net/http"
	"strings"
)

// The reminders (催报) of a campaign's reporting rhythm: sent by the office to the units that
// have not reported in the current period, shown on those units' dashboards until they do.

func (s *Server) remindCampaignForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	n := 0
	return s.submit(w, r, form, nil, func() (err error) {
		n, err = s.Campaigns.RemindCampaign(r.Context(), id, form.Get("note"))
		return err
	}, func(st int, v *view) error { return s.showCampaign(w, r, st, v) }, func() string {
		if n == 0 {
			return fmt.Sprintf("/campaigns/%d?done=campaign_reported", id)
		}
		return fmt.Sprintf("/campaigns/%d?done=campaign_reminded", id)
	})
}

// campaignRemindInput is what remindCampaign reads; campaignReminded what it answers.
type campaignRemindInput struct {
	Note string `json:"note"`
}

type campaignReminded struct {
	Units int `json:"units"` // the units reminded: those that had not reported in the period
}

func (s *Server) remindCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in campaignRemindInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := s.Campaigns.RemindCampaign(r.Context(), id, strings.TrimSpace(in.Note))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, campaignReminded{Units: n})
	return nil
}
