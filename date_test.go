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
