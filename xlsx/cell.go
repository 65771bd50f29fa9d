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
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eE") && len(s) != 8 {
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

// ParseAmount reads an amount in 元 (or in 万元 when wan is true) as people type it: thousands
// separators, full-width digits, a trailing 元 or 万元, a leading ¥. At most two decimals of 元
// (six of 万元); anything else is refused rather than rounded.
func ParseAmount(s string, wan bool) (qingqian.Money, error) {
	s = fold(s)
	if s == "" {
		return 0, nil
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	if strings.HasSuffix(s, "万元") {
		s, wan = strings.TrimSuffix(s, "万元"), true
	} else {
		s = strings.TrimSuffix(s, "元")
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" || strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("金额格式不正确")
	}
	if !wan {
		m, err := qingqian.ParseYuan(s)
		if err != nil {
			if strings.Contains(err.Error(), "decimals") {
				return 0, fmt.Errorf("金额最多两位小数")
			}
			return 0, fmt.Errorf("金额格式不正确")
		}
		return m, nil
	}
	// 万元: shift the decimal point four places, then read as 元.
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) > 6 {
		return 0, fmt.Errorf("以万元填写的金额最多六位小数")
	}
	frac += strings.Repeat("0", 6-len(frac))
	yuan := strings.TrimLeft(intPart+frac[:4], "0") + "." + frac[4:]
	if strings.HasPrefix(yuan, ".") {
		yuan = "0" + yuan
	}
	if neg {
		yuan = "-" + yuan
	}
	m, err := qingqian.ParseYuan(yuan)
	if err != nil {
		return 0, fmt.Errorf("金额格式不正确")
	}
	return m, nil
}

// ParseUSCC reads a unified social credit code with surrounding spaces or lower-case letters.
func ParseUSCC(s string) (string, error) {
	code := qingqian.NormalizeUSCC(fold(s))
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
