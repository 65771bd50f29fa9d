package payrules

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
)

// StatutoryRate is the overdue interest when the contract agrees none: 0.05 % a day (万分之五,
// Art. 17 [15]).
var StatutoryRate = Rate{PerDay: true, Micro: 500}

// DaysInYear is the day count of a yearly rate: a yearly rate is divided by 365 for each day.
const DaysInYear = qingqian.DaysInYear

// FormatPercent and ParsePercent are the root package's.
var (
	FormatPercent = qingqian.FormatPercent
	ParsePercent  = qingqian.ParsePercent
)

// Payment is money paid towards a payable.
type Payment struct {
	Day    qingqian.Date  `json:"day"`
	Amount qingqian.Money `json:"amount"`
}

// Part is an amount that was or is overdue, and for how many days.
type Part struct {
	Amount   qingqian.Money `json:"amount"`
	Paid     qingqian.Date  `json:"paid"` // zero while unpaid: counted to the as-of date
	Days     int            `json:"days"`
	Interest qingqian.Money `json:"interest"` // this part alone, rounded; the total is rounded once
}

// Overdue is the overdue state and interest of a payable as of a date.
type Overdue struct {
	Due        qingqian.Date  `json:"due"`
	AsOf       qingqian.Date  `json:"as_of"`
	Amount     qingqian.Money `json:"amount"` // due on time (the undisputed part)
	PaidOnTime qingqian.Money `json:"paid_on_time"`
	Unpaid     qingqian.Money `json:"unpaid"` // still unpaid on the as-of date
	Days       int            `json:"days"`   // overdue days of the unpaid amount (or of the last late payment)
	Rate       Rate           `json:"rate"`   // the rate applied
	RateRule   string         `json:"rate_rule"`
	LPR        *LPR           `json:"lpr,omitempty"` // the one-year LPR in force on the signing date
	Parts      []Part         `json:"parts,omitempty"`
	Interest   qingqian.Money `json:"interest"`
	Flags      []Flag         `json:"flags,omitempty"`
	Steps      []string       `json:"steps"`
}

// Explanation is the whole explanation as one text.
func (o Overdue) Explanation() string { return strings.Join(o.Steps, "；") }

// OverdueDays is the day-count convention, written once and used everywhere: the days after the
// due date up to and including the day of payment (or the as-of date while unpaid). A payment on
// the due date is on time (0 days).
func OverdueDays(due, paid qingqian.Date) int {
	if due.IsZero() || !paid.After(due) {
		return 0
	}
	return paid.Sub(due)
}

// RateFor returns the rate that applies to a contract (Art. 17 [15]): the agreed rate, which may
// not be lower than the one-year LPR in force on the signing date — a lower agreed rate is
// flagged and the LPR applies as the floor — else 0.05 % a day.
func RateFor(lprs LPRTable, t Terms) (rate Rate, rule string, lpr *LPR, flags []Flag) {
	v := VersionOn(t.Signed)
	art := "第十七条"
	if !v.Is2025() {
		art = "第十五条"
	}
	if l, ok := lprs.On(t.Signed); ok {
		lpr = &l
	}
	if t.AgreedRate.IsZero() {
		return StatutoryRate, fmt.Sprintf("条例%s：合同未约定逾期利率，按每日利息万分之五（日0.05%%）计", art), lpr, nil
	}
	if lpr == nil {
		return t.AgreedRate, fmt.Sprintf("按合同约定的逾期利率%s（签订日早于首次LPR公布日，无从比较）", t.AgreedRate), nil, nil
	}
	cmp := fmt.Sprintf("签订日%s适用的1年期LPR为年%s%%（%s公布）", t.Signed, FormatPercent(lpr.OneYear.Micro), lpr.Published)
	if t.AgreedRate.Yearly() < lpr.OneYear.Micro {
		flags = append(flags, Flag{Code: "rate_below_lpr", Unlawful: true,
			Text: fmt.Sprintf("约定逾期利率%s低于%s，违反条例%s", t.AgreedRate, cmp, art)})
		return lpr.OneYear, fmt.Sprintf("条例%s：约定逾期利率%s低于%s，不得低于该利率，按LPR年%s%%计（按日计为年利率÷%d）", art, t.AgreedRate, cmp, FormatPercent(lpr.OneYear.Micro), DaysInYear), lpr, flags
	}
	rule = fmt.Sprintf("条例%s：按合同约定的逾期利率%s，不低于%s", art, t.AgreedRate, cmp)
	if !t.AgreedRate.PerDay {
		rule += fmt.Sprintf("（按日计为年利率÷%d）", DaysInYear)
	}
	return t.AgreedRate, rule, lpr, nil
}

// interestNum returns amount × rate × days as a fraction over den (1,000,000 for a daily rate,
// 365,000,000 for a yearly one).
func interestNum(amount qingqian.Money, r Rate, days int) *big.Int {
	n := big.NewInt(int64(amount))
	n.Mul(n, big.NewInt(r.Micro))
	return n.Mul(n, big.NewInt(int64(days)))
}

func interestDen(r Rate) *big.Int {
	if r.PerDay {
		return big.NewInt(1_000_000)
	}
	return big.NewInt(1_000_000 * DaysInYear)
}

// roundHalfUp returns num/den in whole 分, halves rounded away from zero.
func roundHalfUp(num, den *big.Int) qingqian.Money {
	n := new(big.Int).Mul(num, big.NewInt(2))
	neg := n.Sign() < 0
	if neg {
		n.Neg(n)
	}
	n.Add(n, den)
	n.Quo(n, new(big.Int).Mul(den, big.NewInt(2)))
	if neg {
		n.Neg(n)
	}
	if !n.IsInt64() {
		// Out of reach of the rates and amounts a contract may hold (MaxRatePerDay, MaxAmount);
		// a row written before those bounds must not wrap round to a wrong figure.
		if neg {
			return qingqian.Money(math.MinInt64)
		}
		return qingqian.Money(math.MaxInt64)
	}
	return qingqian.Money(n.Int64())
}

// Interest returns the overdue state of a payable as of a date: amount is the part due on time
// (the undisputed part, outside any court case); payments are applied oldest first. A payment on
// or before the due date carries no interest; a later one carries interest on its amount for its
// overdue days; what is unpaid on asOf carries interest up to and including asOf. Interest is
// summed exactly and rounded half-up to the 分 once.
func Interest(lprs LPRTable, t Terms, due qingqian.Date, amount qingqian.Money, payments []Payment, asOf qingqian.Date) Overdue {
	o := Overdue{Due: due, AsOf: asOf, Amount: amount}
	o.Rate, o.RateRule, o.LPR, o.Flags = RateFor(lprs, t)
	ps := append([]Payment(nil), payments...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Day.Before(ps[j].Day) })
	left := amount
	num := new(big.Int)
	den := interestDen(o.Rate)
	for _, p := range ps {
		if left <= 0 || p.Day.After(asOf) {
			break
		}
		a := min(p.Amount, left)
		left -= a
		days := OverdueDays(due, p.Day)
		if days == 0 {
			o.PaidOnTime += a
			continue
		}
		n := interestNum(a, o.Rate, days)
		num.Add(num, n)
		o.Parts = append(o.Parts, Part{Amount: a, Paid: p.Day, Days: days, Interest: roundHalfUp(n, den)})
		o.Days = days
	}
	o.Unpaid = left
	if left > 0 {
		if days := OverdueDays(due, asOf); days > 0 {
			n := interestNum(left, o.Rate, days)
			num.Add(num, n)
			o.Parts = append(o.Parts, Part{Amount: left, Days: days, Interest: roundHalfUp(n, den)})
			o.Days = days
		} else {
			o.Days = 0
		}
	}
	o.Interest = roundHalfUp(num, den)
	if due.IsZero() {
		o.Steps = append(o.Steps, "无到期日，不计逾期利息")
		return o
	}
	o.Steps = append(o.Steps, o.RateRule)
	o.Steps = append(o.Steps, fmt.Sprintf("逾期天数自到期日%s的次日起算，算至付款日（含当日）；未付的算至%s（含当日）", due, asOf))
	if len(o.Parts) == 0 {
		o.Steps = append(o.Steps, "未逾期，无逾期利息")
		return o
	}
	for _, p := range o.Parts {
		when := "付款日" + p.Paid.String()
		if p.Paid.IsZero() {
			when = "截至" + asOf.String() + "未付"
		}
		o.Steps = append(o.Steps, fmt.Sprintf("%s元，%s，逾期%d日，利息%s元", p.Amount.String(), when, p.Days, p.Interest.String()))
	}
	o.Steps = append(o.Steps, fmt.Sprintf("逾期利息合计%s元（各部分精确相加后四舍五入到分）", o.Interest.String()))
	return o
}
