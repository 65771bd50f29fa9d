package sqldb

// Recomputing the running totals from the entries: RebuildTotals after a bulk load and the
// migrations that added measures. (VerifyTotals, for `qingqian verify`, is in verify_totals.go.)

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/qingqian/qingqian"
)

// RebuildTotals recomputes every unit's running totals from the entries, and the counts of the
// items owing kept by unit from the items. Bulk loads use it instead of maintaining the totals
// row by row; VerifyTotals compares against it.
func (db *DB) RebuildTotals(ctx context.Context) (err error) {
	defer serviceErr(&err, "rebuild the running totals")
	return db.inTx(ctx, qingqian.SystemActor("rebuild"), func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_totals`); err != nil {
			return fmt.Errorf("delete from org_totals: %w", err)
		}
		if err := tx.insertComputedTotals(ctx, "org_totals"); err != nil {
			return err
		}
		if err := tx.rollUpMonths(ctx, "org_totals", "org_totals_month"); err != nil {
			return err
		}
		if err := tx.rebuildVolume(ctx); err != nil {
			return err
		}
		// The counts kept by unit: the triggers keep them on every write; recounted here all the
		// same, as a repair of what verify found wrong (check 13).
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_owing`); err != nil {
			return fmt.Errorf("delete from org_owing: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_owing (org_id, `+owingCols+`) `+owingComputed); err != nil {
			return fmt.Errorf("recount org_owing: %w", err)
		}
		return nil
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

// VerifyBalances looks for balances no ledger can have: an item, or a unit's totals at the end
// of any month, owing a negative amount or having repaid a negative one; sums that pass int64;
// a gross movement that differs from the entries or passes its ceiling (ADR 16). It returns
// the problems found (at most 20), none when the ledger is sound. It reads through q (verify's
// snapshot) and writes nothing.
func (db *DB) verifyBalances(ctx context.Context, q queryer) (_ []string, err error) {
	defer wrapErr(&err, "verify the balances")
	var out []string
	if msg, err := db.verifyVolume(ctx, q); err != nil {
		return nil, err
	} else if msg != "" {
		out = append(out, msg)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, no, out_u, out_d, rep_u, rep_d FROM items
		WHERE out_u < 0 OR out_d < 0 OR rep_u < 0 OR rep_d < 0 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	for rows.Next() && len(out) < 20 {
		var id int64
		var no string
		var ou, od, ru, rd qingqian.Money
		if err := rows.Scan(&id, &no, &ou, &od, &ru, &rd); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, fmt.Sprintf("条目 %d（%s）余额不可能：未清偿无分歧 %s 元、有分歧 %s 元，已清偿无分歧 %s 元、有分歧 %s 元", id, no, ou, od, ru, rd))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Each unit's totals month by month, added up exactly: a negative balance at the end of any
	// month, or a sum past int64, is reported.
	// Rows are read one by one (no SUM in SQL, which would fail on such a ledger); within a
	// month each row is one kind and origin, whose own balance is never negative either.
	rows, err = q.QueryContext(ctx, `SELECT org_id, month, `+totalsCols+` FROM org_totals_month ORDER BY org_id, month`)
	if err != nil {
		return nil, fmt.Errorf("read org_totals_month: %w", err)
	}
	defer rows.Close()
	var cur int64 = -1
	var acc [numMeasures]*big.Int
	reported := false
	for rows.Next() && len(out) < 20 {
		var id int64
		var month qingqian.Date
		var m measures
		if err := rows.Scan(append([]any{&id, &month}, m.pointers()...)...); err != nil {
			return nil, err
		}
		if id != cur {
			cur, reported = id, false
			for i := range acc {
				acc[i] = new(big.Int)
			}
		}
		for i, v := range m {
			acc[i].Add(acc[i], big.NewInt(v))
		}
		if reported {
			continue
		}
		ou := new(big.Int).Sub(acc[mRecU], acc[mRepU])
		ou.Add(ou, acc[mAdjU])
		od := new(big.Int).Sub(acc[mRecD], acc[mRepD])
		od.Add(od, acc[mAdjD])
		var problem string
		switch {
		case !fitsMoney(acc[:]...) || !fitsMoney(ou, od):
			problem = "金额合计超出了可计算的范围"
		case ou.Sign() < 0 || od.Sign() < 0:
			problem = fmt.Sprintf("未清偿余额为负（无分歧 %s 元、有分歧 %s 元）", qingqian.Money(ou.Int64()), qingqian.Money(od.Int64()))
		case acc[mRepU].Sign() < 0 || acc[mRepD].Sign() < 0:
			problem = fmt.Sprintf("已清偿金额为负（无分歧 %s 元、有分歧 %s 元）", qingqian.Money(acc[mRepU].Int64()), qingqian.Money(acc[mRepD].Int64()))
		}
		if problem != "" {
			reported = true
			out = append(out, fmt.Sprintf("单位 %d 截至 %d年%d月底的汇总数不可能：%s", id, month.Year(), month.Month(), problem))
		}
	}
	return out, rows.Err()
}

// fitsMoney reports whether every value fits in int64.
func fitsMoney(vs ...*big.Int) bool {
	for _, v := range vs {
		if !v.IsInt64() {
			return false
		}
	}
	return true
}

// migrateWritersApart is the work of migration 0014: the counters start from the numbers given so
// far, and the root units' running totals are recomputed to hold their own items only (their
// figures are now summed with their children's when read).
func migrateWritersApart(ctx context.Context, tx *Tx) (err error) {
	defer wrapErr(&err, "fill the counters and the root's totals")
	// The series numbered by counters when this migration came; letters came later (0023).
	if err := tx.fillCounters(ctx, "clue", "notice"); err != nil {
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
