package sqldb_test

import (
	"context"
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func TestMigrationsHaveSameNames(t *testing.T) {
	names := func(dir string) []string {
		ents, err := fs.ReadDir(sqldb.Migrations(), "migrations/"+dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range ents {
			out = append(out, e.Name())
		}
		return out
	}
	a, b := names("sqlite"), names("postgres")
	if strings.Join(a, ",") != strings.Join(b, ",") || len(a) == 0 {
		t.Fatalf("sqlite migrations %v, postgres %v", a, b)
	}
}

func TestOrgTree(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		if f.subA1.Path != f.groupA.Path+strconv.FormatInt(f.subA1.ID, 10)+"/" || f.subA1.Depth != 2 {
			t.Fatalf("path %q depth %d", f.subA1.Path, f.subA1.Depth)
		}
		// A supervisor of group A sees A and A1 only.
		supA := as(f.groupA, qingqian.RoleSupervisor)
		orgs, n, err := f.orgs.FindOrgs(supA, qingqian.OrgFilter{})
		if err != nil || n != 2 || len(orgs) != 2 || orgs[0].ID != f.groupA.ID {
			t.Fatalf("FindOrgs = %v, %d, %v", orgs, n, err)
		}
		_, err = f.orgs.FindOrgByID(supA, f.groupB.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		recs, _, err := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "security.denied"})
		if err != nil || len(recs) != 1 || recs[0].EntityID != f.groupB.ID {
			t.Fatalf("security record = %v, %v", recs, err)
		}
		// Text search by name.
		if _, n, _ := f.orgs.FindOrgs(f.sys, qingqian.OrgFilter{Query: "一公司"}); n != 1 {
			t.Fatalf("search found %d", n)
		}
		// A clerk cannot create units; an invalid USCC names the field.
		err = f.orgs.CreateOrg(as(f.groupA), &qingqian.Org{ParentID: f.groupA.ID, Name: "x", Kind: qingqian.OrgSubsidiary})
		wantCode(t, err, qingqian.EFORBIDDEN)
		err = f.orgs.CreateOrg(f.sys, &qingqian.Org{ParentID: f.groupA.ID, Name: "x", Kind: qingqian.OrgSubsidiary, USCC: "91110000600037341N"})
		if qingqian.ErrorFields(err)["uscc"] == "" {
			t.Fatalf("want a uscc field error, got %v", err)
		}
		// Moving A1 under B carries its totals; moving A under its own child is refused.
		item := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		_ = item
		_, err = f.orgs.MoveOrg(f.sys, f.groupA.ID, f.subA1.ID, f.groupA.Version)
		wantCode(t, err, qingqian.EINVALID)
		_, err = f.orgs.MoveOrg(f.sys, f.subA1.ID, f.groupB.ID, 99)
		wantCode(t, err, qingqian.ECONFLICT)
		moved, err := f.orgs.MoveOrg(f.sys, f.subA1.ID, f.groupB.ID, f.subA1.Version)
		if err != nil || !strings.HasPrefix(moved.Path, f.groupB.Path) {
			t.Fatalf("move = %v, %v", moved, err)
		}
		totA, _ := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.groupA.ID})
		totB, _ := f.totals.SubtreeTotals(f.sys, qingqian.TotalsQuery{OrgID: f.groupB.ID})
		if totA.Overall.Outstanding != 0 || totB.Overall.Outstanding != qingqian.Yuan(1000) || totB.Overall.Items != 1 {
			t.Fatalf("after move A=%v B=%v", totA.Overall, totB.Overall)
		}
		if bad, err := db.VerifyTotals(ctx); err != nil || bad != "" {
			t.Fatalf("VerifyTotals = %q, %v", bad, err)
		}
		// A unit with ledger data cannot be deleted, only deactivated.
		wantCode(t, f.orgs.DeleteOrg(f.sys, moved.ID), qingqian.ECONFLICT)
		off := false
		upd, err := f.orgs.UpdateOrg(f.sys, moved.ID, qingqian.OrgUpdate{Version: moved.Version, Active: &off})
		if err != nil || upd.Active {
			t.Fatalf("deactivate = %v, %v", upd, err)
		}
		_, err = f.orgs.UpdateOrg(f.sys, moved.ID, qingqian.OrgUpdate{Version: moved.Version, Active: &off})
		wantCode(t, err, qingqian.ECONFLICT)
		empty := f.MustOrg(t, f.groupB.ID, "空公司", qingqian.OrgSubsidiary)
		if err := f.orgs.DeleteOrg(f.sys, empty.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCreditors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := as(f.subA1)
		before := count(t, db, "creditors")
		err := f.creditors.CreateCreditor(ctx, &qingqian.Creditor{Name: "坏代码", USCC: "91110000600037341N", Ownership: qingqian.OwnershipPrivate})
		if qingqian.ErrorFields(err)["uscc"] == "" {
			t.Fatalf("want uscc error, got %v", err)
		}
		err = f.creditors.CreateCreditor(ctx, &qingqian.Creditor{Name: "同码", USCC: " " + strings.ToLower(f.creditor.USCC), Ownership: qingqian.OwnershipPrivate})
		wantCode(t, err, qingqian.ECONFLICT)
		if count(t, db, "creditors") != before {
			t.Fatal("a refused creditor was written")
		}
		// The office finds it by name; a unit by its exact code until it uses it.
		office := as(f.root, qingqian.RoleSupervisor)
		cs, n, err := f.creditors.FindCreditors(office, qingqian.CreditorFilter{Query: "劳务"})
		if err != nil || n != 1 || cs[0].ID != f.creditor.ID {
			t.Fatalf("search = %v %d %v", cs, n, err)
		}
		if cs, n, err = f.creditors.FindCreditors(ctx, qingqian.CreditorFilter{USCC: strings.ToLower(f.creditor.USCC)}); err != nil || n != 1 || cs[0].ID != f.creditor.ID {
			t.Fatalf("by code = %v %d %v", cs, n, err)
		}
		region := "石家庄"
		c, err := f.creditors.UpdateCreditor(office, f.creditor.ID, qingqian.CreditorUpdate{Version: 1, Region: &region})
		if err != nil || c.Region != region || c.Version != 2 {
			t.Fatalf("update = %v, %v", c, err)
		}
		_, err = f.creditors.UpdateCreditor(office, f.creditor.ID, qingqian.CreditorUpdate{Version: 1, Region: &region})
		wantCode(t, err, qingqian.ECONFLICT)
		got, err := f.creditors.FindCreditorByID(office, f.creditor.ID)
		if err != nil || got.SizeDeclaredOn.String() != "2018-01-01" {
			t.Fatalf("find = %v, %v", got, err)
		}
	})
}

func TestEntriesAndBalances(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		f.at("2019-03-01 10:00")
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), qingqian.Yuan(500))
		rep := f.MustRepay(t, clerk, it.ID, "2019-03-01", qingqian.Yuan(400))
		if rep.Backdated || rep.Undisputed != -qingqian.Yuan(400) {
			t.Fatalf("repay entry %+v", rep)
		}
		// Over-repayment is refused and writes nothing.
		n := count(t, db, "entries")
		audits := count(t, db, "audit_log")
		_, err := f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-03-01"),
			Amount: qingqian.Yuan(601), Method: qingqian.MethodTransfer})
		if qingqian.ErrorCode(err) != qingqian.EINVALID || qingqian.ErrorFields(err)["amount"] == "" {
			t.Fatalf("over-repayment: %v", err)
		}
		if count(t, db, "entries") != n || count(t, db, "audit_log") != audits {
			t.Fatal("a refused entry was written")
		}
		// Later, a back-dated repayment.
		f.at("2019-06-01 09:00")
		late := f.MustRepay(t, clerk, it.ID, "2019-04-01", qingqian.Yuan(100))
		if !late.Backdated {
			t.Fatal("back-dated entry not marked")
		}
		got, err := f.items.FindItemByID(clerk, it.ID, qingqian.Date{}, time.Time{})
		if err != nil || got.Balance.Outstanding != qingqian.Yuan(1000) || got.Balance.Repaid != qingqian.Yuan(500) || got.Balance.Status != qingqian.StatusPartial {
			t.Fatalf("balance = %+v, %v", got.Balance, err)
		}
		// As of 2019-04-30 as known on 2019-05-01 the back-dated payment was not yet known.
		knownMay := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
		then, _ := f.items.FindItemByID(clerk, it.ID, qingqian.MustParseDate("2019-04-30"), knownMay)
		if then.Balance.Repaid != qingqian.Yuan(400) {
			t.Fatalf("as known in May: %+v", then.Balance)
		}
		// Reversal: once only, never of a reversal.
		rev, err := f.entries.ReverseEntry(clerk, qingqian.EntryInput{ReversesID: late.ID, Reason: "重复录入"})
		if err != nil || rev.Undisputed != qingqian.Yuan(100) || rev.Category != qingqian.CatRepay {
			t.Fatalf("reverse = %+v, %v", rev, err)
		}
		_, err = f.entries.ReverseEntry(clerk, qingqian.EntryInput{ReversesID: late.ID, Reason: "再次"})
		wantCode(t, err, qingqian.ECONFLICT)
		_, err = f.entries.ReverseEntry(clerk, qingqian.EntryInput{ReversesID: rev.ID, Reason: "冲正的冲正"})
		wantCode(t, err, qingqian.ECONFLICT)
		es, _ := f.entries.FindEntries(clerk, it.ID)
		if len(es) != 4 || es[2].ReversedByID != rev.ID {
			t.Fatalf("entries %+v", es)
		}
		// Reclassify 300 of the disputed part after a judgment, then pay it; a court reduction
		// clears the rest.
		_, err = f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryReclassify, On: qingqian.MustParseDate("2019-06-01"), Amount: qingqian.Yuan(300), Reason: "（2019）冀01民初1号判决"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.entries.RecordEntry(clerk, qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryCourtReduction, On: qingqian.MustParseDate("2019-06-01"), Amount: qingqian.Yuan(200), Reason: "判决核减"})
		if err != nil {
			t.Fatal(err)
		}
		f.MustRepay(t, clerk, it.ID, "2019-06-01", qingqian.Yuan(900))
		got, _ = f.items.FindItemByID(clerk, it.ID, qingqian.Date{}, time.Time{})
		if got.Balance.Outstanding != 0 || got.Balance.Status != qingqian.StatusCleared || got.Balance.Repaid != qingqian.Yuan(1300) {
			t.Fatalf("final balance %+v", got.Balance)
		}
		page, err := f.items.FindItems(clerk, qingqian.ItemFilter{Status: qingqian.StatusCleared})
		if err != nil || page.Total != 1 || page.Items[0].Balance != got.Balance {
			t.Fatalf("FindItems balance %+v, want %+v (%v)", page.Items[0].Balance, got.Balance, err)
		}
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("VerifyTotals = %q, %v", bad, err)
		}
	})
}

func TestIdempotentRepayment(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		in := qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"), Amount: qingqian.Yuan(10),
			Method: qingqian.MethodTransfer, IdempotencyKey: "erp-42"}
		a, err := f.entries.RecordEntry(clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.entries.RecordEntry(clerk, in)
		if err != nil || b.ID != a.ID {
			t.Fatalf("retry gave %v, %v", b, err)
		}
		in.Amount = qingqian.Yuan(11)
		_, err = f.entries.RecordEntry(clerk, in)
		wantCode(t, err, qingqian.ECONFLICT)
		got, _ := f.items.FindItemByID(clerk, it.ID, qingqian.Date{}, time.Time{})
		if got.Balance.Repaid != qingqian.Yuan(10) {
			t.Fatalf("paid %s", got.Balance.Repaid)
		}
	})
}

func TestSubtreeIsolation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		itA := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		clerkB := as(f.groupB)
		_, err := f.items.FindItemByID(clerkB, itA.ID, qingqian.Date{}, time.Time{})
		wantCode(t, err, qingqian.ENOTFOUND)
		_, err = f.entries.FindEntries(clerkB, itA.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		_, err = f.entries.RecordEntry(clerkB, qingqian.EntryInput{ItemID: itA.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"), Amount: 1, Method: qingqian.MethodCash})
		wantCode(t, err, qingqian.ENOTFOUND)
		_, err = f.totals.SubtreeTotals(clerkB, qingqian.TotalsQuery{OrgID: f.groupA.ID})
		wantCode(t, err, qingqian.ENOTFOUND)
		page, _ := f.items.FindItems(clerkB, qingqian.ItemFilter{})
		if page.Total != 0 {
			t.Fatalf("B lists %d items of A", page.Total)
		}
		_, err = f.items.FindItems(clerkB, qingqian.ItemFilter{OrgID: f.groupA.ID})
		wantCode(t, err, qingqian.ENOTFOUND)
		err = f.items.CreateItem(clerkB, &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, Kind: qingqian.KindGoods, Origin: qingqian.OriginNew,
			ArisenOn: qingqian.MustParseDate("2020-01-01"), Undisputed: 100})
		if qingqian.ErrorFields(err)["org_id"] == "" {
			t.Fatalf("creating in another group's unit: %v", err)
		}
		// An observer reads but cannot write.
		obs := as(f.root, qingqian.RoleObserver)
		if _, err := f.items.FindItemByID(obs, itA.ID, qingqian.Date{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, err = f.entries.RecordEntry(obs, qingqian.EntryInput{ItemID: itA.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"), Amount: 1, Method: qingqian.MethodCash})
		wantCode(t, err, qingqian.EFORBIDDEN)
		recs, n, _ := f.audit.FindAudit(f.sys, qingqian.AuditFilter{Action: "security.denied"})
		if n < 4 || recs[0].ActorName != "填报员乙集团" {
			t.Fatalf("security records %d %+v", n, recs)
		}
	})
}

func TestItemValidation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		before := count(t, db, "items")
		err := f.items.CreateItem(clerk, &qingqian.Item{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, Kind: "loan", Origin: qingqian.OriginBaseline,
			ArisenOn: qingqian.MustParseDate("2020-02-01"), DueOn: qingqian.MustParseDate("2020-01-01"), Undisputed: -5, Disputed: 10})
		fields := qingqian.ErrorFields(err)
		for _, k := range []string{"kind", "due_on", "undisputed", "dispute_reason"} {
			if fields[k] == "" {
				t.Errorf("no error on %s: %v", k, fields)
			}
		}
		err = f.items.CreateItem(clerk, &qingqian.Item{OrgID: f.subA1.ID, CreditorID: 999999, Kind: qingqian.KindGoods, Origin: qingqian.OriginBaseline,
			ArisenOn: qingqian.MustParseDate("2020-02-01"), Undisputed: 10})
		if qingqian.ErrorFields(err)["creditor_id"] == "" {
			t.Errorf("unknown creditor: %v", err)
		}
		if count(t, db, "items") != before {
			t.Fatal("a refused item was written")
		}
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		no := "A-001"
		upd, err := f.items.UpdateItem(clerk, it.ID, qingqian.ItemUpdate{Version: it.Version, No: &no})
		if err != nil || upd.No != no {
			t.Fatalf("update %v %v", upd, err)
		}
		_, err = f.items.UpdateItem(clerk, it.ID, qingqian.ItemUpdate{Version: it.Version, No: &no})
		wantCode(t, err, qingqian.ECONFLICT)
		page, _ := f.items.FindItems(clerk, qingqian.ItemFilter{Query: "a-00"})
		if page.Total != 1 {
			t.Fatalf("search by number found %d", page.Total)
		}
		page, _ = f.items.FindItems(clerk, qingqian.ItemFilter{Query: "劳务"})
		if page.Total != 1 {
			t.Fatalf("search by creditor found %d", page.Total)
		}
		page, _ = f.items.FindItems(clerk, qingqian.ItemFilter{Query: "100%"})
		if page.Total != 0 {
			t.Fatalf("%% must be literal, found %d", page.Total)
		}
	})
}

func TestPlans(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		in := qingqian.PlanInput{Instalments: []qingqian.Instalment{
			{Due: qingqian.MustParseDate("2019-06-30"), Amount: qingqian.Yuan(600), FundingSource: qingqian.FundingOwn},
			{Due: qingqian.MustParseDate("2019-12-31"), Amount: qingqian.Yuan(400), FundingSource: qingqian.FundingLoan},
		}}
		p, err := f.plans.RevisePlan(clerk, it.ID, in)
		if err != nil || p.Revision != 1 {
			t.Fatalf("plan %v %v", p, err)
		}
		_, err = f.plans.RevisePlan(clerk, it.ID, in)
		wantCode(t, err, qingqian.ECONFLICT)
		in.BaseRevision, in.Reason = 1, "资金到位推迟"
		in.Instalments[1].Amount = qingqian.Yuan(401)
		_, err = f.plans.RevisePlan(clerk, it.ID, in)
		if qingqian.ErrorFields(err)["instalments"] == "" {
			t.Fatalf("plan above the balance: %v", err)
		}
		in.Instalments[1].Amount = qingqian.Yuan(400)
		in.Instalments[1].Due = qingqian.MustParseDate("2020-03-31")
		if _, err := f.plans.RevisePlan(clerk, it.ID, in); err != nil {
			t.Fatal(err)
		}
		plans, err := f.plans.FindPlans(clerk, it.ID)
		if err != nil || len(plans) != 2 || plans[0].Revision != 2 || plans[1].Instalments[1].Due.String() != "2019-12-31" || plans[0].Total() != qingqian.Yuan(1000) {
			t.Fatalf("plans %+v %v", plans, err)
		}
	})
}

func TestRecordEntriesAllOrNothing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(100), 0)
		pay := func(amount qingqian.Money) qingqian.EntryInput {
			return qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"), Amount: amount, Method: qingqian.MethodTransfer}
		}
		n := count(t, db, "entries")
		_, err := f.entries.RecordEntries(clerk, []qingqian.EntryInput{pay(qingqian.Yuan(60)), pay(qingqian.Yuan(41))})
		if qingqian.ErrorFields(err)["entries.1.amount"] == "" {
			t.Fatalf("second entry over the balance: %v", err)
		}
		if count(t, db, "entries") != n {
			t.Fatal("a failed batch wrote entries")
		}
		es, err := f.entries.RecordEntries(clerk, []qingqian.EntryInput{pay(qingqian.Yuan(60)), pay(qingqian.Yuan(40))})
		if err != nil || len(es) != 2 {
			t.Fatalf("batch %v %v", es, err)
		}
		got, _ := f.items.FindItemByID(clerk, it.ID, qingqian.Date{}, time.Time{})
		if got.Balance.Status != qingqian.StatusCleared {
			t.Fatalf("after batch %+v", got.Balance)
		}
	})
}
