package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/web"
)

// bench loads the benchmark province into an empty database (or uses the one loaded before)
// and measures the office's pages end to end: a server on loopback, one client asking each page
// in turn. Each page's p50 and p95 are given with their ratio to a yardstick measured in the
// same run: a plain count and sum over all the items. The time of each page's first request is
// given too: what a view costs after a change, when nothing is kept; --cold makes every request
// such a view.
func (m *Main) bench(ctx context.Context, args []string) error {
	var c config
	fs := m.flags("bench", &c)
	items := fs.Int("items", 200_000, "空库时载入的台账条目数")
	requests := fs.Int("requests", 20, "每个页面请求的次数")
	cold := fs.Bool("cold", false, "每次请求前清除缓存的计数和合计（如同刚有写入）")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *items < 100 || *requests < 1 {
		return fmt.Errorf("--items 至少为 100，--requests 至少为 1")
	}
	db, err := m.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := sqldb.NewServices(db)
	sys := qingqian.NewContext(ctx, qingqian.SystemActor("基准测试"))
	_, units, err := svc.Orgs.FindOrgs(sys, qingqian.OrgFilter{Limit: 1})
	if err != nil {
		return err
	}
	if units == 0 {
		fmt.Fprintf(m.Stdout, "正在载入基准省：%d 条台账条目……\n", *items)
		start := time.Now()
		if _, err := db.LoadBenchProvince(ctx, *items); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "载入完成（%.1f 秒）\n", time.Since(start).Seconds())
	}
	if ok, err := db.IsBenchProvince(ctx); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("数据库不是基准省：bench 只在空库或它载入过的库上运行")
	}
	n, _, err := db.PlainItemSum(ctx)
	if err != nil {
		return err
	}
	// The office's account: a session for the pages, a token for the API.
	// A random password now and then breaks the password rules (four same characters in a
	// row): another is drawn.
	var username, password string
	for try := 1; ; try++ {
		username, password = "bench"+sqldb.RandomToken(3), "Bench-"+sqldb.RandomToken(6)
		u := &qingqian.User{Username: username, Name: "基准测试 清欠办", OrgID: 1, Roles: []qingqian.Role{qingqian.RoleSupervisor}}
		err := svc.Users.CreateUser(sys, u, password)
		if err == nil {
			break
		}
		if qingqian.ErrorCode(err) != qingqian.EINVALID || try == 5 {
			return err
		}
	}
	_, session, err := svc.Users.Login(ctx, username, password, "")
	if err != nil {
		return err
	}
	_, token, err := svc.Tokens.CreateToken(sys, "基准测试", 1, []qingqian.Role{qingqian.RoleSupervisor})
	if err != nil {
		return err
	}
	srv, err := web.NewServer(svc, db.Ready, db.MaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := srv.HTTPServer()
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	deep := 100_000
	if n < 2*deep {
		deep = n / 2
	}
	group := strconv.FormatInt(2, 10)
	pages := []struct{ name, path string }{
		{"首页", "/"},
		{"台账 第一页", "/ledger"},
		{fmt.Sprintf("台账 偏移 %d", deep), fmt.Sprintf("/ledger?page=%d", deep/50+1)},
		{"台账 按未清偿排序", "/ledger?sort=-outstanding"},
		{"台账 有分歧", "/ledger?disputed=true"},
		{"台账 一个集团", "/ledger?org_id=" + group},
		{"台账 截至过去日期", "/ledger?as_of=2021-06-30"},
		{"台账 截至过去日期 一个集团", "/ledger?as_of=2021-06-30&org_id=" + group},
		{"预警信号 全省", "/signals"},
		{"预警信号 一个集团", "/signals?org_id=" + group},
		{"接口 第一页", "/api/v1/items?limit=50"},
		{fmt.Sprintf("接口 偏移 %d", deep), fmt.Sprintf("/api/v1/items?limit=50&offset=%d", deep)},
	}
	client := &http.Client{Timeout: 5 * time.Minute}
	get := func(path string) error {
		req, err := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if err != nil {
			return err
		}
		if len(path) > 5 && path[:5] == "/api/" {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: session})
		}
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s：HTTP %d", path, res.StatusCode)
		}
		return nil
	}
	yard := make([]time.Duration, 0, *requests)
	for range *requests {
		start := time.Now()
		if _, _, err := db.PlainItemSum(ctx); err != nil {
			return err
		}
		yard = append(yard, time.Since(start))
	}
	y50, _ := percentiles(yard)
	fmt.Fprintf(m.Stdout, "%d 条台账条目，数据库 %s；每页 %d 次请求\n", n, db.Dialect(), *requests)
	fmt.Fprintf(m.Stdout, "%-24s %10s %10s %10s %10s\n", "页面", "首次(ms)", "p50(ms)", "p95(ms)", "p50/基准")
	fmt.Fprintf(m.Stdout, "%-24s %10s %10.1f %10s %10s\n", "基准：全部条目计数求和", "", ms(y50), "", "1.00")
	for _, p := range pages {
		// The first request (which also checks that the page answers) finds nothing kept from
		// before; the others find what it kept, since no one writes during the run, unless
		// --cold drops it before each, as a write would.
		if *cold {
			db.ForgetKept()
		}
		start := time.Now()
		if err := get(p.path); err != nil {
			return err
		}
		first := time.Since(start)
		ds := make([]time.Duration, 0, *requests)
		for range *requests {
			if *cold {
				db.ForgetKept()
			}
			start := time.Now()
			if err := get(p.path); err != nil {
				return err
			}
			ds = append(ds, time.Since(start))
		}
		p50, p95 := percentiles(ds)
		fmt.Fprintf(m.Stdout, "%-24s %10.1f %10.1f %10.1f %10.2f\n", p.name, ms(first), ms(p50), ms(p95), float64(p50)/float64(max(y50, 1)))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentiles returns the median and the 95th percentile (nearest rank) of ds.
func percentiles(ds []time.Duration) (p50, p95 time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return at(0.50), at(0.95)
}
