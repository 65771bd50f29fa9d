package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// initDeployment sets up a new deployment: the first unit (the regulator, 国资委) and its first
// administrator, whose password is read from standard input. It refuses a database that already
// has a unit.
//
// It is a command rather than a first-run page: a page that creates the first administrator is
// open to whoever reaches the server first, while this needs a shell on the server, which is
// where the operator who installs it already is.
func (m *Main) initDeployment(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("init", &c)
	var name, short, uscc, username, adminName string
	fs.StringVar(&name, "name", "", "监管机构（国资委）全称")
	fs.StringVar(&short, "short-name", "", "监管机构简称")
	fs.StringVar(&uscc, "uscc", "", "监管机构的统一社会信用代码")
	fs.StringVar(&username, "admin", "admin", "首个系统管理员的登录用户名")
	fs.StringVar(&adminName, "admin-name", "", "首个系统管理员的姓名")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if adminName == "" {
		adminName = username
	}
	org := &qingqian.Org{Name: strings.TrimSpace(name), ShortName: strings.TrimSpace(short), USCC: qingqian.NormalizeUSCC(uscc), Kind: qingqian.OrgRegulator}
	user := &qingqian.User{Username: username, Name: adminName, OrgID: 1, Roles: []qingqian.Role{qingqian.RoleAdmin}}
	// Everything typed is checked before anything is written, so that a mistake leaves the
	// database as empty as it was.
	if org.Name == "" || org.USCC == "" {
		return fmt.Errorf("请用 --name 和 --uscc 给出监管机构（国资委）的全称和统一社会信用代码")
	}
	if err := org.Validate(); err != nil {
		return userError(err)
	}
	if err := user.Validate(); err != nil {
		return userError(err)
	}
	fmt.Fprintln(m.Stderr, "请输入管理员密码（至少8位，含大写字母、小写字母、数字、符号中的三类），回车结束：")
	password, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && password == "" {
		return fmt.Errorf("没有从标准输入读到密码")
	}
	password = strings.TrimRight(password, "\r\n")
	if why := qingqian.CheckPassword(password, username); why != "" {
		return fmt.Errorf("密码不符合要求：%s", why)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := sqldb.NewServices(db)
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("初始化"))
	if _, n, err := svc.Orgs.FindOrgs(sys, qingqian.OrgFilter{Limit: 1}); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("数据库中已有单位，本系统已经初始化过（%s）；新增单位请在“单位”页面或用 qingqian import units，新增用户用 qingqian user add", redact(c.db))
	}
	if err := svc.Orgs.CreateOrg(sys, org); err != nil {
		return userError(err)
	}
	user.OrgID = org.ID
	if err := svc.Users.CreateUser(sys, user, password); err != nil {
		return userError(err)
	}
	fmt.Fprintf(m.Stdout, "已初始化（数据库：%s，%s）：\n  监管机构 %s（编号 %d，统一社会信用代码 %s）\n  系统管理员 %s（%s），首次登录须修改密码\n",
		db.Dialect(), redact(c.db), org.Name, org.ID, orNone(org.USCC), user.Username, user.Name)
	fmt.Fprintln(m.Stdout, "下一步：qingqian serve 启动服务，以管理员登录后在“单位”页面添加集团（或 qingqian import units 导入单位），再添加各单位的用户。")
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "未填"
	}
	return s
}
