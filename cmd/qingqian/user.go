package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// user adds a user, or resets one's password (and lock and one-time codes), the password read
// from standard input. On the server's command line, it is also how an administrator's account
// is recovered: the workbench never lets one administrator take over another's.
func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "reset") {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	var c config
	fs := m.flags("user", &c)
	var org int64
	var username, name, roles string
	fs.Int64Var(&org, "org", 0, "所属单位编号")
	fs.StringVar(&username, "username", "", "登录用户名")
	fs.StringVar(&name, "name", "", "姓名")
	fs.StringVar(&roles, "role", "clerk", "角色，逗号分隔：admin、secadmin、auditadmin（各自单独担任），或 supervisor、observer、liaison、reviewer、clerk、auditor")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if name == "" {
		name = username
	}
	fmt.Fprintln(m.Stderr, "请输入密码（至少8位，含大写字母、小写字母、数字、符号中的三类，不含用户名和常见弱口令），回车结束：")
	password, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("没有从标准输入读到密码")
	}
	password = strings.TrimRight(password, "\r\n")
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行"))
	users := sqldb.NewServices(db).Users
	if args[0] == "reset" {
		found, _, err := users.FindUsers(sys, qingqian.UserFilter{Query: username, Limit: 500})
		if err != nil {
			return userError(err)
		}
		for _, u := range found {
			if u.Username == strings.ToLower(strings.TrimSpace(username)) {
				if err := users.ResetPassword(sys, u.ID, password); err != nil {
					return userError(err)
				}
				fmt.Fprintf(m.Stdout, "用户 %s 的密码已重置，下次登录须修改密码；锁定和动态口令已解除。\n", u.Username)
				return nil
			}
		}
		return fmt.Errorf("用户 %s 不存在", username)
	}
	var rs []qingqian.Role
	for _, r := range strings.Split(roles, ",") {
		rs = append(rs, qingqian.Role(strings.TrimSpace(r)))
	}
	u := &qingqian.User{Username: username, Name: name, OrgID: org, Roles: rs}
	if err := users.CreateUser(sys, u, password); err != nil {
		return userError(err)
	}
	fmt.Fprintf(m.Stdout, "用户 %s（%s）已创建，编号 %d。\n", u.Username, u.Name, u.ID)
	return nil
}
