package sqldb_test

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// pauseReplay stops the standby from applying what the primary writes, until the returned
// function (also called when the test ends) resumes it.
func pauseReplay(t *testing.T) func() {
	t.Helper()
	admin, err := sql.Open("pgx", os.Getenv(sqldbtest.EnvReplica))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	var once sync.Once
	resume := func() {
		once.Do(func() {
			if _, err := admin.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
				t.Error(err)
			}
			admin.Close()
		})
	}
	t.Cleanup(resume)
	return resume
}

// Reads marked for a standby are served by it — they see the standby's state, a moment behind —
// and every other read and every write by the primary.
func TestStandbyReads(t *testing.T) {
	db, dsn := sqldbtest.OpenWithStandby(t)
	ctx := context.Background()
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("测试"))
	orgs := sqldb.NewOrgService(db)
	root := &qingqian.Org{Name: "示范省国资委", Kind: qingqian.OrgRegulator}
	if err := orgs.CreateOrg(sys, root); err != nil {
		t.Fatal(err)
	}
	sqldbtest.WaitForStandby(t, db)
	standby := qingqian.WithStandbyReads(sys)
	count := func(ctx context.Context) int {
		t.Helper()
		_, n, err := orgs.FindOrgs(ctx, qingqian.OrgFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := db.StandbyStats()
	if count(standby) != 1 || count(sys) != 1 {
		t.Fatal("both should see the regulator")
	}
	after := db.StandbyStats()
	if after.StandbyReads-before.StandbyReads < 1 || after.PrimaryReads-before.PrimaryReads < 1 {
		t.Fatalf("reads: before %+v, after %+v", before, after)
	}
	// With replay paused, a unit written on the primary is not yet on the standby.
	resume := pauseReplay(t)
	if err := orgs.CreateOrg(sys, &qingqian.Org{ParentID: root.ID, Name: "甲集团", Kind: qingqian.OrgGroup}); err != nil {
		t.Fatal(err)
	}
	if n := count(standby); n != 1 {
		t.Fatalf("a read marked for the standby saw %d units: not the standby", n)
	}
	if n := count(sys); n != 2 {
		t.Fatalf("a read of the primary saw %d units", n)
	}
	// A snapshot read (a read transaction) goes there too.
	if c, err := db.Contents(standby); err != nil || len(c.Migrations) == 0 {
		t.Fatalf("a snapshot on the standby: %v", err)
	}
	resume()
	sqldbtest.WaitForStandby(t, db)
	if n := count(standby); n != 2 {
		t.Fatalf("after catching up the standby has %d units", n)
	}
	// The standby takes no write: a server pointed at it by mistake is not ready.
	ro, err := sqldb.Open(sqldbtest.StandbyDSN(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := ro.Ready(ctx); err == nil || !strings.Contains(err.Error(), "数据库不能写入") {
		t.Fatalf("a standby is ready: %v", err)
	}
}

// A standby that goes away is passed over: the reads meant for it are served by the primary.
func TestStandbyGoneReadsFromPrimary(t *testing.T) {
	_, dsn := sqldbtest.OpenWithStandby(t)
	replica, _ := url.Parse(sqldbtest.StandbyDSN(t, dsn))
	// A proxy to the standby that the test can cut.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", replica.Host)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, up)
			mu.Unlock()
			go io.Copy(up, c)
			go io.Copy(c, up)
		}
	}()
	cut := func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}
	defer cut()
	proxied := *replica
	proxied.Host = ln.Addr().String()
	db2, err := sqldb.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	ctx := context.Background()
	if err := db2.UseStandby(ctx, proxied.String(), 0); err != nil {
		t.Fatal(err)
	}
	standby := qingqian.WithStandbyReads(qingqian.NewContext(ctx, qingqian.SystemActor("测试")))
	orgs := sqldb.NewOrgService(db2)
	if _, _, err := orgs.FindOrgs(standby, qingqian.OrgFilter{Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if st := db2.StandbyStats(); st.StandbyReads == 0 {
		t.Fatalf("the standby served nothing: %+v", st)
	}
	cut()
	for i := range 3 {
		if _, _, err := orgs.FindOrgs(standby, qingqian.OrgFilter{Limit: 1}); err != nil {
			t.Fatalf("read %d with the standby gone: %v", i, err)
		}
	}
	if st := db2.StandbyStats(); st.Fallbacks == 0 {
		t.Fatalf("no read fell back to the primary: %+v", st)
	}
}
