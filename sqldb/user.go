package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
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

const userColumns = `u.id, u.username, u.name, u.org_id, o.name, o.path, u.roles, u.active, u.must_change, u.locked_until, u.last_login_at, u.version, u.created_at`

func scanUser(row interface{ Scan(...any) error }) (*qingqian.User, error) {
	u := &qingqian.User{}
	var roles string
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.OrgID, &u.OrgName, &u.OrgPath, &roles, &u.Active, &u.MustChange,
		timeCol{&u.LockedUntil}, timeCol{&u.LastLoginAt}, &u.Version, timeCol{&u.CreatedAt})
	u.Roles = splitRoles(roles)
	return u, err
}

func userNotFound() error { return qingqian.Errorf(qingqian.ENOTFOUND, "用户不存在") }

func requireAdmin(a *qingqian.Actor) error {
	if !a.Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以管理用户")
	}
	return nil
}

func weak(msg string) error {
	return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"password": msg}}
}

// CreateUser implements qingqian.UserService.
func (s *UserService) CreateUser(ctx context.Context, u *qingqian.User, password string) (err error) {
	defer serviceErr(&err, "create user %q", u.Username)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireAdmin(a); err != nil {
		return err
	}
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	if err := u.Validate(); err != nil {
		return err
	}
	if msg := qingqian.CheckPassword(password); msg != "" {
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
		u.OrgName, u.OrgPath, u.Active, u.Version, u.CreatedAt = o.Name, o.Path, true, 1, tx.now
		u.MustChange = !a.System
		err = tx.QueryRowContext(ctx, `INSERT INTO users (username, name, org_id, roles, password_hash, active, must_change, failed_logins, version, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 1, $8) RETURNING id`,
			u.Username, u.Name, u.OrgID, joinRoles(u.Roles), hash, true, u.MustChange, tx.ts(tx.now)).Scan(&u.ID)
		if isUnique(err) {
			return &qingqian.Error{Code: qingqian.ECONFLICT, Message: "用户名已存在", Fields: map[string]string{"username": "用户名已存在"}}
		} else if err != nil {
			return fmt.Errorf("insert into users: %w", err)
		}
		return tx.audit(ctx, "user.create", "user", u.ID, o.Path, nil, u)
	})
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
		if err := requireAdmin(a); err != nil {
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
	if err := requireAdmin(a); err != nil {
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
	if err := requireAdmin(a); err != nil {
		return nil, err
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
		return tx.audit(ctx, "user.update", "user", u.ID, u.OrgPath, before, u)
	})
	return out, err
}

// ResetPassword implements qingqian.UserService.
func (s *UserService) ResetPassword(ctx context.Context, id int64, password string) (err error) {
	defer serviceErr(&err, "reset the password of user %d", id)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if err := requireAdmin(a); err != nil {
		return err
	}
	if msg := qingqian.CheckPassword(password); msg != "" {
		return weak(msg)
	}
	hash := HashPassword(password)
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		u, err := s.reachUser(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change = $2, failed_logins = 0, locked_until = NULL, version = version + 1 WHERE id = $3`,
			hash, true, id); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("delete from sessions: %w", err)
		}
		return tx.audit(ctx, "user.reset_password", "user", id, u.OrgPath, nil, map[string]any{"must_change": true})
	})
}

// ChangePassword implements qingqian.UserService.
func (s *UserService) ChangePassword(ctx context.Context, old, password string) (err error) {
	defer serviceErr(&err, "change a password")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	if a.UserID == 0 {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有用户可以修改密码")
	}
	var hash string
	if err := s.db.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, a.UserID).Scan(&hash); err != nil {
		return fmt.Errorf("read users: %w", err)
	}
	if !checkPassword(hash, old) {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "原密码不正确", Fields: map[string]string{"old": "原密码不正确"}}
	}
	if old == password {
		return weak("新密码不能与原密码相同")
	}
	if msg := qingqian.CheckPassword(password); msg != "" {
		return weak(msg)
	}
	newHash := HashPassword(password)
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change = $2, version = version + 1 WHERE id = $3`, newHash, false, a.UserID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, a.UserID); err != nil {
			return fmt.Errorf("delete from sessions: %w", err)
		}
		return tx.audit(ctx, "user.change_password", "user", a.UserID, a.OrgPath, nil, nil)
	})
}

// Login implements qingqian.UserService.
func (s *UserService) Login(ctx context.Context, username, password string) (_ *qingqian.User, _ string, err error) {
	defer serviceErr(&err, "sign in %q", username)
	bad := qingqian.Errorf(qingqian.EUNAUTHORIZED, "用户名或密码错误")
	username = strings.ToLower(strings.TrimSpace(username))
	var hash string
	var failed int
	u, err := scanUserWith(s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash, u.failed_logins FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = $1`, username), &hash, &failed)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash(), password)
		return nil, "", bad
	} else if err != nil {
		return nil, "", err
	}
	now := s.db.Now()
	actor := u.Actor()
	if now.Before(u.LockedUntil) {
		// The refused attempt is recorded even when the request is gone; a record that cannot be
		// written is logged, and the attempt refused all the same.
		ctx := context.WithoutCancel(ctx)
		if err := s.db.inTx(ctx, actor, func(tx *Tx) error {
			return tx.audit(ctx, "user.login_locked", "user", u.ID, u.OrgPath, nil, map[string]any{"locked_until": u.LockedUntil})
		}); err != nil {
			s.db.logger().ErrorContext(ctx, "security audit record not written", "action", "user.login_locked", "user", u.ID, "err", err)
		}
		return nil, "", qingqian.Errorf(qingqian.EUNAUTHORIZED, "连续登录失败次数过多，账号已锁定至 %s", u.LockedUntil.In(time.FixedZone("CST", 8*3600)).Format("15:04"))
	}
	if !checkPassword(hash, password) || !u.Active {
		failed++
		err := s.db.inTx(ctx, actor, func(tx *Tx) error {
			var locked any
			action := "user.login_failed"
			if failed >= qingqian.MaxFailedLogins {
				locked, action = tx.ts(now.Add(qingqian.LockDuration)), "user.locked"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3`, failed%qingqian.MaxFailedLogins, locked, u.ID); err != nil {
				return fmt.Errorf("update users: %w", err)
			}
			return tx.audit(ctx, action, "user", u.ID, u.OrgPath, nil, map[string]any{"failed": failed})
		})
		if err != nil {
			return nil, "", err
		}
		if failed >= qingqian.MaxFailedLogins {
			return nil, "", qingqian.Errorf(qingqian.EUNAUTHORIZED, "连续%d次登录失败，账号已锁定%d分钟", qingqian.MaxFailedLogins, int(qingqian.LockDuration.Minutes()))
		}
		return nil, "", bad
	}
	secret := RandomToken(32)
	err = s.db.inTx(ctx, actor, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2`, tx.ts(now), u.ID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`, hashSecret(secret), u.ID, tx.ts(now)); err != nil {
			return fmt.Errorf("insert into sessions: %w", err)
		}
		return tx.audit(ctx, "user.login", "user", u.ID, u.OrgPath, nil, nil)
	})
	if err != nil {
		return nil, "", err
	}
	u.LastLoginAt = now
	return u, secret, nil
}

func scanUserWith(row *sql.Row, hash *string, failed *int) (*qingqian.User, error) {
	u := &qingqian.User{}
	var roles string
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.OrgID, &u.OrgName, &u.OrgPath, &roles, &u.Active, &u.MustChange,
		timeCol{&u.LockedUntil}, timeCol{&u.LastLoginAt}, &u.Version, timeCol{&u.CreatedAt}, hash, failed)
	u.Roles = splitRoles(roles)
	return u, err
}

// Logout implements qingqian.UserService.
func (s *UserService) Logout(ctx context.Context, secret string) (err error) {
	defer serviceErr(&err, "sign out")
	_, err = s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, hashSecret(secret))
	return err
}

// Authenticate implements qingqian.UserService. The last-seen time is written at most once a
// minute per session.
func (s *UserService) Authenticate(ctx context.Context, secret string) (_ *qingqian.User, err error) {
	defer serviceErr(&err, "authenticate a session")
	unauth := qingqian.Errorf(qingqian.EUNAUTHORIZED, "请先登录")
	if secret == "" || len(secret) > 100 {
		return nil, unauth
	}
	var seen time.Time
	id := hashSecret(secret)
	u, err := scanUserSeen(s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN orgs o ON o.id = u.org_id WHERE s.id = $1`, id), &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if !u.Active || now.Sub(seen) > qingqian.SessionIdle {
		s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		return nil, qingqian.Errorf(qingqian.EUNAUTHORIZED, "登录已超时，请重新登录")
	}
	if now.Sub(seen) > time.Minute {
		if _, err := s.db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, s.db.d.ts(now), id); err != nil {
			return nil, fmt.Errorf("update sessions: %w", err)
		}
	}
	return u, nil
}

func scanUserSeen(row *sql.Row, seen *time.Time) (*qingqian.User, error) {
	u := &qingqian.User{}
	var roles string
	err := row.Scan(&u.ID, &u.Username, &u.Name, &u.OrgID, &u.OrgName, &u.OrgPath, &roles, &u.Active, &u.MustChange,
		timeCol{&u.LockedUntil}, timeCol{&u.LastLoginAt}, &u.Version, timeCol{&u.CreatedAt}, timeCol{seen})
	u.Roles = splitRoles(roles)
	return u, err
}
