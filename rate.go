package qingqian

import (
	"fmt"
	"strings"
)

// Rate is an interest rate, exact: Micro is the rate times 1,000,000 (0.05 % = 500, 3.85 % =
// 38,500), per day when PerDay is set, else per year. The zero Rate means none.
type Rate struct {
	PerDay bool  `json:"per_day"`
	Micro  int64 `json:"micro"`
}

// The largest agreed overdue rates accepted, in millionths: 1 % a day, 100 % a year. Beyond them a
// rate is a mistake in the contract's entry; and within them the interest of the largest amount
// (MaxAmount) over any span of civil dates stays far inside int64.
const (
	MaxRatePerDay  = 10_000
	MaxRatePerYear = 1_000_000
)

// DaysInYear is the day count of a yearly rate: a yearly rate is divided by 365 for each day.
const DaysInYear = 365

// IsZero reports whether no rate is set.
func (r Rate) IsZero() bool { return r.Micro == 0 }

// String formats the rate: "日0.05%", "年3.85%".
func (r Rate) String() string {
	if r.IsZero() {
		return ""
	}
	p := "年"
	if r.PerDay {
		p = "日"
	}
	return p + FormatPercent(r.Micro) + "%"
}

// Yearly is the rate per year in millionths (a daily rate times 365), for comparisons.
func (r Rate) Yearly() int64 {
	if r.PerDay {
		return r.Micro * DaysInYear
	}
	return r.Micro
}

// FormatPercent writes a rate in millionths as per cent with two to four decimals: 38500 → "3.85".
func FormatPercent(micro int64) string {
	neg := micro < 0
	if neg {
		micro = -micro
	}
	s := fmt.Sprintf("%d.%04d", micro/10000, micro%10000)
	s = strings.TrimRight(s, "0")
	if i := strings.IndexByte(s, '.'); len(s)-i-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-i-1))
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ParsePercent reads a rate written in per cent with at most four decimals ("3.85", "0.05").
func ParsePercent(s string) (Rate, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" || len(fp) > 4 || len(ip) > 4 {
		return Rate{}, fmt.Errorf("rate must be per cent with at most four decimals")
	}
	var v int64
	for _, c := range ip + fp + strings.Repeat("0", 4-len(fp)) {
		if c < '0' || c > '9' {
			return Rate{}, fmt.Errorf("rate must be per cent with at most four decimals")
		}
		v = v*10 + int64(c-'0')
	}
	return Rate{Micro: v}, nil
}
