package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
	"github.com/qingqian/qingqian/web"
)

// BenchmarkAPIRepayment records single repayments through POST /api/v1/items/{id}/entries on
// loopback, with 1, 4 and 16 clients (each its own item in a group of its own), and measures
// in the same run its yardstick: single-row INSERTs, each committed on its own, by as many
// goroutines, into a two-column table of the same database. The ratio of the two is the figure
// docs/benchmarks.md records.
//
//	QINGQIAN_TEST_POSTGRES=… go test -run X -bench BenchmarkAPIRepayment -benchtime 2000x ./web/
func BenchmarkAPIRepayment(b *testing.B) {
	for _, dialect := range sqldbtest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := sqldbtest.MustOpen(b, dialect)
			svc := MustServices(db)
			sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("基准测试"))
			root := &qingqian.Org{Name: "示范省国资委", Kind: qingqian.OrgRegulator}
			if err := svc.Orgs.CreateOrg(sys, root); err != nil {
				b.Fatal(err)
			}
			creditor := &qingqian.Creditor{Name: "某某劳务有限公司", USCC: "91110000600037341L", Ownership: qingqian.OwnershipPrivate}
			if err := svc.Creditors.CreateCreditor(sys, creditor); err != nil {
				b.Fatal(err)
			}
			const groups, maxClients = 16, 16
			type writer struct {
				token string
				item  int64
			}
			var ws []writer
			for g := range groups {
				o := &qingqian.Org{ParentID: root.ID, Name: fmt.Sprintf("第%d集团", g+1), Kind: qingqian.OrgGroup}
				if err := svc.Orgs.CreateOrg(sys, o); err != nil {
					b.Fatal(err)
				}
				_, secret, err := svc.Tokens.CreateToken(sys, "基准测试", o.ID, []qingqian.Role{qingqian.RoleClerk})
				if err != nil {
					b.Fatal(err)
				}
				for n := range maxClients / groups {
					it := &qingqian.Item{OrgID: o.ID, Creditor: &qingqian.Creditor{USCC: creditor.USCC}, ContractNo: fmt.Sprintf("HT-%d-%d", o.ID, n), ContractName: "施工合同",
						Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2019-01-10"), Undisputed: qingqian.Yuan(100_000_000),
						Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
					if err := svc.Items.CreateItem(sys, it); err != nil {
						b.Fatal(err)
					}
					ws = append(ws, writer{secret, it.ID})
				}
			}
			order := ws
			if err := db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`CREATE TABLE bench_commits (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)`)
				return err
			}); err != nil {
				b.Fatal(err)
			}

			s, err := web.NewServer(svc, db.Ping, sqldb.DefaultMaxVoucherSize, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: maxClients + 4}, Timeout: time.Minute}
			defer client.CloseIdleConnections()
			body, _ := json.Marshal(map[string]any{"kind": "repay", "on": "2020-01-10", "amount": "0.01", "method": "transfer"})

			var rawID atomic.Int64
			for _, clients := range []int{1, 4, 16} {
				// run spreads b.N operations over the clients and returns the rate.
				run := func(b *testing.B, op func(w writer) error) {
					var next atomic.Int64
					var wg sync.WaitGroup
					var failed atomic.Value
					b.ResetTimer()
					for c := range clients {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for next.Add(1) <= int64(b.N) {
								if err := op(order[c]); err != nil {
									failed.Store(err)
									return
								}
							}
						}()
					}
					wg.Wait()
					if err, _ := failed.Load().(error); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
				}
				b.Run(fmt.Sprintf("clients=%d/api", clients), func(b *testing.B) {
					run(b, func(w writer) error {
						req, _ := http.NewRequest("POST", srv.URL+"/api/v1/items/"+strconv.FormatInt(w.item, 10)+"/entries", bytes.NewReader(body))
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Authorization", "Bearer "+w.token)
						res, err := client.Do(req)
						if err != nil {
							return err
						}
						out, _ := io.ReadAll(res.Body)
						res.Body.Close()
						if res.StatusCode != http.StatusCreated {
							return fmt.Errorf("%d %s", res.StatusCode, out)
						}
						return nil
					})
				})
				b.Run(fmt.Sprintf("clients=%d/raw-commits", clients), func(b *testing.B) {
					run(b, func(writer) error {
						return db.WriteTxForTest(context.Background(), func(tx *sql.Tx) error {
							_, err := tx.Exec(`INSERT INTO bench_commits (id, v) VALUES ($1, $2)`, rawID.Add(1), 1)
							return err
						})
					})
				})
			}
			if msg, err := db.VerifyTotals(sys); err != nil || msg != "" {
				b.Errorf("running totals after the benchmark: %q %v", msg, err)
			}
		})
	}
}
