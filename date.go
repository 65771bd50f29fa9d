package qingqian

import (
	"cmp"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date without time of day, in China Standard Time. It counts days since
// 1970-01-01 so that comparisons and day arithmetic are plain integer operations; the zero value
// means "no date".
type Date struct{ days int32 }

// cst is China Standard Time; business dates and "today" are always read in it.
var cst = time.FixedZone("CST", 8*3600)

// NewDate returns the date year-month-day. Out-of-range values normalise as time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date{days: int32(t.Unix()/86400) + 1}
}

// DateOf returns the calendar date of t in China Standard Time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(cst).Date()
	return NewDate(y, m, d)
}

// ParseDate parses "YYYY-MM-DD" strictly.
func ParseDate(s string) (Date, error) {
	if d, ok := parseDateFast(s); ok {
		return d, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date must be YYYY-MM-DD")
	}
	return NewDate(t.Date()), nil
}

// parseDateFast reads a valid "YYYY-MM-DD" without the time package (SQLite hands every date
// over as such text, two to a ledger row); anything else is left to time.Parse.
func parseDateFast(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	var v [8]int
	for i, k := range [8]int{0, 1, 2, 3, 5, 6, 8, 9} {
		c := s[k]
		if c < '0' || c > '9' {
			return Date{}, false
		}
		v[i] = int(c - '0')
	}
	y, m, d := v[0]*1000+v[1]*100+v[2]*10+v[3], v[4]*10+v[5], v[6]*10+v[7]
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return Date{}, false
	}
	// Days since 1970-01-01 (H. Hinnant's days_from_civil; y ≥ 0 here).
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date{days: int32(era*146097+doe-719468) + 1}, true
}

// daysIn is the number of days of month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// MustParseDate is ParseDate for constants in code and tests; it panics on a bad literal.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.days == 0 }

func (d Date) time() time.Time { return time.Unix(int64(d.days-1)*86400, 0).UTC() }

// Year, Month and Day return the parts of the date.
func (d Date) Year() int { return d.time().Year() }

// Month returns the month of the date.
func (d Date) Month() time.Month { return d.time().Month() }

// Day returns the day of the month.
func (d Date) Day() int { return d.time().Day() }

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// AddDays returns the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return Date{days: d.days + int32(n)} }

// AddMonths returns the corresponding day n months later; when that month is shorter, the last
// day of the month (民法典 Art. 202).
func (d Date) AddMonths(n int) Date {
	t := d.time()
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := t.Day()
	if day > last {
		day = last
	}
	return NewDate(first.Year(), first.Month(), day)
}

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d.days - e.days) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.days < e.days }

// Compare returns -1, 0 or +1 as d is earlier than, the same as or later than e.
func (d Date) Compare(e Date) int { return cmp.Compare(d.days, e.days) }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.days > e.days }

// EndOfDay returns the instant at which the date ends (24:00 CST), the moment a report "as of" the
// date is taken.
func (d Date) EndOfDay() time.Time {
	y, m, dd := d.time().Date()
	return time.Date(y, m, dd+1, 0, 0, 0, 0, cst)
}

// String formats the date as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	var b [10]byte
	return string(d.Append(b[:0]))
}

// Append appends d.String() to b, computing the civil date from the day number without a
// time.Time (exports write millions of dates).
func (d Date) Append(b []byte) []byte {
	if d.IsZero() {
		return b
	}
	// Days since 1970-01-01 to year, month, day in the proleptic Gregorian calendar (H. Hinnant's
	// civil_from_days), in eras of 400 years from 0000-03-01.
	z := int64(d.days-1) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	month := mp + 3
	if month > 12 {
		month -= 12
	}
	if month <= 2 {
		y++
	}
	if y < 0 || y > 9999 {
		return d.time().AppendFormat(b, time.DateOnly)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// MarshalJSON writes "YYYY-MM-DD", or null when unset.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores the date as 'YYYY-MM-DD' (TEXT in SQLite, DATE in PostgreSQL), or NULL when unset.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date stored as text or returned by the driver as a time.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = NewDate(v.Date())
		return nil
	case string:
		return d.scanString(v)
	case []byte:
		return d.scanString(string(v))
	}
	return fmt.Errorf("cannot scan %T into Date", src)
}

func (d *Date) scanString(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Today returns the current date in China Standard Time.
func Today() Date { return DateOf(time.Now()) }

// Chinese is the date as official documents write it: 2020年12月31日, with Arabic numerals and
// no leading zeros (GB/T 9704-2012 7.3.5.2); the zero date is "".
func (d Date) Chinese() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
}

// EarliestDate is the floor of the dates of contracts and their events, in forms, the API and
// imports alike: no contract of a state-owned enterprise still owing an SME goes back further,
// and an earlier date is a slip of the keyboard (1925 for 2025) or of a spreadsheet's date
// system.
var EarliestDate = NewDate(1990, 1, 1)

// CheckPastDate checks a date that records something that has happened (a signing, a
// delivery, a payment): not before EarliestDate and not after today. It returns the message
// naming the field by its label, "" when the date is fine or zero.
func CheckPastDate(label string, d Date) string {
	switch {
	case d.IsZero():
		return ""
	case d.Before(EarliestDate):
		return fmt.Sprintf("%s%s早于%s，请核对年份（系统不接受%s以前的日期）", label, d, EarliestDate, EarliestDate.Chinese())
	case d.After(Today()):
		return fmt.Sprintf("%s%s晚于今天：只能登记已经发生的事项", label, d)
	}
	return ""
}
