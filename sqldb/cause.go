package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/qingqian/qingqian"
)

// CauseService implements qingqian.CauseService.
type CauseService struct{ db *DB }

// NewCauseService returns the cause service over db.
func NewCauseService(db *DB) *CauseService { return &CauseService{db: db} }

var _ qingqian.CauseService = (*CauseService)(nil)

func causeSubjectErr() error {
	return &qingqian.Error{Code: qingqian.EINVALID, Message: "原因只能记在投诉线索或欠款上", Fields: map[string]string{"subject": "应为 clue 或 item"}}
}

// SetCause implements qingqian.CauseService.
func (s *CauseService) SetCause(ctx context.Context, subject qingqian.CauseSubject, id int64, in qingqian.CauseInput) (_ *qingqian.CauseRecord, err error) {
	defer serviceErr(&err, "set the cause of %s %d", subject, id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := qingqian.CauseSubjectNames[subject]; !ok {
		return nil, causeSubjectErr()
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r := qingqian.CauseRecord{Subject: subject, SubjectID: id, Cause: in.Cause, Note: in.Note, RecordedBy: a.Name, RecordedAt: tx.now}
		var path string
		switch subject {
		case qingqian.SubjectClue:
			var org sql.Null[int64]
			var state qingqian.ClueState
			var kind sql.Null[string]
			var office string
			err := tx.QueryRowContext(ctx, `SELECT l.org_id, COALESCE(o.path, ''), f.path, l.state, l.received_on,
					(SELECT MIN(i.kind) FROM clue_items ci JOIN items i ON i.id = ci.item_id WHERE ci.clue_id = l.id)
				FROM clues l JOIN orgs f ON f.id = l.office_id LEFT JOIN orgs o ON o.id = l.org_id WHERE l.id = $1`, id).Scan(&org, &path, &office, &state, &r.On, &kind)
			if errors.Is(err, sql.ErrNoRows) {
				return qingqian.Errorf(qingqian.ENOTFOUND, "投诉线索不存在")
			} else if err != nil {
				return fmt.Errorf("read clues: %w", err)
			}
			if !a.Reaches(office) && (path == "" || !a.Reaches(path)) {
				tx.deny("clue", id)
				return qingqian.Errorf(qingqian.ENOTFOUND, "投诉线索不存在")
			}
			if state != qingqian.ClueVerified && state != qingqian.ClueClosed {
				return qingqian.Errorf(qingqian.ECONFLICT, "线索核实后才能记录拖欠原因")
			}
			r.OrgID, r.ItemKind = org.V, qingqian.ItemKind(kind.V)
		case qingqian.SubjectItem:
			item, err := tx.reachItem(ctx, id)
			if err != nil {
				return err
			}
			path, r.OrgID, r.ItemKind, r.On = item.path, item.OrgID, item.Kind, item.ArisenOn
		}
		var before *qingqian.CauseRecord
		if old, err := tx.db.cause(ctx, tx, subject, id); err == nil {
			before = old
		} else if qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO causes (subject, subject_id, org_id, item_kind, on_date, cause, note, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (subject, subject_id) DO UPDATE SET cause = excluded.cause, note = excluded.note,
			org_id = excluded.org_id, item_kind = excluded.item_kind, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
			subject, id, r.OrgID, r.ItemKind, r.On, r.Cause, r.Note, r.RecordedBy, tx.ts(tx.now)); err != nil {
			return fmt.Errorf("write causes: %w", err)
		}
		return tx.audit(ctx, "cause.set", string(subject), id, path, before, r)
	})
	if err != nil {
		return nil, err
	}
	return s.FindCause(ctx, subject, id)
}

const causeColumns = `c.subject, c.subject_id, COALESCE(l.no, i.no, ''), c.cause, c.note, c.org_id, o.name, o.path, c.item_kind, c.on_date, c.recorded_by, c.recorded_at`

// causeFrom joins a cause to its unit and to the clue's or item's number.
const causeFrom = ` FROM causes c JOIN orgs o ON o.id = c.org_id LEFT JOIN clues l ON c.subject = 'clue' AND l.id = c.subject_id
	LEFT JOIN items i ON c.subject = 'item' AND i.id = c.subject_id`

func scanCause(row interface{ Scan(...any) error }) (*qingqian.CauseRecord, string, error) {
	r := &qingqian.CauseRecord{}
	var path string
	err := row.Scan(&r.Subject, &r.SubjectID, &r.SubjectNo, &r.Cause, &r.Note, &r.OrgID, &r.OrgName, &path, &r.ItemKind, &r.On, &r.RecordedBy, timeCol{&r.RecordedAt})
	return r, path, err
}

func (db *DB) cause(ctx context.Context, q rowQueryer, subject qingqian.CauseSubject, id int64) (*qingqian.CauseRecord, error) {
	r, _, err := scanCause(q.QueryRowContext(ctx, `SELECT `+causeColumns+causeFrom+` WHERE c.subject = $1 AND c.subject_id = $2`, subject, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, qingqian.Errorf(qingqian.ENOTFOUND, "尚未记录拖欠原因")
	}
	return r, err
}

// FindCause implements qingqian.CauseService. The clue or item must be visible: the caller has
// found it first; a cause outside the actor's reach is not found.
func (s *CauseService) FindCause(ctx context.Context, subject qingqian.CauseSubject, id int64) (_ *qingqian.CauseRecord, err error) {
	defer serviceErr(&err, "find the cause of %s %d", subject, id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	r, path, err := scanCause(s.db.read.QueryRowContext(ctx, `SELECT `+causeColumns+causeFrom+` WHERE c.subject = $1 AND c.subject_id = $2`, subject, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if !related(a, path) {
		return nil, nil
	}
	return r, nil
}

func (db *DB) causes(ctx context.Context, a *qingqian.Actor) (_ []*qingqian.CauseRecord, _ []string, err error) {
	defer wrapErr(&err, "read causes")
	lo, hi := subtreeRange(a.OrgPath)
	rows, err := db.read.QueryContext(ctx, `SELECT `+causeColumns+causeFrom+` WHERE o.path >= $1 AND o.path < $2
		ORDER BY c.on_date DESC, c.subject, c.subject_id DESC`, lo, hi)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, paths := []*qingqian.CauseRecord{}, []string{}
	for rows.Next() {
		r, path, err := scanCause(rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r)
		paths = append(paths, path)
	}
	return out, paths, rows.Err()
}

// FindCauses implements qingqian.CauseService.
func (s *CauseService) FindCauses(ctx context.Context) (_ []*qingqian.CauseRecord, err error) {
	defer serviceErr(&err, "find causes")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	out, _, err := s.db.causes(ctx, a)
	return out, err
}

// AnalyseCauses implements qingqian.CauseService.
func (s *CauseService) AnalyseCauses(ctx context.Context, asOf qingqian.Date, period qingqian.AnalysisPeriod) (_ *qingqian.CauseAnalysis, err error) {
	defer serviceErr(&err, "analyse causes as of %s", asOf)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if period == "" {
		period = qingqian.PeriodHalf
	}
	if _, ok := qingqian.AnalysisPeriodNames[period]; !ok {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "分析期间应为 month、quarter、half 或 year", Fields: map[string]string{"period": "应为 month、quarter、half 或 year"}}
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	_, path, err := s.db.actorOrg(ctx, s.db.read, a)
	if err != nil {
		return nil, err
	}
	root := "/" + firstSegment(path)
	gs, err := s.db.groups(ctx, s.db.read, a, root)
	if err != nil {
		return nil, err
	}
	groups, names, ids := map[string]bool{}, map[string]string{}, map[string]int64{}
	for _, g := range gs {
		groups[g.Path], names[g.Path], ids[g.Path] = true, g.Name, g.ID
	}
	records, paths, err := s.db.causes(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &qingqian.CauseAnalysis{AsOf: asOf, Period: period, ByGroup: []qingqian.CauseCount{}, ByKind: []qingqian.CauseCount{}, ByPeriod: []qingqian.CauseCount{}, Trends: []qingqian.ComplaintTrend{}}
	byGroup, byKind, byPeriod := map[string]*qingqian.CauseCount{}, map[string]*qingqian.CauseCount{}, map[string]*qingqian.CauseCount{}
	add := func(m map[string]*qingqian.CauseCount, key, name string, c qingqian.Cause) {
		if m[key] == nil {
			m[key] = &qingqian.CauseCount{Key: key, Name: name}
		}
		m[key].Add(c)
	}
	for i, r := range records {
		if asOf.Before(r.On) {
			continue
		}
		if g := groupOf(paths[i], groups); g != "" {
			add(byGroup, g, names[g], r.Cause)
		}
		kind := "unknown"
		name := "未关联欠款"
		if r.ItemKind != "" {
			kind, name = string(r.ItemKind), r.ItemKind.Label()
		}
		add(byKind, kind, name, r.Cause)
		add(byPeriod, period.Key(r.On), period.Name(r.On), r.Cause)
	}
	for _, g := range gs {
		if c := byGroup[g.Path]; c != nil {
			out.ByGroup = append(out.ByGroup, *c)
		}
	}
	for _, k := range append(append([]qingqian.ItemKind{}, qingqian.ItemKinds...), "unknown") {
		if c := byKind[string(k)]; c != nil {
			out.ByKind = append(out.ByKind, *c)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(byPeriod)) {
		out.ByPeriod = append(out.ByPeriod, *byPeriod[k])
	}
	months := period.Months()
	start := asOf.AddMonths(-months).AddDays(1)
	recent, err := s.db.complaintCounts(ctx, s.db.read, root, groups, start, asOf)
	if err != nil {
		return nil, err
	}
	before, err := s.db.complaintCounts(ctx, s.db.read, root, groups, start.AddMonths(-months), start.AddDays(-1))
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		t := qingqian.ComplaintTrend{OrgID: ids[g.Path], OrgName: g.Name, Before: before[g.Path], Recent: recent[g.Path]}
		t.Rising = t.Recent > t.Before
		if c := byGroup[g.Path]; c != nil {
			best := 0
			for _, cause := range qingqian.Causes {
				if n := c.Counts[cause]; n > best {
					best, t.TopCause = n, cause
				}
			}
		}
		if t.Before > 0 || t.Recent > 0 {
			out.Trends = append(out.Trends, t)
		}
	}
	sort.SliceStable(out.Trends, func(i, j int) bool {
		if out.Trends[i].Rising != out.Trends[j].Rising {
			return out.Trends[i].Rising
		}
		return out.Trends[i].Recent > out.Trends[j].Recent
	})
	return out, nil
}
