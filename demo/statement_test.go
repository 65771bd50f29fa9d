package demo_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The demo shows a bill not yet honoured, honoured bills counted as repayments, and a statement
// with lines matched, a repayment with no line, a line to a creditor with no repayment.
func TestDemoBillsAndStatement(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		p := MustLoad(t, db)
		ctx := qingqian.NewContext(context.Background(), qingqian.SystemActor("test"))
		sum, err := sqldb.NewBillService(db).UnhonouredBills(ctx, qingqian.BillQuery{OrgID: p.Regulator.ID})
		if err != nil || sum.Count != 1 || sum.Amount <= 0 {
			t.Fatalf("bills not yet honoured: %+v %v", sum, err)
		}
		if n, err := db.CountRows(ctx, "bills"); err != nil || n < 2 {
			t.Fatalf("bills: %d %v", n, err) // the others were honoured
		}
		st := sqldb.NewStatementService(db)
		missing, err := st.RepaymentsWithoutLine(ctx, p.Regulator.ID)
		if err != nil || len(missing) != 1 {
			t.Fatalf("repayments without a line: %d %v", len(missing), err)
		}
		rc, err := st.Reconcile(ctx, missing[0].OrgID, 0)
		if err != nil || len(rc.Matched) == 0 || len(rc.Unproven) != 1 || len(rc.UnmatchedLines) != 1 || rc.OtherLines != 1 {
			t.Fatalf("reconciliation: %+v %v", rc, err)
		}
	})
}
