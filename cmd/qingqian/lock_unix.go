//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockDataDir takes the data folder for one server: an exclusive lock (flock) on serve.lock in
// it, held until release or the process ends (a crash releases it too). A second serve on the
// same folder is refused: at start a server removes the temporary files it finds there, which
// would be another server's uploads in progress.
func lockDataDir(dir string) (release func(), err error) {
	path := filepath.Join(dir, "serve.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("数据目录 %s 无法加锁: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := strings.TrimSpace(string(b))
			if holder == "" {
				holder = "未知"
			}
			return nil, fmt.Errorf("数据目录 %s 已被另一个 qingqian serve 使用（进程 %s）：同一数据目录只能运行一个服务。如需多台服务器，请各用自己的数据目录（见 docs/operations.md）", dir, holder)
		}
		return nil, fmt.Errorf("数据目录 %s 无法加锁: %w", dir, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}
