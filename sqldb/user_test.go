package sqldb_test

import (
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

const goodPassword = "Qingqian2019!"

func TestAccounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		users := sqldb.NewUserService(db)
		adminA := as(f.groupA, qingqian.RoleAdmin)
		u := &qingqian.User{Username: "Clerk1", Name: "张三", OrgID: f.subA1.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}
		err := users.CreateUser(adminA, u, "short")
		if qingqian.ErrorFields(err)["password"] == "" {
			t.Fatalf("weak password accepted: %v", err)
		}
		if err := users.CreateUser(adminA, u, "alllowercase1"); qingqian.ErrorFields(err)["password"] == "" {
			t.Fatalf("two classes accepted: %v", err)
		}
		if err := users.CreateUser(adminA, u, goodPassword); err != nil {
			t.Fatal(err)
		}
		if u.Username != "clerk1" || !u.MustChange {
			t.Fatalf("user %+v", u)
		}
		wantCode(t, users.CreateUser(adminA, &qingqian.User{Username: "clerk1", Name: "李四", OrgID: f.subA1.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}, goodPassword), qingqian.ECONFLICT)
		wantCode(t, users.CreateUser(adminA, &qingqian.User{Username: "b1", Name: "王五", OrgID: f.groupB.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}, goodPassword), qingqian.EINVALID)
		wantCode(t, users.CreateUser(as(f.groupA, qingqian.RoleClerk), &qingqian.User{Username: "x1", Name: "x", OrgID: f.subA1.ID, Roles: []qingqian.Role{qingqian.RoleClerk}}, goodPassword), qingqian.EFORBIDDEN)
		if _, n, _ := users.FindUsers(as(f.groupB, qingqian.RoleAdmin), qingqian.UserFilter{}); n != 0 {
			t.Fatalf("B's admin sees %d of A's users", n)
		}

		// Sign in, then the session idles out after 30 minutes.
		got, secret, err := users.Login(f.sys, "CLERK1 ", goodPassword)
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

		// Changing the password ends every session.
		_, s1, _ := users.Login(f.sys, "clerk1", goodPassword)
		self := qingqian.NewContext(f.sys, got.Actor())
		if err := users.ChangePassword(self, "wrong", "Another2020!"); qingqian.ErrorFields(err)["old"] == "" {
			t.Fatalf("wrong old password: %v", err)
		}
		if err := users.ChangePassword(self, goodPassword, "Another2020!"); err != nil {
			t.Fatal(err)
		}
		_, err = users.Authenticate(f.sys, s1)
		wantCode(t, err, qingqian.EUNAUTHORIZED)

		// Five failures lock the account for 15 minutes, even against the right password.
		for i := 1; i <= 5; i++ {
			_, _, err := users.Login(f.sys, "clerk1", "nope")
			wantCode(t, err, qingqian.EUNAUTHORIZED)
		}
		_, _, err = users.Login(f.sys, "clerk1", "Another2020!")
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		recs, _, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.locked"})
		if len(recs) != 1 {
			t.Fatalf("lock audited %d times", len(recs))
		}
		if _, n, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "user.login_failed"}); n != 4 {
			t.Fatalf("failed logins audited %d times", n)
		}
		f.clock = f.clock.Add(16 * time.Minute)
		if _, _, err := users.Login(f.sys, "clerk1", "Another2020!"); err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		// An unknown user and a deactivated one get the same answer as a wrong password.
		_, _, err = users.Login(f.sys, "nobody", goodPassword)
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		off := false
		cur, _ := users.FindUserByID(adminA, u.ID)
		if _, err := users.UpdateUser(adminA, u.ID, qingqian.UserUpdate{Version: cur.Version, Active: &off}); err != nil {
			t.Fatal(err)
		}
		_, _, err = users.Login(f.sys, "clerk1", "Another2020!")
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		// A reset forces a change at next sign-in.
		if err := users.ResetPassword(adminA, u.ID, "Reset2021#abc"); err != nil {
			t.Fatal(err)
		}
		on := true
		cur, _ = users.FindUserByID(adminA, u.ID)
		users.UpdateUser(adminA, u.ID, qingqian.UserUpdate{Version: cur.Version, Active: &on})
		again, _, err := users.Login(f.sys, "clerk1", "Reset2021#abc")
		if err != nil || !again.MustChange {
			t.Fatalf("after reset %+v %v", again, err)
		}
	})
}
