package sqldb

// Reminders (催报) to the groups that have not reported a period, and how far each period's
// reporting has come.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// PeriodStatuses implements qingqian.ReportService.
func (s *ReportService) PeriodStatuses(ctx context.Context, periodIDs []int64) (_ map[int64]qingqian.PeriodStatus, err error) {
	defer serviceErr(&err, "statuses of %d periods", len(periodIDs))
	if _, err := qingqian.RequireReader(ctx); err != nil {
		return nil, err
	}
	out := map[int64]qingqian.PeriodStatus{}
	if len(periodIDs) == 0 {
		return out, nil
	}
	gs, err := s.Groups(ctx)
	if err != nil {
		return nil, err
	}
	mine := map[int64]bool{}
	for _, g := range gs {
		mine[g.ID] = true
	}
	var q args
	marks := make([]string, len(periodIDs))
	for i, id := range periodIDs {
		marks[i] = q.add(id)
		out[id] = qingqian.PeriodStatus{PeriodID: id, Groups: len(gs)}
	}
	in := `(` + strings.Join(marks, ", ") + `)`
	count := func(query string, add func(st *qingqian.PeriodStatus, org int64)) error {
		rows, err := s.db.read.QueryContext(ctx, query, q...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var period, org int64
			if err := rows.Scan(&period, &org); err != nil {
				return err
			}
			st := out[period]
			add(&st, org)
			out[period] = st
		}
		return rows.Err()
	}
	if err := count(`SELECT period_id, org_id FROM submissions WHERE state = 'approved' AND period_id IN `+in, func(st *qingqian.PeriodStatus, org int64) {
		if mine[org] {
			st.Reported++
		}
	}); err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	if err := count(`SELECT period_id, 0 FROM reports WHERE period_id IN `+in, func(st *qingqian.PeriodStatus, _ int64) { st.Issued = true }); err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	if err := count(`SELECT period_id, org_id FROM period_reminders WHERE period_id IN `+in, func(st *qingqian.PeriodStatus, org int64) {
		if mine[org] {
			st.Reminders++
		}
	}); err != nil {
		return nil, fmt.Errorf("read period_reminders: %w", err)
	}
	return out, nil
}

// remindAgainAfter is how long after a reminder the same group may be reminded again.
const remindAgainAfter = time.Hour

// Remind implements qingqian.ReportService.
func (s *ReportService) Remind(ctx context.Context, periodID int64, note string) (_ []*qingqian.Reminder, err error) {
	defer serviceErr(&err, "remind the groups of period %d", periodID)
	a, err := requireOffice(ctx, "催报")
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "催报说明不能超过500个字", Fields: map[string]string{"note": "过长"}}
	}
	if err := qingqian.RefuseNUL("note", note); err != nil {
		return nil, err
	}
	var out []*qingqian.Reminder
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		out = nil
		p, officePath, err := tx.db.period(ctx, tx, a, `p.id = $1`, periodID)
		if err != nil {
			return err
		}
		if !a.Reaches(officePath) {
			return qingqian.Errorf(qingqian.EFORBIDDEN, "只有开启该期次的清欠办可以催报")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE period_id = $1`, periodID).Scan(&n); err != nil {
			return fmt.Errorf("read reports: %w", err)
		}
		if n > 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期汇总报表已经印发，不再催报", p.No)
		}
		if today := qingqian.DateOf(tx.now); p.AsOf.After(today) {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期的数据截至%s，尚未到期，不能催报", p.No, p.AsOf)
		}
		// A group reminded within the hour is not reminded again (a second click, another clerk).
		recent := map[int64]bool{}
		rrows, err := tx.QueryContext(ctx, `SELECT org_id FROM period_reminders WHERE period_id = $1 AND sent_at > $2`, periodID, tx.ts(tx.now.Add(-remindAgainAfter)))
		if err != nil {
			return fmt.Errorf("read period_reminders: %w", err)
		}
		for rrows.Next() {
			var id int64
			if err := rrows.Scan(&id); err != nil {
				rrows.Close()
				return err
			}
			recent[id] = true
		}
		rrows.Close()
		if err := rrows.Err(); err != nil {
			return err
		}
		gs, err := tx.db.groups(ctx, tx, a, officePath)
		if err != nil {
			return err
		}
		done := map[int64]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT org_id FROM submissions WHERE period_id = $1 AND state = 'approved'`, periodID)
		if err != nil {
			return fmt.Errorf("read submissions: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			done[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var names []string
		skipped := 0
		for _, g := range gs {
			if done[g.ID] {
				continue
			}
			if recent[g.ID] {
				skipped++
				continue
			}
			r := &qingqian.Reminder{PeriodID: p.ID, PeriodNo: p.No, PeriodTitle: p.Title, Deadline: p.Deadline, OrgID: g.ID, OrgName: g.Name,
				Note: note, SentBy: a.Name, SentAt: tx.now}
			if err := tx.QueryRowContext(ctx, `INSERT INTO period_reminders (period_id, org_id, note, sent_by, sent_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				p.ID, g.ID, note, a.Name, tx.ts(tx.now)).Scan(&r.ID); err != nil {
				return fmt.Errorf("insert into period_reminders: %w", err)
			}
			out = append(out, r)
			names = append(names, g.Name)
		}
		if len(out) == 0 && skipped > 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期未报送的 %d 家集团一小时内已催报过，请稍后再催", p.No, skipped)
		}
		if len(out) == 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "第%d期各集团均已签批报送，无需催报", p.No)
		}
		return tx.audit(ctx, "period.remind", "period", periodID, officePath, nil, map[string]any{"no": p.No, "groups": names, "note": note})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindReminders implements qingqian.ReportService.
func (s *ReportService) FindReminders(ctx context.Context) (_ []*qingqian.Reminder, err error) {
	defer serviceErr(&err, "find reminders")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	rows, err := s.db.read.QueryContext(ctx, `SELECT r.id, r.period_id, p.no, p.title, p.deadline, r.org_id, g.name, r.note, r.sent_by, r.sent_at
		FROM period_reminders r JOIN periods p ON p.id = r.period_id JOIN orgs g ON g.id = r.org_id
		WHERE g.path >= $1 AND g.path < $2
		AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = r.period_id AND s.org_id = r.org_id AND s.state = 'approved')
		ORDER BY r.sent_at DESC, r.id DESC LIMIT 20`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read period_reminders: %w", err)
	}
	defer rows.Close()
	var out []*qingqian.Reminder
	for rows.Next() {
		r := &qingqian.Reminder{}
		if err := rows.Scan(&r.ID, &r.PeriodID, &r.PeriodNo, &r.PeriodTitle, &r.Deadline, &r.OrgID, &r.OrgName, &r.Note, &r.SentBy, timeCol{&r.SentAt}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
