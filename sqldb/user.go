package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/qingqian/qingqian"
)

// Argon2Memory is the argon2id memory cost in KiB for new password hashes. Tests lower it; each
// hash records its own parameters, so changing it never breaks stored hashes.
var Argon2Memory uint32 = 64 * 1024

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(p string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	const t, threads = 1, 2
	key := argon2.IDKey([]byte(p), salt, t, Argon2Memory, threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", Argon2Memory, t, threads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// checkPassword compares a password with a stored hash in constant time.
func checkPassword(hash, p string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(p), salt, t, m, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when a username does not exist, so that a wrong username costs
// as much time as a wrong password.
var dummyHash = sync.OnceValue(func() string { return HashPassword("no such user") })

// UserService implements qingqian.UserService.
type UserService struct{ db *DB }

// NewUserService returns the user service over db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

var _ qingqian.UserService = (*UserService)(nil)

const userColumns = `u.id, u.username, u.name, u.org_id, o.name, o.path, u.roles, u.active, u.must_change, u.locked_until, u.last_login_at, u.version, u.created_at,
	u.password_changed_at, u.totp_secret <> ''`

// scanUser reads userColumns and then the extra columns a query adds.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*qingqian.User, error) {
	u := &qingqian.User{}
	var roles string
	err := row.Scan(append([]any{&u.ID, &u.Username, &u.Name, &u.OrgID, &u.OrgName, &u.OrgPath, &roles, &u.Active, &u.MustChange,
		timeCol{&u.LockedUntil}, timeCol{&u.LastLoginAt}, &u.Version, timeCol{&u.CreatedAt}, timeCol{&u.PasswordChangedAt}, &u.TOTP}, extra...)...)
	u.Roles = splitRoles(roles)
	return u, err
}

func userNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "用户不存在") }

// requireAdmin lets through the system administrator (accounts), or with secadmin also the
// security administrator (who grants roles and so must see the accounts).
func requireAdmin(a *qingqian.Actor, secadmin bool) error {
	if a.Has(qingqian.RoleAdmin) || (secadmin && a.Has(qingqian.RoleSecAdmin)) {
		return nil
	}
	if secadmin {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员和安全管理员可以查看用户")
	}
	return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以管理用户账号")
}

func weak(msg string) error {
	return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"password": msg}}
}

// policyKey names the security policy in the settings table.
const policyKey = "security_policy"

// policyTTL is how long a process keeps the policy it read: another process's change takes
// effect here within it.
const policyTTL = 10 * time.Second

// policyCache keeps the security policy between requests.
type policyCache struct {
	mu sync.Mutex
	p  qingqian.SecurityPolicy
	at time.Time
}

// securityPolicy returns the policy in force: the security administrator's, or the default.
func (db *DB) securityPolicy(ctx context.Context) (_ qingqian.SecurityPolicy, err error) {
	defer wrapErr(&err, "read the security policy")
	c := &db.policy
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < policyTTL {
		return c.p, nil
	}
	p := qingqian.DefaultPolicy()
	var v string
	err = db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, policyKey).Scan(&v)
	if err == nil {
		if err := json.Unmarshal([]byte(v), &p); err != nil {
			return p, err
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	c.p, c.at = p, time.Now()
	return p, nil
}

// FindPolicy implements qingqian.UserService.
func (s *UserService) FindPolicy(ctx context.Context) (_ *qingqian.SecurityPolicy, err error) {
	defer serviceErr(&err, "find the security policy")
	if _, err := qingqian.RequireActor(ctx); err != nil {
		return nil, err
	}
	p, err := s.db.securityPolicy(ctx)
	return &p, err
}

// UpdatePolicy implements qingqian.UserService.
func (s *UserService) UpdatePolicy(ctx context.Context, p qingqian.SecurityPolicy) (_ *qingqian.SecurityPolicy, err error) {
	defer serviceErr(&err, "set the security policy")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(qingqian.RoleSecAdmin) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有安全管理员可以设置安全策略")
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	before, err := s.db.securityPolicy(ctx)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, policyKey, string(b)); err != nil {
			return fmt.Errorf("insert into settings: %w", err)
		}
		return tx.audit(ctx, "security.policy", "settings", 0, a.OrgPath, before, p)
	})
	if err != nil {
		return nil, err
	}
	s.db.policy.mu.Lock()
	s.db.policy.p, s.db.policy.at = p, time.Now()
	s.db.policy.mu.Unlock()
	return &p, nil
}

// CreateUser implements qingqian.UserService.
func (s *UserService) CreateUser(ctx context.Context, u *qingqian.User, password string) (err error) {
	defer serviceErr(&err, "create user %q", u.Username)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireAdmin(a, false); err != nil {
		return err
	}
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	if err := u.Validate(); err != nil {
		return err
	}
	if len(u.Roles) > 0 && !a.System {
		// Who has an account and what it may do are decided by two different people.
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "角色由安全管理员授予，系统管理员创建账号时不能指定角色", Fields: map[string]string{"roles": "角色由安全管理员授予"}}
	}
	if msg := qingqian.CheckPassword(password, u.Username); msg != "" {
		return weak(msg)
	}
	hash := HashPassword(password)
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		o, err := tx.reachOrg(ctx, u.OrgID)
		if err != nil && !missing(err) {
			return err
		}
		if err != nil {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: "所属单位不存在", Fields: map[string]string{"org_id": "单位不存在"}}
		}
		u.OrgName, u.OrgPath, u.Active, u.Version, u.CreatedAt, u.PasswordChangedAt = o.Name, o.Path, true, 1, tx.now, tx.now
		u.MustChange = !a.System
		err = tx.QueryRowContext(ctx, `INSERT INTO users (username, name, org_id, roles, password_hash, active, must_change, failed_logins, version, created_at, password_changed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 1, $8, $8) RETURNING id`,
			u.Username, u.Name, u.OrgID, joinRoles(u.Roles), hash, true, u.MustChange, tx.ts(tx.now)).Scan(&u.ID)
		if isUnique(err) {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "用户名已存在", Fields: map[string]string{"username": "用户名已存在"}}
		} else if err != nil {
			return fmt.Errorf("insert into users: %w", err)
		}
		if err := tx.rememberPassword(ctx, u.ID, hash, 0); err != nil {
			return err
		}
		return tx.audit(ctx, "user.create", "user", u.ID, o.Path, nil, u)
	})
}

// rememberPassword adds a password to the user's history and forgets those beyond the last
// keep (at least the one just set).
func (tx *Tx) rememberPassword(ctx context.Context, userID int64, hash string, keep int) (err error) {
	defer wrapErr(&err, "remember the password of user %d", userID)
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, hash, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, created_at) DO UPDATE SET hash = excluded.hash`, userID, hash, tx.ts(tx.now)); err != nil {
		return fmt.Errorf("insert into password_history: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = $1 AND created_at NOT IN
		(SELECT created_at FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`, userID, max(keep, 1))
	return err
}

func (s *UserService) reachUser(ctx context.Context, q rowQueryer, a *qingqian.Actor, id int64) (_ *qingqian.User, err error) {
	defer wrapErr(&err, "read user %d", id)
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, userNotFound()
	} else if err != nil {
		return nil, err
	}
	if !a.Reaches(u.OrgPath) {
		return nil, userNotFound()
	}
	return u, nil
}

// FindUserByID implements qingqian.UserService.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (_ *qingqian.User, err error) {
	defer serviceErr(&err, "find user %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if a.UserID != id {
		if err := requireAdmin(a, true); err != nil {
			return nil, err
		}
	}
	u, err := s.reachUser(ctx, s.db.read, a, id)
	return u, err
}

// FindUsers implements qingqian.UserService.
func (s *UserService) FindUsers(ctx context.Context, f qingqian.UserFilter) (_ []*qingqian.User, _ int, err error) {
	defer serviceErr(&err, "find users")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := requireAdmin(a, true); err != nil {
		return nil, 0, err
	}
	var q args
	lo, hi := subtreeRange(a.OrgPath)
	where := ` WHERE o.path >= ` + q.add(lo) + ` AND o.path < ` + q.add(hi)
	if f.Query != "" {
		p := q.add(likePattern(f.Query))
		where += ` AND (u.username LIKE ` + p + ` ESCAPE '\' OR u.name LIKE ` + p + ` ESCAPE '\')`
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u JOIN orgs o ON o.id = u.org_id`+where, q...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("read users: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u JOIN orgs o ON o.id = u.org_id`+where+
		` ORDER BY o.path, u.username LIMIT `+q.add(limit(f.Limit))+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*qingqian.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// UpdateUser implements qingqian.UserService.
func (s *UserService) UpdateUser(ctx context.Context, id int64, upd qingqian.UserUpdate) (_ *qingqian.User, err error) {
	defer serviceErr(&err, "update user %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if upd.Roles != nil {
		if !a.Has(qingqian.RoleSecAdmin) {
			return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有安全管理员可以授予或收回角色")
		}
		if id == a.UserID {
			return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "不能修改自己的角色")
		}
	}
	if upd.Name != nil || upd.Active != nil {
		if err := requireAdmin(a, false); err != nil {
			return nil, err
		}
	}
	var out *qingqian.User
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		u, err := s.reachUser(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if u.Version != upd.Version {
			return staleVersion()
		}
		before := *u
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.Roles != nil {
			u.Roles = upd.Roles
		}
		if upd.Active != nil {
			if !*upd.Active && u.ID == a.UserID {
				return qingqian.Errorf(qingqian.EINVALID, "不能停用自己的账号")
			}
			u.Active = *upd.Active
		}
		if err := u.Validate(); err != nil {
			return err
		}
		u.Version++
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, roles = $2, active = $3, version = $4 WHERE id = $5`,
			u.Name, joinRoles(u.Roles), u.Active, u.Version, u.ID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		if !u.Active {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
				return fmt.Errorf("delete from sessions: %w", err)
			}
		}
		out = u
		if upd.Roles != nil && joinRoles(before.Roles) != joinRoles(u.Roles) {
			// A permission change is recorded as such, with the roles before and after.
			if err := tx.audit(ctx, "user.roles", "user", u.ID, u.OrgPath, map[string]any{"roles": before.Roles}, map[string]any{"roles": u.Roles}); err != nil {
				return err
			}
			if upd.Name == nil && upd.Active == nil {
				return nil
			}
		}
		return tx.audit(ctx, "user.update", "user", u.ID, u.OrgPath, before, u)
	})
	return out, err
}

// guardAdministrators refuses the system administrator a takeover of another administrator's
// account (a password it would know, codes turned off): that is done on the server's command
// line.
func guardAdministrators(a *qingqian.Actor, u *qingqian.User) error {
	if !a.System && u.Administrator() && u.ID != a.UserID {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "管理员账号的密码和动态口令只能由本人或在服务器命令行上重置")
	}
	return nil
}

// ResetPassword implements qingqian.UserService.
func (s *UserService) ResetPassword(ctx context.Context, id int64, password string) (err error) {
	defer serviceErr(&err, "reset the password of user %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireAdmin(a, false); err != nil {
		return err
	}
	u, err := s.reachUser(ctx, s.db.read, a, id)
	if err != nil {
		return err
	}
	if err := guardAdministrators(a, u); err != nil {
		return err
	}
	if msg := qingqian.CheckPassword(password, u.Username); msg != "" {
		return weak(msg)
	}
	hash := HashPassword(password)
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change = $2, failed_logins = 0, locked_until = NULL, totp_secret = '',
			password_changed_at = $3, version = version + 1 WHERE id = $4`, hash, true, tx.ts(tx.now), id); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("delete from sessions: %w", err)
		}
		return tx.audit(ctx, "user.reset_password", "user", id, u.OrgPath, nil, map[string]any{"must_change": true, "totp": false})
	})
}

// ChangePassword implements qingqian.UserService.
func (s *UserService) ChangePassword(ctx context.Context, old, password string) (_ string, err error) {
	defer serviceErr(&err, "change a password")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return "", err
	}
	if a.UserID == 0 {
		return "", qingqian.Errorf(qingqian.EFORBIDDEN, "只有用户可以修改密码")
	}
	pol, err := s.db.securityPolicy(ctx)
	if err != nil {
		return "", err
	}
	var hash, username string
	if err := s.db.read.QueryRowContext(ctx, `SELECT password_hash, username FROM users WHERE id = $1`, a.UserID).Scan(&hash, &username); err != nil {
		return "", fmt.Errorf("read users: %w", err)
	}
	if !checkPassword(hash, old) {
		return "", &qingqian.Error{Code: qingqian.EINVALID, Message: "原密码不正确", Fields: map[string]string{"old": "原密码不正确"}}
	}
	if old == password {
		return "", weak("新密码不能与原密码相同")
	}
	if msg := qingqian.CheckPassword(password, username); msg != "" {
		return "", weak(msg)
	}
	if pol.PasswordHistory > 0 {
		rows, err := s.db.read.QueryContext(ctx, `SELECT hash FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`, a.UserID, pol.PasswordHistory)
		if err != nil {
			return "", fmt.Errorf("read password_history: %w", err)
		}
		var used []string
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return "", err
			}
			used = append(used, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
		for _, h := range used {
			if checkPassword(h, password) {
				return "", weak(fmt.Sprintf("新密码不能与最近%d次使用过的密码相同", pol.PasswordHistory))
			}
		}
	}
	newHash := HashPassword(password)
	secret := RandomToken(32)
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change = $2, password_changed_at = $3, version = version + 1 WHERE id = $4`,
			newHash, false, tx.ts(tx.now), a.UserID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		if err := tx.rememberPassword(ctx, a.UserID, newHash, pol.PasswordHistory); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, a.UserID); err != nil {
			return fmt.Errorf("delete from sessions: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`, hashSecret(secret), a.UserID, tx.ts(tx.now)); err != nil {
			return fmt.Errorf("insert into sessions: %w", err)
		}
		return tx.audit(ctx, "user.change_password", "user", a.UserID, a.OrgPath, nil, nil)
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// EnableTOTP implements qingqian.UserService.
func (s *UserService) EnableTOTP(ctx context.Context, secret, code string) (err error) {
	defer serviceErr(&err, "turn on one-time codes")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if a.UserID == 0 {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有用户可以启用动态口令")
	}
	secret = strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	if qingqian.TOTPCode(secret, 0) == "" || len(secret) < 16 {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "密钥不正确，请刷新页面重新绑定", Fields: map[string]string{"secret": "密钥不正确"}}
	}
	step, ok := qingqian.CheckTOTP(secret, code, s.db.Now())
	if !ok {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "动态口令不正确，请核对手机时间后重新输入", Fields: map[string]string{"code": "动态口令不正确"}}
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_step = $2, version = version + 1 WHERE id = $3`, secret, step, a.UserID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		return tx.audit(ctx, "user.totp_enable", "user", a.UserID, a.OrgPath, nil, nil)
	})
}

// DisableTOTP implements qingqian.UserService.
func (s *UserService) DisableTOTP(ctx context.Context, userID int64) (err error) {
	defer serviceErr(&err, "turn off the one-time codes of user %d", userID)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if a.UserID != userID {
		if err := requireAdmin(a, false); err != nil {
			return err
		}
	}
	u, err := s.reachUser(ctx, s.db.read, a, userID)
	if err != nil {
		return err
	}
	if err := guardAdministrators(a, u); err != nil {
		return err
	}
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', version = version + 1 WHERE id = $1`, userID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		return tx.audit(ctx, "user.totp_disable", "user", userID, u.OrgPath, nil, nil)
	})
}
