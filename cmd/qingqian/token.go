package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// token adds, lists and revokes API tokens.
func (m *Main) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	var c config
	fs := m.flags("token", &c)
	var org int64
	var name, roles string
	fs.Int64Var(&org, "org", 0, "令牌所属单位编号")
	fs.StringVar(&name, "name", "", "令牌名称，如“某集团ERP”")
	fs.StringVar(&roles, "role", "observer", "角色，逗号分隔：clerk、observer、supervisor、auditor……")
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens := sqldb.NewServices(db).Tokens
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("命令行"))
	switch args[0] {
	case "add":
		var rs []qingqian.Role
		for _, r := range strings.Split(roles, ",") {
			rs = append(rs, qingqian.Role(strings.TrimSpace(r)))
		}
		t, secret, err := tokens.CreateToken(sys, name, org, rs)
		if err != nil {
			return userError(err)
		}
		fmt.Fprintf(m.Stdout, "令牌 %d 已创建（只显示这一次，请妥善保存）：\n%s\n", t.ID, secret)
	case "list":
		ts, err := tokens.FindTokens(sys)
		if err != nil {
			return userError(err)
		}
		for _, t := range ts {
			state := "有效"
			if !t.RevokedAt.IsZero() {
				state = "已吊销"
			}
			used := "从未使用"
			if !t.LastUsedAt.IsZero() {
				used = "最近使用 " + t.LastUsedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(m.Stdout, "%d\t%s\t单位 %d\t%v\t%s\t%s\n", t.ID, t.Name, t.OrgID, t.Roles, state, used)
		}
	case "revoke":
		if fs.NArg() != 1 {
			return fmt.Errorf("用法：qingqian token revoke ID")
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("令牌编号不正确：%s", fs.Arg(0))
		}
		if err := tokens.RevokeToken(sys, id); err != nil {
			return userError(err)
		}
		fmt.Fprintf(m.Stdout, "令牌 %d 已吊销。\n", id)
	default:
		return fmt.Errorf("未知的 token 子命令 %q", args[0])
	}
	return nil
}
