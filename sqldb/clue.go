package sqldb

// The complaint ledger (投诉举报线索): registering and reading clues, and the locked change every
// step of handling goes through (clue_handling.go).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// ClueService implements qingqian.ClueService.
type ClueService struct{ db *DB }

// NewClueService returns the complaint ledger over db.
func NewClueService(db *DB) *ClueService { return &ClueService{db: db} }

var _ qingqian.ClueService = (*ClueService)(nil)

func clueNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "线索不存在") }

const clueColumns = `l.id, l.no, l.channel, l.transfer_no, l.received_on, l.created_at, l.creditor_id, c.name, c.uscc, l.respondent, l.claimed, l.text,
	COALESCE(l.org_id, 0), COALESCE(o.name, ''), COALESCE(o.path, ''), f.path, l.responsible_leader, l.responsible_person,
	l.assigned_on, l.materials_on, l.assigned_at, l.reassigned_on, l.reassigned_at,
	l.forward_due_on, l.forward_provisional, l.result_due_on, l.result_provisional, l.extended_due_on, l.extend_reason, l.deadline_note,
	l.state, l.conclusion, l.out_reason, l.finding,
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
	err := row.Scan(&c.ID, &c.No, &c.Channel, &c.TransferNo, &c.ReceivedOn, timeCol{&c.RecordedAt}, &c.CreditorID, &c.CreditorName, &c.CreditorUSCC, &c.Respondent, &c.Claimed, &c.Text,
		&c.OrgID, &c.OrgName, &r.orgPath, &r.officePath, &c.ResponsibleLeader, &c.ResponsiblePerson,
		optDate{&c.AssignedOn}, optDate{&c.MaterialsOn}, timeCol{&c.AssignedAt}, optDate{&c.ReassignedOn}, timeCol{&c.ReassignedAt},
		optDate{&c.ForwardBy}, &c.ForwardByProvisional, optDate{&c.ResultBy}, &c.ResultByProvisional, optDate{&c.ExtendedTo}, &c.ExtendReason, &c.DeadlineNote,
		&c.State, &c.Conclusion, &c.OutReason, &c.Finding,
		optDate{&c.VerifiedOn}, &c.VerifiedBy, &c.MissingDebt, optDate{&c.ClosedOn}, &c.ClosedBy, optDate{&c.FeedbackOn}, &c.Feedback, optDate{&c.CallbackOn}, &c.Satisfaction, &c.Version,
		optDate{&c.LastUpdate})
	if err == nil {
		c.Derive()
	}
	return r, err
}

// office reports whether the actor speaks for the office that registered the clue.
func (r *clueRow) office(a *qingqian.Actor) bool {
	return a.Has(qingqian.RoleSupervisor) && a.Reaches(r.officePath)
}

// handler reports whether the actor may work on the clue for the unit it is assigned to.
func (r *clueRow) handler(a *qingqian.Actor) bool {
	return a.CanWrite() && (r.office(a) || (r.orgPath != "" && a.Reaches(r.orgPath)))
}

func (r *clueRow) visible(a *qingqian.Actor) bool {
	return a.Reaches(r.officePath) || (r.orgPath != "" && a.Reaches(r.orgPath))
}

// CreateClue implements qingqian.ClueService.
func (s *ClueService) CreateClue(ctx context.Context, c *qingqian.Clue) (err error) {
	defer serviceErr(&err, "create clue from %s", c.Channel)
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
		// The complainant is a creditor: the one registered with the USCC, or a new one.
		cr, _, err := tx.creditorFor(ctx, qingqian.Creditor{Name: c.CreditorName, USCC: c.CreditorUSCC})
		if err != nil {
			return err
		}
		c.CreditorID, c.CreditorName = cr.ID, cr.Name
		year := qingqian.DateOf(tx.now).Year()
		n, err := tx.nextNumber(ctx, "clue", year)
		if err != nil {
			return err
		}
		c.No = fmt.Sprintf("TS-%d-%04d", year, n)
		cal, err := tx.db.calendar(ctx, tx)
		if err != nil {
			return err
		}
		// Received before today: registered after the fact, and marked so.
		c.RecordedAt = tx.now.UTC().Truncate(time.Microsecond)
		c.AssignedOn, c.MaterialsOn = qingqian.Date{}, qingqian.Date{}
		c.Reckon(cal)
		c.State, c.Version = qingqian.ClueReceived, 1
		c.Items, c.Updates = []int64{}, []qingqian.ClueUpdate{}
		search := strings.ToLower(strings.Join([]string{c.No, c.CreditorName, c.CreditorUSCC, c.Respondent, c.TransferNo}, " "))
		if err := tx.QueryRowContext(ctx, `INSERT INTO clues (no, channel, transfer_no, received_on, creditor_id, respondent, claimed, text, office_id,
			forward_due_on, forward_provisional, deadline_note, state, search, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			c.No, c.Channel, c.TransferNo, c.ReceivedOn, c.CreditorID, c.Respondent, c.Claimed, c.Text, officeID,
			dateArg(c.ForwardBy), c.ForwardByProvisional, c.DeadlineNote, c.State, search, tx.ts(tx.now)).Scan(&c.ID); err != nil {
			return fmt.Errorf("insert into clues: %w", err)
		}
		return tx.audit(ctx, "clue.create", "clue", c.ID, officePath, nil, c)
	})
}

// FindClue implements qingqian.ClueService.
func (s *ClueService) FindClue(ctx context.Context, id int64) (_ *qingqian.Clue, err error) {
	defer serviceErr(&err, "find clue %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanClue(s.db.read.QueryRowContext(ctx, `SELECT `+clueColumns+clueFrom+` WHERE l.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, clueNotFound()
	} else if err != nil {
		return nil, err
	}
	if !r.visible(a) {
		s.db.securityEvent(ctx, a, "clue", id)
		return nil, clueNotFound()
	}
	if err := s.db.clueDetails(ctx, s.db.read, r.Clue); err != nil {
		return nil, err
	}
	return r.Clue, nil
}

func (db *DB) clueDetails(ctx context.Context, q queryer, c *qingqian.Clue) (err error) {
	defer wrapErr(&err, "details of clue %d", c.ID)
	rows, err := q.QueryContext(ctx, `SELECT item_id FROM clue_items WHERE clue_id = $1 ORDER BY item_id`, c.ID)
	if err != nil {
		return fmt.Errorf("read clue_items: %w", err)
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
		return fmt.Errorf("read clue_updates: %w", err)
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
func (s *ClueService) FindClues(ctx context.Context, f qingqian.ClueFilter) (_ []*qingqian.Clue, _ int, err error) {
	defer serviceErr(&err, "find clues")
	a, err := qingqian.RequireReader(ctx)
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
		err := s.db.read.QueryRowContext(ctx, `SELECT path FROM orgs WHERE id = $1`, f.OrgID).Scan(&path)
		if err != nil && !missing(err) {
			return nil, 0, fmt.Errorf("read org %d: %w", f.OrgID, err)
		}
		if err != nil || !a.Reaches(path) {
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
	if f.ForwardLate {
		today := q.add(qingqian.DateOf(s.db.Now()))
		where += ` AND (l.assigned_on > l.forward_due_on OR (l.assigned_on IS NULL AND l.forward_due_on < ` + today + `))`
	}
	if !f.DueBefore.IsZero() {
		where += ` AND l.state <> 'closed' AND ` + deadline + ` <= ` + q.add(f.DueBefore)
	}
	if f.Query != "" {
		where += ` AND l.search LIKE ` + q.add("%"+strings.ToLower(f.Query)+"%")
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+clueFrom+` WHERE `+where, q...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 100_000 {
		limit = 50
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+clueColumns+clueFrom+` WHERE `+where+`
		ORDER BY CASE WHEN l.state = 'closed' THEN 1 ELSE 0 END, COALESCE(`+deadline+`, l.forward_due_on, l.received_on), l.id
		LIMIT `+q.add(limit)+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*qingqian.Clue{}
	for rows.Next() {
		r, err := scanClue(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r.Clue)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
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
			return fmt.Errorf("lock the clue: %w", err)
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
			return fmt.Errorf("update clues: %w", err)
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
