package qingqian

import (
	"strings"
	"testing"
)

func TestLPRReminderAfterTheTwentieth(t *testing.T) {
	d := MustParseDate
	table := LPRTable{{Published: d("2026-01-20")}, {Published: d("2026-02-24")}}
	for _, c := range []struct {
		today, want string
		remind      bool
	}{
		{"2026-02-26", "2026-01-20", false}, // February's may still come (the Spring Festival)
		{"2026-02-27", "2026-02-20", false}, // due, and in: published on the 24th
		{"2026-03-20", "2026-02-20", false}, // March's is published today: not yet missing
		{"2026-03-26", "2026-02-20", false}, // nor while it may still come
		{"2026-03-27", "2026-03-20", true},  // a week past the 20th: missing
		{"2026-12-02", "2026-11-20", true},
		{"2027-01-05", "2026-12-20", true},
	} {
		today := d(c.today)
		if got := LPRExpected(today); got != d(c.want) {
			t.Errorf("%s: expected %s, want %s", c.today, got, c.want)
		}
		msg := LPRReminder(table, today)
		if (msg != "") != c.remind {
			t.Errorf("%s: reminder %q", c.today, msg)
		}
		if c.remind && (!strings.Contains(msg, "2026-02-24") || !strings.Contains(msg, "月的公布")) {
			t.Errorf("%s: %q does not say what is missing", c.today, msg)
		}
	}
	if LPRReminder(nil, d("2026-03-27")) == "" {
		t.Error("an empty table is not stale")
	}
}
