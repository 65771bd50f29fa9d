package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/qingqian/qingqian"
)

// publishedEntry reports an entry without an audit record of its own that a published import
// wrote: the recognise entry of an item carrying the import's id. Its import's record proves
// it (verifyImports).
func publishedEntry(x *entryRow, itemID, importID int64) bool {
	return x.seq == 0 && importID != 0 && x.e.ItemID == itemID && x.e.Kind == qingqian.EntryRecognise
}

// verifyImports recomputes, for every import that published items, the digest of those items
// and their recognise entries, and compares it with the import's audit record (import.publish),
// whose place in the chain the chain proves: an item or entry of an import added, changed or
// removed behind the service's back no longer matches, and items carrying an import's id
// without a record were not written by the service.
func (db *DB) verifyImports(ctx context.Context, s *snapshot, rep *VerifyReport) (err error) {
	defer wrapErr(&err, "verify the imports")
	recs := map[int64]publishedImport{}
	rows, err := s.tx.QueryContext(ctx, `SELECT after_json FROM audit_log WHERE action = 'import.publish' ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	for rows.Next() {
		var after string
		if err := rows.Scan(&after); err != nil {
			rows.Close()
			return err
		}
		var r publishedImport
		if json.Unmarshal([]byte(after), &r) == nil && r.ID != 0 {
			recs[r.ID] = r
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ids := map[int64]bool{}
	for id := range recs {
		ids[id] = true
	}
	rows, err = s.tx.QueryContext(ctx, `SELECT DISTINCT import_id FROM items WHERE import_id IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("read items: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	listed := 0
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		sum, n, _, _, err := importDigest(ctx, s.tx, id)
		if err != nil {
			return err
		}
		r, ok := recs[id]
		problem := ""
		switch {
		case !ok:
			problem = fmt.Sprintf("导入 %d 的 %d 笔条目没有发布它们的审计记录：绕过系统写入", id, n)
		case r.RowsSHA256 != sum || r.Items != n:
			problem = fmt.Sprintf("导入 %d 发布的条目及其确认分录与其审计记录不符（现有 %d 笔，记录为 %d 笔）：被绕过系统改动、增加或删除", id, n, r.Items)
		}
		if problem != "" {
			if listed < maxListed {
				rep.add("%s", problem)
			}
			listed++
		}
	}
	if listed > maxListed {
		rep.add("另有 %d 次导入与审计记录不符，未逐一列出", listed-maxListed)
	}
	return nil
}
