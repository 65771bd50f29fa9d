package sqldb

import (
	"bytes"
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
)

// CalendarService implements qingqian.CalendarService.
type CalendarService struct{ db *DB }

// NewCalendarService returns the calendar service over db.
func NewCalendarService(db *DB) *CalendarService { return &CalendarService{db: db} }

var _ qingqian.CalendarService = (*CalendarService)(nil)

// shippedCalendar are the years the database starts with, and the notices they come from.
var shippedCalendar = []struct {
	year   int
	source string
}{
	{2020, "国务院办公厅关于2020年部分节假日安排的通知（国办发明电〔2019〕16号）；国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号）"},
	{2021, "国务院办公厅关于2021年部分节假日安排的通知（国办发明电〔2020〕27号）"},
	{2022, "国务院办公厅关于2022年部分节假日安排的通知（国办发明电〔2021〕11号）"},
	{2023, "国务院办公厅关于2023年部分节假日安排的通知（国办发明电〔2022〕16号）"},
	{2024, "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）"},
	{2025, "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"},
	{2026, "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"},
}

// seedCalendar loads the shipped years from migrations/holidays-cn.csv.
func seedCalendar(ctx context.Context, tx *Tx) error { return tx.loadShippedCalendar(ctx, false) }

// seedMissingCalendar loads the shipped years a database does not hold yet, leaving alone every
// year it holds (an administrator may have entered or corrected it).
func seedMissingCalendar(ctx context.Context, tx *Tx) error { return tx.loadShippedCalendar(ctx, true) }

func (tx *Tx) loadShippedCalendar(ctx context.Context, onlyMissing bool) (err error) {
	defer wrapErr(&err, "load the shipped calendar")
	b, err := migrations.ReadFile("migrations/holidays-cn.csv")
	if err != nil {
		return err
	}
	for _, y := range shippedCalendar {
		if onlyMissing {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calendar_years WHERE year = $1`, y.year).Scan(&n); err != nil {
				return fmt.Errorf("read calendar_years: %w", err)
			}
			if n > 0 {
				continue
			}
		}
		days, err := qingqian.ParseCalendarLines(bytes.NewReader(b), y.year)
		if err != nil {
			return err
		}
		if err := tx.setCalendarYear(ctx, y.year, y.source, days); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) setCalendarYear(ctx context.Context, year int, source string, days []qingqian.CalendarDay) (err error) {
	defer wrapErr(&err, "write calendar year %d", year)
	lo, hi := qingqian.NewDate(year, 1, 1), qingqian.NewDate(year+1, 1, 1)
	if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE day >= $1 AND day < $2`, lo, hi); err != nil {
		return fmt.Errorf("delete from calendar_days: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_years WHERE year = $1`, year); err != nil {
		return fmt.Errorf("delete from calendar_years: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (year, source, created_by, created_at) VALUES ($1, $2, $3, $4)`,
		year, source, tx.actor.Name, tx.ts(tx.now)); err != nil {
		return fmt.Errorf("insert into calendar_years: %w", err)
	}
	for _, d := range days {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)`, d.Day, d.Kind, d.Name); err != nil {
			return fmt.Errorf("insert into calendar_days: %w", err)
		}
	}
	return nil
}

// calendar reads the whole calendar (a few dozen rows a year).
func (db *DB) calendar(ctx context.Context, q queryer) (_ *qingqian.Calendar, err error) {
	defer wrapErr(&err, "read the calendar")
	rows, err := q.QueryContext(ctx, `SELECT year FROM calendar_years`)
	if err != nil {
		return nil, fmt.Errorf("read calendar_years: %w", err)
	}
	var years []int
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return nil, err
		}
		years = append(years, y)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT day, kind, name FROM calendar_days`)
	if err != nil {
		return nil, fmt.Errorf("read calendar_days: %w", err)
	}
	defer rows.Close()
	var days []qingqian.CalendarDay
	for rows.Next() {
		var d qingqian.CalendarDay
		if err := rows.Scan(&d.Day, &d.Kind, &d.Name); err != nil {
			return nil, err
		}
		days = append(days, d)
	}
	return qingqian.NewCalendar(years, days), rows.Err()
}

// Calendar implements qingqian.CalendarService.
func (s *CalendarService) Calendar(ctx context.Context) (_ *qingqian.Calendar, err error) {
	defer serviceErr(&err, "read the calendar")
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	}
	c, err := s.db.calendar(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// FindCalendarYears implements qingqian.CalendarService.
func (s *CalendarService) FindCalendarYears(ctx context.Context) (_ []qingqian.CalendarYear, err error) {
	defer serviceErr(&err, "find calendar years")
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	}
	c, err := s.db.calendar(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT year, source, created_by, created_at FROM calendar_years ORDER BY year DESC`)
	if err != nil {
		return nil, fmt.Errorf("read calendar_years: %w", err)
	}
	defer rows.Close()
	out := []qingqian.CalendarYear{}
	for rows.Next() {
		var y qingqian.CalendarYear
		if err := rows.Scan(&y.Year, &y.Source, &y.CreatedBy, timeCol{&y.CreatedAt}); err != nil {
			return nil, err
		}
		y.Days = c.Listed(y.Year)
		out = append(out, y)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// FindCalendarDays implements qingqian.CalendarService.
func (s *CalendarService) FindCalendarDays(ctx context.Context, year int) (_ []qingqian.CalendarDay, err error) {
	defer serviceErr(&err, "find calendar days of %d", year)
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT day, kind, name FROM calendar_days WHERE day >= $1 AND day < $2 ORDER BY day`,
		qingqian.NewDate(year, 1, 1), qingqian.NewDate(year+1, 1, 1))
	if err != nil {
		return nil, fmt.Errorf("read calendar_days: %w", err)
	}
	defer rows.Close()
	out := []qingqian.CalendarDay{}
	for rows.Next() {
		var d qingqian.CalendarDay
		if err := rows.Scan(&d.Day, &d.Kind, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// SetCalendarYear implements qingqian.CalendarService.
func (s *CalendarService) SetCalendarYear(ctx context.Context, year int, source string, days []qingqian.CalendarDay) (err error) {
	defer serviceErr(&err, "set calendar year %d", year)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if !a.Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以录入节假日安排")
	}
	v := qingqian.Validation{}
	if year < 2000 || year > 2100 {
		v.Add("year", "年份应在2000到2100之间")
	}
	if source == "" {
		v.Add("source", "请填写依据（国务院办公厅通知的名称或文号）")
	} else if len([]rune(source)) > 200 {
		v.Add("source", "依据不能超过200个字")
	}
	if len(days) == 0 {
		v.Add("days", "请填写放假和调休上班的日期")
	}
	for _, d := range days {
		if d.Day.Year() != year {
			v.Add("days", fmt.Sprintf("%s 不在%d年", d.Day, year))
			break
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		if err := tx.setCalendarYear(ctx, year, source, days); err != nil {
			return err
		}
		// Deadlines counted on weekends alone become firm; corrected days move others.
		n, err := tx.reckonClues(ctx)
		if err != nil {
			return err
		}
		// So do the due dates of payables: those of contracts signed up to the year's end.
		k, err := tx.recomputeContractsSignedTo(ctx, qingqian.NewDate(year, 12, 31))
		if err != nil {
			return err
		}
		return tx.audit(ctx, "calendar.set", "calendar", int64(year), a.OrgPath, nil, map[string]any{"year": year, "source": source, "days": days, "clues_recomputed": n, "contracts_recomputed": k})
	})
}
