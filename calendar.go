package qingqian

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// DayKind marks a day that differs from the plain week: a holiday on a weekday, or a weekend
// day that is a make-up working day (调休上班).
type DayKind string

// Kinds of calendar days.
const (
	DayOff  DayKind = "off"     // 放假
	DayWork DayKind = "workday" // 调休上班
)

// DayKindNames are the screen names.
var DayKindNames = map[DayKind]string{DayOff: "放假", DayWork: "调休上班"}

// Label is how the kind of day reads on screens and in spreadsheets.
func (k DayKind) Label() string { return DayKindNames[k] }

// CalendarDay is one day of the State Council's holiday arrangement.
type CalendarDay struct {
	Day  Date    `json:"day"`
	Kind DayKind `json:"kind"`
	Name string  `json:"name"` // the holiday it belongs to: 春节、国庆节……
}

// CalendarYear is a year whose arrangement has been entered, and where it comes from.
type CalendarYear struct {
	Year      int       `json:"year"`
	Source    string    `json:"source"` // the notice, e.g. 国办发明电〔2024〕12号
	Days      int       `json:"days"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Calendar answers which days are working days, for the years it covers. Every Saturday and
// Sunday is a rest day and every other day a working day, except the days listed.
type Calendar struct {
	years map[int]bool
	days  map[Date]DayKind
	names map[Date]string
}

// NewCalendar returns the calendar of the covered years with their listed days.
func NewCalendar(years []int, days []CalendarDay) *Calendar {
	c := &Calendar{years: map[int]bool{}, days: map[Date]DayKind{}, names: map[Date]string{}}
	for _, y := range years {
		c.years[y] = true
	}
	for _, d := range days {
		c.days[d.Day] = d.Kind
		if d.Name != "" {
			c.names[d.Day] = d.Name
		}
	}
	return c
}

// Describe says what kind of day d is, for explanations: "国庆节放假", "春节调休上班", "周六",
// "工作日"; the second result reports whether it is a working day (on the plain week when the
// year is not entered).
func (c *Calendar) Describe(d Date) (string, bool) {
	work, _ := c.workday(d)
	name := c.names[d]
	if c.years[d.Year()] {
		switch c.days[d] {
		case DayOff:
			return name + "放假", false
		case DayWork:
			return name + "调休上班", true
		}
	}
	switch d.Weekday() {
	case time.Saturday:
		return "周六", work
	case time.Sunday:
		return "周日", work
	}
	return "工作日", work
}

// Covers reports whether the year's arrangement is known.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Listed counts the listed days of a year.
func (c *Calendar) Listed(year int) int {
	n := 0
	for d := range c.days {
		if d.Year() == year {
			n++
		}
	}
	return n
}

// NoCalendar is the error of a computation that reaches a year whose arrangement is unknown.
func NoCalendar(year int) error {
	return Errorf(ECONFLICT, "%d年的节假日安排尚未录入，无法计算期限；请系统管理员在“节假日”页录入国务院公布的安排", year)
}

// Workday reports whether d is a working day.
func (c *Calendar) Workday(d Date) (bool, error) {
	work, missing := c.workday(d)
	if missing != 0 {
		return false, NoCalendar(missing)
	}
	return work, nil
}

// workday reports whether d is a working day; a day of a year whose arrangement is not entered
// is counted on the plain week (Saturday and Sunday off), and missing is then its year.
func (c *Calendar) workday(d Date) (work bool, missing int) {
	if c.years[d.Year()] {
		switch c.days[d] {
		case DayOff:
			return false, 0
		case DayWork:
			return true, 0
		}
	} else {
		missing = d.Year()
	}
	wd := d.time().Weekday()
	return wd != time.Saturday && wd != time.Sunday, missing
}

// AddWorkdays returns the n-th working day after from (from itself is not counted): the last
// day of a period of n working days that starts when something is received on from.
func (c *Calendar) AddWorkdays(from Date, n int) (Date, error) {
	d, missing := c.AddWorkdaysProvisional(from, n)
	if missing != 0 {
		return Date{}, NoCalendar(missing)
	}
	return d, nil
}

// AddWorkdaysProvisional is AddWorkdays that counts the days of a year whose arrangement is not
// entered on weekends alone; missing is the first such year it reached (0 for none), and the
// date is then provisional (暂定) until that year is entered.
func (c *Calendar) AddWorkdaysProvisional(from Date, n int) (_ Date, missing int) {
	d := from
	for n > 0 {
		d = d.AddDays(1)
		work, y := c.workday(d)
		if missing == 0 {
			missing = y
		}
		if work {
			n--
		}
	}
	return d, missing
}

// PeriodEnd returns the last day of a period of n days starting on from, counted as the Civil
// Code counts (Arts. 201, 203): the first day is not counted, and a period whose last day is a
// rest day ends on the next working day.
func (c *Calendar) PeriodEnd(from Date, n int) (Date, error) {
	d, missing := c.PeriodEndProvisional(from, n)
	if missing != 0 {
		return Date{}, NoCalendar(missing)
	}
	return d, nil
}

// PeriodEndProvisional is PeriodEnd that counts a year whose arrangement is not entered on
// weekends alone; missing is that year (0 for none), and the date is then provisional.
func (c *Calendar) PeriodEndProvisional(from Date, n int) (_ Date, missing int) {
	d := from.AddDays(n)
	for {
		work, y := c.workday(d)
		if missing == 0 {
			missing = y
		}
		if work {
			return d, missing
		}
		d = d.AddDays(1)
	}
}

// ProvisionalNote says why a deadline is provisional: the year it reaches has no arrangement yet.
func ProvisionalNote(year int) string {
	return fmt.Sprintf("%d年的节假日安排尚未录入，期限暂按周末计算（暂定），录入后自动重算", year)
}

// CalendarReminder is what an administrator should be reminded of on today: the current year's
// arrangement if it is missing, and from 1 November the next year's, which the State Council
// publishes around then; "" when nothing is due.
func CalendarReminder(c *Calendar, today Date) string {
	y := today.Year()
	if !c.Covers(y) {
		return fmt.Sprintf("%d年的节假日安排尚未录入：期限暂按周末计算（暂定）。请系统管理员在“节假日”页录入国务院办公厅公布的安排。", y)
	}
	if today.Month() >= time.November && !c.Covers(y+1) {
		return fmt.Sprintf("%d年的节假日安排尚未录入：国务院办公厅通常在年底前公布下一年的节假日安排，公布后请系统管理员在“节假日”页录入；录入前，落在%d年的期限暂按周末计算（暂定）。", y+1, y+1)
	}
	return ""
}

// ParseCalendar reads a year's arrangement in the form of holidays-cn.csv ("date,kind,holiday"
// with kind off or workday), checking every line; the errors name the line.
func ParseCalendar(r io.Reader, year int) ([]CalendarDay, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	v := Validation{}
	seen := map[Date]bool{}
	var out []CalendarDay
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{Code: EINVALID, Message: fmt.Sprintf("第%d行无法识别：应为“日期,off 或 workday,节日名称”", line), Fields: map[string]string{"days": "格式不正确"}}
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		if line == 1 && strings.TrimSpace(strings.TrimPrefix(rec[0], "\uFEFF")) == "date" {
			continue
		}
		field := fmt.Sprintf("line.%d", line)
		if len(rec) < 2 {
			v.Add(field, fmt.Sprintf("第%d行：应为“日期,off 或 workday,节日名称”", line))
			continue
		}
		d, err := ParseDate(strings.TrimSpace(strings.TrimPrefix(rec[0], "\uFEFF")))
		if err != nil {
			v.Add(field, fmt.Sprintf("第%d行：日期“%s”不正确，应为 YYYY-MM-DD", line, rec[0]))
			continue
		}
		kind := DayKind(strings.TrimSpace(rec[1]))
		name := ""
		if len(rec) > 2 {
			name = strings.TrimSpace(rec[2])
		}
		wd := d.time().Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		switch {
		case d.Year() != year:
			v.Add(field, fmt.Sprintf("第%d行：%s 不在%d年", line, d, year))
		case kind != DayOff && kind != DayWork:
			v.Add(field, fmt.Sprintf("第%d行：类型应为 off（放假）或 workday（调休上班）", line))
		case kind == DayWork && !weekend:
			v.Add(field, fmt.Sprintf("第%d行：%s 是工作日，无需标为调休上班", line, d))
		case seen[d]:
			v.Add(field, fmt.Sprintf("第%d行：%s 重复", line, d))
		case len([]rune(name)) > 30:
			v.Add(field, fmt.Sprintf("第%d行：节日名称过长", line))
		}
		seen[d] = true
		out = append(out, CalendarDay{Day: d, Kind: kind, Name: name})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &Error{Code: EINVALID, Message: "没有读到任何日期", Fields: map[string]string{"days": "请填写放假和调休上班的日期"}}
	}
	return out, nil
}

// ParseCalendarLines reads the lines of one year from a file that holds several (the shipped
// holidays-cn.csv), skipping the other years' lines.
func ParseCalendarLines(r io.Reader, year int) ([]CalendarDay, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimPrefix(line, "\uFEFF"), fmt.Sprintf("%d-", year)) {
			keep = append(keep, line)
		}
	}
	return ParseCalendar(strings.NewReader(strings.Join(keep, "\n")), year)
}

// CalendarService keeps the holiday calendar. Everyone reads it; administrators add a year when
// the State Council publishes it.
type CalendarService interface {
	Calendar(ctx context.Context) (*Calendar, error)
	FindCalendarYears(ctx context.Context) ([]CalendarYear, error)
	FindCalendarDays(ctx context.Context, year int) ([]CalendarDay, error)
	// SetCalendarYear enters (or corrects) a year's arrangement. Audited.
	SetCalendarYear(ctx context.Context, year int, source string, days []CalendarDay) error
}
