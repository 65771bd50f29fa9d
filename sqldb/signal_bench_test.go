package sqldb_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// BenchmarkSignals evaluates every signal over the bulk-loaded province and over one group, as of
// a date; run it with BenchmarkConsolidatedReport/draft as the yardstick (which also opens the
// periods whose dates the signals look around).
func BenchmarkSignals(b *testing.B) {
	p := loadProvince(b)
	sys := qingqian.NewContext(context.Background(), qingqian.SystemActor("bench"))
	signals := sqldb.NewSignalService(p.db)
	for _, c := range []struct {
		name string
		org  int64
	}{{"province", p.root}, {"group", p.groups[0]}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				rep, err := signals.Signals(sys, c.org, qingqian.MustParseDate("2021-12-31"))
				if err != nil || len(rep.Signals) == 0 {
					b.Fatalf("signals: %v", err)
				}
			}
		})
	}
}
