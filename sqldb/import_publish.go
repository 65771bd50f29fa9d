package sqldb

// Publishing a staged ledger import (ADR 28): one short transaction moves the staged items into
// the ledger with their recognise entries, in the database (INSERT … SELECT), adds the running
// totals summed by unit, day, kind and origin, makes the changes to existing items, and writes
// one audit record for the import holding a SHA-256 over the rows it published, which verify
// recomputes (verify_imports.go). Readers see all of the import or none of it.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/qingqian/qingqian"
)

// publishedImport is the audit record of a published import.
type publishedImport struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	FileSHA256 string `json:"file_sha256,omitempty"`
	// Items is how many items the import created; RowsSHA256 the digest of those items and their
	// recognise entries in the order of the file (importDigest).
	Items      int    `json:"items"`
	RowsSHA256 string `json:"rows_sha256"`
	FirstItem  int64  `json:"first_item_id,omitempty"`
	LastItem   int64  `json:"last_item_id,omitempty"`
	Updated    int    `json:"updated"`
	Creditors  int    `json:"creditors_created"`
}

// publishSteps, when set (by a test), is told how long the publication's transaction has taken
// at the end of each of its steps.
var publishSteps atomic.Pointer[func(step string, since time.Duration)]

// publish publishes the staged import, or adds to the result the issues that refuse it (a
// number another writer took meanwhile, a change another writer made first).
func (im *importer) publish(ctx context.Context) (err error) {
	st := im.stage
	defer wrapErr(&err, "publish import %d", st.id)
	if st.db.d.name == "sqlite" {
		// The publication's large statements journal what they change so that each alone can
		// be undone; in memory rather than temporary files (see importTxAs).
		if _, err := st.db.write.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
			return err
		}
		defer st.db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = DEFAULT`)
	}
	began := time.Now()
	lap := func(step string) {
		if fn := publishSteps.Load(); fn != nil {
			(*fn)(step, time.Since(began))
		}
	}
	registered := 0
	err = st.db.inTxRetry(ctx, im.a, func(tx *Tx) error {
		began = time.Now()
		tx.deferTotals()
		created := 0
		creditorIDs := make([]int64, len(im.planned))
		for i, p := range im.planned {
			c, made, err := tx.creditorFor(ctx, p.c)
			if qingqian.ErrorCode(err) == qingqian.EINVALID || qingqian.ErrorCode(err) == qingqian.ECONFLICT {
				im.issue(p.r, "creditor_uscc", p.c.USCC, qingqian.ErrorMessage(err))
				return errRollback
			} else if err != nil {
				return err
			}
			if made {
				created++
			}
			creditorIDs[i] = c.ID
		}
		// The staged rows name the creditors registered above by their provisional ids: the
		// items take the real ones as they are inserted (plannedCase), or, for many creditors,
		// the staged rows are given them first.
		if len(creditorIDs) > plannedChunk {
			if err := im.resolvePlanned(ctx, tx, creditorIDs); err != nil {
				return err
			}
		}
		nowTS, today := tx.ts(tx.now), qingqian.DateOf(tx.now)
		lap("creditors")
		ids, err := reserveIDs(ctx, tx, st.places)
		if err != nil {
			return err
		}
		lap("ids")
		item, _, join := ids.sql(4)
		args := append([]any{st.id, nowTS, today}, ids.args()...)
		creditor := "s.creditor_id"
		if len(creditorIDs) > 0 && len(creditorIDs) <= plannedChunk {
			var more []any
			creditor, more = plannedCase(creditorIDs, len(args)+1)
			args = append(args, more...)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO items (id, no, org_id, creditor_id, contract_no, contract_name, kind, arisen_on, due_on,
				undisputed, disputed, dispute_reason, funding_source, origin, responsible, note, search, version, created_at, created_on, updated_at,
				rec_u, rec_d, out_u, out_d, status, import_id)
			SELECT `+item+`, s.no, s.org_id, `+creditor+`, s.contract_no, s.contract_name, s.kind, s.arisen_on, s.due_on, s.undisputed, s.disputed,
				s.dispute_reason, s.funding_source, s.origin, s.responsible, s.note, s.search, 1, $2, $3, $2, s.undisputed, s.disputed, s.undisputed, s.disputed,
				s.status, s.import_id
			FROM import_items s`+join+` WHERE s.import_id = $1 ORDER BY s.place`, args...)
		if isUnique(err) {
			// A number given to an item of the unit since its row was checked (the unique index
			// checks every row; which rows is found after the rollback, off the writer).
			return errNumbersTaken
		} else if err != nil {
			return fmt.Errorf("insert the items: %w", err)
		}
		lap("items")
		if n, err := res.RowsAffected(); err != nil || int(n) != st.places {
			return cmpErr(err, fmt.Errorf("%d items published of %d staged", n, st.places))
		}
		e := &qingqian.Entry{Kind: qingqian.EntryRecognise}
		_, actorID := tx.stampEntry(e)
		item, entry, join := ids.sql(9)
		if _, err := tx.ExecContext(ctx, `INSERT INTO entries (id, `+entryInsertColumns+`)
			SELECT `+entry+`, `+item+`, $2, $3, s.arisen_on, $4, $5, s.arisen_on < $5, s.undisputed, s.disputed, '', '', $6, NULL, $7, $8
			FROM import_items s`+join+` WHERE s.import_id = $1 ORDER BY s.place`,
			append([]any{st.id, qingqian.EntryRecognise, qingqian.CatRecognise, nowTS, today, "建立台账", actorID, e.ActorName}, ids.args()...)...); err != nil {
			return fmt.Errorf("insert the recognise entries: %w", err)
		}
		lap("entries")
		if err := im.publishTotals(ctx, tx); err != nil {
			return err
		}
		updated, err := im.publishUpdates(ctx, tx)
		if err != nil || updated < 0 {
			return cmpErr(err, errRollback)
		}
		if err := tx.flushTotals(ctx); err != nil {
			return err
		}
		lap("totals and updates")
		rec := publishedImport{ID: st.id, Kind: "ledger", FileSHA256: st.digest, Updated: updated, Creditors: created}
		registered = created
		rec.RowsSHA256, rec.Items, rec.FirstItem, rec.LastItem = im.digest(ids, creditorIDs, tx.now, "建立台账", e.ActorName)
		lap("digest")
		if err := tx.audit(ctx, "import.publish", "import", st.id, auditPath(im.a), nil, rec); err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `UPDATE imports SET state = 'published', items = $1, published_at = $2 WHERE id = $3 AND state = 'staging'`,
			rec.Items, nowTS, st.id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return cmpErr(err, errors.New("the import is no longer staging (swept)"))
		}
		return nil
	})
	lap("commit")
	if errors.Is(err, errNumbersTaken) {
		taken, err := im.numbersTaken(ctx, im.q)
		if err != nil {
			return err
		}
		if !taken {
			im.res.AddIssue(qingqian.ImportIssue{Field: "no", Message: "台账编号已存在：导入期间有条目占用了文件中的台账编号，请重新导入"})
		}
		return nil
	}
	if errors.Is(err, errRollback) {
		return nil // the issues say why
	}
	if err != nil {
		return err
	}
	st.published = true
	// The creditors registered are those the publication made: one the staging planned may
	// have been registered by another writer meanwhile.
	im.res.CreditorsCreated = registered
	if err := st.db.dropStaging(context.WithoutCancel(ctx), im.a, st.id, st.places, ""); err != nil {
		st.db.logger().Warn("a published import's staging rows stay until the next sweep", "import", st.id, "err", err)
	}
	return nil
}

// plannedChunk is how many planned creditors one statement resolves.
const plannedChunk = 400

// resolvePlanned gives the staged rows the ids of the creditors the publication registered
// (ids[i] for the provisional id plannedIDs+i), a few hundred creditors a statement: one
// statement a creditor read the import's rows once each, which at 10,000 new creditors held
// the writer for seconds.
func (im *importer) resolvePlanned(ctx context.Context, tx *Tx, ids []int64) error {
	for lo := 0; lo < len(ids); lo += plannedChunk {
		hi := min(lo+plannedChunk, len(ids))
		var q strings.Builder
		var args []any
		arg := func(v any) string { args = append(args, v); return tx.db.d.param(len(args)) }
		q.WriteString(`UPDATE import_items SET creditor_id = CASE creditor_id`)
		for i := lo; i < hi; i++ {
			q.WriteString(` WHEN ` + arg(int64(plannedIDs+i)) + ` THEN CAST(` + arg(ids[i]) + ` AS BIGINT)`)
		}
		q.WriteString(` END WHERE import_id = ` + arg(im.stage.id) + ` AND creditor_id BETWEEN ` + arg(int64(plannedIDs+lo)) + ` AND ` + arg(int64(plannedIDs+hi-1)))
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("give the staged rows their creditors: %w", err)
		}
	}
	return nil
}

// plannedCase is the expression giving a staged row (import_items s) the id of the creditor
// registered for its provisional one (ids[i] for plannedIDs+i), with its arguments numbered from
// first.
func plannedCase(ids []int64, first int) (string, []any) {
	var q strings.Builder
	args := make([]any, 0, 2*len(ids))
	q.WriteString(`CASE s.creditor_id`)
	for i, id := range ids {
		args = append(args, int64(plannedIDs+i), id)
		n := first + len(args) - 2
		q.WriteString(` WHEN $` + strconv.Itoa(n) + ` THEN CAST($` + strconv.Itoa(n+1) + ` AS BIGINT)`)
	}
	q.WriteString(` ELSE s.creditor_id END`)
	return q.String(), args
}

// cmpErr is err, or else other.
func cmpErr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

// errNumbersTaken stops a publication whose items' numbers the unique index refused.
var errNumbersTaken = errors.New("numbers taken while the import was staged")

// numbersTaken adds an issue for each staged row whose number another writer gave an item of
// its unit since the row was checked; it reports whether there were any. It runs once the
// publication has been refused for it, through the import's reading connection: items are never
// deleted, so the rows that took the numbers are still there.
func (im *importer) numbersTaken(ctx context.Context, q queryer) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.sheet, s.row_no, s.no FROM import_items s
		WHERE s.import_id = $1 AND s.no <> '' AND EXISTS (SELECT 1 FROM items i WHERE i.org_id = s.org_id AND i.no = s.no AND i.no <> '')
		ORDER BY s.place LIMIT 100`, im.stage.id)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	taken := false
	for rows.Next() {
		var is qingqian.ImportIssue
		if err := rows.Scan(&is.Sheet, &is.Row, &is.Value); err != nil {
			return false, err
		}
		is.Field, is.Message = "no", "本单位已有相同台账编号的条目（导入期间新增），请核对后重新导入"
		im.res.AddIssue(is)
		taken = true
	}
	return taken, rows.Err()
}

// publishTotals adds the staged items to the running totals and the gross movement, summed by
// unit, day, kind and origin while they were staged.
func (im *importer) publishTotals(ctx context.Context, tx *Tx) error {
	for k, s := range im.stage.sums {
		m := measuresOf(qingqian.CatRecognise, s.du, s.dd)
		m[mItems] = s.n
		if err := tx.bumpTotals(ctx, k.path, k.day, k.kind, k.origin, m); err != nil {
			return err
		}
		tx.addVolume(k.path, int64(qingqian.VolumeOf(s.du, s.dd)))
	}
	return nil
}

// publishUpdates makes the import's changes to items of the ledger; -1 when one was refused
// (an issue says why).
func (im *importer) publishUpdates(ctx context.Context, tx *Tx) (int, error) {
	for _, u := range im.updates {
		var version int64
		if err := tx.QueryRowContext(ctx, `SELECT version FROM items WHERE id = $1`, u.item.ID).Scan(&version); err != nil {
			return 0, err
		}
		if version != int64(u.item.Version) {
			im.issue(u.r, "no", u.item.No, "该条目在导入期间已被修改，请重新导入")
			return -1, nil
		}
		cur := *u.item.Item
		if err := tx.updateItem(ctx, &itemRow{Item: &cur, path: u.item.path}, u.upd); err != nil {
			if c := qingqian.ErrorCode(err); c == qingqian.EINVALID || c == qingqian.ECONFLICT {
				im.issue(u.r, "no", cur.No, qingqian.ErrorMessage(err))
				return -1, nil
			}
			return 0, err
		}
	}
	return len(im.updates), nil
}

// publishedIDs are the ids a publication gives its items and their recognise entries, in the
// order of the file: on SQLite, which has one writer, the ids after the largest ones (what SQLite
// itself would give), base+place; on PostgreSQL, ids taken from the tables' sequences in one
// statement, increasing but not always consecutive (other writers take ids meanwhile).
type publishedIDs struct {
	base, entryBase int64   // SQLite
	items, entries  []int64 // PostgreSQL, by place-1
}

// reserveIDs gives n items and their entries their ids, in a publication's transaction.
func reserveIDs(ctx context.Context, tx *Tx, n int) (ids publishedIDs, err error) {
	defer wrapErr(&err, "reserve %d ids", n)
	if tx.db.d.name == "sqlite" {
		// Items and entries are never deleted, and these tables take ids without AUTOINCREMENT:
		// the next id SQLite gives is the largest plus one.
		err := tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM items), (SELECT COALESCE(MAX(id), 0) FROM entries)`).Scan(&ids.base, &ids.entryBase)
		return ids, err
	}
	take := func(table string) ([]int64, error) {
		rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('`+table+`', 'id')) FROM generate_series(1, $1)`, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := make([]int64, 0, n)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(out) != n {
			return nil, fmt.Errorf("%d ids of %s for %d rows", len(out), table, n)
		}
		// In the order of the file, so that the items' ids follow it (importDigest reads them in
		// the order of their ids).
		slices.Sort(out)
		return out, nil
	}
	if ids.items, err = take("items"); err != nil {
		return ids, err
	}
	ids.entries, err = take("entries")
	return ids, err
}

// sql is how a statement selecting from import_items s gives a staged row its item's and its
// entry's id, the parameters from number first on being ids.args().
func (ids publishedIDs) sql(first int) (item, entry, join string) {
	p1, p2 := "$"+strconv.Itoa(first), "$"+strconv.Itoa(first+1)
	if ids.items == nil {
		return p1 + " + s.place", p2 + " + s.place", ""
	}
	return "r.item_id", "r.entry_id", " JOIN unnest(" + p1 + "::bigint[], " + p2 + "::bigint[]) WITH ORDINALITY AS r(item_id, entry_id, place) ON r.place = s.place"
}

// args are the parameters of sql.
func (ids publishedIDs) args() []any {
	if ids.items == nil {
		return []any{ids.base, ids.entryBase}
	}
	return []any{ids.items, ids.entries}
}

// at is the ids of the item at place (from 1) and of its entry.
func (ids publishedIDs) at(place int) (item, entry int64) {
	if ids.items == nil {
		return ids.base + int64(place), ids.entryBase + int64(place)
	}
	return ids.items[place-1], ids.entries[place-1]
}

// digest is importDigest computed from what the staging kept of the items (the publication's
// ids, the registered creditors' ids, and the recognise entries it wrote: dated the day the debt
// arose, of its amounts, recorded at, by actor and for reason): the same digest, without reading
// back the rows just written.
func (im *importer) digest(ids publishedIDs, creditorIDs []int64, at time.Time, reason, actor string) (sum string, n int, first, last int64) {
	h := sha256.New()
	var b []byte
	tail := digestTail(at, actor, reason) // the same for every entry the publication writes
	for i, k := range im.stage.kept {
		itemID, entryID := ids.at(i + 1)
		creditorID := k.creditorID
		if creditorID >= plannedIDs {
			creditorID = creditorIDs[creditorID-plannedIDs]
		}
		b = digestLine(b[:0], itemID, k.orgID, creditorID, string(k.kind), k.arisen, string(k.origin), k.u, k.d, entryID, k.arisen, k.u, k.d, tail)
		h.Write(b)
		if i == 0 {
			first = itemID
		}
		last = itemID
	}
	return hex.EncodeToString(h.Sum(nil)), len(im.stage.kept), first, last
}

// digestLine appends what importDigest covers of one item and its recognise entry.
func digestLine(b []byte, itemID, orgID, creditorID int64, kind string, arisen qingqian.Date, origin string, u, d qingqian.Money,
	entryID int64, on qingqian.Date, du, dd qingqian.Money, tail string) []byte {
	for _, v := range []int64{itemID, orgID, creditorID} {
		b = strconv.AppendInt(b, v, 10)
		b = append(b, '|')
	}
	b = append(b, kind+"|"+arisen.String()+"|"+origin+"|"...)
	for _, v := range []int64{int64(u), int64(d), entryID} {
		b = strconv.AppendInt(b, v, 10)
		b = append(b, '|')
	}
	b = append(b, on.String()+"|"...)
	for _, v := range []int64{int64(du), int64(dd)} {
		b = strconv.AppendInt(b, v, 10)
		b = append(b, '|')
	}
	return append(b, tail...)
}

// digestTail is the end of a line of importDigest: when, by whom and why the entry was recorded.
func digestTail(at time.Time, actor, reason string) string {
	return at.UTC().Format(time.RFC3339Nano) + "|" + strconv.Quote(actor) + "|" + strconv.Quote(reason) + "\n"
}

// importDigest is the SHA-256 over the items an import published and their recognise entries,
// in the order of their ids (the order of the file), over what of them never changes; with
// their number and the first and last ids. verify computes it so; the publication computes the
// same from what it wrote (importer.digest).
func importDigest(ctx context.Context, q queryer, id int64) (sum string, n int, first, last int64, err error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.org_id, i.creditor_id, i.kind, i.arisen_on, i.origin, i.undisputed, i.disputed,
			e.id, e.on_date, e.du, e.dd, e.recorded_at, e.actor_name, e.reason
		FROM items i JOIN entries e ON e.item_id = i.id AND e.kind = $2
		WHERE i.import_id = $1 ORDER BY i.id, e.id`, id, qingqian.EntryRecognise)
	if err != nil {
		return "", 0, 0, 0, fmt.Errorf("read the imported items: %w", err)
	}
	defer rows.Close()
	h := sha256.New()
	var b []byte
	for rows.Next() {
		var itemID, orgID, creditorID, entryID int64
		var kind, origin, actor, reason string
		var arisen, on qingqian.Date
		var u, d, du, dd qingqian.Money
		var at time.Time
		if err := rows.Scan(&itemID, &orgID, &creditorID, &kind, &arisen, &origin, &u, &d, &entryID, &on, &du, &dd, timeCol{&at}, &actor, &reason); err != nil {
			return "", 0, 0, 0, err
		}
		b = digestLine(b[:0], itemID, orgID, creditorID, kind, arisen, origin, u, d, entryID, on, du, dd, digestTail(at, actor, reason))
		h.Write(b)
		if n == 0 {
			first = itemID
		}
		last = itemID
		n++
	}
	if err := rows.Err(); err != nil {
		return "", 0, 0, 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, first, last, nil
}
