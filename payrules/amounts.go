package payrules

import (
	"github.com/qingqian/qingqian"
)

// Settled is the amount the confirmed settlements of a contract set as owed, as Payables reads
// them: the last one of a contract settled once, the sum of all of one settled by progress or by
// period; ok is false when none was confirmed by asOf (zero: all).
func Settled(c *qingqian.Contract, events []*qingqian.ContractEvent, asOf qingqian.Date) (amount qingqian.Money, ok bool) {
	var last qingqian.Date
	for _, e := range events {
		if e.Kind != qingqian.EventSettlement || e.Voided() || (!asOf.IsZero() && e.On.After(asOf)) {
			continue
		}
		if c.Settlement == qingqian.SettleOnce {
			if !ok || !e.On.Before(last) {
				amount, last = e.Amount, e.On
			}
		} else {
			amount += e.Amount
		}
		ok = true
	}
	return amount, ok
}

// Unheld is what a contract still owes on asOf and is neither paid nor already held by an open
// dispute or court case: what a new dispute or court case of that day may at most hold. The
// amount owed is the settled amount, else the contract's.
func Unheld(c *qingqian.Contract, events []*qingqian.ContractEvent, asOf qingqian.Date) qingqian.Money {
	owed, ok := Settled(c, events, asOf)
	if !ok {
		owed = c.Amount
	}
	for _, e := range events {
		if e.Voided() || e.On.After(asOf) {
			continue
		}
		switch e.Kind {
		case qingqian.EventPayment:
			owed -= e.Amount
		case qingqian.EventDispute, qingqian.EventCourt:
			if open(e, asOf) {
				owed -= e.Amount
			}
		}
	}
	return max(owed, 0)
}

// open reports whether a dispute or court case is open on asOf.
func open(e *qingqian.ContractEvent, asOf qingqian.Date) bool {
	return !e.On.After(asOf) && (e.EndOn.IsZero() || e.EndOn.After(asOf))
}
