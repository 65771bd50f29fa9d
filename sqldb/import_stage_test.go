package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// heldLedger yields n ledger rows of group A (a new creditor's), stopping after the first held
// rows until release is closed; reached is closed when it stops there.
func heldLedger(t *testing.T, f *fixture, n, held int, reached, release chan struct{}) func(yield func(*qingqian.LedgerRow) bool) error {
	return heldLedgerOf(f, MustUSCC(t), n, held, reached, release)
}

// heldLedgerOf is heldLedger with the new creditor's code given.
func heldLedgerOf(f *fixture, uscc string, n, held int, reached, release chan struct{}) func(yield func(*qingqian.LedgerRow) bool) error {
	return func(yield func(*qingqian.LedgerRow) bool) error {
		for i := 1; i <= n; i++ {
			if i == held+1 {
				close(reached)
				<-release
			}
			r := &qingqian.LedgerRow{Row: i + 1, OrgName: f.groupA.Name,
				Creditor: qingqian.Creditor{Name: "某某新建材有限公司", USCC: uscc},
				Item: qingqian.Item{No: fmt.Sprintf("S-%05d", i), Kind: qingqian.KindGoods, Origin: qingqian.OriginNew,
					ArisenOn: qingqian.MustParseDate("2020-03-01").AddDays(i % 7), Undisputed: qingqian.Money(100 + i), FundingSource: qingqian.FundingOwn}}
			if !yield(r) {
				return nil
			}
		}
		return nil
	}
}

// While a ledger import stages its rows, the writer is free between its chunks (another group
// creates an item) and readers see none of the import; then it is published whole, with its new
// creditor, and its staging rows are gone.
func TestStagedImportLeavesTheWriterFree(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		itemsBefore := count(t, db, "items")
		reached, release := make(chan struct{}), make(chan struct{})
		type outcome struct {
			res *qingqian.ImportResult
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), heldLedger(t, f, 2500, 2100, reached, release), false)
			done <- outcome{res, err}
		}()
		select {
		case <-reached:
		case out := <-done:
			t.Fatalf("the import ended before its last rows: %+v %v", out.res, out.err)
		}
		if n := count(t, db, "import_items"); n != 2000 {
			t.Errorf("%d rows staged after the first chunk, want 2000", n)
		}
		if n := count(t, db, "items"); n != itemsBefore {
			t.Errorf("readers see %d items of an import not yet published", n-itemsBefore)
		}
		// Without the staging, this would wait for the whole import, which waits for this.
		ctx, cancel := context.WithTimeout(as(f.groupB), time.Minute)
		other := f.MustItem(t, ctx, f.groupB, "2020-04-01", qingqian.Yuan(10), 0)
		cancel()
		close(release)
		out := <-done
		if out.err != nil || !out.res.OK() || out.res.Created != 2500 || out.res.CreditorsCreated != 1 {
			t.Fatalf("import: %+v %v", out.res, out.err)
		}
		if n := count(t, db, "items"); n != itemsBefore+2501 {
			t.Fatalf("%d items after the import and another group's item, want %d", n-itemsBefore, 2501)
		}
		if n := count(t, db, "import_items"); n != 0 {
			t.Fatalf("%d staging rows left after the publication", n)
		}
		if other.ID == 0 {
			t.Fatal("the other group's item was not created")
		}
		mustVerifyTotals(t, db)
		mustVerify(t, db)
		// Changing what an imported item recorded behind the service's back no longer matches
		// the import's record.
		mustExec(t, db, `UPDATE entries SET du = du + 1 WHERE id = (SELECT MIN(e.id) FROM entries e JOIN items i ON i.id = e.item_id WHERE i.import_id IS NOT NULL)`)
		wantProblem(t, db, sqldb.VerifyOptions{}, "导入", "与其审计记录不符")
	})
}

// A crash while staging leaves staging rows and nothing in the ledger; the sweep removes the
// rows of an import whose process no longer runs, and such an import cannot be published.
func TestSweepRemovesTheStagingOfADeadImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		itemsBefore, entriesBefore, creditorsBefore := count(t, db, "items"), count(t, db, "entries"), count(t, db, "creditors")
		reached, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), heldLedger(t, f, 2500, 2100, reached, release), false)
			if err == nil && !res.OK() {
				err = fmt.Errorf("issues: %+v", res.Issues)
			}
			done <- err
		}()
		select {
		case <-reached:
		case err := <-done:
			t.Fatalf("the import ended before its last rows: %v", err)
		}
		// A process id above Linux's largest stands for a process that died.
		mustExec(t, db, `UPDATE imports SET pid = 4194305 WHERE state = 'staging'`)
		n, err := db.SweepImports(ctx)
		if err != nil || n != 1 {
			t.Fatalf("swept %d imports: %v", n, err)
		}
		if n := count(t, db, "import_items"); n != 0 {
			t.Fatalf("%d staging rows left by the sweep", n)
		}
		close(release)
		if err := <-done; err == nil {
			t.Fatal("an import swept while staging was published")
		}
		if count(t, db, "items") != itemsBefore || count(t, db, "entries") != entriesBefore || count(t, db, "creditors") != creditorsBefore || count(t, db, "import_items") != 0 {
			t.Fatal("a swept import left rows")
		}
		if n, err := db.SweepImports(ctx); err != nil || n != 0 {
			t.Fatalf("a second sweep found %d: %v", n, err)
		}
		mustVerifyTotals(t, db)
		mustVerify(t, db)
	})
}

// The creditors an import registers reach their rows, several hundred to a statement (or, for
// fewer, as the items are inserted): every row ends with the creditor its own line names.
func TestImportRegistersManyCreditors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		// 950: three statements' worth of new creditors, the last one short; 300: given to the
		// items as they are inserted.
		for _, n := range []int{950, 300} {
			registerCreditors(t, db, f, n)
		}
	})
}

// The publication of a large import, timed step by step, with its yardstick measured in the same
// run: the same number of two-integer rows inserted by one INSERT … SELECT. Run only when
// QINGQIAN_PUBLISH_ROWS gives the number of rows (docs/benchmarks.md):
//
//	QINGQIAN_PUBLISH_ROWS=100000 go test -run TestPublicationTime -v ./sqldb/
func TestPublicationTime(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("QINGQIAN_PUBLISH_ROWS"))
	if n <= 0 {
		t.Skip("QINGQIAN_PUBLISH_ROWS not set")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		var steps []string
		var took time.Duration
		sqldb.TimePublicationForTest(func(step string, since time.Duration) {
			steps = append(steps, fmt.Sprintf("%s %.3fs", step, since.Seconds()))
			took = since
		})
		defer sqldb.TimePublicationForTest(nil)
		start := time.Now()
		res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), heldLedger(t, f, n, n, make(chan struct{}), make(chan struct{})), false)
		if err != nil || !res.OK() || res.Created != n {
			t.Fatalf("import: %+v %v", res.Created, err)
		}
		all := time.Since(start)
		ctx := context.Background()
		if err := db.ExecForTest(ctx, `CREATE TABLE yardstick (a BIGINT NOT NULL, b BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		yard := time.Now()
		if err := db.ExecForTest(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1)
			INSERT INTO yardstick (a, b) SELECT x, x FROM c`, n); err != nil {
			t.Fatal(err)
		}
		y := time.Since(yard)
		t.Logf("%d rows: import %.2fs, publication %.3fs (%s); yardstick (INSERT … SELECT of %d two-integer rows) %.3fs; ratio %.1f",
			n, all.Seconds(), took.Seconds(), strings.Join(steps, ", "), n, y.Seconds(), took.Seconds()/y.Seconds())
		// The digest the publication computed is the one verify recomputes from the rows.
		mustVerify(t, db)
	})
}

// A number that a clerk gives an item of the unit while the import stages, one of the rows
// already checked, refuses the publication: the row is named, nothing of the import is
// published, and its staging rows are gone.
func TestImportRefusedForANumberTakenWhileStaging(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		itemsBefore, entriesBefore := count(t, db, "items"), count(t, db, "entries")
		reached, release := make(chan struct{}), make(chan struct{})
		type outcome struct {
			res *qingqian.ImportResult
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), heldLedger(t, f, 2500, 2100, reached, release), false)
			done <- outcome{res, err}
		}()
		select {
		case <-reached:
		case out := <-done:
			t.Fatalf("the import ended before its last rows: %+v %v", out.res, out.err)
		}
		it := &qingqian.Item{OrgID: f.groupA.ID, No: "S-00005", Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractName: "合同",
			Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Yuan(10),
			Origin: qingqian.OriginNew, FundingSource: qingqian.FundingOwn}
		ctx, cancel := context.WithTimeout(as(f.groupA), time.Minute)
		err := f.items.CreateItem(ctx, it)
		cancel()
		close(release)
		out := <-done
		if err != nil {
			t.Fatalf("create item: %v", err)
		}
		if out.err != nil || out.res.OK() || len(out.res.Issues) != 1 {
			t.Fatalf("import: %+v %v", out.res, out.err)
		}
		if is := out.res.Issues[0]; is.Row != 6 || is.Field != "no" || is.Value != "S-00005" || !strings.Contains(is.Message, "导入期间新增") {
			t.Fatalf("issue %+v, want row 6's number named", is)
		}
		if n := count(t, db, "items"); n != itemsBefore+1 {
			t.Fatalf("%d items after a refused import and a clerk's item, want 1", n-itemsBefore)
		}
		if n := count(t, db, "entries"); n != entriesBefore+1 {
			t.Fatalf("%d entries after a refused import and a clerk's item, want 1", n-entriesBefore)
		}
		if n := count(t, db, "import_items"); n != 0 {
			t.Fatalf("%d staging rows left after a refused publication", n)
		}
		mustVerifyTotals(t, db)
		mustVerify(t, db)
	})
}

// A new creditor the staging planned, registered by a clerk before the publication: the import
// files its rows under that creditor and reports the creditors it registered itself (none).
func TestImportCountsTheCreditorsItRegistered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		uscc := MustUSCC(t)
		reached, release := make(chan struct{}), make(chan struct{})
		type outcome struct {
			res *qingqian.ImportResult
			err error
		}
		done := make(chan outcome, 1)
		go func() {
			res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), heldLedgerOf(f, uscc, 2500, 2100, reached, release), false)
			done <- outcome{res, err}
		}()
		select {
		case <-reached:
		case out := <-done:
			t.Fatalf("the import ended before its last rows: %+v %v", out.res, out.err)
		}
		it := &qingqian.Item{OrgID: f.groupA.ID, No: "T-1", Creditor: &qingqian.Creditor{USCC: uscc, Name: "某某新建材有限公司",
			Ownership: f.creditor.Ownership, Size: f.creditor.Size, SizeDeclaredOn: f.creditor.SizeDeclaredOn}, ContractName: "合同",
			Kind: qingqian.KindGoods, ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Yuan(10),
			Origin: qingqian.OriginNew, FundingSource: qingqian.FundingOwn}
		ctx, cancel := context.WithTimeout(as(f.groupA), time.Minute)
		err := f.items.CreateItem(ctx, it)
		cancel()
		close(release)
		out := <-done
		if err != nil {
			t.Fatalf("create item: %v", err)
		}
		if out.err != nil || !out.res.OK() || out.res.Created != 2500 || out.res.CreditorsCreated != 0 {
			t.Fatalf("import: %d created, %d creditors registered, %v; want 2500 and 0", out.res.Created, out.res.CreditorsCreated, out.err)
		}
		var n int
		if err := db.QueryRowForTest(context.Background(), `SELECT COUNT(*) FROM items i JOIN creditors c ON c.id = i.creditor_id WHERE c.uscc = $1`, uscc).Scan(&n); err != nil || n != 2501 {
			t.Fatalf("%d items under the creditor (%v), want 2501", n, err)
		}
		mustVerify(t, db)
	})
}

// registerCreditors imports n rows naming new creditors, every tenth the one before's.
func registerCreditors(t *testing.T, db *sqldb.DB, f *fixture, n int) {
	codes := make([]string, n+1)
	rows := func(yield func(*qingqian.LedgerRow) bool) error {
		for i := 1; i <= n; i++ {
			if codes[i] == "" {
				codes[i] = MustUSCC(t)
			}
			cr := qingqian.Creditor{USCC: codes[i], Name: fmt.Sprintf("供应商%03d有限公司", i), Ownership: f.creditor.Ownership, Size: f.creditor.Size, SizeDeclaredOn: f.creditor.SizeDeclaredOn}
			// Every tenth row names the creditor of the row before: an existing plan, not a new one.
			if i%10 == 0 {
				codes[i] = codes[i-1]
				cr.USCC, cr.Name = codes[i-1], fmt.Sprintf("供应商%03d有限公司", i-1)
			}
			r := &qingqian.LedgerRow{Row: i + 1, OrgName: f.groupA.Name, Creditor: cr, Item: qingqian.Item{
				No: fmt.Sprintf("C%d-%04d", n, i), ContractNo: fmt.Sprintf("HT-%d", i), ContractName: "采购合同", Kind: qingqian.KindGoods,
				Origin: qingqian.OriginBaseline, ArisenOn: qingqian.MustParseDate("2019-01-01"), Undisputed: qingqian.Money(100_00 + i), FundingSource: qingqian.FundingOwn}}
			if !yield(r) {
				return nil
			}
		}
		return nil
	}
	res, err := sqldb.NewImportService(db).ImportLedger(as(f.groupA), rows, false)
	if err != nil || !res.OK() || res.Created != n {
		t.Fatalf("import: %+v %v", res, err)
	}
	for i := 1; i <= n; i++ {
		no, uscc := fmt.Sprintf("C%d-%04d", n, i), ""
		if err := db.QueryRowForTest(context.Background(), `SELECT c.uscc FROM items i JOIN creditors c ON c.id = i.creditor_id WHERE i.no = $1`, no).Scan(&uscc); err != nil || uscc != codes[i] {
			t.Fatalf("%s has creditor %q (%v), its row named %q", no, uscc, err, codes[i])
		}
	}
	if c := count(t, db, "creditors"); c < n-n/10 {
		t.Fatalf("%d creditors", c)
	}
	mustVerify(t, db)
}

// A row that finds an item of the ledger by its number but names another creditor is refused,
// naming the code and the ledger's creditor: the import neither moves the debt to another firm
// nor reports the row unchanged.
func TestImportRefusesAnotherCreditorForANumber(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		row := func(c qingqian.Creditor) func(yield func(*qingqian.LedgerRow) bool) error {
			return func(yield func(*qingqian.LedgerRow) bool) error {
				yield(&qingqian.LedgerRow{Row: 2, OrgName: f.groupA.Name, Creditor: c,
					Item: qingqian.Item{No: "N-1", Kind: qingqian.KindGoods, Origin: qingqian.OriginNew,
						ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Yuan(10), FundingSource: qingqian.FundingOwn}})
				return nil
			}
		}
		imp := sqldb.NewImportService(db)
		first := qingqian.Creditor{Name: f.creditor.Name, USCC: f.creditor.USCC}
		if res, err := imp.ImportLedger(as(f.groupA), row(first), false); err != nil || !res.OK() || res.Created != 1 {
			t.Fatalf("first import: %+v %v", res, err)
		}
		other := qingqian.Creditor{Name: "另一家建材有限公司", USCC: MustUSCC(t), Ownership: f.creditor.Ownership, Size: f.creditor.Size, SizeDeclaredOn: f.creditor.SizeDeclaredOn}
		items, creditors := count(t, db, "items"), count(t, db, "creditors")
		res, err := imp.ImportLedger(as(f.groupA), row(other), false)
		if err != nil || res.OK() || len(res.Issues) != 1 {
			t.Fatalf("import naming another creditor: %+v %v", res, err)
		}
		if is := res.Issues[0]; is.Row != 2 || is.Field != "creditor_uscc" || is.Value != other.USCC || !strings.Contains(is.Message, f.creditor.Name) {
			t.Fatalf("issue %+v, want the code named with the ledger's creditor", is)
		}
		if count(t, db, "items") != items || count(t, db, "creditors") != creditors {
			t.Fatal("a refused import wrote items or creditors")
		}
		// The row as the ledger holds it is unchanged.
		if res, err := imp.ImportLedger(as(f.groupA), row(first), false); err != nil || !res.OK() || res.Unchanged != 1 {
			t.Fatalf("import of the row as it is: %+v %v", res, err)
		}
		mustVerify(t, db)
	})
}
