package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/qingqian/qingqian"
)

type calendarData struct {
	Years []qingqian.CalendarYear
	Year  int
	Days  []qingqian.CalendarDay
	Admin bool
	// Reminder names a year to enter now, as the dashboard does.
	Reminder string
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCalendar(w, r, http.StatusOK, &view{})
}

func (s *Server) showCalendar(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	q := newQuery(r)
	year := q.int("year", 0)
	if err := q.err(); err != nil {
		return err
	}
	years, err := s.Calendar.FindCalendarYears(ctx)
	if err != nil {
		return err
	}
	if year == 0 && len(years) > 0 {
		year = years[0].Year
	}
	d := &calendarData{Years: years, Year: year, Admin: qingqian.ActorFrom(ctx).Has(qingqian.RoleAdmin)}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return err
	}
	d.Reminder = qingqian.CalendarReminder(cal, qingqian.Today())
	if year > 0 {
		if d.Days, err = s.Calendar.FindCalendarDays(ctx, year); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = "节假日安排", "calendar", d
	s.render(w, r, status, "calendar", v)
	return nil
}

func (s *Server) calendarForm(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以录入节假日安排")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	year := formInt(form, "year", bad)
	if year == 0 {
		bad.Add("year", "请填写年份")
	}
	err = bad.Err()
	if err == nil {
		var days []qingqian.CalendarDay
		days, err = qingqian.ParseCalendar(strings.NewReader(form.Get("days")), year)
		if err != nil {
			// Line errors all belong to the one text field.
			msg, fields, _ := formError(err)
			var lines []string
			for _, m := range fields {
				lines = append(lines, m)
			}
			slices.Sort(lines)
			err = &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"days": strings.Join(lines, "；")}}
		} else {
			err = s.Calendar.SetCalendarYear(r.Context(), year, strings.TrimSpace(form.Get("source")), days)
		}
	}
	if err != nil {
		return s.retry(w, r, err, form, func(st int, v *view) error { return s.showCalendar(w, r, st, v) })
	}
	http.Redirect(w, r, fmt.Sprintf("/calendar?year=%d&done=calendar", year), http.StatusSeeOther)
	return nil
}
