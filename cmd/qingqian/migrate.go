package main

import (
	"context"
	"fmt"
	"strings"
)

// migrate applies the embedded migrations and says which it applied.
func (m *Main) migrate(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("migrate", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, applied, err := m.openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(applied) == 0 {
		fmt.Fprintln(m.Stdout, "数据库已是最新结构，没有需要应用的迁移：", redact(c.db))
		return nil
	}
	fmt.Fprintf(m.Stdout, "已应用 %d 个迁移（%s）：%s\n数据库已是最新结构。\n", len(applied), redact(c.db), strings.Join(applied, "、"))
	return nil
}
