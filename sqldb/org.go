package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// OrgService implements qingqian.OrgService.
type OrgService struct{ db *DB }

// NewOrgService returns the org service over db.
func NewOrgService(db *DB) *OrgService { return &OrgService{db: db} }

var _ qingqian.OrgService = (*OrgService)(nil)

const orgColumns = `o.id, COALESCE(o.parent_id, 0), o.path, o.depth, o.name, o.short_name, o.uscc, o.kind,
	o.leader_name, o.department, o.liaison_name, o.liaison_phone, o.active, o.version, o.created_at, o.updated_at`

func scanOrg(row interface{ Scan(...any) error }) (*qingqian.Org, error) {
	o := &qingqian.Org{}
	err := row.Scan(&o.ID, &o.ParentID, &o.Path, &o.Depth, &o.Name, &o.ShortName, &o.USCC, &o.Kind,
		&o.LeaderName, &o.Department, &o.LiaisonName, &o.LiaisonPhone, &o.Active, &o.Version,
		timeCol{&o.CreatedAt}, timeCol{&o.UpdatedAt})
	return o, err
}

func orgNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "单位不存在") }

// findOrg reads an org for a write transaction (locking it on PostgreSQL).
func (tx *Tx) findOrg(ctx context.Context, id int64) (_ *qingqian.Org, err error) {
	defer wrapErr(&err, "read org %d", id)
	o, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.id = $1`+tx.db.d.forUpdate, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orgNotFound()
	}
	return o, err
}

// reachOrg returns the org if the actor's subtree holds it; otherwise ENOTFOUND, as if it did
// not exist, and a security record.
func (tx *Tx) reachOrg(ctx context.Context, id int64) (*qingqian.Org, error) {
	o, err := tx.findOrg(ctx, id)
	if err != nil {
		return nil, err
	}
	if !tx.actor.Reaches(o.Path) {
		tx.deny("org", id)
		return nil, orgNotFound()
	}
	return o, nil
}

func requireOrgAdmin(a *qingqian.Actor) error {
	if !a.Has(qingqian.RoleAdmin, qingqian.RoleSupervisor) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有管理员或清欠办可以维护单位")
	}
	return nil
}

// CreateOrg implements qingqian.OrgService.
func (s *OrgService) CreateOrg(ctx context.Context, o *qingqian.Org) (err error) {
	defer serviceErr(&err, "create org %q", o.Name)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireOrgAdmin(a); err != nil {
		return err
	}
	o.USCC = qingqian.NormalizeUSCC(o.USCC)
	if o.Kind == "" {
		o.Kind = qingqian.OrgSubsidiary
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		parentPath := "/"
		o.Depth = 0
		if o.ParentID == 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs`).Scan(&n); err != nil {
				return fmt.Errorf("read orgs: %w", err)
			}
			if !a.System || n > 0 { // only the first unit, made by the system, has no parent
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "请选择上级单位", Fields: map[string]string{"parent_id": "请选择上级单位"}}
			}
		} else {
			p, err := tx.reachOrg(ctx, o.ParentID)
			if err != nil && !missing(err) {
				return err
			}
			if err != nil {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "上级单位不存在", Fields: map[string]string{"parent_id": "上级单位不存在"}}
			}
			if !p.Active {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "上级单位已停用", Fields: map[string]string{"parent_id": "上级单位已停用"}}
			}
			parentPath, o.Depth = p.Path, p.Depth+1
		}
		o.Active, o.Version, o.CreatedAt, o.UpdatedAt = true, 1, tx.now, tx.now
		var parent any
		if o.ParentID != 0 {
			parent = o.ParentID
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO orgs (parent_id, path, depth, name, short_name, uscc, kind, leader_name,
			department, liaison_name, liaison_phone, active, search, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14) RETURNING id`,
			parent, "new:"+RandomToken(8), o.Depth, o.Name, o.ShortName, o.USCC, o.Kind, o.LeaderName, o.Department,
			o.LiaisonName, o.LiaisonPhone, true, searchText(o.Name, o.ShortName, o.USCC), tx.ts(tx.now)).Scan(&o.ID)
		if isUnique(err) {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该统一社会信用代码已被其他单位使用", Fields: map[string]string{"uscc": "已被其他单位使用"}}
		} else if err != nil {
			return fmt.Errorf("insert into orgs: %w", err)
		}
		o.Path = parentPath + strconv.FormatInt(o.ID, 10) + "/"
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET path = $1 WHERE id = $2`, o.Path, o.ID); err != nil {
			return fmt.Errorf("update orgs: %w", err)
		}
		return tx.audit(ctx, "org.create", "org", o.ID, o.Path, nil, o)
	})
}

// requireOrgReader returns the actor if it may read the units: the readers of the ledger, and
// the system and security administrators who give the units accounts and tokens. The audit
// administrator reads the audit trail alone.
func requireOrgReader(ctx context.Context) (*qingqian.Actor, error) {
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanRead() && !a.Has(qingqian.RoleAdmin, qingqian.RoleSecAdmin) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "审计管理员只能查阅审计日志")
	}
	return a, nil
}

// FindOrgByID implements qingqian.OrgService.
func (s *OrgService) FindOrgByID(ctx context.Context, id int64) (_ *qingqian.Org, err error) {
	defer serviceErr(&err, "find org %d", id)
	a, err := requireOrgReader(ctx)
	if err != nil {
		return nil, err
	}
	o, err := scanOrg(s.db.read.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, orgNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(o.Path) {
		s.db.securityEvent(ctx, a, "org", id)
		return nil, orgNotFound()
	}
	return o, nil
}

// scopePath returns the path that bounds a query: the unit asked for (which must be in the
// actor's subtree) or the actor's own.
func (db *DB) scopePath(ctx context.Context, a *qingqian.Actor, orgID int64) (_ string, err error) {
	defer wrapErr(&err, "read org %d", orgID)
	if orgID == 0 {
		return a.OrgPath, nil
	}
	var path string
	err = db.read.QueryRowContext(ctx, `SELECT path FROM orgs WHERE id = $1`, orgID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", orgNotFound()
	} else if err != nil {
		return "", err
	}
	if !a.Reaches(path) {
		db.securityEvent(ctx, a, "org", orgID)
		return "", orgNotFound()
	}
	return path, nil
}

// FindOrgs implements qingqian.OrgService.
func (s *OrgService) FindOrgs(ctx context.Context, f qingqian.OrgFilter) (_ []*qingqian.Org, _ int, err error) {
	defer serviceErr(&err, "find orgs")
	a, err := requireOrgReader(ctx)
	if err != nil {
		return nil, 0, err
	}
	scope, err := s.db.scopePath(ctx, a, f.Under)
	if err != nil {
		return nil, 0, err
	}
	var q args
	lo, hi := subtreeRange(scope)
	where := ` WHERE o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi)
	if f.Query != "" {
		where += ` AND o.search LIKE ` + q.add(likePattern(f.Query)) + ` ESCAPE '\'`
	}
	if f.Active != nil {
		where += ` AND o.active = ` + q.add(*f.Active)
	}
	if f.MaxDepth > 0 {
		where += ` AND o.depth <= ` + q.add(f.MaxDepth)
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs o`+where, q...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("read orgs: %w", err)
	}
	sqlText := `SELECT ` + orgColumns + ` FROM orgs o` + where + ` ORDER BY o.path LIMIT ` + q.add(limit(f.Limit)) + ` OFFSET ` + q.add(max(f.Offset, 0))
	rows, err := s.db.read.QueryContext(ctx, sqlText, q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*qingqian.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func staleVersion() error {
	return qingqian.Errorf(qingqian.ECONFLICT, "数据已被他人修改，请刷新后重试")
}

// UpdateOrg implements qingqian.OrgService.
func (s *OrgService) UpdateOrg(ctx context.Context, id int64, upd qingqian.OrgUpdate) (_ *qingqian.Org, err error) {
	defer serviceErr(&err, "update org %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireOrgAdmin(a); err != nil {
		return nil, err
	}
	var out *qingqian.Org
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, id)
		if err != nil {
			return err
		}
		if o.Version != upd.Version {
			return staleVersion()
		}
		before := *o
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&o.Name, upd.Name)
		set(&o.ShortName, upd.ShortName)
		if upd.USCC != nil {
			o.USCC = qingqian.NormalizeUSCC(*upd.USCC)
		}
		set(&o.LeaderName, upd.LeaderName)
		set(&o.Department, upd.Department)
		set(&o.LiaisonName, upd.LiaisonName)
		set(&o.LiaisonPhone, upd.LiaisonPhone)
		if upd.Active != nil {
			if !*upd.Active && o.ParentID == 0 {
				return qingqian.Errorf(qingqian.EINVALID, "不能停用根单位")
			}
			o.Active = *upd.Active
		}
		if err := o.Validate(); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = tx.now
		_, err = tx.ExecContext(ctx, `UPDATE orgs SET name = $1, short_name = $2, uscc = $3, leader_name = $4, department = $5,
			liaison_name = $6, liaison_phone = $7, active = $8, search = $9, version = $10, updated_at = $11 WHERE id = $12`,
			o.Name, o.ShortName, o.USCC, o.LeaderName, o.Department, o.LiaisonName, o.LiaisonPhone, o.Active,
			searchText(o.Name, o.ShortName, o.USCC), o.Version, tx.ts(tx.now), o.ID)
		if isUnique(err) {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "该统一社会信用代码已被其他单位使用", Fields: map[string]string{"uscc": "已被其他单位使用"}}
		} else if err != nil {
			return fmt.Errorf("update orgs: %w", err)
		}
		out = o
		return tx.audit(ctx, "org.update", "org", o.ID, o.Path, before, o)
	})
	return out, err
}

// MoveOrg implements qingqian.OrgService.
func (s *OrgService) MoveOrg(ctx context.Context, id, parentID int64, version int) (_ *qingqian.Org, err error) {
	defer serviceErr(&err, "move org %d under org %d", id, parentID)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireOrgAdmin(a); err != nil {
		return nil, err
	}
	var out *qingqian.Org
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, id)
		if err != nil {
			return err
		}
		if o.Version != version {
			return staleVersion()
		}
		if o.ParentID == 0 || o.Path == a.OrgPath {
			return qingqian.Errorf(qingqian.EINVALID, "不能移动根单位或本单位")
		}
		p, err := tx.reachOrg(ctx, parentID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "新的上级单位不存在", Fields: map[string]string{"parent_id": "新的上级单位不存在"}}
		}
		lo, hi := subtreeRange(o.Path)
		if p.Path >= lo && p.Path < hi {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "不能移动到本单位或其下级单位之下", Fields: map[string]string{"parent_id": "不能移动到本单位的下级之下"}}
		}
		if p.ID == o.ParentID {
			out = o
			return nil
		}
		before := *o
		oldAnc := totalsHolders(o.Path)
		oldAnc = oldAnc[:len(oldAnc)-1]
		newPath := p.Path + strconv.FormatInt(o.ID, 10) + "/"
		newAnc := totalsHolders(newPath)
		newAnc = newAnc[:len(newAnc)-1]
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET path = CAST($1 AS TEXT) || substr(path, CAST($2 AS INTEGER)), depth = depth + CAST($3 AS INTEGER)
			WHERE path >= $4 AND path < $5`, newPath, len(o.Path)+1, p.Depth+1-o.Depth, lo, hi); err != nil {
			return fmt.Errorf("update orgs: %w", err)
		}
		o.ParentID, o.Path, o.Depth, o.Version, o.UpdatedAt = p.ID, newPath, p.Depth+1, o.Version+1, tx.now
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET parent_id = $1, version = $2, updated_at = $3 WHERE id = $4`,
			p.ID, o.Version, tx.ts(tx.now), o.ID); err != nil {
			return fmt.Errorf("update orgs: %w", err)
		}
		// The unit's own totals are its subtree's: take them off the old ancestors, add them to
		// the new ones.
		if err := tx.copyTotals(ctx, o.ID, oldAnc, -1); err != nil {
			return err
		}
		if err := tx.copyTotals(ctx, o.ID, newAnc, 1); err != nil {
			return err
		}
		if volumeGroupOf(before.Path) != volumeGroupOf(o.Path) {
			// Its gross movement now counts in another group's.
			if err := tx.rebuildVolume(ctx); err != nil {
				return err
			}
		}
		out = o
		return tx.audit(ctx, "org.move", "org", o.ID, o.Path, before, o)
	})
	if err == nil {
		s.db.tokenCache.clear() // tokens below the unit act under its new path
	}
	return out, err
}

// orgDependents are the columns that refer to a unit: a unit any of them names is not deleted.
var orgDependents = []struct{ table, column, what, unit string }{
	{"orgs", "parent_id", "下级单位", "个"},
	{"users", "org_id", "用户", "个"},
	{"api_tokens", "org_id", "接口令牌", "个"},
	{"items", "org_id", "台账条目", "条"},
	{"periods", "org_id", "开启的报送期次", "个"},
	{"submissions", "org_id", "报送记录", "份"},
	{"notices", "org_id", "督办事项", "项"},
	{"interviews", "org_id", "约谈记录", "次"},
	{"clues", "org_id", "承办的线索", "条"},
	{"clues", "office_id", "登记的线索", "条"},
	{"cases", "org_id", "案件", "件"},
	{"creditor_changes", "org_id", "债权企业变更申请", "份"},
	{"bank_statements", "org_id", "银行对账单", "份"},
}

// DeleteOrg implements qingqian.OrgService.
func (s *OrgService) DeleteOrg(ctx context.Context, id int64) (err error) {
	defer serviceErr(&err, "delete org %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireOrgAdmin(a); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, id)
		if err != nil {
			return err
		}
		if o.ParentID == 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "根单位不能删除")
		}
		// What refers to the unit, each named in the answer: it is kept, deactivated, instead.
		var uses []string
		for _, d := range orgDependents {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+d.table+` WHERE `+d.column+` = $1`, id).Scan(&n); err != nil {
				return fmt.Errorf("count %s of the unit: %w", d.table, err)
			}
			if n > 0 {
				uses = append(uses, fmt.Sprintf("%s %d %s", d.what, n, d.unit))
			}
		}
		if len(uses) > 0 {
			return qingqian.Errorf(qingqian.ECONFLICT, "该单位有%s，不能删除，请改为停用", strings.Join(uses, "、"))
		}
		for _, t := range []string{"org_totals", "org_totals_month", "org_owing"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE org_id = $1`, id); err != nil {
				return fmt.Errorf("delete from %s: %w", t, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM orgs WHERE id = $1`, id); isForeignKey(err) {
			// A table this list does not know yet still refers to it.
			return qingqian.Errorf(qingqian.ECONFLICT, "该单位仍有关联数据，不能删除，请改为停用")
		} else if err != nil {
			return fmt.Errorf("delete from orgs: %w", err)
		}
		return tx.audit(ctx, "org.delete", "org", id, o.Path, o, nil)
	})
}
