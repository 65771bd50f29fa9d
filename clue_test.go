package qingqian

import (
	"strings"
	"testing"
	"time"
)

// at is an instant of a day in China Standard Time.
func at(day string, hour int) time.Time {
	return MustParseDate(day).EndOfDay().Add(time.Duration(hour-24) * time.Hour)
}

// The deadlines count from the dates that happened, not from the day they were entered.
func TestClueDeadlinesFromTheDatesThatHappened(t *testing.T) {
	cal := seeded(t)
	c := &Clue{ReceivedOn: MustParseDate("2026-09-30"), RecordedAt: at("2026-10-12", 10)}
	c.Reckon(cal)
	// 1–7 October are off and Saturday 10 October works: the 10th working day is 20 October.
	if c.ForwardBy != MustParseDate("2026-10-20") || c.ForwardByProvisional || !c.ResultBy.IsZero() || c.DeadlineNote != "" || !c.Backdated {
		t.Fatalf("registered on 12 October, received on 30 September: %+v", c)
	}
	// Forwarded on 9 October, materials received on the 12th, all entered on the 20th: the 30
	// days count from the 12th (11 November), and the step is marked as entered after the fact.
	a := Assignment{AssignedOn: MustParseDate("2026-10-09"), MaterialsOn: MustParseDate("2026-10-12")}
	if err := c.CheckAssignment(&a, MustParseDate("2026-10-20")); err != nil {
		t.Fatal(err)
	}
	c.AssignedOn, c.MaterialsOn, c.AssignedAt = a.AssignedOn, a.MaterialsOn, at("2026-10-20", 15)
	c.Reckon(cal)
	if c.ResultBy != MustParseDate("2026-11-11") || c.ResultByProvisional || c.ForwardedLate || !c.AssignBackdated {
		t.Fatalf("assigned: %+v", c)
	}
	// The same, entered on the day: nothing is back-dated.
	live := &Clue{ReceivedOn: MustParseDate("2026-09-30"), RecordedAt: at("2026-09-30", 9), AssignedOn: MustParseDate("2026-10-09"),
		MaterialsOn: MustParseDate("2026-10-09"), AssignedAt: at("2026-10-09", 16)}
	live.Reckon(cal)
	if live.Backdated || live.AssignBackdated || live.ResultBy != MustParseDate("2026-11-09") {
		t.Fatalf("entered on the day: %+v", live)
	}
	// Materials received and no date given: they count from the day of the assignment.
	d := &Clue{ReceivedOn: MustParseDate("2026-09-30")}
	a = Assignment{AssignedOn: MustParseDate("2026-10-09")}
	if err := d.CheckAssignment(&a, MustParseDate("2026-10-09")); err != nil || a.MaterialsOn != a.AssignedOn {
		t.Fatalf("materials by default: %+v %v", a, err)
	}
	a = Assignment{}
	if err := d.CheckAssignment(&a, MustParseDate("2026-10-15")); err != nil || a.AssignedOn != MustParseDate("2026-10-15") {
		t.Fatalf("assigned today by default: %+v %v", a, err)
	}
}

// A clue forwarded after its deadline stays marked so once it is assigned.
func TestClueForwardedLate(t *testing.T) {
	cal := seeded(t)
	c := &Clue{ReceivedOn: MustParseDate("2026-09-30"), State: ClueReceived}
	c.Reckon(cal)
	if c.ForwardOverdue(MustParseDate("2026-10-20")) || !c.ForwardOverdue(MustParseDate("2026-10-21")) || !c.Overdue(MustParseDate("2026-10-21")) {
		t.Fatalf("not forwarded: %+v", c)
	}
	c.AssignedOn, c.MaterialsOn, c.State = MustParseDate("2026-11-15"), MustParseDate("2026-11-16"), ClueAssigned
	c.Reckon(cal)
	if !c.ForwardedLate || c.ForwardLateDays() != 26 || !c.ForwardOverdue(MustParseDate("2026-11-16")) || c.Overdue(MustParseDate("2026-11-16")) {
		t.Fatalf("forwarded 26 days late: %+v, %d days", c, c.ForwardLateDays())
	}
	c.AssignedOn = MustParseDate("2026-10-20")
	c.Reckon(cal)
	if c.ForwardedLate || c.ForwardLateDays() != 0 || c.ForwardOverdue(MustParseDate("2026-12-01")) {
		t.Fatalf("forwarded on the last day: %+v", c)
	}
}

// Dates must be in order and none in the future; passing a clue on keeps the 30 days.
func TestClueAssignmentDates(t *testing.T) {
	c := &Clue{ReceivedOn: MustParseDate("2026-09-30")}
	today := MustParseDate("2026-10-20")
	for _, tc := range []struct {
		a     Assignment
		field string
	}{
		{Assignment{AssignedOn: MustParseDate("2026-10-21")}, "assigned_on"},
		{Assignment{AssignedOn: MustParseDate("2026-09-29")}, "assigned_on"},
		{Assignment{AssignedOn: MustParseDate("2026-10-09"), MaterialsOn: MustParseDate("2026-10-08")}, "materials_received_on"},
		{Assignment{AssignedOn: MustParseDate("2026-10-09"), MaterialsOn: MustParseDate("2026-10-21")}, "materials_received_on"},
	} {
		a := tc.a
		if msg := ErrorFields(c.CheckAssignment(&a, today))[tc.field]; msg == "" {
			t.Errorf("%+v: no error on %s", tc.a, tc.field)
		}
	}
	c.AssignedOn, c.MaterialsOn = MustParseDate("2026-10-09"), MustParseDate("2026-10-12")
	a := Assignment{AssignedOn: MustParseDate("2026-10-08")}
	if msg := ErrorFields(c.CheckAssignment(&a, today))["assigned_on"]; !strings.Contains(msg, "2026-10-09") {
		t.Errorf("passed on before the first assignment: %q", msg)
	}
	a = Assignment{AssignedOn: MustParseDate("2026-10-15"), MaterialsOn: MustParseDate("2026-10-15")}
	if msg := ErrorFields(c.CheckAssignment(&a, today))["materials_received_on"]; !strings.Contains(msg, "不重新起算") {
		t.Errorf("a new materials date when passed on: %q", msg)
	}
	a = Assignment{AssignedOn: MustParseDate("2026-10-15")}
	if err := c.CheckAssignment(&a, today); err != nil {
		t.Fatal(err)
	}
	c.ReassignedOn = a.AssignedOn
	a = Assignment{AssignedOn: MustParseDate("2026-10-14")}
	if msg := ErrorFields(c.CheckAssignment(&a, today))["assigned_on"]; !strings.Contains(msg, "2026-10-15") {
		t.Errorf("passed on before the previous passing on: %q", msg)
	}
}

// An extension lies after the current deadline and within 90 days of the day the handling unit
// received the materials, as the Civil Code counts them.
func TestClueExtension(t *testing.T) {
	cal := seeded(t)
	c := &Clue{ReceivedOn: MustParseDate("2025-05-26"), AssignedOn: MustParseDate("2025-06-02"), MaterialsOn: MustParseDate("2025-06-10")}
	c.Reckon(cal)
	if c.ResultBy != MustParseDate("2025-07-10") {
		t.Fatalf("result by %s", c.ResultBy)
	}
	refused := func(to string, want string) {
		t.Helper()
		err := c.CheckExtension(MustParseDate(to), cal)
		if msg := ErrorFields(err)["extended_to"]; ErrorCode(err) != EINVALID || !strings.Contains(msg+ErrorMessage(err), want) {
			t.Errorf("extension to %s: %v", to, err)
		}
	}
	refused("2019-01-01", "应晚于 2025-07-10")
	refused("2025-07-10", "应晚于 2025-07-10")
	refused("2025-09-09", "不晚于 2025-09-08") // 10 June + 90 days
	// Beyond 90 days of the assignment, within 90 days of the materials: counted from the right day.
	for _, ok := range []string{"2025-07-11", "2025-09-05", "2025-09-08"} {
		if err := c.CheckExtension(MustParseDate(ok), cal); err != nil {
			t.Errorf("extension to %s: %v", ok, err)
		}
	}
	// An extended deadline is the one to go beyond.
	c.ExtendedTo = MustParseDate("2025-08-01")
	refused("2025-07-20", "应晚于 2025-08-01")
	// The 90th day on National Day: the limit is the first working day after the holiday.
	n := &Clue{AssignedOn: MustParseDate("2025-07-03"), MaterialsOn: MustParseDate("2025-07-03")}
	n.Reckon(cal)
	if err := n.CheckExtension(MustParseDate("2025-10-09"), cal); err != nil {
		t.Errorf("to the end of the holiday: %v", err)
	}
	if err := n.CheckExtension(MustParseDate("2025-10-10"), cal); ErrorCode(err) != EINVALID {
		t.Errorf("past it: %v", err)
	}
	// Not assigned: nothing to extend.
	if err := (&Clue{ReceivedOn: MustParseDate("2025-07-03")}).CheckExtension(MustParseDate("2025-08-01"), cal); ErrorCode(err) != ECONFLICT {
		t.Errorf("unassigned: %v", err)
	}
	// Past the 90th day into a year not entered: the rest-day rule cannot be applied.
	y := &Clue{AssignedOn: MustParseDate("2026-10-09"), MaterialsOn: MustParseDate("2026-10-09")}
	y.Reckon(cal)
	if err := y.CheckExtension(MustParseDate("2027-01-07"), cal); err != nil { // 90 days
		t.Errorf("the 90th day into 2027: %v", err)
	}
	if err := y.CheckExtension(MustParseDate("2027-01-08"), cal); !strings.Contains(ErrorMessage(err), "2027年的节假日安排尚未录入") {
		t.Errorf("past the 90th day into 2027: %v", err)
	}
}

// A year missing from the calendar: the deadline is counted on weekends alone, marked
// provisional with the reason, and firm once the year is entered.
func TestClueProvisionalDeadlines(t *testing.T) {
	cal := seeded(t)
	c := &Clue{ReceivedOn: MustParseDate("2026-12-24"), AssignedOn: MustParseDate("2026-12-28"), MaterialsOn: MustParseDate("2026-12-10")}
	c.Reckon(cal)
	// 25, 28–31 December, 1 January (a Friday: a working day on weekends alone), 4–7 January.
	if c.ForwardBy != MustParseDate("2027-01-07") || !c.ForwardByProvisional || c.ResultBy != MustParseDate("2027-01-11") || !c.ResultByProvisional ||
		!strings.Contains(c.DeadlineNote, "2027年的节假日安排尚未录入") || !strings.Contains(c.DeadlineNote, "暂定") {
		t.Fatalf("provisional: %+v", c)
	}
	with2027 := NewCalendar([]int{2025, 2026, 2027}, append(calendarDays(t, cal), CalendarDay{Day: MustParseDate("2027-01-01"), Kind: DayOff}))
	c.Reckon(with2027)
	if c.ForwardBy != MustParseDate("2027-01-08") || c.ForwardByProvisional || c.ResultBy != MustParseDate("2027-01-11") || c.ResultByProvisional || c.DeadlineNote != "" {
		t.Fatalf("once 2027 is entered: %+v", c)
	}
	// A deadline within the known years is firm even when a later year is missing.
	c = &Clue{ReceivedOn: MustParseDate("2026-11-02"), MaterialsOn: MustParseDate("2026-11-05")}
	c.Reckon(cal)
	if c.ForwardByProvisional || c.ResultByProvisional || c.DeadlineNote != "" || c.ResultBy != MustParseDate("2026-12-07") {
		t.Fatalf("within 2026: %+v", c)
	}
}

func calendarDays(t *testing.T, c *Calendar) []CalendarDay {
	t.Helper()
	var out []CalendarDay
	for d, k := range c.days {
		out = append(out, CalendarDay{Day: d, Kind: k})
	}
	return out
}

// The administrator is reminded of the next year from 1 November, and of the current one if it
// is missing.
func TestCalendarReminder(t *testing.T) {
	cal := seeded(t)
	if r := CalendarReminder(cal, MustParseDate("2026-10-31")); r != "" {
		t.Errorf("31 October: %q", r)
	}
	if r := CalendarReminder(cal, MustParseDate("2026-11-01")); !strings.Contains(r, "2027年的节假日安排尚未录入") {
		t.Errorf("1 November: %q", r)
	}
	if r := CalendarReminder(cal, MustParseDate("2027-01-04")); !strings.Contains(r, "2027年的节假日安排尚未录入") {
		t.Errorf("in 2027: %q", r)
	}
	if r := CalendarReminder(NewCalendar([]int{2025, 2026, 2027}, nil), MustParseDate("2026-12-20")); r != "" {
		t.Errorf("2027 entered: %q", r)
	}
}
