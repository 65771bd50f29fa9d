package payrules

import (
	"fmt"
	"sort"

	"github.com/qingqian/qingqian"
)

// TermsOf returns what the rules need of a contract.
func TermsOf(c *qingqian.Contract) Terms {
	return Terms{Signed: c.SignedOn, Buyer: c.Buyer, Supplier: c.SupplierSize, Settle: c.Settlement,
		AgreedDays: c.AgreedDays, AcceptanceCondition: c.AcceptanceCondition, AcceptanceDays: c.AcceptanceDays,
		AgreedRate: c.AgreedRate, PayWhenPaid: c.PayWhenPaid, AuditBasis: c.AuditBasis, ForcedBills: c.ForcedBills}
}

// ContractFlags are what the rules find wrong with the contract itself: its forbidden clauses,
// its term and its agreed rate.
func ContractFlags(lprs LPRTable, c *qingqian.Contract) []Flag {
	t := TermsOf(c)
	flags := ClauseFlags(t)
	_, tf := TermOf(t)
	flags = append(flags, tf...)
	_, _, _, rf := RateFor(lprs, t)
	return append(flags, rf...)
}

// open reports whether a dispute or court case is open on asOf.
func open(e *qingqian.ContractEvent, asOf qingqian.Date) bool {
	return !e.On.After(asOf) && (e.EndOn.IsZero() || e.EndOn.After(asOf))
}

// Payables derives the payables of a contract from its events as of a date.
//
//   - A one-off contract has one payable: the confirmed settlement amount if there is one, else
//     the contract amount. Its clock starts as ClockStart says, from the last delivery, the last
//     acceptance and the last settlement confirmed on or before asOf.
//   - A contract settled by progress or by period has one payable per confirmed settlement,
//     each starting on its own confirmation day; before the first, one payable of the contract
//     amount started as a one-off one would be.
//   - An open dispute (Art. 15) takes its amount out of the part due on time, from the last
//     payable backwards; so does an open court case, whose part's clock is paused until it closes.
//   - Payments go to the payables oldest first.
//   - Invoices are recorded but start no clock: the Regulation counts from delivery, acceptance
//     or settlement, not from the invoice.
func Payables(cal *qingqian.Calendar, lprs LPRTable, c *qingqian.Contract, events []*qingqian.ContractEvent, asOf qingqian.Date) []*qingqian.Payable {
	t := TermsOf(c)
	var f Facts
	var settlements, payments, held []*qingqian.ContractEvent
	evs := append([]*qingqian.ContractEvent(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].On.Before(evs[j].On) })
	for _, e := range evs {
		if e.On.After(asOf) || e.Voided() {
			continue
		}
		switch e.Kind {
		case qingqian.EventDelivery:
			f.Delivered = e.On
		case qingqian.EventAcceptance:
			f.Accepted, f.AcceptanceLateBySupplier = e.On, e.LateBySupplier
		case qingqian.EventSettlement:
			settlements = append(settlements, e)
		case qingqian.EventPayment:
			payments = append(payments, e)
		case qingqian.EventDispute, qingqian.EventCourt:
			if open(e, asOf) {
				held = append(held, e)
			}
		}
	}
	type basis struct {
		label  string
		amount qingqian.Money
		facts  Facts
	}
	var bases []basis
	switch {
	case len(settlements) == 0:
		bases = append(bases, basis{"合同金额", c.Amount, f})
	case c.Settlement == qingqian.SettleOnce:
		last := settlements[len(settlements)-1]
		g := f
		g.Settled = last.On
		bases = append(bases, basis{"结算金额", last.Amount, g})
	default:
		for i, s := range settlements {
			g := f
			g.Settled = s.On
			bases = append(bases, basis{fmt.Sprintf("第%d次结算", i+1), s.Amount, g})
		}
	}
	out := make([]*qingqian.Payable, len(bases))
	for i, b := range bases {
		d := DueDate(cal, t, b.facts, asOf)
		p := &qingqian.Payable{Seq: i + 1, Basis: b.label, Amount: b.amount, StartOn: d.Start, DueOn: d.Date,
			Provisional: d.Provisional, Rule: d.Version.Name, Flags: d.Flags, DueSteps: d.Steps}
		out[i] = p
	}
	// Disputed and litigated amounts, from the last payable backwards.
	for _, h := range held {
		left := h.Amount
		for i := len(out) - 1; i >= 0 && left > 0; i-- {
			p := out[i]
			room := p.Amount - p.Disputed - p.InCourt
			x := min(room, left)
			if x <= 0 {
				continue
			}
			left -= x
			if h.Kind == qingqian.EventCourt {
				p.InCourt += x
			} else {
				p.Disputed += x
			}
		}
	}
	// Payments, oldest payable first.
	alloc := make([][]Payment, len(out))
	bills := make([]qingqian.Money, len(out))
	pi := 0
	var over qingqian.Money // paid beyond every payable
	for _, pay := range payments {
		left := pay.Amount
		for pi < len(out) && left > 0 {
			p := out[pi]
			p.Due = p.Amount - p.Disputed - p.InCourt
			room := p.Due - p.Paid
			if room <= 0 {
				pi++
				continue
			}
			x := min(room, left)
			p.Paid += x
			left -= x
			alloc[pi] = append(alloc[pi], Payment{Day: pay.On, Amount: x})
			if pay.Method == qingqian.MethodBill || pay.Method == qingqian.MethodReceivable {
				bills[pi] += x
			}
		}
		over += left
	}
	if settled, ok := Settled(c, evs, asOf); ok && settled > c.Amount && len(out) > 0 {
		// Not refused: variations and site instructions (变更、签证) may take a settlement past
		// the contract amount; an amount entered wrong may too.
		last := out[len(out)-1]
		last.Flags = append(last.Flags, Flag{Code: "settled_above_contract", Text: fmt.Sprintf("结算金额%s元高于合同金额%s元：有变更、签证的属正常，否则请核对结算金额是否录错", settled, c.Amount)})
	}
	if over > 0 && len(out) > 0 {
		// Never swallowed: a payment beyond what is owed is a mistake to find (a payment entered
		// twice, an amount corrected below what was paid) or a debt the contract does not hold.
		last := out[len(out)-1]
		last.Flags = append(last.Flags, Flag{Code: "overpaid", Text: fmt.Sprintf("付款合计超过应付金额%s元：请核对是否重复录入付款，或合同、结算金额有误", over)})
	}
	for i, p := range out {
		p.Due = p.Amount - p.Disputed - p.InCourt
		if p.Disputed > 0 {
			p.DueSteps = append(p.DueSteps, fmt.Sprintf("有争议的%s元在争议解决前不计入按期应付；无争议的%s元仍须按期支付（2025年条例第十五条）", p.Disputed, p.Due))
		}
		if p.InCourt > 0 {
			p.DueSteps = append(p.DueSteps, fmt.Sprintf("%s元已诉至法院，诉讼期间暂停计算，以法院裁判为准", p.InCourt))
		}
		if bills[i] > 0 {
			p.Flags = append(p.Flags, Flag{Code: "paid_in_bills", Text: fmt.Sprintf("其中%s元以商业汇票或应收账款电子凭证支付，不等同于现金到账", bills[i])})
		}
		switch {
		case p.StartOn.IsZero():
			p.Status, p.Unpaid = qingqian.PayableNotStarted, p.Due-p.Paid
			continue
		case p.DueOn.IsZero():
			p.Status, p.Unpaid = qingqian.PayableNoTerm, p.Due-p.Paid
			continue
		}
		o := Interest(lprs, t, p.DueOn, p.Due, alloc[i], asOf)
		p.PaidOnTime, p.Unpaid, p.OverdueDays, p.Interest, p.Rate = o.PaidOnTime, o.Unpaid, o.Days, o.Interest, o.Rate.String()
		p.Flags = append(p.Flags, o.Flags...)
		p.RateSteps = o.Steps
		for _, x := range alloc[i] {
			p.Parts = append(p.Parts, qingqian.PayablePart{Amount: x.Amount, PaidOn: x.Day, Days: OverdueDays(p.DueOn, x.Day)})
		}
		if p.Unpaid > 0 {
			p.Parts = append(p.Parts, qingqian.PayablePart{Amount: p.Unpaid, Days: OverdueDays(p.DueOn, asOf)})
		}
		switch {
		case p.Unpaid > 0 && asOf.After(p.DueOn):
			p.Status = qingqian.PayableOverdue
		case p.Unpaid > 0:
			p.Status = qingqian.PayableOpen
		case len(o.Parts) > 0:
			p.Status = qingqian.PayablePaidLate
		default:
			p.Status = qingqian.PayablePaid
		}
	}
	return out
}
