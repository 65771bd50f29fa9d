package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
	"github.com/qingqian/qingqian/xlsx"
)

// TestLoad is the bounded load test: writers of several groups record repayments through the
// API while another group imports rows (batches of entries, each one transaction), on loopback
// only. It reports latency percentiles, and fails on a lost write, a busy answer or a 5xx. The
// normal run is small (a few seconds); the environment sizes a real one, at most a minute:
//
//	QINGQIAN_LOAD_WRITERS   concurrent writers (default 8), spread over 10 groups
//	QINGQIAN_LOAD_SECONDS   how long they write (default 2, at most 60)
//	QINGQIAN_LOAD_BATCH     rows per import batch (default 100; 0: no import alongside)
//	QINGQIAN_LOAD_P99_MS    fail when the writers' p99 is above this (default: no bound)
//	QINGQIAN_LOAD_IMPORT    rows of a ledger file the other group imports instead, through
//	                        POST /api/v1/imports/ledger (default 0: the batches above); the
//	                        writers then write until the import has answered, at least the seconds
//
// e.g. QINGQIAN_LOAD_WRITERS=100 QINGQIAN_LOAD_SECONDS=30 QINGQIAN_LOAD_BATCH=5000 go test -run TestLoad -v ./web/
// or   QINGQIAN_LOAD_WRITERS=100 QINGQIAN_LOAD_SECONDS=5 QINGQIAN_LOAD_IMPORT=100000 go test -run TestLoad -v -timeout 30m ./web/
func TestLoad(t *testing.T) {
	writers := envInt("QINGQIAN_LOAD_WRITERS", 8)
	seconds := min(envInt("QINGQIAN_LOAD_SECONDS", 2), 60)
	batch := envInt("QINGQIAN_LOAD_BATCH", 100)
	ledgerRows := 0
	if os.Getenv("QINGQIAN_LOAD_IMPORT") != "" {
		ledgerRows = envInt("QINGQIAN_LOAD_IMPORT", 0)
	}
	if os.Getenv("QINGQIAN_LOAD_BATCH") == "0" || ledgerRows > 0 {
		batch = 0 // no batches alongside
	}
	p99Bound := time.Duration(envInt("QINGQIAN_LOAD_P99_MS", 0)) * time.Millisecond
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		svc := MustServices(db)
		sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("压力测试"))
		mkOrg := func(parent int64, name string, kind qingqian.OrgKind) *qingqian.Org {
			o := &qingqian.Org{ParentID: parent, Name: name, Kind: kind}
			if err := svc.Orgs.CreateOrg(sys, o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		root := mkOrg(0, "示范省国资委", qingqian.OrgRegulator)
		creditor := &qingqian.Creditor{Name: "某某劳务有限公司", USCC: "91110000600037341L", Ownership: qingqian.OwnershipPrivate}
		if err := svc.Creditors.CreateCreditor(sys, creditor); err != nil {
			t.Fatal(err)
		}
		token := func(o *qingqian.Org) string {
			_, secret, err := svc.Tokens.CreateToken(sys, "压力测试", o.ID, []qingqian.Role{qingqian.RoleClerk})
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		item := func(o *qingqian.Org, n int) int64 {
			it := &qingqian.Item{OrgID: o.ID, Creditor: &qingqian.Creditor{USCC: creditor.USCC}, ContractNo: fmt.Sprintf("HT-%d-%d", o.ID, n), ContractName: "施工合同",
				Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2019-01-10"), Undisputed: qingqian.Yuan(100_000_000),
				Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
			if err := svc.Items.CreateItem(sys, it); err != nil {
				t.Fatal(err)
			}
			return it.ID
		}
		const groups = 10
		type writer struct {
			token string
			item  int64
		}
		var ws []writer
		var tokens [groups]string
		var orgs [groups]*qingqian.Org
		for g := range groups {
			orgs[g] = mkOrg(root.ID, fmt.Sprintf("第%d集团", g+1), qingqian.OrgGroup)
			tokens[g] = token(orgs[g])
		}
		for w := range writers {
			ws = append(ws, writer{tokens[w%groups], item(orgs[w%groups], w)})
		}
		importer := mkOrg(root.ID, "导入集团", qingqian.OrgGroup)
		importToken := token(importer)
		var importItems []int64
		for n := range 50 {
			importItems = append(importItems, item(importer, n))
		}
		before, itemsBefore := countRows(t, db, "entries"), countRows(t, db, "items")
		var ledger []byte
		if ledgerRows > 0 {
			ledger = loadLedger(importer.Name, ledgerRows)
		}

		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		s, err := web.NewServer(svc, db.Ping, sqldb.DefaultMaxVoucherSize, logger)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler()) // 127.0.0.1 only
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: writers + 4}, Timeout: 2 * time.Minute}
		defer client.CloseIdleConnections()

		var acked, imported, busy, fivexx, other atomic.Int64
		post := func(path, token string, body any) (int, string, time.Duration) {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			start := time.Now()
			res, err := client.Do(req)
			if err != nil {
				return 0, err.Error(), time.Since(start)
			}
			out, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return res.StatusCode, string(out), time.Since(start)
		}
		count := func(status int, body string) {
			switch {
			case status == http.StatusServiceUnavailable || strings.Contains(body, "SQLITE_BUSY") || strings.Contains(body, "繁忙"):
				busy.Add(1)
			case status >= 500:
				fivexx.Add(1)
			default:
				other.Add(1)
			}
			if other.Load() <= 3 && status < 500 {
				t.Logf("refused: %d %s", status, body)
			}
		}

		end := time.Now().Add(time.Duration(seconds) * time.Second)
		var mu sync.Mutex
		var lat, importLat []time.Duration
		var wg sync.WaitGroup
		stopImport := make(chan struct{})
		var importWG sync.WaitGroup
		importWG.Add(1)
		var ledgerDone atomic.Bool
		var ledgerImported atomic.Int64
		go func() {
			defer importWG.Done()
			if ledgerRows > 0 {
				defer ledgerDone.Store(true)
				status, body, d := postFile(&http.Client{Timeout: 20 * time.Minute}, srv.URL+"/api/v1/imports/ledger", importToken, ledger)
				if status == http.StatusOK {
					ledgerImported.Store(int64(ledgerRows))
					mu.Lock()
					importLat = append(importLat, d)
					mu.Unlock()
				} else {
					count(status, body)
				}
				return
			}
			for n := 0; batch > 0; n++ {
				select {
				case <-stopImport:
					return
				default:
				}
				rows := make([]any, batch)
				for i := range rows {
					rows[i] = map[string]any{"item_id": importItems[i%len(importItems)], "kind": "repay", "on": "2020-01-10", "amount": "0.01", "method": "transfer"}
				}
				status, body, d := post("/api/v1/entries", importToken, map[string]any{"entries": rows})
				if status == http.StatusCreated {
					imported.Add(int64(batch))
					mu.Lock()
					importLat = append(importLat, d)
					mu.Unlock()
				} else {
					count(status, body)
				}
			}
		}()
		for _, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for time.Now().Before(end) || (ledgerRows > 0 && !ledgerDone.Load()) {
					status, body, d := post("/api/v1/items/"+strconv.FormatInt(w.item, 10)+"/entries", w.token,
						map[string]any{"kind": "repay", "on": "2020-01-10", "amount": "0.01", "method": "transfer"})
					mine = append(mine, d)
					if status == http.StatusCreated {
						acked.Add(1)
					} else {
						count(status, body)
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(stopImport)
		importWG.Wait()

		found := int64(countRows(t, db, "entries") - before)
		lost := acked.Load() + imported.Load() + ledgerImported.Load() - found
		if items := int64(countRows(t, db, "items") - itemsBefore); items < ledgerImported.Load() {
			lost = max(lost, ledgerImported.Load()-items)
		}
		if lost < 0 {
			lost = 0 // written but not acknowledged (a client timeout): not lost
		}
		slices.Sort(lat)
		slices.Sort(importLat)
		p := func(ds []time.Duration, q float64) time.Duration {
			if len(ds) == 0 {
				return 0
			}
			return ds[min(len(ds)-1, int(float64(len(ds))*q))].Round(100 * time.Microsecond)
		}
		took := time.Since(end.Add(-time.Duration(seconds) * time.Second))
		t.Logf("%s: %d writers in %d groups for %.1fs while another group imported: %d repayments (%.0f/s), p50 %v, p99 %v, max %v; "+
			"%d rows imported in batches of %d (batch p50 %v, max %v), %d ledger rows in one file (took %v); lost %d, busy %d, 5xx %d, refused %d",
			db.Dialect(), writers, min(writers, groups), took.Seconds(), acked.Load(), float64(acked.Load())/took.Seconds(), p(lat, 0.5), p(lat, 0.99), p(lat, 1),
			imported.Load(), batch, p(importLat, 0.5), p(importLat, 1), ledgerImported.Load(), p(importLat, 1), lost, busy.Load(), fivexx.Load(), other.Load())
		if lost > 0 || busy.Load() > 0 || fivexx.Load() > 0 || other.Load() > 0 {
			t.Errorf("lost %d, busy %d, 5xx %d, refused %d", lost, busy.Load(), fivexx.Load(), other.Load())
		}
		if p99Bound > 0 && p(lat, 0.99) > p99Bound {
			t.Errorf("p99 %v above %v", p(lat, 0.99), p99Bound)
		}
		if msg, err := db.VerifyTotals(sys); err != nil || msg != "" {
			t.Errorf("running totals after the load: %q %v", msg, err)
		}
	})
}

// loadLedger is a ledger CSV of n new items of the unit named org, owed to 50 creditors the
// import registers.
func loadLedger(org string, n int) []byte {
	var b strings.Builder
	heads := []string{}
	for _, c := range xlsx.LedgerColumns[:17] {
		heads = append(heads, c.Header)
	}
	b.WriteString(strings.Join(heads, ",") + "\n")
	for i := 1; i <= n; i++ {
		c := i % 50
		body := fmt.Sprintf("%08d", 30000000+c)
		first17 := "91130100" + body + string(qingqian.OrgCodeCheckChar(body))
		uscc := first17 + string(qingqian.USCCCheckChar(first17))
		fmt.Fprintf(&b, "D-%07d,%s,导入债权企业%d有限公司,%s,民营企业,DR-%d,施工合同,工程款,2019-01-10,2019-04-10,%d.25,0,,自有资金,底数,张三,\n", i, org, c, uscc, i, 1000+i)
	}
	return []byte(b.String())
}

// postFile uploads a file to an import of the API.
func postFile(client *http.Client, url, token string, file []byte) (int, string, time.Duration) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "台账.csv")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		return 0, err.Error(), time.Since(start)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, string(out), time.Since(start)
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// A read with a token answers while a long write transaction (an import's) holds the writer:
// nothing on the read path writes.
func TestReadsAnswerWhileTheWriterIsHeld(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		began, done, ended := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			ended <- db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
				if _, err := tx.Exec(`UPDATE orgs SET name = name WHERE id = $1`, e.a.ID); err != nil {
					return err
				}
				close(began)
				<-done
				return nil
			})
		}()
		<-began
		answered := make(chan *resp, 1)
		go func() { answered <- e.do("GET", "/api/v1/items", e.tokA, nil) }()
		select {
		case r := <-answered:
			r.want(t, 200)
		case <-time.After(2 * time.Second):
			t.Error("a read with a token waited for the writer")
		}
		close(done)
		if err := <-ended; err != nil {
			t.Fatal(err)
		}
	})
}
