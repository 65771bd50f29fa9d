package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Readiness: a server is ready when its database answers, has the schema this program knows,
// takes a write, and its folders have room. The write is a probe: one row rewritten in a
// transaction of its own (ready_probe), which fails on a read-only file or database, a full
// disk the database must grow on, a standby, or a broken connection.

// DefaultMinFree is the free space below which the server is not ready: 64 MB.
const DefaultMinFree = 64 << 20

// stuckProbe is how long a write probe may run before the database counts as not taking writes;
// longer than SQLite's busy timeout, after which a probe waiting for another writer gives up.
const stuckProbe = 20 * time.Second

// readyProbe remembers the last write probe, so that probes do not pile up on a busy database.
type readyProbe struct {
	mu      sync.Mutex
	running time.Time // when the running probe started; zero when none runs
	done    chan struct{}
	err     error // the result of the last probe
	at      time.Time
}

// Ready reports whether the server can do its work, and if not, why: the database does not
// answer, is not migrated (or was by a newer program), does not take a write, or the voucher
// folder or the SQLite database's folder has less than MinFree bytes free.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	if err := db.checkFree(); err != nil {
		return err
	}
	return db.probeWrite(ctx)
}

// checkFree reports a folder of the server's with less room than MinFree.
func (db *DB) checkFree() error {
	min := db.MinFree
	if min == 0 {
		min = DefaultMinFree
	}
	if min < 0 {
		return nil
	}
	dirs := []string{}
	if db.VoucherDir != "" {
		dirs = append(dirs, nearestDir(db.VoucherDir))
	}
	if db.path != "" {
		dirs = append(dirs, filepath.Dir(db.path))
	}
	for _, d := range dirs {
		free, ok := freeSpace(d)
		if ok && free < min {
			return fmt.Errorf("磁盘空间不足：%s 只剩 %d MB（至少需要 %d MB）", d, free>>20, min>>20)
		}
	}
	return nil
}

// nearestDir is the folder itself, or its nearest ancestor that exists.
func nearestDir(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}

// probeWrite runs one write probe, or waits for the one running, at most as long as ctx allows.
// On SQLite a probe is not run while the one writing connection is busy: the database is being
// written, and the probe would only queue behind it; the last result stands.
func (db *DB) probeWrite(ctx context.Context) error {
	p := &db.probe
	p.mu.Lock()
	if !p.running.IsZero() {
		started, done := p.running, p.done
		p.mu.Unlock()
		if time.Since(started) > stuckProbe {
			return errors.New("数据库写入无响应：写入探测已超过 " + stuckProbe.String())
		}
		select {
		case <-done:
		case <-ctx.Done():
			return nil // still running, not yet stuck: the database has not failed a write
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err
	}
	if db.d.name == "sqlite" && db.write.Stats().InUse > 0 {
		defer p.mu.Unlock()
		return p.err
	}
	p.running, p.done = time.Now(), make(chan struct{})
	done := p.done
	p.mu.Unlock()
	go func() {
		pctx, cancel := context.WithTimeout(context.Background(), stuckProbe)
		defer cancel()
		err := db.writeProbe(pctx)
		p.mu.Lock()
		p.err, p.at, p.running = err, time.Now(), time.Time{}
		close(done)
		p.mu.Unlock()
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

var probeWriter = func() string {
	host, _ := os.Hostname()
	return host + ":" + strconv.Itoa(os.Getpid())
}()

// writeProbe rewrites the probe row. On SQLite, waiting for another process's write lock until
// the busy timeout is not a failure: someone is writing.
func (db *DB) writeProbe(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO ready_probe (id, written_at, written_by) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at, written_by = excluded.written_by`, db.d.ts(db.Now()), probeWriter)
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return nil
	}
	return fmt.Errorf("数据库不能写入：%w", err)
}
