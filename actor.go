package qingqian

import (
	"context"
	"strings"
)

// Role is what a user may do; a user has one or more.
type Role string

// Roles of the system (see docs/domain.md, "Who uses it").
const (
	RoleAdmin      Role = "admin"      // 系统管理员
	RoleSupervisor Role = "supervisor" // 清欠办
	RoleObserver   Role = "observer"   // 减负办、领导：只读
	RoleLiaison    Role = "liaison"    // 集团联络员
	RoleReviewer   Role = "reviewer"   // 审核、签批
	RoleClerk      Role = "clerk"      // 填报
	RoleAuditor    Role = "auditor"    // 审计：可读审计日志
)

// RoleNames are the screen names of the roles.
var RoleNames = map[Role]string{
	RoleAdmin: "系统管理员", RoleSupervisor: "清欠办", RoleObserver: "观察员（只读）", RoleLiaison: "集团联络员",
	RoleReviewer: "审核签批", RoleClerk: "填报员", RoleAuditor: "审计",
}

// Label is how the role reads on screens and in spreadsheets.
func (r Role) Label() string { return RoleNames[r] }

// Roles lists the roles in display order.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleObserver, RoleLiaison, RoleReviewer, RoleClerk, RoleAuditor}

// Actor is who performs a service call and on behalf of which org. Every service method takes it
// from the context: its OrgPath bounds everything the call can see or change.
type Actor struct {
	UserID  int64  // 0 for the system itself and API tokens
	TokenID int64  // set when the call comes through an API token
	Name    string // shown in the audit trail
	OrgID   int64
	OrgPath string // materialised path of OrgID, e.g. "/1/4/"
	Roles   []Role
	System  bool // migrations, demo loading and CLI maintenance: no subtree limit
}

// SystemActor is the actor of maintenance work started from the command line.
func SystemActor(name string) *Actor {
	return &Actor{Name: name, OrgPath: "/", System: true, Roles: []Role{RoleAdmin}}
}

// Has reports whether the actor holds one of the roles.
func (a *Actor) Has(roles ...Role) bool {
	if a.System {
		return true
	}
	for _, r := range a.Roles {
		for _, want := range roles {
			if r == want {
				return true
			}
		}
	}
	return false
}

// CanWrite reports whether the actor may change ledger data (items, entries, plans).
func (a *Actor) CanWrite() bool {
	return a.Has(RoleAdmin, RoleSupervisor, RoleLiaison, RoleReviewer, RoleClerk)
}

// Reaches reports whether an org with the given path is in the actor's subtree.
func (a *Actor) Reaches(orgPath string) bool {
	return a.System || strings.HasPrefix(orgPath, a.OrgPath)
}

type actorKey struct{}

// NewContext returns a context carrying the actor.
func NewContext(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of the context, or nil.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// RequireActor returns the context's actor or an EUNAUTHORIZED error.
func RequireActor(ctx context.Context) (*Actor, error) {
	a := ActorFrom(ctx)
	if a == nil {
		return nil, Errorf(EUNAUTHORIZED, "请先登录")
	}
	return a, nil
}

// RequireWriter returns the context's actor if it may change ledger data.
func RequireWriter(ctx context.Context) (*Actor, error) {
	a, err := RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanWrite() {
		return nil, Errorf(EFORBIDDEN, "当前账号只有查看权限")
	}
	return a, nil
}
