package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/qingqian/qingqian"
)

// AgingService implements qingqian.AgingService over the stored payable parts.
type AgingService struct{ db *DB }

// NewAgingService returns the aging service over db.
func NewAgingService(db *DB) *AgingService { return &AgingService{db: db} }

var _ qingqian.AgingService = (*AgingService)(nil)

// agingRanges are the buckets of qingqian.BucketOf as ranges of due dates seen from the as-of
// day: from and to are days after it, inclusive; a missing end is open. A bucket's parts are
// one range of the aging index (org_id, due_on, ...) in each unit.
var agingRanges = []agingRange{
	{qingqian.AgeNotDue, 31, 0, true, false},
	{qingqian.AgeDue30, 8, 30, true, true},
	{qingqian.AgeDue7, 0, 7, true, true},
	{qingqian.AgeOverdue30, -30, -1, true, true},
	{qingqian.AgeOverdue90, -90, -31, true, true},
	{qingqian.AgeOverdue1y, -365, -91, true, true},
	{qingqian.AgeOver1y, 0, -366, false, true},
	{qingqian.AgeNoTerm, 0, 0, false, false}, // no due date
}

// agingRange is one bucket's range of due dates.
type agingRange struct {
	bucket         qingqian.AgingBucket
	from, to       int
	hasFrom, hasTo bool
}

// dueIn is the condition of a part in bucket i of agingRanges on asOf: comparisons of due_on
// alone, a range of the aging index.
func dueIn(q *args, i int, asOf qingqian.Date) string {
	r := agingRanges[i]
	var c []string
	if r.hasFrom {
		c = append(c, `pp.due_on >= `+q.add(asOf.AddDays(r.from)))
	}
	if r.hasTo {
		c = append(c, `pp.due_on <= `+q.add(asOf.AddDays(r.to)))
	}
	if len(c) == 0 {
		return `pp.due_on IS NULL`
	}
	return strings.Join(c, ` AND `)
}

// agingSQL is the query of the open parts of the units of the subtree [lo, hi) on asOf: per unit
// and bucket, how many payables (a payable counts in its first open part, whose previous part was
// paid by asOf) and their open amount. wide tells the shape of its rows: one per unit and bucket
// (org_id, the bucket's index in agingRanges, count, amount), or, when wide, one per unit with a
// count and an amount (NULL for none) per bucket in the order of agingRanges.
//
// On SQLite it is one grouping by unit per bucket, combined with UNION ALL: each is a range
// of the aging index (org_id, due_on, ...) per unit, read in the index's order, so no row is
// sorted and no bucket computed per row. On PostgreSQL it is one grouping by unit with the
// buckets as filtered aggregates, which PostgreSQL aggregates in parallel (ADR 35).
func agingSQL(dialect string, q *args, asOf qingqian.Date, lo, hi string) (query string, wide bool) {
	units := func() string {
		return `pp.org_id IN (SELECT id FROM orgs WHERE path >= ` + q.add(lo) + ` AND path < ` + q.add(hi) + `)`
	}
	counts := func() string {
		return `pp.prev_paid_on IS NULL OR pp.prev_paid_on <= ` + q.add(asOf)
	}
	if dialect == "postgres" {
		var cols strings.Builder
		for i := range agingRanges {
			in := dueIn(q, i, asOf)
			fmt.Fprintf(&cols, `, COUNT(*) FILTER (WHERE %s AND (%s)), CAST(SUM(pp.amount) FILTER (WHERE %s) AS BIGINT)`, in, counts(), in)
		}
		return `SELECT pp.org_id` + cols.String() + ` FROM payable_parts pp
			WHERE ` + units() + ` AND ` + openAsOf(q, asOf) + ` GROUP BY pp.org_id`, true
	}
	parts := make([]string, len(agingRanges))
	for i := range agingRanges {
		parts[i] = fmt.Sprintf(`SELECT pp.org_id, %d AS bucket, COUNT(CASE WHEN %s THEN 1 END), CAST(SUM(pp.amount) AS BIGINT) FROM payable_parts pp
			WHERE %s AND %s AND %s GROUP BY pp.org_id`, i, counts(), units(), dueIn(q, i, asOf), openAsOf(q, asOf))
	}
	return strings.Join(parts, "\nUNION ALL\n"), false
}

// openAsOf is the condition of a part open on asOf: its clock started, it was not paid by then,
// and it was not held (under dispute or before a court) that day. A part is held from the day the
// dispute was raised or the case filed (held_from) to the day before it closed: on the day it
// closes (held_to) the amount is payable again; held_to is NULL while the hold is open.
func openAsOf(q *args, asOf qingqian.Date) string {
	d := q.add(asOf)
	return `pp.start_on <= ` + d + ` AND (pp.paid_on IS NULL OR pp.paid_on > ` + d + `)
		AND (pp.held_from IS NULL OR pp.held_from > ` + d + ` OR pp.held_to <= ` + d + `)`
}

// Aging implements qingqian.AgingService.
func (s *AgingService) Aging(ctx context.Context, orgID int64, asOf qingqian.Date) (_ *qingqian.Aging, err error) {
	defer serviceErr(&err, "aging of org %d", orgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	// The units of the subtree: the scope unit and its direct subordinates get a row each.
	lo, hi := subtreeRange(scope)
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, name, path FROM orgs WHERE path >= $1 AND path < $2`, lo, hi)
	if err != nil {
		return nil, err
	}
	type unit struct {
		name, path string
	}
	units := map[int64]unit{}
	for rows.Next() {
		var id int64
		var u unit
		if err := rows.Scan(&id, &u.name, &u.path); err != nil {
			rows.Close()
			return nil, err
		}
		units[id] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := &qingqian.Aging{AsOf: asOf, Total: &qingqian.AgingRow{}}
	byPath := map[string]*qingqian.AgingRow{}
	for id, u := range units {
		if u.path == scope {
			out.OrgID = id
			r := &qingqian.AgingRow{OrgID: id, OrgName: u.name, Own: true}
			out.Total.OrgID, out.Total.OrgName = id, u.name
			out.Rows = append([]*qingqian.AgingRow{r}, out.Rows...)
			byPath[u.path] = r
		} else if strings.Count(u.path, "/") == strings.Count(scope, "/")+1 {
			r := &qingqian.AgingRow{OrgID: id, OrgName: u.name}
			out.Rows = append(out.Rows, r)
			byPath[u.path] = r
		}
	}
	// The row a unit's payables count in: its own (the scope) or its subordinate's subtree.
	rowOf := func(path string) *qingqian.AgingRow {
		if path == scope {
			return byPath[scope]
		}
		rest := strings.TrimPrefix(path, scope)
		head, _, _ := strings.Cut(rest, "/")
		return byPath[scope+head+"/"]
	}
	// A payable's open parts on asOf are its last ones (parts are stored in the order of
	// payment); the first of them, whose previous part was paid by asOf, counts the payable.
	var q args
	query, wide := agingSQL(s.db.d.name, &q, asOf, lo, hi)
	res, err := s.db.read.QueryContext(ctx, query, q...)
	if err != nil {
		return nil, fmt.Errorf("age payables: %w", err)
	}
	defer res.Close()
	add := func(id int64, k, n int, amt qingqian.Money) {
		b := agingRanges[k].bucket
		if r := rowOf(units[id].path); r != nil {
			r.Add(b, n, amt)
		}
		out.Total.Add(b, n, amt)
	}
	ns, amts := make([]int, len(agingRanges)), make([]sql.NullInt64, len(agingRanges))
	for res.Next() {
		var id int64
		if wide {
			dest := []any{&id}
			for k := range agingRanges {
				dest = append(dest, &ns[k], &amts[k])
			}
			if err := res.Scan(dest...); err != nil {
				return nil, err
			}
			for k := range agingRanges {
				if amts[k].Valid {
					add(id, k, ns[k], qingqian.Money(amts[k].Int64))
				}
			}
			continue
		}
		var k, n int
		var amt qingqian.Money
		if err := res.Scan(&id, &k, &n, &amt); err != nil {
			return nil, err
		}
		if k < 0 || k >= len(agingRanges) {
			return nil, fmt.Errorf("age payables: bucket %d", k)
		}
		add(id, k, n, amt)
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	sortRows(out.Rows)
	return out, nil
}

// sortRows puts the unit's own row first and its subordinates by name.
func sortRows(rows []*qingqian.AgingRow) {
	if len(rows) < 2 {
		return
	}
	rest := rows[1:]
	for i := 1; i < len(rest); i++ {
		for j := i; j > 0 && rest[j].OrgName < rest[j-1].OrgName; j-- {
			rest[j], rest[j-1] = rest[j-1], rest[j]
		}
	}
}

// FindOpenPayables implements qingqian.AgingService.
func (s *AgingService) FindOpenPayables(ctx context.Context, f qingqian.PayableFilter) (_ []*qingqian.OpenPayable, err error) {
	defer serviceErr(&err, "find open payables of org %d", f.OrgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, f.OrgID)
	if err != nil {
		return nil, err
	}
	if f.AsOf.IsZero() {
		f.AsOf = qingqian.DateOf(s.db.Now())
	}
	var q args
	open := openAsOf(&q, f.AsOf)
	where := ``
	if f.Subtree {
		lo, hi := subtreeRange(scope)
		where = `pp.org_id IN (SELECT id FROM orgs WHERE path >= ` + q.add(lo) + ` AND path < ` + q.add(hi) + `)`
	} else {
		where = `pp.org_id = (SELECT id FROM orgs WHERE path = ` + q.add(scope) + `)`
	}
	if f.Bucket != "" {
		// One bucket: a range of due dates, of the aging index in each unit.
		k := slices.IndexFunc(agingRanges, func(r agingRange) bool { return r.bucket == f.Bucket })
		if k < 0 {
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "账龄区间不正确", Fields: map[string]string{"bucket": "账龄区间不正确"}}
		}
		where += ` AND ` + dueIn(&q, k, f.AsOf)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT x.contract_id, k.no, k.name, x.org_id, o.name, c.name, x.seq, x.due_on, x.amt FROM (
		SELECT pp.org_id, pp.contract_id, pp.seq, pp.due_on, CAST(SUM(pp.amount) AS BIGINT) AS amt FROM payable_parts pp
		WHERE `+where+` AND `+open+` GROUP BY pp.org_id, pp.contract_id, pp.seq, pp.due_on) x
		JOIN contracts k ON k.id = x.contract_id JOIN orgs o ON o.id = x.org_id JOIN creditors c ON c.id = k.creditor_id
		ORDER BY x.due_on, x.contract_id, x.seq LIMIT `+q.add(limit(f.Limit))+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.OpenPayable{}
	for rows.Next() {
		p := &qingqian.OpenPayable{}
		if err := rows.Scan(&p.ContractID, &p.ContractNo, &p.ContractName, &p.OrgID, &p.OrgName, &p.CreditorName, &p.Seq, &p.DueOn, &p.Open); err != nil {
			return nil, err
		}
		p.Bucket = qingqian.BucketOf(p.DueOn, f.AsOf)
		out = append(out, p)
	}
	return out, rows.Err()
}

// subtreeRows reads the units of the scope's subtree: the rows of the scope and its direct
// subordinates by path, and every unit's path by id.
func (db *DB) subtreeUnits(ctx context.Context, scope string) (names, paths map[int64]string, err error) {
	lo, hi := subtreeRange(scope)
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, path FROM orgs WHERE path >= $1 AND path < $2`, lo, hi)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	names, paths = map[int64]string{}, map[int64]string{}
	for rows.Next() {
		var id int64
		var name, path string
		if err := rows.Scan(&id, &name, &path); err != nil {
			return nil, nil, err
		}
		names[id], paths[id] = name, path
	}
	return names, paths, rows.Err()
}

// TimelyRates implements qingqian.AgingService. A part held for a time (a dispute or a court case)
// is left out: the amount was not due on time. A part paid by commercial bill or electronic
// receivable voucher (in_bills) is not paid on time, whatever its day: it is not cash in the
// supplier's account.
func (s *AgingService) TimelyRates(ctx context.Context, orgID int64, from, to qingqian.Date) (_ *qingqian.Timely, err error) {
	defer serviceErr(&err, "timely-payment rates of org %d", orgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写起止日期，截止日期不早于起始日期", Fields: map[string]string{"from": "起止日期不正确"}}
	}
	scope, err := s.db.scopePath(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	names, paths, err := s.db.subtreeUnits(ctx, scope)
	if err != nil {
		return nil, err
	}
	out := &qingqian.Timely{From: from, To: to, Total: &qingqian.TimelyRow{}}
	byPath := map[string]*qingqian.TimelyRow{}
	depth := strings.Count(scope, "/")
	for id, p := range paths {
		switch {
		case p == scope:
			r := &qingqian.TimelyRow{OrgID: id, OrgName: names[id], Own: true}
			out.Total.OrgID, out.Total.OrgName = id, names[id]
			out.Rows = append([]*qingqian.TimelyRow{r}, out.Rows...)
			byPath[p] = r
		case strings.Count(p, "/") == depth+1:
			r := &qingqian.TimelyRow{OrgID: id, OrgName: names[id]}
			out.Rows = append(out.Rows, r)
			byPath[p] = r
		}
	}
	lo, hi := subtreeRange(scope)
	// A payable is on time when every part of it was paid by its due date, and not by bill or
	// receivable voucher (in_bills: not cash in the supplier's account); the on-time amount is the
	// whole amount of the payables on time: a payable paid in part by the date counts as not on
	// time, in number and in amount. Amounts held (disputed, in court) are not counted.
	res, err := s.db.read.QueryContext(ctx, `SELECT x.org_id, COUNT(*), SUM(x.on_time), CAST(SUM(x.amt) AS BIGINT), CAST(SUM(x.on_time * x.amt) AS BIGINT) FROM (
		SELECT pp.org_id, pp.contract_id, pp.seq, SUM(pp.amount) AS amt,
			CASE WHEN MAX(CASE WHEN pp.paid_on IS NULL OR pp.paid_on > pp.due_on OR pp.in_bills <> $5 THEN 1 ELSE 0 END) = 0 THEN 1 ELSE 0 END AS on_time
		FROM payable_parts pp
		WHERE pp.org_id IN (SELECT id FROM orgs WHERE path >= $1 AND path < $2) AND pp.due_on >= $3 AND pp.due_on <= $4 AND pp.held_from IS NULL
		GROUP BY pp.org_id, pp.contract_id, pp.seq) x GROUP BY x.org_id`, lo, hi, from, to, false)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	for res.Next() {
		var id int64
		var n, onTime int
		var amt, amtOnTime qingqian.Money
		if err := res.Scan(&id, &n, &onTime, &amt, &amtOnTime); err != nil {
			return nil, err
		}
		p := paths[id]
		r := byPath[scope]
		if p != scope {
			head, _, _ := strings.Cut(strings.TrimPrefix(p, scope), "/")
			r = byPath[scope+head+"/"]
		}
		for _, x := range []*qingqian.TimelyRow{r, out.Total} {
			if x != nil {
				x.Due += n
				x.OnTime += onTime
				x.DueAmount += amt
				x.OnTimeAmount += amtOnTime
			}
		}
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	for _, r := range out.Rows {
		r.Finish()
	}
	out.Total.Finish()
	return out, nil
}
