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
//   - A dispute (Art. 15) takes its amount out of the part due on time, from the last payable
//     backwards, while it is open; so does a court case. The amount held is a piece of its own
//     with the days of the hold (its parts carry HeldFrom and HeldTo): when the dispute or the
//     case closes it is due again with the payable, and its overdue days leave out the days it
//     was held (PausedDays). A hold opened on money whose earlier hold has closed by then holds
//     that money again (a dispute that goes to court).
//   - Payments go to the payables oldest first; within one, to the amount never held first, then
//     to the amounts held and payable again, in the order they were held.
//   - Invoices are recorded but start no clock: the Regulation counts from delivery, acceptance
//     or settlement, not from the invoice.
func Payables(cal *qingqian.Calendar, lprs LPRTable, c *qingqian.Contract, events []*qingqian.ContractEvent, asOf qingqian.Date) []*qingqian.Payable {
	t := TermsOf(c)
	var f Facts
	var settlements, payments, holds []*qingqian.ContractEvent
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
			holds = append(holds, e)
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
	// The amounts held, from the last payable backwards: each a piece of its own.
	pieces := make([][]*piece, len(out))
	for _, e := range holds {
		h := Hold{Kind: e.Kind, From: e.On}
		if !e.EndOn.IsZero() && !e.EndOn.After(asOf) {
			h.To = e.EndOn
		}
		left := e.Amount
		for i := len(out) - 1; i >= 0 && left > 0; i-- {
			// Money held before and payable again by the day this hold opens is held again.
			for _, x := range pieces[i] {
				if left <= 0 {
					break
				}
				if !x.releasedBy(h.From) {
					continue
				}
				take := min(x.amount, left)
				if take < x.amount {
					pieces[i] = append(pieces[i], &piece{amount: x.amount - take, holds: append([]Hold(nil), x.holds...)})
					x.amount = take
				}
				x.holds = append(x.holds, h)
				left -= take
			}
			free := out[i].Amount
			for _, x := range pieces[i] {
				free -= x.amount
			}
			if take := min(free, left); take > 0 {
				pieces[i] = append(pieces[i], &piece{amount: take, holds: []Hold{h}})
				left -= take
			}
		}
	}
	for i, p := range out {
		for _, x := range pieces[i] {
			switch {
			case !x.open():
			case x.holds[len(x.holds)-1].Kind == qingqian.EventCourt:
				p.InCourt += x.amount
			default:
				p.Disputed += x.amount
			}
		}
		p.Due = p.Amount - p.Disputed - p.InCourt
	}
	// Payments, oldest payable first.
	alloc := make([][]billPayment, len(out))
	pi := 0
	var over qingqian.Money // paid beyond every payable
	for _, pay := range payments {
		left := pay.Amount
		bill := pay.Method == qingqian.MethodBill || pay.Method == qingqian.MethodReceivable
		for pi < len(out) && left > 0 {
			p := out[pi]
			room := p.Due - p.Paid
			if room <= 0 {
				pi++
				continue
			}
			x := min(room, left)
			p.Paid += x
			left -= x
			alloc[pi] = append(alloc[pi], billPayment{Payment{Day: pay.On, Amount: x}, bill})
		}
		over += left
	}
	if over > 0 && len(out) > 0 {
		// Never swallowed: a payment beyond what is owed is a mistake to find (a payment entered
		// twice, an amount corrected below what was paid) or a debt the contract does not hold.
		last := out[len(out)-1]
		last.Flags = append(last.Flags, Flag{Code: "overpaid", Text: fmt.Sprintf("付款合计超过应付金额%s元：请核对是否重复录入付款，或合同、结算金额有误", over)})
	}
	for i, p := range out {
		// The pieces due: the amount never held, then those held and payable again.
		never := &piece{amount: p.Amount}
		due := []*piece{never}
		var openHeld []*piece
		for _, x := range pieces[i] {
			never.amount -= x.amount
			if x.open() {
				openHeld = append(openHeld, x)
			} else {
				due = append(due, x)
			}
		}
		// The payable's payments, to the pieces in turn.
		k := 0
		var bills qingqian.Money
		for _, pay := range alloc[i] {
			left := pay.Amount
			if pay.Bill {
				bills += pay.Amount
			}
			for k < len(due) && left > 0 {
				x := due[k]
				room := x.amount - x.paid
				if room <= 0 {
					k++
					continue
				}
				a := min(room, left)
				x.paid += a
				left -= a
				x.payments = append(x.payments, billPayment{Payment{Day: pay.Day, Amount: a}, pay.Bill})
			}
		}
		if p.Disputed > 0 {
			p.DueSteps = append(p.DueSteps, fmt.Sprintf("有争议的%s元在争议解决前不计入按期应付；无争议的%s元仍须按期支付（2025年条例第十五条）", p.Disputed, p.Due))
		}
		if p.InCourt > 0 {
			p.DueSteps = append(p.DueSteps, fmt.Sprintf("%s元已诉至法院，诉讼期间暂停计算，以法院裁判为准", p.InCourt))
		}
		for _, x := range due[1:] {
			p.DueSteps = append(p.DueSteps, fmt.Sprintf("%s元曾%s，已解决，与本笔应付款一并到期，暂停计算的日数不计逾期", x.amount, holdsText(x.holds)))
		}
		if bills > 0 {
			p.Flags = append(p.Flags, Flag{Code: "paid_in_bills", Text: fmt.Sprintf("其中%s元以商业汇票或应收账款电子凭证支付，不等同于现金到账", bills)})
		}
		var o Overdue
		if !p.StartOn.IsZero() && !p.DueOn.IsZero() {
			ins := make([]Piece, len(due))
			for j, x := range due {
				ins[j] = Piece{Amount: x.amount, Holds: x.holds}
				for _, pay := range x.payments {
					ins[j].Payments = append(ins[j].Payments, pay.Payment)
				}
			}
			o = InterestOf(lprs, t, p.DueOn, ins, asOf)
			p.PaidOnTime, p.Unpaid, p.OverdueDays, p.Interest, p.Rate = o.PaidOnTime, o.Unpaid, o.Days, o.Interest, o.Rate.String()
			p.Flags = append(p.Flags, o.Flags...)
			p.RateSteps = o.Steps
		} else {
			p.Unpaid = p.Due - p.Paid
		}
		// The parts, in the order of payment within each piece: what the aging reads.
		if !p.StartOn.IsZero() {
			for _, x := range append(due, openHeld...) {
				var from, to qingqian.Date
				if len(x.holds) > 0 {
					from, to = x.holds[0].From, x.holds[len(x.holds)-1].To
				}
				for _, pay := range x.payments {
					days, paused, _ := heldDays(p.DueOn, pay.Day, x.holds)
					p.Parts = append(p.Parts, qingqian.PayablePart{Amount: pay.Amount, PaidOn: pay.Day, Days: days, Paused: paused, HeldFrom: from, HeldTo: to, InBills: pay.Bill})
				}
				if rest := x.amount - x.paid; rest > 0 {
					days, paused := 0, 0
					if !x.open() {
						days, paused, _ = heldDays(p.DueOn, asOf, x.holds)
					}
					p.Parts = append(p.Parts, qingqian.PayablePart{Amount: rest, Days: days, Paused: paused, HeldFrom: from, HeldTo: to})
				}
			}
		}
		switch {
		case p.StartOn.IsZero():
			p.Status = qingqian.PayableNotStarted
		case p.DueOn.IsZero():
			p.Status = qingqian.PayableNoTerm
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

// piece is an amount of a payable: the amount never held, or one held for a time.
type piece struct {
	amount   qingqian.Money
	holds    []Hold
	paid     qingqian.Money
	payments []billPayment
}

// billPayment is a payment and whether it was by commercial bill or electronic receivable voucher.
type billPayment struct {
	Payment
	Bill bool
}

// open reports whether the piece is held on the as-of date.
func (x *piece) open() bool { return len(x.holds) > 0 && x.holds[len(x.holds)-1].To.IsZero() }

// releasedBy reports whether the piece was held and is payable again on d.
func (x *piece) releasedBy(d qingqian.Date) bool {
	return len(x.holds) > 0 && !x.open() && !x.holds[len(x.holds)-1].To.After(d)
}
