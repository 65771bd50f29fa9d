package sqldb

// The reporting service: who may act for the office and which groups it reports on, and the
// consolidated report (第N期) made from the submissions, issued once and kept. Periods are in
// report_period.go, submissions in report_submission.go, the figures in report_figures.go.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/qingqian/qingqian"
)

// ReportService implements qingqian.ReportService.
type ReportService struct{ db *DB }

// NewReportService returns the reporting service over db.
func NewReportService(db *DB) *ReportService { return &ReportService{db: db} }

var _ qingqian.ReportService = (*ReportService)(nil)

// requireOffice returns the actor if it speaks for the clearance office.
func requireOffice(ctx context.Context, what string) (*qingqian.Actor, error) {
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(qingqian.RoleSupervisor) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有清欠办可以%s", what)
	}
	return a, nil
}

// related reports whether the actor can see something belonging to the unit at path: the unit
// is in the actor's subtree, or the actor is in the unit's (a group sees its office's periods).
func related(a *qingqian.Actor, path string) bool {
	return a.Reaches(path) || (len(a.OrgPath) >= len(path) && a.OrgPath[:len(path)] == path)
}

// actorOrg returns the actor's unit id and path (the root for the system actor).
func (db *DB) actorOrg(ctx context.Context, q rowQueryer, a *qingqian.Actor) (_ int64, _ string, err error) {
	defer wrapErr(&err, "the root unit")
	if !a.System {
		return a.OrgID, a.OrgPath, nil
	}
	var id int64
	var path string
	err = q.QueryRowContext(ctx, `SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&id, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", qingqian.Errorf(qingqian.ECONFLICT, "还没有建立单位")
	}
	return id, path, err
}

// groups lists the active groups under the office at officePath that the actor may see: all of
// them for the office, its own for a group's user; all of them with a nil actor.
func (db *DB) groups(ctx context.Context, q queryer, a *qingqian.Actor, officePath string) (_ []*qingqian.Org, err error) {
	defer wrapErr(&err, "groups under %s", officePath)
	lo, hi := subtreeRange(officePath)
	rows, err := q.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.kind = 'group' AND o.active = $3 AND o.path >= $1 AND o.path < $2 ORDER BY o.id`, lo, hi, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*qingqian.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, err
		}
		if a == nil || related(a, o.Path) {
			out = append(out, o)
		}
	}
	return out, rows.Err()
}

// Groups implements qingqian.ReportService.
func (s *ReportService) Groups(ctx context.Context) (_ []*qingqian.Org, err error) {
	defer serviceErr(&err, "find groups")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	_, path, err := s.db.actorOrg(ctx, s.db.read, a)
	if err != nil {
		return nil, err
	}
	// From the root of the tree: the office sees the groups below it, a group's user its own.
	gs, err := s.db.groups(ctx, s.db.read, a, "/"+firstSegment(path))
	if err != nil {
		return nil, err
	}
	return gs, nil
}

// firstSegment returns "1/" of "/1/4/17/": the root's part of a path.
func firstSegment(path string) string {
	for i := 1; i < len(path); i++ {
		if path[i] == '/' {
			return path[1 : i+1]
		}
	}
	return ""
}

// Report implements qingqian.ReportService.
func (s *ReportService) Report(ctx context.Context, periodID int64) (_ *qingqian.Report, err error) {
	defer serviceErr(&err, "report of period %d", periodID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	// One snapshot: the submissions, the baselines and the running totals as of one moment.
	var r *qingqian.Report
	err = s.db.snapshot(ctx, func(q readQueryer) error {
		var err error
		r, err = s.db.report(ctx, q, a, periodID)
		return err
	})
	return r, err
}

// report reads a period's issued report, or makes its draft, through q.
func (db *DB) report(ctx context.Context, q readQueryer, a *qingqian.Actor, periodID int64) (_ *qingqian.Report, err error) {
	p, officePath, err := db.period(ctx, q, a, `p.id = $1`, periodID)
	if err != nil {
		return nil, err
	}
	var body, by string
	var at time.Time
	err = q.QueryRowContext(ctx, `SELECT body, issued_by, issued_at FROM reports WHERE period_id = $1`, periodID).Scan(&body, &by, timeCol{&at})
	if err == nil {
		r := &qingqian.Report{}
		if err := json.Unmarshal([]byte(body), r); err != nil {
			return nil, err
		}
		// An issued report is the province's; a group's user sees only its own line of it.
		if !a.Reaches(officePath) {
			gs, err := db.groups(ctx, q, a, officePath)
			if err != nil {
				return nil, err
			}
			mine := map[int64]bool{}
			for _, g := range gs {
				mine[g.ID] = a.Reaches(g.Path)
			}
			rows := r.Rows[:0]
			r.Total = qingqian.GroupFigures{}
			r.Submitted, r.ZeroReports = 0, 0
			for _, row := range r.Rows {
				if mine[row.OrgID] {
					rows = append(rows, row)
					r.Total.Add(row.Figures)
					// The counts are of its own lines too: the province's are not the group's.
					if row.State == qingqian.StateApproved {
						r.Submitted++
						if row.Zero {
							r.ZeroReports++
						}
					}
				}
			}
			r.Rows = rows
			r.Annex = annexGroupsOnly(r.Annex, mine)
			r.MarkTotal()
		}
		return r, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return db.consolidate(ctx, q, a, p, officePath)
}

// consolidate makes the period's report from the approved submissions and, for groups without
// one, from the ledger now.
func (db *DB) consolidate(ctx context.Context, q readQueryer, a *qingqian.Actor, p *qingqian.Period, officePath string) (_ *qingqian.Report, err error) {
	defer wrapErr(&err, "consolidate")
	r := &qingqian.Report{Period: *p, Office: p.OrgName, MadeAt: db.Now(), Rows: []qingqian.ReportRow{}, Layout: qingqian.ReportLayoutCurrent}
	gs, err := db.groups(ctx, q, a, officePath)
	if err != nil {
		return nil, err
	}
	if db.betweenReads != nil {
		db.betweenReads()
	}
	subs, err := db.submissions(ctx, q, a, p.ID)
	if err != nil {
		return nil, err
	}
	byOrg := map[int64]*qingqian.Submission{}
	for _, s := range subs {
		byOrg[s.OrgID] = s
	}
	locked, err := db.lockedBaselines(ctx, q, officePath)
	if err != nil {
		return nil, err
	}
	var live []*qingqian.Org
	for _, g := range gs {
		if sub := byOrg[g.ID]; a.Reaches(g.Path) && (sub == nil || sub.State != qingqian.StateApproved) {
			live = append(live, g)
		}
	}
	liveFigures, err := db.groupsFigures(ctx, q, live, p, locked)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		if !a.Reaches(g.Path) {
			continue
		}
		name := g.ShortName
		if name == "" {
			name = g.Name
		}
		row := qingqian.ReportRow{OrgID: g.ID, OrgName: name, State: qingqian.StateMissing}
		if sub := byOrg[g.ID]; sub != nil {
			row.State = sub.State
			if sub.State == qingqian.StateApproved {
				row.Figures, row.Zero, row.Late = sub.Figures, sub.Zero, sub.Late
				r.Submitted++
				if sub.Zero {
					r.ZeroReports++
				}
			}
		}
		if row.State != qingqian.StateApproved {
			row.Live = true
			row.Figures = liveFigures[g.ID]
		}
		r.Total.Add(row.Figures)
		r.Rows = append(r.Rows, row)
	}
	r.MarkTotal()
	return r, nil
}

// IssueReport implements qingqian.ReportService.
func (s *ReportService) IssueReport(ctx context.Context, periodID int64) (_ *qingqian.Report, err error) {
	defer serviceErr(&err, "issue the report of period %d", periodID)
	a, err := requireOffice(ctx, "印发汇总报表")
	if err != nil {
		return nil, err
	}
	pre, preHeads, err := s.db.annexBeforeIssue(ctx, a, periodID)
	if err != nil {
		return nil, err
	}
	if s.db.beforeIssue != nil {
		s.db.beforeIssue()
	}
	var r *qingqian.Report
	err = s.db.inTxRetry(ctx, a, func(tx *Tx) error {
		// The report is made from one snapshot of the submissions and the ledger.
		if err := tx.repeatableRead(ctx); err != nil {
			return err
		}
		p, officePath, err := tx.db.period(ctx, tx, a, `p.id = $1`, periodID)
		if err != nil {
			return err
		}
		if !a.Reaches(officePath) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有开启该期次的清欠办可以印发汇总报表")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE period_id = $1`, periodID).Scan(&n); err != nil {
			return fmt.Errorf("read reports: %w", err)
		}
		if n > 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期汇总报表已经印发，不能重复印发", p.No)
		}
		// A report is of figures as of a date that has come: one of a date still ahead would be
		// frozen before the ledger holds what happens until then.
		if today := qingqian.DateOf(tx.now); today.Before(p.AsOf) {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期的数据截至%s，晚于今天（%s），尚不能印发汇总报表", p.No, chineseDate(p.AsOf), chineseDate(today))
		}
		if r, err = tx.db.consolidate(ctx, tx, a, p, officePath); err != nil {
			return err
		}
		r.Issued, r.IssuedBy, r.IssuedAt, r.MadeAt = true, a.Name, tx.now.UTC().Truncate(time.Microsecond), tx.now.UTC().Truncate(time.Microsecond)
		// The report carries the heads of the audit chains as it is issued: printed and
		// distributed, it anchors the trail outside the database (anchor.go).
		heads, err := readHeads(ctx, tx)
		if err != nil {
			return err
		}
		// The annex is frozen with the report, as of the same state (ADR 32): the one computed
		// before if nothing was written since, else computed here.
		annex := *pre
		if !slices.Equal(preHeads, heads) {
			an, err := tx.db.reportAnnex(ctx, tx, r, officePath, time.Time{}, true)
			if err != nil {
				return err
			}
			annex = *an
		}
		annex.ComputedAt, annex.Frozen = r.IssuedAt, true
		r.Annex = &annex
		anchor := &Anchor{Heads: heads}
		r.AuditHeads, r.AuditDigest = anchor.headLines(), anchor.Digest()
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports (period_id, body, issued_by, issued_at) VALUES ($1, $2, $3, $4)`,
			periodID, string(body), a.Name, tx.ts(tx.now)); err != nil {
			return fmt.Errorf("insert into reports: %w", err)
		}
		return tx.audit(ctx, "report.issue", "period", periodID, officePath, nil, map[string]any{"no": p.No, "total": r.Total, "groups": len(r.Rows), "audit_digest": r.AuditDigest})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// chineseDate writes a date as a message reads it: 2026年12月31日.
func chineseDate(d qingqian.Date) string {
	return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
}

// Lateness implements qingqian.ReportService.
func (s *ReportService) Lateness(ctx context.Context) (_ []qingqian.Lateness, err error) {
	defer serviceErr(&err, "lateness of groups")
	ps, _, err := s.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	gs, err := s.Groups(ctx)
	if err != nil {
		return nil, err
	}
	today := qingqian.DateOf(s.db.Now())
	out := make([]qingqian.Lateness, len(gs))
	idx := map[int64]int{}
	for i, g := range gs {
		out[i] = qingqian.Lateness{OrgID: g.ID, OrgName: g.Name}
		idx[g.ID] = i
	}
	// Every approved submission of a period past its deadline, in one query.
	type key struct{ period, org int64 }
	done := map[key]bool{}
	rows, err := s.db.read.QueryContext(ctx, `SELECT s.period_id, s.org_id, s.late FROM submissions s JOIN periods p ON p.id = s.period_id
		WHERE s.state = 'approved' AND p.deadline < $1`, today)
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var late bool
		if err := rows.Scan(&k.period, &k.org, &late); err != nil {
			return nil, err
		}
		done[k] = true
		if i, ok := idx[k.org]; ok && late {
			out[i].Late++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range ps {
		if !p.Deadline.Before(today) {
			continue
		}
		for i := range out {
			if !done[key{p.ID, out[i].OrgID}] && gs[i].CreatedAt.Before(p.Deadline.EndOfDay()) {
				out[i].Missing++
				out[i].MissingNow = append(out[i].MissingNow, p.No)
			}
		}
	}
	return out, nil
}
