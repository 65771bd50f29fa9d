package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"
)

// owingCols are the counts kept by unit in org_owing (migration 0032, ADR 40), and
// owingComputed computes them from the items, by unit in id order.
const (
	owingCols     = `owing, undated, unfunded, disputed, disp_out, disp_rec, disp_rep`
	owingComputed = `SELECT org_id,
		CAST(SUM(CASE WHEN out_u + out_d > 0 THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN out_u + out_d > 0 AND due_on IS NULL THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN out_u + out_d > 0 AND funding_source = '' THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN out_d > 0 THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN out_d > 0 THEN out_u + out_d ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN out_d > 0 THEN rec_u + rec_d ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN out_d > 0 THEN rep_u + rep_d ELSE 0 END) AS BIGINT)
		FROM items WHERE out_u + out_d > 0 OR out_d > 0 GROUP BY org_id`
)

// owingRow is one unit's counts in org_owing.
type owingRow [7]int64

// owingNames names the counts of an owingRow in a problem.
var owingNames = [7]string{"仍欠款条目数", "其中无到期日的", "其中未落实资金来源的", "有分歧条目数", "有分歧条目的未清偿金额（分）", "有分歧条目的认定金额（分）", "有分歧条目的已清偿金额（分）"}

// verifyOwing checks the counts kept by unit against the items (docs/verify.md, check 13): the
// dashboard's counts and the disputed ledger's sums are read from them.
func (db *DB) verifyOwing(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the counts of items owing")
	read := func(query string) (map[int64]owingRow, error) {
		rows, err := s.tx.QueryContext(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		m := map[int64]owingRow{}
		for rows.Next() {
			var org int64
			var r owingRow
			if err := rows.Scan(&org, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]); err != nil {
				return nil, err
			}
			m[org] = r
		}
		return m, rows.Err()
	}
	kept, err := read(`SELECT org_id, ` + owingCols + ` FROM org_owing`)
	if err != nil {
		return fmt.Errorf("read org_owing: %w", err)
	}
	want, err := read(owingComputed)
	if err != nil {
		return fmt.Errorf("count the items owing: %w", err)
	}
	for org := range want {
		if _, ok := kept[org]; !ok {
			kept[org] = owingRow{}
		}
	}
	listed := 0
	for _, org := range slices.Sorted(maps.Keys(kept)) {
		k, w := kept[org], want[org]
		for i := range k {
			if k[i] != w[i] {
				if listed < maxListed {
					rep.add("欠款条目计数异常：单位 %d 记下的%s为 %d，按台账条目应为 %d（首页与台账的计数读自此处：被绕过系统改动）", org, owingNames[i], k[i], w[i])
				}
				listed++
				break
			}
		}
	}
	if listed > maxListed {
		rep.add("另有 %d 个单位的欠款条目计数与台账条目不符", listed-maxListed)
	}
	return nil
}
