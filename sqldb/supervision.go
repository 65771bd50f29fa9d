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

// SupervisionService implements qingqian.SupervisionService.
type SupervisionService struct{ db *DB }

// NewSupervisionService returns the supervision service over db.
func NewSupervisionService(db *DB) *SupervisionService { return &SupervisionService{db: db} }

var _ qingqian.SupervisionService = (*SupervisionService)(nil)

const slowRuleKey = "slow_rule"

// SlowRule implements qingqian.SupervisionService.
func (s *SupervisionService) SlowRule(ctx context.Context) (_ qingqian.SlowRule, err error) {
	defer serviceErr(&err, "read the slow-progress rule")
	if _, err := qingqian.RequireReader(ctx); err != nil {
		return qingqian.SlowRule{}, err
	}
	return s.db.slowRule(ctx, s.db.read)
}

func (db *DB) slowRule(ctx context.Context, q rowQueryer) (_ qingqian.SlowRule, err error) {
	defer wrapErr(&err, "read the slow-progress rule")
	var v string
	err = q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, slowRuleKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return qingqian.DefaultSlowRule, nil
	} else if err != nil {
		return qingqian.SlowRule{}, err
	}
	var r qingqian.SlowRule
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return qingqian.SlowRule{}, err
	}
	return r, nil
}

// SetSlowRule implements qingqian.SupervisionService.
func (s *SupervisionService) SetSlowRule(ctx context.Context, r qingqian.SlowRule) (err error) {
	defer serviceErr(&err, "set the slow-progress rule")
	a, err := requireOffice(ctx, "设置进度预警规则")
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		before, err := tx.db.slowRule(ctx, tx)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(r)
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, slowRuleKey, string(b)); err != nil {
			return fmt.Errorf("insert into settings: %w", err)
		}
		return tx.audit(ctx, "settings.slow_rule", "settings", 0, a.OrgPath, before, r)
	})
}

// plannedDue returns, per group of the tree under root, what the latest plans scheduled by
// cutoff and was not repaid by asOf, and over how many items. The instalments drive the query
// (CROSS JOIN fixes that order in SQLite): few items have plans, and those are read once.
func (db *DB) plannedDue(ctx context.Context, q queryer, root string, groups map[string]bool, cutoff, asOf qingqian.Date) (_ map[string]qingqian.Money, _ map[string]int, err error) {
	defer wrapErr(&err, "planned instalments due")
	lo, hi := subtreeRange(root)
	rows, err := q.QueryContext(ctx, `SELECT x.path, x.planned,
			(SELECT CAST(COALESCE(SUM(-(e.du + e.dd)), 0) AS BIGINT) FROM entries e WHERE e.item_id = x.id AND e.cat = 'rep' AND e.on_date <= $4),
			(SELECT CAST(COALESCE(SUM(e.du + e.dd), 0) AS BIGINT) FROM entries e WHERE e.item_id = x.id AND e.on_date <= $4)
		FROM (SELECT i.id, o.path, CAST(SUM(pi.amount) AS BIGINT) AS planned
			FROM plan_instalments pi CROSS JOIN items i CROSS JOIN orgs o
			WHERE i.id = pi.item_id AND o.id = i.org_id AND o.path >= $1 AND o.path < $2 AND pi.due_on <= $3 AND i.status <> 'cleared'
				AND pi.revision = (SELECT MAX(r.revision) FROM plan_revisions r WHERE r.item_id = i.id)
			GROUP BY i.id, o.path) x`, lo, hi, cutoff, asOf)
	if err != nil {
		return nil, nil, fmt.Errorf("read plan_instalments: %w", err)
	}
	defer rows.Close()
	due, items := map[string]qingqian.Money{}, map[string]int{}
	for rows.Next() {
		var path string
		var planned, repaid, left qingqian.Money
		if err := rows.Scan(&path, &planned, &repaid, &left); err != nil {
			return nil, nil, err
		}
		if short := min(planned-repaid, left); short > 0 {
			g := groupOf(path, groups)
			due[g] += short
			items[g]++
		}
	}
	return due, items, rows.Err()
}

// groupOf returns the path of the group a unit's path lies in: the shortest prefix of the path
// that is a group's, or "".
func groupOf(path string, groups map[string]bool) string {
	for i := 1; i < len(path); i++ {
		if path[i] == '/' && groups[path[:i+1]] {
			return path[:i+1]
		}
	}
	return ""
}

// clueCounts counts per group the clues not closed and those that found a debt missing from
// the ledger.
func (db *DB) clueCounts(ctx context.Context, q queryer, root string, groups map[string]bool) (open, missing map[string]int, err error) {
	defer wrapErr(&err, "clue counts")
	lo, hi := subtreeRange(root)
	rows, err := q.QueryContext(ctx, `SELECT o.path, l.state, l.missing_debt FROM clues l JOIN orgs o ON o.id = l.org_id WHERE o.path >= $1 AND o.path < $2`, lo, hi)
	if err != nil {
		return nil, nil, fmt.Errorf("read clues: %w", err)
	}
	defer rows.Close()
	open, missing = map[string]int{}, map[string]int{}
	for rows.Next() {
		var path string
		var state qingqian.ClueState
		var miss bool
		if err := rows.Scan(&path, &state, &miss); err != nil {
			return nil, nil, err
		}
		g := groupOf(path, groups)
		if state != qingqian.ClueClosed {
			open[g]++
		}
		if miss {
			missing[g]++
		}
	}
	return open, missing, rows.Err()
}

// Progress implements qingqian.SupervisionService.
func (s *SupervisionService) Progress(ctx context.Context, asOf qingqian.Date) (_ *qingqian.Progress, err error) {
	defer serviceErr(&err, "progress as of %s", asOf)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	// Kept until the next change (every change advances an audit chain): the dashboard asks for
	// it on every view, and it walks every group's plans, clues and notices.
	gen, err := s.db.ledgerGeneration(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint("progress ", a.OrgID, " ", a.OrgPath, " ", asOf)
	if c, ok := s.db.cache.get(key, gen); ok {
		return cloneProgress(c.(*qingqian.Progress)), nil
	}
	// One snapshot: the totals, plans, clues and notices of one moment.
	var out *qingqian.Progress
	err = s.db.snapshot(ctx, func(q readQueryer) error {
		var err error
		out, err = s.db.progress(ctx, q, a, asOf)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.db.cache.put(key, gen, cloneProgress(out))
	return out, nil
}

// cloneProgress copies p with a list of groups of its own (a reader may sort it).
func cloneProgress(p *qingqian.Progress) *qingqian.Progress {
	c := *p
	c.Groups = append(make([]qingqian.GroupProgress, 0, len(p.Groups)), p.Groups...)
	for i := range c.Groups {
		if r := p.Groups[i].Reasons; r != nil {
			c.Groups[i].Reasons = append(make([]string, 0, len(r)), r...)
		}
	}
	return &c
}

// progress measures the groups' progress through q.
func (db *DB) progress(ctx context.Context, q readQueryer, a *qingqian.Actor, asOf qingqian.Date) (_ *qingqian.Progress, err error) {
	rule, err := db.slowRule(ctx, q)
	if err != nil {
		return nil, err
	}
	_, path, err := db.actorOrg(ctx, q, a)
	if err != nil {
		return nil, err
	}
	// Every group of the province, for its rate, which a group's own user sees too (the
	// slow-progress rule compares the group with it); the rows are the actor's groups only.
	root := "/" + firstSegment(path)
	gs, err := db.groups(ctx, q, nil, root)
	if err != nil {
		return nil, err
	}
	locked, err := db.lockedBaselines(ctx, q, root)
	if err != nil {
		return nil, err
	}
	out := &qingqian.Progress{AsOf: asOf, Rule: rule, Groups: []qingqian.GroupProgress{}}
	var mine []*qingqian.Org
	ids := make([]int64, 0, len(gs))
	paths := map[string]bool{}
	for _, g := range gs {
		ids = append(ids, g.ID)
		if a.Reaches(g.Path) {
			mine = append(mine, g)
			paths[g.Path] = true
		}
	}
	// The totals as of the date alone: the progress reads no repayments before a period.
	sums, err := db.totalsFor(ctx, q, ids, qingqian.Date{}, asOf, false)
	if err != nil {
		return nil, err
	}
	due, dueItems, err := db.plannedDue(ctx, q, root, paths, asOf.AddDays(-rule.OverdueDays), asOf)
	if err != nil {
		return nil, err
	}
	openClues, missing, err := db.clueCounts(ctx, q, root, paths)
	if err != nil {
		return nil, err
	}
	open, err := db.openNotices(ctx, q, root, paths)
	if err != nil {
		return nil, err
	}
	var repaid, left qingqian.Money
	for _, g := range gs {
		repaid += sums[g.ID].t.Overall.Repaid
		left += sums[g.ID].t.Overall.Outstanding
	}
	out.Rate = qingqian.RateOf(repaid, left)
	for _, g := range mine {
		t := sums[g.ID].t
		gp := qingqian.GroupProgress{OrgID: g.ID, OrgName: g.Name, Repaid: t.Overall.Repaid, Left: t.Overall.Outstanding, OpenNotices: open[g.Path],
			PlannedDue: due[g.Path], OverdueItems: dueItems[g.Path], OpenClues: openClues[g.Path], MissingDebts: missing[g.Path]}
		b := t.ByOrigin[qingqian.OriginBaseline]
		gp.Baseline = b.RecognisedUndisputed + b.RecognisedDisputed
		if lf, ok := locked[g.ID]; ok {
			gp.Baseline = lf.Baseline
		}
		gp.Rate = qingqian.RateOf(gp.Repaid, gp.Left)
		out.Groups = append(out.Groups, gp)
	}
	for i := range out.Groups {
		rule.Judge(&out.Groups[i], out.Rate)
	}
	return out, nil
}

// openNotices counts per group the notices not yet closed to it or to any unit below it.
func (db *DB) openNotices(ctx context.Context, q queryer, root string, groups map[string]bool) (_ map[string]int, err error) {
	defer wrapErr(&err, "open notices")
	lo, hi := subtreeRange(root)
	rows, err := q.QueryContext(ctx, `SELECT o.path FROM notices n JOIN orgs o ON o.id = n.org_id WHERE n.state <> 'closed' AND o.path >= $1 AND o.path < $2`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var path string
		if err := rows.Scan(&path); err != nil {
			return nil, err
		}
		out[groupOf(path, groups)]++
	}
	return out, rows.Err()
}

const noticeColumns = `n.id, n.no, n.org_id, o.name, o.path, n.reason, n.actions, n.deadline, n.state, n.issued_by, n.issued_at,
	n.reply, n.replied_by, n.replied_at, n.closed_by, n.closed_at, n.version`

func scanNotice(row interface{ Scan(...any) error }) (*qingqian.Notice, string, error) {
	n := &qingqian.Notice{}
	var path string
	err := row.Scan(&n.ID, &n.No, &n.OrgID, &n.OrgName, &path, &n.Reason, &n.Actions, &n.Deadline, &n.State, &n.IssuedBy, timeCol{&n.IssuedAt},
		&n.Reply, &n.RepliedBy, timeCol{&n.RepliedAt}, &n.ClosedBy, timeCol{&n.ClosedAt}, &n.Version)
	return n, path, err
}

func noticeNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "督办事项不存在") }

// IssueNotice implements qingqian.SupervisionService.
func (s *SupervisionService) IssueNotice(ctx context.Context, n *qingqian.Notice) (err error) {
	defer serviceErr(&err, "issue a notice to org %d", n.OrgID)
	a, err := requireOffice(ctx, "下发督办")
	if err != nil {
		return err
	}
	n.Reason, n.Actions = strings.TrimSpace(n.Reason), strings.TrimSpace(n.Actions)
	if err := n.Validate(qingqian.DateOf(s.db.Now())); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.findOrg(ctx, n.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(o.Path) {
			if err == nil {
				tx.deny("org", n.OrgID)
			}
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "督办的企业不存在", Fields: map[string]string{"org_id": "企业不存在"}}
		}
		if o.ID == a.OrgID {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "不能向本单位下发督办", Fields: map[string]string{"org_id": "请选择下级企业"}}
		}
		year := qingqian.DateOf(tx.now).Year()
		seq, err := tx.nextNumber(ctx, "notice", year)
		if err != nil {
			return err
		}
		n.No = fmt.Sprintf("清欠督〔%d〕%d号", year, seq)
		n.OrgName, n.State, n.IssuedBy, n.IssuedAt, n.Version = o.Name, qingqian.NoticeOpen, a.Name, tx.now, 1
		if err := tx.QueryRowContext(ctx, `INSERT INTO notices (org_id, no, reason, actions, deadline, state, issued_by, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, n.OrgID, n.No, n.Reason, n.Actions, n.Deadline, n.State, n.IssuedBy, tx.ts(tx.now)).Scan(&n.ID); err != nil {
			return fmt.Errorf("insert into notices: %w", err)
		}
		return tx.audit(ctx, "notice.issue", "notice", n.ID, o.Path, nil, n)
	})
}

// changeNotice loads a notice for change, checks who may change it and its version, and
// applies fn.
func (s *SupervisionService) changeNotice(ctx context.Context, a *qingqian.Actor, id int64, version int, fn func(tx *Tx, n *qingqian.Notice, path string) error) (*qingqian.Notice, error) {
	err := s.db.inTx(ctx, a, func(tx *Tx) error {
		n, path, err := scanNotice(tx.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices n JOIN orgs o ON o.id = n.org_id WHERE n.id = $1`+tx.db.d.forUpdateOf("n"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return noticeNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the notice: %w", err)
		}
		if !a.Reaches(path) {
			tx.deny("notice", id)
			return noticeNotFound()
		}
		if n.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该督办事项已被他人处理，请刷新后再操作")
		}
		return fn(tx, n, path)
	})
	if err != nil {
		return nil, err
	}
	return s.FindNotice(ctx, id)
}

// ReplyNotice implements qingqian.SupervisionService.
func (s *SupervisionService) ReplyNotice(ctx context.Context, id int64, reply string, version int) (_ *qingqian.Notice, err error) {
	defer serviceErr(&err, "reply to notice %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写办理情况", Fields: map[string]string{"reply": "请填写办理情况"}}
	} else if len([]rune(reply)) > 5000 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "办理情况不能超过5000个字", Fields: map[string]string{"reply": "过长"}}
	}
	return s.changeNotice(ctx, a, id, version, func(tx *Tx, n *qingqian.Notice, path string) error {
		if n.State == qingqian.NoticeClosed {
			return qingqian.Errorf(qingqian.ECONFLICT, "该督办事项已办结")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notices SET reply = $1, replied_by = $2, replied_at = $3, state = $4, version = version + 1 WHERE id = $5`,
			reply, a.Name, tx.ts(tx.now), qingqian.NoticeReplied, id); err != nil {
			return fmt.Errorf("update notices: %w", err)
		}
		return tx.audit(ctx, "notice.reply", "notice", id, path, map[string]any{"reply": n.Reply}, map[string]any{"reply": reply})
	})
}

// CloseNotice implements qingqian.SupervisionService.
func (s *SupervisionService) CloseNotice(ctx context.Context, id int64, version int) (_ *qingqian.Notice, err error) {
	defer serviceErr(&err, "close notice %d", id)
	a, err := requireOffice(ctx, "办结督办事项")
	if err != nil {
		return nil, err
	}
	return s.changeNotice(ctx, a, id, version, func(tx *Tx, n *qingqian.Notice, path string) error {
		if n.State != qingqian.NoticeReplied {
			return qingqian.Errorf(qingqian.ECONFLICT, "企业回复办理情况后才能办结")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notices SET state = $1, closed_by = $2, closed_at = $3, version = version + 1 WHERE id = $4`,
			qingqian.NoticeClosed, a.Name, tx.ts(tx.now), id); err != nil {
			return fmt.Errorf("update notices: %w", err)
		}
		return tx.audit(ctx, "notice.close", "notice", id, path, nil, map[string]any{"state": qingqian.NoticeClosed})
	})
}

// FindNotice implements qingqian.SupervisionService.
func (s *SupervisionService) FindNotice(ctx context.Context, id int64) (_ *qingqian.Notice, err error) {
	defer serviceErr(&err, "find notice %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	n, path, err := scanNotice(s.db.read.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices n JOIN orgs o ON o.id = n.org_id WHERE n.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noticeNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "notice", id)
		return nil, noticeNotFound()
	}
	return n, nil
}

// FindNotices implements qingqian.SupervisionService.
func (s *SupervisionService) FindNotices(ctx context.Context, open bool) (_ []*qingqian.Notice, err error) {
	defer serviceErr(&err, "find notices")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	where := ` WHERE o.path >= $1 AND o.path < $2`
	if open {
		where += ` AND n.state <> 'closed'`
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices n JOIN orgs o ON o.id = n.org_id`+where+`
		ORDER BY CASE WHEN n.state = 'closed' THEN 1 ELSE 0 END, n.deadline, n.id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.Notice{}
	for rows.Next() {
		n, _, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
