package qingqian

import "testing"

func TestTimelyRatesRoundHalfUp(t *testing.T) {
	cases := []struct {
		onTime, due      int
		onTimeAmt, dueAm Money
		rate, amountRate int64
	}{
		{2, 3, 200, 300, 6667, 6667},               // 66.666… %: half-up, not 66.66 %
		{1, 3, 100, 300, 3333, 3333},               // 33.333… %
		{1, 8, 1, 8000, 1250, 1},                   // 12.5 % exactly; 0.0125 % → 0.01 %
		{0, 0, 0, 0, 0, 0},                         // nothing fell due
		{5, 5, 700, 700, 10000, 10000},             // all on time
		{0, 4, 0, 900, 0, 0},                       // none
		{1, 20000, 1, 20000, 1, 1},                 // 0.005 % rounds up to 0.01 %
		{19999, 20000, 19999, 20000, 10000, 10000}, // 99.995 % rounds up to 100 %
	}
	for _, c := range cases {
		r := TimelyRow{OnTime: c.onTime, Due: c.due, OnTimeAmount: c.onTimeAmt, DueAmount: c.dueAm}
		r.Finish()
		if r.Rate != c.rate || r.AmountRate != c.amountRate {
			t.Errorf("%d/%d, %d/%d: rate %d, amount rate %d; want %d, %d", c.onTime, c.due, c.onTimeAmt, c.dueAm, r.Rate, r.AmountRate, c.rate, c.amountRate)
		}
	}
}
