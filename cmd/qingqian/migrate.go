package main

import (
	"context"
	"fmt"
)

// migrate applies the embedded migrations.
func (m *Main) migrate(ctx context.Context, args []string) error {
	var c config
	if err := m.flags("migrate", &c).Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(m.Stdout, "数据库已是最新结构：", redact(c.db))
	return nil
}
