package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/qingqian/qingqian"
)

// verifySwept checks the payables swept into the ledger against their items (docs/verify.md,
// check 12). Every link of a payable to an item: the payable is there, the item is of origin new
// and was made of the payable's amount overdue (what was due less what was paid on time: still
// unpaid plus paid late, which a change of the contract may not alter, keepsTheLedger), and the
// late payments are recorded on it, in the link and in the item's repayments. And every payable
// overdue at the last sweep of a subtree (its audit record, contract.sweep) has its item: one due
// before the sweep's day and unpaid or paid late now was so at the sweep too, when the contract
// was not changed since otherwise than by payments (which only pay what was owed: a payable
// overdue now was overdue then, and one paid late since was unpaid and overdue then). Contracts
// the sweep failed on, changed (corrected, an event other than a payment recorded or voided
// since) or with a dispute or a suit ended (its end is not dated) are left to the next sweep.
func (db *DB) verifySwept(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the swept payables")
	listed := 0
	problem := func(format string, args ...any) {
		if listed < maxListed {
			rep.add(format, args...)
		}
		listed++
	}
	rows, err := s.tx.QueryContext(ctx, `SELECT x.contract_id, x.seq, x.item_id, x.repaid, k.no, p.seq, p.unpaid, p.status,
		COALESCE((SELECT SUM(pp.amount) FROM payable_parts pp WHERE pp.contract_id = x.contract_id AND pp.seq = x.seq AND pp.paid_on IS NOT NULL AND pp.paid_on > pp.due_on), 0),
		i.id, i.origin, i.undisputed + i.disputed, i.rep_u + i.rep_d
		FROM payable_items x JOIN contracts k ON k.id = x.contract_id
		LEFT JOIN payables p ON p.contract_id = x.contract_id AND p.seq = x.seq
		LEFT JOIN items i ON i.id = x.item_id ORDER BY x.contract_id, x.seq`)
	if err != nil {
		return fmt.Errorf("read payable_items: %w", err)
	}
	for rows.Next() {
		var contract, item, late int64
		var seq int
		var linked qingqian.Money
		var no string
		var pseq, itemID sql.NullInt64
		var unpaid, made, repaid sql.NullInt64
		var status, origin sql.NullString
		if err := rows.Scan(&contract, &seq, &item, &linked, &no, &pseq, &unpaid, &status, &late, &itemID, &origin, &made, &repaid); err != nil {
			rows.Close()
			return err
		}
		rep.Swept++
		owed := qingqian.Money(unpaid.Int64 + late)
		what := fmt.Sprintf("合同%s（%d）第%d笔应付款", no, contract, seq)
		switch {
		case !pseq.Valid:
			problem("%s已列入拖欠台账（条目 %d），而合同已无这笔应付款：被绕过系统改动", what, item)
		case !itemID.Valid:
			problem("%s列入的台账条目 %d 已不在库中：被绕过系统删除", what, item)
		case origin.String != string(qingqian.OriginNew):
			problem("%s列入的台账条目 %d 来源为“%s”，不是新增欠款：被绕过系统改动", what, item, qingqian.Origin(origin.String).Label())
		case qingqian.Money(made.Int64) != owed:
			problem("%s逾期应付 %s 元（未付 %s 元、逾期已付 %s 元），而台账条目 %d 的欠款金额为 %s 元：被绕过系统改动", what, owed, qingqian.Money(unpaid.Int64),
				qingqian.Money(late), item, qingqian.Money(made.Int64))
		case linked != qingqian.Money(late):
			problem("%s逾期已付 %s 元，而台账条目 %d 记录为清偿的是 %s 元：付款未记入台账或被绕过系统改动", what, qingqian.Money(late), item, linked)
		case qingqian.Money(repaid.Int64) < linked:
			problem("%s逾期已付 %s 元，而台账条目 %d 的清偿只有 %s 元：付款未记入台账或被绕过系统改动", what, linked, item, qingqian.Money(repaid.Int64))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// The last sweep of each subtree.
	last := map[string]sweepRecord{}
	rows, err = s.tx.QueryContext(ctx, `SELECT after_json FROM audit_log WHERE action = 'contract.sweep' ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return err
		}
		var r sweepRecord
		if json.Unmarshal([]byte(body), &r) == nil && !r.On.IsZero() {
			last[r.Path] = r
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, sw := range last {
		failed := map[int64]bool{}
		for _, id := range sw.Failed {
			failed[id] = true
		}
		lo, hi := subtreeRange(sw.Path)
		started := db.d.ts(sw.Started)
		rows, err := s.tx.QueryContext(ctx, `SELECT p.contract_id, p.seq, k.no, p.unpaid, p.due_on FROM payables p JOIN orgs o ON o.id = p.org_id JOIN contracts k ON k.id = p.contract_id
			WHERE o.path >= $1 AND o.path < $2 AND p.due_on < $3 AND (p.unpaid > 0 OR p.status = 'paid_late')
			AND k.cancelled_at IS NULL AND k.created_at <= $4 AND k.updated_at <= $4
			AND NOT EXISTS (SELECT 1 FROM payable_items x WHERE x.contract_id = p.contract_id AND x.seq = p.seq)
			AND NOT EXISTS (SELECT 1 FROM contract_events e WHERE e.contract_id = p.contract_id AND (e.created_at > $4 AND e.kind <> 'payment'
				OR e.voided_at > $4 OR e.kind IN ('dispute', 'court') AND e.end_on IS NOT NULL))
			ORDER BY p.contract_id, p.seq`, lo, hi, sw.On, started)
		if err != nil {
			return fmt.Errorf("read payables: %w", err)
		}
		for rows.Next() {
			var contract int64
			var seq int
			var no string
			var unpaid qingqian.Money
			var due qingqian.Date
			if err := rows.Scan(&contract, &seq, &no, &unpaid, &due); err != nil {
				rows.Close()
				return err
			}
			if failed[contract] {
				continue // the sweep said so itself
			}
			problem("合同%s（%d）第%d笔应付款于%s到期，%s转入拖欠台账时逾期未付（未付 %s 元），台账中却没有它的条目：被绕过系统删除或改动", no, contract, seq, due, sw.On, unpaid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if listed > maxListed {
		rep.add("另有 %d 笔转入拖欠台账的应付款与台账不符，未逐一列出", listed-maxListed)
	}
	return nil
}
