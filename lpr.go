package qingqian

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// LPR is one publication of the loan prime rate (贷款市场报价利率). It is published on the 20th of
// each month (the next working day when that is a rest day) and holds until the next one.
type LPR struct {
	Published Date `json:"published"`
	OneYear   Rate `json:"one_year"`  // a yearly rate
	FiveYear  Rate `json:"five_year"` // a yearly rate
}

// LPRTable is the publications, oldest first.
type LPRTable []LPR

// On returns the publication in force on d: the latest published on or before d. ok is false
// before the first publication.
func (t LPRTable) On(d Date) (LPR, bool) {
	i := sort.Search(len(t), func(i int) bool { return t[i].Published.After(d) })
	if i == 0 {
		return LPR{}, false
	}
	return t[i-1], true
}

// ParseLPR reads publications in the form of lpr.csv ("publish_date,lpr_1y_pct,lpr_5y_pct",
// rates in per cent with at most four decimals), checking every line; the errors name the line.
func ParseLPR(r io.Reader) (LPRTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	v := Validation{}
	seen := map[Date]bool{}
	var out LPRTable
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{Code: EINVALID, Message: fmt.Sprintf("第%d行无法识别：应为“公布日期,1年期LPR(%%),5年期LPR(%%)”", line), Fields: map[string]string{"lpr": "格式不正确"}}
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		first := strings.TrimSpace(strings.TrimPrefix(rec[0], "\uFEFF"))
		if line == 1 && first == "publish_date" {
			continue
		}
		field := fmt.Sprintf("line.%d", line)
		if len(rec) < 3 {
			v.Add(field, fmt.Sprintf("第%d行：应为“公布日期,1年期LPR(%%),5年期LPR(%%)”", line))
			continue
		}
		d, err := ParseDate(first)
		if err != nil {
			v.Add(field, fmt.Sprintf("第%d行：日期“%s”不正确，应为 YYYY-MM-DD", line, rec[0]))
			continue
		}
		one, err1 := ParsePercent(strings.TrimSpace(rec[1]))
		five, err2 := ParsePercent(strings.TrimSpace(rec[2]))
		switch {
		case err1 != nil || one.Micro <= 0:
			v.Add(field, fmt.Sprintf("第%d行：1年期LPR“%s”不正确，应为百分数，如 3.00", line, rec[1]))
		case err2 != nil || five.Micro <= 0:
			v.Add(field, fmt.Sprintf("第%d行：5年期LPR“%s”不正确，应为百分数，如 3.50", line, rec[2]))
		case seen[d]:
			v.Add(field, fmt.Sprintf("第%d行：%s 重复", line, d))
		}
		seen[d] = true
		out = append(out, LPR{Published: d, OneYear: one, FiveYear: five})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &Error{Code: EINVALID, Message: "没有读到任何LPR", Fields: map[string]string{"lpr": "请填写公布日期和利率"}}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Published.Before(out[j].Published) })
	return out, nil
}

// LPRService keeps the LPR table. Everyone reads it; administrators add a publication each month.
type LPRService interface {
	FindLPR(ctx context.Context) (LPRTable, error)
	// SetLPR enters (or corrects) publications, each replacing one of the same date. Audited.
	SetLPR(ctx context.Context, rates []LPR) error
}

// LPRGraceDays is how long after the 20th a month's publication may come: the 20th on a rest day
// moves it to the next working day, up to a week at the Spring Festival.
const LPRGraceDays = 7

// LPRExpected is the latest publication the table should hold on today: the 20th of this month
// once its grace has passed, else of last month.
func LPRExpected(today Date) Date {
	d := NewDate(today.Year(), today.Month(), 20)
	if today.Before(d.AddDays(LPRGraceDays)) {
		d = d.AddMonths(-1)
	}
	return d
}

// LPRReminder is what an administrator should be reminded of on today: the table's newest
// publication is older than the 20th of the latest month that should have one (LPRExpected),
// so that the interest of payables overdue since runs on a rate that may have changed; "" when
// the table is up to date.
func LPRReminder(t LPRTable, today Date) string {
	want := LPRExpected(today)
	if len(t) > 0 && !t[len(t)-1].Published.Before(want) {
		return ""
	}
	last := "尚无任何公布"
	if len(t) > 0 {
		last = "最新一次为" + t[len(t)-1].Published.String()
	}
	return fmt.Sprintf("LPR尚未录入%d年%d月的公布（%s）：逾期利息仍按最新已录入的LPR计算。请系统管理员在“LPR”页录入中国人民银行授权全国银行间同业拆借中心公布的新LPR。", want.Year(), want.Month(), last)
}
