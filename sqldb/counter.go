package sqldb

// Counters give document numbers: one row per series and year, incremented in the transaction
// that gives the number (ADR 22). Numbers from COUNT(*)+1 collided when two transactions counted
// the same rows; the counter's row makes the second wait for the first and take the next number.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// The series numbered by counters, and the numbers they give, for filling the counters from the
// numbers given before them.
var counterSeries = []struct {
	series, table string
	no            *regexp.Regexp // year and number
}{
	{"clue", "clues", regexp.MustCompile(`^TS-(\d{4})-(\d+)$`)},
	{"notice", "notices", regexp.MustCompile(`^清欠督〔(\d{4})〕(\d+)号$`)},
	{"letter", "letters", regexp.MustCompile(`^询证〔(\d{4})〕第(\d+)号$`)},
}

// nextNumber gives the next number of a series in a year, starting at 1.
func (tx *Tx) nextNumber(ctx context.Context, series string, year int) (n int64, err error) {
	defer wrapErr(&err, "the next number of %s %d", series, year)
	err = tx.QueryRowContext(ctx, `INSERT INTO counters (series, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (series, year) DO UPDATE SET last = counters.last + 1 RETURNING last`, series, year).Scan(&n)
	return n, err
}

// fillCounters sets each counter of the series named (every series when none is) to the
// highest number given so far in its series and year; a counter already higher stays.
func (tx *Tx) fillCounters(ctx context.Context, series ...string) error {
	for _, c := range counterSeries {
		if len(series) > 0 && !slices.Contains(series, c.series) {
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT no FROM `+c.table)
		if err != nil {
			return fmt.Errorf("read %s: %w", c.table, err)
		}
		last := map[int]int64{}
		for rows.Next() {
			var no string
			if err := rows.Scan(&no); err != nil {
				rows.Close()
				return err
			}
			m := c.no.FindStringSubmatch(no)
			if m == nil {
				continue
			}
			year, _ := strconv.Atoi(m[1])
			n, _ := strconv.ParseInt(m[2], 10, 64)
			last[year] = max(last[year], n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for year, n := range last {
			if _, err := tx.ExecContext(ctx, `INSERT INTO counters (series, year, last) VALUES ($1, $2, $3)
				ON CONFLICT (series, year) DO UPDATE SET last = CASE WHEN counters.last > excluded.last THEN counters.last ELSE excluded.last END`,
				c.series, year, n); err != nil {
				return fmt.Errorf("insert into counters: %w", err)
			}
		}
	}
	return nil
}
