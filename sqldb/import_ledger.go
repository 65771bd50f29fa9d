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
		im := &importer{tx: tx, q: tx, a: a, res: res}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		return feed(res, rows, func(r *qingqian.RepaymentRow) error { return im.repayment(ctx, es, r) })
	})
}

func (im *importer) repayment(ctx context.Context, es *EntryService, r *qingqian.RepaymentRow) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: field, Value: value, Message: msg})
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

// sumTotals puts the file's totals per unit on the result, in the order of the units' names.
func (im *importer) sumTotals() {
	im.res.Totals = make([]qingqian.ImportTotal, 0, len(im.totals))
	for _, t := range im.totals {
		im.res.Totals = append(im.res.Totals, *t)
	}
	slices.SortFunc(im.res.Totals, func(a, b qingqian.ImportTotal) int { return strings.Compare(a.OrgName, b.OrgName) })
}

// creditor finds or registers the creditor of a row (creditorFor), once per USCC in an import;
// nil when the row's creditor cannot be registered, which is an issue. A name that differs from
// the one registered for the code is a warning on the row: the row is filed under the
// registered firm (the code identifies it), and a firm that was renamed is renamed on the
// creditors' page, not by a ledger import.
func (im *importer) creditor(ctx context.Context, r *qingqian.LedgerRow) (*qingqian.Creditor, error) {
	c, ok := im.creditors[qingqian.NormalizeUSCC(r.Creditor.USCC)]
	if !ok {
		got, created, err := im.creditorFor(ctx, r)
		if qingqian.ErrorCode(err) == qingqian.EINVALID {
			for f, m := range qingqian.ErrorFields(err) {
				im.issue(r, f, map[string]string{"creditor_name": r.Creditor.Name, "creditor_uscc": r.Creditor.USCC, "creditor_ownership": r.Creditor.Ownership.Label()}[f], m)
			}
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if created {
			im.res.CreditorsCreated++
			im.newCreditors[got.ID] = true
		}
		im.creditors[qingqian.NormalizeUSCC(got.USCC)] = got
		c = got
	}
	if name := strings.TrimSpace(r.Creditor.Name); name != "" && name != c.Name && qingqian.NormalizeName(name) != qingqian.NormalizeName(c.Name) {
		im.warn(r, "creditor_name", name, "与该统一社会信用代码登记的企业名称“"+c.Name+"”不一致，按登记的企业记入；如企业已更名，请在“债权企业”页修改名称，如代码填错，请改正代码")
	}
	return c, nil
}

// identity says what identifies a row's debt within the file: its number in its unit, else its
// contract number with its unit and creditor, else its unit, creditor, arising date, kind and
// amounts; and how it is named in messages.
func identity(r *qingqian.LedgerRow, it *qingqian.Item) (key, by string) {
	switch {
	case it.No != "":
		return "no\x00" + strconv.FormatInt(it.OrgID, 10) + "\x00" + it.No, "台账编号"
	case it.ContractNo != "":
		return fmt.Sprintf("contract\x00%d\x00%d\x00%s", it.OrgID, it.CreditorID, it.ContractNo), "欠款单位、债权企业和合同编号"
	}
	return fmt.Sprintf("debt\x00%d\x00%d\x00%s\x00%s\x00%d\x00%d", it.OrgID, it.CreditorID, it.ArisenOn, it.Kind, it.Undisputed, it.Disputed),
		"欠款单位、债权企业、发生日期、欠款类型和金额"
}

func (im *importer) row(ctx context.Context, r *qingqian.LedgerRow) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	o, msg := im.unit(r.OrgName)
	if o == nil {
		im.issue(r, "org_id", r.OrgName, msg)
		return nil
	}
	c, err := im.creditor(ctx, r)
	if err != nil || c == nil {
		return err
	}
	it := r.Item
	it.OrgID, it.CreditorID = o.ID, c.ID
	if verr := it.Validate(); verr != nil {
		for f, m := range qingqian.ErrorFields(verr) {
			im.issue(r, f, fieldValue(&it, f), m)
		}
		return nil
	}
	// The same debt twice in the file: reported, never two debts.
	key, by := identity(r, &it)
	if first, dup := im.seen[key]; dup {
		field, value := "no", it.No
		if it.No == "" {
			field, value = "contract_no", it.ContractNo
		}
		msg := "与" + first + "的" + by + "相同，是同一笔欠款"
		if it.No == "" && it.ContractNo == "" {
			field, value = "undisputed", it.Undisputed.String()
			msg += "；如确为两笔欠款，请填写台账编号或合同编号加以区分"
		}
		im.issue(r, field, value, msg)
		return nil
	}
	im.seen[key] = where(r.Sheet, r.Row, r.Sheet)
	im.seeAlso(r, &it)
	existing, matchedBy, ok, err := im.match(ctx, r, &it)
	if err != nil || !ok {
		return err
	}
	t := im.totals[o.Name]
	if t == nil {
		t = &qingqian.ImportTotal{OrgName: o.Name}
		im.totals[o.Name] = t
	}
	t.Rows++
	t.Undisputed += it.Undisputed
	t.Disputed += it.Disputed
	if existing == nil {
		if moved, err := im.elsewhere(ctx, r, &it, o); err != nil || moved {
			return err
		}
		if ok, err := im.stageItem(ctx, r, o, &it); err != nil || !ok {
			return err
		}
		im.res.Created++
		im.res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportNew})
		return nil
	}
	cur := existing.Item
	switch {
	case cur.Undisputed != it.Undisputed || cur.Disputed != it.Disputed:
		im.issue(r, "undisputed", it.Undisputed.String(), "按"+matchedBy+"匹配到台账中的条目，但金额与其确认金额（无分歧 "+cur.Undisputed.String()+"，有分歧 "+cur.Disputed.String()+"）不一致；金额只能通过清偿、调整等记录变更")
		return nil
	case cur.Kind != it.Kind:
		im.issue(r, "kind", it.Kind.Label(), "按"+matchedBy+"匹配到台账中的条目，但欠款类型与台账（"+cur.Kind.Label()+"）不一致，不能通过导入修改")
		return nil
	case cur.Origin != it.Origin:
		im.issue(r, "origin", it.Origin.Label(), "按"+matchedBy+"匹配到台账中的条目，但来源与台账（"+cur.Origin.Label()+"）不一致，不能通过导入修改")
		return nil
	case cur.ArisenOn != it.ArisenOn:
		im.issue(r, "arisen_on", it.ArisenOn.String(), "按"+matchedBy+"匹配到台账中的条目，但发生日期与台账（"+cur.ArisenOn.String()+"）不一致，不能通过导入修改")
		return nil
	case cur.CreditorID != it.CreditorID:
		ledger := "台账中的债权企业"
		if cur.CreditorName != "" {
			ledger = "台账中的债权企业（" + cur.CreditorName + "，" + cur.CreditorUSCC + "）"
		}
		im.issue(r, "creditor_uscc", r.Creditor.USCC, "按"+matchedBy+"匹配到台账中的条目，但债权企业与"+ledger+"不一致，不能通过导入修改；如编号填错，请改正编号")
		return nil
	}
	// What the row leaves empty that identifies the item is kept.
	if it.No == "" {
		it.No = cur.No
	}
	if it.ContractNo == "" {
		it.ContractNo = cur.ContractNo
	}
	var changes []qingqian.ImportChange
	for _, f := range []struct{ field, old, new string }{
		{"no", cur.No, it.No}, {"contract_no", cur.ContractNo, it.ContractNo}, {"contract_name", cur.ContractName, it.ContractName},
		{"due_on", cur.DueOn.String(), it.DueOn.String()}, {"dispute_reason", cur.DisputeReason, it.DisputeReason},
		{"funding_source", cur.FundingSource.Label(), it.FundingSource.Label()}, {"responsible", cur.Responsible, it.Responsible}, {"note", cur.Note, it.Note},
	} {
		if f.old != f.new {
			changes = append(changes, qingqian.ImportChange{Field: f.field, Old: f.old, New: f.new})
		}
	}
	if len(changes) == 0 {
		im.res.Unchanged++
		im.res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportIdentical, ItemID: cur.ID, MatchedBy: matchedBy})
		return nil
	}
	upd := qingqian.ItemUpdate{No: &it.No, ContractNo: &it.ContractNo, ContractName: &it.ContractName, DueOn: &it.DueOn,
		DisputeReason: &it.DisputeReason, FundingSource: &it.FundingSource, Responsible: &it.Responsible, Note: &it.Note}
	im.updates = append(im.updates, pendingUpdate{r: r, item: existing, upd: upd})
	im.res.Updated++
	im.res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportUpdated, ItemID: cur.ID, MatchedBy: matchedBy, Changes: changes})
	return nil
}

// fieldValue is the value of an item's field for a message.
func fieldValue(it *qingqian.Item, field string) string {
	switch field {
	case "no":
		return it.No
	case "origin":
		return it.Origin.Label()
	case "kind":
		return it.Kind.Label()
	case "arisen_on":
		return it.ArisenOn.String()
	case "due_on":
		return it.DueOn.String()
	case "undisputed":
		return it.Undisputed.String()
	case "disputed":
		return it.Disputed.String()
	case "contract_no":
		return it.ContractNo
	case "contract_name":
		return it.ContractName
	case "dispute_reason":
		return it.DisputeReason
	case "funding_source":
		return it.FundingSource.Label()
	case "responsible":
		return it.Responsible
	case "note":
		return it.Note
	}
	return ""
}

// The queries that match a row to an item, each served by an index alone (TestQueryPlans).
// Excluding empty numbers lets SQLite use the partial unique index on (org_id, no).
const (
	matchByNo       = `SELECT id FROM items WHERE org_id = $1 AND no = $2 AND no <> ''`
	matchByContract = `SELECT id FROM items WHERE org_id = $1 AND creditor_id = $2 AND contract_no = $3 LIMIT 2`
	// A row without a number or contract number is its debt: unit, creditor, date, kind, amounts.
	// (The items of one unit and creditor are few: no index of its own, which would cost every
	// insert.)
	matchByDebt = `SELECT id FROM items WHERE org_id = $1 AND creditor_id = $2 AND arisen_on = $3 AND kind = $4 AND undisputed = $5 AND disputed = $6 LIMIT 2`
	// The same debt in another unit of the subtree (the row's unit was corrected in the file),
	// through the creditor's items; not asked for creditors the import registers.
	sameDebtElsewhere = `SELECT i.id, i.no, i.contract_no, o.name FROM items i JOIN orgs o ON o.id = i.org_id
		WHERE i.creditor_id = $1 AND i.arisen_on = $2 AND i.kind = $3 AND i.undisputed = $4 AND i.disputed = $5 AND i.org_id <> $6
		AND o.path >= $7 AND o.path < $8 LIMIT 20`
)

// match finds the item a row stands for: by number within the unit, else by unit, creditor and
// contract number, else by unit, creditor, arising date, kind and amounts; nil when it is new.
// More than one candidate is an issue, and ok is false. The ids are looked up first, in the
// index alone: most rows of a large import are new.
func (im *importer) match(ctx context.Context, r *qingqian.LedgerRow, it *qingqian.Item) (found *itemRow, by string, ok bool, err error) {
	var q string
	var args []any
	switch {
	case it.No != "" && im.absent[numberKey{it.OrgID, it.No}]:
		return nil, "台账编号", true, nil
	case it.No != "":
		q, args, by = matchByNo, []any{it.OrgID, it.No}, "台账编号"
	case it.ContractNo != "":
		q, args, by = matchByContract, []any{it.OrgID, it.CreditorID, it.ContractNo}, "欠款单位、债权企业和合同编号"
	default:
		if im.newCreditors[it.CreditorID] {
			return nil, "", true, nil
		}
		q, args, by = matchByDebt, []any{it.OrgID, it.CreditorID, it.ArisenOn, it.Kind, it.Undisputed, it.Disputed}, "欠款单位、债权企业、发生日期、欠款类型和金额"
	}
	rows, err := im.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", false, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, "", false, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", false, err
	}
	switch len(ids) {
	case 0:
		return nil, by, true, nil
	case 1:
		found, err = scanItem(im.q.QueryRowContext(ctx, `SELECT `+itemColumns+itemFrom+` WHERE i.id = $1`, ids[0]))
		return found, by, err == nil, err
	}
	if it.ContractNo != "" {
		im.issue(r, "contract_no", it.ContractNo, "台账中有多条相同单位、债权企业和合同编号的条目，请填写台账编号以区分")
	} else {
		im.issue(r, "undisputed", it.Undisputed.String(), "台账中有多条单位、债权企业、发生日期、欠款类型和金额都相同的条目，无法确定是哪一条：请填写台账编号")
	}
	return nil, "", false, nil
}

// elsewhere reports, as an issue, a new row whose debt is in the ledger under another unit of
// the actor's subtree (same creditor, date, kind and amounts, and the same number or contract
// number when the row gives one): a corrected 欠款单位 must not make the debt count twice.
func (im *importer) elsewhere(ctx context.Context, r *qingqian.LedgerRow, it *qingqian.Item, o *qingqian.Org) (bool, error) {
	if im.newCreditors[it.CreditorID] {
		return false, nil
	}
	lo, hi := subtreeRange(im.a.OrgPath)
	rows, err := im.q.QueryContext(ctx, sameDebtElsewhere, it.CreditorID, it.ArisenOn, it.Kind, it.Undisputed, it.Disputed, o.ID, lo, hi)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var no, contract, org string
		if err := rows.Scan(&id, &no, &contract, &org); err != nil {
			return false, err
		}
		if (it.No != "" && no != it.No) || (it.No == "" && it.ContractNo != "" && contract != it.ContractNo) {
			continue
		}
		label := org
		if no != "" {
			label += "，台账编号 " + no
		}
		im.issue(r, "org_id", r.OrgName, "这笔欠款已在台账中，记在“"+label+"”名下（债权企业、发生日期、类型、金额"+
			map[bool]string{true: "、编号", false: ""}[it.No != "" || it.ContractNo != ""]+"都相同）；导入不会另建一笔。欠款单位确需变更的，请在该条目页调整后再导入，或将本行的欠款单位改回")
		return true, rows.Err()
	}
	return false, rows.Err()
}

// ImportPlans implements qingqian.ImportService. The rows of each item are gathered first (plans
// are a few rows per item), then each item's plan is compared with its latest revision.
func (s *ImportService) ImportPlans(ctx context.Context, rows func(yield func(*qingqian.PlanRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import plans")
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, q: tx, a: a, res: res}
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
		im.res.AddIssue(qingqian.ImportIssue{Sheet: first.Sheet, Row: first.Row, Field: field, Value: value, Message: msg})
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
			im.res.AddIssue(qingqian.ImportIssue{Sheet: first.Sheet, Row: row, Field: field, Message: m})
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
