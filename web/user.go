package web

import (
	"net/http"
	"net/url"
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
	_, secret, err := s.Users.Login(r.Context(), r.PostForm.Get("username"), r.PostForm.Get("password"))
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
	v.Title = "修改密码"
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
	if err == nil {
		err = s.Users.ChangePassword(r.Context(), form.Get("old"), pw)
	}
	if err != nil {
		// Passwords are not shown again.
		return s.retry(w, r, err, nil, func(st int, v *view) error { return s.showPassword(w, r, st, v) })
	}
	// Changing the password ended every session, this one too: open a new one.
	_, secret, err := s.Users.Login(r.Context(), userFrom(r).Username, pw)
	if err != nil {
		return err
	}
	s.setSession(w, r, secret)
	http.Redirect(w, r, "/?done=password", http.StatusSeeOther)
	return nil
}

// sessionCookie names the session cookie.
const sessionCookie = "qq_session"

func (s *Server) setSession(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

type usersData struct {
	Users      []*qingqian.User
	Orgs       []*qingqian.Org
	Roles      []qingqian.Role
	Tokens     []*qingqian.Token
	TokenRoles []qingqian.Role
	NewSecret  string // a token just created, shown this once
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	return s.showUsers(w, r, http.StatusOK, &view{})
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	d := &usersData{Roles: qingqian.Roles, TokenRoles: []qingqian.Role{qingqian.RoleClerk, qingqian.RoleObserver, qingqian.RoleSupervisor, qingqian.RoleAuditor}}
	if sd, ok := v.Data.(*usersData); ok {
		d.NewSecret = sd.NewSecret
	}
	var err error
	if d.Users, _, err = s.Users.FindUsers(r.Context(), qingqian.UserFilter{Limit: 500}); err != nil {
		return err
	}
	if d.Tokens, err = s.Tokens.FindTokens(r.Context()); err != nil {
		return err
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
