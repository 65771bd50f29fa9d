package qingqian

import (
	"context"
	"time"
	"unicode"
)

// Account rules.
const (
	MaxFailedLogins = 5
	LockDuration    = 15 * time.Minute
	SessionIdle     = 30 * time.Minute
)

// User is a person who signs in. A user belongs to one unit and reaches only its subtree.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	Name        string    `json:"name"`
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	OrgPath     string    `json:"-"`
	Roles       []Role    `json:"roles"`
	Active      bool      `json:"active"`
	MustChange  bool      `json:"must_change"` // must change the password at next sign-in
	LockedUntil time.Time `json:"locked_until,omitzero"`
	LastLoginAt time.Time `json:"last_login_at,omitzero"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
}

// Actor returns the actor the user acts as.
func (u *User) Actor() *Actor {
	return &Actor{UserID: u.ID, Name: u.Name, OrgID: u.OrgID, OrgPath: u.OrgPath, Roles: u.Roles}
}

// Validate checks a user's own fields.
func (u *User) Validate() error {
	v := Validation{}
	if len(u.Username) < 3 || len(u.Username) > 32 {
		v.Add("username", "用户名应为3至32个字符")
	}
	for _, c := range u.Username {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			v.Add("username", "用户名只能包含小写字母、数字和 _ . -")
			break
		}
	}
	if u.Name == "" || len([]rune(u.Name)) > 30 {
		v.Add("name", "请填写姓名（30字以内）")
	}
	if u.OrgID <= 0 {
		v.Add("org_id", "请选择所属单位")
	}
	if len(u.Roles) == 0 {
		v.Add("roles", "请至少选择一个角色")
	}
	for _, r := range u.Roles {
		if _, ok := RoleNames[r]; !ok {
			v.Add("roles", "角色不正确："+string(r))
		}
	}
	return v.Err()
}

// CheckPassword returns why a password is too weak, or "": at least 8 characters from at least
// three of lower-case letters, upper-case letters, digits and other characters.
func CheckPassword(p string) string {
	if len([]rune(p)) < 8 {
		return "密码至少8位"
	}
	if len(p) > 128 {
		return "密码不能超过128个字节"
	}
	var lower, upper, digit, other int
	for _, c := range p {
		switch {
		case unicode.IsLower(c):
			lower = 1
		case unicode.IsUpper(c):
			upper = 1
		case unicode.IsDigit(c):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < 3 {
		return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
	}
	return ""
}

// UserUpdate holds changes an administrator makes to a user.
type UserUpdate struct {
	Version int     `json:"version"`
	Name    *string `json:"name"`
	Roles   []Role  `json:"roles"`
	Active  *bool   `json:"active"`
}

// UserFilter selects users.
type UserFilter struct {
	Query  string
	Offset int
	Limit  int
}

// UserService manages accounts and sessions.
type UserService interface {
	// CreateUser adds a user in the administrator's subtree with an initial password the user
	// must change. Errors: EINVALID (including a weak password), EFORBIDDEN, ECONFLICT (username).
	CreateUser(ctx context.Context, u *User, password string) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// UpdateUser changes name, roles or active state; deactivating ends the user's sessions.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// ResetPassword sets a new password the user must change, unlocks the account and ends its
	// sessions. Callers: admin.
	ResetPassword(ctx context.Context, id int64, password string) error
	// ChangePassword changes the actor's own password and ends all its sessions.
	ChangePassword(ctx context.Context, old, password string) error
	// Login checks a username and password and opens a session, returning its secret. Five
	// failures lock the account for 15 minutes; every failure is audited. Errors: EUNAUTHORIZED.
	Login(ctx context.Context, username, password string) (*User, string, error)
	// Logout ends a session.
	Logout(ctx context.Context, secret string) error
	// Authenticate returns the user of a live session; a session idle for 30 minutes has ended.
	Authenticate(ctx context.Context, secret string) (*User, error)
}
