package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// holdWriter begins a write transaction that stays open until the returned function is called:
// on SQLite it holds the one writing connection, as an import does.
func holdWriter(t *testing.T, db *sqldb.DB, sys context.Context) (release func()) {
	t.Helper()
	began, done, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		ended <- db.InTxForTest(sys, qingqian.SystemActor("测试"), func(tx *sqldb.Tx) error {
			close(began)
			<-done
			return nil
		})
	}()
	<-began
	var once bool
	release = func() {
		if once {
			return
		}
		once = true
		close(done)
		if err := <-ended; err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(release)
	return release
}

// promptly fails the test when fn does not answer within a second.
func promptly(t *testing.T, what string, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(time.Second):
		t.Fatalf("%s waited more than a second while a write transaction was open", what)
	}
}

func TestReadsWithTokensAndSessionsDoNotWaitForTheWriter(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		f.newAccount(t, "reader", f.groupA, qingqian.RoleClerk)
		users, tokens := sqldb.NewUserService(db), sqldb.NewTokenService(db)
		_, secret, err := tokens.CreateToken(as(f.root, qingqian.RoleSecAdmin), "读", f.groupA.ID, []qingqian.Role{qingqian.RoleClerk})
		if err != nil {
			t.Fatal(err)
		}
		_, session, err := users.Login(f.sys, "reader", goodPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Authenticate(f.sys, secret); err != nil {
			t.Fatal(err)
		}
		// Unused for a few minutes: the next use renews the stamps.
		f.clock = f.clock.Add(5 * time.Minute)
		release := holdWriter(t, db, f.sys)
		promptly(t, "a read with a token", func() error { _, err := tokens.Authenticate(f.sys, secret); return err })
		promptly(t, "a read with a session", func() error { _, err := users.Authenticate(f.sys, session); return err })
		release()

		// The renewed stamps count at once and are written in the background.
		used := f.clock
		list, err := tokens.FindTokens(as(f.root, qingqian.RoleSecAdmin))
		if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(used) {
			t.Fatalf("tokens %+v %v, want used at %v", list, err, used)
		}
		if err := db.FlushStamps(f.sys); err != nil {
			t.Fatal(err)
		}
		// The session, seen 5 minutes ago, idles out 30 minutes after that, not after its sign-in.
		f.clock = f.clock.Add(29 * time.Minute)
		if _, err := users.Authenticate(f.sys, session); err != nil {
			t.Fatalf("the session seen 29 minutes ago: %v", err)
		}
		f.clock = f.clock.Add(31 * time.Minute)
		_, err = users.Authenticate(f.sys, session)
		wantCode(t, err, qingqian.EUNAUTHORIZED)
		if err := db.FlushStamps(f.sys); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountRows(f.sys, "sessions"); n != 0 {
			t.Fatalf("%d sessions left after the only one ended", n)
		}
	})
}
