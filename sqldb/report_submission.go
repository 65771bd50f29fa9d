package sqldb

// Submissions (报送): a group's figures for a period, prepared, reviewed and approved through
// the sign-off machine, then frozen; zero reports are verified by the office.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

func submissionNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "报送记录不存在") }

const submissionColumns = `s.id, s.period_id, s.org_id, g.name, g.path, s.state, s.zero, s.narrative, s.explanation, s.figures, s.known_at, s.flags,
	s.submitted_at, s.late, s.check_result, s.check_basis, s.checked_by, s.checked_at, s.version`

const submissionFrom = ` FROM submissions s JOIN orgs g ON g.id = s.org_id`

func scanSubmission(row interface{ Scan(...any) error }) (*qingqian.Submission, string, error) {
	s := &qingqian.Submission{}
	var path, figures, flags string
	var chk qingqian.ZeroCheck
	err := row.Scan(&s.ID, &s.PeriodID, &s.OrgID, &s.OrgName, &path, &s.State, &s.Zero, &s.Narrative, &s.Explanation, &figures,
		timeCol{&s.KnownAt}, &flags, timeCol{&s.SubmittedAt}, &s.Late, &chk.Result, &chk.Basis, &chk.CheckedBy, timeCol{&chk.CheckedAt}, &s.Version)
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal([]byte(figures), &s.Figures); err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal([]byte(flags), &s.Flags); err != nil {
		return nil, "", err
	}
	if chk.Result != "" {
		s.Check = &chk
	}
	return s, path, nil
}

func (db *DB) steps(ctx context.Context, q queryer, id int64) (_ []qingqian.SignStep, err error) {
	defer wrapErr(&err, "steps of submission %d", id)
	rows, err := q.QueryContext(ctx, `SELECT seq, action, actor_id, actor_name, note, at FROM submission_steps WHERE submission_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, fmt.Errorf("read submission_steps: %w", err)
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

// separateSigners is qingqian.SeparateSigners: one rule for a submission and a campaign answer.
var separateSigners = qingqian.SeparateSigners

func (tx *Tx) addStep(ctx context.Context, id int64, act qingqian.SignAction, note string) (err error) {
	defer wrapErr(&err, "add a step to submission %d", id)
	_, err = tx.ExecContext(ctx, `INSERT INTO submission_steps (submission_id, seq, action, actor_id, actor_name, note, at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_steps WHERE submission_id = $1), $2, $3, $4, $5, $6)`,
		id, act, tx.actor.UserID, tx.actor.Name, note, tx.ts(tx.now))
	return err
}

// Prepare implements qingqian.ReportService.
func (s *ReportService) Prepare(ctx context.Context, in qingqian.SubmissionInput) (_ *qingqian.Submission, err error) {
	defer serviceErr(&err, "prepare the submission of org %d for period %d", in.OrgID, in.PeriodID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSign(qingqian.ActPrepare) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有联络员或填报人员可以填报")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.inTxRetry(ctx, a, func(tx *Tx) error {
		// The figures frozen with the submission are read from one snapshot.
		id = 0
		if err := tx.repeatableRead(ctx); err != nil {
			return err
		}
		p, officePath, err := tx.db.period(ctx, tx, a, `p.id = $1`, in.PeriodID)
		if err != nil {
			return err
		}
		if in.OrgID == 0 {
			gs, err := tx.db.groups(ctx, tx, a, officePath)
			if err != nil {
				return err
			}
			if len(gs) != 1 {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择报送的集团", Fields: map[string]string{"org_id": "请选择集团"}}
			}
			in.OrgID = gs[0].ID
		}
		g, err := tx.findOrg(ctx, in.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(g.Path) || !strings.HasPrefix(g.Path, officePath) {
			if err == nil && !a.Reaches(g.Path) {
				tx.deny("org", in.OrgID)
			}
			return orgNotFound()
		}
		if g.Kind != qingqian.OrgGroup {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "报送以集团为单位，请选择集团公司", Fields: map[string]string{"org_id": "不是集团公司"}}
		}
		var cur qingqian.SubmissionState
		var version int
		err = tx.QueryRowContext(ctx, `SELECT id, state, version FROM submissions WHERE period_id = $1 AND org_id = $2`+tx.db.d.forUpdate, p.ID, g.ID).Scan(&id, &cur, &version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := qingqian.NextState(cur, qingqian.ActPrepare); err != nil {
			return err
		}
		locked, err := tx.db.lockedBaselines(ctx, tx, g.Path)
		if err != nil {
			return err
		}
		f, err := tx.db.groupFigures(ctx, tx, g, p, locked)
		if err != nil {
			return err
		}
		flags := []string{}
		if in.Zero {
			flags = append(flags, zeroFlags(&f, p.AsOf)...)
			open, _, err := tx.db.clueCounts(ctx, tx, g.Path, map[string]bool{g.Path: true})
			if err != nil {
				return err
			}
			if n := open[g.Path]; n > 0 {
				flags = append(flags, fmt.Sprintf("尚有 %d 条投诉举报线索未销号", n))
			}
		}
		fb, _ := json.Marshal(f)
		fl, _ := json.Marshal(flags)
		if id == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO submissions (period_id, org_id, state, zero, narrative, explanation, figures, known_at, flags)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				p.ID, g.ID, qingqian.StatePrepared, in.Zero, in.Narrative, in.Explanation, string(fb), tx.ts(tx.now), string(fl)).Scan(&id)
			if isUnique(err) {
				return qingqian.Errorf(qingqian.ECONFLICT, "该集团本期已有报送，请刷新后再试")
			}
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE submissions SET state = $1, zero = $2, narrative = $3, explanation = $4, figures = $5, known_at = $6, flags = $7,
				version = version + 1 WHERE id = $8`, qingqian.StatePrepared, in.Zero, in.Narrative, in.Explanation, string(fb), tx.ts(tx.now), string(fl), id)
		}
		if err != nil {
			return fmt.Errorf("write submissions: %w", err)
		}
		if err := tx.addStep(ctx, id, qingqian.ActPrepare, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "submission.prepare", "submission", id, g.Path, nil, map[string]any{"period_id": p.ID, "no": p.No, "zero": in.Zero, "figures": f})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSubmission(ctx, id)
}

// lockSubmission reads a submission in the actor's subtree for change, locked on PostgreSQL.
func (tx *Tx) lockSubmission(ctx context.Context, id int64) (_ *qingqian.Submission, _ string, err error) {
	defer wrapErr(&err, "read submission %d", id)
	sub, path, err := scanSubmission(tx.QueryRowContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.id = $1`+tx.db.d.forUpdateOf("s"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", submissionNotFound()
	} else if err != nil {
		return nil, "", err
	}
	if !tx.actor.Reaches(path) {
		tx.deny("submission", id)
		return nil, "", submissionNotFound()
	}
	return sub, path, nil
}

// ledgerDiffs lists the figures of a submission that the ledger, as of its period's date,
// gives differently now.
func (db *DB) ledgerDiffs(ctx context.Context, q readQueryer, sub *qingqian.Submission, path string) (_ []qingqian.FigureDiff, err error) {
	defer wrapErr(&err, "differences of submission %d from the ledger", sub.ID)
	p, _, err := db.period(ctx, q, &qingqian.Actor{System: true, OrgPath: "/"}, `p.id = $1`, sub.PeriodID)
	if err != nil {
		return nil, err
	}
	locked, err := db.lockedBaselines(ctx, q, path)
	if err != nil {
		return nil, err
	}
	now, err := db.groupFigures(ctx, q, &qingqian.Org{ID: sub.OrgID, Path: path}, p, locked)
	if err != nil {
		return nil, err
	}
	return sub.Figures.Diff(&now), nil
}

// Sign implements qingqian.ReportService.
func (s *ReportService) Sign(ctx context.Context, id int64, act qingqian.SignAction, note string, version int) (_ *qingqian.Submission, err error) {
	defer serviceErr(&err, "%s submission %d", act, id)
	return s.sign(ctx, id, act, note, version, false)
}

// SignAsReported implements qingqian.ReportService.
func (s *ReportService) SignAsReported(ctx context.Context, id int64, act qingqian.SignAction, note string, version int) (_ *qingqian.Submission, err error) {
	defer serviceErr(&err, "%s submission %d as reported", act, id)
	return s.sign(ctx, id, act, note, version, true)
}

// sign takes a step; a review or an approval of figures the ledger now gives differently is
// refused unless asReported says the signer chose to sign them as they were reported.
func (s *ReportService) sign(ctx context.Context, id int64, act qingqian.SignAction, note string, version int, asReported bool) (_ *qingqian.Submission, err error) {
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSign(qingqian.ActReview) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有审核、签批人员可以办理")
	}
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
		sub, path, err := tx.lockSubmission(ctx, id)
		if err != nil {
			return err
		}
		if sub.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该报送已被他人处理（版本 %d，当前 %d），请刷新后再操作", version, sub.Version)
		}
		next, err := qingqian.NextState(sub.State, act)
		if err != nil {
			return err
		}
		steps, err := tx.db.steps(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := separateSigners(steps, act, a.UserID); err != nil {
			return err
		}
		var stale []qingqian.FigureDiff
		if act == qingqian.ActReview || act == qingqian.ActApprove {
			if stale, err = tx.db.ledgerDiffs(ctx, tx, sub, path); err != nil {
				return err
			}
			if len(stale) > 0 && !asReported {
				return &qingqian.Error{Code: qingqian.ECONFLICT, Fields: map[string]string{"as_reported": "请选择：退回按当前台账重新生成，或确认仍按报送数" + act.Label()},
					Message: "报送后台账又有变动，报送数与当前台账不一致（" + qingqian.DiffText(stale) + "）：请退回按当前台账重新生成，或确认仍按报送数" + act.Label()}
			}
			if len(stale) > 0 {
				note = strings.TrimSpace(note + " （仍按报送数" + act.Label() + "，与当前台账不一致：" + qingqian.DiffText(stale) + "）")
			}
		}
		if act == qingqian.ActApprove {
			var deadline qingqian.Date
			if err := tx.QueryRowContext(ctx, `SELECT deadline FROM periods WHERE id = $1`, sub.PeriodID).Scan(&deadline); err != nil {
				return fmt.Errorf("read periods: %w", err)
			}
			late := deadline.Before(qingqian.DateOf(tx.now))
			_, err = tx.ExecContext(ctx, `UPDATE submissions SET state = $1, submitted_at = $2, late = $3, version = version + 1 WHERE id = $4`, next, tx.ts(tx.now), late, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE submissions SET state = $1, version = version + 1 WHERE id = $2`, next, id)
		}
		if err != nil {
			return fmt.Errorf("update submissions: %w", err)
		}
		if err := tx.addStep(ctx, id, act, note); err != nil {
			return err
		}
		after := map[string]any{"state": next, "note": note}
		if len(stale) > 0 {
			after["as_reported"], after["ledger_diffs"] = true, stale
		}
		return tx.audit(ctx, "submission."+string(act), "submission", id, path, map[string]any{"state": sub.State}, after)
	})
	if err != nil {
		return nil, err
	}
	return s.FindSubmission(ctx, id)
}

// FindSubmission implements qingqian.ReportService.
func (s *ReportService) FindSubmission(ctx context.Context, id int64) (_ *qingqian.Submission, err error) {
	defer serviceErr(&err, "find submission %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	sub, path, err := scanSubmission(s.db.read.QueryRowContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, submissionNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "submission", id)
		return nil, submissionNotFound()
	}
	if sub.Steps, err = s.db.steps(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	// Before sign-off too: the reviewer and the approver see what changed since it was prepared.
	if sub.State != qingqian.StateReturned {
		if sub.Diffs, err = s.db.ledgerDiffs(ctx, s.db.read, sub, path); err != nil {
			return nil, err
		}
	}
	return sub, nil
}

// FindSubmissions implements qingqian.ReportService.
func (s *ReportService) FindSubmissions(ctx context.Context, periodID int64) (_ []*qingqian.Submission, err error) {
	defer serviceErr(&err, "find the submissions of period %d", periodID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.db.period(ctx, s.db.read, a, `p.id = $1`, periodID); err != nil {
		return nil, err
	}
	return s.db.submissions(ctx, s.db.read, a, periodID)
}

func (db *DB) submissions(ctx context.Context, q queryer, a *qingqian.Actor, periodID int64) (_ []*qingqian.Submission, err error) {
	defer wrapErr(&err, "submissions of period %d", periodID)
	rows, err := q.QueryContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.period_id = $1 ORDER BY g.path`, periodID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.Submission{}
	for rows.Next() {
		sub, path, err := scanSubmission(rows)
		if err != nil {
			return nil, err
		}
		if a.Reaches(path) {
			out = append(out, sub)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CheckZero implements qingqian.ReportService.
func (s *ReportService) CheckZero(ctx context.Context, id int64, result, basis string) (_ *qingqian.Submission, err error) {
	defer serviceErr(&err, "check zero report %d", id)
	a, err := requireOffice(ctx, "核查零报告")
	if err != nil {
		return nil, err
	}
	v := qingqian.Validation{}
	if _, ok := qingqian.ZeroCheckResults[result]; !ok {
		v.Add("result", "请选择核查结论")
	}
	if basis == "" {
		v.Add("basis", "请填写核查依据（如电话核实、现场检查、比对台账）")
	} else if len([]rune(basis)) > 2000 {
		v.Add("basis", "核查依据不能超过2000个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		sub, path, err := tx.lockSubmission(ctx, id)
		if err != nil {
			return err
		}
		if !sub.Zero {
			return qingqian.Errorf(qingqian.ECONFLICT, "这不是零报告，无需核查")
		}
		if sub.State != qingqian.StateApproved {
			return qingqian.Errorf(qingqian.ECONFLICT, "零报告签批报送后才能核查")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET check_result = $1, check_basis = $2, checked_by = $3, checked_at = $4, version = version + 1 WHERE id = $5`,
			result, basis, a.Name, tx.ts(tx.now), id); err != nil {
			return fmt.Errorf("update submissions: %w", err)
		}
		return tx.audit(ctx, "submission.check", "submission", id, path, sub.Check, map[string]any{"result": result, "basis": basis})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSubmission(ctx, id)
}
