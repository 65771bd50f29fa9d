package sqldb

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// The table of measures and the schema agree: every column of the running totals besides the
// key is a measure, and every measure is a column of both tables.
func TestMeasuresAreTheTotalsColumns(t *testing.T) {
	cols, err := openMigrated(t).Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for table, key := range map[string]string{"org_totals": totalsKeyCols, "org_totals_month": monthKeyCols} {
		var got []string
		for _, c := range cols {
			name, _, _ := strings.Cut(strings.TrimPrefix(c, table+"."), " ")
			if strings.HasPrefix(c, table+".") && !slices.Contains(strings.Split(key, ", "), name) {
				got = append(got, name)
			}
		}
		var want []string
		for _, m := range measureCols {
			want = append(want, m.col)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s has the measure columns %v, the table of measures %v", table, got, want)
		}
	}
}
