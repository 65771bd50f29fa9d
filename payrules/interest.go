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
	Paused   int            `json:"paused,omitempty"` // overdue days left out because the amount was held
	Interest qingqian.Money `json:"interest"`         // this part alone, rounded; the total is rounded once
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
// flagged and the LPR applies as the floor — else 0.05 % a day. With a supplier large at signing
// the Regulation does not apply: the agreed rate as agreed, else none (the zero Rate).
func RateFor(lprs LPRTable, t Terms) (rate Rate, rule string, lpr *LPR, flags []Flag) {
	v := VersionOn(t.Signed)
	art := "第十七条"
	if !v.Is2025() {
		art = "第十五条"
	}
	if !Regulated(t) {
		// Outside the Regulation: neither its 0.05 % a day nor its LPR floor; an agreed rate is the
		// contract's own.
		if t.AgreedRate.IsZero() {
			return Rate{}, LargeSupplier + "：合同未约定逾期利率，不计逾期利息（条例规定的日万分之五不适用）", nil, nil
		}
		return t.AgreedRate, fmt.Sprintf("%s：按合同约定的逾期利率%s计（条例关于不得低于LPR的规定不适用）", LargeSupplier, t.AgreedRate), nil, nil
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

// Hold is a time an amount was held: under dispute (争议) or before a court (诉讼).
type Hold struct {
	Kind qingqian.EventKind `json:"kind"`
	From qingqian.Date      `json:"from"` // the day the dispute was raised or the case filed
	To   qingqian.Date      `json:"to"`   // the day it closed; zero while open on the as-of date
}

// Piece is an amount falling due on one date, with the payments made on it and the holds it was
// under (none for the amount never held).
type Piece struct {
	Amount   qingqian.Money
	Payments []Payment
	Holds    []Hold
}

// PausedDays counts the overdue days after due up to and including end on which the amount was
// held: from the day the dispute was raised or the case filed up to and including the day it
// closed. The day it closed is the day the amount is payable again, and, as the Civil Code counts
// a period (民法典第二百零一条: the first day is not counted), the overdue days start again the day
// after; the day it opened is a day the amount is held (the aging leaves it out that day). A hold
// still open counts up to end. Holds that overlap count each day once. spans are the paused days
// counted, each "from–to".
func PausedDays(due, end qingqian.Date, holds []Hold) (n int, spans []string) {
	if due.IsZero() || !end.After(due) || len(holds) == 0 {
		return 0, nil
	}
	hs := append([]Hold(nil), holds...)
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].From.Before(hs[j].From) })
	first := due.AddDays(1)
	var lo, hi qingqian.Date // the merged span being counted
	flush := func() {
		if lo.IsZero() {
			return
		}
		a, b := lo, hi
		if a.Before(first) {
			a = first
		}
		if b.After(end) {
			b = end
		}
		if !a.After(b) {
			n += b.Sub(a) + 1
			if a == b {
				spans = append(spans, a.String())
			} else {
				spans = append(spans, a.String()+"至"+b.String())
			}
		}
	}
	for _, h := range hs {
		to := h.To
		if to.IsZero() || to.After(end) {
			to = end
		}
		if !lo.IsZero() && !h.From.After(hi) {
			if to.After(hi) {
				hi = to
			}
			continue
		}
		flush()
		lo, hi = h.From, to
	}
	flush()
	return n, spans
}

// heldDays returns the overdue days of an amount paid (or counted) on day, paused days left out.
func heldDays(due, day qingqian.Date, holds []Hold) (days, paused int, spans []string) {
	days = OverdueDays(due, day)
	paused, spans = PausedDays(due, day, holds)
	return days - paused, paused, spans
}

// Interest returns the overdue state of a payable as of a date: amount is the part due on time
// (the undisputed part, outside any court case); payments are applied oldest first. A payment on
// or before the due date carries no interest; a later one carries interest on its amount for its
// overdue days; what is unpaid on asOf carries interest up to and including asOf. Interest is
// summed exactly and rounded half-up to the 分 once.
func Interest(lprs LPRTable, t Terms, due qingqian.Date, amount qingqian.Money, payments []Payment, asOf qingqian.Date) Overdue {
	return InterestOf(lprs, t, due, []Piece{{Amount: amount, Payments: payments}}, asOf)
}

// InterestOf is Interest of an amount in pieces: the amount never held, and each amount held for
// a time and payable again (a dispute or a court case closed), whose overdue days leave out the
// days it was held (PausedDays). Each piece's payments are applied to it oldest first.
func InterestOf(lprs LPRTable, t Terms, due qingqian.Date, pieces []Piece, asOf qingqian.Date) Overdue {
	o := Overdue{Due: due, AsOf: asOf}
	o.Rate, o.RateRule, o.LPR, o.Flags = RateFor(lprs, t)
	num := new(big.Int)
	den := interestDen(o.Rate)
	var pausedSteps []string
	lastPaid, unpaidDays := qingqian.Date{}, -1
	for _, pc := range pieces {
		o.Amount += pc.Amount
		ps := append([]Payment(nil), pc.Payments...)
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].Day.Before(ps[j].Day) })
		left := pc.Amount
		held := ""
		if len(pc.Holds) > 0 {
			held = "（曾" + holdsText(pc.Holds) + "）"
		}
		for _, p := range ps {
			if left <= 0 || p.Day.After(asOf) {
				break
			}
			a := min(p.Amount, left)
			left -= a
			days, paused, spans := heldDays(due, p.Day, pc.Holds)
			if paused > 0 {
				pausedSteps = append(pausedSteps, fmt.Sprintf("%s元%s于%s付款，其间%s共%d日暂停计算，不计逾期天数和利息", a, held, p.Day, strings.Join(spans, "、"), paused))
			}
			if days == 0 {
				o.PaidOnTime += a
				continue
			}
			n := interestNum(a, o.Rate, days)
			num.Add(num, n)
			o.Parts = append(o.Parts, Part{Amount: a, Paid: p.Day, Days: days, Paused: paused, Interest: roundHalfUp(n, den)})
			if !p.Day.Before(lastPaid) && unpaidDays < 0 {
				lastPaid, o.Days = p.Day, days
			}
		}
		o.Unpaid += left
		if left > 0 {
			days, paused, spans := heldDays(due, asOf, pc.Holds)
			if paused > 0 {
				pausedSteps = append(pausedSteps, fmt.Sprintf("%s元%s截至%s未付，其间%s共%d日暂停计算，不计逾期天数和利息", left, held, asOf, strings.Join(spans, "、"), paused))
			}
			if days > 0 {
				n := interestNum(left, o.Rate, days)
				num.Add(num, n)
				o.Parts = append(o.Parts, Part{Amount: left, Days: days, Paused: paused, Interest: roundHalfUp(n, den)})
			}
			unpaidDays = max(unpaidDays, days)
			o.Days = unpaidDays
		}
	}
	o.Interest = roundHalfUp(num, den)
	if o.Interest == math.MaxInt64 || o.Interest == math.MinInt64 {
		// Only a rate or amount written before their bounds can reach it: said, not shown as if
		// it were the figure.
		o.Flags = append(o.Flags, Flag{Code: "interest_out_of_range",
			Text: "逾期利息超出可计算的范围，显示的是上限而非实际金额：请核对约定逾期利率和金额"})
	}
	if due.IsZero() {
		o.Steps = append(o.Steps, "无到期日，不计逾期利息")
		return o
	}
	o.Steps = append(o.Steps, o.RateRule)
	o.Steps = append(o.Steps, fmt.Sprintf("逾期天数自到期日%s的次日起算，算至付款日（含当日）；未付的算至%s（含当日）", due, asOf))
	if len(pausedSteps) > 0 {
		o.Steps = append(o.Steps, "争议或诉讼期间暂停计算：自提出争议或起诉之日起，至争议解决或诉讼终结之日（含当日）止，该部分金额不计逾期天数和利息，次日起继续计算（民法典第二百零一条，开始的当日不计入）")
		o.Steps = append(o.Steps, pausedSteps...)
	}
	if len(o.Parts) == 0 {
		o.Steps = append(o.Steps, "未逾期，无逾期利息")
		return o
	}
	for _, p := range o.Parts {
		when := "付款日" + p.Paid.String()
		if p.Paid.IsZero() {
			when = "截至" + asOf.String() + "未付"
		}
		paused := ""
		if p.Paused > 0 {
			paused = fmt.Sprintf("（已扣除暂停计算的%d日）", p.Paused)
		}
		o.Steps = append(o.Steps, fmt.Sprintf("%s元，%s，逾期%d日%s，利息%s元", p.Amount.String(), when, p.Days, paused, p.Interest.String()))
	}
	o.Steps = append(o.Steps, fmt.Sprintf("逾期利息合计%s元（各部分精确相加后四舍五入到分）", o.Interest.String()))
	return o
}

// holdsText names the holds of an amount: "争议（2025-10-15至2025-11-20）".
func holdsText(holds []Hold) string {
	var b []string
	for _, h := range holds {
		name := "争议"
		if h.Kind == qingqian.EventCourt {
			name = "诉讼"
		}
		if h.To.IsZero() {
			b = append(b, fmt.Sprintf("%s（%s起，未结）", name, h.From))
		} else {
			b = append(b, fmt.Sprintf("%s（%s至%s）", name, h.From, h.To))
		}
	}
	return strings.Join(b, "、")
}
