package qingqian

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an exact amount in 分 (0.01 元). It is never a float anywhere in the system.
type Money int64

// maxYuanDigits bounds the integer part of a parsed amount so that it fits in int64 分.
const maxYuanDigits = 16

// ParseYuan parses a decimal string in 元 with at most two decimals, such as "968553800.00",
// "12.5" or "-3". It rejects exponents, thousands separators and anything that is not a plain
// decimal: the API accepts amounts only in this form, so that no float ever touches money.
func ParseYuan(s string) (Money, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || (hasDot && frac == "") {
		return 0, fmt.Errorf("malformed amount")
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("more than two decimals")
	}
	if len(intPart) > maxYuanDigits {
		return 0, fmt.Errorf("amount too large")
	}
	var v int64
	for _, c := range intPart {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("malformed amount")
		}
		v = v*10 + int64(c-'0')
	}
	f := frac + strings.Repeat("0", 2-len(frac))
	for _, c := range f {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("malformed amount")
		}
	}
	if v > (math.MaxInt64-99)/100 {
		return 0, fmt.Errorf("amount too large")
	}
	v = v*100 + int64(f[0]-'0')*10 + int64(f[1]-'0')
	if neg {
		v = -v
	}
	return Money(v), nil
}

// Yuan returns whole 元 as Money, for building test data and demos.
func Yuan(y int64) Money { return Money(y * 100) }

// String formats the amount in 元 with exactly two decimals, e.g. "968553800.00".
func (m Money) String() string {
	var b [24]byte
	return string(m.Append(b[:0]))
}

// Append appends m.String() to b (exports write millions of amounts: no fmt, no allocation).
func (m Money) Append(b []byte) []byte {
	v := int64(m)
	if v < 0 {
		if v == math.MinInt64 {
			return append(b, "-92233720368547758.08"...)
		}
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	c := v % 100
	return append(b, '.', byte('0'+c/10), byte('0'+c%10))
}

// Wan formats the amount in 万元 with two decimals, rounding half away from zero. Rounding happens
// only here, when displaying: 968553800.00 元 is "96855.38".
func (m Money) Wan() string {
	v := int64(m)
	neg := v < 0
	if neg {
		v = -v
	}
	// 1 万元 = 1,000,000 分; two decimals of 万元 are 10,000 分.
	q, r := v/10000, v%10000
	if r >= 5000 {
		q++
	}
	s := fmt.Sprintf("%d.%02d", q/100, q%100)
	if neg && q != 0 {
		s = "-" + s
	}
	return s
}

// WanExact writes the amount in 万元 with every decimal it has (at least two, at most six):
// 1,234,567 分 is "1.234567", 968553800.00 元 is "96855.38". Spreadsheet cells hold it, shown
// with two decimals, so that a SUM of the rows reproduces the total exactly.
func (m Money) WanExact() string {
	v := int64(m)
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v // amounts are bounded far below MinInt64 (MaxLedgerVolume)
	}
	s := fmt.Sprintf("%s%d.%06d", sign, v/1_000_000, v%1_000_000)
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 3 {
		s = s[:len(s)-1]
	}
	return s
}

// RoundingNote is printed wherever amounts rounded to 万元 are shown beside their total.
const RoundingNote = "因四舍五入，合计数与分项之和可能存在尾差"

// MarshalJSON writes the amount as a JSON string in 元, never as a number.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// UnmarshalJSON accepts only a JSON string in 元 with at most two decimals.
func (m *Money) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("amount must be a string in 元")
	}
	v, err := ParseYuan(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MaxAmount is the ceiling of any single amount the system accepts: an item's part, a repayment
// or any other entry, an instalment of a plan, a court decision, a claim. 10^13 分 is 1,000 亿元;
// no real arrear or payment comes near it, so an amount above it is a typing error, refused
// with a message naming the field.
const MaxAmount Money = 10_000_000_000_000

// MaxGroupVolume and MaxLedgerVolume bound the ledger's gross movement: the sum, over every
// entry ever recorded, of the absolute values of its two parts (an item's recognition, every
// repayment, adjustment, reduction, write-off, reclassification and reversal). A group's (the
// unit under the regulator, with all its subsidiaries) is bounded by 10^15 分 (10 万亿元), the
// whole ledger's by 10^17 分 (1,000 万亿元). A write past either is refused; a reversal always
// passes (it cancels a movement already counted, of the same size), so the gross movement never
// exceeds twice the bound: 2 × 10^17 for the ledger.
//
// Every measure of the running totals — of a day, a month, a unit or any set of them, as of any
// date and as known at any time — is a sum over a subset of the entries, so it lies within twice
// the gross movement, 4 × 10^17 (a repayment's "without voucher" amount is added once and taken off once),
// below 2^59. Any figure the reports, roll-ups and dashboards compute adds fewer than 16 of
// them, so no sum of amounts can overflow int64; the rate is computed in 128 bits (RateOf).
const (
	MaxGroupVolume  Money = 1_000_000_000_000_000
	MaxLedgerVolume Money = 100_000_000_000_000_000
)

// CheckAmount adds to v an error on field when m is negative or above MaxAmount; name is the
// field's screen name, e.g. "清偿金额".
func CheckAmount(v Validation, field, name string, m Money) {
	if m > MaxAmount || m < -MaxAmount {
		v.Add(field, fmt.Sprintf("%s超过上限：单笔金额不能超过%s元（1,000亿元），请核对是否多输了位数", name, MaxAmount))
	}
}

// VolumeOf is what an entry with these parts adds to the ledger's gross movement.
func VolumeOf(du, dd Money) Money { return abs(du) + abs(dd) }

func abs(m Money) Money {
	if m < 0 {
		return -m
	}
	return m
}

// WanGrouped is Wan with thousands separated, for the large figures a reader takes in at a
// glance: 968553800.00 元 is "96,855.38".
func (m Money) WanGrouped() string {
	return GroupThousands(m.Wan())
}

// GroupThousands puts a comma between each three digits of a decimal's whole part.
func GroupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}
