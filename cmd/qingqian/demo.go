package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/demo"
	"github.com/qingqian/qingqian/sqldb"
)

// demo loads the demo province into an empty database.
func (m *Main) demo(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("demo", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = m.loadDemo(ctx, db)
	return err
}

// apiHint prints a request to try against the demo province.
func (m *Main) apiHint(base, token string) {
	fmt.Fprintf(m.Stdout, "全省汇总 截至2019-11-30：curl -H 'Authorization: Bearer %s' '%s/api/v1/orgs/1/totals?as_of=2019-11-30'\n", token, base)
}

// loadDemo loads the demo province, makes its accounts and two API tokens, prints them once and
// returns the clearance office's token.
func (m *Main) loadDemo(ctx context.Context, db *sqldb.DB) (string, error) {
	fmt.Fprintln(m.Stdout, "正在载入示范省演示数据……")
	start := time.Now()
	svc := sqldb.NewServices(db)
	p, err := demo.Load(ctx, demo.Services{DB: db, Services: svc})
	if err != nil {
		return "", err
	}
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("演示数据"))
	_, sup, err := svc.Tokens.CreateToken(sys, "演示：清欠办", p.Regulator.ID, []qingqian.Role{qingqian.RoleSupervisor, qingqian.RoleAuditor})
	if err != nil {
		return "", err
	}
	_, clerk, err := svc.Tokens.CreateToken(sys, "演示："+p.Groups[0].ShortName+"填报", p.Groups[0].ID, []qingqian.Role{qingqian.RoleClerk})
	if err != nil {
		return "", err
	}
	password := "Demo-" + sqldb.RandomToken(4)
	for qingqian.CheckPassword(password, "") != "" { // a random 1234 or aaaa in it
		password = "Demo-" + sqldb.RandomToken(4)
	}
	accounts := []struct {
		username, name string
		org            *qingqian.Org
		roles          []qingqian.Role
	}{
		{"admin", "系统管理员", p.Regulator, []qingqian.Role{qingqian.RoleAdmin}},
		{"anquan", "安全管理员", p.Regulator, []qingqian.Role{qingqian.RoleSecAdmin}},
		{"shenjiguan", "审计管理员", p.Regulator, []qingqian.Role{qingqian.RoleAuditAdmin}},
		{"qingqianban", "清欠办 王主任", p.Regulator, []qingqian.Role{qingqian.RoleSupervisor, qingqian.RoleReviewer}},
		{"jianfuban", "省减负办 赵处长", p.Regulator, []qingqian.Role{qingqian.RoleObserver}},
		{"shenji", "审计 钱审计师", p.Regulator, []qingqian.Role{qingqian.RoleAuditor}},
		{"nengyuan", p.Groups[0].ShortName + " 联络员", p.Groups[0], []qingqian.Role{qingqian.RoleLiaison, qingqian.RoleClerk}},
		{"nengyuanld", p.Groups[0].ShortName + " 分管领导", p.Groups[0], []qingqian.Role{qingqian.RoleReviewer}},
		{"nengyuanzy", p.Groups[0].ShortName + " 主要负责同志", p.Groups[0], []qingqian.Role{qingqian.RoleReviewer}},
		{"nengyuan1", p.Subs[0].Name + " 填报员", p.Subs[0], []qingqian.Role{qingqian.RoleClerk}},
		{"jiaojian", p.Groups[1].ShortName + " 填报员", p.Groups[1], []qingqian.Role{qingqian.RoleClerk}},
	}
	fmt.Fprintf(m.Stdout, "演示数据已载入（%.1f 秒）：%d 家集团、%d 家子公司。\n", time.Since(start).Seconds(), len(p.Groups), len(p.Subs))
	fmt.Fprintf(m.Stdout, "演示账号（密码均为 %s，只显示这一次）：\n", password)
	for _, a := range accounts {
		u := &qingqian.User{Username: a.username, Name: a.name, OrgID: a.org.ID, Roles: a.roles}
		if err := svc.Users.CreateUser(sys, u, password); err != nil {
			return "", err
		}
		var names []string
		for _, r := range a.roles {
			names = append(names, qingqian.RoleNames[r])
		}
		fmt.Fprintf(m.Stdout, "  %-12s %s（%s）\n", a.username, a.name, strings.Join(names, "、"))
	}
	fmt.Fprintf(m.Stdout, "接口令牌（只显示这一次）：\n  清欠办（全省，可读写）：%s\n  %s 填报员（本集团）：%s\n", sup, p.Groups[0].ShortName, clerk)
	return sup, nil
}
