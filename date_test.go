package qingqian_test

import (
	"testing"
	"time"

	"github.com/qingqian/qingqian"
)

func TestDate(t *testing.T) {
	d := qingqian.MustParseDate("2025-08-01")
	if got := d.AddDays(60).String(); got != "2025-09-30" {
		t.Errorf("2025-08-01 + 60 days = %s", got)
	}
	if got := qingqian.MustParseDate("2024-01-31").AddMonths(1).String(); got != "2024-02-29" {
		t.Errorf("Jan 31 + 1 month = %s", got)
	}
	if got := qingqian.MustParseDate("2019-11-30").Sub(qingqian.MustParseDate("2019-01-01")); got != 333 {
		t.Errorf("Sub = %d", got)
	}
	if qingqian.MustParseDate("1970-01-01").IsZero() {
		t.Error("1970-01-01 must not be the zero date")
	}
	for _, bad := range []string{"2019-02-30", "2019/11/30", "", "20191130"} {
		if _, err := qingqian.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	// 23:30 UTC on 2021-10-31 is already 2021-11-01 in China.
	if got := qingqian.DateOf(time.Date(2021, 10, 31, 23, 30, 0, 0, time.UTC)).String(); got != "2021-11-01" {
		t.Errorf("DateOf = %s", got)
	}
	var s qingqian.Date
	if err := s.Scan(time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC)); err != nil || s.String() != "2020-12-31" {
		t.Errorf("Scan(time) = %s, %v", s, err)
	}
	if err := s.Scan("2021-10-31"); err != nil || s.String() != "2021-10-31" {
		t.Errorf("Scan(string) = %s, %v", s, err)
	}
}

func TestDateChinese(t *testing.T) {
	if got := qingqian.MustParseDate("2020-12-31").Chinese(); got != "2020年12月31日" {
		t.Fatalf("got %q", got)
	}
	if got := qingqian.MustParseDate("2021-01-08").Chinese(); got != "2021年1月8日" {
		t.Fatalf("got %q", got)
	}
	if got := (qingqian.Date{}).Chinese(); got != "" {
		t.Fatalf("zero date %q", got)
	}
}

// TestDateString checks the date's own formatting against the time package's, day by day over
// five centuries around now and at the ends of what a date can hold.
func TestDateString(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		d := qingqian.NewDate(tm.Date())
		if d.IsZero() {
			return // 1969-12-31 has the zero date's number: it is no date
		}
		if got, want := d.String(), tm.Format(time.DateOnly); got != want {
			t.Fatalf("%v: String() = %q, want %q", tm, got, want)
		}
	}
	for tm := time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2300; tm = tm.AddDate(0, 0, 1) {
		check(tm)
	}
	for _, y := range []int{1, 99, 100, 400, 1000, 1582, 1600, 1900, 1969, 1970, 2000, 9999} {
		check(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		check(time.Date(y, 2, 28, 0, 0, 0, 0, time.UTC))
		check(time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC))
		check(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
	}
	if got := (qingqian.Date{}).String(); got != "" {
		t.Errorf("zero date: %q", got)
	}
}

// TestParseDateAsTime checks the date parser against the time package's, for every day over five
// centuries and for text that is no date.
func TestParseDateAsTime(t *testing.T) {
	check := func(s string) {
		t.Helper()
		got, err := qingqian.ParseDate(s)
		tm, terr := time.Parse(time.DateOnly, s)
		if (err == nil) != (terr == nil) {
			t.Fatalf("%q: error %v, the time package's %v", s, err, terr)
		}
		if err == nil && got != qingqian.NewDate(tm.Date()) {
			t.Fatalf("%q: %v, want %v", s, got, tm)
		}
	}
	for tm := time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2300; tm = tm.AddDate(0, 0, 1) {
		check(tm.Format(time.DateOnly))
	}
	for _, s := range []string{"0000-01-01", "0001-03-01", "9999-12-31", "2021-02-29", "2020-02-29", "1900-02-29", "2000-02-29", "2021-04-31",
		"2021-13-01", "2021-00-10", "2021-01-00", "2021-01-32", "2021-1-01", "2021/01/01", "20210101", "2021-01-01 ", " 2021-01-01",
		"2021-01-0a", "２０２１-01-01", "", "2021-01-01T00:00:00Z", "-001-01-01", "+2021-01-0"} {
		check(s)
	}
}
