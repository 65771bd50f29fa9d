package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// AuditService implements qingqian.AuditService.
type AuditService struct{ db *DB }

// NewAuditService returns the audit service over db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

var _ qingqian.AuditService = (*AuditService)(nil)

const auditColumns = `seq, chain, chain_seq, COALESCE(entry_id, 0), at, actor_id, actor_name, org_path, action, entity, entity_id, before_json, after_json, prev_hash, hash, source`

func scanAudit(row interface{ Scan(...any) error }) (*qingqian.AuditRecord, error) {
	r := &qingqian.AuditRecord{}
	var before, after string
	err := row.Scan(&r.Seq, &r.Chain, &r.ChainSeq, &r.EntryID, timeCol{&r.At}, &r.ActorID, &r.ActorName, &r.OrgPath, &r.Action, &r.Entity, &r.EntityID, &before, &after, &r.PrevHash, &r.Hash, &r.Source)
	if before != "" {
		r.Before = json.RawMessage(before)
	}
	if after != "" {
		r.After = json.RawMessage(after)
	}
	return r, err
}

// rootPath reports whether a path is a root unit's ("/1/"): a reader there reads the whole
// trail, the records about no unit ("/": sign-ins under unknown names, stopped addresses) too.
func rootPath(path string) bool { return strings.Count(path, "/") == 2 }

// FindAudit implements qingqian.AuditService. The history of an item is visible to whoever
// reads the item; the search of the trail is for the audit administrator, internal audit and
// the clearance office.
func (s *AuditService) FindAudit(ctx context.Context, f qingqian.AuditFilter) (_ []*qingqian.AuditRecord, _ int, err error) {
	defer serviceErr(&err, "find audit records")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !a.CanReadAudit() {
		// Only an item's history, and only of an item the actor reads.
		if f.Entity != "item" || f.EntityID == 0 || !a.CanRead() {
			return nil, 0, qingqian.Errorf(qingqian.EFORBIDDEN, "只有审计管理员、审计人员和清欠办可以查询审计日志")
		}
		var path string
		err := s.db.read.QueryRowContext(ctx, `SELECT o.path FROM items i JOIN orgs o ON o.id = i.org_id WHERE i.id = $1`, f.EntityID).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, itemNotFound()
		} else if err != nil {
			return nil, 0, fmt.Errorf("read items: %w", err)
		}
		if !a.Reaches(path) {
			s.db.securityEvent(ctx, a, "item", f.EntityID)
			return nil, 0, itemNotFound()
		}
		f = qingqian.AuditFilter{Entity: "item", EntityID: f.EntityID, Offset: f.Offset, Limit: f.Limit}
	}
	var q args
	lo, hi := subtreeRange(a.OrgPath)
	where := ` WHERE org_path >= ` + q.add(lo) + ` AND org_path < ` + q.add(hi)
	if a.System || (a.CanReadAudit() && rootPath(a.OrgPath)) {
		where = ` WHERE 1 = 1`
		q = nil
	}
	switch {
	case f.Entity == "item" && f.EntityID != 0:
		// An item's history starts with the publication of the import that created it, if any.
		id := q.add(f.EntityID)
		where += ` AND (entity = 'item' AND entity_id = ` + id + ` OR entity = 'import' AND entity_id = (SELECT import_id FROM items WHERE id = ` + id + `))`
	default:
		if f.Entity != "" {
			where += ` AND entity = ` + q.add(f.Entity)
		}
		if f.EntityID != 0 {
			where += ` AND entity_id = ` + q.add(f.EntityID)
		}
	}
	if f.Action != "" {
		where += ` AND action = ` + q.add(f.Action)
	}
	if f.Actor != "" {
		where += ` AND actor_name = ` + q.add(f.Actor)
	}
	if f.Source != "" {
		where += ` AND source = ` + q.add(f.Source)
	}
	if f.BeforeSeq > 0 {
		where += ` AND seq < ` + q.add(f.BeforeSeq)
	}
	if !f.From.IsZero() {
		where += ` AND at >= ` + q.add(s.db.d.ts(f.From))
	}
	if !f.To.IsZero() {
		where += ` AND at < ` + q.add(s.db.d.ts(f.To))
	}
	var total int
	if !f.NoCount {
		if err := s.db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log`+where, q...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("read audit_log: %w", err)
		}
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log`+where+` ORDER BY seq DESC LIMIT `+q.add(limit(f.Limit))+` OFFSET `+q.add(max(f.Offset, 0)), q...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*qingqian.AuditRecord{}
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// VerifyAudit implements qingqian.AuditService: it walks the chain in order, recomputing each
// hash, and also checks the head, so that deleting the newest records is caught too. It reads
// one snapshot of the database (see verify.go).
func (s *AuditService) VerifyAudit(ctx context.Context) (_ *qingqian.AuditVerification, err error) {
	defer serviceErr(&err, "verify the audit chain")
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.System && !a.Has(qingqian.RoleAuditAdmin, qingqian.RoleAuditor) {
		return nil, qingqian.Errorf(qingqian.EFORBIDDEN, "只有审计管理员和审计人员可以校验审计链")
	}
	snap, err := s.db.beginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer snap.Close()
	return s.db.verifyChain(ctx, snap)
}

// Writing the trail: every write transaction appends its records through Tx.audit; an attempt
// to reach data outside the actor's subtree is recorded by securityEvent (or Tx.deny).

// audit appends a record to the hash chain in the current transaction.
func (tx *Tx) audit(ctx context.Context, action, entity string, entityID int64, orgPath string, before, after any) error {
	return tx.auditBound(ctx, action, entity, entityID, orgPath, before, after, 0)
}

// chainOf is the chain a transaction whose first record concerns the unit at path writes to:
// the group's ("/1/4/17/" is in group 4's chain), or 0 for the regulator's level and no unit.
func chainOf(path string) int64 {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) < 2 {
		return 0
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// auditBound appends a record, bound to the ledger entry entryID (0 for none), to the hash
// chain in the current transaction. The first record of a transaction picks the chain (see
// chainOf) and takes its head row, whose lock makes the chain's writers follow one another; the
// other chains' writers do not wait. Every record of the transaction goes to that chain, and
// inTx writes the new head before committing.
func (tx *Tx) auditBound(ctx context.Context, action, entity string, entityID int64, orgPath string, before, after any, entryID int64) (err error) {
	defer wrapErr(&err, "audit %s of %s %d", action, entity, entityID)
	rec := qingqian.AuditRecord{At: tx.now, Action: action, Entity: entity, EntityID: entityID, OrgPath: orgPath, Source: qingqian.SourceFrom(ctx), EntryID: entryID}
	if tx.actor != nil {
		rec.ActorID, rec.ActorName = tx.actor.UserID, tx.actor.Name
	}
	if rec.Before, err = marshalAudit(before); err != nil {
		return err
	}
	if rec.After, err = marshalAudit(after); err != nil {
		return err
	}
	if !tx.headLoaded {
		tx.chain = chainOf(orgPath)
		if err := tx.QueryRowContext(ctx, `INSERT INTO audit_heads (chain, seq, hash, last_seq) VALUES ($1, 0, '', 0)
			ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash`, tx.chain).Scan(&tx.headSeq, &tx.headHash); err != nil {
			return fmt.Errorf("take the head of audit chain %d: %w", tx.chain, err)
		}
		tx.headLoaded = true
	}
	rec.Chain, rec.ChainSeq, rec.PrevHash = tx.chain, tx.headSeq+1, tx.headHash
	rec.Hash = rec.ComputeHash()
	tx.headSeq, tx.headHash = rec.ChainSeq, rec.Hash
	if (tx.bulk || tx.bufferAudit) && tx.db.d.name == "postgres" {
		// An import on PostgreSQL writes its records auditBatch at a time (flushAudit), saving a
		// round trip per record. (On SQLite, where a statement is a call, one statement of 100
		// rows measured slower than 100 statements of one.)
		tx.auditBuf = append(tx.auditBuf, rec)
		if len(tx.auditBuf) < auditBatch {
			return nil
		}
		return tx.flushAudit(ctx)
	}
	if tx.db.d.name == "sqlite" {
		res, err := tx.ExecContext(ctx, auditInsert(1), auditValues(tx, rec)...)
		if err != nil {
			return err
		}
		tx.headLast, err = res.LastInsertId()
		return err
	}
	return tx.QueryRowContext(ctx, auditInsert(1)+` RETURNING seq`, auditValues(tx, rec)...).Scan(&tx.headLast)
}

// auditBatch is how many audit records an import on PostgreSQL writes in one statement.
const auditBatch = 100

// auditCols are the columns an audit record is written with; seq comes from the database.
const auditCols = 15

// auditInsert is the INSERT of n audit records.
func auditInsert(n int) string {
	var a args
	rows := make([]string, n)
	for i := range rows {
		cols := make([]string, auditCols)
		for j := range cols {
			cols[j] = a.add(nil)
		}
		rows[i] = "(" + strings.Join(cols, ", ") + ")"
	}
	return `INSERT INTO audit_log (chain, chain_seq, entry_id, at, actor_id, actor_name, org_path, action, entity, entity_id, before_json, after_json, prev_hash, hash, source)
		VALUES ` + strings.Join(rows, ", ")
}

// auditInsertBatch is auditInsert(auditBatch), built once.
var auditInsertBatch = auditInsert(auditBatch)

func auditValues(tx *Tx, rec qingqian.AuditRecord) []any {
	var entry any
	if rec.EntryID != 0 {
		entry = rec.EntryID
	}
	return []any{rec.Chain, rec.ChainSeq, entry, tx.ts(rec.At), rec.ActorID, rec.ActorName, rec.OrgPath, rec.Action, rec.Entity, rec.EntityID,
		string(rec.Before), string(rec.After), rec.PrevHash, rec.Hash, rec.Source}
}

// flushAudit writes the audit records an import has kept back; inTx calls it before commit.
func (tx *Tx) flushAudit(ctx context.Context) (err error) {
	defer wrapErr(&err, "write %d audit records", len(tx.auditBuf))
	if len(tx.auditBuf) == 0 {
		return nil
	}
	q := auditInsertBatch
	if len(tx.auditBuf) != auditBatch {
		q = auditInsert(len(tx.auditBuf))
	}
	vals := make([]any, 0, auditCols*len(tx.auditBuf))
	for _, rec := range tx.auditBuf {
		vals = append(vals, auditValues(tx, rec)...)
	}
	tx.auditBuf = tx.auditBuf[:0]
	// The last record's seq is the head's (PostgreSQL numbers the rows of one INSERT in order).
	return tx.QueryRowContext(ctx, `WITH w AS (`+q+` RETURNING seq) SELECT MAX(seq) FROM w`, vals...).Scan(&tx.headLast)
}

func marshalAudit(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if r, ok := v.(json.RawMessage); ok {
		return r, nil
	}
	return json.Marshal(v)
}

// RecordAccess implements qingqian.AuditService.
func (s *AuditService) RecordAccess(ctx context.Context, action, entity string, entityID int64, detail any) (err error) {
	defer serviceErr(&err, "record %s", action)
	a, err := qingqian.RequireActor(ctx)
	if err != nil {
		return err
	}
	// The record is kept even when the request has gone: the data has left.
	ctx = context.WithoutCancel(ctx)
	return s.db.inTx(ctx, a, func(tx *Tx) error {
		return tx.audit(ctx, action, entity, entityID, a.OrgPath, nil, detail)
	})
}

// securityEvent records, in its own transaction, an attempt to reach data outside the actor's
// subtree, even when the request that made it is gone. It never fails that request: a record
// that cannot be written is logged. Inside a write transaction use Tx.deny instead: the write
// connection is busy until that transaction ends.
func (db *DB) securityEvent(ctx context.Context, actor *qingqian.Actor, entity string, id int64) {
	ctx = context.WithoutCancel(ctx)
	err := db.inTx(ctx, actor, func(tx *Tx) error {
		return tx.audit(ctx, "security.denied", entity, id, actor.OrgPath, nil, map[string]any{"reason": "outside subtree"})
	})
	if err != nil {
		db.logger().Error("security audit record not written", "action", "security.denied", "actor", actor.Name,
			"entity", entity, "id", id, "err", err)
	}
}
