package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// Payables past their due date become arrears items of the ledger (新增欠款), arisen on the first
// day overdue: the day after the due date, not the day of the sweep nor the clock's start.

// raiseArrears records on the ledger item of each payable that has one, as repayments, the late
// payments not yet recorded there; with create, it first makes a ledger item (origin new) of each
// payable overdue or paid late that has none. Items are made by the sweep (RaiseArrears) only,
// not by each event: events are often entered one by one after the fact, and a delivery entered
// before its payment would otherwise make an item of a debt that was paid on time.
func (tx *Tx) raiseArrears(ctx context.Context, k *qingqian.Contract, ps []*qingqian.Payable, events []*qingqian.ContractEvent, create bool) (err error) {
	defer wrapErr(&err, "raise the arrears of contract %d", k.ID)
	type link struct {
		item   int64
		repaid qingqian.Money
	}
	links := map[int]*link{}
	rows, err := tx.QueryContext(ctx, `SELECT seq, item_id, repaid FROM payable_items WHERE contract_id = $1`, k.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var seq int
		l := &link{}
		if err := rows.Scan(&seq, &l.item, &l.repaid); err != nil {
			rows.Close()
			return err
		}
		links[seq] = l
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var org *qingqian.Org
	for _, p := range ps {
		if p.DueOn.IsZero() {
			continue
		}
		var late qingqian.Money
		var lastPaid qingqian.Date
		for _, x := range p.Parts {
			if !x.PaidOn.IsZero() && x.Days > 0 {
				late += x.Amount
				lastPaid = x.PaidOn
			}
		}
		l := links[p.Seq]
		if l == nil {
			// Overdue now, or paid late: either way it was arrears once, and the ledger shows it.
			if !create || p.Status != qingqian.PayableOverdue && late == 0 {
				continue
			}
			if org == nil {
				if org, err = tx.findOrg(ctx, k.OrgID); err != nil {
					return err
				}
			}
			no := fmt.Sprintf("%s-%d", k.No, p.Seq)
			if len([]rune(no)) > 40 {
				no = ""
			}
			it := &qingqian.Item{No: no, OrgID: k.OrgID, CreditorID: k.CreditorID, ContractNo: k.No, ContractName: k.Name, Kind: k.Kind,
				ArisenOn: p.DueOn.AddDays(1), DueOn: p.DueOn, Undisputed: p.Due - p.PaidOnTime, Origin: qingqian.OriginNew,
				Note: fmt.Sprintf("合同%s（%s）第%d笔应付款（%s）于%s到期未付，自动转入台账；发生日期为逾期第一日%s", k.No, k.Name, p.Seq, p.Basis, p.DueOn, p.DueOn.AddDays(1))}
			if err := tx.createItem(ctx, org, it, k.CreditorName, k.CreditorUSCC); err != nil {
				return err
			}
			tx.raised++
			if _, err := tx.ExecContext(ctx, `INSERT INTO payable_items (contract_id, seq, item_id, repaid) VALUES ($1, $2, $3, 0)`, k.ID, p.Seq, it.ID); err != nil {
				return err
			}
			l = &link{item: it.ID}
		}
		if late <= l.repaid {
			continue
		}
		method, voucher := qingqian.MethodTransfer, ""
		for _, e := range events {
			if e.Kind == qingqian.EventPayment && e.On == lastPaid {
				method, voucher = e.Method, e.VoucherNo
			}
		}
		in := qingqian.EntryInput{ItemID: l.item, Kind: qingqian.EntryRepay, On: lastPaid, Amount: late - l.repaid, Part: qingqian.PartUndisputed,
			Method: method, VoucherNo: voucher, Reason: "合同付款事件"}
		if _, err := (&EntryService{db: tx.db}).recordTx(ctx, tx, tx.actor, in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payable_items SET repaid = $1 WHERE contract_id = $2 AND seq = $3`, late, k.ID, p.Seq); err != nil {
			return err
		}
		tx.raised++
	}
	return nil
}

// sweepRecord is what the audit record of a sweep holds: the day whose overdue payables it
// swept, when it started, the subtree, the contracts it went through and those the ledger
// refused.
type sweepRecord struct {
	On        qingqian.Date `json:"on"`
	Started   time.Time     `json:"started"`
	Path      string        `json:"path"`
	Contracts int           `json:"contracts"`
	Raised    int           `json:"raised"`
	Failed    []int64       `json:"failed,omitempty"`
}

// RaiseArrears implements qingqian.ContractService. Each contract is swept in a transaction of
// its own, so that one that cannot be (an item the ledger refuses) neither blocks the others nor
// undoes them; those are named in the error, after the others are done.
func (s *ContractService) RaiseArrears(ctx context.Context) (_ int, err error) {
	defer serviceErr(&err, "raise arrears")
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return 0, err
	}
	var ids []int64
	var rec sweepRecord
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		rec.On, rec.Started, rec.Path = qingqian.DateOf(tx.now), tx.now.UTC(), a.OrgPath
		lo, hi := subtreeRange(a.OrgPath)
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT p.contract_id FROM payables p JOIN orgs o ON o.id = p.org_id
			WHERE o.path >= $1 AND o.path < $2 AND p.due_on < $3 AND (p.unpaid > 0 OR p.status IN ('paid_late', 'paid_in_bills', 'disputed', 'in_court'))
			AND NOT EXISTS (SELECT 1 FROM payable_items x WHERE x.contract_id = p.contract_id AND x.seq = p.seq) ORDER BY p.contract_id`,
			lo, hi, qingqian.DateOf(tx.now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	n := 0
	var failed []string
	for _, id := range ids {
		var no string
		err := s.db.inTx(ctx, a, func(tx *Tx) error {
			// Two sweeps at once (two servers' nightly runs, a button) take turns on a contract
			// (its row is locked; SQLite's writer serialises them): the second then sees the
			// first's links and does nothing more.
			r, err := tx.reachContract(ctx, id)
			if err != nil {
				return err
			}
			no = r.No
			if err := tx.recompute(ctx, r.Contract, nil, true); err != nil {
				return err
			}
			if tx.raised > 0 {
				n++
			}
			return nil
		})
		switch qingqian.ErrorCode(err) {
		case "":
		case qingqian.EINVALID, qingqian.ECONFLICT, qingqian.ENOTFOUND:
			failed = append(failed, fmt.Sprintf("合同%s：%s", no, qingqian.ErrorMessage(err)))
			rec.Failed = append(rec.Failed, id)
		default:
			return n, err
		}
	}
	// The sweep is recorded: verify then knows which payables were overdue at a sweep and
	// should have become items (verifySwept).
	rec.Contracts, rec.Raised = len(ids), n
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		return tx.audit(ctx, "contract.sweep", "contract", 0, a.OrgPath, nil, rec)
	})
	if err != nil {
		return n, err
	}
	if len(failed) > 0 {
		return n, qingqian.Errorf(qingqian.ECONFLICT, "已处理 %d 份合同；以下 %d 份未能转入拖欠台账，请核对后重试：%s", n, len(failed), strings.Join(failed, "；"))
	}
	return n, nil
}

// payRules returns the calendar and the LPR table, read once per transaction.
func (tx *Tx) payRules(ctx context.Context) (*qingqian.Calendar, qingqian.LPRTable, error) {
	if tx.payCal == nil {
		cal, err := tx.db.calendar(ctx, tx)
		if err != nil {
			return nil, nil, err
		}
		lprs, err := tx.db.lpr(ctx, tx)
		if err != nil {
			return nil, nil, err
		}
		tx.payCal, tx.payLPR = cal, lprs
	}
	return tx.payCal, tx.payLPR, nil
}
