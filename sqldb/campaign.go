package sqldb

// Campaigns: launched by the office to units below it, answered by each unit item by item and
// signed off like a submission, closed by the office with a summary. The rectification's
// burn-down is in campaign_rectify.go.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// CampaignService implements qingqian.CampaignService.
type CampaignService struct{ db *DB }

// NewCampaignService returns the campaign service over db.
func NewCampaignService(db *DB) *CampaignService { return &CampaignService{db: db} }

var _ qingqian.CampaignService = (*CampaignService)(nil)

func campaignNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "专项工作不存在") }
func answerNotFound() error   { return qingqian.Errorf(qingqian.ENOTFOUND, "自查报告不存在") }

// campaignUnit is a unit asked by a campaign, with its path.
type campaignUnit struct {
	id         int64
	name, path string
}

// LaunchCampaign implements qingqian.CampaignService.
func (s *CampaignService) LaunchCampaign(ctx context.Context, c *qingqian.Campaign, orgIDs []int64) (err error) {
	defer serviceErr(&err, "launch a campaign")
	a, err := requireOffice(ctx, "部署专项工作")
	if err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		officeID, officePath, err := tx.db.actorOrg(ctx, tx, a)
		if err != nil {
			return err
		}
		var units []campaignUnit
		if c.Scope == qingqian.ScopeLevel {
			units, err = tx.unitsOfLevel(ctx, a, officeID, officePath, orgIDs, c.Level)
		} else {
			units, err = tx.recipients(ctx, a, officeID, officePath, orgIDs, "org_ids")
		}
		if err != nil {
			return err
		}
		list, _ := json.Marshal(c.Checklist)
		c.State, c.CreatedBy, c.CreatedAt, c.Version = qingqian.CampaignOpen, a.Name, tx.now, 1
		if err := tx.QueryRowContext(ctx, `INSERT INTO campaigns (office_id, kind, title, basis, scope, level, checklist, starts_on, target_on, rhythm, state, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`, officeID, c.Kind, c.Title, c.Basis, c.Scope, c.Level, string(list),
			c.StartsOn, c.TargetOn, c.Rhythm, c.State, a.Name, tx.ts(tx.now)).Scan(&c.ID); err != nil {
			return fmt.Errorf("insert into campaigns: %w", err)
		}
		c.Units = []qingqian.CampaignUnit{}
		for _, u := range units {
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_units (campaign_id, org_id) VALUES ($1, $2)`, c.ID, u.id); err != nil {
				return fmt.Errorf("insert into campaign_units: %w", err)
			}
			c.Units = append(c.Units, qingqian.CampaignUnit{OrgID: u.id, OrgName: u.name})
		}
		return tx.audit(ctx, "campaign.launch", "campaign", c.ID, officePath, nil, c)
	})
}

// recipients resolves the units a campaign or circular goes to: the ids given, each a unit below
// the sender in the actor's reach, or every active group below the office when none are given.
func (tx *Tx) recipients(ctx context.Context, a *qingqian.Actor, senderID int64, senderPath string, ids []int64, field string) ([]campaignUnit, error) {
	var out []campaignUnit
	if len(ids) == 0 {
		gs, err := tx.db.groups(ctx, tx, nil, senderPath)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			out = append(out, campaignUnit{g.ID, g.Name, g.Path})
		}
		if len(out) == 0 {
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "没有可以下发的单位", Fields: map[string]string{field: "请选择单位"}}
		}
		return out, nil
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		o, err := tx.findOrg(ctx, id)
		if err != nil && !missing(err) {
			return nil, err
		}
		if err != nil || !a.Reaches(o.Path) || o.ID == senderID || !strings.HasPrefix(o.Path, senderPath) {
			if err == nil && !a.Reaches(o.Path) {
				tx.deny("org", id)
			}
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("单位 %d 不存在或不是下级单位", id), Fields: map[string]string{field: "请选择下级单位"}}
		}
		out = append(out, campaignUnit{o.ID, o.Name, o.Path})
	}
	return out, nil
}

const campaignColumns = `c.id, c.kind, c.title, c.basis, c.scope, c.level, c.checklist, c.starts_on, c.target_on, c.rhythm, c.state, c.summary,
	c.created_by, c.created_at, c.closed_by, c.closed_at, c.version, o.path`

func scanCampaign(row interface{ Scan(...any) error }) (*qingqian.Campaign, string, error) {
	c := &qingqian.Campaign{}
	var list, path string
	err := row.Scan(&c.ID, &c.Kind, &c.Title, &c.Basis, &c.Scope, &c.Level, &list, &c.StartsOn, &c.TargetOn, &c.Rhythm, &c.State, &c.Summary,
		&c.CreatedBy, timeCol{&c.CreatedAt}, &c.ClosedBy, timeCol{&c.ClosedAt}, &c.Version, &path)
	if err == nil {
		err = json.Unmarshal([]byte(list), &c.Checklist)
	}
	return c, path, err
}

// campaignUnits reads the units of the campaigns with their answers' state and figures.
func (db *DB) campaignUnits(ctx context.Context, q queryer, ids []int64) (_ map[int64][]qingqian.CampaignUnit, _ map[int64][]string, err error) {
	defer wrapErr(&err, "read campaign units")
	out, paths := map[int64][]qingqian.CampaignUnit{}, map[int64][]string{}
	if len(ids) == 0 {
		return out, paths, nil
	}
	var a args
	var in []string
	for _, id := range ids {
		in = append(in, a.add(id))
	}
	rows, err := q.QueryContext(ctx, `SELECT u.campaign_id, o.id, o.name, o.path, COALESCE(x.id, 0), COALESCE(x.state, 'missing'), COALESCE(x.found, 0), COALESCE(x.reversed, 0),
			(SELECT MAX(st.at) FROM campaign_steps st WHERE st.answer_id = x.id AND st.action = 'approve'
				AND st.seq > (SELECT MAX(sp.seq) FROM campaign_steps sp WHERE sp.answer_id = x.id AND sp.action = 'prepare')), x.prepared_at
		FROM campaign_units u JOIN orgs o ON o.id = u.org_id LEFT JOIN campaign_answers x ON x.campaign_id = u.campaign_id AND x.org_id = u.org_id
		WHERE u.campaign_id IN (`+strings.Join(in, ", ")+`) ORDER BY u.campaign_id, o.path`, a...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int64
		var u qingqian.CampaignUnit
		var path string
		if err := rows.Scan(&cid, &u.OrgID, &u.OrgName, &path, &u.AnswerID, &u.State, &u.Found, &u.Reversed, timeCol{&u.ApprovedAt}, timeCol{&u.PreparedAt}); err != nil {
			return nil, nil, err
		}
		out[cid] = append(out[cid], u)
		paths[cid] = append(paths[cid], path)
	}
	return out, paths, rows.Err()
}

// visibleCampaigns reads campaigns and keeps those the actor may see: the office's own (the
// actor reaches the office) or those asking a unit related to the actor, whose units list only
// those related units to a group's user.
func (db *DB) visibleCampaigns(ctx context.Context, q queryer, a *qingqian.Actor, where string, arg ...any) (_ []*qingqian.Campaign, err error) {
	defer wrapErr(&err, "read campaigns")
	rows, err := q.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns c JOIN orgs o ON o.id = c.office_id WHERE `+where+` ORDER BY c.starts_on DESC, c.id DESC`, arg...)
	if err != nil {
		return nil, err
	}
	var all []*qingqian.Campaign
	office := map[int64]bool{}
	var ids []int64
	for rows.Next() {
		c, path, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, c)
		office[c.ID] = a.Reaches(path)
		ids = append(ids, c.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	units, paths, err := db.campaignUnits(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	today := qingqian.DateOf(db.Now())
	out := []*qingqian.Campaign{}
	for _, c := range all {
		c.Units = []qingqian.CampaignUnit{}
		for i, u := range units[c.ID] {
			if office[c.ID] || related(a, paths[c.ID][i]) {
				u.Late = c.Late(&u, today)
				c.Units = append(c.Units, u)
			}
		}
		c.MarkReported(today)
		if office[c.ID] || len(c.Units) > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}

// FindCampaign implements qingqian.CampaignService.
func (s *CampaignService) FindCampaign(ctx context.Context, id int64) (_ *qingqian.Campaign, err error) {
	defer serviceErr(&err, "find campaign %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.db.visibleCampaigns(ctx, s.db.read, a, `c.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		var n int
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaigns WHERE id = $1`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("read campaigns: %w", err)
		}
		if n > 0 {
			s.db.securityEvent(ctx, a, "campaign", id)
		}
		return nil, campaignNotFound()
	}
	return cs[0], nil
}

// FindCampaigns implements qingqian.CampaignService.
func (s *CampaignService) FindCampaigns(ctx context.Context) (_ []*qingqian.Campaign, err error) {
	defer serviceErr(&err, "find campaigns")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	_, path, err := s.db.actorOrg(ctx, s.db.read, a)
	if err != nil {
		return nil, err
	}
	// Campaigns are launched by an office at the root of the actor's tree.
	lo, hi := subtreeRange("/" + firstSegment(path))
	return s.db.visibleCampaigns(ctx, s.db.read, a, `o.path >= $1 AND o.path < $2`, lo, hi)
}

// CloseCampaign implements qingqian.CampaignService.
func (s *CampaignService) CloseCampaign(ctx context.Context, id int64, summary string, version int) (_ *qingqian.Campaign, err error) {
	defer serviceErr(&err, "close campaign %d", id)
	a, err := requireOffice(ctx, "结束专项工作")
	if err != nil {
		return nil, err
	}
	summary = strings.TrimSpace(summary)
	if summary == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写工作总结", Fields: map[string]string{"summary": "请填写工作总结"}}
	} else if len([]rune(summary)) > 20000 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "工作总结不能超过20000个字", Fields: map[string]string{"summary": "过长"}}
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		c, path, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns c JOIN orgs o ON o.id = c.office_id WHERE c.id = $1`+tx.db.d.forUpdateOf("c"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return campaignNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the campaign: %w", err)
		}
		if !a.Reaches(path) {
			tx.deny("campaign", id)
			return campaignNotFound()
		}
		if c.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该专项工作已被他人处理，请刷新后再操作")
		}
		if c.State == qingqian.CampaignClosed {
			return qingqian.Errorf(qingqian.ECONFLICT, "该专项工作已结束")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET state = $1, summary = $2, closed_by = $3, closed_at = $4, version = version + 1 WHERE id = $5`,
			qingqian.CampaignClosed, summary, a.Name, tx.ts(tx.now), id); err != nil {
			return fmt.Errorf("update campaigns: %w", err)
		}
		return tx.audit(ctx, "campaign.close", "campaign", id, path, map[string]any{"state": c.State}, map[string]any{"state": qingqian.CampaignClosed, "summary": summary})
	})
	if err != nil {
		return nil, err
	}
	return s.FindCampaign(ctx, id)
}

// PrepareAnswer implements qingqian.CampaignService.
func (s *CampaignService) PrepareAnswer(ctx context.Context, campaignID int64, in qingqian.AnswerInput) (_ *qingqian.CampaignAnswer, err error) {
	defer serviceErr(&err, "prepare an answer to campaign %d", campaignID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSign(qingqian.ActPrepare) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有联络员或填报人员可以填报")
	}
	c, err := s.FindCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if c.State == qingqian.CampaignClosed {
		return nil, qingqian.Errorf(qingqian.ECONFLICT, "该专项工作已结束，不能再填报")
	}
	for i := range in.Findings {
		f := &in.Findings[i]
		f.Finding, f.Action = strings.TrimSpace(f.Finding), strings.TrimSpace(f.Action)
		if f.Evidence == nil {
			f.Evidence = []string{}
		}
	}
	if err := in.Validate(c); err != nil {
		return nil, err
	}
	// The unit answering: the actor's own, or the one unit of the campaign below it.
	var unit *qingqian.CampaignUnit
	for i := range c.Units {
		if c.Units[i].OrgID == a.OrgID {
			unit = &c.Units[i]
		}
	}
	if unit == nil {
		var below []*qingqian.CampaignUnit
		for i := range c.Units {
			if c.Units[i].OrgID != a.OrgID {
				below = append(below, &c.Units[i])
			}
		}
		if len(below) != 1 {
			return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "本单位不在该专项工作的范围内")
		}
		unit = below[0]
	}
	var id int64
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.findOrg(ctx, unit.OrgID)
		if err != nil {
			return err
		}
		if !a.Reaches(o.Path) {
			tx.deny("org", o.ID)
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只能由本单位填报")
		}
		for _, f := range in.Findings {
			for _, sha := range f.Evidence {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vouchers WHERE sha256 = $1 AND kind = 'voucher'`, sha).Scan(&n); err != nil {
					return fmt.Errorf("read vouchers: %w", err)
				}
				if n == 0 {
					return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("检查事项%d：佐证材料 %s 未上传", f.Seq, sha),
						Fields: map[string]string{fmt.Sprintf("findings.%d.evidence", f.Seq-1): "请先上传佐证材料"}}
				}
			}
		}
		var cur qingqian.SubmissionState
		var version int
		var preparedAt time.Time
		err = tx.QueryRowContext(ctx, `SELECT id, state, version, prepared_at FROM campaign_answers WHERE campaign_id = $1 AND org_id = $2`+tx.db.d.forUpdate, c.ID, o.ID).Scan(&id, &cur, &version, timeCol{&preparedAt})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if id != 0 && in.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "本单位的自查报告已被他人修改，请刷新后再操作")
		}
		// With a reporting rhythm an approved answer is prepared again in each new period: the
		// unit's progress report of that period, signed off again.
		if p, ok := c.CurrentPeriod(qingqian.DateOf(tx.now)); !(ok && cur == qingqian.StateApproved && qingqian.DateOf(preparedAt).Before(p.Start)) {
			if _, err := qingqian.NextState(cur, qingqian.ActPrepare); err != nil {
				return err
			}
		}
		found, err := tx.db.campaignFigures(ctx, tx, o.Path, c.StartsOn)
		if err != nil {
			return err
		}
		fb, _ := json.Marshal(in.Findings)
		if id == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO campaign_answers (campaign_id, org_id, state, findings, found_items, found, reversed_count, reversed, prepared_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, c.ID, o.ID, qingqian.StatePrepared, string(fb),
				found.FoundItems, found.Found, found.ReversedCount, found.Reversed, tx.ts(tx.now)).Scan(&id)
			if isUnique(err) {
				return qingqian.Errorf(qingqian.ECONFLICT, "本单位已有自查报告，请刷新后再试")
			}
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE campaign_answers SET state = $1, findings = $2, found_items = $3, found = $4, reversed_count = $5, reversed = $6,
				prepared_at = $7, version = version + 1 WHERE id = $8`, qingqian.StatePrepared, string(fb), found.FoundItems, found.Found,
				found.ReversedCount, found.Reversed, tx.ts(tx.now), id)
		}
		if err != nil {
			return fmt.Errorf("write campaign_answers: %w", err)
		}
		if err := tx.addAnswerStep(ctx, id, qingqian.ActPrepare, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "campaign.prepare", "campaign_answer", id, o.Path, nil, map[string]any{"campaign_id": c.ID, "findings": in.Findings, "figures": found})
	})
	if err != nil {
		return nil, err
	}
	return s.FindAnswer(ctx, id)
}

// campaignFigures computes what a unit's subtree recorded since a date: items of origin
// self-check and reversed repayments, as known now.
func (db *DB) campaignFigures(ctx context.Context, q rowQueryer, path string, since qingqian.Date) (_ qingqian.CampaignAnswer, err error) {
	defer wrapErr(&err, "campaign figures of %s", path)
	lo, hi := subtreeRange(path)
	var f qingqian.CampaignAnswer
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(i.undisputed + i.disputed), 0) AS BIGINT) FROM items i JOIN orgs o ON o.id = i.org_id
		WHERE o.path >= $1 AND o.path < $2 AND i.origin = $3 AND i.created_on >= $4`, lo, hi, qingqian.OriginSelfCheck, since).Scan(&f.FoundItems, &f.Found); err != nil {
		return f, fmt.Errorf("read items: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(e.du + e.dd), 0) AS BIGINT) FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE o.path >= $1 AND o.path < $2 AND e.kind = $3 AND e.cat = 'rep' AND e.recorded_on >= $4`, lo, hi, qingqian.EntryReversal, since).Scan(&f.ReversedCount, &f.Reversed); err != nil {
		return f, fmt.Errorf("read entries: %w", err)
	}
	return f, nil
}

func (tx *Tx) addAnswerStep(ctx context.Context, id int64, act qingqian.SignAction, note string) (err error) {
	defer wrapErr(&err, "add a step to answer %d", id)
	_, err = tx.ExecContext(ctx, `INSERT INTO campaign_steps (answer_id, seq, action, actor_id, actor_name, note, at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM campaign_steps WHERE answer_id = $1), $2, $3, $4, $5, $6)`,
		id, act, tx.actor.UserID, tx.actor.Name, note, tx.ts(tx.now))
	return err
}
