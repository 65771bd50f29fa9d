// Package xlsx reads and writes the spreadsheets people keep their ledgers in: the templates,
// validated imports of .xlsx and .csv files (UTF-8 or GB18030), and streamed exports.
package xlsx

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/qingqian/qingqian"
)

// excelEpoch is day 0 of Excel's 1900 date system (it counts a 29 February 1900 that never was).
var excelEpoch = qingqian.NewDate(1899, 12, 30)

// fold turns full-width digits, letters and punctuation into their ASCII forms and trims spaces,
// including the ideographic space, as people paste them from Chinese documents.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '！' && r <= '～':
			b.WriteRune(r - '！' + '!')
		case r == '\u3000':
			b.WriteRune(' ')
		case r == '。':
			b.WriteRune('.')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// ParseDate reads a date as people enter it: an Excel serial number, 2019-11-30, 2019/11/30,
// 2019.11.30, 2019年11月30日, 20191130, with or without a time after it.
func ParseDate(s string) (qingqian.Date, error) {
	s = fold(s)
	if s == "" {
		return qingqian.Date{}, nil
	}
	// An Excel serial number, with the time of day as its fraction (43539.25 is 06:00); eight
	// digits without a point are 20191130.
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") && (len(s) != 8 || strings.Contains(s, ".")) {
		// Below 61 Excel counts a 29 February 1900 that never was; no ledger date is that old.
		if f < 61 || f > 2958465 || math.IsNaN(f) {
			return qingqian.Date{}, fmt.Errorf("日期数值超出范围")
		}
		d := excelEpoch.AddDays(int(math.Floor(f)))
		if d.Year() > 2999 {
			return qingqian.Date{}, fmt.Errorf("日期数值超出范围")
		}
		return d, nil
	}
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	var y, m, d int
	if len(s) == 8 && !strings.Contains(s, "-") {
		n, err := strconv.Atoi(s)
		if err != nil {
			return qingqian.Date{}, fmt.Errorf("日期格式不正确")
		}
		y, m, d = n/10000, n/100%100, n%100
	} else {
		parts := strings.Split(s, "-")
		if len(parts) != 3 {
			return qingqian.Date{}, fmt.Errorf("日期格式不正确，应如 2019-11-30")
		}
		var err1, err2, err3 error
		y, err1 = strconv.Atoi(parts[0])
		m, err2 = strconv.Atoi(parts[1])
		d, err3 = strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || err3 != nil {
			return qingqian.Date{}, fmt.Errorf("日期格式不正确，应如 2019-11-30")
		}
	}
	if y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return qingqian.Date{}, fmt.Errorf("日期不存在")
	}
	date := qingqian.NewDate(y, time.Month(m), d)
	if date.Day() != d {
		return qingqian.Date{}, fmt.Errorf("日期不存在")
	}
	return date, nil
}

// ParseAmount reads an amount in 元 (or in 万元 when wan is true) as people type it; see
// ParseAmountIn. With wan false the column states no unit, so a cell may say its own.
func ParseAmount(s string, wan bool) (qingqian.Money, error) {
	if wan {
		return ParseAmountIn(s, Unit{Scale: 10_000, Explicit: true})
	}
	return ParseAmountIn(s, yuan)
}

// zeroes are what accounting formats and people write for nothing.
var zeroes = map[string]bool{"-": true, "--": true, "—": true, "——": true, "–": true, "无": true, "/": true}

// ParseAmountIn reads an amount written in the unit u as people type it: thousands separators
// (in their places: "12,34" is refused), full-width digits, a leading ¥, a trailing 元, 万元 or
// 亿元 (which must agree with a unit the column states), (1,234.56) for a negative amount, and
// "-", "—" or "无" for zero. At most two decimals of 元 (six of 万元, ten of 亿元); anything else is
// refused rather than rounded.
func ParseAmountIn(s string, u Unit) (qingqian.Money, error) {
	s = fold(s)
	if s == "" || zeroes[s] {
		return 0, nil
	}
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	scale := u.Scale
	if scale == 0 {
		scale = 1
	}
	if own, ok := cellUnit(s); ok {
		s = strings.TrimSpace(strings.TrimSuffix(s, own.Name()))
		if u.Explicit && own.Scale != scale {
			return 0, fmt.Errorf("单元格写的是“%s”，与本列的单位“%s”不一致，请改为本列单位的数字", own.Name(), u.Name())
		}
		scale = own.Scale
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	s = strings.TrimPrefix(s, "+")
	if strings.HasPrefix(s, "-") {
		if neg {
			return 0, fmt.Errorf("金额格式不正确")
		}
		neg, s = true, s[1:]
	}
	if s == "" || strings.ContainsAny(s, "eE+-") {
		return 0, fmt.Errorf("金额格式不正确")
	}
	if strings.Contains(s, ",") {
		if !thousands(s) {
			return 0, fmt.Errorf("千位分隔符位置不对（应每三位一个，如 1,234,567.89）")
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	shift := 0
	for p := scale; p > 1; p /= 10 {
		shift++
	}
	if len(frac) > 2+shift {
		if shift == 0 {
			return 0, fmt.Errorf("金额最多两位小数")
		}
		return 0, fmt.Errorf("以%s填写的金额最多%d位小数", Unit{Scale: scale}.Name(), 2+shift)
	}
	// Shift the decimal point, then read as 元.
	frac += strings.Repeat("0", 2+shift-len(frac))
	yuanText := strings.TrimLeft(intPart+frac[:shift], "0") + "." + frac[shift:]
	if strings.HasPrefix(yuanText, ".") {
		yuanText = "0" + yuanText
	}
	if neg {
		yuanText = "-" + yuanText
	}
	m, err := qingqian.ParseYuan(yuanText)
	if err != nil {
		return 0, fmt.Errorf("金额格式不正确")
	}
	return m, nil
}

// cellUnit is the unit a cell ends with, if any.
func cellUnit(s string) (Unit, bool) {
	for _, u := range []Unit{{Scale: 100_000_000}, {Scale: 10_000}, {Scale: 1}} {
		if strings.HasSuffix(s, u.Name()) {
			return u, true
		}
	}
	return Unit{}, false
}

// thousands reports whether the separators of a number are where they belong: every three
// digits of the whole part, none in the decimals.
func thousands(s string) bool {
	intPart, frac, _ := strings.Cut(s, ".")
	if strings.Contains(frac, ",") {
		return false
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// ParseUSCC reads a unified social credit code with surrounding spaces or lower-case letters.
func ParseUSCC(s string) (string, error) {
	code := qingqian.NormalizeUSCC(fold(s))
	// Printed in groups of four (9131 0115 MA1K 3BTP 2B) or with hyphens.
	if len(code) != 18 {
		if squeezed := strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(code); len(squeezed) == 18 {
			code = squeezed
		}
	}
	if code == "" {
		return "", nil
	}
	if msg := qingqian.CheckUSCC(code); msg != "" {
		return "", fmt.Errorf("%s", msg)
	}
	return code, nil
}

// isBlank reports whether every cell of a row is empty.
func isBlank(row []string) bool {
	for _, c := range row {
		if strings.TrimFunc(c, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}
