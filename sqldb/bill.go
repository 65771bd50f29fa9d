package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/qingqian/qingqian"
)

// BillService implements qingqian.BillService.
type BillService struct {
	db      *DB
	entries *EntryService
}

// NewBillService returns the bill service over db.
func NewBillService(db *DB) *BillService { return &BillService{db: db, entries: NewEntryService(db)} }

var _ qingqian.BillService = (*BillService)(nil)

const billColumns = `b.id, b.item_id, i.no, i.org_id, o.name, c.name, b.kind, b.no, b.amount, b.part, b.issued_on, b.handed_on,
	b.matures_on, b.acceptor, b.note, b.state, b.honoured_on, b.dishonoured_on, b.close_reason, COALESCE(b.entry_id, 0),
	COALESCE(b.reversal_id, 0), b.recorded_at, b.honoured_at, b.dishonoured_at, b.actor_name, i.due_on, o.path`

const billFrom = ` FROM bills b JOIN items i ON i.id = b.item_id JOIN orgs o ON o.id = i.org_id JOIN creditors c ON c.id = i.creditor_id`

type billRow struct {
	*qingqian.Bill
	dueOn qingqian.Date
	path  string
}

func scanBill(row interface{ Scan(...any) error }) (*billRow, error) {
	b := &qingqian.Bill{}
	r := &billRow{Bill: b}
	err := row.Scan(&b.ID, &b.ItemID, &b.ItemNo, &b.OrgID, &b.OrgName, &b.CreditorName, &b.Kind, &b.No, &b.Amount, &b.Part,
		&b.IssuedOn, &b.HandedOn, &b.MaturesOn, &b.Acceptor, &b.Note, &b.State, &b.HonouredOn, &b.DishonouredOn, &b.CloseReason,
		&b.EntryID, &b.ReversalID, timeCol{&b.RecordedAt}, timeCol{&b.HonouredAt}, timeCol{&b.DishonouredAt}, &b.ActorName,
		&r.dueOn, &r.path)
	if err == nil {
		b.Flags = qingqian.BillFlags(b, r.dueOn)
	}
	return r, err
}

func billNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "票据不存在") }

// reachBill reads a bill for a write (its item locked on PostgreSQL) if the actor's subtree holds it.
func (tx *Tx) reachBill(ctx context.Context, id int64) (_ *billRow, err error) {
	defer wrapErr(&err, "read bill %d", id)
	r, err := scanBill(tx.QueryRowContext(ctx, `SELECT `+billColumns+billFrom+` WHERE b.id = $1`+tx.db.d.forUpdateOf("b"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, billNotFound()
	} else if err != nil {
		return nil, err
	}
	if !tx.actor.Reaches(r.path) {
		tx.deny("bill", id)
		return nil, billNotFound()
	}
	return r, nil
}

// RecordBill implements qingqian.BillService.
func (s *BillService) RecordBill(ctx context.Context, in qingqian.BillInput) (_ *qingqian.Bill, err error) {
	defer serviceErr(&err, "record bill on item %d", in.ItemID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Bill
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		// The item first: another group learns nothing of it from the checks of the fields.
		r, err := tx.reachItem(ctx, in.ItemID)
		if err != nil {
			return err
		}
		if err := in.Validate(qingqian.DateOf(tx.now)); err != nil {
			return err
		}
		if in.HandedOn.Before(r.ArisenOn) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "交付日期不能早于欠款发生日期", Fields: map[string]string{"handed_on": "不能早于欠款发生日期 " + r.ArisenOn.String()}}
		}
		var dup int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bills WHERE item_id = $1 AND no = $2`, r.ID, in.No).Scan(&dup); err != nil {
			return fmt.Errorf("read bills: %w", err)
		} else if dup > 0 {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该条目已登记过这个票据号码", Fields: map[string]string{"no": "票据号码已登记"}}
		}
		// One bill pays one creditor: the same number handed to another is a copy or a mistake.
		var elsewhere int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bills b JOIN items i ON i.id = b.item_id WHERE b.no = $1 AND i.creditor_id <> $2`,
			in.No, r.CreditorID).Scan(&elsewhere); err != nil {
			return fmt.Errorf("read bills: %w", err)
		} else if elsewhere > 0 {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "这个票据号码已登记为付给另一家债权企业的票据：同一张票据只能付给一家企业，请核对号码",
				Fields: map[string]string{"no": "已登记给另一家债权企业"}}
		}
		var pending qingqian.Money
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM bills WHERE item_id = $1 AND part = $2 AND state = $3`,
			r.ID, in.Part, qingqian.BillPending).Scan(&pending); err != nil {
			return fmt.Errorf("sum pending bills: %w", err)
		}
		left := r.Balance.OutstandingUndisputed
		if in.Part == qingqian.PartDisputed {
			left = r.Balance.OutstandingDisputed
		}
		if in.Amount > left-pending {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("票据金额超过未清偿余额（%s元，其中%s元已有未兑付票据）", left, pending),
				Fields: map[string]string{"amount": "票据金额超过未清偿余额"}}
		}
		b := &qingqian.Bill{ItemID: r.ID, ItemNo: r.No, OrgID: r.OrgID, OrgName: r.OrgName, CreditorName: r.CreditorName, Kind: in.Kind,
			No: in.No, Amount: in.Amount, Part: in.Part, IssuedOn: in.IssuedOn, HandedOn: in.HandedOn, MaturesOn: in.MaturesOn,
			Acceptor: in.Acceptor, Note: in.Note, State: qingqian.BillPending, RecordedAt: tx.now, ActorName: tx.actor.Name}
		b.Flags = qingqian.BillFlags(b, r.DueOn)
		b.ID, err = tx.insertID(ctx, `INSERT INTO bills (item_id, kind, no, amount, part, issued_on, handed_on, matures_on, acceptor, note,
			state, recorded_at, actor_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			b.ItemID, b.Kind, b.No, b.Amount, b.Part, b.IssuedOn, b.HandedOn, b.MaturesOn, b.Acceptor, b.Note, b.State, tx.ts(tx.now), b.ActorName)
		if isUnique(err) {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该条目已登记过这个票据号码", Fields: map[string]string{"no": "票据号码已登记"}}
		} else if err != nil {
			return fmt.Errorf("insert into bills: %w", err)
		}
		out = b
		return tx.audit(ctx, "bill.record", "item", r.ID, r.path, nil, b)
	})
	return out, err
}

// HonourBill implements qingqian.BillService.
func (s *BillService) HonourBill(ctx context.Context, id int64, c qingqian.BillClose) (_ *qingqian.Bill, err error) {
	defer serviceErr(&err, "honour bill %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Bill
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachBill(ctx, id)
		if err != nil {
			return err
		}
		if r.State != qingqian.BillPending {
			return qingqian.Errorf(qingqian.ECONFLICT, "该票据的状态为“%s”，不能再登记兑付", r.State.Label())
		}
		today := qingqian.DateOf(tx.now)
		switch {
		case c.On.IsZero():
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "请填写兑付日期", Fields: map[string]string{"on": "请填写兑付日期"}}
		case c.On.After(today):
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "兑付日期不能晚于今天", Fields: map[string]string{"on": "兑付日期不能晚于今天"}}
		case c.On.Before(r.MaturesOn):
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "票据到期日（" + r.MaturesOn.String() + "）前不能登记兑付：到期兑付后才计入清偿",
				Fields: map[string]string{"on": "不能早于到期日 " + r.MaturesOn.String()}}
		}
		voucherNo := c.VoucherNo
		if voucherNo == "" {
			voucherNo = r.No
		}
		reason := fmt.Sprintf("%s %s 到期兑付（承兑人：%s）", r.Kind.Label(), r.No, r.Acceptor)
		e, err := s.entries.recordTx(ctx, tx, a, qingqian.EntryInput{ItemID: r.ItemID, Kind: qingqian.EntryRepay, On: c.On, Amount: r.Amount,
			Part: r.Part, Method: r.Kind.Method(), VoucherNo: voucherNo, Reason: reason, Vouchers: c.Vouchers, BillID: r.ID})
		if err != nil {
			return err
		}
		before := *r.Bill
		r.State, r.HonouredOn, r.HonouredAt, r.EntryID = qingqian.BillHonoured, c.On, tx.now, e.ID
		if _, err := tx.ExecContext(ctx, `UPDATE bills SET state = $1, honoured_on = $2, honoured_at = $3, entry_id = $4 WHERE id = $5`,
			r.State, r.HonouredOn, tx.ts(tx.now), e.ID, r.ID); err != nil {
			return fmt.Errorf("update bills: %w", err)
		}
		out = r.Bill
		return tx.audit(ctx, "bill.honour", "item", r.ItemID, r.path, &before, r.Bill)
	})
	return out, err
}

// DishonourBill implements qingqian.BillService.
func (s *BillService) DishonourBill(ctx context.Context, id int64, c qingqian.BillClose) (_ *qingqian.Bill, err error) {
	defer serviceErr(&err, "dishonour bill %d", id)
	return s.closeBill(ctx, id, c, qingqian.BillDishonoured)
}

// ReturnBill implements qingqian.BillService.
func (s *BillService) ReturnBill(ctx context.Context, id int64, c qingqian.BillClose) (_ *qingqian.Bill, err error) {
	defer serviceErr(&err, "return bill %d", id)
	return s.closeBill(ctx, id, c, qingqian.BillReturned)
}

// closeBill closes a bill without honouring it: dishonoured on or after its maturity, returned
// before it. Each refuses the other's dates, naming the maturity.
func (s *BillService) closeBill(ctx context.Context, id int64, c qingqian.BillClose, to qingqian.BillState) (_ *qingqian.Bill, err error) {
	action, word := "bill.dishonour", "拒付"
	if to == qingqian.BillReturned {
		action, word = "bill.return", "退回撤销"
	}
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Bill
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachBill(ctx, id)
		if err != nil {
			return err
		}
		switch {
		case r.State == qingqian.BillDishonoured:
			return qingqian.Errorf(qingqian.ECONFLICT, "该票据已登记拒付")
		case r.State == qingqian.BillReturned:
			return qingqian.Errorf(qingqian.ECONFLICT, "该票据已登记到期前退回撤销")
		case to == qingqian.BillReturned && r.State != qingqian.BillPending:
			return qingqian.Errorf(qingqian.ECONFLICT, "该票据的状态为“%s”，不能登记退回撤销：已兑付的票据未获付款请登记拒付", r.State.Label())
		}
		v := qingqian.Validation{}
		if c.Reason == "" {
			v.Add("reason", "请说明"+word+"原因")
		} else if len([]rune(c.Reason)) > 500 {
			v.Add("reason", "原因不能超过500个字")
		}
		m := r.MaturesOn.String()
		switch {
		case c.On.IsZero():
			v.Add("on", "请填写"+word+"日期")
		case c.On.After(qingqian.DateOf(tx.now)):
			v.Add("on", word+"日期不能晚于今天")
		case c.On.Before(r.HandedOn):
			v.Add("on", word+"日期不能早于交付日期 "+r.HandedOn.String())
		case to == qingqian.BillDishonoured && c.On.Before(r.MaturesOn):
			v.Add("on", "票据到期日为 "+m+"：拒付只能在到期日当日或以后登记；到期前退回或撤销的票据请登记“到期前退回撤销”")
			return &qingqian.Error{Code: qingqian.EINVALID, Message: r.No + " 的" + v["on"], Fields: v}
		case to == qingqian.BillReturned && !c.On.Before(r.MaturesOn):
			v.Add("on", "票据到期日为 "+m+"：到期日当日或以后未获兑付的票据请登记拒付；退回撤销只能早于到期日")
			return &qingqian.Error{Code: qingqian.EINVALID, Message: r.No + " 的" + v["on"], Fields: v}
		case r.State == qingqian.BillHonoured && c.On.Before(r.HonouredOn):
			v.Add("on", "拒付日期不能早于兑付日期 "+r.HonouredOn.String())
		}
		if err := v.Err(); err != nil {
			return err
		}
		before := *r.Bill
		if r.State == qingqian.BillHonoured {
			// It had counted as repaid: its repayment is reversed, from the dishonour date on.
			rev, err := s.entries.recordTx(ctx, tx, a, qingqian.EntryInput{Kind: qingqian.EntryReversal, ReversesID: r.EntryID, On: c.On,
				Reason: fmt.Sprintf("%s %s 拒付：%s", r.Kind.Label(), r.No, c.Reason)})
			if err != nil {
				return err
			}
			r.ReversalID = rev.ID
		}
		r.State, r.DishonouredOn, r.DishonouredAt, r.CloseReason = to, c.On, tx.now, c.Reason
		var reversal any
		if r.ReversalID != 0 {
			reversal = r.ReversalID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bills SET state = $1, dishonoured_on = $2, dishonoured_at = $3, close_reason = $4, reversal_id = $5 WHERE id = $6`,
			r.State, r.DishonouredOn, tx.ts(tx.now), r.CloseReason, reversal, r.ID); err != nil {
			return fmt.Errorf("update bills: %w", err)
		}
		out = r.Bill
		return tx.audit(ctx, action, "item", r.ItemID, r.path, &before, r.Bill)
	})
	return out, err
}

// FindBills implements qingqian.BillService.
func (s *BillService) FindBills(ctx context.Context, itemID int64) (_ []*qingqian.Bill, err error) {
	defer serviceErr(&err, "find bills of item %d", itemID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, itemID); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+billColumns+billFrom+` WHERE b.item_id = $1 ORDER BY b.id`, itemID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.Bill{}
	today := qingqian.DateOf(s.db.Now())
	for rows.Next() {
		r, err := scanBill(rows)
		if err != nil {
			return nil, err
		}
		r.MarkOverdue(today)
		out = append(out, r.Bill)
	}
	return out, rows.Err()
}

// FindBillByID implements qingqian.BillService.
func (s *BillService) FindBillByID(ctx context.Context, id int64) (_ *qingqian.Bill, err error) {
	defer serviceErr(&err, "find bill %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanBill(s.db.read.QueryRowContext(ctx, `SELECT `+billColumns+billFrom+` WHERE b.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, billNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(r.path) {
		s.db.securityEvent(ctx, a, "bill", id)
		return nil, billNotFound()
	}
	r.MarkOverdue(qingqian.DateOf(s.db.Now()))
	return r.Bill, nil
}

// UnhonouredBills implements qingqian.BillService.
func (s *BillService) UnhonouredBills(ctx context.Context, q qingqian.BillQuery) (_ *qingqian.BillSummary, err error) {
	defer serviceErr(&err, "unhonoured bills of org %d", q.OrgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, q.OrgID)
	if err != nil {
		return nil, err
	}
	return s.db.unhonouredBills(ctx, s.db.read, scope, q)
}

// UnitBills implements qingqian.BillService.
func (s *BillService) UnitBills(ctx context.Context, orgID int64) (_ []*qingqian.Bill, err error) {
	defer serviceErr(&err, "bills of org %d", orgID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(scope)
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+billColumns+billFrom+` WHERE o.path >= $1 AND o.path < $2 ORDER BY b.matures_on, b.id`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := qingqian.DateOf(s.db.Now())
	out := []*qingqian.Bill{}
	for rows.Next() {
		r, err := scanBill(rows)
		if err != nil {
			return nil, err
		}
		r.MarkOverdue(today)
		out = append(out, r.Bill)
	}
	return out, rows.Err()
}

// unhonouredBills is the figure 票据支付未兑付 of the subtree at scope, read through rq.
func (db *DB) unhonouredBills(ctx context.Context, rq queryer, scope string, q qingqian.BillQuery) (_ *qingqian.BillSummary, err error) {
	defer wrapErr(&err, "unhonoured bills under %s", scope)
	asOf := q.AsOf
	if asOf.IsZero() {
		asOf = qingqian.DateOf(db.Now())
	}
	var p args
	lo, hi := subtreeRange(scope)
	where := ` WHERE o.path >= ` + p.add(lo) + ` AND o.path < ` + p.add(hi) + ` AND b.handed_on <= ` + p.add(asOf)
	if q.KnownAt.IsZero() {
		d := p.add(asOf)
		where += ` AND (b.honoured_on IS NULL OR b.honoured_on > ` + d + `) AND (b.dishonoured_on IS NULL OR b.dishonoured_on > ` + d + `)`
	}
	rows, err := rq.QueryContext(ctx, `SELECT `+billColumns+billFrom+where, p...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sum := &qingqian.BillSummary{AsOf: asOf, Bills: []*qingqian.Bill{}}
	var all []*qingqian.Bill
	for rows.Next() {
		r, err := scanBill(rows)
		if err != nil {
			return nil, err
		}
		if !r.PendingAt(asOf, q.KnownAt) {
			continue
		}
		// Pending as of asOf, whatever it became later: overdue if it had matured by then.
		r.OverdueDays = 0
		if r.MaturesOn.Before(asOf) {
			r.OverdueDays = asOf.Sub(r.MaturesOn)
		}
		if r.OverdueDays > 0 {
			sum.OverdueCount++
			sum.OverdueAmount += r.Amount
		} else if q.Overdue {
			continue
		}
		sum.Count++
		sum.Amount += r.Amount // each at most MaxAmount and within the items' balances: no overflow
		all = append(all, r.Bill)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].MaturesOn != all[j].MaturesOn {
			return all[i].MaturesOn.Before(all[j].MaturesOn)
		}
		return all[i].ID < all[j].ID
	})
	n := q.Limit
	if n <= 0 || n > 500 {
		n = 500
	}
	sum.Bills = append(sum.Bills, all[:min(n, len(all))]...)
	return sum, nil
}

// checkPendingBills refuses an entry that would leave a part of the item owing less than the
// bills handed over for it and not yet honoured: honouring them would then overpay the item.
func (tx *Tx) checkPendingBills(ctx context.Context, r *itemRow, du, dd qingqian.Money) error {
	rows, err := tx.QueryContext(ctx, `SELECT part, COALESCE(SUM(amount), 0) FROM bills WHERE item_id = $1 AND state = $2 GROUP BY part`,
		r.ID, qingqian.BillPending)
	if err != nil {
		return fmt.Errorf("sum pending bills: %w", err)
	}
	pending := map[qingqian.Part]qingqian.Money{}
	for rows.Next() {
		var part qingqian.Part
		var m qingqian.Money
		if err := rows.Scan(&part, &m); err != nil {
			rows.Close()
			return err
		}
		pending[part] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range []struct {
		part        qingqian.Part
		left, delta qingqian.Money
	}{{qingqian.PartUndisputed, r.Balance.OutstandingUndisputed, du}, {qingqian.PartDisputed, r.Balance.OutstandingDisputed, dd}} {
		if p := pending[c.part]; c.delta < 0 && p > 0 && c.left+c.delta < p {
			return &qingqian.Error{Code: qingqian.EINVALID,
				Message: fmt.Sprintf("该条目有%s元已以票据支付、尚未兑付，本次记录后未清偿余额（%s元）将少于这些票据：票据兑付时会重复清偿。请先登记票据拒付或撤销，或减少本次金额",
					p, c.left+c.delta),
				Fields: map[string]string{"amount": fmt.Sprintf("最多 %s 元（另有 %s 元票据未兑付）", max(c.left-p, 0), p)}}
		}
	}
	return nil
}
