package sqldb

import (
	"context"

	"github.com/qingqian/qingqian"
)

// The package's internals that its external tests use. Those tests run on both databases through
// sqldbtest, which an internal test cannot import (sqldbtest imports this package).

// InTxForTest runs fn in a write transaction as the services do (inTx).
func (db *DB) InTxForTest(ctx context.Context, actor *qingqian.Actor, fn func(tx *Tx) error) error {
	return db.inTx(ctx, actor, fn)
}

// AuditForTest appends an audit record about an entity, with no state before or after.
func (tx *Tx) AuditForTest(ctx context.Context, action, entity string, id int64, path string) error {
	return tx.audit(ctx, action, entity, id, path, nil, nil)
}
