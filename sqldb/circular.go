package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
)

// CircularService implements qingqian.CircularService.
type CircularService struct{ db *DB }

// NewCircularService returns the circular service over db.
func NewCircularService(db *DB) *CircularService { return &CircularService{db: db} }

var _ qingqian.CircularService = (*CircularService)(nil)

func circularNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "文件不存在") }

// SendCircular implements qingqian.CircularService.
func (s *CircularService) SendCircular(ctx context.Context, c *qingqian.Circular, orgIDs []int64) (err error) {
	defer serviceErr(&err, "send a circular")
	a, err := requireOffice(ctx, "下发文件")
	if err != nil {
		return err
	}
	c.Normalize()
	c.ParentID = 0
	if err := c.Validate(qingqian.DateOf(s.db.Now())); err != nil {
		return err
	}
	if c.Target == qingqian.TargetChosen && len(orgIDs) == 0 {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择接收单位", Fields: map[string]string{"org_ids": "请选择接收单位"}}
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		officeID, officePath, err := tx.db.actorOrg(ctx, tx, a)
		if err != nil {
			return err
		}
		var units []campaignUnit
		switch c.Target {
		case qingqian.TargetChosen:
			units, err = tx.recipients(ctx, a, officeID, officePath, orgIDs, "org_ids")
		case qingqian.TargetAll:
			units, err = tx.recipients(ctx, a, officeID, officePath, nil, "org_ids")
		case qingqian.TargetRule:
			units, err = tx.mostComplained(ctx, officePath, qingqian.DateOf(tx.now), c.RuleTop)
		case qingqian.TargetRising:
			units, err = tx.risingComplaints(ctx, officePath, qingqian.DateOf(tx.now))
		}
		if err != nil {
			return err
		}
		return tx.insertCircular(ctx, c, officeID, officePath, units)
	})
}

// mostComplained returns the n groups below the office with the most complaint clues received
// in the half-year to the day (those with none are left out), most first.
func (tx *Tx) mostComplained(ctx context.Context, officePath string, today qingqian.Date, n int) ([]campaignUnit, error) {
	gs, err := tx.db.groups(ctx, tx, nil, officePath)
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{}
	for _, g := range gs {
		paths[g.Path] = true
	}
	counts, err := tx.db.complaintCounts(ctx, tx, officePath, paths, today.AddMonths(-6).AddDays(1), today)
	if err != nil {
		return nil, err
	}
	var out []campaignUnit
	for _, g := range gs {
		if counts[g.Path] > 0 {
			out = append(out, campaignUnit{g.ID, g.Name, g.Path})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return counts[out[i].path] > counts[out[j].path] })
	if len(out) > n {
		out = out[:n]
	}
	if len(out) == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "近半年没有单位被投诉举报，没有可以下发的单位", Fields: map[string]string{"target": "近半年无投诉举报"}}
	}
	return out, nil
}

// risingComplaints returns the groups below the office that received more complaint clues in
// the half-year to the day than in the half-year before it, the largest rise first: the
// groups a 举一反三 notice goes to.
func (tx *Tx) risingComplaints(ctx context.Context, officePath string, today qingqian.Date) ([]campaignUnit, error) {
	gs, err := tx.db.groups(ctx, tx, nil, officePath)
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{}
	for _, g := range gs {
		paths[g.Path] = true
	}
	start := today.AddMonths(-6).AddDays(1)
	recent, err := tx.db.complaintCounts(ctx, tx, officePath, paths, start, today)
	if err != nil {
		return nil, err
	}
	before, err := tx.db.complaintCounts(ctx, tx, officePath, paths, start.AddMonths(-6), start.AddDays(-1))
	if err != nil {
		return nil, err
	}
	var out []campaignUnit
	for _, g := range gs {
		if recent[g.Path] > before[g.Path] {
			out = append(out, campaignUnit{g.ID, g.Name, g.Path})
		}
	}
	rise := func(u campaignUnit) int { return recent[u.path] - before[u.path] }
	sort.SliceStable(out, func(i, j int) bool { return rise(out[i]) > rise(out[j]) })
	if len(out) == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "近半年没有投诉举报上升的单位，没有可以下发的单位", Fields: map[string]string{"target": "没有投诉举报上升的单位"}}
	}
	return out, nil
}

// complaintCounts counts per group the clues assigned to its tree and received in [from, to].
func (db *DB) complaintCounts(ctx context.Context, q queryer, root string, groups map[string]bool, from, to qingqian.Date) (_ map[string]int, err error) {
	defer wrapErr(&err, "complaint counts")
	lo, hi := subtreeRange(root)
	rows, err := q.QueryContext(ctx, `SELECT o.path FROM clues l JOIN orgs o ON o.id = l.org_id WHERE o.path >= $1 AND o.path < $2 AND l.received_on >= $3 AND l.received_on <= $4`,
		lo, hi, from, to)
	if err != nil {
		return nil, fmt.Errorf("read clues: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var path string
		if err := rows.Scan(&path); err != nil {
			return nil, err
		}
		if g := groupOf(path, groups); g != "" {
			out[g]++
		}
	}
	return out, rows.Err()
}

func (tx *Tx) insertCircular(ctx context.Context, c *qingqian.Circular, senderID int64, senderPath string, units []campaignUnit) error {
	if c.Attachments == nil {
		c.Attachments = []string{}
	}
	for _, sha := range c.Attachments {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM vouchers WHERE sha256 = $1 AND kind = 'voucher'`, sha).Scan(&n); err != nil {
			return fmt.Errorf("read vouchers: %w", err)
		}
		if n == 0 {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("附件 %s 未上传", sha), Fields: map[string]string{"attachments": "请先上传附件"}}
		}
	}
	att, _ := json.Marshal(c.Attachments)
	var replyBy, parent any
	if c.ReplyRequired {
		replyBy = c.ReplyBy
	}
	if c.ParentID != 0 {
		parent = c.ParentID
	}
	c.OrgID, c.SentOn, c.SentBy, c.SentAt = senderID, qingqian.DateOf(tx.now), tx.actor.Name, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO circulars (org_id, parent_id, no, title, body, attachments, reply_required, reply_due_on, target, rule_top, sent_on, sent_by, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`, senderID, parent, c.No, c.Title, c.Body, string(att), c.ReplyRequired, replyBy,
		c.Target, c.RuleTop, c.SentOn, c.SentBy, tx.ts(tx.now)).Scan(&c.ID); err != nil {
		return fmt.Errorf("insert into circulars: %w", err)
	}
	for _, sha := range c.Attachments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO circular_files (circular_id, sha256) VALUES ($1, $2) ON CONFLICT (circular_id, sha256) DO NOTHING`, c.ID, sha); err != nil {
			return fmt.Errorf("insert into circular_files: %w", err)
		}
	}
	c.Receipts = []qingqian.Receipt{}
	for _, u := range units {
		if _, err := tx.ExecContext(ctx, `INSERT INTO circular_receipts (circular_id, org_id) VALUES ($1, $2)`, c.ID, u.id); err != nil {
			return fmt.Errorf("insert into circular_receipts: %w", err)
		}
		c.Receipts = append(c.Receipts, qingqian.Receipt{OrgID: u.id, OrgName: u.name})
	}
	return tx.audit(ctx, "circular.send", "circular", c.ID, senderPath, nil, c)
}

// PassDown implements qingqian.CircularService.
func (s *CircularService) PassDown(ctx context.Context, id int64, target qingqian.CircularTarget, orgIDs []int64) (_ *qingqian.Circular, err error) {
	defer serviceErr(&err, "pass circular %d down", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if a.Has(qingqian.RoleSupervisor) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "清欠办请直接下发文件")
	}
	if target != qingqian.TargetAll && target != qingqian.TargetChosen {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "转发范围应为全部下级单位或选定单位", Fields: map[string]string{"target": "应为 all 或 chosen"}}
	}
	if target == qingqian.TargetChosen && len(orgIDs) == 0 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择接收单位", Fields: map[string]string{"org_ids": "请选择接收单位"}}
	}
	parent, err := s.FindCircular(ctx, id)
	if err != nil {
		return nil, err
	}
	received := false
	for _, r := range parent.Receipts {
		received = received || r.OrgID == a.OrgID
	}
	if !received {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有收文单位可以转发")
	}
	// The copy asks no reply: the group answers the office for its tree.
	c := &qingqian.Circular{No: parent.No, Title: parent.Title, Body: parent.Body, Attachments: parent.Attachments, Target: target, ParentID: parent.ID}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		var units []campaignUnit
		if target == qingqian.TargetAll {
			lo, hi := subtreeRange(a.OrgPath)
			rows, err := tx.QueryContext(ctx, `SELECT id, name, path FROM orgs WHERE parent_id = $1 AND active = $2 AND path >= $3 AND path < $4 ORDER BY path`, a.OrgID, true, lo, hi)
			if err != nil {
				return fmt.Errorf("read orgs: %w", err)
			}
			for rows.Next() {
				var u campaignUnit
				if err := rows.Scan(&u.id, &u.name, &u.path); err != nil {
					rows.Close()
					return err
				}
				units = append(units, u)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(units) == 0 {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "本单位没有下级单位", Fields: map[string]string{"target": "没有下级单位"}}
			}
		} else if units, err = tx.recipients(ctx, a, a.OrgID, a.OrgPath, orgIDs, "org_ids"); err != nil {
			return err
		}
		return tx.insertCircular(ctx, c, a.OrgID, a.OrgPath, units)
	})
	if err != nil {
		return nil, err
	}
	return s.FindCircular(ctx, c.ID)
}

// receipt changes the actor's unit's receipt of a circular.
func (s *CircularService) receipt(ctx context.Context, id int64, fn func(tx *Tx, c *qingqian.Circular, r *qingqian.Receipt) error) (*qingqian.Circular, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.FindCircular(ctx, id)
	if err != nil {
		return nil, err
	}
	var mine *qingqian.Receipt
	for i := range c.Receipts {
		if c.Receipts[i].OrgID == a.OrgID {
			mine = &c.Receipts[i]
		}
	}
	if mine == nil {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "本单位不是该文件的收文单位")
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error { return fn(tx, c, mine) })
	if err != nil {
		return nil, err
	}
	return s.FindCircular(ctx, id)
}

// SignFor implements qingqian.CircularService.
func (s *CircularService) SignFor(ctx context.Context, id int64) (_ *qingqian.Circular, err error) {
	defer serviceErr(&err, "sign for circular %d", id)
	return s.receipt(ctx, id, func(tx *Tx, c *qingqian.Circular, r *qingqian.Receipt) error {
		if !r.ReadAt.IsZero() {
			return qingqian.Errorf(qingqian.ECONFLICT, "本单位已于 %s 签收", qingqian.DateOf(r.ReadAt))
		}
		res, err := tx.ExecContext(ctx, `UPDATE circular_receipts SET read_by = $1, read_at = $2 WHERE circular_id = $3 AND org_id = $4 AND read_at IS NULL`,
			tx.actor.Name, tx.ts(tx.now), c.ID, r.OrgID)
		if err != nil {
			return fmt.Errorf("update circular_receipts: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "本单位已签收")
		}
		return tx.audit(ctx, "circular.sign", "circular", c.ID, tx.actor.OrgPath, nil, map[string]any{"org_id": r.OrgID, "read_by": tx.actor.Name})
	})
}

// Reply implements qingqian.CircularService.
func (s *CircularService) Reply(ctx context.Context, id int64, reply string) (_ *qingqian.Circular, err error) {
	defer serviceErr(&err, "reply to circular %d", id)
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return nil, err
	}
	reply = strings.TrimSpace(reply)
	if reply == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写回复内容", Fields: map[string]string{"reply": "请填写回复内容"}}
	} else if len([]rune(reply)) > 10000 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "回复内容不能超过10000个字", Fields: map[string]string{"reply": "过长"}}
	}
	return s.receipt(ctx, id, func(tx *Tx, c *qingqian.Circular, r *qingqian.Receipt) error {
		// Replying signs for it too, when the unit had not.
		if _, err := tx.ExecContext(ctx, `UPDATE circular_receipts SET read_by = $1, read_at = $2 WHERE circular_id = $3 AND org_id = $4 AND read_at IS NULL`,
			tx.actor.Name, tx.ts(tx.now), c.ID, r.OrgID); err != nil {
			return fmt.Errorf("update circular_receipts: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE circular_receipts SET reply = $1, replied_by = $2, replied_at = $3 WHERE circular_id = $4 AND org_id = $5`,
			reply, tx.actor.Name, tx.ts(tx.now), c.ID, r.OrgID); err != nil {
			return fmt.Errorf("update circular_receipts: %w", err)
		}
		return tx.audit(ctx, "circular.reply", "circular", c.ID, tx.actor.OrgPath, map[string]any{"reply": r.Reply}, map[string]any{"org_id": r.OrgID, "reply": reply})
	})
}

const circularColumns = `c.id, c.no, c.title, c.body, c.attachments, c.reply_required, c.reply_due_on, c.target, c.rule_top, c.org_id, o.name, o.path,
	COALESCE(c.parent_id, 0), c.sent_on, c.sent_by, c.sent_at`

// circulars reads the circulars matching where and keeps those the actor sent (its subtree
// sent them) or received (a receipt in its subtree: a subsidiary sees what its group received
// only once the group passes it down); the receipts listed are all of them to the sender's
// side, the actor's subtree's to a recipient.
func (db *DB) circulars(ctx context.Context, a *qingqian.Actor, where string, arg ...any) (_ []*qingqian.Circular, err error) {
	defer wrapErr(&err, "read circulars")
	rows, err := db.read.QueryContext(ctx, `SELECT `+circularColumns+` FROM circulars c JOIN orgs o ON o.id = c.org_id WHERE `+where+` ORDER BY c.sent_at DESC, c.id DESC`, arg...)
	if err != nil {
		return nil, err
	}
	var all []*qingqian.Circular
	sender := map[int64]bool{}
	for rows.Next() {
		c := &qingqian.Circular{Receipts: []qingqian.Receipt{}}
		var att, path string
		var replyBy sql.Null[qingqian.Date]
		if err := rows.Scan(&c.ID, &c.No, &c.Title, &c.Body, &att, &c.ReplyRequired, &replyBy, &c.Target, &c.RuleTop, &c.OrgID, &c.OrgName, &path,
			&c.ParentID, &c.SentOn, &c.SentBy, timeCol{&c.SentAt}); err != nil {
			rows.Close()
			return nil, err
		}
		c.ReplyBy = replyBy.V
		if err := json.Unmarshal([]byte(att), &c.Attachments); err != nil {
			rows.Close()
			return nil, err
		}
		sender[c.ID] = a.Reaches(path)
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	today := qingqian.DateOf(db.Now())
	out := []*qingqian.Circular{}
	for _, c := range all {
		rr, err := db.read.QueryContext(ctx, `SELECT r.org_id, o.name, o.path, r.read_by, r.read_at, r.reply, r.replied_by, r.replied_at
			FROM circular_receipts r JOIN orgs o ON o.id = r.org_id WHERE r.circular_id = $1 ORDER BY o.path`, c.ID)
		if err != nil {
			return nil, fmt.Errorf("read circular_receipts: %w", err)
		}
		for rr.Next() {
			var r qingqian.Receipt
			var path string
			if err := rr.Scan(&r.OrgID, &r.OrgName, &path, &r.ReadBy, timeCol{&r.ReadAt}, &r.Reply, &r.RepliedBy, timeCol{&r.RepliedAt}); err != nil {
				rr.Close()
				return nil, err
			}
			if sender[c.ID] || a.Reaches(path) {
				c.Receipts = append(c.Receipts, r)
			}
		}
		rr.Close()
		if err := rr.Err(); err != nil {
			return nil, err
		}
		if sender[c.ID] || len(c.Receipts) > 0 {
			c.MarkOverdue(today)
			out = append(out, c)
		}
	}
	return out, nil
}

// FindCircular implements qingqian.CircularService.
func (s *CircularService) FindCircular(ctx context.Context, id int64) (_ *qingqian.Circular, err error) {
	defer serviceErr(&err, "find circular %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.db.circulars(ctx, a, `c.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		var n int
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM circulars WHERE id = $1`, id).Scan(&n); err != nil {
			return nil, fmt.Errorf("read circulars: %w", err)
		}
		if n > 0 {
			s.db.securityEvent(ctx, a, "circular", id)
		}
		return nil, circularNotFound()
	}
	return cs[0], nil
}

// FindCirculars implements qingqian.CircularService.
func (s *CircularService) FindCirculars(ctx context.Context) (_ []*qingqian.Circular, err error) {
	defer serviceErr(&err, "find circulars")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	_, path, err := s.db.actorOrg(ctx, s.db.read, a)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange("/" + firstSegment(path))
	return s.db.circulars(ctx, a, `o.path >= $1 AND o.path < $2`, lo, hi)
}
