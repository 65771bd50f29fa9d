package qingqian

import (
	"context"
	"strings"
)

// Role is what a user may do; a user has one or more.
type Role string

// Roles of the system (see docs/domain.md, "Who uses it").
const (
	RoleAdmin      Role = "admin"      // 系统管理员：账号与系统配置
	RoleSecAdmin   Role = "secadmin"   // 安全管理员：角色、权限与安全策略
	RoleAuditAdmin Role = "auditadmin" // 审计管理员：查阅、导出审计记录
	RoleSupervisor Role = "supervisor" // 清欠办
	RoleObserver   Role = "observer"   // 减负办、领导：只读
	RoleLiaison    Role = "liaison"    // 集团联络员
	RoleReviewer   Role = "reviewer"   // 审核、签批
	RoleClerk      Role = "clerk"      // 填报
	RoleAuditor    Role = "auditor"    // 内部审计：可读台账和审计日志
)

// RoleNames are the screen names of the roles.
var RoleNames = map[Role]string{
	RoleAdmin: "系统管理员", RoleSecAdmin: "安全管理员", RoleAuditAdmin: "审计管理员", RoleSupervisor: "清欠办", RoleObserver: "观察员（只读）", RoleLiaison: "集团联络员",
	RoleReviewer: "审核签批", RoleClerk: "填报员", RoleAuditor: "审计",
}

// Label is how the role reads on screens and in spreadsheets.
func (r Role) Label() string { return RoleNames[r] }

// Roles lists the roles in display order.
var Roles = []Role{RoleAdmin, RoleSecAdmin, RoleAuditAdmin, RoleSupervisor, RoleObserver, RoleLiaison, RoleReviewer, RoleClerk, RoleAuditor}

// AdminRoles are the three separated administrators (三员): the system administrator (accounts
// and configuration), the security administrator (roles, permissions, security policy) and the
// audit administrator (the audit trail). Each is held alone, by a person who holds no other
// role, and none of them reads or changes the ledger.
var AdminRoles = []Role{RoleAdmin, RoleSecAdmin, RoleAuditAdmin}

// BusinessRoles are the roles of the people who keep, supervise or audit the ledger.
var BusinessRoles = []Role{RoleSupervisor, RoleObserver, RoleLiaison, RoleReviewer, RoleClerk, RoleAuditor}

// TokenRoles are the roles an API token may hold. A token is a program, not a person: it is
// never an administrator, and it never prepares, reviews or approves a report, so it holds
// neither the liaison's nor the reviewer's role.
var TokenRoles = []Role{RoleClerk, RoleObserver, RoleSupervisor, RoleAuditor}

// Administrative reports whether the role is one of the three separated administrators.
func (r Role) Administrative() bool {
	return r == RoleAdmin || r == RoleSecAdmin || r == RoleAuditAdmin
}

// CheckRoles returns why a set of roles cannot be held by one person, or "": an administrator's
// role (系统管理员、安全管理员、审计管理员) is held alone.
func CheckRoles(roles []Role) string {
	for _, r := range roles {
		if r.Administrative() && len(roles) > 1 {
			return "系统管理员、安全管理员、审计管理员须由不同人员分别担任，且不能兼任其他角色"
		}
	}
	return ""
}

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
	return a.Has(RoleSupervisor, RoleLiaison, RoleReviewer, RoleClerk)
}

// CanRead reports whether the actor may read ledger data: every business role may, the three
// administrators may not.
func (a *Actor) CanRead() bool {
	return a.Has(BusinessRoles...)
}

// CanReadAudit reports whether the actor may search the audit trail: the audit administrator,
// internal audit and the clearance office.
func (a *Actor) CanReadAudit() bool {
	return a.Has(RoleAuditAdmin, RoleAuditor, RoleSupervisor)
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

// RequireReader returns the context's actor if it may read ledger data.
func RequireReader(ctx context.Context) (*Actor, error) {
	a, err := RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanRead() {
		return nil, Errorf(EFORBIDDEN, "系统管理员、安全管理员和审计管理员不能查看台账数据")
	}
	return a, nil
}

type sourceKey struct{}

// WithSource returns a context carrying the network address a request came from, which every
// audit record written for it keeps.
func WithSource(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, sourceKey{}, addr)
}

// SourceFrom returns the address of the context's request, or "" (the command line).
func SourceFrom(ctx context.Context) string {
	s, _ := ctx.Value(sourceKey{}).(string)
	return s
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
