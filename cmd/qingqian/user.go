package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// user adds a user, its password read from standard input.
func (m *Main) user(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
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
	fs.StringVar(&roles, "role", "clerk", "角色，逗号分隔：admin、supervisor、observer、liaison、reviewer、clerk、auditor")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if name == "" {
		name = username
	}
	fmt.Fprintln(m.Stderr, "请输入密码（至少8位，含大写字母、小写字母、数字、符号中的三类），回车结束：")
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
	var rs []qingqian.Role
	for _, r := range strings.Split(roles, ",") {
		rs = append(rs, qingqian.Role(strings.TrimSpace(r)))
	}
	u := &qingqian.User{Username: username, Name: name, OrgID: org, Roles: rs}
	if err := sqldb.NewServices(db).Users.CreateUser(qingqian.NewContext(ctx, qingqian.SystemActor("命令行")), u, password); err != nil {
		return userError(err)
	}
	fmt.Fprintf(m.Stdout, "用户 %s（%s）已创建，编号 %d。\n", u.Username, u.Name, u.ID)
	return nil
}
