package sqldb_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A token is kept a few seconds once found valid, but its revocation and its unit's move take
// effect at once on the server that made them.
func TestTokenRevokedOrMovedTakesEffectAtOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		tokens, orgs := sqldb.NewTokenService(db), sqldb.NewOrgService(db)
		sec := as(f.root, qingqian.RoleSecAdmin)
		ctx := context.Background()
		tok, secret, err := tokens.CreateToken(sec, "推送", f.subA1.ID, []qingqian.Role{qingqian.RoleClerk})
		if err != nil {
			t.Fatal(err)
		}
		a, err := tokens.Authenticate(ctx, secret)
		if err != nil || a.OrgPath != f.subA1.Path {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		moved, err := orgs.MoveOrg(as(f.root, qingqian.RoleAdmin), f.subA1.ID, f.groupB.ID, f.subA1.Version)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := tokens.Authenticate(ctx, secret); err != nil || a.OrgPath != moved.Path {
			t.Fatalf("after the move: %+v %v, want path %s", a, err, moved.Path)
		}
		if err := tokens.RevokeToken(sec, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = tokens.Authenticate(ctx, secret)
		wantCode(t, err, qingqian.EUNAUTHORIZED)
	})
}
