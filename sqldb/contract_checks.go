package sqldb

import (
	"fmt"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/payrules"
)

// overHeld checks a new dispute or court case against what the contract still owes on its day,
// neither paid nor held already (payrules.Unheld): more cannot be in dispute. It returns the
// message for the amount field, "" when the event is not a dispute or court case or fits.
func overHeld(k *qingqian.Contract, events []*qingqian.ContractEvent, e *qingqian.ContractEvent) string {
	if e.Kind != qingqian.EventDispute && e.Kind != qingqian.EventCourt {
		return ""
	}
	room := payrules.Unheld(k, events, e.On)
	if e.Amount <= room {
		return ""
	}
	what := "争议金额"
	if e.Kind == qingqian.EventCourt {
		what = "诉讼金额"
	}
	return fmt.Sprintf("%s%s元超过该合同于%s尚未支付的金额%s元（已付款和已有争议、诉讼的部分不计）", what, e.Amount, e.On, room)
}

// settledAbove warns of a settlement that takes what the contract's settlements set as owed past
// the contract amount: not refused, variations may do so. "" when it does not.
func settledAbove(k *qingqian.Contract, events []*qingqian.ContractEvent, e *qingqian.ContractEvent) string {
	if e.Kind != qingqian.EventSettlement {
		return ""
	}
	settled, _ := payrules.Settled(k, append(events[:len(events):len(events)], e), qingqian.Date{})
	if settled <= k.Amount {
		return ""
	}
	return fmt.Sprintf("结算金额合计%s元高于合同金额%s元：有变更、签证的属正常，否则请核对", settled, k.Amount)
}

// contractValue is the value of a contract's field as a file row gave it, for the problem that
// names the field to show what the cell held.
func contractValue(k *qingqian.Contract, field string) string {
	date := func(d qingqian.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	switch field {
	case "no":
		return k.No
	case "name":
		return k.Name
	case "kind":
		return string(k.Kind)
	case "buyer_kind":
		return string(k.Buyer)
	case "signed_on":
		return date(k.SignedOn)
	case "amount":
		return k.Amount.String()
	case "supplier_size":
		return string(k.SupplierSize)
	case "size_declared_on":
		return date(k.SizeDeclaredOn)
	case "size_evidence":
		return k.SizeEvidence
	case "settlement":
		return string(k.Settlement)
	case "agreed_days":
		return fmt.Sprint(k.AgreedDays)
	case "acceptance_days":
		return fmt.Sprint(k.AcceptanceDays)
	case "agreed_rate":
		return k.AgreedRate.String()
	case "note":
		return k.Note
	}
	return ""
}

// eventValue is contractValue for an event.
func eventValue(e *qingqian.ContractEvent, field string) string {
	date := func(d qingqian.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	switch field {
	case "kind":
		return string(e.Kind)
	case "on":
		return date(e.On)
	case "end_on":
		return date(e.EndOn)
	case "amount":
		return e.Amount.String()
	case "method":
		return string(e.Method)
	case "voucher_no":
		return e.VoucherNo
	case "key":
		return e.Key
	case "note":
		return e.Note
	}
	return ""
}
