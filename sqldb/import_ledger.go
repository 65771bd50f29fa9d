package sqldb

// Importing the sheets about items: the ledger, repayments and plans.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// ImportRepayments implements qingqian.ImportService.
func (s *ImportService) ImportRepayments(ctx context.Context, rows func(yield func(*qingqian.RepaymentRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import repayments")
	es := &EntryService{db: s.db}
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, a: a, res: res}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		return feed(res, rows, func(r *qingqian.RepaymentRow) error { return im.repayment(ctx, es, r) })
	})
}

func (im *importer) repayment(ctx context.Context, es *EntryService, r *qingqian.RepaymentRow) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Row: r.Row, Field: field, Value: value, Message: msg})
	}
	units := im.orgs[r.OrgName]
	if len(units) != 1 {
		issue("org_id", r.OrgName, "没有这个单位（或有重名），或它不在本单位及下级单位之中")
		return nil
	}
	var itemID int64
	err = im.tx.QueryRowContext(ctx, `SELECT id FROM items WHERE org_id = $1 AND no = $2 AND no <> ''`, units[0].ID, r.ItemNo).Scan(&itemID)
	if errors.Is(err, sql.ErrNoRows) {
		issue("no", r.ItemNo, "该单位没有这个台账编号")
		return nil
	} else if err != nil {
		return err
	}
	in := r.Entry
	in.ItemID = itemID
	// The same repayment of the same item imported again is recognised by its content.
	in.IdempotencyKey = fmt.Sprintf("import:%d:%s:%d:%s:%s", itemID, in.On, in.Amount, in.Method, in.VoucherNo)
	var prior int64
	err = im.tx.QueryRowContext(ctx, `SELECT entry_id FROM idempotency_keys WHERE scope = $1 AND key = $2`, idempotencyScope(im.a), in.IdempotencyKey).Scan(&prior)
	if err == nil {
		im.res.Unchanged++
		return nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	e, err := es.recordTx(ctx, im.tx, im.a, in)
	if err != nil {
		if c := qingqian.ErrorCode(err); c == qingqian.EINVALID || c == qingqian.ECONFLICT || c == qingqian.ENOTFOUND {
			for f, m := range qingqian.ErrorFields(err) {
				issue(f, "", m)
			}
			if len(qingqian.ErrorFields(err)) == 0 {
				issue("amount", in.Amount.String(), qingqian.ErrorMessage(err))
			}
			return nil
		}
		return err
	}
	for _, f := range r.Files {
		rc, err := f.Open()
		if err != nil {
			issue("voucher_no", f.Name, "压缩包中的文件无法读取")
			continue
		}
		v, err := im.tx.storeVoucher(ctx, f.Name, rc)
		rc.Close()
		if qingqian.ErrorCode(err) == qingqian.EINVALID {
			issue("voucher_no", f.Name, qingqian.ErrorMessage(err))
			continue
		} else if err != nil {
			return err
		}
		if err := im.tx.attachVoucher(ctx, units[0].Path, e, v.SHA256); err != nil {
			return err
		}
	}
	im.res.Created++
	return nil
}

// ImportLedger implements qingqian.ImportService.
func (s *ImportService) ImportLedger(ctx context.Context, rows func(yield func(*qingqian.LedgerRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import the ledger")
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, a: a, res: res, creditors: map[string]*qingqian.Creditor{}}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		return feed(res, rows, func(r *qingqian.LedgerRow) error { return im.row(ctx, r) })
	})
}

// creditor finds or registers the creditor of a row (creditorFor), once per USCC in an import;
// nil when the row's creditor cannot be registered, which is an issue.
func (im *importer) creditor(ctx context.Context, r *qingqian.LedgerRow) (*qingqian.Creditor, error) {
	if got, ok := im.creditors[qingqian.NormalizeUSCC(r.Creditor.USCC)]; ok {
		return got, nil
	}
	c, created, err := im.tx.creditorFor(ctx, r.Creditor)
	if qingqian.ErrorCode(err) == qingqian.EINVALID {
		for f, m := range qingqian.ErrorFields(err) {
			im.issue(r, f, "", m)
		}
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if created {
		im.res.CreditorsCreated++
	}
	im.creditors[c.USCC] = c
	return c, nil
}

func (im *importer) row(ctx context.Context, r *qingqian.LedgerRow) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	units := im.orgs[r.OrgName]
	switch {
	case len(units) == 0:
		im.issue(r, "org_id", r.OrgName, "没有这个单位，或它不在本单位及下级单位之中")
		return nil
	case len(units) > 1:
		im.issue(r, "org_id", r.OrgName, "有多个同名单位，请在系统中改名后再导入")
		return nil
	case !units[0].Active:
		im.issue(r, "org_id", r.OrgName, "该单位已停用")
		return nil
	}
	o := units[0]
	c, err := im.creditor(ctx, r)
	if err != nil || c == nil {
		return err
	}
	it := r.Item
	it.OrgID, it.CreditorID = o.ID, c.ID
	if verr := it.Validate(); verr != nil {
		for f, m := range qingqian.ErrorFields(verr) {
			im.issue(r, f, "", m)
		}
		return nil
	}
	existing, ok, err := im.match(ctx, r, &it)
	if err != nil || !ok {
		return err
	}
	if existing == nil {
		if err := im.tx.createItem(ctx, o, &it, c.Name, c.USCC); err != nil {
			if qingqian.ErrorCode(err) == qingqian.ECONFLICT {
				im.issue(r, "no", it.No, qingqian.ErrorMessage(err))
				return nil
			}
			return err
		}
		im.res.Created++
		return nil
	}
	cur := existing.Item
	switch {
	case cur.Undisputed != it.Undisputed || cur.Disputed != it.Disputed:
		im.issue(r, "undisputed", it.Undisputed.String(), "金额与台账中的确认金额（无分歧 "+cur.Undisputed.String()+"，有分歧 "+cur.Disputed.String()+"）不一致；金额只能通过清偿、调整等记录变更")
		return nil
	case cur.Kind != it.Kind:
		im.issue(r, "kind", string(it.Kind), "欠款类型与台账不一致，不能通过导入修改")
		return nil
	case cur.Origin != it.Origin:
		im.issue(r, "origin", string(it.Origin), "来源与台账不一致，不能通过导入修改")
		return nil
	case cur.ArisenOn != it.ArisenOn:
		im.issue(r, "arisen_on", it.ArisenOn.String(), "发生日期与台账（"+cur.ArisenOn.String()+"）不一致，不能通过导入修改")
		return nil
	}
	if cur.No == it.No && cur.ContractNo == it.ContractNo && cur.ContractName == it.ContractName && cur.DueOn == it.DueOn &&
		cur.DisputeReason == it.DisputeReason && cur.FundingSource == it.FundingSource && cur.Responsible == it.Responsible && cur.Note == it.Note {
		im.res.Unchanged++
		return nil
	}
	upd := qingqian.ItemUpdate{No: &it.No, ContractNo: &it.ContractNo, ContractName: &it.ContractName, DueOn: &it.DueOn,
		DisputeReason: &it.DisputeReason, FundingSource: &it.FundingSource, Responsible: &it.Responsible, Note: &it.Note}
	if err := im.tx.updateItem(ctx, existing, upd); err != nil {
		if c := qingqian.ErrorCode(err); c == qingqian.EINVALID || c == qingqian.ECONFLICT {
			im.issue(r, "no", it.No, qingqian.ErrorMessage(err))
			return nil
		}
		return err
	}
	im.res.Updated++
	return nil
}

// The queries that match a row to an item, each served by an index alone (TestQueryPlans).
// Excluding empty numbers lets SQLite use the partial unique index on (org_id, no).
const (
	matchByNo       = `SELECT id FROM items WHERE org_id = $1 AND no = $2 AND no <> ''`
	matchByContract = `SELECT id FROM items WHERE org_id = $1 AND creditor_id = $2 AND contract_no = $3 LIMIT 2`
)

// match finds the item a row stands for: by number within the unit, else by unit, creditor and
// contract number; nil when it is new. More than one candidate is an issue, and ok is false.
// The ids are looked up first, in the index alone: most rows of a large import are new.
func (im *importer) match(ctx context.Context, r *qingqian.LedgerRow, it *qingqian.Item) (found *itemRow, ok bool, err error) {
	var q string
	var args []any
	switch {
	case it.No != "":
		q, args = matchByNo, []any{it.OrgID, it.No}
	case it.ContractNo != "":
		q, args = matchByContract, []any{it.OrgID, it.CreditorID, it.ContractNo}
	default:
		return nil, true, nil
	}
	rows, err := im.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, false, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	switch len(ids) {
	case 0:
		return nil, true, nil
	case 1:
		found, err = scanItem(im.tx.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id = $1`, ids[0]))
		return found, err == nil, err
	}
	im.issue(r, "contract_no", it.ContractNo, "台账中有多条相同单位、债权企业和合同编号的条目，请填写台账编号以区分")
	return nil, false, nil
}

// ImportPlans implements qingqian.ImportService. The rows of each item are gathered first (plans
// are a few rows per item), then each item's plan is compared with its latest revision.
func (s *ImportService) ImportPlans(ctx context.Context, rows func(yield func(*qingqian.PlanRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import plans")
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, a: a, res: res}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		type key struct{ org, no string }
		var order []key
		plans := map[key][]*qingqian.PlanRow{}
		if err := feed(res, rows, func(r *qingqian.PlanRow) error {
			k := key{r.OrgName, r.ItemNo}
			if _, seen := plans[k]; !seen {
				order = append(order, k)
			}
			plans[k] = append(plans[k], r)
			return nil
		}); err != nil {
			return err
		}
		for _, k := range order {
			if err := im.plan(ctx, plans[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (im *importer) plan(ctx context.Context, rows []*qingqian.PlanRow) (err error) {
	defer wrapErr(&err, "row %d", rows[0].Row)
	first := rows[0]
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Row: first.Row, Field: field, Value: value, Message: msg})
	}
	units := im.orgs[first.OrgName]
	if len(units) != 1 {
		issue("org_id", first.OrgName, "没有这个单位（或有重名），或它不在本单位及下级单位之中")
		return nil
	}
	r, err := scanItem(im.tx.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.org_id = $1 AND i.no = $2 AND i.no <> ''`, units[0].ID, first.ItemNo))
	if errors.Is(err, sql.ErrNoRows) {
		issue("no", first.ItemNo, "该单位没有这个台账编号")
		return nil
	} else if err != nil {
		return err
	}
	in := qingqian.PlanInput{Reason: "导入清偿计划"}
	for _, row := range rows {
		in.Instalments = append(in.Instalments, row.Instalment)
	}
	latest, err := im.tx.latestRevision(ctx, r.ID)
	if err != nil {
		return err
	}
	if latest > 0 {
		cur, err := im.tx.instalments(ctx, r.ID, latest)
		if err != nil {
			return err
		}
		if slices.Equal(cur, in.Instalments) {
			im.res.Unchanged++
			return nil
		}
	}
	if _, err := im.tx.revisePlan(ctx, r, latest, in); err != nil {
		if qingqian.ErrorCode(err) != qingqian.EINVALID {
			return err
		}
		// Fields are "instalments" or "instalments.N.due": point at the row of instalment N.
		for f, m := range qingqian.ErrorFields(err) {
			row, field := first.Row, f
			if parts := strings.Split(f, "."); len(parts) == 3 {
				if n, err := strconv.Atoi(parts[1]); err == nil && n < len(rows) {
					row, field = rows[n].Row, parts[2]
				}
			}
			im.res.AddIssue(qingqian.ImportIssue{Row: row, Field: field, Message: m})
		}
		return nil
	}
	if latest > 0 {
		im.res.Updated++
	} else {
		im.res.Created++
	}
	return nil
}
