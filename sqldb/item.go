package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// ItemService implements qingqian.ItemService.
type ItemService struct{ db *DB }

// NewItemService returns the item service over db.
func NewItemService(db *DB) *ItemService { return &ItemService{db: db} }

var _ qingqian.ItemService = (*ItemService)(nil)

const itemColumns = `i.id, i.no, i.org_id, o.name, i.creditor_id, c.name, c.uscc, c.ownership, i.contract_no, i.contract_name, i.kind,
	i.arisen_on, i.due_on, i.undisputed, i.disputed, i.dispute_reason, i.funding_source, i.origin, i.responsible, i.note,
	i.version, i.created_at, i.updated_at, i.rec_u, i.rec_d, i.rep_u, i.rep_d, i.out_u, i.out_d, i.status, o.path`

// itemColumnsLean are itemColumns without the items' times and the unit's path (scanItemLean).
const itemColumnsLean = `i.id, i.no, i.org_id, o.name, i.creditor_id, c.name, c.uscc, c.ownership, i.contract_no, i.contract_name, i.kind,
	i.arisen_on, i.due_on, i.undisputed, i.disputed, i.dispute_reason, i.funding_source, i.origin, i.responsible, i.note,
	i.version, i.rec_u, i.rec_d, i.rep_u, i.rep_d, i.out_u, i.out_d, i.status`

const itemFrom = ` FROM items i JOIN orgs o ON o.id = i.org_id JOIN creditors c ON c.id = i.creditor_id`

// itemFromByKey drives the query from the items' primary key. Paging by key (exports) then reads
// the table once over all pages, where SQLite's own choice (the units first) sorts the whole
// subtree for every page. CROSS JOIN fixes the order in SQLite and is an ordinary join in
// PostgreSQL; the join conditions go in the WHERE clause.
const itemFromByKey = ` FROM items i CROSS JOIN orgs o CROSS JOIN creditors c`

// itemRow is an item with the path of its debtor unit, which decides who may reach it.
type itemRow struct {
	*qingqian.Item
	path string
}

func scanItem(row interface{ Scan(...any) error }) (*itemRow, error) {
	it := &qingqian.Item{}
	r := &itemRow{Item: it}
	b := &it.Balance
	err := row.Scan(&it.ID, &it.No, &it.OrgID, &it.OrgName, &it.CreditorID, &it.CreditorName, &it.CreditorUSCC, &it.CreditorOwnership,
		&it.ContractNo, &it.ContractName, &it.Kind, &it.ArisenOn, &it.DueOn, &it.Undisputed, &it.Disputed,
		&it.DisputeReason, &it.FundingSource, &it.Origin, &it.Responsible, &it.Note, &it.Version,
		timeCol{&it.CreatedAt}, timeCol{&it.UpdatedAt}, &b.RecognisedUndisputed, &b.RecognisedDisputed, &b.RepaidUndisputed, &b.RepaidDisputed,
		&b.OutstandingUndisputed, &b.OutstandingDisputed, &b.Status, &r.path)
	b.Outstanding = b.OutstandingUndisputed + b.OutstandingDisputed
	b.Repaid = b.RepaidUndisputed + b.RepaidDisputed
	b.AdjustedUndisputed = b.OutstandingUndisputed - b.RecognisedUndisputed + b.RepaidUndisputed
	b.AdjustedDisputed = b.OutstandingDisputed - b.RecognisedDisputed + b.RepaidDisputed
	return r, err
}

// scanItemLean reads the columns of itemColumnsLean into it. The codes and amounts are scanned
// as the plain strings and integers they are: database/sql converts into other types by
// reflection, which an export pays for every cell.
func scanItemLean(row interface{ Scan(...any) error }, it *qingqian.Item) error {
	b := &it.Balance
	err := row.Scan(&it.ID, &it.No, &it.OrgID, &it.OrgName, &it.CreditorID, &it.CreditorName, &it.CreditorUSCC, (*string)(&it.CreditorOwnership),
		&it.ContractNo, &it.ContractName, (*string)(&it.Kind), &it.ArisenOn, &it.DueOn, (*int64)(&it.Undisputed), (*int64)(&it.Disputed),
		&it.DisputeReason, (*string)(&it.FundingSource), (*string)(&it.Origin), &it.Responsible, &it.Note, &it.Version,
		(*int64)(&b.RecognisedUndisputed), (*int64)(&b.RecognisedDisputed), (*int64)(&b.RepaidUndisputed), (*int64)(&b.RepaidDisputed),
		(*int64)(&b.OutstandingUndisputed), (*int64)(&b.OutstandingDisputed), (*string)(&b.Status))
	b.Outstanding = b.OutstandingUndisputed + b.OutstandingDisputed
	b.Repaid = b.RepaidUndisputed + b.RepaidDisputed
	b.AdjustedUndisputed = b.OutstandingUndisputed - b.RecognisedUndisputed + b.RepaidUndisputed
	b.AdjustedDisputed = b.OutstandingDisputed - b.RecognisedDisputed + b.RepaidDisputed
	return err
}

func itemNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "台账条目不存在") }

// reachItem reads an item for a write (locked on PostgreSQL) if the actor's subtree holds it.
func (tx *Tx) reachItem(ctx context.Context, id int64) (_ *itemRow, err error) {
	defer wrapErr(&err, "read item %d", id)
	r, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id = $1`+tx.db.d.forUpdateOf("i"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, itemNotFound()
	} else if err != nil {
		return nil, err
	}
	if !tx.actor.Reaches(r.path) {
		tx.deny("item", id)
		return nil, itemNotFound()
	}
	return r, nil
}

// readItem reads an item outside a transaction if the actor's subtree holds it.
func (db *DB) readItem(ctx context.Context, a *qingqian.Actor, id int64) (_ *itemRow, err error) {
	defer wrapErr(&err, "read item %d", id)
	r, err := scanItem(db.read.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, itemNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(r.path) {
		db.securityEvent(ctx, a, "item", id)
		return nil, itemNotFound()
	}
	return r, nil
}

func itemSearch(it *qingqian.Item) string {
	return searchText(it.No, it.ContractNo, it.ContractName)
}

// CreateItem implements qingqian.ItemService.
func (s *ItemService) CreateItem(ctx context.Context, it *qingqian.Item) (err error) {
	defer serviceErr(&err, "create item in org %d", it.OrgID)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return err
	}
	if err := it.Validate(); err != nil {
		return err
	}
	named := it.CreditorID <= 0 && it.Creditor != nil
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.findOrg(ctx, it.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil || !a.Reaches(o.Path) {
			if err == nil {
				tx.deny("org", it.OrgID)
			}
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "欠款单位不存在", Fields: map[string]string{"org_id": "欠款单位不存在"}}
		}
		if !o.Active {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "欠款单位已停用", Fields: map[string]string{"org_id": "欠款单位已停用"}}
		}
		if named {
			cr, _, err := tx.creditorFor(ctx, *it.Creditor)
			if err != nil {
				return err
			}
			it.CreditorID = cr.ID
			return tx.createItem(ctx, o, it, cr.Name, cr.USCC)
		}
		var cname, cuscc string
		err = tx.QueryRowContext(ctx, `SELECT name, uscc FROM creditors WHERE id = $1`, it.CreditorID).Scan(&cname, &cuscc)
		if errors.Is(err, sql.ErrNoRows) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "债权企业不存在", Fields: map[string]string{"creditor_id": "债权企业不存在"}}
		} else if err != nil {
			return err
		}
		// By its number a unit uses only a creditor it sees; another is named by its USCC.
		if ok, err := tx.db.seen(ctx, tx, a, it.CreditorID); err != nil {
			return err
		} else if !ok {
			tx.deny("creditor", it.CreditorID)
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "债权企业不存在，请按统一社会信用代码选择", Fields: map[string]string{"creditor_id": "债权企业不存在"}}
		}
		return tx.createItem(ctx, o, it, cname, cuscc)
	})
	if err != nil && named {
		it.CreditorID = 0 // the creditor registered for it was rolled back with it
	}
	return err
}

// itemInsert inserts an item born with the balance of its recognise entry; arguments: no, unit,
// creditor, contract number and name, kind, arising and due dates, the two amounts, dispute
// reason, funding source, origin, responsible person, note, search text, the instant and its day,
// the status.
const itemInsert = `INSERT INTO items (no, org_id, creditor_id, contract_no, contract_name, kind, arisen_on, due_on,
		undisputed, disputed, dispute_reason, funding_source, origin, responsible, note, search, version, created_at, created_on, updated_at,
		rec_u, rec_d, out_u, out_d, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $17, $9, $10, $9, $10, $19)`

// createItem writes a validated item of unit o, its recognise entry, the running totals and the
// audit records.
func (tx *Tx) createItem(ctx context.Context, o *qingqian.Org, it *qingqian.Item, cname, cuscc string) error {
	if it.Origin == qingqian.OriginBaseline {
		lock, err := tx.baselineLock(ctx, o.Path)
		if err != nil {
			return err
		}
		if lock != "" {
			msg := lock + "，此后发现的欠款请按来源选择“自查发现”“投诉举报”或“新增欠款”"
			return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"origin": msg}}
		}
	}
	it.OrgName, it.CreditorName, it.CreditorUSCC = o.Name, cname, cuscc
	it.Version, it.CreatedAt, it.UpdatedAt = 1, tx.now, tx.now
	// The item is born with the balance of its recognise entry.
	it.Balance = qingqian.Balance{}
	it.Balance.Add(qingqian.CatRecognise, it.Undisputed, it.Disputed)
	e := &qingqian.Entry{Kind: qingqian.EntryRecognise, Category: qingqian.CatRecognise, On: it.ArisenOn,
		Undisputed: it.Undisputed, Disputed: it.Disputed, Reason: "建立台账"}
	args := []any{it.No, it.OrgID, it.CreditorID, it.ContractNo, it.ContractName, it.Kind, it.ArisenOn, it.DueOn,
		it.Undisputed, it.Disputed, it.DisputeReason, it.FundingSource, it.Origin, it.Responsible, it.Note,
		itemSearch(it), tx.ts(tx.now), qingqian.DateOf(tx.now), it.Balance.Status}
	var err error
	if tx.db.d.name == "postgres" {
		// The item and its recognise entry in one statement: one round trip instead of two.
		_, actorID := tx.stampEntry(e)
		tx.countVolume(o.Path, e)
		err = tx.QueryRowContext(ctx, `WITH i AS (`+itemInsert+` RETURNING id)
			INSERT INTO entries (`+entryInsertColumns+`)
			SELECT i.id, $20::text, $21::text, $7, $17, $18, $22::boolean, $9, $10, '', '', $23::text, NULL, $24::bigint, $25::text FROM i RETURNING item_id, id`,
			append(args, e.Kind, e.Category, e.Backdated, e.Reason, actorID, e.ActorName)...).Scan(&it.ID, &e.ID)
		e.ItemID = it.ID
	} else if it.ID, err = tx.insertID(ctx, itemInsert, args...); err == nil {
		e.ItemID = it.ID
		err = tx.insertEntryRow(ctx, o.Path, e, nil)
	}
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "本单位已有相同台账编号的条目", Fields: map[string]string{"no": "台账编号已存在"}}
	} else if err != nil {
		return fmt.Errorf("insert item and its recognise entry: %w", err)
	}
	if tx.bulk {
		if err := tx.auditBound(ctx, "item.import", "item", it.ID, o.Path, nil, importedItemOf(it, e), e.ID); err != nil {
			return err
		}
	} else {
		if err := tx.audit(ctx, "item.create", "item", it.ID, o.Path, nil, it); err != nil {
			return err
		}
		if err := tx.auditEntry(ctx, o.Path, e); err != nil {
			return err
		}
	}
	m := measuresOf(e.Category, e.Undisputed, e.Disputed)
	m[mItems] = 1
	return tx.bumpTotals(ctx, o.Path, it.ArisenOn, it.Kind, it.Origin, m)
}

// importedItem is the audit record of an item created by an import: what was written of the
// item and its recognise entry, in one record. The balance, derived from the entry, is left out.
type importedItem struct {
	ID            int64                  `json:"id"`
	No            string                 `json:"no,omitempty"`
	OrgID         int64                  `json:"org_id"`
	CreditorID    int64                  `json:"creditor_id"`
	ContractNo    string                 `json:"contract_no,omitempty"`
	ContractName  string                 `json:"contract_name,omitempty"`
	Kind          qingqian.ItemKind      `json:"kind"`
	ArisenOn      qingqian.Date          `json:"arisen_on"`
	DueOn         qingqian.Date          `json:"due_on"`
	Undisputed    qingqian.Money         `json:"undisputed"`
	Disputed      qingqian.Money         `json:"disputed"`
	DisputeReason string                 `json:"dispute_reason,omitempty"`
	FundingSource qingqian.FundingSource `json:"funding_source,omitempty"`
	Origin        qingqian.Origin        `json:"origin"`
	Responsible   string                 `json:"responsible,omitempty"`
	Note          string                 `json:"note,omitempty"`
	EntryID       int64                  `json:"recognise_entry_id"`
}

func importedItemOf(it *qingqian.Item, e *qingqian.Entry) importedItem {
	return importedItem{ID: it.ID, No: it.No, OrgID: it.OrgID, CreditorID: it.CreditorID, ContractNo: it.ContractNo, ContractName: it.ContractName,
		Kind: it.Kind, ArisenOn: it.ArisenOn, DueOn: it.DueOn, Undisputed: it.Undisputed, Disputed: it.Disputed, DisputeReason: it.DisputeReason,
		FundingSource: it.FundingSource, Origin: it.Origin, Responsible: it.Responsible, Note: it.Note, EntryID: e.ID}
}

// FindItemByID implements qingqian.ItemService.
func (s *ItemService) FindItemByID(ctx context.Context, id int64, asOf qingqian.Date, knownAt time.Time) (_ *qingqian.Item, err error) {
	defer serviceErr(&err, "find item %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.db.readItem(ctx, a, id)
	if err != nil {
		return nil, err
	}
	entries, err := s.db.entriesOf(ctx, s.db.read, id)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	r.Balance = qingqian.BalanceOf(entries, asOf, knownAt)
	return r.Item, nil
}

// balancesAsOf replaces the items' balances by their balances as of a date, as known now: the
// sums of their entries dated by then.
func (db *DB) balancesAsOf(ctx context.Context, items []*qingqian.Item, asOf qingqian.Date) (err error) {
	defer wrapErr(&err, "balances as of %s", asOf)
	if len(items) == 0 {
		return nil
	}
	var q args
	byID := map[int64]*qingqian.Item{}
	in := make([]string, len(items))
	for i, it := range items {
		in[i] = q.add(it.ID)
		byID[it.ID] = it
		it.Balance = qingqian.Balance{}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT item_id, cat, CAST(SUM(du) AS BIGINT), CAST(SUM(dd) AS BIGINT) FROM entries
		WHERE item_id IN (`+strings.Join(in, ", ")+`) AND on_date <= `+q.add(asOf)+` GROUP BY item_id, cat`, q...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var cat qingqian.Category
		var du, dd qingqian.Money
		if err := rows.Scan(&id, &cat, &du, &dd); err != nil {
			return err
		}
		byID[id].Balance.Add(cat, du, dd)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, it := range items {
		it.Balance.Status = qingqian.DeriveStatus(it.Balance.Outstanding, it.Balance.Repaid)
	}
	return nil
}

// UpdateItem implements qingqian.ItemService.
func (s *ItemService) UpdateItem(ctx context.Context, id int64, upd qingqian.ItemUpdate) (_ *qingqian.Item, err error) {
	defer serviceErr(&err, "update item %d", id)
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Item
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		r, err := tx.reachItem(ctx, id)
		if err != nil {
			return err
		}
		if r.Version != upd.Version {
			return staleVersion()
		}
		if err := tx.updateItem(ctx, r, upd); err != nil {
			return err
		}
		out = r.Item
		return nil
	})
	return out, err
}

// updateItem applies changes to an item's descriptive fields, validates, writes and audits.
func (tx *Tx) updateItem(ctx context.Context, r *itemRow, upd qingqian.ItemUpdate) error {
	it := r.Item
	before := *it
	str := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	str(&it.No, upd.No)
	str(&it.ContractNo, upd.ContractNo)
	str(&it.ContractName, upd.ContractName)
	str(&it.DisputeReason, upd.DisputeReason)
	str(&it.Responsible, upd.Responsible)
	str(&it.Note, upd.Note)
	if upd.DueOn != nil {
		it.DueOn = *upd.DueOn
	}
	if upd.FundingSource != nil {
		it.FundingSource = *upd.FundingSource
	}
	if err := it.Validate(); err != nil {
		return err
	}
	it.Version++
	it.UpdatedAt = tx.now
	_, err := tx.ExecContext(ctx, `UPDATE items SET no = $1, contract_no = $2, contract_name = $3, due_on = $4, dispute_reason = $5,
		funding_source = $6, responsible = $7, note = $8, search = $9, version = $10, updated_at = $11 WHERE id = $12`,
		it.No, it.ContractNo, it.ContractName, it.DueOn, it.DisputeReason, it.FundingSource, it.Responsible, it.Note,
		itemSearch(it), it.Version, tx.ts(tx.now), it.ID)
	if isUnique(err) {
		return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "本单位已有相同台账编号的条目", Fields: map[string]string{"no": "台账编号已存在"}}
	} else if err != nil {
		return fmt.Errorf("update items: %w", err)
	}
	return tx.audit(ctx, "item.update", "item", it.ID, r.path, before, it)
}
