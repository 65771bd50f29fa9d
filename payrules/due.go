package payrules

import (
	"fmt"

	"github.com/qingqian/qingqian"
)

// Facts are the dated events that start the clock of one payable.
type Facts struct {
	Delivered qingqian.Date `json:"delivered"` // 交付
	Accepted  qingqian.Date `json:"accepted"`  // 检验或验收合格
	// AcceptanceLateBySupplier: acceptance came late through the supplier, not the buyer, so
	// the end of the agreed acceptance period does not cap the start.
	AcceptanceLateBySupplier bool          `json:"acceptance_late_by_supplier,omitempty"`
	Settled                  qingqian.Date `json:"settled"` // 双方确认结算金额
}

// Moved is a rest day that moved a due date.
type Moved struct {
	Day  qingqian.Date `json:"day"`
	What string        `json:"what"` // 国庆节放假、周六……
}

// Due is the day the law says the buyer must pay, with how it was found.
type Due struct {
	Version   Version       `json:"version"`
	Start     qingqian.Date `json:"start"` // zero while the clock has not started
	StartRule string        `json:"start_rule"`
	Term      Term          `json:"term"`
	// Plain is the start plus the term; Date is Plain moved past rest days (民法典 Art. 203).
	Plain qingqian.Date `json:"plain"`
	Date  qingqian.Date `json:"date"` // zero when there is no due date yet (or none at all)
	Moved []Moved       `json:"moved,omitempty"`
	// Provisional is a year the count reached whose holiday arrangement is not entered (0 for
	// none): the date is then counted on weekends alone and provisional.
	Provisional int      `json:"provisional,omitempty"`
	Flags       []Flag   `json:"flags,omitempty"`
	Steps       []string `json:"steps"` // the explanation, in order
}

// Explanation is the whole explanation as one text.
func (d Due) Explanation() string {
	s := ""
	for i, x := range d.Steps {
		if i > 0 {
			s += "；"
		}
		s += x
	}
	return s
}

// ClockStart returns when the payment clock starts (Art. 10 [9]): on the day both sides confirm
// the settlement amount; else, when passing acceptance is a condition of payment, on the day it
// passes, but no later than the end of the agreed acceptance period when acceptance is late
// through the buyer (also while it has not happened by asOf); else on delivery. The zero date
// means the clock has not started by asOf.
func ClockStart(cal *qingqian.Calendar, t Terms, f Facts, asOf qingqian.Date) (start qingqian.Date, rule string, provisional int) {
	v := VersionOn(t.Signed)
	art := "第十条"
	if !v.Is2025() {
		art = "第九条"
	}
	if !f.Settled.IsZero() {
		if t.Settle == qingqian.SettleOnce && f.Settled.Before(f.Delivered) {
			// A one-off price confirmed before the goods or works were delivered: the clock
			// cannot start before there is anything to pay for.
			return f.Delivered, fmt.Sprintf("%s：双方确认结算金额之日（%s）早于交付之日，自交付之日（%s）起算（%s）", art, f.Settled, f.Delivered, t.Settle.Label()), 0
		}
		return f.Settled, fmt.Sprintf("%s：双方确认结算金额之日（%s）起算（%s）", art, f.Settled, t.Settle.Label()), 0
	}
	if t.AcceptanceCondition && !f.Accepted.IsZero() && f.Accepted.Before(f.Delivered) {
		// Nothing passes acceptance before it is delivered: a recorded acceptance dated before
		// the (last) delivery is a mistake in the dates, and the clock starts on delivery.
		return f.Delivered, fmt.Sprintf("%s：验收合格为付款条件，但记录的验收日期（%s）早于交付日期（%s），自交付之日起算", art, f.Accepted, f.Delivered), 0
	}
	if t.AcceptanceCondition {
		var expiry qingqian.Date
		if t.AcceptanceDays > 0 && !f.Delivered.IsZero() {
			expiry, provisional = cal.PeriodEndProvisional(f.Delivered, t.AcceptanceDays)
		}
		switch {
		case !f.Accepted.IsZero() && (expiry.IsZero() || !f.Accepted.After(expiry)):
			return f.Accepted, fmt.Sprintf("%s：验收合格为付款条件，自验收合格之日（%s）起算", art, f.Accepted), provisional
		case !f.Accepted.IsZero() && f.AcceptanceLateBySupplier:
			return f.Accepted, fmt.Sprintf("%s：验收合格为付款条件，验收晚于约定的验收期限（%s届满）系供应商原因，自验收合格之日（%s）起算", art, expiry, f.Accepted), provisional
		case !f.Accepted.IsZero():
			return expiry, fmt.Sprintf("%s：验收合格为付款条件，采购方拖延验收，约定的验收期限%d日（自交付日%s起算）于%s届满，自届满之日起算（实际验收%s）", art, t.AcceptanceDays, f.Delivered, expiry, f.Accepted), provisional
		case !expiry.IsZero() && asOf.After(expiry):
			return expiry, fmt.Sprintf("%s：验收合格为付款条件，约定的验收期限%d日（自交付日%s起算）于%s届满仍未验收，自届满之日起算", art, t.AcceptanceDays, f.Delivered, expiry), provisional
		case f.Delivered.IsZero():
			return qingqian.Date{}, "尚未交付，付款期限未起算", 0
		default:
			return qingqian.Date{}, fmt.Sprintf("%s：验收合格为付款条件，尚未验收，付款期限未起算", art), provisional
		}
	}
	if f.Delivered.IsZero() {
		return qingqian.Date{}, "尚未交付，付款期限未起算", 0
	}
	return f.Delivered, fmt.Sprintf("%s：自交付之日（%s）起算", art, f.Delivered), 0
}

// DueDate returns the due date of a payable: the clock start, the term, and the period counted
// as the Civil Code counts (Arts. 201, 203) on the holiday calendar — the first day is not
// counted, and a last day that is a rest day moves to the next working day; a make-up working
// day (调休上班) is a working day.
func DueDate(cal *qingqian.Calendar, t Terms, f Facts, asOf qingqian.Date) Due {
	v := VersionOn(t.Signed)
	d := Due{Version: v}
	d.Steps = append(d.Steps, fmt.Sprintf("签订日%s，适用%s", t.Signed, v.Name))
	if v.InForce() {
		d.Steps[0] += "（" + v.Decree + "，" + v.From.String() + "起施行）"
	}
	d.Steps = append(d.Steps, fmt.Sprintf("供应商签约时声明为%s，采购方为%s", t.Supplier.Label(), t.Buyer.Label()))
	d.Flags = append(d.Flags, ClauseFlags(t)...)
	term, flags := TermOf(t)
	d.Term = term
	d.Flags = append(d.Flags, flags...)
	start, rule, prov := ClockStart(cal, t, f, asOf)
	d.Start, d.StartRule, d.Provisional = start, rule, prov
	switch {
	case t.AcceptanceCondition && !f.Accepted.IsZero() && f.Accepted.Before(f.Delivered) && f.Settled.IsZero():
		d.Flags = append(d.Flags, Flag{Code: "accepted_before_delivery", Text: fmt.Sprintf("验收日期%s早于交付日期%s，请核对事件日期；付款期限自交付之日起算", f.Accepted, f.Delivered)})
	case t.Settle == qingqian.SettleOnce && !f.Settled.IsZero() && f.Settled.Before(f.Delivered):
		d.Flags = append(d.Flags, Flag{Code: "settled_before_delivery", Text: fmt.Sprintf("结算确认日期%s早于交付日期%s，请核对事件日期；付款期限自交付之日起算", f.Settled, f.Delivered)})
	}
	d.Steps = append(d.Steps, "起算："+rule)
	d.Steps = append(d.Steps, "期限："+term.Rule)
	if start.IsZero() || term.Days == 0 {
		if !start.IsZero() {
			d.Steps = append(d.Steps, "无法定或约定的付款期限，不计算到期日")
		}
		return d
	}
	d.Plain = start.AddDays(term.Days)
	due, missing := cal.PeriodEndProvisional(start, term.Days)
	if d.Provisional == 0 {
		d.Provisional = missing
	}
	d.Date = due
	d.Steps = append(d.Steps, fmt.Sprintf("按《民法典》第二百零一条，起算日当日不计入，自%s起算%d日，至%s", start.AddDays(1), term.Days, d.Plain))
	if due != d.Plain {
		for x := d.Plain; x.Before(due); x = x.AddDays(1) {
			what, _ := cal.Describe(x)
			d.Moved = append(d.Moved, Moved{Day: x, What: what})
		}
		list := ""
		for i, m := range d.Moved {
			if i > 0 {
				list += "、"
			}
			list += m.Day.String() + m.What
		}
		d.Steps = append(d.Steps, fmt.Sprintf("按第二百零三条，期限末日为休息日（%s），顺延至其后第一个工作日%s", list, due))
	} else if what, _ := cal.Describe(due); what != "工作日" {
		d.Steps = append(d.Steps, fmt.Sprintf("%s为%s，是工作日，不顺延", due, what))
	}
	if d.Provisional != 0 {
		d.Steps = append(d.Steps, qingqian.ProvisionalNote(d.Provisional))
	}
	d.Steps = append(d.Steps, fmt.Sprintf("应于%s（含当日）前付款", due))
	return d
}
