package sqldb

// Handling a clue, one step of its state machine each: assigning, verifying, linking items,
// progress, extension, closing (清偿一笔销号一笔) and the written feedback.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

var errNotHandler = qingqian.Errorf(qingqian.EFORBIDDEN, "只有承办单位或清欠办可以办理该线索")

// Assign implements qingqian.ClueService.
func (s *ClueService) Assign(ctx context.Context, id int64, as qingqian.Assignment) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "assign clue %d to org %d", id, as.OrgID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	v := qingqian.Validation{}
	if as.OrgID <= 0 {
		v.Add("org_id", "请选择承办单位")
	}
	as.ResponsibleLeader, as.ResponsiblePerson = strings.TrimSpace(as.ResponsibleLeader), strings.TrimSpace(as.ResponsiblePerson)
	if as.ResponsibleLeader == "" {
		v.Add("responsible_leader", "请填写责任领导")
	}
	if as.ResponsiblePerson == "" {
		v.Add("responsible_person", "请填写责任人")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, as.Version, qingqian.ClueAssign, func(tx *Tx, r *clueRow) error {
		if !r.handler(a) {
			return errNotHandler
		}
		o, err := tx.findOrg(ctx, as.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		badOrg := &qingqian.Error{Code: qingqian.EINVALID, Message: "承办单位不在本单位范围内", Fields: map[string]string{"org_id": "请选择下级单位"}}
		if err != nil || !a.Reaches(o.Path) || o.ID == a.OrgID {
			return badOrg
		}
		// The office hands it to any unit below it; a group passes it on within its subtree.
		if !r.office(a) && !strings.HasPrefix(o.Path, r.orgPath) {
			return badOrg
		}
		// The dates that happened: the first assignment is the forwarding and starts the 30
		// days from the day the unit received the materials; passing it on later keeps them.
		c := r.Clue
		if err := c.CheckAssignment(&as, qingqian.DateOf(tx.now)); err != nil {
			return err
		}
		now := tx.now.UTC().Truncate(time.Microsecond)
		if c.AssignedOn.IsZero() {
			c.AssignedOn, c.MaterialsOn, c.AssignedAt = as.AssignedOn, as.MaterialsOn, now
		} else {
			c.ReassignedOn, c.ReassignedAt = as.AssignedOn, now
		}
		cal, err := tx.db.calendar(ctx, tx)
		if err != nil {
			return err
		}
		c.Reckon(cal)
		c.OrgID, c.OrgName, c.ResponsibleLeader, c.ResponsiblePerson, c.State = o.ID, o.Name, as.ResponsibleLeader, as.ResponsiblePerson, qingqian.ClueAssigned
		_, err = tx.ExecContext(ctx, `UPDATE clues SET org_id = $1, responsible_leader = $2, responsible_person = $3, assigned_on = $4, materials_on = $5,
			assigned_at = $6, reassigned_on = $7, reassigned_at = $8, state = $9 WHERE id = $10`,
			o.ID, c.ResponsibleLeader, c.ResponsiblePerson, c.AssignedOn, c.MaterialsOn, timeArg(tx, c.AssignedAt), dateArg(c.ReassignedOn), timeArg(tx, c.ReassignedAt), c.State, id)
		if err != nil {
			return fmt.Errorf("update clues: %w", err)
		}
		r.orgPath = o.Path
		return tx.storeDeadlines(ctx, c)
	})
}

// Verify implements qingqian.ClueService.
func (s *ClueService) Verify(ctx context.Context, id int64, vf qingqian.Verification) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "verify clue %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	v := qingqian.Validation{}
	if _, ok := qingqian.ConclusionNames[vf.Conclusion]; !ok {
		v.Add("conclusion", "请选择核实结论")
	}
	if vf.Conclusion == qingqian.ConclusionOutOfScope {
		if _, ok := qingqian.OutReasonNames[vf.OutReason]; !ok {
			v.Add("out_reason", "请选择不属于清欠范围的理由")
		}
	} else {
		vf.OutReason = ""
	}
	vf.Finding = strings.TrimSpace(vf.Finding)
	if vf.Finding == "" {
		v.Add("finding", "请填写核实情况")
	} else if len([]rune(vf.Finding)) > 5000 {
		v.Add("finding", "核实情况不能超过5000个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, vf.Version, qingqian.ClueVerify, func(tx *Tx, r *clueRow) error {
		if !r.handler(a) {
			return errNotHandler
		}
		var linked int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM clue_items WHERE clue_id = $1`, id).Scan(&linked); err != nil {
			return fmt.Errorf("read clue_items: %w", err)
		}
		if linked > 0 && !vf.Conclusion.InScope() {
			return qingqian.Errorf(qingqian.ECONFLICT, "线索已关联台账条目，不能改为不属于清欠范围")
		}
		c := r.Clue
		c.Conclusion, c.OutReason, c.Finding, c.VerifiedOn, c.VerifiedBy, c.State = vf.Conclusion, vf.OutReason, vf.Finding, qingqian.DateOf(tx.now), a.Name, qingqian.ClueVerified
		_, err := tx.ExecContext(ctx, `UPDATE clues SET conclusion = $1, out_reason = $2, finding = $3, verified_on = $4, verified_by = $5, state = $6 WHERE id = $7`,
			c.Conclusion, c.OutReason, c.Finding, c.VerifiedOn, c.VerifiedBy, c.State, id)
		return err
	})
}

// linkable checks that a clue may be linked to items: in scope, by its handler.
func (r *clueRow) linkable(a *qingqian.Actor) error {
	if !r.handler(a) {
		return errNotHandler
	}
	if !r.Conclusion.InScope() {
		return qingqian.Errorf(qingqian.ECONFLICT, "只有核实属实或部分属实的线索才关联台账条目")
	}
	return nil
}

func (tx *Tx) linkClueItem(ctx context.Context, r *clueRow, item *itemRow) (err error) {
	defer wrapErr(&err, "link item %d", item.ID)
	if !strings.HasPrefix(item.path, r.orgPath) {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "该条目不属于承办单位", Fields: map[string]string{"item_id": "条目不属于承办单位"}}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO clue_items (clue_id, item_id) VALUES ($1, $2)`, r.ID, item.ID)
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该条目已经关联", Fields: map[string]string{"item_id": "已关联"}}
	}
	return err
}

// LinkItem implements qingqian.ClueService.
func (s *ClueService) LinkItem(ctx context.Context, id, itemID int64, version int) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "link item %d to clue %d", itemID, id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueLink, func(tx *Tx, r *clueRow) error {
		if err := r.linkable(a); err != nil {
			return err
		}
		item, err := tx.reachItem(ctx, itemID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "台账条目不存在", Fields: map[string]string{"item_id": "条目不存在"}}
		}
		return tx.linkClueItem(ctx, r, item)
	})
}

// CreateItemFromClue implements qingqian.ClueService.
func (s *ClueService) CreateItemFromClue(ctx context.Context, id int64, it *qingqian.Item, version int) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "create item from clue %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueLink, func(tx *Tx, r *clueRow) error {
		if err := r.linkable(a); err != nil {
			return err
		}
		// The debt comes from the complaint: its creditor is the complainant.
		it.CreditorID, it.Origin = r.CreditorID, qingqian.OriginComplaint
		if it.Note == "" {
			it.Note = "投诉举报线索 " + r.No + " 核实发现"
		}
		if err := it.Validate(); err != nil {
			return err
		}
		o, err := tx.findOrg(ctx, it.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(o.Path) || !strings.HasPrefix(o.Path, r.orgPath) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "欠款单位应为承办单位或其下级", Fields: map[string]string{"org_id": "请选择承办单位或其下级"}}
		}
		if err := tx.createItem(ctx, o, it, r.CreditorName, r.CreditorUSCC); err != nil {
			return err
		}
		if err := tx.linkClueItem(ctx, r, &itemRow{Item: it, path: o.Path}); err != nil {
			return err
		}
		r.MissingDebt = true
		if _, err := tx.ExecContext(ctx, `UPDATE clues SET missing_debt = $1 WHERE id = $2`, true, id); err != nil {
			return fmt.Errorf("update clues: %w", err)
		}
		return tx.audit(ctx, "clue.missing_debt", "org", o.ID, o.Path, nil, map[string]any{"clue": r.No, "item_id": it.ID, "amount": it.Undisputed + it.Disputed})
	})
}

// AddUpdate implements qingqian.ClueService.
func (s *ClueService) AddUpdate(ctx context.Context, id int64, on qingqian.Date, text string) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "add progress to clue %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	v := qingqian.Validation{}
	if on.IsZero() {
		v.Add("on", "请填写日期")
	} else if qingqian.DateOf(s.db.Now()).Before(on) {
		v.Add("on", "日期不能晚于今天")
	}
	if text == "" {
		v.Add("text", "请填写进展情况")
	} else if len([]rune(text)) > 2000 {
		v.Add("text", "进展情况不能超过2000个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, -1, qingqian.ClueUpdateOn, func(tx *Tx, r *clueRow) error {
		if !r.handler(a) {
			return errNotHandler
		}
		if on.Before(r.ReceivedOn) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "日期不能早于收到线索的日期", Fields: map[string]string{"on": "不能早于 " + r.ReceivedOn.String()}}
		}
		if on.Before(r.AssignedOn) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "日期不能早于交办日期", Fields: map[string]string{"on": "不能早于 " + r.AssignedOn.String()}}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO clue_updates (clue_id, seq, on_date, text, actor_name, at)
			VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM clue_updates WHERE clue_id = $1), $2, $3, $4, $5)`, id, on, text, a.Name, tx.ts(tx.now))
		return err
	})
}

// Extend implements qingqian.ClueService.
func (s *ClueService) Extend(ctx context.Context, id int64, to qingqian.Date, reason string, version int) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "extend clue %d", id)
	a, err := requireOffice(ctx, "批准延期")
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	v := qingqian.Validation{}
	if to.IsZero() {
		v.Add("extended_to", "请填写延长后的期限")
	}
	if reason == "" {
		v.Add("extend_reason", "请填写延期理由")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueExtend, func(tx *Tx, r *clueRow) error {
		if !r.office(a) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有登记该线索的清欠办可以批准延期")
		}
		cal, err := tx.db.calendar(ctx, tx)
		if err != nil {
			return err
		}
		if err := r.CheckExtension(to, cal); err != nil {
			return err
		}
		r.ExtendedTo, r.ExtendReason = to, reason
		_, err = tx.ExecContext(ctx, `UPDATE clues SET extended_due_on = $1, extend_reason = $2 WHERE id = $3`, to, reason, id)
		return err
	})
}

// Close implements qingqian.ClueService: "清偿一笔销号一笔".
func (s *ClueService) Close(ctx context.Context, id int64, version int) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "close clue %d", id)
	a, err := requireOffice(ctx, "销号")
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueClose, func(tx *Tx, r *clueRow) error {
		if !r.office(a) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有登记该线索的清欠办可以销号")
		}
		if r.Conclusion.InScope() {
			if err := tx.settled(ctx, id); err != nil {
				return err
			}
		}
		r.State, r.ClosedOn, r.ClosedBy = qingqian.ClueClosed, qingqian.DateOf(tx.now), a.Name
		_, err := tx.ExecContext(ctx, `UPDATE clues SET state = $1, closed_on = $2, closed_by = $3 WHERE id = $4`, r.State, r.ClosedOn, r.ClosedBy, id)
		return err
	})
}

// settled checks that every item linked to a clue is repaid and every repayment has a voucher,
// and says what is still missing.
func (tx *Tx) settled(ctx context.Context, id int64) (err error) {
	defer wrapErr(&err, "check that clue %d is settled", id)
	type linked struct {
		id    int64
		label string
		left  qingqian.Money
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.no, i.contract_name, i.out_u + i.out_d
		FROM clue_items ci JOIN items i ON i.id = ci.item_id WHERE ci.clue_id = $1 ORDER BY i.id`, id)
	if err != nil {
		return fmt.Errorf("read clue_items: %w", err)
	}
	var items []linked
	for rows.Next() {
		var it linked
		var no, name string
		if err := rows.Scan(&it.id, &no, &name, &it.left); err != nil {
			rows.Close()
			return err
		}
		it.label = no
		if it.label == "" {
			it.label = fmt.Sprintf("%d号（%s）", it.id, name)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(items) == 0 {
		return qingqian.Errorf(qingqian.ECONFLICT, "线索核实属实，但尚未关联台账条目，不能销号")
	}
	var problems []string
	for _, it := range items {
		if it.left > 0 {
			problems = append(problems, fmt.Sprintf("条目 %s 尚有 %s 元未清偿", it.label, it.left))
		}
		es, err := tx.db.entriesOf(ctx, tx, it.id)
		if err != nil {
			return err
		}
		if bare := qingqian.UnvouchedRepayments(es); bare > 0 {
			problems = append(problems, fmt.Sprintf("条目 %s 有 %d 笔清偿未附支付凭证", it.label, bare))
		}
	}
	if len(problems) > 0 {
		return qingqian.Errorf(qingqian.ECONFLICT, "不能销号：%s", strings.Join(problems, "；"))
	}
	return nil
}

// RecordFeedback implements qingqian.ClueService.
func (s *ClueService) RecordFeedback(ctx context.Context, id int64, feedbackOn qingqian.Date, feedback string, callbackOn qingqian.Date, satisfaction qingqian.Satisfaction, version int) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "record feedback on clue %d", id)
	a, err := requireOffice(ctx, "记录反馈和回访")
	if err != nil {
		return nil, err
	}
	today := qingqian.DateOf(s.db.Now())
	feedback = strings.TrimSpace(feedback)
	v := qingqian.Validation{}
	if feedbackOn.IsZero() {
		v.Add("feedback_on", "请填写书面反馈日期")
	} else if today.Before(feedbackOn) {
		v.Add("feedback_on", "日期不能晚于今天")
	}
	if feedback == "" {
		v.Add("feedback", "请填写反馈内容")
	} else if len([]rune(feedback)) > 5000 {
		v.Add("feedback", "反馈内容不能超过5000个字")
	}
	if !callbackOn.IsZero() {
		if today.Before(callbackOn) {
			v.Add("callback_on", "日期不能晚于今天")
		} else if !feedbackOn.IsZero() && callbackOn.Before(feedbackOn) {
			v.Add("callback_on", "回访不能早于书面反馈")
		}
		if _, ok := qingqian.SatisfactionNames[satisfaction]; !ok {
			v.Add("satisfaction", "请选择投诉人的满意度")
		}
	} else if satisfaction != "" {
		v.Add("callback_on", "请填写回访日期")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueFeedback, func(tx *Tx, r *clueRow) error {
		if !r.office(a) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有登记该线索的清欠办可以记录反馈")
		}
		if feedbackOn.Before(r.ReceivedOn) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "反馈日期不能早于收到线索的日期", Fields: map[string]string{"feedback_on": "不能早于 " + r.ReceivedOn.String()}}
		}
		if feedbackOn.Before(r.AssignedOn) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "反馈日期不能早于交办日期", Fields: map[string]string{"feedback_on": "不能早于 " + r.AssignedOn.String()}}
		}
		r.FeedbackOn, r.Feedback, r.CallbackOn, r.Satisfaction = feedbackOn, feedback, callbackOn, satisfaction
		_, err := tx.ExecContext(ctx, `UPDATE clues SET feedback_on = $1, feedback = $2, callback_on = $3, satisfaction = $4 WHERE id = $5`,
			feedbackOn, feedback, dateArg(callbackOn), satisfaction, id)
		return err
	})
}

// RecordCallback implements qingqian.ClueService.
func (s *ClueService) RecordCallback(ctx context.Context, id int64, callbackOn qingqian.Date, satisfaction qingqian.Satisfaction, version int) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "record the callback on clue %d", id)
	a, err := requireOffice(ctx, "记录回访")
	if err != nil {
		return nil, err
	}
	v := qingqian.Validation{}
	if callbackOn.IsZero() {
		v.Add("callback_on", "请填写回访日期")
	} else if qingqian.DateOf(s.db.Now()).Before(callbackOn) {
		v.Add("callback_on", "日期不能晚于今天")
	}
	if _, ok := qingqian.SatisfactionNames[satisfaction]; !ok {
		v.Add("satisfaction", "请选择投诉人的满意度")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueCallback, func(tx *Tx, r *clueRow) error {
		if !r.office(a) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有登记该线索的清欠办可以记录回访")
		}
		if r.FeedbackOn.IsZero() {
			return qingqian.Errorf(qingqian.ECONFLICT, "请先记录书面反馈，再记录回访")
		}
		if callbackOn.Before(r.FeedbackOn) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "回访不能早于书面反馈（" + r.FeedbackOn.String() + "）", Fields: map[string]string{"callback_on": "不能早于 " + r.FeedbackOn.String()}}
		}
		r.CallbackOn, r.Satisfaction = callbackOn, satisfaction
		_, err := tx.ExecContext(ctx, `UPDATE clues SET callback_on = $1, satisfaction = $2 WHERE id = $3`, callbackOn, satisfaction, id)
		return err
	})
}
