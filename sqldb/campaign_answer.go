package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

const answerColumns = `x.id, x.campaign_id, x.org_id, o.name, o.path, x.state, x.findings, x.found_items, x.found, x.reversed_count, x.reversed,
	x.prepared_at, x.version`

const answerFrom = ` FROM campaign_answers x JOIN orgs o ON o.id = x.org_id`

func scanAnswer(row interface{ Scan(...any) error }) (*qingqian.CampaignAnswer, string, error) {
	x := &qingqian.CampaignAnswer{Steps: []qingqian.SignStep{}}
	var path, findings string
	err := row.Scan(&x.ID, &x.CampaignID, &x.OrgID, &x.OrgName, &path, &x.State, &findings, &x.FoundItems, &x.Found, &x.ReversedCount, &x.Reversed,
		timeCol{&x.PreparedAt}, &x.Version)
	if err == nil {
		err = json.Unmarshal([]byte(findings), &x.Findings)
	}
	return x, path, err
}

func (db *DB) answerSteps(ctx context.Context, q queryer, id int64) (_ []qingqian.SignStep, err error) {
	defer wrapErr(&err, "read the steps of answer %d", id)
	rows, err := q.QueryContext(ctx, `SELECT seq, action, actor_id, actor_name, note, at FROM campaign_steps WHERE answer_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []qingqian.SignStep{}
	for rows.Next() {
		var st qingqian.SignStep
		if err := rows.Scan(&st.Seq, &st.Action, &st.ActorID, &st.ActorName, &st.Note, timeCol{&st.At}); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// SignAnswer implements qingqian.CampaignService.
func (s *CampaignService) SignAnswer(ctx context.Context, id int64, act qingqian.SignAction, note string, version int) (_ *qingqian.CampaignAnswer, err error) {
	defer serviceErr(&err, "%s answer %d", act, id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSign(qingqian.ActReview) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有审核、签批人员可以办理")
	}
	note = strings.TrimSpace(note)
	if act == qingqian.ActPrepare {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "填报请使用填报功能", Fields: map[string]string{"action": "应为 review、approve 或 return"}}
	}
	if _, ok := qingqian.SignActionNames[act]; !ok {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择操作：审核、签批或退回", Fields: map[string]string{"action": "应为 review、approve 或 return"}}
	}
	if act == qingqian.ActReturn && note == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写退回原因", Fields: map[string]string{"note": "请填写退回原因"}}
	}
	if len([]rune(note)) > 2000 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "意见不能超过2000个字", Fields: map[string]string{"note": "过长"}}
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		x, path, err := scanAnswer(tx.QueryRowContext(ctx, `SELECT `+answerColumns+answerFrom+` WHERE x.id = $1`+tx.db.d.forUpdateOf("x"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return answerNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the answer: %w", err)
		}
		if !a.Reaches(path) {
			tx.deny("campaign_answer", id)
			return answerNotFound()
		}
		if x.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该自查报告已被他人处理（版本 %d，当前 %d），请刷新后再操作", version, x.Version)
		}
		var state qingqian.CampaignState
		if err := tx.QueryRowContext(ctx, `SELECT state FROM campaigns WHERE id = $1`, x.CampaignID).Scan(&state); err != nil {
			return fmt.Errorf("read campaigns: %w", err)
		}
		if state == qingqian.CampaignClosed {
			return qingqian.Errorf(qingqian.ECONFLICT, "该专项工作已结束")
		}
		next, err := qingqian.NextState(x.State, act)
		if err != nil {
			return err
		}
		steps, err := tx.db.answerSteps(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := separateSigners(steps, act, a.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_answers SET state = $1, version = version + 1 WHERE id = $2`, next, id); err != nil {
			return fmt.Errorf("update campaign_answers: %w", err)
		}
		if err := tx.addAnswerStep(ctx, id, act, note); err != nil {
			return err
		}
		return tx.audit(ctx, "campaign."+string(act), "campaign_answer", id, path, map[string]any{"state": x.State}, map[string]any{"state": next, "note": note})
	})
	if err != nil {
		return nil, err
	}
	return s.FindAnswer(ctx, id)
}

// FindAnswer implements qingqian.CampaignService.
func (s *CampaignService) FindAnswer(ctx context.Context, id int64) (_ *qingqian.CampaignAnswer, err error) {
	defer serviceErr(&err, "find answer %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	x, path, err := scanAnswer(s.db.read.QueryRowContext(ctx, `SELECT `+answerColumns+answerFrom+` WHERE x.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, answerNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "campaign_answer", id)
		return nil, answerNotFound()
	}
	if x.Steps, err = s.db.answerSteps(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	return x, nil
}

// FindAnswers implements qingqian.CampaignService.
func (s *CampaignService) FindAnswers(ctx context.Context, campaignID int64) (_ []*qingqian.CampaignAnswer, err error) {
	defer serviceErr(&err, "find the answers to campaign %d", campaignID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.FindCampaign(ctx, campaignID); err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+answerColumns+answerFrom+` WHERE x.campaign_id = $1 AND o.path >= $2 AND o.path < $3 ORDER BY o.path`, campaignID, lo, hi)
	if err != nil {
		return nil, err
	}
	out := []*qingqian.CampaignAnswer{}
	for rows.Next() {
		x, _, err := scanAnswer(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range out {
		if x.Steps, err = s.db.answerSteps(ctx, s.db.read, x.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
