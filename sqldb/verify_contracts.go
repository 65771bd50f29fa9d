package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/qingqian/qingqian"
)

// batchRecord is what the audit record of a batch of events on one contract holds (an ERP's
// batch, an import): their number and the events as recorded.
type batchRecord struct {
	Events   int                       `json:"events"`
	Source   string                    `json:"source,omitempty"`
	Recorded []*qingqian.ContractEvent `json:"recorded"`
}

// verifyContracts checks every contract and every event against the audit record that last wrote
// it (contract.create, .correct and .cancel carry the contract as they left it; contract.event,
// .event_void, .event_end and the batches' contract.events carry the events): a contract or an
// event changed, added or deleted behind the service's back no longer agrees with the chain.
// Batches recorded before their records held the events are counted, not compared.
func (db *DB) verifyContracts(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the contracts")
	contracts := map[int64]*qingqian.Contract{}
	events := map[int64]*qingqian.ContractEvent{}
	legacy := map[int64]int{} // contract → events recorded by batches without the events
	rows, err := s.tx.QueryContext(ctx, `SELECT action, entity_id, after_json FROM audit_log WHERE action IN ('contract.create', 'contract.correct',
		'contract.cancel', 'contract.event', 'contract.event_void', 'contract.event_end', 'contract.events') ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	for rows.Next() {
		var action, after string
		var id int64
		if err := rows.Scan(&action, &id, &after); err != nil {
			rows.Close()
			return err
		}
		switch action {
		case "contract.create", "contract.correct", "contract.cancel":
			k := &qingqian.Contract{}
			if json.Unmarshal([]byte(after), k) == nil && k.ID != 0 {
				contracts[k.ID] = k
			}
		case "contract.events":
			var b batchRecord
			if json.Unmarshal([]byte(after), &b) != nil {
				continue
			}
			if b.Recorded == nil {
				legacy[id] += b.Events
			}
			for _, e := range b.Recorded {
				events[e.ID] = e
			}
		default:
			e := &qingqian.ContractEvent{}
			if json.Unmarshal([]byte(after), e) == nil && e.ID != 0 {
				events[e.ID] = e
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	listed := 0
	problem := func(format string, args ...any) {
		if listed < maxListed {
			rep.add(format, args...)
		}
		listed++
	}
	rows, err = s.tx.QueryContext(ctx, `SELECT `+contractColumns+contractFrom+` ORDER BY k.id`)
	if err != nil {
		return fmt.Errorf("read contracts: %w", err)
	}
	for rows.Next() {
		r, err := scanContract(rows)
		if err != nil {
			rows.Close()
			return err
		}
		rep.Contracts++
		k, t := r.Contract, contracts[r.ID]
		delete(contracts, r.ID)
		switch {
		case t == nil:
			problem("合同 %d（%s）没有登记它的审计记录：绕过系统写入", k.ID, k.No)
		case t.OrgID != k.OrgID || t.CreditorID != k.CreditorID || t.No != k.No || t.Name != k.Name || t.Kind != k.Kind || t.Buyer != k.Buyer ||
			t.SignedOn != k.SignedOn || t.Amount != k.Amount || t.SupplierSize != k.SupplierSize || t.Settlement != k.Settlement ||
			t.AgreedDays != k.AgreedDays || t.AcceptanceCondition != k.AcceptanceCondition || t.AcceptanceDays != k.AcceptanceDays ||
			t.AgreedRate != k.AgreedRate || t.PayWhenPaid != k.PayWhenPaid || t.AuditBasis != k.AuditBasis || t.ForcedBills != k.ForcedBills ||
			t.Cancelled() != k.Cancelled():
			problem("合同 %d（%s）与最后写入它的审计记录不符（金额 %s／%s，签订日期 %s／%s）：被绕过系统改动", k.ID, k.No, k.Amount, t.Amount, k.SignedOn, t.SignedOn)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, t := range contracts {
		problem("合同 %d（%s）有审计记录而已不在库中：被绕过系统删除", id, t.No)
	}
	rows, err = s.tx.QueryContext(ctx, `SELECT id, contract_id, kind, on_date, amount, method, voucher_no, late_by_supplier, end_on, note, key, actor_name, created_at,
		voided_at, voided_by, void_reason FROM contract_events ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read contract_events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e := &qingqian.ContractEvent{}
		if err := rows.Scan(&e.ID, &e.ContractID, &e.Kind, &e.On, &e.Amount, &e.Method, &e.VoucherNo, &e.LateBySupplier, &e.EndOn,
			&e.Note, &e.Key, &e.ActorName, timeCol{&e.CreatedAt}, timeCol{&e.VoidedAt}, &e.VoidedBy, &e.VoidReason); err != nil {
			return err
		}
		rep.ContractEvents++
		t := events[e.ID]
		delete(events, e.ID)
		switch {
		case t == nil && legacy[e.ContractID] > 0:
			legacy[e.ContractID]-- // an older batch's event: counted, not compared
		case t == nil:
			problem("合同事项 %d（合同 %d，%s）没有登记它的审计记录：绕过系统写入", e.ID, e.ContractID, eventLabel(e))
		case t.ContractID != e.ContractID || !sameEvent(t, e) || t.Key != e.Key || t.Note != e.Note || t.Voided() != e.Voided():
			problem("合同事项 %d（合同 %d）与最后写入它的审计记录不符（%s／%s）：被绕过系统改动", e.ID, e.ContractID, eventLabel(e), eventLabel(t))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, t := range events {
		problem("合同事项 %d（合同 %d，%s）有审计记录而已不在库中：被绕过系统删除", id, t.ContractID, eventLabel(t))
	}
	if listed > maxListed {
		rep.add("另有 %d 份合同或事项与审计记录不符，未逐一列出", listed-maxListed)
	}
	return nil
}
