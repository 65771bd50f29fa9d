package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// ClueService implements qingqian.ClueService.
type ClueService struct{ db *DB }

// NewClueService returns the complaint ledger over db.
func NewClueService(db *DB) *ClueService { return &ClueService{db: db} }

var _ qingqian.ClueService = (*ClueService)(nil)

func clueNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "线索不存在") }

const clueColumns = `l.id, l.no, l.channel, l.transfer_no, l.received_on, l.creditor_id, c.name, c.uscc, l.respondent, l.claimed, l.text,
	COALESCE(l.org_id, 0), COALESCE(o.name, ''), COALESCE(o.path, ''), f.path, l.responsible_leader, l.responsible_person, l.assigned_on,
	l.forward_due_on, l.result_due_on, l.extended_due_on, l.extend_reason, l.deadline_note, l.state, l.conclusion, l.out_reason, l.finding,
	l.verified_on, l.verified_by, l.missing_debt, l.closed_on, l.closed_by, l.feedback_on, l.feedback, l.callback_on, l.satisfaction, l.version,
	(SELECT MAX(u.on_date) FROM clue_updates u WHERE u.clue_id = l.id)`

const clueFrom = ` FROM clues l JOIN creditors c ON c.id = l.creditor_id JOIN orgs f ON f.id = l.office_id LEFT JOIN orgs o ON o.id = l.org_id`

// clueRow is a clue with the paths that decide who reaches it: the office that registered it
// and the unit it is assigned to.
type clueRow struct {
	*qingqian.Clue
	officePath, orgPath string
}

func scanClue(row interface{ Scan(...any) error }) (*clueRow, error) {
	c := &qingqian.Clue{Items: []int64{}, Updates: []qingqian.ClueUpdate{}}
	r := &clueRow{Clue: c}
	err := row.Scan(&c.ID, &c.No, &c.Channel, &c.TransferNo, &c.ReceivedOn, &c.CreditorID, &c.CreditorName, &c.CreditorUSCC, &c.Respondent, &c.Claimed, &c.Text,
		&c.OrgID, &c.OrgName, &r.orgPath, &r.officePath, &c.ResponsibleLeader, &c.ResponsiblePerson, optDate{&c.AssignedOn},
		optDate{&c.ForwardBy}, optDate{&c.ResultBy}, optDate{&c.ExtendedTo}, &c.ExtendReason, &c.DeadlineNote, &c.State, &c.Conclusion, &c.OutReason, &c.Finding,
		optDate{&c.VerifiedOn}, &c.VerifiedBy, &c.MissingDebt, optDate{&c.ClosedOn}, &c.ClosedBy, optDate{&c.FeedbackOn}, &c.Feedback, optDate{&c.CallbackOn}, &c.Satisfaction, &c.Version,
		optDate{&c.LastUpdate})
	return r, err
}

// office reports whether the actor speaks for the office that registered the clue.
func (r *clueRow) office(a *qingqian.Actor) bool {
	return a.Has(qingqian.RoleSupervisor, qingqian.RoleAdmin) && a.Reaches(r.officePath)
}

// handler reports whether the actor may work on the clue for the unit it is assigned to.
func (r *clueRow) handler(a *qingqian.Actor) bool {
	return a.CanWrite() && (r.office(a) || (r.orgPath != "" && a.Reaches(r.orgPath)))
}

func (r *clueRow) visible(a *qingqian.Actor) bool {
	return a.Reaches(r.officePath) || (r.orgPath != "" && a.Reaches(r.orgPath))
}

// CreateClue implements qingqian.ClueService.
func (s *ClueService) CreateClue(ctx context.Context, c *qingqian.Clue) error {
	a, err := requireOffice(ctx, "登记投诉举报线索")
	if err != nil {
		return err
	}
	c.CreditorUSCC = qingqian.NormalizeUSCC(c.CreditorUSCC)
	c.CreditorName, c.Respondent, c.Text, c.TransferNo = strings.TrimSpace(c.CreditorName), strings.TrimSpace(c.Respondent), strings.TrimSpace(c.Text), strings.TrimSpace(c.TransferNo)
	if err := c.Validate(qingqian.DateOf(s.db.Now())); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		officeID, officePath, err := tx.db.actorOrg(ctx, tx, a)
		if err != nil {
			return err
		}
		// The complainant is a creditor: matched by USCC, else registered.
		err = tx.QueryRowContext(ctx, `SELECT id, name FROM creditors WHERE uscc = $1`, c.CreditorUSCC).Scan(&c.CreditorID, &c.CreditorName)
		if errors.Is(err, sql.ErrNoRows) {
			cr := &qingqian.Creditor{Name: c.CreditorName, USCC: c.CreditorUSCC, Ownership: qingqian.OwnershipPrivate}
			cr.Normalize()
			if err := cr.Validate(); err != nil {
				return prefixed(err, "creditor_")
			}
			if err := tx.createCreditor(ctx, cr); err != nil {
				return err
			}
			c.CreditorID = cr.ID
		} else if err != nil {
			return err
		}
		year := qingqian.DateOf(tx.now).Year()
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM clues WHERE no LIKE $1`, fmt.Sprintf("TS-%d-%%", year)).Scan(&n); err != nil {
			return err
		}
		c.No = fmt.Sprintf("TS-%d-%04d", year, n+1)
		cal, err := tx.db.calendar(ctx, tx)
		if err != nil {
			return err
		}
		c.ForwardBy, c.DeadlineNote = qingqian.Date{}, ""
		if d, err := cal.AddWorkdays(c.ReceivedOn, qingqian.ClueForwardWorkdays); err == nil {
			c.ForwardBy = d
		} else {
			c.DeadlineNote = qingqian.ErrorMessage(err)
		}
		c.State, c.Version = qingqian.ClueReceived, 1
		c.Items, c.Updates = []int64{}, []qingqian.ClueUpdate{}
		search := strings.ToLower(strings.Join([]string{c.No, c.CreditorName, c.CreditorUSCC, c.Respondent, c.TransferNo}, " "))
		if err := tx.QueryRowContext(ctx, `INSERT INTO clues (no, channel, transfer_no, received_on, creditor_id, respondent, claimed, text, office_id,
			forward_due_on, deadline_note, state, search, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			c.No, c.Channel, c.TransferNo, c.ReceivedOn, c.CreditorID, c.Respondent, c.Claimed, c.Text, officeID,
			dateArg(c.ForwardBy), c.DeadlineNote, c.State, search, tx.ts(tx.now)).Scan(&c.ID); err != nil {
			return err
		}
		return tx.audit(ctx, "clue.create", "clue", c.ID, officePath, nil, c)
	})
}

// prefixed renames the fields of a validation error (a creditor's "name" is the clue's
// "creditor_name").
func prefixed(err error, prefix string) error {
	var e *qingqian.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &qingqian.Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		out.Fields[prefix+k] = v
	}
	return out
}

// FindClue implements qingqian.ClueService.
func (s *ClueService) FindClue(ctx context.Context, id int64) (*qingqian.Clue, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanClue(s.db.read.QueryRowContext(ctx, `SELECT `+clueColumns+clueFrom+` WHERE l.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, clueNotFound()
	} else if err != nil {
		return nil, qingqian.Internal(err)
	}
	if !r.visible(a) {
		s.db.securityEvent(ctx, a, "clue", id)
		return nil, clueNotFound()
	}
	if err := s.db.clueDetails(ctx, s.db.read, r.Clue); err != nil {
		return nil, qingqian.Internal(err)
	}
	return r.Clue, nil
}

func (db *DB) clueDetails(ctx context.Context, q queryer, c *qingqian.Clue) error {
	rows, err := q.QueryContext(ctx, `SELECT item_id FROM clue_items WHERE clue_id = $1 ORDER BY item_id`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		c.Items = append(c.Items, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT seq, on_date, text, actor_name, at FROM clue_updates WHERE clue_id = $1 ORDER BY seq`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var u qingqian.ClueUpdate
		if err := rows.Scan(&u.Seq, &u.On, &u.Text, &u.ActorName, timeCol{&u.At}); err != nil {
			return err
		}
		c.Updates = append(c.Updates, u)
	}
	return rows.Err()
}

// FindClues implements qingqian.ClueService.
func (s *ClueService) FindClues(ctx context.Context, f qingqian.ClueFilter) ([]*qingqian.Clue, int, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var q args
	lo, hi := subtreeRange(a.OrgPath)
	where := `((f.path >= ` + q.add(lo) + ` AND f.path < ` + q.add(hi) + `) OR (o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi) + `))`
	if f.Channel != "" {
		where += ` AND l.channel = ` + q.add(string(f.Channel))
	}
	if f.State != "" {
		where += ` AND l.state = ` + q.add(string(f.State))
	}
	if f.OrgID != 0 {
		var path string
		if err := s.db.read.QueryRowContext(ctx, `SELECT path FROM orgs WHERE id = $1`, f.OrgID).Scan(&path); err != nil || !a.Reaches(path) {
			return nil, 0, &qingqian.Error{Code: qingqian.EINVALID, Message: "单位不存在", Fields: map[string]string{"org_id": "单位不存在"}}
		}
		glo, ghi := subtreeRange(path)
		where += ` AND o.path >= ` + q.add(glo) + ` AND o.path < ` + q.add(ghi)
	}
	deadline := `COALESCE(l.extended_due_on, l.result_due_on)`
	if f.Overdue {
		today := q.add(qingqian.DateOf(s.db.Now()))
		where += ` AND l.state <> 'closed' AND ((l.state = 'received' AND l.forward_due_on < ` + today + `) OR ` + deadline + ` < ` + today + `)`
	}
	if !f.DueBefore.IsZero() {
		where += ` AND l.state <> 'closed' AND ` + deadline + ` <= ` + q.add(f.DueBefore)
	}
	if f.Query != "" {
		where += ` AND l.search LIKE ` + q.add("%"+strings.ToLower(f.Query)+"%")
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+clueFrom+` WHERE `+where, q...).Scan(&total); err != nil {
		return nil, 0, qingqian.Internal(err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 100_000 {
		limit = 50
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+clueColumns+clueFrom+` WHERE `+where+`
		ORDER BY CASE WHEN l.state = 'closed' THEN 1 ELSE 0 END, COALESCE(`+deadline+`, l.forward_due_on, l.received_on), l.id
		LIMIT `+q.add(limit)+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, qingqian.Internal(err)
	}
	defer rows.Close()
	out := []*qingqian.Clue{}
	for rows.Next() {
		r, err := scanClue(rows)
		if err != nil {
			return nil, 0, qingqian.Internal(err)
		}
		out = append(out, r.Clue)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, qingqian.Internal(err)
	}
	return out, total, nil
}

// change runs fn on a clue the actor may see, locked, at the expected version, in a state that
// allows the action; it bumps the version and returns the clue as it is afterwards.
func (s *ClueService) change(ctx context.Context, a *qingqian.Actor, id int64, version int, act qingqian.ClueAction, fn func(tx *Tx, r *clueRow) error) (*qingqian.Clue, error) {
	err := s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := scanClue(tx.QueryRowContext(ctx, `SELECT `+clueColumns+clueFrom+` WHERE l.id = $1`+tx.db.d.forUpdateOf("l"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return clueNotFound()
		} else if err != nil {
			return err
		}
		if !r.visible(a) {
			tx.deny("clue", id)
			return clueNotFound()
		}
		if version >= 0 && r.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该线索已被他人处理（版本 %d，当前 %d），请刷新后再操作", version, r.Version)
		}
		if err := qingqian.CanTake(r.State, act); err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clues SET version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return tx.audit(ctx, "clue."+string(act), "clue", id, r.auditPath(), nil, r.Clue)
	})
	if err != nil {
		return nil, err
	}
	return s.FindClue(ctx, id)
}

func (r *clueRow) auditPath() string {
	if r.orgPath != "" {
		return r.orgPath
	}
	return r.officePath
}

var errNotHandler = qingqian.Errorf(qingqian.EFORBIDDEN, "只有承办单位或清欠办可以办理该线索")

// Assign implements qingqian.ClueService.
func (s *ClueService) Assign(ctx context.Context, id int64, as qingqian.Assignment) (*qingqian.Clue, error) {
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
		badOrg := &qingqian.Error{Code: qingqian.EINVALID, Message: "承办单位不在本单位范围内", Fields: map[string]string{"org_id": "请选择下级单位"}}
		if err != nil || !a.Reaches(o.Path) || o.ID == a.OrgID {
			return badOrg
		}
		// The office hands it to any unit below it; a group passes it on within its subtree.
		if !r.office(a) && !strings.HasPrefix(o.Path, r.orgPath) {
			return badOrg
		}
		today := qingqian.DateOf(tx.now)
		c := r.Clue
		if c.AssignedOn.IsZero() {
			c.AssignedOn = today
			cal, err := tx.db.calendar(ctx, tx)
			if err != nil {
				return err
			}
			// The handling unit answers within 30 days of receiving the clue.
			if d, err := cal.PeriodEnd(today, qingqian.ClueResultDays); err == nil {
				c.ResultBy = d
			} else {
				c.DeadlineNote = qingqian.ErrorMessage(err)
			}
		}
		c.OrgID, c.OrgName, c.ResponsibleLeader, c.ResponsiblePerson, c.State = o.ID, o.Name, as.ResponsibleLeader, as.ResponsiblePerson, qingqian.ClueAssigned
		_, err = tx.ExecContext(ctx, `UPDATE clues SET org_id = $1, responsible_leader = $2, responsible_person = $3, assigned_on = $4, result_due_on = $5,
			deadline_note = $6, state = $7 WHERE id = $8`, o.ID, c.ResponsibleLeader, c.ResponsiblePerson, c.AssignedOn, dateArg(c.ResultBy), c.DeadlineNote, c.State, id)
		r.orgPath = o.Path
		return err
	})
}

// Verify implements qingqian.ClueService.
func (s *ClueService) Verify(ctx context.Context, id int64, vf qingqian.Verification) (*qingqian.Clue, error) {
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
			return err
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

func (tx *Tx) linkClueItem(ctx context.Context, r *clueRow, item *itemRow) error {
	if !strings.HasPrefix(item.path, r.orgPath) {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "该条目不属于承办单位", Fields: map[string]string{"item_id": "条目不属于承办单位"}}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO clue_items (clue_id, item_id) VALUES ($1, $2)`, r.ID, item.ID)
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该条目已经关联", Fields: map[string]string{"item_id": "已关联"}}
	}
	return err
}

// LinkItem implements qingqian.ClueService.
func (s *ClueService) LinkItem(ctx context.Context, id, itemID int64, version int) (*qingqian.Clue, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, version, qingqian.ClueLink, func(tx *Tx, r *clueRow) error {
		if err := r.linkable(a); err != nil {
			return err
		}
		item, err := tx.reachItem(ctx, itemID)
		if err != nil {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "台账条目不存在", Fields: map[string]string{"item_id": "条目不存在"}}
		}
		return tx.linkClueItem(ctx, r, item)
	})
}

// CreateItemFromClue implements qingqian.ClueService.
func (s *ClueService) CreateItemFromClue(ctx context.Context, id int64, it *qingqian.Item, version int) (*qingqian.Clue, error) {
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
			return err
		}
		return tx.audit(ctx, "clue.missing_debt", "org", o.ID, o.Path, nil, map[string]any{"clue": r.No, "item_id": it.ID, "amount": it.Undisputed + it.Disputed})
	})
}

// AddUpdate implements qingqian.ClueService.
func (s *ClueService) AddUpdate(ctx context.Context, id int64, on qingqian.Date, text string) (*qingqian.Clue, error) {
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
		_, err := tx.ExecContext(ctx, `INSERT INTO clue_updates (clue_id, seq, on_date, text, actor_name, at)
			VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM clue_updates WHERE clue_id = $1), $2, $3, $4, $5)`, id, on, text, a.Name, tx.ts(tx.now))
		return err
	})
}

// Extend implements qingqian.ClueService.
func (s *ClueService) Extend(ctx context.Context, id int64, to qingqian.Date, reason string, version int) (*qingqian.Clue, error) {
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
		// Up to 90 days after receipt is always allowed; past that only while the rest-day rule
		// carries the 90th day further, which needs the calendar. No run of rest days is a month.
		raw := r.AssignedOn.AddDays(qingqian.ClueMaxDays)
		tooLate := &qingqian.Error{Code: qingqian.EINVALID, Message: "延期后最长不超过90日（自 " + r.AssignedOn.String() + " 起算）",
			Fields: map[string]string{"extended_to": "超过90日"}}
		if to.After(raw.AddDays(30)) {
			return tooLate
		}
		if to.After(raw) {
			cal, err := tx.db.calendar(ctx, tx)
			if err != nil {
				return err
			}
			limit, err := cal.PeriodEnd(r.AssignedOn, qingqian.ClueMaxDays)
			if err != nil {
				return err
			}
			if to.After(limit) {
				tooLate.Message += "，即不晚于 " + limit.String()
				return tooLate
			}
		}
		if !to.After(r.Deadline()) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "延长后的期限应晚于现在的期限 " + r.Deadline().String(), Fields: map[string]string{"extended_to": "应晚于 " + r.Deadline().String()}}
		}
		r.ExtendedTo, r.ExtendReason = to, reason
		_, err = tx.ExecContext(ctx, `UPDATE clues SET extended_due_on = $1, extend_reason = $2 WHERE id = $3`, to, reason, id)
		return err
	})
}

// Close implements qingqian.ClueService: "清偿一笔销号一笔".
func (s *ClueService) Close(ctx context.Context, id int64, version int) (*qingqian.Clue, error) {
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
func (tx *Tx) settled(ctx context.Context, id int64) error {
	type linked struct {
		id    int64
		label string
		left  qingqian.Money
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.no, i.contract_name, i.out_u + i.out_d
		FROM clue_items ci JOIN items i ON i.id = ci.item_id WHERE ci.clue_id = $1 ORDER BY i.id`, id)
	if err != nil {
		return err
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
func (s *ClueService) RecordFeedback(ctx context.Context, id int64, feedbackOn qingqian.Date, feedback string, callbackOn qingqian.Date, satisfaction string, version int) (*qingqian.Clue, error) {
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
		r.FeedbackOn, r.Feedback, r.CallbackOn, r.Satisfaction = feedbackOn, feedback, callbackOn, satisfaction
		_, err := tx.ExecContext(ctx, `UPDATE clues SET feedback_on = $1, feedback = $2, callback_on = $3, satisfaction = $4 WHERE id = $5`,
			feedbackOn, feedback, dateArg(callbackOn), satisfaction, id)
		return err
	})
}
