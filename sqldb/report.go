package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// ReportService implements qingqian.ReportService.
type ReportService struct{ db *DB }

// NewReportService returns the reporting service over db.
func NewReportService(db *DB) *ReportService { return &ReportService{db: db} }

var _ qingqian.ReportService = (*ReportService)(nil)

func periodNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "报送期次不存在") }

func submissionNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "报送记录不存在") }

// requireOffice returns the actor if it speaks for the clearance office.
func requireOffice(ctx context.Context, what string) (*qingqian.Actor, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(qingqian.RoleSupervisor, qingqian.RoleAdmin) {
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
func (db *DB) actorOrg(ctx context.Context, q rowQueryer, a *qingqian.Actor) (int64, string, error) {
	if !a.System {
		return a.OrgID, a.OrgPath, nil
	}
	var id int64
	var path string
	err := q.QueryRowContext(ctx, `SELECT id, path FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&id, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", qingqian.Errorf(qingqian.ECONFLICT, "还没有建立单位")
	}
	return id, path, err
}

const periodColumns = `p.id, p.org_id, o.name, o.path, p.no, p.kind, p.title, p.starts_on, p.as_of, p.deadline, p.note, p.created_by, p.created_at`

func (db *DB) scanPeriod(row interface{ Scan(...any) error }) (*qingqian.Period, string, error) {
	p := &qingqian.Period{}
	var path string
	err := row.Scan(&p.ID, &p.OrgID, &p.OrgName, &path, &p.No, &p.Kind, &p.Title, &p.StartsOn, &p.AsOf, &p.Deadline, &p.Note, &p.CreatedBy, timeCol{&p.CreatedAt})
	return p, path, err
}

// period reads a period the actor may see, with the path of its office.
func (db *DB) period(ctx context.Context, q rowQueryer, a *qingqian.Actor, where string, arg any) (*qingqian.Period, string, error) {
	p, path, err := db.scanPeriod(q.QueryRowContext(ctx, `SELECT `+periodColumns+` FROM periods p JOIN orgs o ON o.id = p.org_id WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", periodNotFound()
	} else if err != nil {
		return nil, "", qingqian.Internal(err)
	}
	if !related(a, path) {
		return nil, "", periodNotFound()
	}
	return p, path, nil
}

// OpenPeriod implements qingqian.ReportService.
func (s *ReportService) OpenPeriod(ctx context.Context, p *qingqian.Period) error {
	a, err := requireOffice(ctx, "开启报送期次")
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error { return tx.openPeriod(ctx, p) })
}

func (tx *Tx) openPeriod(ctx context.Context, p *qingqian.Period) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	orgID, path, err := tx.db.actorOrg(ctx, tx, tx.actor)
	if err != nil {
		return err
	}
	p.OrgID = orgID
	if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, orgID).Scan(&p.OrgName); err != nil {
		return err
	}
	if p.No == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(MAX(no), 0) + 1 AS BIGINT) FROM periods WHERE org_id = $1`, orgID).Scan(&p.No); err != nil {
			return err
		}
	}
	if p.Title == "" {
		p.Title = p.DefaultTitle()
	}
	p.CreatedBy, p.CreatedAt = tx.actor.Name, tx.now
	err = tx.QueryRowContext(ctx, `INSERT INTO periods (org_id, no, kind, title, starts_on, as_of, deadline, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		p.OrgID, p.No, p.Kind, p.Title, p.StartsOn, p.AsOf, p.Deadline, p.Note, p.CreatedBy, tx.ts(tx.now)).Scan(&p.ID)
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: fmt.Sprintf("第%d期已经存在", p.No), Fields: map[string]string{"no": "期次号已存在"}}
	} else if err != nil {
		return err
	}
	return tx.audit(ctx, "period.open", "period", p.ID, path, nil, p)
}

// GeneratePeriods implements qingqian.ReportService.
func (s *ReportService) GeneratePeriods(ctx context.Context, sc qingqian.Schedule) ([]*qingqian.Period, error) {
	a, err := requireOffice(ctx, "开启报送期次")
	if err != nil {
		return nil, err
	}
	ps, err := sc.Periods()
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		for _, p := range ps {
			if err := tx.openPeriod(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// FindPeriods implements qingqian.ReportService.
func (s *ReportService) FindPeriods(ctx context.Context, f qingqian.PeriodFilter) ([]*qingqian.Period, int, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var q args
	lo, hi := subtreeRange(a.OrgPath)
	// Periods of offices in the actor's subtree, or of an office above the actor.
	where := `((o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi) + `) OR substr(` + q.add(a.OrgPath) + `, 1, length(o.path)) = o.path)`
	if f.Kind != "" {
		where += ` AND p.kind = ` + q.add(string(f.Kind))
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM periods p JOIN orgs o ON o.id = p.org_id WHERE `+where, q...).Scan(&total); err != nil {
		return nil, 0, qingqian.Internal(err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+periodColumns+` FROM periods p JOIN orgs o ON o.id = p.org_id WHERE `+where+
		` ORDER BY p.as_of DESC, p.no DESC LIMIT `+q.add(limit)+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, qingqian.Internal(err)
	}
	defer rows.Close()
	var out []*qingqian.Period
	for rows.Next() {
		p, _, err := s.db.scanPeriod(rows)
		if err != nil {
			return nil, 0, qingqian.Internal(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, qingqian.Internal(err)
	}
	return out, total, nil
}

// FindPeriod implements qingqian.ReportService.
func (s *ReportService) FindPeriod(ctx context.Context, id int64) (*qingqian.Period, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	p, _, err := s.db.period(ctx, s.db.read, a, `p.id = $1`, id)
	return p, err
}

// FindPeriodByNo implements qingqian.ReportService: the number is that of the actor's office,
// or of the office above it.
func (s *ReportService) FindPeriodByNo(ctx context.Context, no int) (*qingqian.Period, error) {
	ps, _, err := s.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.No == no {
			return p, nil
		}
	}
	return nil, qingqian.Errorf(qingqian.ENOTFOUND, "第%d期不存在", no)
}

// groups lists the active groups under the office at officePath that the actor may see: all of
// them for the office, its own for a group's user; all of them with a nil actor.
func (db *DB) groups(ctx context.Context, q queryer, a *qingqian.Actor, officePath string) ([]*qingqian.Org, error) {
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
func (s *ReportService) Groups(ctx context.Context) ([]*qingqian.Org, error) {
	a, err := qingqian.RequireActor(ctx)
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
		return nil, qingqian.Internal(err)
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

// lockedBaselines returns the approved baseline figures of the groups under officePath, by
// group, the latest baseline period of each.
func (db *DB) lockedBaselines(ctx context.Context, q queryer, officePath string) (map[int64]qingqian.GroupFigures, error) {
	lo, hi := subtreeRange(officePath)
	rows, err := q.QueryContext(ctx, `SELECT s.org_id, s.figures FROM submissions s JOIN periods p ON p.id = s.period_id JOIN orgs g ON g.id = s.org_id
		WHERE p.kind = 'baseline' AND s.state = 'approved' AND g.path >= $1 AND g.path < $2 ORDER BY p.as_of, p.id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]qingqian.GroupFigures{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		var f qingqian.GroupFigures
		if err := json.Unmarshal([]byte(body), &f); err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, rows.Err()
}

// baselineLock reports, for a unit at path, the group whose baseline is signed off and locked
// above or at it, or "".
func (tx *Tx) baselineLock(ctx context.Context, path string) (string, error) {
	// An import asks for the same few units a hundred thousand times.
	if lock, ok := tx.locks[path]; ok {
		return lock, nil
	}
	lock, err := tx.findBaselineLock(ctx, path)
	if err == nil {
		if tx.locks == nil {
			tx.locks = map[string]string{}
		}
		tx.locks[path] = lock
	}
	return lock, err
}

func (tx *Tx) findBaselineLock(ctx context.Context, path string) (string, error) {
	var name string
	var asOf qingqian.Date
	err := tx.QueryRowContext(ctx, `SELECT g.name, p.as_of FROM submissions s JOIN periods p ON p.id = s.period_id JOIN orgs g ON g.id = s.org_id
		WHERE p.kind = 'baseline' AND s.state = 'approved' AND substr($1, 1, length(g.path)) = g.path ORDER BY p.as_of LIMIT 1`, path).Scan(&name, &asOf)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s的底数（截至%s）已签批锁定", name, asOf), nil
}

// groupFigures computes a group's figures for a period from the ledger, as known now (through
// q: a write transaction gives a consistent snapshot).
func (db *DB) groupFigures(ctx context.Context, q readQueryer, g *qingqian.Org, p *qingqian.Period, locked map[int64]qingqian.GroupFigures) (qingqian.GroupFigures, error) {
	fs, err := db.groupsFigures(ctx, q, []*qingqian.Org{g}, p, locked)
	return fs[g.ID], err
}

// groupsFigures computes the figures of several groups at once: one pass over the running
// totals, split over the read pool's connections outside a transaction.
func (db *DB) groupsFigures(ctx context.Context, q readQueryer, gs []*qingqian.Org, p *qingqian.Period, locked map[int64]qingqian.GroupFigures) (map[int64]qingqian.GroupFigures, error) {
	ids := make([]int64, len(gs))
	for i, g := range gs {
		ids[i] = g.ID
	}
	_, inTx := q.(*Tx)
	sums, err := db.totalsFor(ctx, q, ids, p.StartsOn, p.AsOf, !inTx)
	if err != nil {
		return nil, err
	}
	out := map[int64]qingqian.GroupFigures{}
	for _, g := range gs {
		t, before := sums[g.ID].t, sums[g.ID].repaidBefore
		var f qingqian.GroupFigures
		o := t.Overall
		f.RepaidToDate = o.Repaid
		f.RepaidPeriod = o.Repaid - before
		f.Recognised = o.RecognisedUndisputed + o.RecognisedDisputed
		f.Outstanding, f.Undisputed, f.Disputed = o.Outstanding, o.OutstandingUndisputed, o.OutstandingDisputed
		f.Items, f.Payments, f.PaymentsNoVoucher, f.RepaidNoVoucher = o.Items, o.Payments, o.PaymentsNoVoucher, o.RepaidNoVoucher
		f.Rate = qingqian.RateOf(f.RepaidToDate, f.Outstanding)
		for origin, of := range t.ByOrigin {
			if origin == qingqian.OriginBaseline {
				f.Baseline = of.RecognisedUndisputed + of.RecognisedDisputed
				f.BaselineRepaid, f.BaselineLeft = of.Repaid, of.Outstanding
				continue
			}
			f.NewItems += of.Items
			f.NewAmount += of.RecognisedUndisputed + of.RecognisedDisputed
			f.NewOutstanding += of.Outstanding
		}
		if f.InCourt, err = db.inCourt(ctx, q, g.Path, p.AsOf); err != nil {
			return nil, err
		}
		if b, ok := locked[g.ID]; ok && p.Kind != qingqian.PeriodBaseline {
			f.Baseline, f.BaselineLocked = b.Baseline, true
		}
		out[g.ID] = f
	}
	return out, nil
}

// zeroFlags explains why a zero report does not match the ledger.
func zeroFlags(f *qingqian.GroupFigures, asOf qingqian.Date) []string {
	var out []string
	if f.Outstanding > 0 {
		out = append(out, fmt.Sprintf("台账显示截至%s仍有未清偿欠款 %s 万元", asOf, f.Outstanding.Wan()))
	}
	if f.RepaidPeriod > 0 {
		out = append(out, fmt.Sprintf("台账显示本期清偿 %s 万元，与零报告不符", f.RepaidPeriod.Wan()))
	}
	return out
}

const submissionColumns = `s.id, s.period_id, s.org_id, g.name, g.path, s.state, s.zero, s.narrative, s.explanation, s.figures, s.known_at, s.flags,
	s.submitted_at, s.late, s.check_result, s.check_basis, s.checked_by, s.checked_at, s.version`

const submissionFrom = ` FROM submissions s JOIN orgs g ON g.id = s.org_id`

func scanSubmission(row interface{ Scan(...any) error }) (*qingqian.Submission, string, error) {
	s := &qingqian.Submission{}
	var path, figures, flags string
	var chk qingqian.ZeroCheck
	err := row.Scan(&s.ID, &s.PeriodID, &s.OrgID, &s.OrgName, &path, &s.State, &s.Zero, &s.Narrative, &s.Explanation, &figures,
		timeCol{&s.KnownAt}, &flags, timeCol{&s.SubmittedAt}, &s.Late, &chk.Result, &chk.Basis, &chk.CheckedBy, timeCol{&chk.CheckedAt}, &s.Version)
	if err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal([]byte(figures), &s.Figures); err != nil {
		return nil, "", err
	}
	if err := json.Unmarshal([]byte(flags), &s.Flags); err != nil {
		return nil, "", err
	}
	if chk.Result != "" {
		s.Check = &chk
	}
	return s, path, nil
}

func (db *DB) steps(ctx context.Context, q queryer, id int64) ([]qingqian.SignStep, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, action, actor_id, actor_name, note, at FROM submission_steps WHERE submission_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []qingqian.SignStep{}
	for rows.Next() {
		var st qingqian.SignStep
		if err := rows.Scan(&st.Seq, &st.Action, &st.ActorID, &st.ActorName, &st.Note, timeCol{&st.At}); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// lastBy returns who took the latest step of the action since the submission was last prepared.
func lastBy(steps []qingqian.SignStep, act qingqian.SignAction) int64 {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Action == act {
			return steps[i].ActorID
		}
		if steps[i].Action == qingqian.ActPrepare {
			break
		}
	}
	return 0
}

func (tx *Tx) addStep(ctx context.Context, id int64, act qingqian.SignAction, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO submission_steps (submission_id, seq, action, actor_id, actor_name, note, at)
		VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM submission_steps WHERE submission_id = $1), $2, $3, $4, $5, $6)`,
		id, act, tx.actor.UserID, tx.actor.Name, note, tx.ts(tx.now))
	return err
}

// Prepare implements qingqian.ReportService.
func (s *ReportService) Prepare(ctx context.Context, in qingqian.SubmissionInput) (*qingqian.Submission, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSign(qingqian.ActPrepare) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有联络员或填报人员可以填报")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		p, officePath, err := tx.db.period(ctx, tx, a, `p.id = $1`, in.PeriodID)
		if err != nil {
			return err
		}
		if in.OrgID == 0 {
			gs, err := tx.db.groups(ctx, tx, a, officePath)
			if err != nil {
				return err
			}
			if len(gs) != 1 {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择报送的集团", Fields: map[string]string{"org_id": "请选择集团"}}
			}
			in.OrgID = gs[0].ID
		}
		g, err := tx.findOrg(ctx, in.OrgID)
		if err != nil || !a.Reaches(g.Path) || !strings.HasPrefix(g.Path, officePath) {
			if err == nil && !a.Reaches(g.Path) {
				tx.deny("org", in.OrgID)
			}
			return orgNotFound()
		}
		if g.Kind != qingqian.OrgGroup {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "报送以集团为单位，请选择集团公司", Fields: map[string]string{"org_id": "不是集团公司"}}
		}
		var cur qingqian.SubmissionState
		var version int
		err = tx.QueryRowContext(ctx, `SELECT id, state, version FROM submissions WHERE period_id = $1 AND org_id = $2`+tx.db.d.forUpdate, p.ID, g.ID).Scan(&id, &cur, &version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := qingqian.NextState(cur, qingqian.ActPrepare); err != nil {
			return err
		}
		locked, err := tx.db.lockedBaselines(ctx, tx, g.Path)
		if err != nil {
			return err
		}
		f, err := tx.db.groupFigures(ctx, tx, g, p, locked)
		if err != nil {
			return err
		}
		flags := []string{}
		if in.Zero {
			flags = append(flags, zeroFlags(&f, p.AsOf)...)
			open, _, err := tx.db.clueCounts(ctx, tx, g.Path, map[string]bool{g.Path: true})
			if err != nil {
				return err
			}
			if n := open[g.Path]; n > 0 {
				flags = append(flags, fmt.Sprintf("尚有 %d 条投诉举报线索未销号", n))
			}
		}
		fb, _ := json.Marshal(f)
		fl, _ := json.Marshal(flags)
		if id == 0 {
			err = tx.QueryRowContext(ctx, `INSERT INTO submissions (period_id, org_id, state, zero, narrative, explanation, figures, known_at, flags)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				p.ID, g.ID, qingqian.StatePrepared, in.Zero, in.Narrative, in.Explanation, string(fb), tx.ts(tx.now), string(fl)).Scan(&id)
			if isUnique(err) {
				return qingqian.Errorf(qingqian.ECONFLICT, "该集团本期已有报送，请刷新后再试")
			}
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE submissions SET state = $1, zero = $2, narrative = $3, explanation = $4, figures = $5, known_at = $6, flags = $7,
				version = version + 1 WHERE id = $8`, qingqian.StatePrepared, in.Zero, in.Narrative, in.Explanation, string(fb), tx.ts(tx.now), string(fl), id)
		}
		if err != nil {
			return err
		}
		if err := tx.addStep(ctx, id, qingqian.ActPrepare, ""); err != nil {
			return err
		}
		return tx.audit(ctx, "submission.prepare", "submission", id, g.Path, nil, map[string]any{"period_id": p.ID, "no": p.No, "zero": in.Zero, "figures": f})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSubmission(ctx, id)
}

// lockSubmission reads a submission in the actor's subtree for change, locked on PostgreSQL.
func (tx *Tx) lockSubmission(ctx context.Context, id int64) (*qingqian.Submission, string, error) {
	sub, path, err := scanSubmission(tx.QueryRowContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.id = $1`+tx.db.d.forUpdateOf("s"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", submissionNotFound()
	} else if err != nil {
		return nil, "", err
	}
	if !tx.actor.Reaches(path) {
		tx.deny("submission", id)
		return nil, "", submissionNotFound()
	}
	return sub, path, nil
}

// Sign implements qingqian.ReportService.
func (s *ReportService) Sign(ctx context.Context, id int64, act qingqian.SignAction, note string, version int) (*qingqian.Submission, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanSign(qingqian.ActReview) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有审核、签批人员可以办理")
	}
	if act == qingqian.ActPrepare {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "填报请使用填报功能", Fields: map[string]string{"action": "应为 review、approve 或 return"}}
	}
	if _, ok := qingqian.SignActionNames[act]; !ok {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择操作：审核、签批或退回", Fields: map[string]string{"action": "应为 review、approve 或 return"}}
	}
	if act == qingqian.ActReturn && note == "" {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写退回原因", Fields: map[string]string{"note": "请填写退回原因"}}
	}
	if len([]rune(note)) > 2000 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "意见不能超过2000个字", Fields: map[string]string{"note": "过长"}}
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		sub, path, err := tx.lockSubmission(ctx, id)
		if err != nil {
			return err
		}
		if sub.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "该报送已被他人处理（版本 %d，当前 %d），请刷新后再操作", version, sub.Version)
		}
		next, err := qingqian.NextState(sub.State, act)
		if err != nil {
			return err
		}
		steps, err := tx.db.steps(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.UserID != 0 {
			switch act {
			case qingqian.ActReview:
				if lastBy(steps, qingqian.ActPrepare) == a.UserID {
					return qingqian.Errorf(qingqian.ECONFLICT, "审核须由填报人以外的人员进行")
				}
			case qingqian.ActApprove:
				if lastBy(steps, qingqian.ActPrepare) == a.UserID || lastBy(steps, qingqian.ActReview) == a.UserID {
					return qingqian.Errorf(qingqian.ECONFLICT, "签批须由填报人、审核人以外的负责同志进行")
				}
			}
		}
		if act == qingqian.ActApprove {
			var deadline qingqian.Date
			if err := tx.QueryRowContext(ctx, `SELECT deadline FROM periods WHERE id = $1`, sub.PeriodID).Scan(&deadline); err != nil {
				return err
			}
			late := deadline.Before(qingqian.DateOf(tx.now))
			_, err = tx.ExecContext(ctx, `UPDATE submissions SET state = $1, submitted_at = $2, late = $3, version = version + 1 WHERE id = $4`, next, tx.ts(tx.now), late, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE submissions SET state = $1, version = version + 1 WHERE id = $2`, next, id)
		}
		if err != nil {
			return err
		}
		if err := tx.addStep(ctx, id, act, note); err != nil {
			return err
		}
		return tx.audit(ctx, "submission."+string(act), "submission", id, path, map[string]any{"state": sub.State}, map[string]any{"state": next, "note": note})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSubmission(ctx, id)
}

// FindSubmission implements qingqian.ReportService.
func (s *ReportService) FindSubmission(ctx context.Context, id int64) (*qingqian.Submission, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	sub, path, err := scanSubmission(s.db.read.QueryRowContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, submissionNotFound()
	} else if err != nil {
		return nil, qingqian.Internal(err)
	}
	if !a.Reaches(path) {
		s.db.securityEvent(ctx, a, "submission", id)
		return nil, submissionNotFound()
	}
	if sub.Steps, err = s.db.steps(ctx, s.db.read, id); err != nil {
		return nil, qingqian.Internal(err)
	}
	if sub.State == qingqian.StateApproved {
		p, _, err := s.db.period(ctx, s.db.read, &qingqian.Actor{System: true, OrgPath: "/"}, `p.id = $1`, sub.PeriodID)
		if err != nil {
			return nil, err
		}
		g := &qingqian.Org{ID: sub.OrgID, Path: path}
		locked, err := s.db.lockedBaselines(ctx, s.db.read, path)
		if err != nil {
			return nil, qingqian.Internal(err)
		}
		now, err := s.db.groupFigures(ctx, s.db.read, g, p, locked)
		if err != nil {
			return nil, qingqian.Internal(err)
		}
		sub.Diffs = sub.Figures.Diff(&now)
	}
	return sub, nil
}

// FindSubmissions implements qingqian.ReportService.
func (s *ReportService) FindSubmissions(ctx context.Context, periodID int64) ([]*qingqian.Submission, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.db.period(ctx, s.db.read, a, `p.id = $1`, periodID); err != nil {
		return nil, err
	}
	return s.db.submissions(ctx, s.db.read, a, periodID)
}

func (db *DB) submissions(ctx context.Context, q queryer, a *qingqian.Actor, periodID int64) ([]*qingqian.Submission, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+submissionColumns+submissionFrom+` WHERE s.period_id = $1 ORDER BY g.path`, periodID)
	if err != nil {
		return nil, qingqian.Internal(err)
	}
	defer rows.Close()
	out := []*qingqian.Submission{}
	for rows.Next() {
		sub, path, err := scanSubmission(rows)
		if err != nil {
			return nil, qingqian.Internal(err)
		}
		if a.Reaches(path) {
			out = append(out, sub)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, qingqian.Internal(err)
	}
	return out, nil
}

// CheckZero implements qingqian.ReportService.
func (s *ReportService) CheckZero(ctx context.Context, id int64, result, basis string) (*qingqian.Submission, error) {
	a, err := requireOffice(ctx, "核查零报告")
	if err != nil {
		return nil, err
	}
	v := qingqian.Validation{}
	if _, ok := qingqian.ZeroCheckResults[result]; !ok {
		v.Add("result", "请选择核查结论")
	}
	if basis == "" {
		v.Add("basis", "请填写核查依据（如电话核实、现场检查、比对台账）")
	} else if len([]rune(basis)) > 2000 {
		v.Add("basis", "核查依据不能超过2000个字")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		sub, path, err := tx.lockSubmission(ctx, id)
		if err != nil {
			return err
		}
		if !sub.Zero {
			return qingqian.Errorf(qingqian.ECONFLICT, "这不是零报告，无需核查")
		}
		if sub.State != qingqian.StateApproved {
			return qingqian.Errorf(qingqian.ECONFLICT, "零报告签批报送后才能核查")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET check_result = $1, check_basis = $2, checked_by = $3, checked_at = $4, version = version + 1 WHERE id = $5`,
			result, basis, a.Name, tx.ts(tx.now), id); err != nil {
			return err
		}
		return tx.audit(ctx, "submission.check", "submission", id, path, sub.Check, map[string]any{"result": result, "basis": basis})
	})
	if err != nil {
		return nil, err
	}
	return s.FindSubmission(ctx, id)
}

// Report implements qingqian.ReportService.
func (s *ReportService) Report(ctx context.Context, periodID int64) (*qingqian.Report, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	p, officePath, err := s.db.period(ctx, s.db.read, a, `p.id = $1`, periodID)
	if err != nil {
		return nil, err
	}
	var body, by string
	var at time.Time
	err = s.db.read.QueryRowContext(ctx, `SELECT body, issued_by, issued_at FROM reports WHERE period_id = $1`, periodID).Scan(&body, &by, timeCol{&at})
	if err == nil {
		r := &qingqian.Report{}
		if err := json.Unmarshal([]byte(body), r); err != nil {
			return nil, qingqian.Internal(err)
		}
		// An issued report is the province's; a group's user sees only its own line of it.
		if !a.Reaches(officePath) {
			gs, err := s.db.groups(ctx, s.db.read, a, officePath)
			if err != nil {
				return nil, qingqian.Internal(err)
			}
			mine := map[int64]bool{}
			for _, g := range gs {
				mine[g.ID] = a.Reaches(g.Path)
			}
			rows := r.Rows[:0]
			r.Total = qingqian.GroupFigures{}
			for _, row := range r.Rows {
				if mine[row.OrgID] {
					rows = append(rows, row)
					r.Total.Add(row.Figures)
				}
			}
			r.Rows = rows
		}
		return r, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, qingqian.Internal(err)
	}
	r, err := s.db.consolidate(ctx, s.db.read, a, p, officePath)
	if err != nil {
		return nil, qingqian.Internal(err)
	}
	return r, nil
}

// consolidate makes the period's report from the approved submissions and, for groups without
// one, from the ledger now.
func (db *DB) consolidate(ctx context.Context, q readQueryer, a *qingqian.Actor, p *qingqian.Period, officePath string) (*qingqian.Report, error) {
	r := &qingqian.Report{Period: *p, Office: p.OrgName, MadeAt: db.Now(), Rows: []qingqian.ReportRow{}}
	gs, err := db.groups(ctx, q, a, officePath)
	if err != nil {
		return nil, err
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
	r.Total.BaselineLocked = len(r.Rows) > 0
	for _, row := range r.Rows {
		r.Total.BaselineLocked = r.Total.BaselineLocked && row.Figures.BaselineLocked
	}
	return r, nil
}

// IssueReport implements qingqian.ReportService.
func (s *ReportService) IssueReport(ctx context.Context, periodID int64) (*qingqian.Report, error) {
	a, err := requireOffice(ctx, "印发汇总报表")
	if err != nil {
		return nil, err
	}
	var r *qingqian.Report
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		p, officePath, err := tx.db.period(ctx, tx, a, `p.id = $1`, periodID)
		if err != nil {
			return err
		}
		if !a.Reaches(officePath) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有开启该期次的清欠办可以印发汇总报表")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE period_id = $1`, periodID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期汇总报表已经印发，不能重复印发", p.No)
		}
		if r, err = tx.db.consolidate(ctx, tx, a, p, officePath); err != nil {
			return err
		}
		r.Issued, r.IssuedBy, r.IssuedAt, r.MadeAt = true, a.Name, tx.now.UTC().Truncate(time.Microsecond), tx.now.UTC().Truncate(time.Microsecond)
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reports (period_id, body, issued_by, issued_at) VALUES ($1, $2, $3, $4)`,
			periodID, string(body), a.Name, tx.ts(tx.now)); err != nil {
			return err
		}
		return tx.audit(ctx, "report.issue", "period", periodID, officePath, nil, map[string]any{"no": p.No, "total": r.Total, "groups": len(r.Rows)})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Lateness implements qingqian.ReportService.
func (s *ReportService) Lateness(ctx context.Context) ([]qingqian.Lateness, error) {
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
		return nil, qingqian.Internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var late bool
		if err := rows.Scan(&k.period, &k.org, &late); err != nil {
			return nil, qingqian.Internal(err)
		}
		done[k] = true
		if i, ok := idx[k.org]; ok && late {
			out[i].Late++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, qingqian.Internal(err)
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
