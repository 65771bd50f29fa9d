package sqldb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/qingqian/qingqian"
)

// verifyBills checks every bill against the audit record that last wrote it (bill.record,
// bill.honour, bill.dishonour, bill.return carry the bill as it was left): a bill changed, added or removed
// behind the service's back no longer agrees with the chain, whose records the chain itself
// proves unaltered.
func (db *DB) verifyBills(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the bills")
	trail := map[int64]*qingqian.Bill{}
	rows, err := s.tx.QueryContext(ctx, `SELECT after_json FROM audit_log WHERE action IN ('bill.record', 'bill.honour', 'bill.dishonour', 'bill.return') ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	for rows.Next() {
		var after string
		if err := rows.Scan(&after); err != nil {
			rows.Close()
			return err
		}
		b := &qingqian.Bill{}
		if json.Unmarshal([]byte(after), b) == nil && b.ID != 0 {
			trail[b.ID] = b
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.tx.QueryContext(ctx, `SELECT `+billColumns+billFrom+` ORDER BY b.id`)
	if err != nil {
		return fmt.Errorf("read bills: %w", err)
	}
	defer rows.Close()
	listed := 0
	problem := func(format string, args ...any) {
		if listed < maxListed {
			rep.add(format, args...)
		}
		listed++
	}
	for rows.Next() {
		r, err := scanBill(rows)
		if err != nil {
			return err
		}
		rep.Bills++
		t, ok := trail[r.ID]
		delete(trail, r.ID)
		switch {
		case !ok:
			problem("票据 %d（%s）没有登记它的审计记录：绕过系统写入", r.ID, r.No)
		case t.ItemID != r.ItemID || t.Kind != r.Kind || t.No != r.No || t.Amount != r.Amount || t.Part != r.Part ||
			t.IssuedOn != r.IssuedOn || t.HandedOn != r.HandedOn || t.MaturesOn != r.MaturesOn || t.Acceptor != r.Acceptor ||
			t.State != r.State || t.HonouredOn != r.HonouredOn || t.DishonouredOn != r.DishonouredOn ||
			t.EntryID != r.EntryID || t.ReversalID != r.ReversalID:
			problem("票据 %d（%s）与最后写入它的审计记录不符（金额 %s／%s，到期日 %s／%s，状态 %s／%s）：被绕过系统改动",
				r.ID, r.No, r.Amount, t.Amount, r.MaturesOn, t.MaturesOn, r.State.Label(), t.State.Label())
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, t := range trail {
		problem("票据 %d（%s）有审计记录而已不在库中：被绕过系统删除", id, t.No)
	}
	if listed > maxListed {
		rep.add("另有 %d 张票据与审计记录不符，未逐一列出", listed-maxListed)
	}
	return nil
}
