package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// TokenService implements qingqian.TokenService.
type TokenService struct{ db *DB }

// NewTokenService returns the token service over db.
func NewTokenService(db *DB) *TokenService { return &TokenService{db: db} }

var _ qingqian.TokenService = (*TokenService)(nil)

func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// tokenRole reports whether a token may hold a role (qingqian.TokenRoles).
func tokenRole(r qingqian.Role) bool {
	for _, t := range qingqian.TokenRoles {
		if r == t {
			return true
		}
	}
	return false
}

// requireSecAdmin lets through the security administrator, who grants what tokens may do.
func requireSecAdmin(a *qingqian.Actor, what string) error {
	if !a.Has(qingqian.RoleSecAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有安全管理员可以%s", what)
	}
	return nil
}

func joinRoles(rs []qingqian.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoles(s string) []qingqian.Role {
	var out []qingqian.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, qingqian.Role(r))
		}
	}
	return out
}

// CreateToken implements qingqian.TokenService.
func (s *TokenService) CreateToken(ctx context.Context, name string, orgID int64, roles []qingqian.Role) (_ *qingqian.Token, _ string, err error) {
	defer serviceErr(&err, "create a token for org %d", orgID)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := requireSecAdmin(a, "创建接口令牌"); err != nil {
		return nil, "", err
	}
	v := qingqian.Validation{}
	if name == "" || len([]rune(name)) > 60 {
		v.Add("name", "请填写令牌名称（60字以内）")
	}
	if len(roles) == 0 {
		v.Add("roles", "请指定令牌的角色")
	}
	for _, r := range roles {
		if !tokenRole(r) {
			name := r.Label()
			if name == "" {
				name = string(r)
			}
			v.Add("roles", "接口令牌不能具有“"+name+"”角色：填报、审核、签批须由本人登录办理，管理员不能使用令牌")
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	secret := qingqian.TokenPrefix + RandomToken(20)
	t := &qingqian.Token{Name: name, OrgID: orgID, Roles: roles}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, orgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "单位不存在", Fields: map[string]string{"org_id": "单位不存在"}}
		}
		t.CreatedAt = tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (name, org_id, roles, hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			name, orgID, joinRoles(roles), hashSecret(secret), tx.ts(tx.now)).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert into api_tokens: %w", err)
		}
		return tx.audit(ctx, "token.create", "token", t.ID, o.Path, nil, t)
	})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

// FindTokens implements qingqian.TokenService.
func (s *TokenService) FindTokens(ctx context.Context) (_ []*qingqian.Token, err error) {
	defer serviceErr(&err, "find tokens")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireSecAdmin(a, "查看接口令牌"); err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(a.OrgPath)
	rows, err := s.db.read.QueryContext(ctx, `SELECT t.id, t.name, t.org_id, t.roles, t.created_at, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN orgs o ON o.id = t.org_id WHERE o.path >= $1 AND o.path < $2 ORDER BY t.id`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read api_tokens: %w", err)
	}
	defer rows.Close()
	out := []*qingqian.Token{}
	for rows.Next() {
		t := &qingqian.Token{}
		var roles string
		if err := rows.Scan(&t.ID, &t.Name, &t.OrgID, &roles, timeCol{&t.CreatedAt}, timeCol{&t.LastUsedAt}, timeCol{&t.RevokedAt}); err != nil {
			return nil, err
		}
		t.Roles = splitRoles(roles)
		t.LastUsedAt = s.db.lastUsed(t.ID, t.LastUsedAt)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken implements qingqian.TokenService.
func (s *TokenService) RevokeToken(ctx context.Context, id int64) (err error) {
	defer serviceErr(&err, "revoke token %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireSecAdmin(a, "吊销接口令牌"); err != nil {
		return err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		var orgID int64
		err := tx.QueryRowContext(ctx, `SELECT org_id FROM api_tokens WHERE id = $1`, id).Scan(&orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return qingqian.Errorf(qingqian.ENOTFOUND, "令牌不存在")
		} else if err != nil {
			return err
		}
		o, err := tx.reachOrg(ctx, orgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil {
			return qingqian.Errorf(qingqian.ENOTFOUND, "令牌不存在")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, tx.ts(tx.now), id); err != nil {
			return fmt.Errorf("update api_tokens: %w", err)
		}
		return tx.audit(ctx, "token.revoke", "token", id, o.Path, nil, nil)
	})
	if err == nil {
		s.db.tokenCache.clear()
	}
	return err
}

// Authenticate implements qingqian.TokenService. The last-used time is renewed at most once a
// minute per token, and written in the background: it reads only. A token found valid is taken
// as valid for tokenTTL without reading it again (token_cache.go).
func (s *TokenService) Authenticate(ctx context.Context, secret string) (_ *qingqian.Actor, err error) {
	defer serviceErr(&err, "authenticate a token")
	unauth := qingqian.Errorf(qingqian.EUNAUTHORIZED, "接口令牌无效或已吊销")
	if !strings.HasPrefix(secret, qingqian.TokenPrefix) || len(secret) > 100 {
		return nil, unauth
	}
	hash := hashSecret(secret)
	t, ok := s.db.tokenCache.get(hash)
	if !ok {
		var revoked time.Time
		err = s.db.read.QueryRowContext(ctx, `SELECT t.id, t.name, t.org_id, t.roles, o.path, t.last_used_at, t.revoked_at
		FROM api_tokens t JOIN orgs o ON o.id = t.org_id WHERE t.hash = $1`, hash).
			Scan(&t.id, &t.name, &t.orgID, &t.roles, &t.path, timeCol{&t.used}, timeCol{&revoked})
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !revoked.IsZero()) {
			return nil, unauth
		} else if err != nil {
			return nil, err
		}
		s.db.tokenCache.put(hash, t)
	}
	id, name, orgID, roles, path, used := t.id, t.name, t.orgID, t.roles, t.path, t.used
	// The stamp is written later, in the background (stamp.go): a read never waits for the writer.
	now := s.db.Now()
	if now.Sub(s.db.lastUsed(id, used)) > stampEvery {
		s.db.tokenUsed(id, now)
	}
	// A token made before a role was kept from tokens loses it here.
	var rs []qingqian.Role
	for _, r := range splitRoles(roles) {
		if tokenRole(r) {
			rs = append(rs, r)
		}
	}
	return &qingqian.Actor{TokenID: id, Name: "接口令牌：" + name, OrgID: orgID, OrgPath: path, Roles: rs}, nil
}
