package sqldb

// A ledger import that does not hold the writer (ADR 28): its rows are checked against the
// ledger through the read pool, its new items are staged in import_items in chunks, each
// committed on its own, and the import is published in one short transaction
// (import_publish.go). Staging writes no ledger table, no running total and no audit record.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/qingqian/qingqian"
)

// ImportLedger implements qingqian.ImportService.
func (s *ImportService) ImportLedger(ctx context.Context, rows func(yield func(*qingqian.LedgerRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import the ledger")
	a, err := qingqian.RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	// The checks read through a connection of their own for the whole import, as they did
	// through its transaction: a read queued behind other requests for each row would make a
	// large import crawl under load (on PostgreSQL the pool is shared with the writers).
	conn, err := s.db.read.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	res := &qingqian.ImportResult{DryRun: dryRun, Issues: []qingqian.ImportIssue{}}
	im := &importer{db: s.db, q: conn, a: a, res: res, creditors: map[string]*qingqian.Creditor{}, newCreditors: map[int64]bool{},
		seen: map[string]string{}, totals: map[string]*qingqian.ImportTotal{}, locks: map[string]string{}}
	if err := im.loadOrgs(ctx); err != nil {
		return nil, err
	}
	if !dryRun {
		if im.stage, err = s.db.beginStaging(ctx, a, qingqian.ImportFile(ctx)); err != nil {
			return nil, err
		}
		// Whatever ends the import before its publication, its staging rows go.
		defer func() {
			if !im.stage.published {
				im.stage.abandon(context.WithoutCancel(ctx))
			}
		}()
	}
	// The rows are checked a chunk at a time, after one query has found which of the chunk's
	// numbers the ledger holds: one round trip per chunk rather than one per row.
	var pending []*qingqian.LedgerRow
	checkPending := func() error {
		defer func() { pending = pending[:0] }()
		if err := im.prefetchNumbers(ctx, pending); err != nil {
			return err
		}
		for i, r := range pending {
			if res.Truncated {
				res.Rows -= len(pending) - i // as if the reader had stopped at the last row checked
				return nil
			}
			if err := im.row(ctx, r); err != nil {
				return err
			}
		}
		// A long run of rows that stage nothing (all in the ledger already) still tells the
		// sweep that the import is alive.
		if im.stage != nil {
			return im.stage.keepAlive(ctx)
		}
		return nil
	}
	err = feed(res, rows, func(r *qingqian.LedgerRow) error {
		if pending = append(pending, r); len(pending) < matchChunk {
			return nil
		}
		return checkPending()
	})
	if err == nil || errors.Is(err, qingqian.ErrRowsRejected) {
		// The rows the file gave before it ended (or before its bad cells were counted) are
		// checked too, so that every problem is reported.
		if perr := checkPending(); perr != nil {
			err = perr
		}
	}
	im.sumTotals()
	switch {
	case errors.Is(err, qingqian.ErrRowsRejected):
		return res, nil
	case err != nil:
		return nil, err
	case !res.OK() || dryRun:
		return res, nil
	}
	if err := im.stage.flush(ctx); err != nil {
		return nil, err
	}
	if err := im.publish(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// matchChunk is how many rows are checked after one query for their numbers.
const matchChunk = 500

// prefetchNumbers finds which numbers given by the rows are taken in their units, in one query;
// match asks the ledger only about those (the rows of a large import are mostly new).
func (im *importer) prefetchNumbers(ctx context.Context, rows []*qingqian.LedgerRow) (err error) {
	defer wrapErr(&err, "look up the numbers of %d rows", len(rows))
	clear(im.absent)
	if im.absent == nil {
		im.absent = map[numberKey]bool{}
	}
	var nos []string
	orgs := map[int64]bool{}
	for _, r := range rows {
		o, _ := im.unit(r.OrgName)
		if o == nil || r.Item.No == "" {
			continue
		}
		orgs[o.ID] = true
		nos = append(nos, r.Item.No)
		im.absent[numberKey{o.ID, r.Item.No}] = true
	}
	if len(nos) == 0 {
		return nil
	}
	// The lists are padded (repeating their last value) to a few lengths, so that both
	// databases keep few statements.
	var args []any
	var q strings.Builder
	q.WriteString(`SELECT org_id, no FROM items WHERE no <> '' AND org_id IN (`)
	n := 0
	for id := range orgs {
		if n > 0 {
			q.WriteString(", ")
		}
		n++
		args = append(args, id)
		q.WriteString(im.dialect().param(len(args)))
	}
	for ; n&(n-1) != 0; n++ {
		args = append(args, args[len(args)-1])
		q.WriteString(", " + im.dialect().param(len(args)))
	}
	q.WriteString(`) AND no IN (`)
	for i := range max(len(nos), matchChunk) {
		if i > 0 {
			q.WriteString(", ")
		}
		args = append(args, nos[min(i, len(nos)-1)])
		q.WriteString(im.dialect().param(len(args)))
	}
	q.WriteString(`)`)
	rs, err := im.q.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
		var k numberKey
		if err := rs.Scan(&k.org, &k.no); err != nil {
			return err
		}
		delete(im.absent, k)
	}
	return rs.Err()
}

// numberKey is an item's number in its unit.
type numberKey struct {
	org int64
	no  string
}

// plannedCreditor is a creditor the import registers when it is published; until then its
// rows carry a provisional id, past any id the database gives (plannedIDs).
type plannedCreditor struct {
	id int64
	c  qingqian.Creditor
	r  *qingqian.LedgerRow // the first row naming it
}

// pendingUpdate is a change to an item in the ledger, made when the import is published.
type pendingUpdate struct {
	r    *qingqian.LedgerRow
	item *itemRow
	upd  qingqian.ItemUpdate
}

// plannedIDs is the first provisional id of the creditors an import plans.
const plannedIDs = 1 << 62

// creditorFor is the transaction's creditorFor for an import that holds none: a creditor not
// registered yet is planned, under a provisional id, and registered by the publication.
func (im *importer) creditorFor(ctx context.Context, r *qingqian.LedgerRow) (*qingqian.Creditor, bool, error) {
	if im.tx != nil {
		return im.tx.creditorFor(ctx, r.Creditor)
	}
	found, plan, err := findCreditor(ctx, im.q, r.Creditor)
	if err != nil || found != nil {
		return found, false, err
	}
	p := plannedCreditor{id: plannedIDs + int64(len(im.planned)), c: *plan, r: r}
	im.planned = append(im.planned, p)
	plan.ID = p.id
	return plan, true, nil
}

// seeAlso notes the other keys a new row's debt is known by (its contract number, its debt),
// so that a later row of the file naming the same debt by one of them is the same debt, as it
// was when each row was written to the ledger as it was read.
func (im *importer) seeAlso(r *qingqian.LedgerRow, it *qingqian.Item) {
	at := where(r.Sheet, r.Row, r.Sheet)
	if it.No != "" && it.ContractNo != "" {
		k := fmt.Sprintf("contract\x00%d\x00%d\x00%s", it.OrgID, it.CreditorID, it.ContractNo)
		if _, ok := im.seen[k]; !ok {
			im.seen[k] = at
		}
	}
	if it.No != "" || it.ContractNo != "" {
		k := fmt.Sprintf("debt\x00%d\x00%d\x00%s\x00%s\x00%d\x00%d", it.OrgID, it.CreditorID, it.ArisenOn, it.Kind, it.Undisputed, it.Disputed)
		if _, ok := im.seen[k]; !ok {
			im.seen[k] = at
		}
	}
}

// stageItem checks what the ledger would refuse of a new item and stages it (a dry run only
// checks); ok is false when the row has an issue.
func (im *importer) stageItem(ctx context.Context, r *qingqian.LedgerRow, o *qingqian.Org, it *qingqian.Item) (ok bool, err error) {
	if it.Origin == qingqian.OriginBaseline {
		lock, seen := im.locks[o.Path]
		if !seen {
			if lock, err = findBaselineLock(ctx, im.q, o.Path); err != nil {
				return false, err
			}
			im.locks[o.Path] = lock
		}
		if lock != "" {
			im.issue(r, "origin", it.Origin.Label(), lock+"，此后发现的欠款请按来源选择“自查发现”“投诉举报”或“新增欠款”")
			return false, nil
		}
	}
	if im.stage == nil || !im.res.OK() {
		return true, nil // a dry run, or an import that will not be published
	}
	return true, im.stage.add(ctx, r, o, it)
}

// stagedSum is what the staged items of one unit, day, kind and origin add to the running
// totals, summed while they are staged.
type stagedSum struct {
	n      int64
	du, dd qingqian.Money
}

// stagedItem is a new item waiting in memory for its chunk.
type stagedItem struct {
	place   int
	r       *qingqian.LedgerRow
	orgPath string
	it      qingqian.Item
}

// stager writes an import's new items to import_items, chunk by chunk.
type stager struct {
	db      *DB
	a       *qingqian.Actor
	id      int64
	digest  string
	touched time.Time // when imports.touched_at was last written
	places  int       // items staged or buffered
	buf     []stagedItem
	sums    map[pendingKey]stagedSum
	// digest holds, in the order of the file (place 1 first), what the publication's digest
	// covers of each staged item, so that the publication computes it without reading back the
	// rows it wrote (importDigest reads them; verify recomputes it that way).
	kept      []digestItem
	published bool
}

// digestItem is what importDigest covers of a new item that the staging knows: all but the ids
// and what the publication gives its recognise entry. Its creditor may be a planned one
// (plannedIDs), given its id by the publication.
type digestItem struct {
	orgID, creditorID int64
	kind              qingqian.ItemKind
	origin            qingqian.Origin
	arisen            qingqian.Date
	u, d              qingqian.Money
}

// stageChunk is how many rows one staging transaction writes: a writer waiting behind one
// waits for tens of milliseconds.
const stageChunk = 2000

// host names this machine in imports.host.
var host, _ = os.Hostname()

// beginStaging records an import in state staging.
func (db *DB) beginStaging(ctx context.Context, a *qingqian.Actor, digest string) (st *stager, err error) {
	defer wrapErr(&err, "record the import")
	st = &stager{db: db, a: a, digest: digest, touched: time.Now()}
	err = db.inTx(ctx, a, func(tx *Tx) error {
		var actorID int64
		if !a.System {
			actorID = a.UserID
		}
		st.id, err = tx.insertID(ctx, `INSERT INTO imports (kind, state, actor_id, actor_name, org_path, file_sha256, host, pid, started_at, touched_at)
			VALUES ('ledger', 'staging', $1, $2, $3, $4, $5, $6, $7, $7)`, actorID, a.Name, auditPath(a), digest, host, os.Getpid(), tx.ts(tx.now))
		return err
	})
	return st, err
}

// auditPath is the unit an import's records are filed under: the actor's, the root for the
// system.
func auditPath(a *qingqian.Actor) string {
	if a.System || a.OrgPath == "" {
		return "/"
	}
	return a.OrgPath
}

// add buffers a new item, writing a chunk when one is full.
func (st *stager) add(ctx context.Context, r *qingqian.LedgerRow, o *qingqian.Org, it *qingqian.Item) error {
	st.places++
	st.buf = append(st.buf, stagedItem{place: st.places, r: r, orgPath: o.Path, it: *it})
	st.kept = append(st.kept, digestItem{orgID: it.OrgID, creditorID: it.CreditorID, kind: it.Kind, origin: it.Origin,
		arisen: it.ArisenOn, u: it.Undisputed, d: it.Disputed})
	if st.sums == nil {
		st.sums = map[pendingKey]stagedSum{}
	}
	k := pendingKey{o.Path, it.ArisenOn, it.Kind, it.Origin}
	sum := st.sums[k]
	sum.n++
	sum.du, sum.dd = satAdd(sum.du, it.Undisputed), satAdd(sum.dd, it.Disputed)
	st.sums[k] = sum
	if len(st.buf) < stageChunk {
		return nil
	}
	return st.flush(ctx)
}

// satAdd adds two amounts of at most qingqian.MaxAmount each, saturating: a sum past int64 is
// past every ceiling of the gross movement, which refuses the publication.
func satAdd(a, b qingqian.Money) qingqian.Money {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	if b < 0 && a < math.MinInt64-b {
		return math.MinInt64
	}
	return a + b
}

// stageColumns are the columns of import_items a chunk writes.
var stageColumns = []string{"import_id", "place", "sheet", "row_no", "org_id", "org_path", "creditor_id", "no", "contract_no", "contract_name",
	"kind", "arisen_on", "due_on", "undisputed", "disputed", "dispute_reason", "funding_source", "origin", "responsible", "note", "search", "status"}

// flush writes the buffered items in one short transaction: by COPY on PostgreSQL, by
// prepared multi-row INSERTs on SQLite (bulkTx).
func (st *stager) flush(ctx context.Context) (err error) {
	if len(st.buf) == 0 {
		return nil
	}
	defer wrapErr(&err, "stage %d rows", len(st.buf))
	now := st.db.Now()
	err = st.db.bulkTx(ctx, st.a, func(w *bulkWriter) error {
		t := w.table("import_items", stageColumns)
		if w.pg != nil {
			t.batch = max(t.batch, len(st.buf)) // one COPY for the chunk
		}
		for _, s := range st.buf {
			it := &s.it
			b := qingqian.Balance{}
			b.Add(qingqian.CatRecognise, it.Undisputed, it.Disputed)
			if err := t.add(ctx, st.id, int64(s.place), s.r.Sheet, int64(s.r.Row), it.OrgID, s.orgPath, it.CreditorID, it.No, it.ContractNo,
				it.ContractName, string(it.Kind), it.ArisenOn, it.DueOn, int64(it.Undisputed), int64(it.Disputed), it.DisputeReason,
				string(it.FundingSource), string(it.Origin), it.Responsible, it.Note, itemSearch(it), string(b.Status)); err != nil {
				return err
			}
		}
		if err := t.flush(ctx); err != nil {
			return err
		}
		return w.exec(ctx, `UPDATE imports SET touched_at = $1 WHERE id = $2`, st.db.d.ts(now), st.id)
	})
	st.buf = st.buf[:0]
	st.touched = time.Now()
	return err
}

// keepAlive writes imports.touched_at when no chunk did for ten minutes.
func (st *stager) keepAlive(ctx context.Context) error {
	if time.Since(st.touched) < 10*time.Minute {
		return nil
	}
	st.touched = time.Now()
	return st.db.inTx(ctx, st.a, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE imports SET touched_at = $1 WHERE id = $2`, tx.ts(tx.now), st.id)
		return err
	})
}

// abandon removes an import's staging rows and marks it failed; nothing of it is in the ledger.
func (st *stager) abandon(ctx context.Context) {
	if err := st.db.dropStaging(ctx, st.a, st.id, st.places, "failed"); err != nil {
		st.db.logger().Warn("an abandoned import's staging rows stay until the next sweep", "import", st.id, "err", err)
	}
}

// dropStaging deletes an import's staging rows, a chunk per transaction, and sets its state
// (unless it is "").
func (db *DB) dropStaging(ctx context.Context, a *qingqian.Actor, id int64, places int, state string) error {
	if places <= 0 {
		err := db.inTx(ctx, a, func(tx *Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(place), 0) FROM import_items WHERE import_id = $1`, id).Scan(&n); err != nil {
				return err
			}
			places = n
			return nil
		})
		if err != nil {
			return err
		}
	}
	for hi := places; ; hi -= stageChunk {
		last := hi <= stageChunk
		err := db.inTx(ctx, a, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM import_items WHERE import_id = $1 AND place > $2 AND place <= $3`, id, max(hi-stageChunk, 0), max(hi, 0)); err != nil {
				return err
			}
			if last && state != "" {
				_, err := tx.ExecContext(ctx, `UPDATE imports SET state = $1 WHERE id = $2 AND state = 'staging'`, state, id)
				return err
			}
			return nil
		})
		if err != nil || last {
			return err
		}
	}
}

// stagingLife is how long an import may stage no chunk before it is taken for dead.
const stagingLife = time.Hour

// SweepImports removes what crashed imports left: the staging rows of an import still staging
// whose process on this machine no longer runs, or that staged nothing for an hour, and the
// staging rows of a published or failed import (a crash after its publication). Nothing of
// such an import is in the ledger. It returns how many imports it swept. The server runs it at
// start and every hour.
func (db *DB) SweepImports(ctx context.Context) (n int, err error) {
	defer wrapErr(&err, "sweep the staging of imports")
	type stale struct {
		id     int64
		host   string
		pid    int
		state  string
		update time.Time
	}
	var all []stale
	rows, err := db.write.QueryContext(ctx, `SELECT id, host, pid, state, touched_at FROM imports
		WHERE state = 'staging' OR id IN (SELECT DISTINCT import_id FROM import_items)`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var s stale
		if err := rows.Scan(&s.id, &s.host, &s.pid, &s.state, timeCol{&s.update}); err != nil {
			rows.Close()
			return 0, err
		}
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	sys := qingqian.SystemActor("导入清理")
	for _, s := range all {
		dead := s.state != "staging" || db.Now().Sub(s.update) > stagingLife ||
			(s.host == host && s.pid != os.Getpid() && !running(s.pid))
		if !dead {
			continue
		}
		state := ""
		if s.state == "staging" {
			state = "failed"
		}
		if err := db.dropStaging(ctx, sys, s.id, 0, state); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// running reports whether a process of this machine runs.
func running(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}
