package qingqian

import "testing"

// New arrears arise on the first day overdue: an item of origin new may be due the day before it
// arose, and no earlier; other origins may not be due before they arose.
func TestItemDueBeforeArisen(t *testing.T) {
	base := Item{OrgID: 1, CreditorID: 1, Kind: KindGoods, Undisputed: Yuan(100), ArisenOn: MustParseDate("2025-10-01")}
	for _, tc := range []struct {
		origin Origin
		due    string
		ok     bool
	}{
		{OriginNew, "2025-09-30", true},
		{OriginNew, "2025-10-01", true},
		{OriginNew, "2025-09-29", false},
		{OriginSelfCheck, "2025-09-30", false},
		{OriginBaseline, "2025-09-30", false},
	} {
		it := base
		it.Origin, it.DueOn = tc.origin, MustParseDate(tc.due)
		err := it.Validate()
		if got := ErrorFields(err)["due_on"] == ""; got != tc.ok {
			t.Errorf("%s due %s: %v", tc.origin, tc.due, err)
		}
	}
}
