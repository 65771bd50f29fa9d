package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// Campaigns to the units of one level, and the reminders of a campaign's reporting rhythm.

// depth is the number of units on a path: "/1/" is 1, "/1/4/9/" is 3.
func depth(path string) int { return strings.Count(path, "/") - 1 }

// unitsOfLevel resolves the units a campaign of ScopeLevel asks: the active units of the level
// (2: the groups' direct subsidiaries) below the office, or below each of the groups given.
func (tx *Tx) unitsOfLevel(ctx context.Context, a *qingqian.Actor, officeID int64, officePath string, groupIDs []int64, level int) ([]campaignUnit, error) {
	roots := []string{officePath}
	if len(groupIDs) > 0 {
		gs, err := tx.recipients(ctx, a, officeID, officePath, groupIDs, "org_ids")
		if err != nil {
			return nil, err
		}
		roots = roots[:0]
		for _, g := range gs {
			roots = append(roots, g.path)
		}
	}
	want := depth(officePath) + level // the office is level 0, the groups 1
	var out []campaignUnit
	seen := map[int64]bool{}
	for _, root := range roots {
		lo, hi := subtreeRange(root)
		rows, err := tx.QueryContext(ctx, `SELECT id, name, path FROM orgs WHERE path >= $1 AND path < $2 AND active ORDER BY path`, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("read orgs: %w", err)
		}
		for rows.Next() {
			var u campaignUnit
			if err := rows.Scan(&u.id, &u.name, &u.path); err != nil {
				rows.Close()
				return nil, err
			}
			if depth(u.path) == want && !seen[u.id] {
				seen[u.id] = true
				out = append(out, u)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("所选范围内没有%d级子企业", level), Fields: map[string]string{"level": "该级次没有单位"}}
	}
	return out, nil
}

// RemindCampaign implements qingqian.CampaignService.
func (s *CampaignService) RemindCampaign(ctx context.Context, id int64, note string) (_ int, err error) {
	defer serviceErr(&err, "remind campaign %d", id)
	a, err := requireOffice(ctx, "催报")
	if err != nil {
		return 0, err
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return 0, &qingqian.Error{Code: qingqian.EINVALID, Message: "催报说明不能超过500个字", Fields: map[string]string{"note": "不能超过500个字"}}
	}
	n := 0
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		c, path, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns c JOIN orgs o ON o.id = c.office_id WHERE c.id = $1`+tx.db.d.forUpdateOf("c"), id))
		if errors.Is(err, sql.ErrNoRows) || err == nil && !a.Reaches(path) {
			return campaignNotFound()
		} else if err != nil {
			return err
		}
		today := qingqian.DateOf(tx.now)
		p, ok := c.CurrentPeriod(today)
		if !ok {
			return qingqian.Errorf(qingqian.ECONFLICT, "该专项工作当前不在报送期内（一次报送、尚未开始、已过目标日期或已结束），无需催报")
		}
		var last sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT MAX(sent_at) FROM campaign_reminders WHERE campaign_id = $1`, id).Scan(&last); err != nil {
			return fmt.Errorf("read campaign_reminders: %w", err)
		}
		if last.Valid {
			var at time.Time
			if err := (timeCol{&at}).Scan(last.String); err == nil && tx.now.Sub(at) < time.Hour {
				return qingqian.Errorf(qingqian.ECONFLICT, "一小时内已催报过，请稍后再催")
			}
		}
		units, _, err := tx.db.campaignUnits(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		c.Units = units[id]
		c.MarkReported(today)
		for _, u := range c.Units {
			if u.Reported {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_reminders (campaign_id, org_id, period_no, note, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				id, u.OrgID, p.No, note, a.Name, tx.ts(tx.now)); err != nil {
				return fmt.Errorf("insert into campaign_reminders: %w", err)
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return tx.audit(ctx, "campaign.remind", "campaign", id, path, nil, map[string]any{"period": p.Label(c.Rhythm), "units": n, "note": note})
	})
	return n, err
}

// FindCampaignReminders implements qingqian.CampaignService.
func (s *CampaignService) FindCampaignReminders(ctx context.Context) (_ []*qingqian.CampaignReminder, err error) {
	defer serviceErr(&err, "find campaign reminders")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+campaignColumns+`, r.org_id, u.name, r.period_no, r.note, r.sent_by, r.sent_at, x.prepared_at
		FROM campaign_reminders r JOIN campaigns c ON c.id = r.campaign_id JOIN orgs o ON o.id = c.office_id JOIN orgs u ON u.id = r.org_id
		LEFT JOIN campaign_answers x ON x.campaign_id = r.campaign_id AND x.org_id = r.org_id
		WHERE r.org_id = $1 AND c.state = $2 ORDER BY r.sent_at DESC`, a.OrgID, qingqian.CampaignOpen)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := qingqian.DateOf(s.db.Now())
	out, seen := []*qingqian.CampaignReminder{}, map[int64]bool{}
	for rows.Next() {
		var c *qingqian.Campaign
		var r qingqian.CampaignReminder
		var periodNo int
		var prepared time.Time
		var list, path string
		c = &qingqian.Campaign{}
		if err := rows.Scan(&c.ID, &c.Kind, &c.Title, &c.Basis, &c.Scope, &c.Level, &list, &c.StartsOn, &c.TargetOn, &c.Rhythm, &c.State, &c.Summary,
			&c.CreatedBy, timeCol{&c.CreatedAt}, &c.ClosedBy, timeCol{&c.ClosedAt}, &c.Version, &path,
			&r.OrgID, &r.OrgName, &periodNo, &r.Note, &r.SentBy, timeCol{&r.SentAt}, timeCol{&prepared}); err != nil {
			return nil, err
		}
		// The newest reminder of a campaign stands while its period is the current one and the
		// unit has not prepared its answer since the period began.
		p, ok := c.CurrentPeriod(today)
		if seen[c.ID] || !ok || p.No != periodNo || !prepared.IsZero() && !qingqian.DateOf(prepared).Before(p.Start) {
			seen[c.ID] = true
			continue
		}
		seen[c.ID] = true
		r.CampaignID, r.Title, r.Period = c.ID, c.Title, p.Label(c.Rhythm)
		out = append(out, &r)
	}
	return out, rows.Err()
}
