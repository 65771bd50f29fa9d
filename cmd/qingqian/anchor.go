package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/qingqian/qingqian/sqldb"
)

// anchorPath is the second copy of the audit chains' heads in the data folder.
func anchorPath(c *config) string { return filepath.Join(c.data, sqldb.AnchorFileName) }

// anchor prints the heads of the audit chains as committed now (or writes them to --out), to be
// kept outside the database: printed and signed, filed with an issued report, sent to the
// supervisor. `verify --anchor FILE` later proves the chains still hold every record up to it.
// The copy in the data folder is checked and moved on at the same time.
func (m *Main) anchor(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("anchor", &c)
	out := fs.String("out", "", "写入此文件（默认打印到标准输出）")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AdvanceAnchorFile(ctx, anchorPath(&c))
	var mismatch *sqldb.AnchorMismatchError
	if errors.As(err, &mismatch) {
		for _, p := range mismatch.Problems {
			fmt.Fprintln(m.Stdout, p)
		}
		fmt.Fprintf(m.Stdout, "数据库已不含数据目录中的锚点（%s）记录的审计记录，未生成新的锚点：请先运行 qingqian verify 查明原因。\n", anchorPath(&c))
		return exitError(1)
	} else if err != nil {
		return err
	}
	if *out == "" {
		_, err := a.WriteTo(m.Stdout)
		return err
	}
	if err := sqldb.WriteAnchorFile(*out, a); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "审计链锚点已写入 %s：%d 条链、%d 条记录，摘要 %s\n", *out, len(a.Heads), a.Records(), a.Digest())
	return nil
}

// anchorInterval is how often a running server moves the data folder's anchor on.
const anchorInterval = time.Minute

// keepAnchor moves the data folder's anchor on every anchorInterval until ctx ends. When the
// database no longer holds what the file recorded it logs an error and keeps the file.
func keepAnchor(ctx context.Context, db *sqldb.DB, path string, logger *slog.Logger) {
	t := time.NewTicker(anchorInterval)
	defer t.Stop()
	reported := ""
	for {
		_, err := db.AdvanceAnchorFile(ctx, path)
		var mismatch *sqldb.AnchorMismatchError
		switch {
		case errors.As(err, &mismatch):
			if err.Error() != reported {
				logger.Error("the audit chains no longer hold what the data folder's anchor recorded: run qingqian verify", "anchor", path, "problems", mismatch.Error())
				reported = err.Error()
			}
		case err != nil && ctx.Err() == nil:
			logger.Warn("audit anchor not written", "anchor", path, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// moveAnchorAside renames the data folder's anchor before a restore: the restored database is
// older than what the anchor recorded. The file is kept, renamed, as the record of what was there.
func (m *Main) moveAnchorAside(c *config) error {
	path := anchorPath(c)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	aside := path + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
	if err := os.Rename(path, aside); err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "数据目录中原有的审计链锚点已改名为 %s：恢复后的数据库早于它。\n", aside)
	return nil
}
