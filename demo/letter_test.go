package demo_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/demo"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The demo province has letters confirmed, disputed and unanswered, drawn with the recorded
// seed; the signals show the dispute and the letter past its reply date.
func TestDemoLetters(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		svc := sqldb.NewServices(db)
		list, n, err := svc.Letters.FindLetters(ctx, qingqian.LetterFilter{Limit: 100})
		if err != nil || n < 4 {
			t.Fatalf("letters: %d %v", n, err)
		}
		states := map[string]int{}
		for _, l := range list {
			states[l.StatusLabel()]++
			if l.No == "" || len(l.Lines) == 0 || l.Total <= 0 {
				t.Errorf("letter %+v", l)
			}
		}
		if states["回函相符"] < 2 || states["回函不符"] != 1 || states["逾期未回函"] != 1 {
			t.Errorf("letters by state: %v", states)
		}
		rep, err := svc.Signals.Signals(ctx, 0, qingqian.Date{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, s := range rep.Signals {
			got[s.Key] = s.Count
		}
		if got["letter_disputed"] != 1 || got["letter_unanswered"] != 1 {
			t.Errorf("signals: %v", got)
		}
		c := rep.Confirmations
		if c.Confirmed <= 0 || c.Disputed <= 0 || c.Unconfirmed <= 0 {
			t.Errorf("confirmations: %+v", c)
		}
		_ = demo.LetterSeed
	})
}
