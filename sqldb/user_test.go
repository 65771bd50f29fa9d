package sqldb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

const goodPassword = "Qingqian2019!"

// newAccount makes an active user with roles and the password, as the command line does (no
// change asked at first sign-in).
func (f *fixture) newAccount(t *testing.T, username string, org *qingqian.Org, roles ...qingqian.Role) *qingqian.User {
	t.Helper()
	sqldb.Argon2Memory = 1024
	u := &qingqian.User{Username: username, Name: username, OrgID: org.ID, Roles: roles}
	if err := sqldb.NewUserService(f.db).CreateUser(f.sys, u, goodPassword); err != nil {
		t.Fatal(err)
	}
	return u
}

// from is a request of nobody yet from a network address.
func from(addr string) context.Context {
	return qingqian.WithSource(context.Background(), addr)
}

func TestAccounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		users := sqldb.NewUserService(db)
		adminA := as(f.groupA, qingqian.RoleAdmin)
		u := &qingqian.User{Username: "Clerk1", Name: "张三", OrgID: f.subA1.ID}
		err := users.CreateUser(adminA, u, "short")
		if qingqian.ErrorFields(err)["password"] == "" {
			t.Fatalf("weak password accepted: %v", err)
		}
		if err := users.CreateUser(adminA, u, "alllowercase1"); qingqian.ErrorFields(err)["password"] == "" {
			t.Fatalf("two classes accepted: %v", err)
		}
		// The system administrator makes accounts; the roles are the security administrator's.
		withRoles := &qingqian.User{Username: "clerk9", Name: "赵九", OrgID: f.subA1.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}
		if err := users.CreateUser(adminA, withRoles, goodPassword); qingqian.ErrorFields(err)["roles"] == "" {
			t.Fatalf("an administrator granted roles with the account: %v", err)
		}
		if err := users.CreateUser(adminA, u, goodPassword); err != nil {
			t.Fatal(err)
		}
		if u.Username != "clerk1" || !u.MustChange || len(u.Roles) != 0 {
			t.Fatalf("user %+v", u)
		}
		wantCode(t, users.CreateUser(adminA, &qingqian.User{Username: "clerk1", Name: "李四", OrgID: f.subA1.ID}, goodPassword), qingqian.ECONFLICT)
		wantCode(t, users.CreateUser(adminA, &qingqian.User{Username: "b1", Name: "王五", OrgID: f.groupB.ID}, goodPassword), qingqian.EINVALID)
		wantCode(t, users.CreateUser(as(f.groupA, qingqian.RoleClerk), &qingqian.User{Username: "x1", Name: "x", OrgID: f.subA1.ID}, goodPassword), qingqian.EFORBIDDEN)
		wantCode(t, users.CreateUser(as(f.groupA, qingqian.RoleSecAdmin), &qingqian.User{Username: "x2", Name: "x", OrgID: f.subA1.ID}, goodPassword), qingqian.EFORBIDDEN)
		if _, n, _ := users.FindUsers(as(f.groupB, qingqian.RoleAdmin), qingqian.UserFilter{}); n != 0 {
			t.Fatalf("B's admin sees %d of A's users", n)
		}
		// Roles: the security administrator's alone, never one's own, an administrator's alone.
		secA := as(f.groupA, qingqian.RoleSecAdmin)
		cur, _ := users.FindUserByID(secA, u.ID)
		_, err = users.UpdateUser(adminA, u.ID, qingqian.UserUpdate{Version: cur.Version, Roles: []qingqian.Role{qingqian.RoleClerk}})
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = users.UpdateUser(secA, u.ID, qingqian.UserUpdate{Version: cur.Version, Roles: []qingqian.Role{qingqian.RoleAuditAdmin, qingqian.RoleClerk}})
		if qingqian.ErrorFields(err)["roles"] == "" {
			t.Fatalf("an audit administrator who is a clerk too: %v", err)
		}
		if granted, err := users.UpdateUser(secA, u.ID, qingqian.UserUpdate{Version: cur.Version, Roles: []qingqian.Role{qingqian.RoleClerk}}); err != nil || granted.Version != cur.Version+1 {
			t.Fatalf("the grant: %+v %v", granted, err)
		}
		self := qingqian.NewContext(f.sys, &qingqian.Actor{UserID: 77, Name: "安全员", OrgID: f.groupA.ID, OrgPath: f.groupA.Path, Roles: []qingqian.Role{qingqian.RoleSecAdmin}})
		_, err = users.UpdateUser(self, 77, qingqian.UserUpdate{Version: 1, Roles: []qingqian.Role{qingqian.RoleSecAdmin, qingqian.RoleSupervisor}})
		wantCode(t, err, qingqian.EFORBIDDEN)
		if recs, _, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.roles"}); len(recs) != 1 || recs[0].EntityID != u.ID {
			t.Fatalf("the grant is recorded as %+v", recs)
		}

		// Sign in, then the session idles out after 30 minutes.
		got, secret, err := users.Login(f.sys, "CLERK1 ", goodPassword, "")
		if err != nil || got.ID != u.ID || got.OrgPath != f.subA1.Path {
			t.Fatalf("login %+v %v", got, err)
		}
		if a, err := users.Authenticate(f.sys, secret); err != nil || a.ID != u.ID {
			t.Fatalf("authenticate %v %v", a, err)
		}
		f.clock = f.clock.Add(29 * time.Minute)
		if _, err := users.Authenticate(f.sys, secret); err != nil {
			t.Fatalf("session ended before 30 idle minutes: %v", err)
		}
		f.clock = f.clock.Add(31 * time.Minute)
		_, err = users.Authenticate(f.sys, secret)
		wantCode(t, err, qingqian.EUNAUTHORIZED)

		// Changing the password ends every session and opens a new one.
		_, s1, _ := users.Login(f.sys, "clerk1", goodPassword, "")
		me := qingqian.NewContext(f.sys, got.Actor())
		if _, err := users.ChangePassword(me, "wrong", "Another2020!"); qingqian.ErrorFields(err)["old"] == "" {
			t.Fatalf("wrong old password: %v", err)
		}
		if _, err := users.ChangePassword(me, goodPassword, "Clerk1-2020x"); qingqian.ErrorFields(err)["password"] == "" {
			t.Fatalf("a password with the username in it: %v", err)
		}
		s2, err := users.ChangePassword(me, goodPassword, "Another2020!")
		if err != nil {
			t.Fatal(err)
		}
		_, err = users.Authenticate(f.sys, s1)
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		if _, err := users.Authenticate(f.sys, s2); err != nil {
			t.Fatalf("the session opened by the change: %v", err)
		}
		// The last passwords may not come back.
		f.clock = f.clock.Add(time.Minute)
		if _, err := users.ChangePassword(me, "Another2020!", goodPassword); qingqian.ErrorFields(err)["password"] == "" {
			t.Fatalf("a password used before: %v", err)
		}

		// Five failures lock the account for 15 minutes, even against the right password.
		for i := 1; i <= 5; i++ {
			_, _, err := users.Login(f.sys, "clerk1", "nope", "")
			wantCode(t, err, qingqian.EUNAUTHORIZED)
		}
		_, _, err = users.Login(f.sys, "clerk1", "Another2020!", "")
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		locked := qingqian.ErrorMessage(err)
		recs, _, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.locked"})
		if len(recs) != 1 {
			t.Fatalf("lock audited %d times", len(recs))
		}
		if _, n, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.login_failed"}); n != 4 {
			t.Fatalf("failed logins audited %d times", n)
		}
		f.clock = f.clock.Add(16 * time.Minute)
		if _, _, err := users.Login(f.sys, "clerk1", "Another2020!", ""); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// An unknown user and a deactivated one get the same answer as a wrong password and a
		// locked account: nobody learns from it which usernames exist.
		_, _, err = users.Login(f.sys, "nobody", goodPassword, "")
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		if msg := qingqian.ErrorMessage(err); msg != locked || msg != qingqian.LoginFailed {
			t.Fatalf("an unknown user is told %q, a locked one %q", msg, locked)
		}
		off := false
		cur, _ = users.FindUserByID(adminA, u.ID)
		if _, err := users.UpdateUser(adminA, u.ID, qingqian.UserUpdate{Version: cur.Version, Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, _, err = users.Login(f.sys, "clerk1", "Another2020!", "")
		if qingqian.ErrorMessage(err) != qingqian.LoginFailed {
			t.Fatalf("a deactivated account: %v", err)
		}
		// A reset forces a change at next sign-in.
		if err := users.ResetPassword(adminA, u.ID, "Reset2021#abc"); err != nil {
			t.Fatal(err)
		}
		on := true
		cur, _ = users.FindUserByID(adminA, u.ID)
		users.UpdateUser(adminA, u.ID, qingqian.UserUpdate{Version: cur.Version, Active: &on})
		again, _, err := users.Login(f.sys, "clerk1", "Reset2021#abc", "")
		if err != nil || !again.MustChange {
			t.Fatalf("after reset %+v %v", again, err)
		}
	})
}

// Guesses sent in parallel are each counted: three bursts of eight wrong passwords lock the
// account, and the right password then opens nothing.
func TestLockoutInParallel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		users := sqldb.NewUserService(db)
		f.newAccount(t, "reviewer1", f.groupA, qingqian.RoleReviewer)
		for burst := 0; burst < 3; burst++ {
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, _, err := users.Login(from("10.0.0.9"), "reviewer1", "Wrong-guess-1", ""); qingqian.ErrorCode(err) != qingqian.EUNAUTHORIZED {
						t.Errorf("a wrong guess: %v", err)
					}
				}()
			}
			wg.Wait()
		}
		if _, _, err := users.Login(from("10.0.0.10"), "reviewer1", goodPassword, ""); qingqian.ErrorCode(err) != qingqian.EUNAUTHORIZED {
			t.Fatalf("the right password after 24 parallel guesses: %v", err)
		}
		n := 0
		for _, action := range []string{"user.login_failed", "user.locked", "user.login_locked", "user.login_throttled"} {
			_, k, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: action})
			if err != nil {
				t.Fatal(err)
			}
			n += k
		}
		if n != 25 {
			t.Fatalf("%d of 25 attempts recorded", n)
		}
	})
}

// Failures from one address stop it, whatever the accounts it tries; another address still
// signs in; every attempt is recorded with its address.
func TestSourceThrottle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		users := sqldb.NewUserService(db)
		f.newAccount(t, "clerk2", f.groupA, qingqian.RoleClerk)
		pol := qingqian.DefaultPolicy()
		for i := 0; i < pol.SourceMaxFailures; i++ {
			// Different names, so that no account is locked: the address is what is stopped.
			users.Login(from("192.0.2.7"), "guess"+string(rune('a'+i)), goodPassword, "")
		}
		if _, _, err := users.Login(from("192.0.2.7"), "clerk2", goodPassword, ""); qingqian.ErrorMessage(err) != qingqian.LoginFailed {
			t.Fatalf("a stopped address signs in: %v", err)
		}
		if _, _, err := users.Login(from("192.0.2.8"), "clerk2", goodPassword, ""); err != nil {
			t.Fatalf("another address: %v", err)
		}
		recs, _, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.login_throttled"})
		if err != nil || len(recs) != 1 || recs[0].Source != "192.0.2.7" {
			t.Fatalf("throttled attempts %+v %v", recs, err)
		}
		recs, _, _ = f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.login", Source: "192.0.2.8"})
		if len(recs) != 1 {
			t.Fatalf("the sign-in from 192.0.2.8: %+v", recs)
		}
		// After the lock time the address may try again.
		f.clock = f.clock.Add(pol.LockDuration() + time.Minute)
		if _, _, err := users.Login(from("192.0.2.7"), "clerk2", goodPassword, ""); err != nil {
			t.Fatalf("after the address's lock: %v", err)
		}
		if res, err := f.audit.VerifyAudit(f.sys); err != nil || !res.OK {
			t.Fatalf("the chain with addresses: %+v %v", res, err)
		}
	})
}

func TestSessionPolicy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		users := sqldb.NewUserService(db)
		u := f.newAccount(t, "clerk3", f.groupA, qingqian.RoleClerk)
		sec := as(f.root, qingqian.RoleSecAdmin)
		_, err := users.UpdatePolicy(as(f.root, qingqian.RoleAdmin), qingqian.DefaultPolicy())
		wantCode(t, err, qingqian.EFORBIDDEN)
		bad := qingqian.DefaultPolicy()
		bad.IdleMinutes = 600
		if _, err := users.UpdatePolicy(sec, bad); qingqian.ErrorFields(err)["idle_minutes"] == "" {
			t.Fatalf("a 10-hour idle time: %v", err)
		}
		pol := qingqian.DefaultPolicy()
		pol.SingleSession, pol.SessionMaxHours, pol.PasswordMaxAgeDays = true, 2, 30
		if _, err := users.UpdatePolicy(sec, pol); err != nil {
			t.Fatal(err)
		}
		// One session per account: a new sign-in ends the other.
		_, s1, _ := users.Login(f.sys, "clerk3", goodPassword, "")
		_, s2, err := users.Login(f.sys, "clerk3", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := users.Authenticate(f.sys, s1); qingqian.ErrorCode(err) != qingqian.EUNAUTHORIZED {
			t.Fatalf("the first session lives on: %v", err)
		}
		// A session in use ends after its absolute lifetime all the same.
		for i := 0; i < 4; i++ {
			f.clock = f.clock.Add(25 * time.Minute)
			if _, err := users.Authenticate(f.sys, s2); err != nil {
				t.Fatalf("after %d minutes of use: %v", 25*(i+1), err)
			}
		}
		f.clock = f.clock.Add(25 * time.Minute)
		if _, err := users.Authenticate(f.sys, s2); qingqian.ErrorCode(err) != qingqian.EUNAUTHORIZED {
			t.Fatalf("a session in use for over 2 hours: %v", err)
		}
		// A password older than the policy's period must be changed.
		f.clock = f.clock.Add(31 * 24 * time.Hour)
		_, s3, _ := users.Login(f.sys, "clerk3", goodPassword, "")
		got, err := users.Authenticate(f.sys, s3)
		if err != nil || !got.PasswordExpired {
			t.Fatalf("a 31-day-old password: %+v %v", got, err)
		}
		if _, err := users.ChangePassword(qingqian.NewContext(f.sys, u.Actor()), goodPassword, "Fresh-Pass-2031"); err != nil {
			t.Fatal(err)
		}
		_, s4, _ := users.Login(f.sys, "clerk3", "Fresh-Pass-2031", "")
		if got, err := users.Authenticate(f.sys, s4); err != nil || got.PasswordExpired {
			t.Fatalf("after the change: %+v %v", got, err)
		}
		if recs, _, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "security.policy"}); len(recs) != 1 {
			t.Fatalf("policy changes recorded: %d", len(recs))
		}
	})
}

func TestTOTP(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		users := sqldb.NewUserService(db)
		u := f.newAccount(t, "auditadm", f.root, qingqian.RoleAuditAdmin)
		pol := qingqian.DefaultPolicy()
		pol.AdminTOTP = true
		if _, err := users.UpdatePolicy(as(f.root, qingqian.RoleSecAdmin), pol); err != nil {
			t.Fatal(err)
		}
		_, s1, err := users.Login(f.sys, "auditadm", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := users.Authenticate(f.sys, s1); !got.NeedsTOTP {
			t.Fatal("an administrator without one-time codes is not asked to set them up")
		}
		me := qingqian.NewContext(f.sys, u.Actor())
		secret := qingqian.NewTOTPSecret()
		step := qingqian.TOTPStep(f.clock)
		wrong := "000000"
		if qingqian.TOTPCode(secret, step) == wrong {
			wrong = "111111"
		}
		if err := users.EnableTOTP(me, secret, wrong); qingqian.ErrorFields(err)["code"] == "" {
			t.Fatalf("a wrong code turned codes on: %v", err)
		}
		if err := users.EnableTOTP(me, secret, qingqian.TOTPCode(secret, step)); err != nil {
			t.Fatal(err)
		}
		// The code used to set up does not sign in; the next one does, once.
		if _, _, err := users.Login(f.sys, "auditadm", goodPassword, qingqian.TOTPCode(secret, step)); qingqian.ErrorMessage(err) != qingqian.LoginFailed {
			t.Fatalf("a code used twice: %v", err)
		}
		if _, _, err := users.Login(f.sys, "auditadm", goodPassword, ""); qingqian.ErrorMessage(err) != qingqian.LoginFailed {
			t.Fatalf("no code: %v", err)
		}
		f.clock = f.clock.Add(30 * time.Second)
		next := qingqian.TOTPCode(secret, step+1)
		_, s2, err := users.Login(f.sys, "auditadm", goodPassword, next)
		if err != nil {
			t.Fatalf("the next code: %v", err)
		}
		if got, _ := users.Authenticate(f.sys, s2); got.NeedsTOTP || !got.TOTP {
			t.Fatalf("after setting up: %+v", got)
		}
		if _, _, err := users.Login(f.sys, "auditadm", goodPassword, next); qingqian.ErrorMessage(err) != qingqian.LoginFailed {
			t.Fatalf("the same code again: %v", err)
		}
		// The system administrator may not turn off another administrator's codes, nor reset
		// the password: that would be a takeover of the account.
		admin := as(f.root, qingqian.RoleAdmin)
		wantCode(t, users.DisableTOTP(admin, u.ID), qingqian.EFORBIDDEN)
		wantCode(t, users.ResetPassword(admin, u.ID, "Takeover-2021x"), qingqian.EFORBIDDEN)
		if err := users.ResetPassword(f.sys, u.ID, "Recover-2021x"); err != nil {
			t.Fatalf("the command line recovers it: %v", err)
		}
	})
}
