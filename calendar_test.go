package qingqian

import (
	"os"
	"strings"
	"testing"
)

// seeded is the 2025 and 2026 of the calendar the database ships with.
func seeded(t *testing.T) *Calendar {
	t.Helper()
	f, err := os.Open("sqldb/migrations/holidays-cn.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var days []CalendarDay
	for _, y := range []int{2025, 2026} {
		f.Seek(0, 0)
		all, err := ParseCalendarLines(f, y)
		if err != nil {
			t.Fatal(err)
		}
		days = append(days, all...)
	}
	return NewCalendar([]int{2025, 2026}, days)
}

func TestWorkingDayDeadlines(t *testing.T) {
	c := seeded(t)
	cases := []struct {
		name     string
		from     string
		workdays int
		want     string
	}{
		// Received Friday 26 September 2025: Sunday 28 September is a make-up working day (1),
		// 29 and 30 (2, 3), 1–8 October are off, 9 and 10 (4, 5), Saturday 11 October is a
		// make-up working day (6), 13–16 October (7–10).
		{"across National Day 2025", "2025-09-26", 10, "2025-10-16"},
		// Received Friday 13 February 2026: Saturday 14 February works (1), 15–23 off, 24–27
		// (2–5), Saturday 28 February works (6), 2–5 March (7–10).
		{"across the Spring Festival 2026", "2026-02-13", 10, "2026-03-05"},
		{"a plain week", "2025-03-03", 5, "2025-03-10"},
		{"New Year 2026, with the make-up Sunday", "2025-12-31", 1, "2026-01-04"},
	}
	for _, tc := range cases {
		got, err := c.AddWorkdays(MustParseDate(tc.from), tc.workdays)
		if err != nil || got != MustParseDate(tc.want) {
			t.Errorf("%s: %d working days after %s = %s, %v; want %s", tc.name, tc.workdays, tc.from, got, err, tc.want)
		}
	}
	// Thirty days counted as the Civil Code counts: the first day is not counted, and a period
	// ending on a rest day ends on the next working day.
	periods := []struct{ from, want string }{
		{"2025-09-05", "2025-10-09"}, // 5 September + 30 = 5 October, off until the 8th
		{"2026-01-20", "2026-02-24"}, // 19 February is in the Spring Festival: the 24th
		{"2025-03-01", "2025-03-31"}, // a Monday: as counted
		{"2025-09-28", "2025-10-28"},
		{"2026-09-15", "2026-10-15"},
		{"2026-08-27", "2026-09-28"}, // 26 September is off (中秋节), 27 is a Sunday
	}
	for _, p := range periods {
		got, err := c.PeriodEnd(MustParseDate(p.from), 30)
		if err != nil || got != MustParseDate(p.want) {
			t.Errorf("30 days from %s = %s, %v; want %s", p.from, got, err, p.want)
		}
	}
	// A deadline reaching into 2027, which nobody has entered, says so instead of guessing.
	_, err := c.AddWorkdays(MustParseDate("2026-12-24"), 10)
	if ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "2027年的节假日安排尚未录入") {
		t.Fatalf("into 2027: %v", err)
	}
	if _, err := c.PeriodEnd(MustParseDate("2026-12-10"), 30); err == nil {
		t.Fatal("a 30-day period into 2027 was computed")
	}
}

func TestParseCalendar(t *testing.T) {
	in := "date,kind,holiday\n2027-01-01,off,元旦\n2027-01-04,workday,元旦\n2027-02-06,workday,春节\n2026-12-31,off,跨年\n2027-01-01,off,元旦\n2027-13-01,off,x\n2027-02-07,holiday,春节\n"
	_, err := ParseCalendar(strings.NewReader(in), 2027)
	f := ErrorFields(err)
	for line, want := range map[string]string{"line.3": "无需标为调休上班", "line.5": "不在2027年", "line.6": "重复", "line.7": "日期", "line.8": "类型应为"} {
		if !strings.Contains(f[line], want) {
			t.Errorf("%s = %q, want it to say %q", line, f[line], want)
		}
	}
	if len(f) != 5 {
		t.Errorf("errors = %v", f)
	}
	days, err := ParseCalendar(strings.NewReader("2027-01-01,off,元旦\n2027-02-06,workday,春节\n"), 2027)
	if err != nil || len(days) != 2 || days[1].Kind != DayWork || days[1].Name != "春节" {
		t.Fatalf("good lines: %+v %v", days, err)
	}
	if _, err := ParseCalendar(strings.NewReader("\n"), 2027); err == nil {
		t.Fatal("an empty arrangement was accepted")
	}
}
