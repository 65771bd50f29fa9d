package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// EntryService implements qingqian.EntryService.
type EntryService struct{ db *DB }

// NewEntryService returns the entry service over db.
func NewEntryService(db *DB) *EntryService { return &EntryService{db: db} }

var _ qingqian.EntryService = (*EntryService)(nil)

const entryColumns = `e.id, e.item_id, e.kind, e.cat, e.on_date, e.recorded_at, e.backdated, e.du, e.dd, e.method, e.voucher_no,
	e.reason, COALESCE(e.reverses_id, 0), COALESCE(r.id, 0), e.actor_name, o.on_date`

const entryFrom = ` FROM entries e LEFT JOIN entries r ON r.reverses_id = e.id LEFT JOIN entries o ON o.id = e.reverses_id`

func scanEntry(row interface{ Scan(...any) error }) (*qingqian.Entry, error) {
	e := &qingqian.Entry{Vouchers: []qingqian.VoucherRef{}}
	err := row.Scan(&e.ID, &e.ItemID, &e.Kind, &e.Category, &e.On, timeCol{&e.RecordedAt}, &e.Backdated, &e.Undisputed, &e.Disputed,
		&e.Method, &e.VoucherNo, &e.Reason, &e.ReversesID, &e.ReversedByID, &e.ActorName, &e.ReversedOn)
	return e, err
}

// entriesOf returns an item's entries in recording order, with their vouchers.
func (db *DB) entriesOf(ctx context.Context, q queryer, itemID int64) (_ []*qingqian.Entry, err error) {
	defer wrapErr(&err, "entries of item %d", itemID)
	rows, err := q.QueryContext(ctx, `SELECT `+entryColumns+entryFrom+` WHERE e.item_id = $1 ORDER BY e.id`, itemID)
	if err != nil {
		return nil, err
	}
	var out []*qingqian.Entry
	byID := map[int64]*qingqian.Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, e)
		byID[e.ID] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	vrows, err := q.QueryContext(ctx, `SELECT ev.entry_id, v.sha256, `+voucherNameFor+`, v.content_type, v.size,
		(SELECT COUNT(*) FROM entry_vouchers x WHERE x.sha256 = v.sha256)
		FROM entry_vouchers ev JOIN vouchers v ON v.sha256 = ev.sha256 JOIN entries e ON e.id = ev.entry_id
		JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id
		WHERE e.item_id = $1 ORDER BY ev.entry_id, v.sha256`, itemID)
	if err != nil {
		return nil, fmt.Errorf("read entry_vouchers: %w", err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var id int64
		var v qingqian.VoucherRef
		var uses int
		if err := vrows.Scan(&id, &v.SHA256, &v.Name, &v.ContentType, &v.Size, &uses); err != nil {
			return nil, err
		}
		v.Reused = uses > 1
		if e := byID[id]; e != nil {
			e.Vouchers = append(e.Vouchers, v)
		}
	}
	return out, vrows.Err()
}

// reachItemForEntry is reachItem for an entry about to be recorded: it also reads the last
// business date of the item's entries (zero when it has none), in the same statement.
func (tx *Tx) reachItemForEntry(ctx context.Context, id int64) (_ *itemRow, last qingqian.Date, err error) {
	defer wrapErr(&err, "read item %d", id)
	row := tx.QueryRowContext(ctx, `SELECT `+itemColumns+`, (SELECT MAX(e.on_date) FROM entries e WHERE e.item_id = i.id)`+itemFrom+` WHERE i.id = $1`+tx.db.d.forUpdateOf("i"), id)
	r, err := scanItem(scanAlso{row, []any{&last}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, last, itemNotFound()
	} else if err != nil {
		return nil, last, err
	}
	if !tx.actor.Reaches(r.path) {
		tx.deny("item", id)
		return nil, last, itemNotFound()
	}
	return r, last, nil
}

// scanAlso scans a row's columns into the destinations asked for, then its last ones into more.
type scanAlso struct {
	row  interface{ Scan(...any) error }
	more []any
}

func (s scanAlso) Scan(dest ...any) error { return s.row.Scan(append(dest, s.more...)...) }

// checkBalance refuses an entry that would make the item owe a negative amount on any date
// (qingqian.CheckTimeline), and leaves the item's balance before it in r.
//
// An entry dated on or after the item's last business date changes only the end of its own day:
// the days before are as they were, and each was checked when its entries were recorded. It is
// then checked against the item's balance as stored (which verify proves equal to its entries'),
// one indexed lookup instead of reading every entry. A back-dated entry replays the item's
// timeline.
func (tx *Tx) checkBalance(ctx context.Context, r *itemRow, last qingqian.Date, e *qingqian.Entry) error {
	if !last.IsZero() && !e.On.Before(last) {
		now := &qingqian.Entry{On: last, Undisputed: r.Balance.OutstandingUndisputed, Disputed: r.Balance.OutstandingDisputed}
		return qingqian.CheckTimeline([]*qingqian.Entry{now, e})
	}
	existing, err := tx.timeline(ctx, r.ID)
	if err != nil {
		return err
	}
	r.Balance = qingqian.BalanceOf(existing, qingqian.Date{}, time.Time{})
	return qingqian.CheckTimeline(append(existing, e))
}

// timeline returns what the balance check needs of an item's entries: its deltas summed by
// business date and category, in date order. The check looks only at the end of each business
// day and the balance only at each category's sum, so one row per day and category serves both
// as the entries themselves would, and an item with many entries is read in a few rows.
func (tx *Tx) timeline(ctx context.Context, itemID int64) (_ []*qingqian.Entry, err error) {
	defer wrapErr(&err, "timeline of item %d", itemID)
	rows, err := tx.QueryContext(ctx, `SELECT cat, on_date, CAST(SUM(du) AS BIGINT), CAST(SUM(dd) AS BIGINT) FROM entries
		WHERE item_id = $1 GROUP BY on_date, cat ORDER BY on_date`, itemID)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	var out []*qingqian.Entry
	for rows.Next() {
		e := &qingqian.Entry{}
		if err := rows.Scan(&e.Category, &e.On, &e.Undisputed, &e.Disputed); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// voucherRefs returns the vouchers attached to one entry.
func (db *DB) voucherRefs(ctx context.Context, q queryer, entryID int64) (_ []qingqian.VoucherRef, err error) {
	defer wrapErr(&err, "vouchers of entry %d", entryID)
	rows, err := q.QueryContext(ctx, `SELECT v.sha256, `+voucherNameFor+`, v.content_type, v.size, (SELECT COUNT(*) FROM entry_vouchers x WHERE x.sha256 = v.sha256)
		FROM entry_vouchers ev JOIN vouchers v ON v.sha256 = ev.sha256 JOIN entries e ON e.id = ev.entry_id
		JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id WHERE ev.entry_id = $1 ORDER BY v.sha256`, entryID)
	if err != nil {
		return nil, fmt.Errorf("read entry_vouchers: %w", err)
	}
	defer rows.Close()
	out := []qingqian.VoucherRef{}
	for rows.Next() {
		var v qingqian.VoucherRef
		var uses int
		if err := rows.Scan(&v.SHA256, &v.Name, &v.ContentType, &v.Size, &uses); err != nil {
			return nil, err
		}
		v.Reused = uses > 1
		out = append(out, v)
	}
	return out, rows.Err()
}

// insertEntry writes an entry, its voucher links, the item's materialised balance and the
// running totals; the caller has validated it.
func (tx *Tx) insertEntry(ctx context.Context, r *itemRow, e *qingqian.Entry, vouchers []string) error {
	if err := tx.writeEntry(ctx, r.path, e, vouchers); err != nil {
		return err
	}
	b := &r.Balance
	b.Add(e.Category, e.Undisputed, e.Disputed)
	if _, err := tx.ExecContext(ctx, `UPDATE items SET rec_u = $1, rec_d = $2, rep_u = $3, rep_d = $4, out_u = $5, out_d = $6, status = $7 WHERE id = $8`,
		b.RecognisedUndisputed, b.RecognisedDisputed, b.RepaidUndisputed, b.RepaidDisputed, b.OutstandingUndisputed, b.OutstandingDisputed, b.Status, r.ID); err != nil {
		return fmt.Errorf("update items: %w", err)
	}
	had := false
	if e.Kind == qingqian.EntryReversal && e.Category == qingqian.CatRepay {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM entry_vouchers WHERE entry_id = $1`, e.ReversesID).Scan(&n); err != nil {
			return fmt.Errorf("read entry_vouchers: %w", err)
		}
		had = n > 0
	}
	return tx.bumpTotals(ctx, r.path, e.On, r.Kind, r.Origin, entryMeasures(e.Kind, e.Category, e.Undisputed, e.Disputed, had))
}

// writeEntry writes the entry row, its voucher links and its audit record.
func (tx *Tx) writeEntry(ctx context.Context, path string, e *qingqian.Entry, vouchers []string) error {
	if err := tx.insertEntryRow(ctx, path, e, vouchers); err != nil {
		return err
	}
	return tx.auditEntry(ctx, path, e)
}

// auditEntry writes an entry's audit record.
func (tx *Tx) auditEntry(ctx context.Context, path string, e *qingqian.Entry) error {
	return tx.auditBound(ctx, "entry."+string(e.Kind), "item", e.ItemID, path, nil, e, e.ID)
}

// entryInsertColumns are the columns an entry is written with.
const entryInsertColumns = `item_id, kind, cat, on_date, recorded_at, recorded_on, backdated, du, dd, method, voucher_no, reason, reverses_id, actor_id, actor_name`

// stampEntry fills in what the transaction knows of an entry about to be written (when, by whom,
// whether back-dated) and returns the reversed entry (nil for none) and the actor's id as
// stored.
func (tx *Tx) stampEntry(e *qingqian.Entry) (reverses any, actorID int64) {
	e.RecordedAt = tx.now
	e.Backdated = e.On.Before(qingqian.DateOf(tx.now))
	if e.Vouchers == nil {
		e.Vouchers = []qingqian.VoucherRef{}
	}
	if tx.actor != nil {
		e.ActorName, actorID = tx.actor.Name, tx.actor.UserID
	}
	if e.ReversesID != 0 {
		reverses = e.ReversesID
	}
	return reverses, actorID
}

// insertEntryRow is writeEntry without the audit record, for a caller that writes its own.
func (tx *Tx) insertEntryRow(ctx context.Context, path string, e *qingqian.Entry, vouchers []string) (err error) {
	defer wrapErr(&err, "insert %s entry", e.Kind)
	reverses, actorID := tx.stampEntry(e)
	tx.countVolume(path, e)
	e.ID, err = tx.insertID(ctx, `INSERT INTO entries (`+entryInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $15, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.ItemID, e.Kind, e.Category, e.On, tx.ts(e.RecordedAt), e.Backdated, e.Undisputed, e.Disputed, e.Method, e.VoucherNo,
		e.Reason, reverses, actorID, e.ActorName, qingqian.DateOf(e.RecordedAt))
	if isUnique(err) {
		return qingqian.Errorf(qingqian.ECONFLICT, "该记录已被冲正，不能重复冲正")
	} else if err != nil {
		return err
	}
	for _, sha := range vouchers {
		if err := tx.attachVoucher(ctx, path, e, sha); err != nil {
			return err
		}
	}
	return nil
}

// idempotencyScope names who sent a request, so that keys of different clients never collide.
func idempotencyScope(a *qingqian.Actor) string {
	switch {
	case a.TokenID != 0:
		return "token:" + strconv.FormatInt(a.TokenID, 10)
	case a.UserID != 0:
		return "user:" + strconv.FormatInt(a.UserID, 10)
	}
	return "system:" + a.Name
}

// RecordEntry implements qingqian.EntryService.
func (s *EntryService) RecordEntry(ctx context.Context, in qingqian.EntryInput) (_ *qingqian.Entry, err error) {
	defer serviceErr(&err, "record %s entry on item %d", in.Kind, in.ItemID)
	if in.Kind == qingqian.EntryReversal {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "冲正请使用冲正功能", Fields: map[string]string{"kind": "冲正请使用冲正功能"}}
	}
	return s.record(ctx, in)
}

// ReverseEntry implements qingqian.EntryService.
func (s *EntryService) ReverseEntry(ctx context.Context, in qingqian.EntryInput) (_ *qingqian.Entry, err error) {
	defer serviceErr(&err, "reverse entry %d", in.ReversesID)
	in.Kind = qingqian.EntryReversal
	return s.record(ctx, in)
}

// maxBatch bounds the entries of one RecordEntries call.
const maxBatch = 10000

// RecordEntries implements qingqian.EntryService.
func (s *EntryService) RecordEntries(ctx context.Context, ins []qingqian.EntryInput) (_ []*qingqian.Entry, err error) {
	defer serviceErr(&err, "record %d entries", len(ins))
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if len(ins) == 0 || len(ins) > maxBatch {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: fmt.Sprintf("一次应提交 1 至 %d 条记录", maxBatch), Fields: map[string]string{"entries": "数量不正确"}}
	}
	var out []*qingqian.Entry
	err = s.db.inTxRetry(ctx, a, func(tx *Tx) error {
		out = make([]*qingqian.Entry, 0, len(ins))
		// The items are locked first, all of them, in the order of their ids, as every writer
		// takes its locks: items, then (at commit) the running totals in their order, so that a
		// batch and single writes on the same items never wait for each other in a circle.
		if err := tx.lockItems(ctx, ins); err != nil {
			return err
		}
		tx.deferTotals()
		for i, in := range ins {
			if in.Kind == qingqian.EntryReversal {
				return prefixFields(i, &qingqian.Error{Code: qingqian.EINVALID, Message: "冲正请使用冲正功能", Fields: map[string]string{"kind": "冲正请使用冲正功能"}})
			}
			e, err := s.recordTx(ctx, tx, a, in)
			if err != nil {
				return prefixFields(i, err)
			}
			out = append(out, e)
		}
		return tx.flushTotals(ctx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockItems locks the items a batch writes to, in the order of their ids, before anything else.
// The items are checked again one by one as each entry is recorded.
func (tx *Tx) lockItems(ctx context.Context, ins []qingqian.EntryInput) error {
	if tx.db.d.forUpdate == "" {
		return nil // SQLite: the transaction holds the database's one write lock
	}
	ids := make([]int64, 0, len(ins))
	for _, in := range ins {
		if in.ItemID != 0 {
			ids = append(ids, in.ItemID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += 1000 {
		var q args
		var in []string
		for _, id := range ids[start:min(start+1000, len(ids))] {
			in = append(in, q.add(id))
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM items WHERE id IN (`+strings.Join(in, ", ")+`) ORDER BY id`+tx.db.d.forUpdate, q...)
		if err != nil {
			return fmt.Errorf("lock items: %w", err)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock items: %w", err)
		}
	}
	return nil
}

// prefixFields renames the field errors of entry i of a batch to "entries.i.field".
func prefixFields(i int, err error) error {
	var e *qingqian.Error
	if !errors.As(err, &e) || e.Code == qingqian.EINTERNAL {
		return err
	}
	f := map[string]string{}
	for k, v := range e.Fields {
		f[fmt.Sprintf("entries.%d.%s", i, k)] = v
	}
	if len(f) == 0 {
		f[fmt.Sprintf("entries.%d", i)] = e.Message
	}
	return &qingqian.Error{Code: e.Code, Message: fmt.Sprintf("第 %d 条记录：%s", i+1, e.Message), Fields: f, Err: e.Err}
}

func (s *EntryService) record(ctx context.Context, in qingqian.EntryInput) (*qingqian.Entry, error) {
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	var out *qingqian.Entry
	err = s.db.inTxRetry(ctx, a, func(tx *Tx) error {
		var err error
		out, err = s.recordTx(ctx, tx, a, in)
		return err
	})
	return out, err
}

// recordTx records one entry or reversal within tx.
func (s *EntryService) recordTx(ctx context.Context, tx *Tx, a *qingqian.Actor, in qingqian.EntryInput) (*qingqian.Entry, error) {
	today := qingqian.DateOf(tx.now)
	du, dd, err := in.Deltas(today)
	if err != nil {
		return nil, err
	}
	if len(in.Vouchers) > 20 {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "一条记录最多附20个凭证", Fields: map[string]string{"vouchers": "凭证过多"}}
	}
	var reqHash string
	if in.IdempotencyKey != "" {
		if len(in.IdempotencyKey) > 100 {
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "Idempotency-Key 不能超过100个字符", Fields: map[string]string{"Idempotency-Key": "过长"}}
		}
		b, _ := json.Marshal(in)
		h := sha256.Sum256(b)
		reqHash = hex.EncodeToString(h[:])
	}
	var out *qingqian.Entry
	err = func() error {
		if in.IdempotencyKey != "" {
			var prevHash string
			var prevID int64
			err := tx.QueryRowContext(ctx, `SELECT request_hash, entry_id FROM idempotency_keys WHERE scope = $1 AND key = $2`,
				idempotencyScope(a), in.IdempotencyKey).Scan(&prevHash, &prevID)
			if err == nil {
				if prevHash != reqHash {
					return qingqian.Errorf(qingqian.ECONFLICT, "该 Idempotency-Key 已用于另一笔不同的请求")
				}
				out, err = tx.db.entryByID(ctx, tx, prevID)
				return err
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var e *qingqian.Entry
		var r *itemRow
		var last qingqian.Date // the last business date of the item's entries
		if in.Kind == qingqian.EntryReversal {
			orig, err := tx.db.entryByID(ctx, tx, in.ReversesID)
			if err != nil && !missing(err) {
				return err
			}
			if err != nil {
				return &qingqian.Error{Code: qingqian.ENOTFOUND, Message: "要冲正的记录不存在", Fields: map[string]string{"reverses_id": "记录不存在"}}
			}
			if in.ItemID != 0 && in.ItemID != orig.ItemID {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "要冲正的记录不属于该条目", Fields: map[string]string{"reverses_id": "记录不属于该条目"}}
			}
			if r, last, err = tx.reachItemForEntry(ctx, orig.ItemID); err != nil {
				return err
			}
			if orig.Kind == qingqian.EntryReversal {
				return qingqian.Errorf(qingqian.ECONFLICT, "冲正记录不能再冲正，请重新录入正确的记录")
			}
			if orig.ReversedByID != 0 {
				return qingqian.Errorf(qingqian.ECONFLICT, "该记录已被冲正，不能重复冲正")
			}
			// By default a reversal takes effect on the reversed entry's own business date: the
			// entry should never have been, so as known now it is gone from every date, while as
			// known at an instant before the reversal it is still there. Another date is taken
			// only when asked for, and shows in the record (ReversedOn differs from On).
			on := in.On
			if on.IsZero() {
				on = orig.On
			}
			if on.Before(orig.On) {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "冲正日期不能早于原记录日期", Fields: map[string]string{"on": "不能早于原记录日期 " + orig.On.String()}}
			}
			e = &qingqian.Entry{ItemID: orig.ItemID, Kind: qingqian.EntryReversal, Category: orig.Category, On: on,
				Undisputed: -orig.Undisputed, Disputed: -orig.Disputed, Reason: in.Reason, ReversesID: orig.ID, ReversedOn: orig.On}
			if on == orig.On {
				// The pair cancels in every figure: its movement no longer counts (ADR 16).
				tx.addVolume(r.path, -int64(qingqian.VolumeOf(orig.Undisputed, orig.Disputed)))
			}
		} else {
			if r, last, err = tx.reachItemForEntry(ctx, in.ItemID); err != nil {
				return err
			}
			if in.On.Before(r.ArisenOn) {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "业务日期不能早于欠款发生日期", Fields: map[string]string{"on": "不能早于欠款发生日期 " + r.ArisenOn.String()}}
			}
			if len(in.Vouchers) > 0 && in.Kind != qingqian.EntryRepay {
				return &qingqian.Error{Code: qingqian.EINVALID, Message: "只有清偿记录附支付凭证", Fields: map[string]string{"vouchers": "只有清偿记录附支付凭证"}}
			}
			e = &qingqian.Entry{ItemID: r.ID, Kind: in.Kind, Category: qingqian.CategoryOf(in.Kind), On: in.On,
				Undisputed: du, Disputed: dd, Method: in.Method, VoucherNo: in.VoucherNo, Reason: in.Reason}
			if in.BillID == 0 && (du < 0 || dd < 0) {
				if err := tx.checkPendingBills(ctx, r, du, dd); err != nil {
					return err
				}
			}
		}
		if err := tx.checkBalance(ctx, r, last, e); err != nil {
			return err
		}
		if err := tx.insertEntry(ctx, r, e, in.Vouchers); err != nil {
			return err
		}
		if in.IdempotencyKey != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash, entry_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
				idempotencyScope(a), in.IdempotencyKey, reqHash, e.ID, tx.ts(tx.now)); isUnique(err) {
				// The same key sent again in parallel, recorded meanwhile: run again, which
				// answers with what was recorded (or refuses a different request).
				return errRunAgain
			} else if err != nil {
				return fmt.Errorf("insert into idempotency_keys: %w", err)
			}
		}
		if len(in.Vouchers) > 0 {
			if e.Vouchers, err = tx.db.voucherRefs(ctx, tx, e.ID); err != nil {
				return err
			}
		}
		out = e
		return nil
	}()
	return out, err
}

// entryByID reads one entry with its vouchers.
func (db *DB) entryByID(ctx context.Context, q queryer, id int64) (_ *qingqian.Entry, err error) {
	defer wrapErr(&err, "read entry %d", id)
	rows, err := q.QueryContext(ctx, `SELECT e.item_id FROM entries e WHERE e.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	var itemID int64
	found := rows.Next()
	if found {
		err = rows.Scan(&itemID)
	}
	rows.Close()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, qingqian.Errorf(qingqian.ENOTFOUND, "记录不存在")
	}
	all, err := db.entriesOf(ctx, q, itemID)
	if err != nil {
		return nil, err
	}
	for _, e := range all {
		if e.ID == id {
			return e, nil
		}
	}
	return nil, qingqian.Errorf(qingqian.ENOTFOUND, "记录不存在")
}

// FindEntries implements qingqian.EntryService.
func (s *EntryService) FindEntries(ctx context.Context, itemID int64) (_ []*qingqian.Entry, err error) {
	defer serviceErr(&err, "find entries of item %d", itemID)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, itemID); err != nil {
		return nil, err
	}
	es, err := s.db.entriesOf(ctx, s.db.read, itemID)
	if err != nil {
		return nil, err
	}
	return es, nil
}

// FindEntryByID implements qingqian.EntryService.
func (s *EntryService) FindEntryByID(ctx context.Context, id int64) (_ *qingqian.Entry, err error) {
	defer serviceErr(&err, "find entry %d", id)
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.db.entryByID(ctx, s.db.read, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.readItem(ctx, a, e.ItemID); err != nil {
		return nil, qingqian.Errorf(qingqian.ENOTFOUND, "记录不存在")
	}
	return e, nil
}
