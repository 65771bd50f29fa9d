package qingqian

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	// PasswordChangedAt is when the password was last set; PasswordExpired is true when the
	// policy's period has passed since, and the user must change it before anything else.
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	PasswordExpired   bool      `json:"password_expired,omitempty"`
	// TOTP is true when the user signs in with a one-time code as well (双因素认证);
	// NeedsTOTP when the policy asks the user to set it up before anything else.
	TOTP      bool `json:"totp"`
	NeedsTOTP bool `json:"-"`
}

// Administrator reports whether the user holds one of the three administrators' roles.
func (u *User) Administrator() bool {
	for _, r := range u.Roles {
		if r.Administrative() {
			return true
		}
	}
	return false
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
	for _, r := range u.Roles {
		if _, ok := RoleNames[r]; !ok {
			v.Add("roles", "角色不正确："+string(r))
		}
	}
	if msg := CheckRoles(u.Roles); msg != "" {
		v.Add("roles", msg)
	}
	return v.Err()
}

// weakWords are words a password must not contain (after undoing the usual letter-for-digit
// swaps): the passwords tried first by anyone guessing.
var weakWords = []string{"password", "passwd", "qwerty", "qwertz", "asdfgh", "zxcvbn", "1qaz2wsx", "qazwsx", "admin",
	"welcome", "letmein", "iloveyou", "woaini", "abc123", "123456", "654321", "111111", "888888", "666666", "000000",
	"123123", "changeme", "secret", "default"}

// CheckPassword returns why a password is too weak, or "": at least 8 characters from at least
// three of lower-case letters, upper-case letters, digits and other characters, not containing
// the username, a common word (password, qwerty …), a character four times in a row or a run
// of four (1234, abcd), and with at least five different characters.
func CheckPassword(p, username string) string {
	if utf8.RuneCountInString(p) < 8 {
		return "密码至少8位"
	}
	if len(p) > 128 {
		return "密码不能超过128个字节"
	}
	var lower, upper, digit, other int
	distinct := map[rune]bool{}
	for _, c := range p {
		distinct[c] = true
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
	folded := strings.ToLower(p)
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(folded, u) {
		return "密码不能包含用户名"
	}
	unleet := strings.NewReplacer("0", "o", "@", "a", "$", "s", "3", "e", "!", "i", "1", "l").Replace(folded)
	for _, w := range weakWords {
		if strings.Contains(folded, w) || strings.Contains(unleet, w) {
			return "密码不能包含常见弱口令（如 password、qwerty、123456）"
		}
	}
	if len(distinct) < 5 {
		return "密码中不同的字符太少（至少5个）"
	}
	rs := []rune(folded)
	for i := 0; i+3 < len(rs); i++ {
		same, up, down := true, true, true
		for j := 1; j < 4; j++ {
			same = same && rs[i+j] == rs[i]
			up = up && rs[i+j] == rs[i+j-1]+1
			down = down && rs[i+j] == rs[i+j-1]-1
		}
		alnum := unicode.IsDigit(rs[i]) || (rs[i] >= 'a' && rs[i] <= 'z')
		if same {
			return "密码不能含有连续4个相同的字符"
		}
		if alnum && (up || down) {
			return "密码不能含有连续4个顺序的字母或数字（如 1234、abcd）"
		}
	}
	return ""
}

// SecurityPolicy is the security administrator's policy for accounts and sessions: the
// parameters GB/T 22239 asks a deployment to set (see docs/security.md).
type SecurityPolicy struct {
	// PasswordMaxAgeDays is how long a password lasts before it must be changed; 0 never.
	PasswordMaxAgeDays int `json:"password_max_age_days"`
	// PasswordHistory is how many of a user's last passwords may not be chosen again.
	PasswordHistory int `json:"password_history"`
	// MaxFailedLogins failures in a row lock the account for LockMinutes.
	MaxFailedLogins int `json:"max_failed_logins"`
	LockMinutes     int `json:"lock_minutes"`
	// SourceMaxFailures failed sign-ins from one network address within LockMinutes stop
	// that address from trying for LockMinutes, whatever the accounts tried.
	SourceMaxFailures int `json:"source_max_failures"`
	// IdleMinutes without a request end a session; SessionMaxHours end it whatever its use.
	IdleMinutes     int `json:"idle_minutes"`
	SessionMaxHours int `json:"session_max_hours"`
	// SingleSession keeps one session per account: signing in ends the others.
	SingleSession bool `json:"single_session"`
	// AdminTOTP makes the three administrators sign in with a one-time code as well.
	AdminTOTP bool `json:"admin_totp"`
}

// DefaultPolicy is the policy of a new deployment.
func DefaultPolicy() SecurityPolicy {
	return SecurityPolicy{PasswordMaxAgeDays: 90, PasswordHistory: 5, MaxFailedLogins: 5, LockMinutes: 15, SourceMaxFailures: 20,
		IdleMinutes: 30, SessionMaxHours: 12}
}

// Validate checks the policy's bounds.
func (p *SecurityPolicy) Validate() error {
	v := Validation{}
	between := func(field string, n, lo, hi int, msg string) {
		if n < lo || n > hi {
			v.Add(field, msg)
		}
	}
	between("password_max_age_days", p.PasswordMaxAgeDays, 0, 365, "密码有效期应为0至365天（0为不过期）")
	between("password_history", p.PasswordHistory, 0, 24, "不得重复使用的历史密码个数应为0至24")
	between("max_failed_logins", p.MaxFailedLogins, 3, 10, "连续登录失败次数应为3至10次")
	between("lock_minutes", p.LockMinutes, 5, 1440, "锁定时长应为5至1440分钟")
	between("source_max_failures", p.SourceMaxFailures, 5, 1000, "同一地址的登录失败次数应为5至1000次")
	between("idle_minutes", p.IdleMinutes, 5, 120, "会话空闲超时应为5至120分钟")
	between("session_max_hours", p.SessionMaxHours, 1, 72, "会话最长有效期应为1至72小时")
	return v.Err()
}

// LockDuration is how long an account, or an address, stays locked.
func (p *SecurityPolicy) LockDuration() time.Duration {
	return time.Duration(p.LockMinutes) * time.Minute
}

// Idle is how long a session may go without a request.
func (p *SecurityPolicy) Idle() time.Duration { return time.Duration(p.IdleMinutes) * time.Minute }

// MaxAge is how long a session lasts at most.
func (p *SecurityPolicy) MaxAge() time.Duration { return time.Duration(p.SessionMaxHours) * time.Hour }

// LoginFailed is the one message of every refused sign-in: a wrong password, an unknown user, a
// locked account or address, a deactivated account or a wrong one-time code read the same, so
// that nobody learns from it which usernames exist.
const LoginFailed = "用户名、密码或动态口令错误，或尝试次数过多已被暂时锁定，请稍后再试"

// UserUpdate holds changes to a user: the system administrator changes the name and the active
// state, the security administrator the roles.
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

// UserService manages accounts, sessions and the security policy. The system administrator
// (admin) creates accounts, deactivates them and resets passwords; the security administrator
// (secadmin) grants roles and sets the policy; nobody changes their own roles.
type UserService interface {
	// CreateUser adds a user in the administrator's subtree with an initial password the user
	// must change. An administrator creates it without roles (the security administrator grants
	// them); the command line may give roles. Errors: EINVALID (including a weak password),
	// EFORBIDDEN, ECONFLICT (username).
	CreateUser(ctx context.Context, u *User, password string) error
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUsers lists the users of the actor's subtree. Callers: admin, secadmin.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// UpdateUser changes name or active state (admin) or roles (secadmin, never their own);
	// deactivating ends the user's sessions. A change of roles is audited as user.roles.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// ResetPassword sets a new password the user must change, unlocks the account, turns off
	// its one-time codes and ends its sessions. Callers: admin.
	ResetPassword(ctx context.Context, id int64, password string) error
	// ChangePassword changes the actor's own password, ends all its sessions and opens a new
	// one, whose secret it returns. The new password may not be one of the last the policy
	// names.
	ChangePassword(ctx context.Context, old, password string) (string, error)
	// Login checks a username, a password and, for a user with one-time codes, the code, and
	// opens a session, returning its secret. Failures in a row lock the account, failures from
	// one address stop that address (the policy says how many); every attempt is audited with
	// its address. Every refusal is EUNAUTHORIZED with the message LoginFailed.
	Login(ctx context.Context, username, password, code string) (*User, string, error)
	// Logout ends a session.
	Logout(ctx context.Context, secret string) error
	// Authenticate returns the user of a live session: one neither idle nor older than the
	// policy allows, whose account is active.
	Authenticate(ctx context.Context, secret string) (*User, error)
	// EnableTOTP turns on one-time codes for the actor with a secret from NewTOTPSecret, once
	// a code from it is right. Errors: EINVALID.
	EnableTOTP(ctx context.Context, secret, code string) error
	// DisableTOTP turns off one-time codes for a user: the actor's own, or anyone's for the
	// system administrator (a lost phone).
	DisableTOTP(ctx context.Context, userID int64) error
	// FindPolicy returns the security policy in force.
	FindPolicy(ctx context.Context) (*SecurityPolicy, error)
	// UpdatePolicy sets the security policy. Callers: secadmin. Audited.
	UpdatePolicy(ctx context.Context, p SecurityPolicy) (*SecurityPolicy, error)
}
