package sqldb

// Importing the registers: creditors and units.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/qingqian/qingqian"
)

// ImportCreditors implements qingqian.ImportService.
func (s *ImportService) ImportCreditors(ctx context.Context, rows func(yield func(*qingqian.CreditorRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import creditors")
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		return feed(res, rows, func(r *qingqian.CreditorRow) error { return importCreditor(ctx, tx, res, r) })
	})
}

func importCreditor(ctx context.Context, tx *Tx, res *qingqian.ImportResult, r *qingqian.CreditorRow) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	c := r.Creditor
	if err := c.Validate(); err != nil {
		for f, m := range qingqian.ErrorFields(err) {
			res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: f, Message: m})
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
	// A change obeys the rule of UpdateCreditor: the office's, or the registering unit's while
	// nobody else uses the creditor; anything else is a change request, not an import.
	var registered string
	if err := tx.QueryRowContext(ctx, `SELECT registered_path FROM creditors WHERE id = $1`, cur.ID).Scan(&registered); err != nil {
		return fmt.Errorf("read creditors: %w", err)
	}
	ok, err := tx.db.editable(ctx, tx, tx.actor, cur, registered)
	if err != nil {
		return err
	}
	if !ok {
		res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: "name", Message: "该信用代码的债权企业已由其他单位登记或共同使用，与登记信息不同之处不能通过导入修改，请提交变更申请"})
		return nil
	}
	c.ID = cur.ID
	if _, err := tx.updateCreditor(ctx, cur, registered, c); err != nil {
		return err
	}
	res.Updated++
	return nil
}

// ImportOrgs implements qingqian.ImportService.
func (s *ImportService) ImportOrgs(ctx context.Context, rows func(yield func(*qingqian.OrgRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import units")
	orgAdmin := func(ctx context.Context) (*qingqian.Actor, error) {
		a, err := qingqian.RequireActor(ctx)
		if err != nil {
			return nil, err
		}
		return a, requireOrgAdmin(a)
	}
	return s.importTxAs(ctx, dryRun, orgAdmin, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, q: tx, a: a, res: res}
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

func (im *importer) org(ctx context.Context, r *qingqian.OrgRow) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: field, Value: value, Message: msg})
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
			return fmt.Errorf("update orgs: %w", err)
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
	err = im.tx.QueryRowContext(ctx, `INSERT INTO orgs (parent_id, path, depth, name, short_name, uscc, kind, leader_name,
		department, liaison_name, liaison_phone, active, search, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id`,
		o.ParentID, "new:"+RandomToken(8), o.Depth, o.Name, o.ShortName, o.USCC, o.Kind, o.LeaderName, o.Department,
		o.LiaisonName, o.LiaisonPhone, o.Active, searchText(o.Name, o.ShortName, o.USCC), im.tx.ts(im.tx.now)).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("insert into orgs: %w", err)
	}
	o.Path = p.Path + strconv.FormatInt(o.ID, 10) + "/"
	if _, err := im.tx.ExecContext(ctx, `UPDATE orgs SET path = $1 WHERE id = $2`, o.Path, o.ID); err != nil {
		return fmt.Errorf("update orgs: %w", err)
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
