package sqldb

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

// ImportService implements qingqian.ImportService.
type ImportService struct{ db *DB }

// NewImportService returns the import service over db.
func NewImportService(db *DB) *ImportService { return &ImportService{db: db} }

var _ qingqian.ImportService = (*ImportService)(nil)

// errRollback ends an import transaction that must not commit (issues or a dry run).
var errRollback = &qingqian.Error{Code: qingqian.ECONFLICT, Message: "rollback"}

// importTx runs an import in one transaction that commits only when there is no issue and it is
// not a dry run.
func (s *ImportService) importTx(ctx context.Context, dryRun bool, body func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error) (*qingqian.ImportResult, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if s.db.d.name == "sqlite" {
		// Inside the import's long transaction each statement journals the pages it changes so
		// that it alone can be undone; in temporary files on disk, those journals were a fifth of
		// an import's time. SQLite's temporary files stay in memory for the import only: kept
		// there for good, a rebuild of the running totals would sort in memory too. (The setting
		// cannot change inside a transaction; another write slipping in between is merely
		// served the same way.)
		if _, err := s.db.write.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
			return nil, qingqian.Internal(err)
		}
		defer s.db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = DEFAULT`)
	}
	res := &qingqian.ImportResult{DryRun: dryRun, Issues: []qingqian.ImportIssue{}}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		// An import writes its running totals once at the end, and an item it creates gets one
		// audit record (see ADR 14).
		tx.bulk = true
		tx.deferTotals()
		if err := body(tx, a, res); err != nil {
			return err
		}
		if !res.OK() || dryRun {
			return errRollback
		}
		return tx.flushTotals(ctx)
	})
	if err != nil && !errors.Is(err, errRollback) {
		return nil, err
	}
	return res, nil
}

// feed hands each row to fn, counting rows, until the rows end, fn fails, or too many issues
// were found.
func feed[T any](res *qingqian.ImportResult, rows func(yield func(*T) bool) error, fn func(*T) error) error {
	var failure error
	if err := rows(func(r *T) bool {
		res.Rows++
		if failure = fn(r); failure != nil {
			return false
		}
		return !res.Truncated
	}); err != nil {
		return err
	}
	return failure
}

// ImportRepayments implements qingqian.ImportService.
func (s *ImportService) ImportRepayments(ctx context.Context, rows func(yield func(*qingqian.RepaymentRow) bool) error, dryRun bool) (*qingqian.ImportResult, error) {
	es := &EntryService{db: s.db}
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, a: a, res: res}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		return feed(res, rows, func(r *qingqian.RepaymentRow) error { return im.repayment(ctx, es, r) })
	})
}

func (im *importer) repayment(ctx context.Context, es *EntryService, r *qingqian.RepaymentRow) error {
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Row: r.Row, Field: field, Value: value, Message: msg})
	}
	units := im.orgs[r.OrgName]
	if len(units) != 1 {
		issue("org_id", r.OrgName, "没有这个单位（或有重名），或它不在本单位及下级单位之中")
		return nil
	}
	var itemID int64
	err := im.tx.QueryRowContext(ctx, `SELECT id FROM items WHERE org_id = $1 AND no = $2 AND no <> ''`, units[0].ID, r.ItemNo).Scan(&itemID)
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
func (s *ImportService) ImportLedger(ctx context.Context, rows func(yield func(*qingqian.LedgerRow) bool) error, dryRun bool) (*qingqian.ImportResult, error) {
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, a: a, res: res, creditors: map[string]*qingqian.Creditor{}}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		return feed(res, rows, func(r *qingqian.LedgerRow) error { return im.row(ctx, r) })
	})
}

type importer struct {
	tx        *Tx
	a         *qingqian.Actor
	res       *qingqian.ImportResult
	orgs      map[string][]*qingqian.Org // by full name, within the actor's subtree
	creditors map[string]*qingqian.Creditor
}

func (im *importer) loadOrgs(ctx context.Context) error {
	lo, hi := subtreeRange(im.a.OrgPath)
	rows, err := im.tx.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.path >= $1 AND o.path < $2`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	im.orgs = map[string][]*qingqian.Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return err
		}
		im.orgs[o.Name] = append(im.orgs[o.Name], o)
	}
	return rows.Err()
}

func (im *importer) issue(r *qingqian.LedgerRow, field, value, msg string) {
	im.res.AddIssue(qingqian.ImportIssue{Row: r.Row, Field: field, Value: value, Message: msg})
}

// creditor finds the creditor of a USCC, creating it (within the transaction) when new.
func (im *importer) creditor(ctx context.Context, r *qingqian.LedgerRow) (*qingqian.Creditor, error) {
	c := r.Creditor
	if got, ok := im.creditors[c.USCC]; ok {
		return got, nil
	}
	found, err := scanCreditor(im.tx.QueryRowContext(ctx, `SELECT `+creditorColumns+` FROM creditors c WHERE c.uscc = $1`, c.USCC))
	if err == nil {
		im.creditors[c.USCC] = found
		return found, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if c.Ownership == "" {
		c.Ownership = qingqian.OwnershipPrivate
	}
	if verr := c.Validate(); verr != nil {
		for f, m := range qingqian.ErrorFields(verr) {
			im.issue(r, "creditor_"+f, "", m)
		}
		return nil, nil
	}
	if err := im.tx.createCreditor(ctx, &c); err != nil {
		return nil, err
	}
	im.res.CreditorsCreated++
	im.creditors[c.USCC] = &c
	return &c, nil
}

func (im *importer) row(ctx context.Context, r *qingqian.LedgerRow) error {
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

// ImportCreditors implements qingqian.ImportService.
func (s *ImportService) ImportCreditors(ctx context.Context, rows func(yield func(*qingqian.CreditorRow) bool) error, dryRun bool) (*qingqian.ImportResult, error) {
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		return feed(res, rows, func(r *qingqian.CreditorRow) error { return importCreditor(ctx, tx, res, r) })
	})
}

func importCreditor(ctx context.Context, tx *Tx, res *qingqian.ImportResult, r *qingqian.CreditorRow) error {
	c := r.Creditor
	if err := c.Validate(); err != nil {
		for f, m := range qingqian.ErrorFields(err) {
			res.AddIssue(qingqian.ImportIssue{Row: r.Row, Field: f, Message: m})
		}
		return nil
	}
	cur, err := scanCreditor(tx.QueryRowContext(ctx, `SELECT `+creditorColumns+` FROM creditors c WHERE c.uscc = $1`, c.USCC))
	if errors.Is(err, sql.ErrNoRows) {
		res.Created++
		return tx.createCreditor(ctx, &c)
	} else if err != nil {
		return err
	}
	if cur.Name == c.Name && cur.Ownership == c.Ownership && cur.Size == c.Size && cur.SizeDeclaredOn == c.SizeDeclaredOn &&
		cur.SizeEvidence == c.SizeEvidence && cur.Region == c.Region {
		res.Unchanged++
		return nil
	}
	before := *cur
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = cur.ID, cur.Version+1, cur.CreatedAt, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE creditors SET name = $1, ownership = $2, size = $3, size_declared_on = $4, size_evidence = $5,
		region = $6, search = $7, version = $8, updated_at = $9 WHERE id = $10`,
		c.Name, c.Ownership, c.Size, c.SizeDeclaredOn, c.SizeEvidence, c.Region, searchText(c.Name, c.USCC), c.Version, tx.ts(tx.now), c.ID); err != nil {
		return err
	}
	res.Updated++
	return tx.audit(ctx, "creditor.update", "creditor", c.ID, "/", before, c)
}

// ImportOrgs implements qingqian.ImportService.
func (s *ImportService) ImportOrgs(ctx context.Context, rows func(yield func(*qingqian.OrgRow) bool) error, dryRun bool) (*qingqian.ImportResult, error) {
	if a, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	} else if err := requireOrgAdmin(a); err != nil {
		return nil, err
	}
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, a: a, res: res}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		return feed(res, rows, func(r *qingqian.OrgRow) error { return im.org(ctx, r) })
	})
}

// usccTaken reports whether another unit than id already has the code. Imports ask first:
// a failed statement would abort the whole transaction on PostgreSQL.
func (im *importer) usccTaken(ctx context.Context, code string, id int64) (bool, error) {
	if code == "" {
		return false, nil
	}
	var other int64
	err := im.tx.QueryRowContext(ctx, `SELECT id FROM orgs WHERE uscc = $1`, code).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil && other != id, err
}

func (im *importer) org(ctx context.Context, r *qingqian.OrgRow) error {
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Row: r.Row, Field: field, Value: value, Message: msg})
	}
	o := r.Org
	if taken, err := im.usccTaken(ctx, o.USCC, idOf(im.orgs[o.Name])); err != nil {
		return err
	} else if taken {
		issue("uscc", o.USCC, "该统一社会信用代码已被其他单位使用")
		return nil
	}
	if existing := im.orgs[o.Name]; len(existing) > 0 {
		if len(existing) > 1 {
			issue("name", o.Name, "有多个同名单位，无法确定要更新哪一个")
			return nil
		}
		cur := existing[0]
		if r.ParentName != "" && cur.ParentID != 0 {
			parents := im.orgs[r.ParentName]
			if len(parents) != 1 || parents[0].ID != cur.ParentID {
				issue("parent", r.ParentName, "与系统中的上级单位不同；移动单位请在单位页面操作")
				return nil
			}
		}
		if cur.ShortName == o.ShortName && cur.USCC == o.USCC && cur.LeaderName == o.LeaderName && cur.Department == o.Department &&
			cur.LiaisonName == o.LiaisonName && cur.LiaisonPhone == o.LiaisonPhone && cur.Active == o.Active {
			im.res.Unchanged++
			return nil
		}
		before := *cur
		cur.ShortName, cur.USCC, cur.LeaderName, cur.Department, cur.LiaisonName, cur.LiaisonPhone, cur.Active =
			o.ShortName, o.USCC, o.LeaderName, o.Department, o.LiaisonName, o.LiaisonPhone, o.Active
		if err := cur.Validate(); err != nil {
			for f, m := range qingqian.ErrorFields(err) {
				issue(f, "", m)
			}
			*cur = before
			return nil
		}
		cur.Version++
		if _, err := im.tx.ExecContext(ctx, `UPDATE orgs SET short_name = $1, uscc = $2, leader_name = $3, department = $4, liaison_name = $5,
			liaison_phone = $6, active = $7, search = $8, version = $9, updated_at = $10 WHERE id = $11`,
			cur.ShortName, cur.USCC, cur.LeaderName, cur.Department, cur.LiaisonName, cur.LiaisonPhone, cur.Active,
			searchText(cur.Name, cur.ShortName, cur.USCC), cur.Version, im.tx.ts(im.tx.now), cur.ID); err != nil {
			return err
		}
		im.res.Updated++
		return im.tx.audit(ctx, "org.update", "org", cur.ID, cur.Path, before, cur)
	}
	parents := im.orgs[r.ParentName]
	switch {
	case r.ParentName == "":
		issue("parent", "", "新单位须填写上级单位")
		return nil
	case len(parents) != 1:
		issue("parent", r.ParentName, "上级单位不存在（或有重名），或不在本单位及下级之中；上级须在系统中或在本文件更靠前的行")
		return nil
	case !parents[0].Active:
		issue("parent", r.ParentName, "上级单位已停用")
		return nil
	}
	p := parents[0]
	o.ParentID, o.Depth = p.ID, p.Depth+1
	if o.Kind == "" {
		o.Kind = qingqian.OrgSubsidiary
	}
	if err := o.Validate(); err != nil {
		for f, m := range qingqian.ErrorFields(err) {
			issue(f, "", m)
		}
		return nil
	}
	o.Version, o.CreatedAt, o.UpdatedAt = 1, im.tx.now, im.tx.now
	err := im.tx.QueryRowContext(ctx, `INSERT INTO orgs (parent_id, path, depth, name, short_name, uscc, kind, leader_name,
		department, liaison_name, liaison_phone, active, search, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id`,
		o.ParentID, "new:"+RandomToken(8), o.Depth, o.Name, o.ShortName, o.USCC, o.Kind, o.LeaderName, o.Department,
		o.LiaisonName, o.LiaisonPhone, o.Active, searchText(o.Name, o.ShortName, o.USCC), im.tx.ts(im.tx.now)).Scan(&o.ID)
	if err != nil {
		return err
	}
	o.Path = p.Path + strconv.FormatInt(o.ID, 10) + "/"
	if _, err := im.tx.ExecContext(ctx, `UPDATE orgs SET path = $1 WHERE id = $2`, o.Path, o.ID); err != nil {
		return err
	}
	im.orgs[o.Name] = append(im.orgs[o.Name], &o)
	im.res.Created++
	return im.tx.audit(ctx, "org.create", "org", o.ID, o.Path, nil, &o)
}

func idOf(orgs []*qingqian.Org) int64 {
	if len(orgs) == 1 {
		return orgs[0].ID
	}
	return 0
}

// ImportPlans implements qingqian.ImportService. The rows of each item are gathered first (plans
// are a few rows per item), then each item's plan is compared with its latest revision.
func (s *ImportService) ImportPlans(ctx context.Context, rows func(yield func(*qingqian.PlanRow) bool) error, dryRun bool) (*qingqian.ImportResult, error) {
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

func (im *importer) plan(ctx context.Context, rows []*qingqian.PlanRow) error {
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
