package sqldb

// Interviews (约谈) and the commitments made in them.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

func interviewNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "约谈记录不存在") }

// RecordInterview implements qingqian.SupervisionService.
func (s *SupervisionService) RecordInterview(ctx context.Context, iv *qingqian.Interview) (err error) {
	defer serviceErr(&err, "record an interview with org %d", iv.OrgID)
	a, err := requireOffice(ctx, "记录约谈")
	if err != nil {
		return err
	}
	iv.Participants, iv.Minutes = strings.TrimSpace(iv.Participants), strings.TrimSpace(iv.Minutes)
	if err := iv.Validate(qingqian.DateOf(s.db.Now())); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.findOrg(ctx, iv.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(o.Path) || o.ID == a.OrgID {
			if err == nil && !a.Reaches(o.Path) {
				tx.deny("org", iv.OrgID)
			}
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "约谈的企业不存在", Fields: map[string]string{"org_id": "请选择下级企业"}}
		}
		iv.OrgName, iv.CreatedBy, iv.CreatedAt = o.Name, a.Name, tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO interviews (org_id, held_on, level, participants, minutes, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, iv.OrgID, iv.HeldOn, iv.Level, iv.Participants, iv.Minutes, a.Name, tx.ts(tx.now)).Scan(&iv.ID); err != nil {
			return fmt.Errorf("insert into interviews: %w", err)
		}
		for i := range iv.Commitments {
			c := &iv.Commitments[i]
			c.InterviewID = iv.ID
			if err := tx.QueryRowContext(ctx, `INSERT INTO commitments (interview_id, text, due_on) VALUES ($1, $2, $3) RETURNING id`,
				iv.ID, strings.TrimSpace(c.Text), c.DueOn).Scan(&c.ID); err != nil {
				return fmt.Errorf("insert into commitments: %w", err)
			}
		}
		return tx.audit(ctx, "interview.record", "interview", iv.ID, o.Path, nil, iv)
	})
}

const interviewColumns = `v.id, v.org_id, o.name, o.path, v.held_on, v.level, v.participants, v.minutes, v.created_by, v.created_at`

func (db *DB) interviews(ctx context.Context, a *qingqian.Actor, where string, arg ...any) (_ []*qingqian.Interview, err error) {
	defer wrapErr(&err, "read interviews")
	rows, err := db.read.QueryContext(ctx, `SELECT `+interviewColumns+` FROM interviews v JOIN orgs o ON o.id = v.org_id WHERE `+where+` ORDER BY v.held_on DESC, v.id DESC`, arg...)
	if err != nil {
		return nil, err
	}
	out := []*qingqian.Interview{}
	byID := map[int64]*qingqian.Interview{}
	for rows.Next() {
		iv := &qingqian.Interview{Commitments: []qingqian.Commitment{}}
		var path string
		if err := rows.Scan(&iv.ID, &iv.OrgID, &iv.OrgName, &path, &iv.HeldOn, &iv.Level, &iv.Participants, &iv.Minutes, &iv.CreatedBy, timeCol{&iv.CreatedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		if a.Reaches(path) {
			out = append(out, iv)
			byID[iv.ID] = iv
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	crows, err := db.read.QueryContext(ctx, `SELECT c.id, c.interview_id, c.text, c.due_on, c.done_on, c.follow_up FROM commitments c
		JOIN interviews v ON v.id = c.interview_id JOIN orgs o ON o.id = v.org_id WHERE `+where+` ORDER BY c.id`, arg...)
	if err != nil {
		return nil, fmt.Errorf("read commitments: %w", err)
	}
	defer crows.Close()
	for crows.Next() {
		var c qingqian.Commitment
		var done sql.Null[qingqian.Date]
		if err := crows.Scan(&c.ID, &c.InterviewID, &c.Text, &c.DueOn, &done, &c.FollowUp); err != nil {
			return nil, err
		}
		c.DoneOn = done.V
		if iv := byID[c.InterviewID]; iv != nil {
			iv.Commitments = append(iv.Commitments, c)
		}
	}
	return out, crows.Err()
}

// FindInterview implements qingqian.SupervisionService.
func (s *SupervisionService) FindInterview(ctx context.Context, id int64) (_ *qingqian.Interview, err error) {
	defer serviceErr(&err, "find interview %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	ivs, err := s.db.interviews(ctx, a, `v.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ivs) == 0 {
		// One that exists outside the actor's subtree is an attempt worth recording.
		var n int
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM interviews WHERE id = $1`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("read interviews: %w", err)
		}
		if n > 0 {
			s.db.securityEvent(ctx, a, "interview", id)
		}
		return nil, interviewNotFound()
	}
	return ivs[0], nil
}

// FindInterviews implements qingqian.SupervisionService.
func (s *SupervisionService) FindInterviews(ctx context.Context) (_ []*qingqian.Interview, err error) {
	defer serviceErr(&err, "find interviews")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	ivs, err := s.db.interviews(ctx, a, `o.path >= $1 AND o.path < $2`, lo, hi)
	if err != nil {
		return nil, err
	}
	return ivs, nil
}

// FollowUp implements qingqian.SupervisionService.
func (s *SupervisionService) FollowUp(ctx context.Context, commitmentID int64, note string, done qingqian.Date) (_ *qingqian.Interview, err error) {
	defer serviceErr(&err, "follow up commitment %d", commitmentID)
	a, err := requireOffice(ctx, "跟踪约谈承诺")
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	v := qingqian.Validation{}
	if note == "" {
		v.Add("follow_up", "请填写跟踪情况")
	} else if len([]rune(note)) > 2000 {
		v.Add("follow_up", "跟踪情况不能超过2000个字")
	}
	if !done.IsZero() && qingqian.DateOf(s.db.Now()).Before(done) {
		v.Add("done_on", "完成日期不能晚于今天")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var ivID int64
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		var path string
		var held qingqian.Date
		err := tx.QueryRowContext(ctx, `SELECT v.id, o.path, v.held_on FROM commitments c JOIN interviews v ON v.id = c.interview_id JOIN orgs o ON o.id = v.org_id
			WHERE c.id = $1`, commitmentID).Scan(&ivID, &path, &held)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.Reaches(path)) {
			if err == nil {
				tx.deny("commitment", commitmentID)
			}
			return qingqian.Errorf(qingqian.ENOTFOUND, "约谈承诺不存在")
		} else if err != nil {
			return err
		}
		if !done.IsZero() && done.Before(held) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "完成日期不能早于约谈日期", Fields: map[string]string{"done_on": "不能早于约谈日期"}}
		}
		var doneArg any
		if !done.IsZero() {
			doneArg = done
		}
		if _, err := tx.ExecContext(ctx, `UPDATE commitments SET follow_up = $1, done_on = $2 WHERE id = $3`, note, doneArg, commitmentID); err != nil {
			return fmt.Errorf("update commitments: %w", err)
		}
		return tx.audit(ctx, "interview.follow_up", "interview", ivID, path, nil, map[string]any{"commitment_id": commitmentID, "follow_up": note, "done_on": done})
	})
	if err != nil {
		return nil, err
	}
	return s.FindInterview(ctx, ivID)
}
