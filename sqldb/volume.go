package sqldb

// The ledger's gross movement (ADR 16): what bounds every sum of amounts. Each transaction
// counts the entries it writes, per group, and adds them to its group's row of ledger_volume when
// it commits; a group or the ledger past its ceiling refuses the transaction. There is no row for
// the whole ledger, which every group would wait for: its sum is read, without a lock, at commit.

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// volumeTally is what a transaction adds to the gross movement, per group.
type volumeTally map[int64]int64

// volumeGroupOf is the group a unit's path belongs to: the unit under the regulator, or the
// regulator for its own items.
func volumeGroupOf(path string) int64 {
	ids := ancestors(path)
	if len(ids) >= 2 {
		return ids[1]
	}
	if len(ids) == 1 {
		return ids[0]
	}
	return 0
}

// countVolume adds an entry about to be written to the transaction's tally. A reversal adds
// nothing; recordTx releases the reversed entry's movement when the reversal is on its date.
func (tx *Tx) countVolume(path string, e *qingqian.Entry) {
	if e.Kind == qingqian.EntryReversal {
		return
	}
	tx.addVolume(path, int64(qingqian.VolumeOf(e.Undisputed, e.Disputed)))
}

// addVolume adds v (negative: a release) to the tally of path's group.
func (tx *Tx) addVolume(path string, v int64) {
	if tx.volume == nil {
		tx.volume = volumeTally{}
	}
	bound := 4 * int64(qingqian.MaxLedgerVolume) // saturating: an absurd batch is refused, never wrapped
	g := volumeGroupOf(path)
	tx.volume[g] = max(min(tx.volume[g]+max(min(v, bound), -bound), bound), -bound)
}

// commitVolume adds the tally to ledger_volume and refuses a transaction that adds to a group or
// the ledger past its ceiling. A transaction that only takes off (reversals) always passes.
func (tx *Tx) commitVolume(ctx context.Context) (err error) {
	if len(tx.volume) == 0 {
		return nil
	}
	defer wrapErr(&err, "count the ledger's gross movement")
	added := false
	// In a fixed order, so that two transactions never wait for each other's rows.
	for _, g := range slices.Sorted(maps.Keys(tx.volume)) {
		add := tx.volume[g]
		if add == 0 {
			continue
		}
		var gross int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO ledger_volume (org_id, gross) VALUES ($1, $2)
			ON CONFLICT (org_id) DO UPDATE SET gross = ledger_volume.gross + excluded.gross RETURNING gross`, g, max(add, 0)).Scan(&gross); err != nil {
			return err
		}
		if add < 0 {
			// A release: the row exists (its entries were counted); take it off.
			if err := tx.QueryRowContext(ctx, `UPDATE ledger_volume SET gross = CASE WHEN gross + $2 < 0 THEN 0 ELSE gross + $2 END
				WHERE org_id = $1 RETURNING gross`, g, add).Scan(&gross); err != nil {
				return err
			}
			continue
		}
		added = true
		if gross > int64(qingqian.MaxGroupVolume) {
			return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("本集团台账的累计发生额将超过上限 %s 元（10万亿元），本次录入未保存；请核对金额，错误的记录请冲正", qingqian.MaxGroupVolume),
				Fields: map[string]string{"amount": "累计发生额超过上限"}}
		}
	}
	if !added {
		return nil
	}
	// The whole ledger, summed without a lock: transactions of several groups committing at
	// once may each see the others' additions missing, so the sum can pass the ceiling by what
	// the transactions in flight add — each at most a group's ceiling, and they are as many as
	// the connections (tens) — far below the margin of ADR 16 (the figures stay under 2^59).
	var total string
	if err := tx.QueryRowContext(ctx, `SELECT CAST(COALESCE(SUM(gross), 0) AS TEXT) FROM ledger_volume`).Scan(&total); err != nil {
		return err
	}
	if v, ok := parseVolume(total); !ok || v > int64(qingqian.MaxLedgerVolume) {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("全省台账的累计发生额将超过上限 %s 元（1,000万亿元），本次录入未保存；请核对金额，错误的记录请冲正", qingqian.MaxLedgerVolume),
			Fields: map[string]string{"amount": "累计发生额超过上限"}}
	}
	return nil
}

// volumeSQL is each entry's share of the gross movement: its parts' absolute values; nothing
// for a reversal on another date than the entry it reverses (which stays counted); minus the
// reversed entry's for a reversal on its date (the pair cancels in every figure).
const volumeSQL = `CASE WHEN e.kind <> 'reversal' THEN ABS(e.du) + ABS(e.dd)
	WHEN e.on_date = (SELECT r.on_date FROM entries r WHERE r.id = e.reverses_id) THEN -(ABS(e.du) + ABS(e.dd)) ELSE 0 END`

// computedVolume recomputes the gross movement from the entries, per group. ok is false when a sum passes int64, which only a ledger written before the ceilings
// can hold.
func (db *DB) computedVolume(ctx context.Context, q queryer) (_ map[int64]int64, ok bool, err error) {
	defer wrapErr(&err, "recompute the gross movement")
	sum := `CAST(SUM(` + strings.ReplaceAll(volumeSQL, "ABS(e.du) + ABS(e.dd)", "ABS(e.du::numeric) + ABS(e.dd::numeric)") + `) AS TEXT)`
	if db.d.name != "postgres" {
		sum = `CAST(TOTAL(` + volumeSQL + `) AS TEXT)`
	}
	rows, err := q.QueryContext(ctx, `SELECT o.path, `+sum+` FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id GROUP BY o.path`)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := map[int64]int64{}
	ok = true
	for rows.Next() {
		var path, s string
		if err := rows.Scan(&path, &s); err != nil {
			return nil, false, err
		}
		v, good := parseVolume(s)
		ok = ok && good
		if g := volumeGroupOf(path); out[g] > math.MaxInt64-v {
			ok, out[g] = false, math.MaxInt64
		} else {
			out[g] += v
		}
	}
	return out, ok, rows.Err()
}

// parseVolume reads a sum written as an integer ("123"), or by SQLite's TOTAL as a float
// ("123.0", exact below 2^53; above that the ledger is far past its ceiling anyway).
func parseVolume(s string) (int64, bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f >= math.MaxInt64 || f < 0 {
		return math.MaxInt64, false
	}
	return int64(f), true
}

// rebuildVolume replaces ledger_volume with the recomputation (after a unit moved to another
// group, or a rebuild of the totals).
func (tx *Tx) rebuildVolume(ctx context.Context) (err error) {
	defer wrapErr(&err, "rebuild ledger_volume")
	vol, _, err := tx.db.computedVolume(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ledger_volume`); err != nil {
		return err
	}
	for _, g := range slices.Sorted(maps.Keys(vol)) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_volume (org_id, gross) VALUES ($1, $2)`, g, vol[g]); err != nil {
			return err
		}
	}
	return nil
}

// verifyVolume compares ledger_volume with the recomputation and reports the first problem, or "".
func (db *DB) verifyVolume(ctx context.Context, q queryer) (string, error) {
	vol, ok, err := db.computedVolume(ctx, q)
	if err != nil {
		return "", err
	}
	if !ok {
		return "台账累计发生额超出了可计算的范围：存在超过金额上限的记录，请冲正", nil
	}
	rows, err := q.QueryContext(ctx, `SELECT org_id, gross FROM ledger_volume`)
	if err != nil {
		return "", fmt.Errorf("read ledger_volume: %w", err)
	}
	defer rows.Close()
	stored := map[int64]int64{}
	for rows.Next() {
		var g, v int64
		if err := rows.Scan(&g, &v); err != nil {
			return "", err
		}
		stored[g] = v
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	var ledger int64
	for _, g := range slices.Sorted(maps.Keys(vol)) {
		ledger = min(ledger+vol[g], math.MaxInt64/2) // each at most MaxInt64: no wrap
		if stored[g] != vol[g] {
			return fmt.Sprintf("单位 %d 的台账累计发生额记为 %s 元，按明细分录应为 %s 元", g, qingqian.Money(stored[g]), qingqian.Money(vol[g])), nil
		}
	}
	for _, g := range slices.Sorted(maps.Keys(stored)) {
		if _, ok := vol[g]; !ok && stored[g] != 0 {
			return fmt.Sprintf("单位 %d 的台账累计发生额记为 %s 元，但没有明细分录", g, qingqian.Money(stored[g])), nil
		}
	}
	if ledger > 2*int64(qingqian.MaxLedgerVolume) {
		return fmt.Sprintf("全省台账累计发生额 %s 元超过上限", qingqian.Money(ledger)), nil
	}
	return "", nil
}
