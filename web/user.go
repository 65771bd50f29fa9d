package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", &view{Title: "登录", Form: url.Values{"next": {r.URL.Query().Get("next")}}})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "login", &view{Title: "登录", Error: "提交的内容无法识别"})
		return
	}
	_, secret, err := s.Users.Login(r.Context(), r.PostForm.Get("username"), r.PostForm.Get("password"), r.PostForm.Get("code"))
	if err != nil {
		status := ErrorStatus(err)
		msg := qingqian.ErrorMessage(err)
		if qingqian.ErrorCode(err) == qingqian.EINTERNAL {
			s.errorPage(w, r, err)
			return
		}
		form := url.Values{"username": {r.PostForm.Get("username")}, "next": {r.PostForm.Get("next")}}
		s.render(w, r, status, "login", &view{Title: "登录", Error: msg, Form: form})
		return
	}
	s.setSession(w, r, secret)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Users.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	return s.showPassword(w, r, http.StatusOK, &view{})
}

func (s *Server) showPassword(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	p, err := s.Users.FindPolicy(r.Context())
	if err != nil {
		return err
	}
	v.Title, v.Data = "修改密码", p
	s.render(w, r, status, "password", v)
	return nil
}

func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	pw := form.Get("password")
	bad := qingqian.Validation{}
	if pw != form.Get("confirm") {
		bad.Add("confirm", "两次输入的新密码不一致")
	}
	err = bad.Err()
	var secret string
	if err == nil {
		secret, err = s.Users.ChangePassword(r.Context(), form.Get("old"), pw)
	}
	if err != nil {
		// Passwords are not shown again.
		return s.retry(w, r, err, nil, func(st int, v *view) error { return s.showPassword(w, r, st, v) })
	}
	// Changing the password ended every session, this one too: the new one replaces it.
	s.setSession(w, r, secret)
	http.Redirect(w, r, "/?done=password", http.StatusSeeOther)
	return nil
}

// sessionCookie names the session cookie.
const sessionCookie = "qq_session"

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.overTLS(r)})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.overTLS(r)})
}

// safeNext keeps a post-login redirect on this site. It reads the address as a browser does
// (which drops tabs and line breaks anywhere, trims leading and trailing spaces and control
// characters, and takes a backslash for a slash) and accepts only a path of this site: no
// scheme, no host, not "//".
func safeNext(next string) string {
	s := strings.Map(func(c rune) rune {
		if c == '\t' || c == '\n' || c == '\r' {
			return -1
		}
		if c == '\\' {
			return '/'
		}
		return c
	}, next)
	s = strings.TrimFunc(s, func(c rune) bool { return c <= ' ' })
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return s
}

type usersData struct {
	Users      []*qingqian.User
	Orgs       []*qingqian.Org
	Roles      []qingqian.Role
	Tokens     []*qingqian.Token
	TokenRoles []qingqian.Role
	NewSecret  string // a token just created, shown this once
	// Accounts is true for the system administrator (who manages accounts), Grants for the
	// security administrator (who grants roles and tokens).
	Accounts, Grants bool
	// Calendar reminds the system administrator, who lands here, of a holiday arrangement to
	// enter (the dashboard does this for the office).
	Calendar string
	// LPR reminds the system administrator of an LPR publication to enter.
	LPR string
}

// OrgName names a unit of the list; one no longer active reads by its number.
func (d *usersData) OrgName(id int64) string {
	for _, o := range d.Orgs {
		if o.ID == id {
			return o.Name
		}
	}
	return "已停用单位（第 " + strconv.FormatInt(id, 10) + " 号）"
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	return s.showUsers(w, r, http.StatusOK, &view{})
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	a := qingqian.ActorFrom(r.Context())
	d := &usersData{Roles: qingqian.Roles, TokenRoles: qingqian.TokenRoles, Accounts: a.Has(qingqian.RoleAdmin), Grants: a.Has(qingqian.RoleSecAdmin)}
	if sd, ok := v.Data.(*usersData); ok {
		d.NewSecret = sd.NewSecret
	}
	var err error
	if d.Users, _, err = s.Users.FindUsers(r.Context(), qingqian.UserFilter{Limit: 500}); err != nil {
		return err
	}
	if d.Accounts {
		cal, err := s.Calendar.Calendar(r.Context())
		if err != nil {
			return err
		}
		d.Calendar = qingqian.CalendarReminder(cal, qingqian.Today())
		lpr, err := s.LPR.FindLPR(r.Context())
		if err != nil {
			return err
		}
		d.LPR = qingqian.LPRReminder(lpr, qingqian.Today())
	}
	if d.Grants {
		if d.Tokens, err = s.Tokens.FindTokens(r.Context()); err != nil {
			return err
		}
	}
	if d.Orgs, _, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Active: ptr(true), Limit: 500}); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "用户", "users", d
	s.render(w, r, status, "users", v)
	return nil
}

func (s *Server) createUserForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	u := &qingqian.User{Username: form.Get("username"), Name: strings.TrimSpace(form.Get("name")), OrgID: atoi64(form.Get("org_id"))}
	for _, role := range form["roles"] {
		u.Roles = append(u.Roles, qingqian.Role(role))
	}
	pw := form.Get("password")
	form.Del("password") // not shown again
	return s.submit(w, r, form, nil, func() error {
		return s.Users.CreateUser(r.Context(), u, pw)
	}, func(st int, v *view) error { return s.showUsers(w, r, st, v) }, func() string { return "/users?done=user" })
}

func (s *Server) resetPasswordForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	return s.submit(w, r, nil, nil, func() error {
		return s.Users.ResetPassword(r.Context(), id, form.Get("password"))
	}, func(st int, v *view) error {
		v.Error = "重置密码失败：" + v.Error
		return s.showUsers(w, r, st, v)
	}, func() string { return "/users?done=reset" })
}

func (s *Server) userActiveForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	upd := qingqian.UserUpdate{Version: formInt(form, "version", bad), Active: ptr(form.Get("active") == "true")}
	return s.submit(w, r, nil, bad, func() error {
		_, err := s.Users.UpdateUser(r.Context(), id, upd)
		return err
	}, func(st int, v *view) error { return s.showUsers(w, r, st, v) }, func() string { return "/users?done=active" })
}

// userRolesForm is the security administrator granting and withdrawing a user's roles.
func (s *Server) userRolesForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleSecAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有安全管理员可以授予或收回角色")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	upd := qingqian.UserUpdate{Version: formInt(form, "version", bad), Roles: []qingqian.Role{}}
	for _, role := range form["roles"] {
		upd.Roles = append(upd.Roles, qingqian.Role(role))
	}
	return s.submit(w, r, nil, bad, func() error {
		_, err := s.Users.UpdateUser(r.Context(), id, upd)
		return err
	}, func(st int, v *view) error {
		v.Error = "授权失败：" + v.Error
		return s.showUsers(w, r, st, v)
	}, func() string { return "/users?done=roles" })
}

// userTOTPOffForm turns off a user's one-time codes (the system administrator, for a lost phone).
func (s *Server) userTOTPOffForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Users.DisableTOTP(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/users?done=totp_off", http.StatusSeeOther)
	return nil
}

func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	var roles []qingqian.Role
	for _, role := range form["token_roles"] {
		roles = append(roles, qingqian.Role(role))
	}
	_, secret, err := s.Tokens.CreateToken(r.Context(), strings.TrimSpace(form.Get("token_name")), atoi64(form.Get("token_org")), roles)
	if err != nil {
		// The token form shares its page with the user form: its fields are named token_….
		return s.retry(w, r, err, form, func(st int, v *view) error {
			fields := map[string]string{}
			for k, m := range v.Fields {
				fields["token_"+k] = m
			}
			v.Error, v.Fields = "创建令牌失败："+v.Error, fields
			return s.showUsers(w, r, st, v)
		})
	}
	// The secret is shown on this response only; it is never stored.
	return s.showUsers(w, r, http.StatusOK, &view{Flash: "接口令牌已创建，请立即复制保存，离开本页后无法再次查看。", Data: &usersData{NewSecret: secret}})
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Tokens.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/users?done=revoked#tokens", http.StatusSeeOther)
	return nil
}

// ---- One-time codes ----

type totpData struct {
	Enabled bool
	Secret  string // a fresh secret to set up, shown until confirmed
	URI     string
	Grouped string // the secret in groups of four, as it is typed
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) error {
	return s.showTOTP(w, r, http.StatusOK, &view{})
}

func (s *Server) showTOTP(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	u := userFrom(r)
	d := &totpData{Enabled: u.TOTP}
	if !d.Enabled {
		// A secret typed back after an error stays the one the phone already holds.
		d.Secret = v.Form.Get("secret")
		if d.Secret == "" {
			d.Secret = qingqian.NewTOTPSecret()
		}
		d.URI = qingqian.TOTPURI(d.Secret, u.Username, "清欠台账")
		var g []string
		for i := 0; i < len(d.Secret); i += 4 {
			g = append(g, d.Secret[i:min(i+4, len(d.Secret))])
		}
		d.Grouped = strings.Join(g, " ")
	}
	v.Title, v.Data = "动态口令", d
	s.render(w, r, status, "totp", v)
	return nil
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	keep := url.Values{"secret": {form.Get("secret")}}
	return s.submit(w, r, keep, nil, func() error {
		return s.Users.EnableTOTP(r.Context(), form.Get("secret"), form.Get("code"))
	}, func(st int, v *view) error { return s.showTOTP(w, r, st, v) }, func() string { return "/?done=totp" })
}

func (s *Server) totpOffForm(w http.ResponseWriter, r *http.Request) error {
	if err := s.Users.DisableTOTP(r.Context(), userFrom(r).ID); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/totp?done=totp_off", http.StatusSeeOther)
	return nil
}

// ---- Security policy ----

func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) error {
	return s.showSecurity(w, r, http.StatusOK, &view{})
}

func (s *Server) showSecurity(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleSecAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有安全管理员可以设置安全策略")
	}
	p, err := s.Users.FindPolicy(r.Context())
	if err != nil {
		return err
	}
	if v.Form == nil {
		v.Form = url.Values{}
		for k, n := range map[string]int{"password_max_age_days": p.PasswordMaxAgeDays, "password_history": p.PasswordHistory,
			"max_failed_logins": p.MaxFailedLogins, "lock_minutes": p.LockMinutes, "source_max_failures": p.SourceMaxFailures,
			"idle_minutes": p.IdleMinutes, "session_max_hours": p.SessionMaxHours} {
			v.Form.Set(k, strconv.Itoa(n))
		}
		if p.SingleSession {
			v.Form.Set("single_session", "on")
		}
		if p.AdminTOTP {
			v.Form.Set("admin_totp", "on")
		}
	}
	v.Title, v.Nav, v.Data = "安全策略", "security", p
	s.render(w, r, status, "security", v)
	return nil
}

func (s *Server) securityForm(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleSecAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有安全管理员可以设置安全策略")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	p := qingqian.SecurityPolicy{
		PasswordMaxAgeDays: formInt(form, "password_max_age_days", bad), PasswordHistory: formInt(form, "password_history", bad),
		MaxFailedLogins: formInt(form, "max_failed_logins", bad), LockMinutes: formInt(form, "lock_minutes", bad),
		SourceMaxFailures: formInt(form, "source_max_failures", bad), IdleMinutes: formInt(form, "idle_minutes", bad),
		SessionMaxHours: formInt(form, "session_max_hours", bad), SingleSession: form.Get("single_session") != "", AdminTOTP: form.Get("admin_totp") != "",
	}
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Users.UpdatePolicy(r.Context(), p)
		return err
	}, func(st int, v *view) error { return s.showSecurity(w, r, st, v) }, func() string { return "/security?done=policy" })
}
