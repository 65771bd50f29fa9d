package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/payrules"
)

// Corrections of what was registered by mistake: a contract's terms corrected, a contract
// cancelled, an event voided; and the end of a dispute or court case recorded when it comes.
// Nothing is deleted. A payable already in the ledger as a new arrear is what the ledger holds:
// a correction that would change its amount, its due date or take back a late payment recorded
// there is refused, since the ledger is corrected by its own entries, never from behind.

// contractCorrection is what the audit record of a correction or cancellation holds.
type contractCorrection struct {
	*qingqian.Contract
	Reason string `json:"reason"`
}

// CorrectContract implements qingqian.ContractService.
func (s *ContractService) CorrectContract(ctx context.Context, k *qingqian.Contract, reason string) (err error) {
	defer serviceErr(&err, "correct contract %d", k.ID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if err := qingqian.CheckReason(reason); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachContract(ctx, k.ID)
		if err != nil {
			return err
		}
		if r.Cancelled() {
			return contractCancelled(r.Contract)
		}
		if k.Version <= 0 {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "请提供读取合同时的版本号（version）", Fields: map[string]string{"version": "请提供版本号"}}
		}
		if r.Version != k.Version {
			return qingqian.Errorf(qingqian.ECONFLICT, "合同已被他人修改，请刷新后再更正")
		}
		// The unit, the supplier and the number are what the contract is; they stay.
		k.OrgID, k.OrgName, k.CreditorID, k.CreditorName, k.CreditorUSCC, k.No = r.OrgID, r.OrgName, r.CreditorID, r.CreditorName, r.CreditorUSCC, r.No
		k.CreatedAt, k.Creditor = r.CreatedAt, nil
		if err := k.Validate(); err != nil {
			return err
		}
		events, err := tx.db.eventsOf(ctx, tx, k.ID)
		if err != nil {
			return err
		}
		for _, e := range events {
			if !e.Voided() && e.Kind != qingqian.EventInvoice && e.On.Before(k.SignedOn) {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("合同已有%s的%s事项，签订日期不能晚于它", e.On, e.Kind.Label()),
					Fields: map[string]string{"signed_on": "不能晚于已记录事项的日期 " + e.On.String()}}
			}
		}
		if err := tx.keepsTheLedger(ctx, r.Contract, events, k, events); err != nil {
			return err
		}
		if sameTerms(r.Contract, k) {
			*k = *r.Contract // nothing to correct: nothing written, no new version
			return nil
		}
		lprs, err := tx.db.lpr(ctx, tx)
		if err != nil {
			return err
		}
		k.Flags = payrules.ContractFlags(lprs, k)
		k.Version, k.UpdatedAt = r.Version+1, tx.now
		res, err := tx.ExecContext(ctx, `UPDATE contracts SET name = $1, kind = $2, buyer_kind = $3, signed_on = $4, amount = $5, supplier_size = $6,
			size_declared_on = $7, size_evidence = $8, settlement = $9, agreed_days = $10, acceptance_condition = $11, acceptance_days = $12,
			rate_per_day = $13, rate_micro = $14, pay_when_paid = $15, audit_basis = $16, forced_bills = $17, unlawful = $18, note = $19,
			search = $20, version = $21, updated_at = $22 WHERE id = $23 AND version = $24`,
			k.Name, k.Kind, k.Buyer, k.SignedOn, k.Amount, k.SupplierSize, k.SizeDeclaredOn, k.SizeEvidence, k.Settlement, k.AgreedDays,
			k.AcceptanceCondition, k.AcceptanceDays, k.AgreedRate.PerDay, k.AgreedRate.Micro, k.PayWhenPaid, k.AuditBasis, k.ForcedBills,
			unlawful(k.Flags), k.Note, searchText(k.No, k.Name), k.Version, tx.ts(tx.now), k.ID, r.Version)
		if err != nil {
			return fmt.Errorf("update contracts: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return qingqian.Errorf(qingqian.ECONFLICT, "合同已被他人修改，请刷新后再更正")
		}
		if err := tx.audit(ctx, "contract.correct", "contract", k.ID, r.path, r.Contract, contractCorrection{k, reason}); err != nil {
			return err
		}
		return tx.recomputePayables(ctx, k, events)
	})
}

// CancelContract implements qingqian.ContractService.
func (s *ContractService) CancelContract(ctx context.Context, id int64, version int, reason string) (err error) {
	defer serviceErr(&err, "cancel contract %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if err := qingqian.CheckReason(reason); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachContract(ctx, id)
		if err != nil {
			return err
		}
		if r.Cancelled() {
			return contractCancelled(r.Contract)
		}
		if r.Version != version {
			return qingqian.Errorf(qingqian.ECONFLICT, "合同已被他人修改，请刷新后再操作")
		}
		links, err := tx.ledgerLinks(ctx, id)
		if err != nil {
			return err
		}
		if len(links) > 0 {
			l := links[slices.Min(slices.Collect(maps.Keys(links)))]
			return qingqian.Errorf(qingqian.ECONFLICT, "合同的第%d笔应付款已列入拖欠台账（%s），不能作废合同：台账中的欠款只能以台账分录处理", l.seq, l.itemLabel())
		}
		events, err := tx.db.eventsOf(ctx, tx, id)
		if err != nil {
			return err
		}
		paid := 0
		for _, e := range events {
			if e.Kind == qingqian.EventPayment && !e.Voided() {
				paid++
			}
		}
		if paid > 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "合同已记录%d笔付款，不能作废；确属误录的付款请先逐笔撤销", paid)
		}
		// The number is freed for the contract registered again in its place: the cancelled one
		// keeps it with a mark (the audit record keeps it as it was).
		k := *r.Contract
		k.No = fmt.Sprintf("%s（已作废#%d）", r.No, id)
		k.CancelledAt, k.CancelReason, k.Version, k.UpdatedAt = tx.now, reason, r.Version+1, tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE contracts SET no = $1, search = $2, cancelled_at = $3, cancel_reason = $4, version = $5, updated_at = $3 WHERE id = $6`,
			k.No, searchText(k.No, k.Name), tx.ts(tx.now), reason, k.Version, id); err != nil {
			return fmt.Errorf("update contracts: %w", err)
		}
		if err := tx.audit(ctx, "contract.cancel", "contract", id, r.path, r.Contract, contractCorrection{&k, reason}); err != nil {
			return err
		}
		return tx.recomputePayables(ctx, &k, events)
	})
}

// reachEvent reads an event and its contract for a write, if the actor's subtree holds it.
func (tx *Tx) reachEvent(ctx context.Context, id int64) (*contractRow, *qingqian.ContractEvent, []*qingqian.ContractEvent, error) {
	var contractID int64
	err := tx.QueryRowContext(ctx, `SELECT contract_id FROM contract_events WHERE id = $1`, id).Scan(&contractID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, qingqian.Errorf(qingqian.ENOTFOUND, "合同事项不存在")
	} else if err != nil {
		return nil, nil, nil, err
	}
	r, err := tx.reachContract(ctx, contractID)
	if qingqian.ErrorCode(err) == qingqian.ENOTFOUND {
		return nil, nil, nil, qingqian.Errorf(qingqian.ENOTFOUND, "合同事项不存在")
	} else if err != nil {
		return nil, nil, nil, err
	}
	events, err := tx.db.eventsOf(ctx, tx, contractID)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, e := range events {
		if e.ID == id {
			return r, e, events, nil
		}
	}
	return nil, nil, nil, qingqian.Errorf(qingqian.ENOTFOUND, "合同事项不存在")
}

// VoidContractEvent implements qingqian.ContractService.
func (s *ContractService) VoidContractEvent(ctx context.Context, id int64, reason string) (_ *qingqian.ContractEvent, err error) {
	defer serviceErr(&err, "void contract event %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if err := qingqian.CheckReason(reason); err != nil {
		return nil, err
	}
	var voided *qingqian.ContractEvent
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r, e, events, err := tx.reachEvent(ctx, id)
		if err != nil {
			return err
		}
		if r.Cancelled() {
			return contractCancelled(r.Contract)
		}
		if e.Voided() {
			return qingqian.Errorf(qingqian.ECONFLICT, "该事项已于%s撤销", qingqian.DateOf(e.VoidedAt))
		}
		after := make([]*qingqian.ContractEvent, len(events))
		for i, x := range events {
			after[i] = x
			if x.ID == id {
				v := *x
				v.VoidedAt, v.VoidedBy, v.VoidReason = tx.now, tx.actor.Name, reason
				after[i], e = &v, &v
			}
		}
		if err := tx.keepsTheLedger(ctx, r.Contract, events, r.Contract, after); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contract_events SET voided_at = $1, voided_by = $2, void_reason = $3 WHERE id = $4 AND voided_at IS NULL`,
			tx.ts(tx.now), tx.actor.Name, reason, id); err != nil {
			return fmt.Errorf("update contract_events: %w", err)
		}
		if err := tx.audit(ctx, "contract.event_void", "contract", r.ID, r.path, nil, e); err != nil {
			return err
		}
		voided = e
		return tx.recomputePayables(ctx, r.Contract, after)
	})
	if err != nil {
		return nil, err
	}
	return voided, nil
}

// EndContractEvent implements qingqian.ContractService.
func (s *ContractService) EndContractEvent(ctx context.Context, id int64, on qingqian.Date, note string) (_ *qingqian.ContractEvent, err error) {
	defer serviceErr(&err, "end contract event %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if len([]rune(note)) > 500 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "说明不能超过500个字", Fields: map[string]string{"note": "不能超过500个字"}}
	}
	var ended *qingqian.ContractEvent
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r, e, events, err := tx.reachEvent(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case r.Cancelled():
			return contractCancelled(r.Contract)
		case e.Voided():
			return qingqian.Errorf(qingqian.ECONFLICT, "该事项已撤销")
		case e.Kind != qingqian.EventDispute && e.Kind != qingqian.EventCourt:
			return qingqian.Errorf(qingqian.EINVALID, "只有争议和诉讼事项可以记录结束日期")
		case !e.EndOn.IsZero():
			return qingqian.Errorf(qingqian.ECONFLICT, "该%s已于%s结束", e.Kind.Label(), e.EndOn)
		case on.IsZero():
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写结束日期", Fields: map[string]string{"end_on": "请填写结束日期"}}
		case on.Before(e.On):
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "结束日期不能早于开始日期 " + e.On.String(), Fields: map[string]string{"end_on": "不能早于 " + e.On.String()}}
		case on.After(qingqian.DateOf(tx.now)):
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "结束日期不能晚于今天", Fields: map[string]string{"end_on": "不能晚于今天"}}
		}
		e.EndOn = on
		if note != "" {
			if e.Note != "" {
				e.Note += "；"
			}
			e.Note += note
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contract_events SET end_on = $1, note = $2 WHERE id = $3 AND end_on IS NULL`, on, e.Note, id); err != nil {
			return fmt.Errorf("update contract_events: %w", err)
		}
		if err := tx.audit(ctx, "contract.event_end", "contract", r.ID, r.path, nil, e); err != nil {
			return err
		}
		ended = e
		return tx.recomputePayables(ctx, r.Contract, events)
	})
	if err != nil {
		return nil, err
	}
	return ended, nil
}

// ledgerLink is a payable of a contract that is an item of the ledger.
type ledgerLink struct {
	seq    int
	item   int64
	no     string
	repaid qingqian.Money // the late payments recorded on the item as repayments
}

func (l ledgerLink) itemLabel() string {
	if l.no != "" {
		return "台账编号 " + l.no
	}
	return fmt.Sprintf("台账事项 #%d", l.item)
}

// ledgerLinks reads the payables of a contract that are items of the ledger, by seq.
func (tx *Tx) ledgerLinks(ctx context.Context, contractID int64) (map[int]ledgerLink, error) {
	rows, err := tx.QueryContext(ctx, `SELECT x.seq, x.item_id, i.no, x.repaid FROM payable_items x JOIN items i ON i.id = x.item_id
		WHERE x.contract_id = $1 ORDER BY x.seq`, contractID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]ledgerLink{}
	for rows.Next() {
		var l ledgerLink
		if err := rows.Scan(&l.seq, &l.item, &l.no, &l.repaid); err != nil {
			return nil, err
		}
		out[l.seq] = l
	}
	return out, rows.Err()
}

// keepsTheLedger refuses a change of a contract (its terms or its events) that would alter a
// payable already in the ledger: its amount owed (what was due less what was paid on time), its
// due date, or the late payments already recorded on the item.
func (tx *Tx) keepsTheLedger(ctx context.Context, was *qingqian.Contract, wasEvents []*qingqian.ContractEvent, k *qingqian.Contract, events []*qingqian.ContractEvent) error {
	links, err := tx.ledgerLinks(ctx, k.ID)
	if err != nil || len(links) == 0 {
		return err
	}
	cal, lprs, err := tx.payRules(ctx)
	if err != nil {
		return err
	}
	today := qingqian.DateOf(tx.now)
	bySeq := func(ps []*qingqian.Payable) map[int]*qingqian.Payable {
		m := map[int]*qingqian.Payable{}
		for _, p := range ps {
			m[p.Seq] = p
		}
		return m
	}
	before := bySeq(payrules.Payables(cal, lprs, was, wasEvents, today))
	after := bySeq(payrules.Payables(cal, lprs, k, events, today))
	for _, seq := range slices.Sorted(maps.Keys(links)) {
		l := links[seq]
		b, p := before[seq], after[seq]
		refuse := func(what string) error {
			return qingqian.Errorf(qingqian.ECONFLICT, "合同的第%d笔应付款已列入拖欠台账（%s），此项操作会%s，不能在合同上办理：台账中的欠款只能以台账分录更正（争议、诉讼、核减等在台账条目上记录）", seq, l.itemLabel(), what)
		}
		switch {
		case p == nil:
			return refuse("取消这笔应付款")
		case b != nil && p.Due-p.PaidOnTime != b.Due-b.PaidOnTime:
			return refuse(fmt.Sprintf("把逾期未付的金额从%s元改为%s元", b.Due-b.PaidOnTime, p.Due-p.PaidOnTime))
		case b != nil && p.DueOn != b.DueOn && p.DueOn.IsZero():
			return refuse(fmt.Sprintf("使它不再有到期日（原为%s；如供应商不再是中小企业，条例的付款期限不再适用）", b.DueOn))
		case b != nil && p.DueOn != b.DueOn:
			return refuse(fmt.Sprintf("把到期日从%s改为%s", b.DueOn, p.DueOn))
		}
		var late qingqian.Money
		for _, x := range p.Parts {
			if !x.PaidOn.IsZero() && x.Days > 0 {
				late += x.Amount
			}
		}
		if late < l.repaid {
			return refuse(fmt.Sprintf("使台账上已记录的%s元逾期付款失去依据", l.repaid))
		}
	}
	return nil
}

// sameFigures reports whether two events give the rules the same facts: kind, day, amount,
// payment method, end and the acceptance's lateness.
func sameFigures(a, b *qingqian.ContractEvent) bool {
	return a.Kind == b.Kind && a.On == b.On && a.Amount == b.Amount && a.Method == b.Method && a.EndOn == b.EndOn && a.LateBySupplier == b.LateBySupplier
}

// sameEvent reports whether two events record the same fact: the same figures and voucher.
func sameEvent(a, b *qingqian.ContractEvent) bool {
	return sameFigures(a, b) && a.VoucherNo == b.VoucherNo
}

// eventLabel names an event in messages: "2025-08-20 付款 600,000.00元（凭证号 HD-1）".
func eventLabel(e *qingqian.ContractEvent) string {
	s := e.On.String() + " " + e.Kind.Label()
	if e.Amount != 0 {
		s += " " + e.Amount.String() + "元"
	}
	if e.VoucherNo != "" {
		s += "（凭证号 " + e.VoucherNo + "）"
	}
	return s
}

// checkNewEvent says why an event must not be added to a contract that has the events given
// (and, in a batch, those before it): its key already names a different event, or, without a
// key, the same fact is recorded already (a form sent twice, a file imported again). "" when
// it may be added; dup is the event its key names, to be returned instead of adding it.
func checkNewEvent(e *qingqian.ContractEvent, events []*qingqian.ContractEvent) (dup *qingqian.ContractEvent, why string) {
	for _, x := range events {
		if x.Voided() {
			continue
		}
		switch {
		case e.Key != "" && x.Key == e.Key:
			// An ERP sending again what it sent: the figures must be the same.
			if !sameFigures(x, e) {
				return nil, fmt.Sprintf("幂等键“%s”已用于另一事项（%s），内容不同：请核对，或换用新的幂等键", e.Key, eventLabel(x))
			}
			return x, ""
		case e.Key == "" && sameEvent(x, e):
			return nil, fmt.Sprintf("已记录相同的事项（%s），不再重复记录；确为另一笔的，请填写不同的凭证号或幂等键", eventLabel(x))
		}
	}
	return nil, ""
}
