package sqldb

// Imports: one transaction per file that commits only when every row passed (ADR 14); the
// sheets are in import_ledger.go and import_registers.go.

import (
	"context"
	"errors"
	"fmt"

	"github.com/qingqian/qingqian"
)

// ImportService implements qingqian.ImportService.
type ImportService struct{ db *DB }

// NewImportService returns the import service over db.
func NewImportService(db *DB) *ImportService { return &ImportService{db: db} }

var _ qingqian.ImportService = (*ImportService)(nil)

// errRollback ends an import transaction that must not commit (issues or a dry run).
var errRollback = &qingqian.Error{Code: qingqian.ECONFLICT, Message: "rollback"}

// importTx runs an import in one transaction that commits only when there is no issue and it is
// not a dry run.
func (s *ImportService) importTx(ctx context.Context, dryRun bool, body func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error) (*qingqian.ImportResult, error) {
	return s.importTxAs(ctx, dryRun, qingqian.RequireWriter, body)
}

// importTxAs is importTx for an import whose callers are not the ledger's writers: require
// returns the actor that may run it.
func (s *ImportService) importTxAs(ctx context.Context, dryRun bool, require func(context.Context) (*qingqian.Actor, error), body func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error) (*qingqian.ImportResult, error) {
	a, err := require(ctx)
	if err != nil {
		return nil, err
	}
	if s.db.d.name == "sqlite" {
		// Inside the import's long transaction each statement journals the pages it changes so
		// that it alone can be undone; in temporary files on disk, those journals were a fifth of
		// an import's time. SQLite's temporary files stay in memory for the import only: kept
		// there for good, a rebuild of the running totals would sort in memory too. (The setting
		// cannot change inside a transaction; another write slipping in between is merely
		// served the same way.)
		if _, err := s.db.write.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
			return nil, err
		}
		defer s.db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = DEFAULT`)
	}
	res := &qingqian.ImportResult{DryRun: dryRun, Issues: []qingqian.ImportIssue{}}
	err = s.db.inTx(ctx, a, func(tx *Tx) error {
		// An import writes its running totals once at the end, and an item it creates gets one
		// audit record (see ADR 14).
		tx.bulk = true
		tx.deferTotals()
		if err := body(tx, a, res); err != nil {
			return err
		}
		if !res.OK() || dryRun {
			return errRollback
		}
		return tx.flushTotals(ctx)
	})
	if err != nil && !errors.Is(err, errRollback) && !errors.Is(err, qingqian.ErrRowsRejected) {
		return nil, err
	}
	if !res.OK() || errors.Is(err, qingqian.ErrRowsRejected) {
		// A file with any problem is refused whole: nothing was written, and nothing would be on
		// confirming it, so the result claims no row created or updated.
		res.Created, res.Updated, res.CreditorsCreated = 0, 0, 0
	}
	return res, nil
}

// feed hands each row to fn, counting rows, until the rows end, fn fails, or too many issues
// were found.
func feed[T any](res *qingqian.ImportResult, rows func(yield func(*T) bool) error, fn func(*T) error) error {
	var failure error
	if err := rows(func(r *T) bool {
		res.Rows++
		if failure = fn(r); failure != nil {
			return false
		}
		return !res.Truncated
	}); err != nil {
		return err
	}
	return failure
}

type importer struct {
	tx *Tx
	// q serves the importer's reads: the transaction, or for a staged ledger import (which
	// holds no transaction while it checks) the primary's read pool.
	q         readQueryer
	a         *qingqian.Actor
	res       *qingqian.ImportResult
	orgs      map[string][]*qingqian.Org // by full name, within the actor's subtree
	byNorm    map[string][]*qingqian.Org // by qingqian.NormalizeName of the full name
	creditors map[string]*qingqian.Creditor
	// newCreditors are the creditors this import registers: nothing of theirs is in the ledger.
	newCreditors map[int64]bool
	// seen holds, by what identifies a row's debt, where in the file it was first given.
	seen   map[string]string
	totals map[string]*qingqian.ImportTotal

	// Of a staged ledger import (import_stage.go): where its new items go, the creditors the
	// publication registers, the changes to existing items it makes, the baseline locks seen.
	stage   *stager
	planned []plannedCreditor
	updates []pendingUpdate
	locks   map[string]string
	// absent holds numbers of the rows being checked that no item of their unit had when they
	// were looked up together (prefetchNumbers).
	absent map[numberKey]bool
	db     *DB
}

// dialect is the dialect of the importer's database.
func (im *importer) dialect() dialect { return im.db.d }

func (im *importer) loadOrgs(ctx context.Context) (err error) {
	defer wrapErr(&err, "read the units")
	lo, hi := subtreeRange(im.a.OrgPath)
	rows, err := im.q.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs o WHERE o.path >= $1 AND o.path < $2`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	im.orgs = map[string][]*qingqian.Org{}
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return err
		}
		im.orgs[o.Name] = append(im.orgs[o.Name], o)
		if im.byNorm == nil {
			im.byNorm = map[string][]*qingqian.Org{}
		}
		n := qingqian.NormalizeName(o.Name)
		im.byNorm[n] = append(im.byNorm[n], o)
	}
	return rows.Err()
}

// unit finds a row's unit by its full name within the actor's subtree, brackets and spaces
// typed either way; else it says why not, suggesting the nearest name.
func (im *importer) unit(name string) (*qingqian.Org, string) {
	units := im.orgs[name]
	if len(units) == 0 {
		units = im.byNorm[qingqian.NormalizeName(name)]
	}
	switch {
	case len(units) == 0:
		msg := "没有这个单位，或它不在本单位及下级单位之中"
		names := make([]string, 0, len(im.orgs))
		for n := range im.orgs {
			names = append(names, n)
		}
		if near := qingqian.NearestName(name, names); near != "" {
			msg += "；是否为“" + near + "”？"
		}
		return nil, msg
	case len(units) > 1:
		return nil, "有多个同名单位，请在系统中改名后再导入"
	case !units[0].Active:
		return nil, "该单位已停用"
	}
	return units[0], ""
}

// where names a row of the file in messages: "第N行", or "工作表“X”第N行" in another sheet.
func where(sheet string, row int, from string) string {
	if sheet != "" && sheet != from {
		return fmt.Sprintf("工作表“%s”第%d行", sheet, row)
	}
	return fmt.Sprintf("第%d行", row)
}

func (im *importer) issue(r *qingqian.LedgerRow, field, value, msg string) {
	im.res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: field, Value: value, Message: msg})
}

func (im *importer) warn(r *qingqian.LedgerRow, field, value, msg string) {
	im.res.AddWarning(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: field, Value: value, Message: msg})
}
