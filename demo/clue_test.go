package demo_test

import (
	"context"
	"sort"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The demo's complaint ledger shows its deadlines: every date in order and as it happened, the
// deadlines those dates give on the calendar, some met, one clue overdue, one forwarded late and
// one registered after the fact.
func TestDemoClueDeadlines(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		clues := sqldb.NewClueService(db)
		list, n, err := clues.FindClues(ctx, qingqian.ClueFilter{Limit: 100})
		// Five clues of the last weeks and the three the 2021 inspection forwarded (campaign.go).
		if err != nil || n != 8 {
			t.Fatalf("%d clues, %v", n, err)
		}
		cal, err := sqldb.NewCalendarService(db).Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		today := qingqian.Today()
		var met, overdue, late, backdated int
		sort.Slice(list, func(i, j int) bool { return list[i].No < list[j].No })
		for i, c := range list {
			// Numbered in the order they were registered.
			if i > 0 && c.RecordedAt.Before(list[i-1].RecordedAt) {
				t.Errorf("%s registered before %s", c.No, list[i-1].No)
			}
			// The stored deadlines are those the dates give.
			again := *c
			again.Reckon(cal)
			if again.ForwardBy != c.ForwardBy || again.ResultBy != c.ResultBy || again.ForwardByProvisional != c.ForwardByProvisional ||
				again.ResultByProvisional != c.ResultByProvisional || again.DeadlineNote != c.DeadlineNote || c.ForwardBy.IsZero() {
				t.Errorf("%s: stored deadlines %+v, computed %+v", c.No, c, again)
			}
			if c.ForwardByProvisional || c.ResultByProvisional {
				if c.DeadlineNote == "" {
					t.Errorf("%s: provisional without a reason", c.No)
				}
			}
			// Dates in order, none in the future.
			order := []qingqian.Date{c.ReceivedOn, c.AssignedOn, c.MaterialsOn, c.VerifiedOn, c.ClosedOn, c.FeedbackOn, c.CallbackOn}
			last := qingqian.Date{}
			for _, d := range order {
				if d.IsZero() {
					continue
				}
				if d.Before(last) || today.Before(d) {
					t.Errorf("%s: dates out of order: %v", c.No, order)
				}
				last = d
			}
			if !c.AssignedOn.IsZero() && c.ResultBy.IsZero() {
				t.Errorf("%s: assigned without a result deadline", c.No)
			}
			if c.Backdated {
				backdated++
			}
			if c.ForwardedLate {
				late++
				if c.State != qingqian.ClueClosed || c.ForwardLateDays() < 10 {
					t.Errorf("%s: forwarded %d days late, %s", c.No, c.ForwardLateDays(), c.State)
				}
			}
			if c.Overdue(today) {
				overdue++
			}
			if c.State == qingqian.ClueClosed && !c.ForwardedLate && !c.FeedbackOn.IsZero() && !c.Deadline().Before(c.FeedbackOn) && !c.CallbackOn.IsZero() {
				met++
			}
		}
		if met != 1 || overdue != 1 || late != 1 || backdated != 1 {
			t.Fatalf("met %d, overdue %d, forwarded late %d, back-dated %d", met, overdue, late, backdated)
		}
		if _, n, err := clues.FindClues(ctx, qingqian.ClueFilter{ForwardLate: true}); err != nil || n != 2 {
			t.Fatalf("forwarded late or not forwarded in time: %d %v", n, err)
		}
	})
}
