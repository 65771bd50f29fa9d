package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
)

// CaseService implements qingqian.CaseService.
type CaseService struct{ db *DB }

// NewCaseService returns the court case service over db.
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

var _ qingqian.CaseService = (*CaseService)(nil)

func caseNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "案件不存在") }

const caseColumns = `k.id, k.org_id, o.name, o.path, k.kind, k.body, k.case_no, k.filed_on, k.stage, k.claimed, k.decided, k.responsible, k.next_step,
	k.expected_on, k.version`

const caseFrom = ` FROM cases k JOIN orgs o ON o.id = k.org_id`

func scanCase(row interface{ Scan(...any) error }) (*qingqian.Case, string, error) {
	c := &qingqian.Case{Items: []int64{}, Events: []qingqian.CaseEvent{}}
	var path string
	err := row.Scan(&c.ID, &c.OrgID, &c.OrgName, &path, &c.Kind, &c.Body, &c.CaseNo, &c.FiledOn, &c.Stage, &c.Claimed, &c.Decided, &c.Responsible, &c.NextStep,
		optDate{&c.ExpectedOn}, &c.Version)
	return c, path, err
}

func (db *DB) caseDetails(ctx context.Context, q queryer, c *qingqian.Case) (err error) {
	defer wrapErr(&err, "details of case %d", c.ID)
	rows, err := q.QueryContext(ctx, `SELECT item_id FROM case_items WHERE case_id = $1 ORDER BY item_id`, c.ID)
	if err != nil {
		return fmt.Errorf("read case_items: %w", err)
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
	rows, err = q.QueryContext(ctx, `SELECT seq, on_date, stage, text, confirmed, reduced, item_id, actor_name, at FROM case_events WHERE case_id = $1 ORDER BY on_date, seq`, c.ID)
	if err != nil {
		return fmt.Errorf("read case_events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e qingqian.CaseEvent
		if err := rows.Scan(&e.Seq, &e.On, &e.Stage, &e.Text, &e.Confirmed, &e.Reduced, &e.ItemID, &e.ActorName, timeCol{&e.At}); err != nil {
			return err
		}
		c.Events = append(c.Events, e)
	}
	return rows.Err()
}

// CreateCase implements qingqian.CaseService.
func (s *CaseService) CreateCase(ctx context.Context, c *qingqian.Case) (err error) {
	defer serviceErr(&err, "create case %q", c.CaseNo)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	c.Body, c.CaseNo, c.Responsible, c.NextStep = strings.TrimSpace(c.Body), strings.TrimSpace(c.CaseNo), strings.TrimSpace(c.Responsible), strings.TrimSpace(c.NextStep)
	if err := c.Validate(qingqian.DateOf(s.db.Now())); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		var items []*itemRow
		seen := map[int64]bool{}
		for _, id := range c.Items {
			if seen[id] {
				continue
			}
			seen[id] = true
			r, err := tx.reachItem(ctx, id)
			if err != nil && !missing(err) {
				return err
			}
			if err != nil {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("台账条目 %d 不存在", id), Fields: map[string]string{"items": "条目不存在"}}
			}
			items = append(items, r)
		}
		if c.OrgID == 0 {
			c.OrgID = items[0].OrgID
		}
		o, err := tx.findOrg(ctx, c.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(o.Path) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "承办单位不存在", Fields: map[string]string{"org_id": "单位不存在"}}
		}
		var disputed qingqian.Money
		for _, r := range items {
			if !strings.HasPrefix(r.path, o.Path) {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "案件涉及的条目应属于承办单位或其下级", Fields: map[string]string{"items": "条目不属于承办单位"}}
			}
			disputed += r.Balance.OutstandingDisputed
		}
		if c.Claimed == 0 {
			c.Claimed = disputed
		}
		c.OrgName, c.Stage, c.Version = o.Name, qingqian.StageFiled, 1
		c.Items = c.Items[:0]
		for _, r := range items {
			c.Items = append(c.Items, r.ID)
		}
		c.Events = []qingqian.CaseEvent{}
		err = tx.QueryRowContext(ctx, `INSERT INTO cases (org_id, kind, body, case_no, filed_on, stage, claimed, responsible, next_step, expected_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			c.OrgID, c.Kind, c.Body, c.CaseNo, c.FiledOn, c.Stage, c.Claimed, c.Responsible, c.NextStep, dateArg(c.ExpectedOn), tx.ts(tx.now)).Scan(&c.ID)
		if isUnique(err) {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "案号 " + c.CaseNo + " 已经登记", Fields: map[string]string{"case_no": "案号已存在"}}
		} else if err != nil {
			return fmt.Errorf("insert into cases: %w", err)
		}
		for _, id := range c.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_items (case_id, item_id) VALUES ($1, $2)`, c.ID, id); err != nil {
				return fmt.Errorf("insert into case_items: %w", err)
			}
		}
		if err := tx.addCasePlan(ctx, c); err != nil {
			return err
		}
		return tx.audit(ctx, "case.create", "case", c.ID, o.Path, nil, c)
	})
}

// FindCase implements qingqian.CaseService.
func (s *CaseService) FindCase(ctx context.Context, id int64) (_ *qingqian.Case, err error) {
	defer serviceErr(&err, "find case %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	c, path, err := scanCase(s.db.read.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE k.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "case", id)
		return nil, caseNotFound()
	}
	if err := s.db.caseDetails(ctx, s.db.read, c); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCases implements qingqian.CaseService.
func (s *CaseService) FindCases(ctx context.Context, open bool) (_ []*qingqian.Case, err error) {
	defer serviceErr(&err, "find cases")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	where := ` WHERE o.path >= $1 AND o.path < $2`
	if open {
		where += ` AND k.stage <> 'closed'`
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+caseColumns+caseFrom+where+` ORDER BY k.filed_on DESC, k.id DESC`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.Case{}
	for rows.Next() {
		c, _, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// changeCase runs fn on a case the actor may change, locked and at the expected version.
func (s *CaseService) changeCase(ctx context.Context, id int64, version int, action string, fn func(tx *Tx, c *qingqian.Case, path string) error) (*qingqian.Case, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		c, path, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE k.id = $1`+tx.db.d.forUpdateOf("k"), id))
		if errors.Is(err, sql.ErrNoRows) {
			return caseNotFound()
		} else if err != nil {
			return fmt.Errorf("lock the case: %w", err)
		}
		if !a.Reaches(path) {
			tx.deny("case", id)
			return caseNotFound()
		}
		if c.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该案件已被他人修改，请刷新后再操作")
		}
		if err := tx.db.caseDetails(ctx, tx, c); err != nil {
			return err
		}
		if err := fn(tx, c, path); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET version = version + 1 WHERE id = $1`, id); err != nil {
			return fmt.Errorf("update cases: %w", err)
		}
		return tx.audit(ctx, "case."+action, "case", id, path, nil, c)
	})
	if err != nil {
		return nil, err
	}
	return s.FindCase(ctx, id)
}

// UpdateCase implements qingqian.CaseService.
func (s *CaseService) UpdateCase(ctx context.Context, id int64, upd qingqian.CaseUpdate) (_ *qingqian.Case, err error) {
	defer serviceErr(&err, "update case %d", id)
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return nil, err
	}
	v := qingqian.Validation{}
	if upd.NextStep != nil && len([]rune(*upd.NextStep)) > 500 {
		v.Add("next_step", "下一步工作不能超过500个字")
	}
	if upd.Responsible != nil && len([]rune(*upd.Responsible)) > 50 {
		v.Add("responsible", "责任人不能超过50个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, upd.Version, "update", func(tx *Tx, c *qingqian.Case, path string) error {
		if upd.Responsible != nil {
			c.Responsible = strings.TrimSpace(*upd.Responsible)
		}
		if upd.NextStep != nil {
			c.NextStep = strings.TrimSpace(*upd.NextStep)
		}
		if upd.ExpectedOn != nil {
			c.ExpectedOn = *upd.ExpectedOn
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET responsible = $1, next_step = $2, expected_on = $3 WHERE id = $4`, c.Responsible, c.NextStep, dateArg(c.ExpectedOn), id); err != nil {
			return fmt.Errorf("update cases: %w", err)
		}
		return tx.addCasePlan(ctx, c)
	})
}

// addCasePlan records the case's plan as decided today.
func (tx *Tx) addCasePlan(ctx context.Context, c *qingqian.Case) (err error) {
	defer wrapErr(&err, "record the plan of case %d", c.ID)
	_, err = tx.ExecContext(ctx, `INSERT INTO case_plans (case_id, seq, on_date, responsible, next_step, expected_on)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_plans WHERE case_id = $1), $2, $3, $4, $5)`,
		c.ID, qingqian.DateOf(tx.now), c.Responsible, c.NextStep, dateArg(c.ExpectedOn))
	return err
}

// checkEventDate refuses a date before the case was filed or after today.
func checkEventDate(c *qingqian.Case, on, today qingqian.Date) error {
	switch {
	case on.IsZero():
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写日期", Fields: map[string]string{"on": "请填写日期"}}
	case today.Before(on):
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "日期不能晚于今天", Fields: map[string]string{"on": "不能晚于今天"}}
	case on.Before(c.FiledOn):
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "日期不能早于立案日期 " + c.FiledOn.String(), Fields: map[string]string{"on": "不能早于立案日期"}}
	}
	return nil
}

func (tx *Tx) addCaseEvent(ctx context.Context, c *qingqian.Case, e qingqian.CaseEvent) (err error) {
	defer wrapErr(&err, "record an event of case %d", c.ID)
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, seq, on_date, stage, text, confirmed, reduced, item_id, actor_name, at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.ID, e.On, e.Stage, e.Text, e.Confirmed, e.Reduced, e.ItemID, tx.actor.Name, tx.ts(tx.now)); err != nil {
		return fmt.Errorf("insert into case_events: %w", err)
	}
	c.Events = append(c.Events, e)
	// The stage is that of the latest event by date.
	sort.SliceStable(c.Events, func(i, j int) bool { return c.Events[i].On.Before(c.Events[j].On) })
	c.Stage = c.Events[len(c.Events)-1].Stage
	_, err = tx.ExecContext(ctx, `UPDATE cases SET stage = $1, decided = $2 WHERE id = $3`, c.Stage, c.Decided, c.ID)
	return err
}

// AddEvent implements qingqian.CaseService.
func (s *CaseService) AddEvent(ctx context.Context, id int64, e qingqian.CaseEvent, version int) (_ *qingqian.Case, err error) {
	defer serviceErr(&err, "add an event to case %d", id)
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return nil, err
	}
	e.Text = strings.TrimSpace(e.Text)
	v := qingqian.Validation{}
	if _, ok := qingqian.CaseStageNames[e.Stage]; !ok {
		v.Add("stage", "请选择阶段")
	}
	if e.Text == "" {
		v.Add("text", "请填写进展情况")
	} else if len([]rune(e.Text)) > 2000 {
		v.Add("text", "进展情况不能超过2000个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	e.Confirmed, e.Reduced, e.ItemID = 0, 0, 0
	return s.changeCase(ctx, id, version, "event", func(tx *Tx, c *qingqian.Case, path string) error {
		if !c.Kind.HasStage(e.Stage) {
			// Each route its own stages: an arbitral award is final (no 二审), a bankruptcy has no
			// hearing or judgment.
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("%s案件没有“%s”阶段", c.Kind.Label(), e.Stage.Label()),
				Fields: map[string]string{"stage": "该类案件没有这一阶段"}}
		}
		if err := checkEventDate(c, e.On, qingqian.DateOf(tx.now)); err != nil {
			return err
		}
		return tx.addCaseEvent(ctx, c, e)
	})
}

// Decide implements qingqian.CaseService: a decision becomes a court reduction and a
// reclassification on the item, recorded like any other entries.
func (s *CaseService) Decide(ctx context.Context, id int64, d qingqian.Decision) (_ *qingqian.Case, err error) {
	defer serviceErr(&err, "record a decision on case %d", id)
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return nil, err
	}
	d.Text = strings.TrimSpace(d.Text)
	v := qingqian.Validation{}
	if _, ok := qingqian.CaseStageNames[d.Stage]; !ok {
		v.Add("stage", "应为判决（裁决）、调解或破产分配")
	}
	if d.Confirmed < 0 {
		v.Add("confirmed", "确认金额不能为负")
	}
	if d.Reduced < 0 {
		v.Add("reduced", "核减金额不能为负")
	}
	qingqian.CheckAmount(v, "confirmed", "确认金额", d.Confirmed)
	qingqian.CheckAmount(v, "reduced", "核减金额", d.Reduced)
	if d.Confirmed == 0 && d.Reduced == 0 && len(v) == 0 {
		v.Add("confirmed", "请填写确认金额或核减金额")
	}
	if d.Text == "" {
		v.Add("text", "请填写判决或调解的主要内容")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.changeCase(ctx, id, d.Version, "decide", func(tx *Tx, c *qingqian.Case, path string) error {
		if !slices.Contains(c.Kind.DecisionStages(), d.Stage) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("%s案件不以“%s”作出决定", c.Kind.Label(), c.Kind.StageLabel(d.Stage)),
				Fields: map[string]string{"stage": "该类案件不在这一阶段作出决定"}}
		}
		if err := checkEventDate(c, d.On, qingqian.DateOf(tx.now)); err != nil {
			return err
		}
		in := false
		for _, it := range c.Items {
			in = in || it == d.ItemID
		}
		if !in {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "该条目不属于本案", Fields: map[string]string{"item_id": "请选择本案涉及的条目"}}
		}
		r, err := tx.reachItem(ctx, d.ItemID)
		if err != nil {
			return err
		}
		if left := r.Balance.OutstandingDisputed; d.Confirmed+d.Reduced > left {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("确认与核减合计不能超过该条目有分歧未清偿金额 %s 元", left),
				Fields: map[string]string{"confirmed": "合计超过有分歧未清偿金额"}}
		}
		es := NewEntryService(tx.db)
		reason := c.CaseNo + qingqian.CaseStageNames[d.Stage]
		if d.Reduced > 0 {
			if _, err := es.recordTx(ctx, tx, tx.actor, qingqian.EntryInput{ItemID: d.ItemID, Kind: qingqian.EntryCourtReduction, On: d.On,
				Amount: d.Reduced, Part: qingqian.PartDisputed, Reason: reason + "核减"}); err != nil {
				return err
			}
		}
		if d.Confirmed > 0 {
			if _, err := es.recordTx(ctx, tx, tx.actor, qingqian.EntryInput{ItemID: d.ItemID, Kind: qingqian.EntryReclassify, On: d.On,
				Amount: d.Confirmed, Reason: reason + "确认"}); err != nil {
				return err
			}
		}
		c.Decided += d.Confirmed
		return tx.addCaseEvent(ctx, c, qingqian.CaseEvent{On: d.On, Stage: d.Stage, Text: d.Text, Confirmed: d.Confirmed, Reduced: d.Reduced, ItemID: d.ItemID})
	})
}

// Disputes implements qingqian.CaseService: every item of the subtree with a disputed amount
// still outstanding as of the date, each item's balance and its case's stage computed from
// what was dated by then.
func (s *CaseService) Disputes(ctx context.Context, orgID int64, asOf qingqian.Date) (_ *qingqian.DisputeTable, err error) {
	defer serviceErr(&err, "disputes of org %d as of %s", orgID, asOf)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if orgID == 0 {
		if orgID, _, err = s.db.actorOrg(ctx, s.db.read, a); err != nil {
			return nil, err
		}
	}
	var path, name string
	err = s.db.read.QueryRowContext(ctx, `SELECT path, name FROM orgs WHERE id = $1`, orgID).Scan(&path, &name)
	if err != nil && !missing(err) {
		return nil, fmt.Errorf("read org %d: %w", orgID, err)
	}
	if err != nil || !a.Reaches(path) {
		return nil, orgNotFound()
	}
	t, err := s.db.disputes(ctx, s.db.read, path, asOf)
	if err != nil {
		return nil, err
	}
	t.OrgName = name
	return t, nil
}

// disputes computes the table for the subtree at path; the in-court figure of reports uses it.
func (db *DB) disputes(ctx context.Context, q queryer, path string, asOf qingqian.Date) (_ *qingqian.DisputeTable, err error) {
	defer wrapErr(&err, "disputes under %s", path)
	lo, hi := subtreeRange(path)
	t := &qingqian.DisputeTable{AsOf: asOf, Rows: []qingqian.DisputeRow{}}
	// Items that ever had a disputed part, with their balance from the entries dated by then.
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.no, o.name, c.name, i.dispute_reason, i.responsible,
			CAST(COALESCE(SUM(e.dd), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN e.cat = 'rep' THEN -(e.du + e.dd) ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN e.cat = 'rec' THEN e.du + e.dd ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(CASE WHEN e.cat = 'adj' THEN -(e.du + e.dd) ELSE 0 END), 0) AS BIGINT),
			CAST(COALESCE(SUM(e.du + e.dd), 0) AS BIGINT)
		FROM items i JOIN orgs o ON o.id = i.org_id JOIN creditors c ON c.id = i.creditor_id JOIN entries e ON e.item_id = i.id AND e.on_date <= $3
		WHERE o.path >= $1 AND o.path < $2 AND (i.disputed > 0 OR i.rec_d > 0 OR EXISTS (SELECT 1 FROM case_items ci WHERE ci.item_id = i.id))
		GROUP BY i.id, i.no, o.name, c.name, i.dispute_reason, i.responsible ORDER BY o.name, i.id`, lo, hi, asOf)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	byItem := map[int64]int{}
	for rows.Next() {
		var r qingqian.DisputeRow
		if err := rows.Scan(&r.ItemID, &r.ItemNo, &r.OrgName, &r.Creditor, &r.Reason, &r.Responsible, &r.Amount, &r.Repaid,
			&r.Recognised, &r.Reduced, &r.Outstanding); err != nil {
			rows.Close()
			return nil, err
		}
		if r.Amount <= 0 {
			continue
		}
		r.Route = "negotiation"
		byItem[r.ItemID] = len(t.Rows)
		t.Rows = append(t.Rows, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(t.Rows) == 0 {
		return t, nil
	}
	// The cases of those items filed by then, and their events to date.
	// The plan is the one decided by then (or, for a case entered later than it was filed, the
	// first one).
	crow, err := q.QueryContext(ctx, `SELECT ci.item_id, k.id, k.kind, k.case_no, k.filed_on,
			COALESCE(p.next_step, ''), p.expected_on, COALESCE(p.responsible, '')
		FROM case_items ci JOIN cases k ON k.id = ci.case_id JOIN orgs o ON o.id = k.org_id
			LEFT JOIN case_plans p ON p.case_id = k.id AND p.seq = COALESCE(
				(SELECT MAX(x.seq) FROM case_plans x WHERE x.case_id = k.id AND x.on_date <= $3), 1)
		WHERE o.path >= $1 AND o.path < $2 AND k.filed_on <= $3 ORDER BY k.filed_on, k.id`, lo, hi, asOf)
	if err != nil {
		return nil, fmt.Errorf("read case_items: %w", err)
	}
	cases := map[int64]*qingqian.Case{}
	itemCase := map[int64]int64{}
	for crow.Next() {
		var itemID int64
		c := &qingqian.Case{}
		if err := crow.Scan(&itemID, &c.ID, &c.Kind, &c.CaseNo, &c.FiledOn, &c.NextStep, optDate{&c.ExpectedOn}, &c.Responsible); err != nil {
			crow.Close()
			return nil, err
		}
		if cases[c.ID] == nil {
			cases[c.ID] = c
		}
		itemCase[itemID] = c.ID // the latest case of an item counts
	}
	crow.Close()
	if err := crow.Err(); err != nil {
		return nil, err
	}
	monthStart := qingqian.NewDate(asOf.Year(), asOf.Month(), 1)
	for _, c := range cases {
		events, err := q.QueryContext(ctx, `SELECT on_date, stage, text FROM case_events WHERE case_id = $1 AND on_date <= $2 ORDER BY on_date, seq`, c.ID, asOf)
		if err != nil {
			return nil, fmt.Errorf("read case_events: %w", err)
		}
		for events.Next() {
			var e qingqian.CaseEvent
			if err := events.Scan(&e.On, &e.Stage, &e.Text); err != nil {
				events.Close()
				return nil, err
			}
			c.Events = append(c.Events, e)
		}
		events.Close()
		if err := events.Err(); err != nil {
			return nil, err
		}
	}
	for itemID, caseID := range itemCase {
		i, ok := byItem[itemID]
		if !ok {
			continue
		}
		c := cases[caseID]
		r := &t.Rows[i]
		r.CaseID, r.CaseNo, r.Route, r.Stage, r.NextStep, r.ExpectedOn = c.ID, c.CaseNo, qingqian.Route(c.Kind), c.StageOn(asOf), c.NextStep, c.ExpectedOn
		r.ExpectedPassed = !c.ExpectedOn.IsZero() && c.ExpectedOn.Before(asOf)
		if c.Responsible != "" {
			r.Responsible = c.Responsible
		}
		var progress []string
		for _, e := range c.Events {
			if !e.On.Before(monthStart) {
				progress = append(progress, e.On.String()+" "+e.Text)
			}
		}
		r.Progress = strings.Join(progress, "；")
	}
	for _, r := range t.Rows {
		t.Total += r.Amount
		t.Repaid += r.Repaid
		t.Recognised += r.Recognised
		t.Reduced += r.Reduced
		t.Outstanding += r.Outstanding
	}
	return t, nil
}

// inCourt sums the disputed amount outstanding as of a date on the items of the subtree that
// are before a court or another body then: in a case filed by then and not closed by then.
func (db *DB) inCourt(ctx context.Context, q rowQueryer, path string, asOf qingqian.Date) (_ qingqian.Money, err error) {
	defer wrapErr(&err, "amount in court under %s", path)
	lo, hi := subtreeRange(path)
	var m qingqian.Money
	err = q.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(e.dd), 0) AS BIGINT) FROM entries e
		WHERE e.on_date <= $3 AND e.item_id IN (
			SELECT ci.item_id FROM case_items ci JOIN cases k ON k.id = ci.case_id JOIN orgs o ON o.id = k.org_id
			WHERE o.path >= $1 AND o.path < $2 AND k.filed_on <= $3
				AND NOT EXISTS (SELECT 1 FROM case_events ce WHERE ce.case_id = k.id AND ce.stage = 'closed' AND ce.on_date <= $3))`,
		lo, hi, asOf).Scan(&m)
	return m, err
}
