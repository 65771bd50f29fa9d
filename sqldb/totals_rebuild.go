package sqldb

// Recomputing the running totals from the entries: RebuildTotals after a bulk load, VerifyTotals
// for `qingqian verify`, and the migrations that added measures.

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// RebuildTotals recomputes every unit's running totals from the entries. Bulk loads use it
// instead of maintaining the totals row by row; VerifyTotals compares against it.
func (db *DB) RebuildTotals(ctx context.Context) (err error) {
	defer serviceErr(&err, "rebuild the running totals")
	return db.inTx(ctx, qingqian.SystemActor("rebuild"), func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_totals`); err != nil {
			return fmt.Errorf("delete from org_totals: %w", err)
		}
		if err := tx.insertComputedTotals(ctx, "org_totals"); err != nil {
			return err
		}
		return tx.rollUpMonths(ctx, "org_totals", "org_totals_month")
	})
}

// rollUpMonths replaces the monthly table dst with the roll-up of the daily table src.
func (tx *Tx) rollUpMonths(ctx context.Context, src, dst string) (err error) {
	defer wrapErr(&err, "roll %s up into %s", src, dst)
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+dst); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+dst+` (`+monthKeyCols+`, `+totalsCols+`)
		SELECT org_id, `+tx.db.d.monthOf("day")+`, kind, origin, `+totalsSums+`
		FROM `+src+` GROUP BY org_id, `+tx.db.d.monthOf("day")+`, kind, origin`)
	return err
}

// insertComputedTotals writes into table the totals computed from entries and items, through a
// temporary closure of the tree (each unit with each of its ancestors).
func (tx *Tx) insertComputedTotals(ctx context.Context, table string) (err error) {
	return tx.insertComputedTotalsOf(ctx, table, "")
}

// insertComputedTotalsOf writes into table the totals computed for the units that the SQL
// condition on c.anc_id picks (all units when empty).
func (tx *Tx) insertComputedTotalsOf(ctx context.Context, table, units string) (err error) {
	defer wrapErr(&err, "compute the running totals into %s", table)
	only := ""
	if units != "" {
		only = " AND (" + units + ")"
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS tmp_closure (org_id BIGINT NOT NULL, anc_id BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create tmp_closure: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tmp_closure`); err != nil {
		return fmt.Errorf("delete from tmp_closure: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM orgs`)
	if err != nil {
		return fmt.Errorf("read orgs: %w", err)
	}
	type pair struct{ org, anc int64 }
	var pairs []pair
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return err
		}
		for _, anc := range totalsHolders(path) {
			pairs = append(pairs, pair{id, anc})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for start := 0; start < len(pairs); start += 400 {
		end := min(start+400, len(pairs))
		var q args
		vals := make([]string, 0, end-start)
		for _, p := range pairs[start:end] {
			vals = append(vals, "("+q.add(p.org)+", "+q.add(p.anc)+")")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tmp_closure (org_id, anc_id) VALUES `+strings.Join(vals, ", "), q...); err != nil {
			return fmt.Errorf("insert into tmp_closure: %w", err)
		}
	}
	// What each statement computes of the measures; the others are 0.
	cat := func(c, col string) string {
		return `CAST(SUM(CASE WHEN e.cat = '` + c + `' THEN ` + col + ` ELSE 0 END) AS BIGINT)`
	}
	// The reversal of a repayment whose voucher never came takes it off the voucherless count.
	unvouchedReversal := `e.kind = 'reversal' AND e.cat = 'rep' AND NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.reverses_id)`
	ofEntries := computedMeasures(map[measure]string{
		mRecU: cat("rec", "e.du"), mRecD: cat("rec", "e.dd"),
		mRepU: cat("rep", "-e.du"), mRepD: cat("rep", "-e.dd"),
		mAdjU: cat("adj", "e.du"), mAdjD: cat("adj", "e.dd"),
		mPayN:  `CAST(SUM(CASE WHEN e.kind = 'repay' THEN 1 WHEN e.kind = 'reversal' AND e.cat = 'rep' THEN -1 ELSE 0 END) AS BIGINT)`,
		mPayNV: `CAST(SUM(CASE WHEN e.kind = 'repay' THEN 1 WHEN ` + unvouchedReversal + ` THEN -1 ELSE 0 END) AS BIGINT)`,
		mRepNV: `CAST(SUM(CASE WHEN e.kind = 'repay' OR (` + unvouchedReversal + `) THEN -(e.du + e.dd) ELSE 0 END) AS BIGINT)`,
	})
	// A repayment stops counting as without voucher on the day its first voucher was attached.
	ofFirstVouchers := computedMeasures(map[measure]string{mPayNV: `CAST(-COUNT(*) AS BIGINT)`, mRepNV: `CAST(SUM(e.du + e.dd) AS BIGINT)`})
	ofItems := computedMeasures(map[measure]string{mItems: `COUNT(*)`})
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+totalsKeyCols+`, `+totalsCols+`)
		SELECT c.anc_id, e.on_date, e.recorded_on, i.kind, i.origin, `+ofEntries+`
		FROM entries e JOIN items i ON i.id = e.item_id JOIN tmp_closure c ON c.org_id = i.org_id
		WHERE true`+only+`
		GROUP BY c.anc_id, e.on_date, e.recorded_on, i.kind, i.origin`); err != nil {
		return err
	}
	upsert := upsertSums(table, totalsKeyCols)
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+totalsKeyCols+`, `+totalsCols+`)
		SELECT c.anc_id, e.on_date, fv.first_on, i.kind, i.origin, `+ofFirstVouchers+`
		FROM (SELECT entry_id, MIN(attached_on) AS first_on FROM entry_vouchers GROUP BY entry_id) fv
			JOIN entries e ON e.id = fv.entry_id JOIN items i ON i.id = e.item_id JOIN tmp_closure c ON c.org_id = i.org_id
		WHERE e.kind = 'repay'`+only+` GROUP BY c.anc_id, e.on_date, fv.first_on, i.kind, i.origin`+upsert); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO `+table+` (`+totalsKeyCols+`, `+totalsCols+`)
		SELECT c.anc_id, i.arisen_on, i.created_on, i.kind, i.origin, `+ofItems+`
		FROM items i JOIN tmp_closure c ON c.org_id = i.org_id
		WHERE true`+only+` GROUP BY c.anc_id, i.arisen_on, i.created_on, i.kind, i.origin`+upsert)
	return err
}

// VerifyTotals recomputes the running totals from the entries and reports the first unit
// whose stored totals differ, or "" when they all agree. It writes nothing lasting.
func (db *DB) VerifyTotals(ctx context.Context) (_ string, err error) {
	defer serviceErr(&err, "verify the running totals")
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer sqltx.Rollback() // the temporary rows go with it
	tx := &Tx{Tx: sqltx, db: db, now: db.Now(), actor: qingqian.SystemActor("verify")}
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS tmp_totals (org_id BIGINT NOT NULL, day `+db.d.dateType()+` NOT NULL, rec_day `+db.d.dateType()+` NOT NULL,
		kind TEXT NOT NULL, origin TEXT NOT NULL, `+measureDDL+`, PRIMARY KEY (`+totalsKeyCols+`))`); err != nil {
		return "", fmt.Errorf("create tmp_totals: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tmp_totals`); err != nil {
		return "", fmt.Errorf("delete from tmp_totals: %w", err)
	}
	if err := tx.insertComputedTotals(ctx, "tmp_totals"); err != nil {
		return "", err
	}
	// Rows that sum to zero (left by moves and reversals) do not count.
	nonzero := ` WHERE ` + anyMeasure
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(MIN(COALESCE(a.org_id, b.org_id)), 0) AS BIGINT)
		FROM (SELECT * FROM org_totals`+nonzero+`) a FULL OUTER JOIN (SELECT * FROM tmp_totals`+nonzero+`) b
		ON a.org_id = b.org_id AND a.day = b.day AND a.rec_day = b.rec_day AND a.kind = b.kind AND a.origin = b.origin
		WHERE a.org_id IS NULL OR b.org_id IS NULL OR `+measuresDiffer).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("compare org_totals: %w", err)
	}
	if id != 0 {
		return fmt.Sprintf("单位 %d 的汇总数与明细分录不一致", id), nil
	}
	// The monthly roll-up must equal the months of the recomputed totals.
	if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE IF NOT EXISTS tmp_month (org_id BIGINT NOT NULL, month `+db.d.dateType()+` NOT NULL,
		kind TEXT NOT NULL, origin TEXT NOT NULL, `+measureDDL+`, PRIMARY KEY (`+monthKeyCols+`))`); err != nil {
		return "", fmt.Errorf("create tmp_month: %w", err)
	}
	if err := tx.rollUpMonths(ctx, "tmp_totals", "tmp_month"); err != nil {
		return "", err
	}
	err = tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(MIN(COALESCE(a.org_id, b.org_id)), 0) AS BIGINT)
		FROM (SELECT * FROM org_totals_month`+nonzero+`) a FULL OUTER JOIN (SELECT * FROM tmp_month`+nonzero+`) b
		ON a.org_id = b.org_id AND a.month = b.month AND a.kind = b.kind AND a.origin = b.origin
		WHERE a.org_id IS NULL OR b.org_id IS NULL OR `+measuresDiffer).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("compare org_totals_month: %w", err)
	}
	if id != 0 {
		return fmt.Sprintf("单位 %d 的月度汇总数与明细分录不一致", id), nil
	}
	return "", nil
}

// migrateWritersApart is the work of migration 0015: the counters start from the numbers given so
// far, and the root units' running totals are recomputed to hold their own items only (their
// figures are now summed with their children's when read).
func migrateWritersApart(ctx context.Context, tx *Tx) (err error) {
	defer wrapErr(&err, "fill the counters and the root's totals")
	if err := tx.fillCounters(ctx); err != nil {
		return err
	}
	const roots = `SELECT id FROM orgs WHERE parent_id IS NULL`
	for _, t := range []string{"org_totals", "org_totals_month"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t+` WHERE org_id IN (`+roots+`)`); err != nil {
			return fmt.Errorf("delete from %s: %w", t, err)
		}
	}
	if err := tx.insertComputedTotalsOf(ctx, "org_totals", `c.anc_id IN (`+roots+`)`); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO org_totals_month (`+monthKeyCols+`, `+totalsCols+`)
		SELECT org_id, `+tx.db.d.monthOf("day")+`, kind, origin, `+totalsSums+`
		FROM org_totals WHERE org_id IN (`+roots+`) GROUP BY org_id, `+tx.db.d.monthOf("day")+`, kind, origin`)
	return err
}
