package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
)

// CreditorService implements qingqian.CreditorService.
type CreditorService struct{ db *DB }

// NewCreditorService returns the creditor service over db.
func NewCreditorService(db *DB) *CreditorService { return &CreditorService{db: db} }

var _ qingqian.CreditorService = (*CreditorService)(nil)

const creditorColumns = `c.id, c.name, c.uscc, c.ownership, c.size, c.size_declared_on, c.size_evidence, c.region, c.version, c.created_at, c.updated_at`

// scanCreditor reads creditorColumns and then the extra columns a query adds.
func scanCreditor(row interface{ Scan(...any) error }, extra ...any) (*qingqian.Creditor, error) {
	c := &qingqian.Creditor{}
	err := row.Scan(append([]any{&c.ID, &c.Name, &c.USCC, &c.Ownership, &c.Size, &c.SizeDeclaredOn, &c.SizeEvidence, &c.Region,
		&c.Version, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}}, extra...)...)
	return c, err
}

func creditorNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "债权企业不存在") }

func usccTaken() error {
	return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该统一社会信用代码的债权企业已存在", Fields: map[string]string{"uscc": "已存在相同信用代码的企业"}}
}

// CreateCreditor implements qingqian.CreditorService.
func (s *CreditorService) CreateCreditor(ctx context.Context, c *qingqian.Creditor) (err error) {
	defer serviceErr(&err, "create creditor %s", c.USCC)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		return tx.createCreditor(ctx, c)
	})
}

// createCreditor registers a creditor for the actor's unit, which may change it while no other
// unit uses it.
func (tx *Tx) createCreditor(ctx context.Context, c *qingqian.Creditor) (err error) {
	defer wrapErr(&err, "create creditor %s", c.USCC)
	if made, err := tx.insertCreditor(ctx, c, false); err != nil {
		return err
	} else if !made {
		return usccTaken()
	}
	return nil
}

// insertCreditor writes a new creditor and its audit record. With orNothing, a creditor another
// transaction registered with the same code meanwhile is no error (and no change): made is
// false, and on PostgreSQL the transaction goes on (a unique violation would end it).
func (tx *Tx) insertCreditor(ctx context.Context, c *qingqian.Creditor, orNothing bool) (made bool, err error) {
	c.Version, c.CreatedAt, c.UpdatedAt = 1, tx.now, tx.now
	registered, at := "", "/"
	if tx.actor != nil && !tx.actor.System {
		registered, at = tx.actor.OrgPath, tx.actor.OrgPath
	}
	onConflict := ""
	if orNothing {
		onConflict = ` ON CONFLICT (uscc) DO NOTHING`
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO creditors (name, uscc, ownership, size, size_declared_on, size_evidence, region, search, version, created_at, updated_at, registered_path)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10)`+onConflict+` RETURNING id`,
		c.Name, c.USCC, c.Ownership, c.Size, c.SizeDeclaredOn, c.SizeEvidence, c.Region, searchText(c.Name, c.USCC), tx.ts(tx.now), registered).Scan(&c.ID)
	if isUnique(err) || (orNothing && errors.Is(err, sql.ErrNoRows)) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("insert into creditors: %w", err)
	}
	c.Editable = true
	return true, tx.audit(ctx, "creditor.create", "creditor", c.ID, at, nil, c)
}

// creditorFor is the one rule for a creditor named by its USCC with an item, a complaint clue or
// an imported ledger row (see qingqian.CreditorService): the creditor registered with that code,
// or else c registered in the transaction, as a private firm unless c gives the ownership, and
// only with a name. Field errors are named as the input names them, "creditor_name" and so on.
// created reports a new creditor.
func (tx *Tx) creditorFor(ctx context.Context, c qingqian.Creditor) (cr *qingqian.Creditor, created bool, err error) {
	defer wrapErr(&err, "creditor %s", c.USCC)
	cr, plan, err := findCreditor(ctx, tx, c)
	if err != nil || cr != nil {
		return cr, false, err
	}
	made, err := tx.insertCreditor(ctx, plan, true)
	if err != nil || made {
		return plan, made, err
	}
	// Registered by another transaction since the look-up: it is the one creditor of the code.
	// (A transaction reading one snapshot does not see it: it is run again.)
	cr, _, err = findCreditor(ctx, tx, c)
	if err == nil && cr == nil {
		err = errRunAgain
	}
	return cr, false, err
}

// findCreditor is creditorFor without the writing: the creditor registered with c's code, or
// else the creditor to register (checked), through q.
func findCreditor(ctx context.Context, q rowQueryer, c qingqian.Creditor) (found, plan *qingqian.Creditor, err error) {
	c.Normalize()
	c.Name = strings.TrimSpace(c.Name)
	found, err = scanCreditor(q.QueryRowContext(ctx, `SELECT `+creditorColumns+` FROM creditors c WHERE c.uscc = $1`, c.USCC))
	if err == nil {
		return found, nil, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, err
	}
	if c.Ownership == "" {
		c.Ownership = qingqian.OwnershipPrivate
	}
	if c.Name == "" && qingqian.CheckUSCC(c.USCC) == "" {
		msg := "该信用代码的债权企业尚未登记，请填写企业名称"
		return nil, nil, &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"creditor_name": msg}}
	}
	if err := c.Validate(); err != nil {
		return nil, nil, prefixed(err, "creditor_")
	}
	return nil, &c, nil
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

// seesAll reports whether the actor sees every creditor: the system, and readers at the root
// (the office, its observers and auditors).
func seesAll(a *qingqian.Actor) bool { return a.System || rootPath(a.OrgPath) }

// creditorSeen is the condition on creditors c that the actor sees: those it registered, or
// has items or assigned clues with, in its subtree. It adds its arguments to q.
func creditorSeen(a *qingqian.Actor, q *args) string {
	if seesAll(a) {
		return `1 = 1`
	}
	lo, hi := subtreeRange(a.OrgPath)
	l, h := q.add(lo), q.add(hi)
	return `(c.registered_path >= ` + l + ` AND c.registered_path < ` + h + `
		OR c.id IN (SELECT i.creditor_id FROM items i JOIN orgs o ON o.id = i.org_id WHERE o.path >= ` + l + ` AND o.path < ` + h + `)
		OR c.id IN (SELECT k.creditor_id FROM clues k JOIN orgs o ON o.id = k.org_id WHERE o.path >= ` + l + ` AND o.path < ` + h + `)
		OR c.id IN (SELECT k.creditor_id FROM contracts k JOIN orgs o ON o.id = k.org_id WHERE o.path >= ` + l + ` AND o.path < ` + h + `))`
}

// seen reports whether the actor sees a creditor.
func (db *DB) seen(ctx context.Context, q rowQueryer, a *qingqian.Actor, id int64) (_ bool, err error) {
	defer wrapErr(&err, "who sees creditor %d", id)
	if seesAll(a) {
		return true, nil
	}
	qa := args{id}
	var n int
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM creditors c WHERE c.id = $1 AND `+creditorSeen(a, &qa), qa...).Scan(&n)
	return n > 0, err
}

// editable reports whether the actor may change a creditor itself: the clearance office may;
// the unit that registered it (or one above) may while nothing outside its subtree uses it (an
// item of another unit, or a complaint clue, which the office registers).
func (db *DB) editable(ctx context.Context, q rowQueryer, a *qingqian.Actor, c *qingqian.Creditor, registered string) (_ bool, err error) {
	defer wrapErr(&err, "who may change creditor %d", c.ID)
	switch {
	case a.System || (a.Has(qingqian.RoleSupervisor) && a.CanWrite()):
		return true, nil
	case !a.CanWrite() || registered == "" || !a.Reaches(registered):
		return false, nil
	}
	lo, hi := subtreeRange(a.OrgPath)
	var n int
	err = q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM items i JOIN orgs o ON o.id = i.org_id WHERE i.creditor_id = $1 AND (o.path < $2 OR o.path >= $3))
		+ (SELECT COUNT(*) FROM clues WHERE creditor_id = $1)`, c.ID, lo, hi).Scan(&n)
	return n == 0, err
}

// FindCreditorByID implements qingqian.CreditorService.
func (s *CreditorService) FindCreditorByID(ctx context.Context, id int64) (_ *qingqian.Creditor, err error) {
	defer serviceErr(&err, "find creditor %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	var registered string
	c, err := scanCreditor(s.db.read.QueryRowContext(ctx, `SELECT `+creditorColumns+`, c.registered_path FROM creditors c WHERE c.id = $1`, id), &registered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, creditorNotFound()
	} else if err != nil {
		return nil, err
	}
	ok, err := s.db.seen(ctx, s.db.read, a, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.db.securityEvent(ctx, a, "creditor", id)
		return nil, creditorNotFound()
	}
	if c.Editable, err = s.db.editable(ctx, s.db.read, a, c, registered); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCreditors implements qingqian.CreditorService.
func (s *CreditorService) FindCreditors(ctx context.Context, f qingqian.CreditorFilter) (_ []*qingqian.Creditor, _ int, err error) {
	defer serviceErr(&err, "find creditors")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	var q args
	where := ` WHERE 1 = 1`
	if f.USCC != "" {
		// By its exact code anyone finds a creditor, to use it rather than register it again.
		where += ` AND c.uscc = ` + q.add(qingqian.NormalizeUSCC(f.USCC))
	} else {
		where += ` AND ` + creditorSeen(a, &q)
	}
	if f.Query != "" {
		where += ` AND c.search LIKE ` + q.add(likePattern(f.Query)) + ` ESCAPE '\'`
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM creditors c`+where, q...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("read creditors: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+creditorColumns+` FROM creditors c`+where+` ORDER BY c.id LIMIT `+q.add(limit(f.Limit))+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*qingqian.Creditor
	for rows.Next() {
		c, err := scanCreditor(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// lockCreditor reads a creditor the actor sees, locking it, with its registering unit's path.
func (tx *Tx) lockCreditor(ctx context.Context, a *qingqian.Actor, id int64) (_ *qingqian.Creditor, registered string, err error) {
	defer wrapErr(&err, "lock creditor %d", id)
	c, err := scanCreditor(tx.QueryRowContext(ctx, `SELECT `+creditorColumns+`, c.registered_path FROM creditors c WHERE c.id = $1`+tx.db.d.forUpdate, id), &registered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", creditorNotFound()
	} else if err != nil {
		return nil, "", err
	}
	ok, err := tx.db.seen(ctx, tx, a, id)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		tx.deny("creditor", id)
		return nil, "", creditorNotFound()
	}
	return c, registered, nil
}

func sharedCreditor() error {
	return qingqian.Errorf(qingqian.EFORBIDDEN, "该债权企业由其他单位登记或共同使用，修改须提交变更申请，由清欠办审核")
}

// UpdateCreditor implements qingqian.CreditorService.
func (s *CreditorService) UpdateCreditor(ctx context.Context, id int64, upd qingqian.CreditorUpdate) (_ *qingqian.Creditor, err error) {
	defer serviceErr(&err, "update creditor %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Creditor
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		c, registered, err := tx.lockCreditor(ctx, a, id)
		if err != nil {
			return err
		}
		ok, err := tx.db.editable(ctx, tx, a, c, registered)
		if err != nil {
			return err
		}
		if !ok {
			return sharedCreditor()
		}
		if c.Version != upd.Version {
			return staleVersion()
		}
		if out, err = tx.updateCreditor(ctx, c, registered, upd.Apply(*c)); err != nil {
			return err
		}
		out.Editable = true
		return nil
	})
	return out, err
}

// updateCreditor writes a creditor's new fields and records the change at each group that uses
// it, so that each sees who changed it.
func (tx *Tx) updateCreditor(ctx context.Context, cur *qingqian.Creditor, registered string, c qingqian.Creditor) (_ *qingqian.Creditor, err error) {
	defer wrapErr(&err, "update creditor %d", cur.ID)
	c.Name = strings.TrimSpace(c.Name)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	before := *cur
	c.ID, c.USCC, c.CreatedAt, c.Version, c.UpdatedAt = cur.ID, cur.USCC, cur.CreatedAt, cur.Version+1, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE creditors SET name = $1, ownership = $2, size = $3, size_declared_on = $4, size_evidence = $5,
		region = $6, search = $7, version = $8, updated_at = $9 WHERE id = $10`,
		c.Name, c.Ownership, c.Size, c.SizeDeclaredOn, c.SizeEvidence, c.Region, searchText(c.Name, c.USCC), c.Version, tx.ts(tx.now), c.ID); err != nil {
		return nil, fmt.Errorf("update creditors: %w", err)
	}
	paths, err := tx.creditorUsers(ctx, c.ID, registered)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		if err := tx.audit(ctx, "creditor.update", "creditor", c.ID, p, before, c); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// groupPathOf returns the path of the group a unit belongs to (the unit at depth 1 above or at it),
// or the path itself for the root.
func groupPathOf(path string) string {
	n := 0
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			if n++; n == 3 {
				return path[:i+1]
			}
		}
	}
	return path
}

// creditorUsers returns the groups that use a creditor — by items, assigned clues or as its
// registrant — or the actor's unit when none does.
func (tx *Tx) creditorUsers(ctx context.Context, id int64, registered string) (_ []string, err error) {
	defer wrapErr(&err, "units using creditor %d", id)
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT o.path FROM items i JOIN orgs o ON o.id = i.org_id WHERE i.creditor_id = $1
		UNION SELECT DISTINCT o.path FROM clues k JOIN orgs o ON o.id = k.org_id WHERE k.creditor_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if g := groupPathOf(p); p != "" && !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	add(registered)
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		add(p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		at := "/"
		if tx.actor != nil && !tx.actor.System {
			at = tx.actor.OrgPath
		}
		out = append(out, at)
	}
	sort.Strings(out)
	return out, nil
}

const changeColumns = `r.id, r.creditor_id, c.name, c.uscc, r.changes, r.reason, r.state, r.org_id, o.name, r.requested_by, r.requested_at,
	r.decided_by, r.decided_at, r.note, o.path`

const changeFrom = ` FROM creditor_changes r JOIN creditors c ON c.id = r.creditor_id JOIN orgs o ON o.id = r.org_id`

func scanChange(row interface{ Scan(...any) error }) (*qingqian.CreditorChange, string, error) {
	ch := &qingqian.CreditorChange{}
	var changes, path string
	err := row.Scan(&ch.ID, &ch.CreditorID, &ch.CreditorName, &ch.USCC, &changes, &ch.Reason, &ch.State, &ch.OrgID, &ch.OrgName, &ch.RequestedBy,
		timeCol{&ch.RequestedAt}, &ch.DecidedBy, timeCol{&ch.DecidedAt}, &ch.Note, &path)
	if err == nil {
		err = json.Unmarshal([]byte(changes), &ch.Changes)
	}
	return ch, path, err
}

func changeNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "变更申请不存在") }

// RequestCreditorChange implements qingqian.CreditorService.
func (s *CreditorService) RequestCreditorChange(ctx context.Context, id int64, upd qingqian.CreditorUpdate, reason string) (_ *qingqian.CreditorChange, err error) {
	defer serviceErr(&err, "request a change of creditor %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	v := qingqian.Validation{}
	if upd.Empty() {
		v.Add("changes", "请填写要变更的内容")
	}
	if reason == "" {
		v.Add("reason", "请填写变更理由和依据")
	} else if len([]rune(reason)) > 500 {
		v.Add("reason", "变更理由不能超过500个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *qingqian.CreditorChange
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		c, _, err := tx.lockCreditor(ctx, a, id)
		if err != nil {
			return err
		}
		if upd = upd.Against(*c); upd.Empty() {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "申请的内容与现有登记信息相同", Fields: map[string]string{"changes": "没有变更"}}
		}
		changed := upd.Apply(*c)
		changed.Name = strings.TrimSpace(changed.Name)
		if err := changed.Validate(); err != nil {
			return err
		}
		upd.Version = c.Version
		b, err := json.Marshal(upd)
		if err != nil {
			return err
		}
		var chID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO creditor_changes (creditor_id, org_id, changes, reason, state, requested_by, requested_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, a.OrgID, string(b), reason, qingqian.ChangePending, a.Name, tx.ts(tx.now)).Scan(&chID); err != nil {
			return fmt.Errorf("insert into creditor_changes: %w", err)
		}
		ch, _, err := scanChange(tx.QueryRowContext(ctx, `SELECT `+changeColumns+changeFrom+` WHERE r.id = $1`, chID))
		if err != nil {
			return err
		}
		out = ch
		return tx.audit(ctx, "creditor.change_request", "creditor", id, a.OrgPath, c, ch)
	})
	return out, err
}

// FindCreditorChanges implements qingqian.CreditorService.
func (s *CreditorService) FindCreditorChanges(ctx context.Context, pendingOnly bool) (_ []*qingqian.CreditorChange, err error) {
	defer serviceErr(&err, "find creditor change requests")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	var q args
	where := ` WHERE 1 = 1`
	if !seesAll(a) {
		lo, hi := subtreeRange(a.OrgPath)
		where += ` AND o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi)
	}
	if pendingOnly {
		where += ` AND r.state = ` + q.add(qingqian.ChangePending)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+changeColumns+changeFrom+where+` ORDER BY r.id DESC LIMIT 500`, q...)
	if err != nil {
		return nil, fmt.Errorf("read creditor_changes: %w", err)
	}
	defer rows.Close()
	out := []*qingqian.CreditorChange{}
	for rows.Next() {
		ch, _, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, rows.Err()
}

// DecideCreditorChange implements qingqian.CreditorService.
func (s *CreditorService) DecideCreditorChange(ctx context.Context, id int64, approve bool, note string) (_ *qingqian.CreditorChange, err error) {
	defer serviceErr(&err, "decide creditor change %d", id)
	a, err := requireOffice(ctx, "审核债权企业变更申请")
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "不同意变更时请填写理由", Fields: map[string]string{"note": "请填写理由"}}
	}
	if len([]rune(note)) > 500 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "意见不能超过500个字", Fields: map[string]string{"note": "过长"}}
	}
	var out *qingqian.CreditorChange
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		ch, path, err := scanChange(tx.QueryRowContext(ctx, `SELECT `+changeColumns+changeFrom+` WHERE r.id = $1`+tx.db.d.forUpdateOf("r"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return changeNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the change request: %w", err)
		}
		if !a.Reaches(path) {
			tx.deny("creditor_change", id)
			return changeNotFound()
		}
		if ch.State != qingqian.ChangePending {
			return qingqian.Errorf(qingqian.ECONFLICT, "该申请已%s，不能再审核", ch.State.Label())
		}
		state := qingqian.ChangeRejected
		if approve {
			c, registered, err := tx.lockCreditor(ctx, a, ch.CreditorID)
			if err != nil {
				return err
			}
			if c.Version != ch.Changes.Version {
				return qingqian.Errorf(qingqian.ECONFLICT, "申请提出后该债权企业已被修改，请不同意本申请并请申请单位重新提出")
			}
			if _, err := tx.updateCreditor(ctx, c, registered, ch.Changes.Apply(*c)); err != nil {
				return err
			}
			state = qingqian.ChangeApproved
		}
		if _, err := tx.ExecContext(ctx, `UPDATE creditor_changes SET state = $1, decided_by = $2, decided_at = $3, note = $4 WHERE id = $5`,
			state, a.Name, tx.ts(tx.now), note, id); err != nil {
			return fmt.Errorf("update creditor_changes: %w", err)
		}
		before := ch.State
		ch.State, ch.DecidedBy, ch.DecidedAt, ch.Note = state, a.Name, tx.now, note
		out = ch
		// The requesting unit sees the decision and who took it.
		return tx.audit(ctx, "creditor.change_"+map[bool]string{true: "approve", false: "reject"}[approve], "creditor", ch.CreditorID, path,
			map[string]any{"request": id, "state": before}, ch)
	})
	return out, err
}
