package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/payrules"
)

// ContractService implements qingqian.ContractService.
type ContractService struct{ db *DB }

// NewContractService returns the contract service over db.
func NewContractService(db *DB) *ContractService { return &ContractService{db: db} }

var _ qingqian.ContractService = (*ContractService)(nil)

const contractColumns = `k.id, k.org_id, o.name, k.creditor_id, c.name, c.uscc, k.no, k.name, k.kind, k.buyer_kind, k.signed_on, k.amount,
	k.supplier_size, k.size_declared_on, k.size_evidence, k.settlement, k.agreed_days, k.acceptance_condition, k.acceptance_days,
	k.rate_per_day, k.rate_micro, k.pay_when_paid, k.audit_basis, k.forced_bills, k.note, k.version, k.created_at, k.updated_at, k.cancelled_at, k.cancel_reason, o.path`

const contractFrom = ` FROM contracts k JOIN orgs o ON o.id = k.org_id JOIN creditors c ON c.id = k.creditor_id`

type contractRow struct {
	*qingqian.Contract
	path string
}

func scanContract(row interface{ Scan(...any) error }) (*contractRow, error) {
	k := &qingqian.Contract{}
	r := &contractRow{Contract: k}
	err := row.Scan(&k.ID, &k.OrgID, &k.OrgName, &k.CreditorID, &k.CreditorName, &k.CreditorUSCC, &k.No, &k.Name, &k.Kind, &k.Buyer,
		&k.SignedOn, &k.Amount, &k.SupplierSize, &k.SizeDeclaredOn, &k.SizeEvidence, &k.Settlement, &k.AgreedDays, &k.AcceptanceCondition,
		&k.AcceptanceDays, &k.AgreedRate.PerDay, &k.AgreedRate.Micro, &k.PayWhenPaid, &k.AuditBasis, &k.ForcedBills, &k.Note, &k.Version,
		timeCol{&k.CreatedAt}, timeCol{&k.UpdatedAt}, timeCol{&k.CancelledAt}, &k.CancelReason, &r.path)
	return r, err
}

func contractNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "合同不存在") }

func contractCancelled(k *qingqian.Contract) error {
	return qingqian.Errorf(qingqian.ECONFLICT, "合同%s已于%s作废，不能再记录事件或更正", k.No, qingqian.DateOf(k.CancelledAt))
}

// reachContract reads a contract for a write (locked on PostgreSQL) if the actor's subtree holds it.
func (tx *Tx) reachContract(ctx context.Context, id int64) (_ *contractRow, err error) {
	defer wrapErr(&err, "read contract %d", id)
	r, err := scanContract(tx.QueryRowContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE k.id = $1`+tx.db.d.forUpdateOf("k"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contractNotFound()
	} else if err != nil {
		return nil, err
	}
	if !tx.actor.Reaches(r.path) {
		tx.deny("contract", id)
		return nil, contractNotFound()
	}
	return r, nil
}

func unlawful(flags []qingqian.RuleFlag) bool {
	for _, f := range flags {
		if f.Unlawful {
			return true
		}
	}
	return false
}

// CreateContract implements qingqian.ContractService.
func (s *ContractService) CreateContract(ctx context.Context, k *qingqian.Contract) (err error) {
	defer serviceErr(&err, "create contract in org %d", k.OrgID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if err := k.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.findOrg(ctx, k.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(o.Path) {
			if err == nil {
				tx.deny("org", k.OrgID)
			}
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "采购单位不存在", Fields: map[string]string{"org_id": "采购单位不存在"}}
		}
		if !o.Active {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "采购单位已停用", Fields: map[string]string{"org_id": "采购单位已停用"}}
		}
		if k.CreditorID <= 0 && k.Creditor != nil {
			cr, _, err := tx.creditorFor(ctx, supplierOf(k))
			if err != nil {
				return err
			}
			if err := sameSupplierName(k.Creditor.Name, cr); err != nil {
				return err
			}
			k.CreditorID, k.CreditorName, k.CreditorUSCC = cr.ID, cr.Name, cr.USCC
		} else {
			err = tx.QueryRowContext(ctx, `SELECT name, uscc FROM creditors WHERE id = $1`, k.CreditorID).Scan(&k.CreditorName, &k.CreditorUSCC)
			if errors.Is(err, sql.ErrNoRows) {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "供应商不存在", Fields: map[string]string{"creditor_id": "供应商不存在"}}
			} else if err != nil {
				return err
			}
			if ok, err := tx.db.seen(ctx, tx, a, k.CreditorID); err != nil {
				return err
			} else if !ok {
				tx.deny("creditor", k.CreditorID)
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "供应商不存在，请按统一社会信用代码选择", Fields: map[string]string{"creditor_id": "供应商不存在"}}
			}
		}
		return tx.createContract(ctx, o, k)
	})
}

// sameSupplierName refuses a supplier's name given with its code that is not the name the code
// is registered under (blanks and the width of brackets aside): a wrong code or a wrong name,
// either way not for the system to choose. An empty name takes the registered one.
func sameSupplierName(given string, cr *qingqian.Creditor) error {
	norm := func(s string) string {
		s = strings.NewReplacer("（", "(", "）", ")", " ", "", "\u3000", "").Replace(s)
		return strings.TrimSpace(s)
	}
	if given == "" || norm(given) == norm(cr.Name) {
		return nil
	}
	msg := fmt.Sprintf("统一社会信用代码%s已登记为“%s”，与填写的供应商名称“%s”不一致：请核对信用代码；名称可以不填", cr.USCC, cr.Name, strings.TrimSpace(given))
	return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"creditor_name": msg}}
}

func (tx *Tx) createContract(ctx context.Context, o *qingqian.Org, k *qingqian.Contract) error {
	lprs, err := tx.db.lpr(ctx, tx)
	if err != nil {
		return err
	}
	k.Flags = payrules.ContractFlags(lprs, k)
	k.OrgName = o.Name
	k.Version, k.CreatedAt, k.UpdatedAt = 1, tx.now, tx.now
	k.ID, err = tx.insertID(ctx, `INSERT INTO contracts (org_id, creditor_id, no, name, kind, buyer_kind, signed_on, amount, supplier_size,
		size_declared_on, size_evidence, settlement, agreed_days, acceptance_condition, acceptance_days, rate_per_day, rate_micro,
		pay_when_paid, audit_basis, forced_bills, unlawful, note, search, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 1, $24, $24)`,
		k.OrgID, k.CreditorID, k.No, k.Name, k.Kind, k.Buyer, k.SignedOn, k.Amount, k.SupplierSize, k.SizeDeclaredOn, k.SizeEvidence,
		k.Settlement, k.AgreedDays, k.AcceptanceCondition, k.AcceptanceDays, k.AgreedRate.PerDay, k.AgreedRate.Micro,
		k.PayWhenPaid, k.AuditBasis, k.ForcedBills, unlawful(k.Flags), k.Note, searchText(k.No, k.Name), tx.ts(tx.now))
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "本单位已有相同编号的合同", Fields: map[string]string{"no": "合同编号已存在"}}
	} else if err != nil {
		return fmt.Errorf("insert into contracts: %w", err)
	}
	if err := tx.audit(ctx, "contract.create", "contract", k.ID, o.Path, nil, k); err != nil {
		return err
	}
	return tx.recomputePayables(ctx, k, nil)
}

// eventColumns are the columns scanEvent reads.
const eventColumns = `id, contract_id, kind, on_date, amount, method, voucher_no, late_by_supplier, end_on, note, key, actor_name, created_at,
	voided_at, voided_by, void_reason`

func scanEvent(row interface{ Scan(...any) error }) (*qingqian.ContractEvent, error) {
	e := &qingqian.ContractEvent{}
	err := row.Scan(&e.ID, &e.ContractID, &e.Kind, &e.On, &e.Amount, &e.Method, &e.VoucherNo, &e.LateBySupplier, &e.EndOn,
		&e.Note, &e.Key, &e.ActorName, timeCol{&e.CreatedAt}, timeCol{&e.VoidedAt}, &e.VoidedBy, &e.VoidReason)
	return e, err
}

// eventsOf reads a contract's events in date order.
func (db *DB) eventsOf(ctx context.Context, q queryer, id int64) (_ []*qingqian.ContractEvent, err error) {
	defer wrapErr(&err, "read the events of contract %d", id)
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM contract_events WHERE contract_id = $1 ORDER BY on_date, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*qingqian.ContractEvent{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// recomputePayables derives the contract's payables as of today and stores them with their
// parts, replacing those stored. events nil reads them.
func (tx *Tx) recomputePayables(ctx context.Context, k *qingqian.Contract, events []*qingqian.ContractEvent) (err error) {
	return tx.recompute(ctx, k, events, false)
}

// recompute is recomputePayables that, with raise, also turns the payables overdue or paid late
// into ledger items (RaiseArrears).
func (tx *Tx) recompute(ctx context.Context, k *qingqian.Contract, events []*qingqian.ContractEvent, raise bool) (err error) {
	defer wrapErr(&err, "recompute the payables of contract %d", k.ID)
	if events == nil {
		if events, err = tx.db.eventsOf(ctx, tx, k.ID); err != nil {
			return err
		}
	}
	return tx.recomputeMany(ctx, []*qingqian.Contract{k}, map[int64][]*qingqian.ContractEvent{k.ID: events}, nil, raise)
}

// recomputeMany derives the payables of contracts as of today from their events and stores them
// with their parts, replacing those stored, in a few statements for them all (an ERP batch
// touches thousands); then raiseArrears for each contract. linked, when not nil, holds the
// contracts that have a payable in the ledger: raiseArrears, which without raise only adds late
// payments to such items, is skipped for the others.
func (tx *Tx) recomputeMany(ctx context.Context, ks []*qingqian.Contract, events map[int64][]*qingqian.ContractEvent, linked map[int64]bool, raise bool) error {
	cal, lprs, err := tx.payRules(ctx)
	if err != nil {
		return err
	}
	today := qingqian.DateOf(tx.now)
	ids := make([]int64, len(ks))
	payables := make([][]*qingqian.Payable, len(ks))
	var payableRows, partRows [][]any
	for i, k := range ks {
		ids[i] = k.ID
		if k.Cancelled() { // a cancelled contract owes nothing
			continue
		}
		ps := payrules.Payables(cal, lprs, k, events[k.ID], today)
		payables[i] = ps
		for _, p := range ps {
			payableRows = append(payableRows, []any{k.ID, p.Seq, k.OrgID, p.Basis, p.Amount, p.Due, p.StartOn, p.DueOn, p.Paid, p.Unpaid, p.OverdueDays, p.Interest, p.Status, today})
			if p.StartOn.IsZero() || p.OutsideRegulation {
				// Not started, or outside the Regulation (a supplier large at signing): no parts,
				// so not in the aging nor the timely-payment rate.
				continue
			}
			partRows = append(partRows, partRowsOf(k, p)...)
		}
	}
	for _, table := range []string{"payable_parts", "payables"} {
		if err := tx.deleteWhereIn(ctx, table, "contract_id", ids); err != nil {
			return err
		}
	}
	if err := tx.insertRows(ctx, "payables", []string{"contract_id", "seq", "org_id", "basis", "amount", "due", "start_on", "due_on", "paid", "unpaid", "overdue_days", "interest", "status", "computed_on"}, payableRows); err != nil {
		return err
	}
	if err := tx.insertRows(ctx, "payable_parts", []string{"contract_id", "seq", "org_id", "start_on", "due_on", "amount", "paid_on", "prev_paid_on", "held_from", "held_to", "in_bills"}, partRows); err != nil {
		return err
	}
	for i, k := range ks {
		if k.Cancelled() || (linked != nil && !linked[k.ID] && !raise) {
			continue
		}
		if err := tx.raiseArrears(ctx, k, payables[i], events[k.ID], raise); err != nil {
			return err
		}
	}
	return nil
}

// notCounting is the prev_paid_on of a held part while the amount never held is not all paid:
// the payable is counted on a day by that amount's open part, never by the held one.
var notCounting = qingqian.NewDate(9999, 12, 31)

// partRowsOf are the rows of the parts of a payable, each with the day the part before it in its
// chain was paid (prev_paid_on): the aging counts the payable on a day by the first open part of
// a chain, whose previous part was paid by then. The parts of the amount never held are one
// chain in the order of payment, the unpaid one last; each amount held is a chain of its own after
// them, whose first part counts only once the amount never held is all paid (notCounting before).
func partRowsOf(k *qingqian.Contract, p *qingqian.Payable) [][]any {
	var base qingqian.Date // the day the amount never held was all paid (zero when there was none)
	for _, x := range p.Parts {
		if !x.HeldFrom.IsZero() {
			break
		}
		base = x.PaidOn
		if x.PaidOn.IsZero() {
			base = notCounting
		}
	}
	var rows [][]any
	var prev qingqian.Date
	var last *qingqian.PayablePart
	for i := range p.Parts {
		x := &p.Parts[i]
		if !x.HeldFrom.IsZero() && (last == nil || last.HeldFrom != x.HeldFrom || last.HeldTo != x.HeldTo || last.PaidOn.IsZero()) {
			prev = base
		}
		rows = append(rows, []any{k.ID, p.Seq, k.OrgID, p.StartOn, p.DueOn, x.Amount, x.PaidOn, prev, x.HeldFrom, x.HeldTo, x.InBills})
		prev, last = x.PaidOn, x
	}
	return rows
}

// deleteWhereIn deletes the rows of a table whose column is one of ids, 500 ids a statement.
func (tx *Tx) deleteWhereIn(ctx context.Context, table, col string, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		list, params := tx.db.d.inList(ids[:n])
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+col+` IN (`+list+`)`, params...); err != nil {
			return fmt.Errorf("delete from %s: %w", table, err)
		}
		ids = ids[n:]
	}
	return nil
}

// insertRows inserts rows into a table in multi-row statements of up to 500 rows.
func (tx *Tx) insertRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), 500)
		var b strings.Builder
		b.WriteString(`INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `)
		params := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				params = append(params, r[j])
				b.WriteString(tx.db.d.param(len(params)))
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), params...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// recomputeContractsSignedFrom recomputes the payables of the contracts signed on or after d.
func (tx *Tx) recomputeContractsSignedFrom(ctx context.Context, d qingqian.Date) (int, error) {
	return tx.recomputeContracts(ctx, `k.signed_on >= $1`, d)
}

// recomputeContractsSignedTo recomputes the payables of the contracts signed on or before d
// (a calendar year entered moves the due dates that reach into it).
func (tx *Tx) recomputeContractsSignedTo(ctx context.Context, d qingqian.Date) (int, error) {
	tx.payCal = nil
	return tx.recomputeContracts(ctx, `k.signed_on <= $1`, d)
}

func (tx *Tx) recomputeContracts(ctx context.Context, where string, d qingqian.Date) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE `+where+` ORDER BY k.id`, d)
	if err != nil {
		return 0, err
	}
	var ks []*qingqian.Contract
	for rows.Next() {
		r, err := scanContract(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		ks = append(ks, r.Contract)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(ks, 500) {
		ids := make([]int64, len(chunk))
		for i, k := range chunk {
			ids[i] = k.ID
		}
		events, err := tx.db.eventsOfMany(ctx, tx, ids)
		if err != nil {
			return 0, err
		}
		if err := tx.recomputeMany(ctx, chunk, events, nil, false); err != nil {
			return 0, err
		}
	}
	return len(ks), nil
}

// FindContractByID implements qingqian.ContractService.
func (s *ContractService) FindContractByID(ctx context.Context, id int64, asOf qingqian.Date) (_ *qingqian.Contract, err error) {
	defer serviceErr(&err, "find contract %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := scanContract(s.db.read.QueryRowContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE k.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contractNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(r.path) {
		s.db.securityEvent(ctx, a, "contract", id)
		return nil, contractNotFound()
	}
	k := r.Contract
	if k.Events, err = s.db.eventsOf(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	cal, err := s.db.calendar(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	lprs, err := s.db.lpr(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	k.Flags = payrules.ContractFlags(lprs, k)
	if !k.Cancelled() {
		k.Payables = payrules.Payables(cal, lprs, k, k.Events, asOf)
	}
	return k, nil
}

// FindContracts implements qingqian.ContractService.
func (s *ContractService) FindContracts(ctx context.Context, f qingqian.ContractFilter) (_ *qingqian.ContractPage, err error) {
	defer serviceErr(&err, "find contracts")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, f.OrgID)
	if err != nil {
		return nil, err
	}
	var q args
	lo, hi := subtreeRange(scope)
	where := ` WHERE o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi)
	if f.Unlawful != nil {
		where += ` AND k.unlawful = ` + q.add(*f.Unlawful)
	}
	if f.Query != "" {
		p := q.add(likePattern(f.Query))
		where += ` AND (k.search LIKE ` + p + ` ESCAPE '\' OR c.search LIKE ` + p + ` ESCAPE '\')`
	}
	page := &qingqian.ContractPage{Contracts: []*qingqian.Contract{}}
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*)`+contractFrom+where, q...).Scan(&page.Total); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+contractColumns+contractFrom+where+` ORDER BY k.id DESC LIMIT `+q.add(limit(f.Limit))+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	lprs, err := s.db.lpr(ctx, s.db.read)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		r, err := scanContract(rows)
		if err != nil {
			return nil, err
		}
		r.Flags = payrules.ContractFlags(lprs, r.Contract)
		page.Contracts = append(page.Contracts, r.Contract)
	}
	return page, rows.Err()
}

// AddContractEvent implements qingqian.ContractService.
func (s *ContractService) AddContractEvent(ctx context.Context, e *qingqian.ContractEvent) (err error) {
	defer serviceErr(&err, "add an event to contract %d", e.ContractID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachContract(ctx, e.ContractID)
		if err != nil {
			return err
		}
		events, err := tx.db.eventsOf(ctx, tx, e.ContractID)
		if err != nil {
			return err
		}
		dup, why := checkNewEvent(e, events)
		switch {
		case dup != nil:
			*e = *dup
			return nil
		case why != "":
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: why, Fields: map[string]string{"key": why}}
		}
		if r.Cancelled() {
			return contractCancelled(r.Contract)
		}
		if msg := overHeld(r.Contract, events, e); msg != "" {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"amount": msg}}
		}
		if err := tx.keepsTheLedger(ctx, r.Contract, events, r.Contract, append(events[:len(events):len(events)], e)); err != nil {
			return err
		}
		return tx.addContractEvent(ctx, r, e)
	})
}

func (tx *Tx) addContractEvent(ctx context.Context, r *contractRow, e *qingqian.ContractEvent) (err error) {
	if r.Cancelled() {
		return contractCancelled(r.Contract)
	}
	if e.On.Before(r.SignedOn) && e.Kind != qingqian.EventInvoice {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "事件日期不能早于合同签订日期", Fields: map[string]string{"on": "不能早于签订日期 " + r.SignedOn.String()}}
	}
	e.ActorName, e.CreatedAt = tx.actor.Name, tx.now
	e.ID, err = tx.insertID(ctx, `INSERT INTO contract_events (contract_id, kind, on_date, amount, method, voucher_no, late_by_supplier, end_on, note, key, actor_name, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ContractID, e.Kind, e.On, e.Amount, e.Method, e.VoucherNo, e.LateBySupplier, e.EndOn, e.Note, e.Key, e.ActorName, tx.ts(tx.now))
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "同一幂等键的事件已记录", Fields: map[string]string{"key": "幂等键已使用"}}
	} else if err != nil {
		return fmt.Errorf("insert into contract_events: %w", err)
	}
	if err := tx.audit(ctx, "contract.event", "contract", r.ID, r.path, nil, e); err != nil {
		return err
	}
	return tx.recomputePayables(ctx, r.Contract, nil)
}

// AddContractEvents implements qingqian.ContractService.
func (s *ContractService) AddContractEvents(ctx context.Context, es []*qingqian.ContractEvent) (err error) {
	defer serviceErr(&err, "add %d contract events", len(es))
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if len(es) == 0 || len(es) > qingqian.MaxEventBatch {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("每批应有1到%d条事件", qingqian.MaxEventBatch), Fields: map[string]string{"events": "条数不正确"}}
	}
	bad := qingqian.Validation{}
	for i, e := range es {
		if err := e.Validate(); err != nil {
			for k, v := range qingqian.ErrorFields(err) {
				bad.Add(fmt.Sprintf("events.%d.%s", i, k), v)
			}
		}
		if e.ContractID <= 0 && (e.OrgID <= 0 || e.ContractNo == "") {
			bad.Add(fmt.Sprintf("events.%d.contract_id", i), "请填写合同ID，或单位ID和合同编号")
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		// An ERP's batch is written in a few statements for all its contracts, not several a
		// contract: on PostgreSQL every statement is a round trip. Its audit records too.
		tx.bufferAudit = true
		byNo := map[string]int64{}
		var ids []int64
		for i, e := range es {
			if e.ContractID <= 0 {
				k := fmt.Sprint(e.OrgID, "\x00", e.ContractNo)
				id, ok := byNo[k]
				if !ok {
					err := tx.QueryRowContext(ctx, `SELECT id FROM contracts WHERE org_id = $1 AND no = $2`, e.OrgID, e.ContractNo).Scan(&id)
					if errors.Is(err, sql.ErrNoRows) {
						bad.Add(fmt.Sprintf("events.%d.contract_no", i), "合同不存在")
						continue
					} else if err != nil {
						return err
					}
					byNo[k] = id
				}
				e.ContractID = id
			}
			ids = append(ids, e.ContractID)
		}
		contracts, err := tx.reachContracts(ctx, ids)
		if err != nil {
			return err
		}
		for i, e := range es {
			if e.ContractID <= 0 {
				continue // named above
			}
			r := contracts[e.ContractID]
			switch {
			case r == nil:
				bad.Add(fmt.Sprintf("events.%d.contract_id", i), "合同不存在")
			case r.Cancelled():
				bad.Add(fmt.Sprintf("events.%d.contract_id", i), "合同已作废，不能再记录事件")
			case e.On.Before(r.SignedOn) && e.Kind != qingqian.EventInvoice:
				bad.Add(fmt.Sprintf("events.%d.on", i), "不能早于合同签订日期 "+r.SignedOn.String())
			}
		}
		if err := bad.Err(); err != nil {
			return err
		}
		// An event whose key is recorded (or earlier in the batch) is that event, unless its
		// content differs; one without a key the same as one recorded is a duplicate.
		ordered := make([]int64, 0, len(contracts))
		for id := range contracts {
			ordered = append(ordered, id)
		}
		slices.Sort(ordered)
		known, err := tx.db.eventsOfMany(ctx, tx, ordered)
		if err != nil {
			return err
		}
		linked, err := tx.linkedContracts(ctx, ordered)
		if err != nil {
			return err
		}
		before := map[int64][]*qingqian.ContractEvent{}
		for id, evs := range known {
			before[id] = evs[:len(evs):len(evs)]
		}
		var fresh []*qingqian.ContractEvent
		type repeat struct{ e, first *qingqian.ContractEvent }
		var repeats []repeat
		for i, e := range es {
			dup, why := checkNewEvent(e, known[e.ContractID])
			switch {
			case dup != nil:
				// Answered as the event it repeats, once that one (maybe earlier in this
				// batch) has its id.
				repeats = append(repeats, repeat{e, dup})
				continue
			case why != "":
				bad.Add(fmt.Sprintf("events.%d.key", i), why)
				continue
			}
			if msg := overHeld(contracts[e.ContractID].Contract, known[e.ContractID], e); msg != "" {
				bad.Add(fmt.Sprintf("events.%d.amount", i), msg)
				continue
			}
			e.ActorName, e.CreatedAt = tx.actor.Name, tx.now
			fresh = append(fresh, e)
			known[e.ContractID] = append(known[e.ContractID], e)
		}
		if err := bad.Err(); err != nil {
			return err
		}
		var touched []*qingqian.Contract
		for _, id := range ordered {
			r := contracts[id]
			if len(known[id]) == len(before[id]) {
				continue
			}
			touched = append(touched, r.Contract)
			if !linked[id] {
				continue // no payable of it in the ledger to keep
			}
			if err := tx.keepsTheLedger(ctx, r.Contract, before[id], r.Contract, known[id]); qingqian.ErrorCode(err) == qingqian.ECONFLICT {
				return &qingqian.Error{Code: qingqian.ECONFLICT, Message: fmt.Sprintf("合同%s：%s", r.No, qingqian.ErrorMessage(err)), Fields: map[string]string{"events": qingqian.ErrorMessage(err)}}
			} else if err != nil {
				return err
			}
		}
		if err := tx.insertEvents(ctx, fresh); err != nil {
			return err
		}
		for _, r := range repeats {
			*r.e = *r.first
		}
		mine := map[int64][]*qingqian.ContractEvent{}
		for _, e := range fresh {
			mine[e.ContractID] = append(mine[e.ContractID], e)
		}
		for _, k := range touched {
			// The events themselves are in the record, for verify (batchRecord).
			if err := tx.audit(ctx, "contract.events", "contract", k.ID, contracts[k.ID].path, nil, batchRecord{Events: len(mine[k.ID]), Recorded: mine[k.ID]}); err != nil {
				return err
			}
			// The rules read the events in date order, as eventsOf gives them.
			sort.SliceStable(known[k.ID], func(i, j int) bool { return known[k.ID][i].On.Before(known[k.ID][j].On) })
		}
		return tx.recomputeMany(ctx, touched, known, linked, false)
	})
}

// reachContracts reads the contracts of ids the actor's subtree holds, for a write (locked on
// PostgreSQL, in the order of their ids, so that two batches never wait on each other in a
// circle); those not found or out of reach are absent.
func (tx *Tx) reachContracts(ctx context.Context, ids []int64) (map[int64]*contractRow, error) {
	out := map[int64]*contractRow{}
	uniq := slices.Compact(slices.Sorted(slices.Values(ids)))
	for len(uniq) > 0 {
		n := min(len(uniq), 500)
		list, params := tx.db.d.inList(uniq[:n])
		rows, err := tx.QueryContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE k.id IN (`+list+`) ORDER BY k.id`+tx.db.d.forUpdateOf("k"), params...)
		if err != nil {
			return nil, fmt.Errorf("read contracts: %w", err)
		}
		for rows.Next() {
			r, err := scanContract(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			if !tx.actor.Reaches(r.path) {
				tx.deny("contract", r.ID)
				continue
			}
			out[r.ID] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		uniq = uniq[n:]
	}
	return out, nil
}

// eventsOfMany reads the events of contracts (ids ascending), each contract's in date order.
func (db *DB) eventsOfMany(ctx context.Context, q queryer, ids []int64) (map[int64][]*qingqian.ContractEvent, error) {
	out := make(map[int64][]*qingqian.ContractEvent, len(ids))
	for _, id := range ids {
		out[id] = []*qingqian.ContractEvent{}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		list, params := db.d.inList(ids[:n])
		rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM contract_events WHERE contract_id IN (`+list+`) ORDER BY contract_id, on_date, id`, params...)
		if err != nil {
			return nil, fmt.Errorf("read contract events: %w", err)
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[e.ContractID] = append(out[e.ContractID], e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// linkedContracts are those of ids (ascending) with a payable in the ledger.
func (tx *Tx) linkedContracts(ctx context.Context, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		list, params := tx.db.d.inList(ids[:n])
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT contract_id FROM payable_items WHERE contract_id IN (`+list+`)`, params...)
		if err != nil {
			return nil, fmt.Errorf("read payable_items: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// insertEvents writes events in multi-row statements of up to 500 rows: one round trip per 500.
func (tx *Tx) insertEvents(ctx context.Context, es []*qingqian.ContractEvent) error {
	const cols = 12
	for len(es) > 0 {
		n := min(len(es), 500)
		chunk := es[:n]
		es = es[n:]
		var b strings.Builder
		b.WriteString(`INSERT INTO contract_events (contract_id, kind, on_date, amount, method, voucher_no, late_by_supplier, end_on, note, key, actor_name, created_at) VALUES `)
		params := make([]any, 0, n*cols)
		for i, e := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(tx.db.d.param(i*cols + j + 1))
			}
			b.WriteString(")")
			params = append(params, e.ContractID, e.Kind, e.On, e.Amount, e.Method, e.VoucherNo, e.LateBySupplier, e.EndOn, e.Note, e.Key, e.ActorName, tx.ts(tx.now))
		}
		b.WriteString(" RETURNING id")
		rows, err := tx.QueryContext(ctx, b.String(), params...)
		if err != nil {
			return fmt.Errorf("insert into contract_events: %w", err)
		}
		// The ids of one statement ascend in the order of its rows (SQLite's rowids and
		// PostgreSQL's identity are drawn row by row), whatever order RETURNING gives them in.
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) != len(chunk) {
			return fmt.Errorf("insert into contract_events: %d ids for %d rows", len(ids), len(chunk))
		}
		slices.Sort(ids)
		for i, id := range ids {
			chunk[i].ID = id
		}
	}
	return nil
}
