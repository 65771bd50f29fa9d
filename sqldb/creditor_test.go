package sqldb_test

import (
	"context"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// An item may name its creditor by USCC: the registered one is used, a new one is registered
// with the item, as a private firm unless told otherwise, and only when it has a name.
func TestItemWithItsCreditor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		item := func(no string, c *qingqian.Creditor) *qingqian.Item {
			return &qingqian.Item{No: no, OrgID: f.subA1.ID, Creditor: c, ContractName: "设备采购合同", Kind: qingqian.KindGoods,
				ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Yuan(800), Origin: qingqian.OriginNew}
		}
		// A new creditor comes with its item.
		uscc := MustUSCC(t)
		it := item("N-1", &qingqian.Creditor{Name: " 某某机电有限公司 ", USCC: uscc})
		if err := f.items.CreateItem(clerk, it); err != nil {
			t.Fatal(err)
		}
		c, err := f.creditors.FindCreditorByID(clerk, it.CreditorID)
		if err != nil || c.USCC != uscc || c.Name != "某某机电有限公司" || c.Ownership != qingqian.OwnershipPrivate || it.CreditorName != c.Name {
			t.Fatalf("creditor %+v, %v; item's %q", c, err, it.CreditorName)
		}
		// The registered creditor of a USCC is used, whatever name the item gives.
		creditors := count(t, db, "creditors")
		again := item("N-2", &qingqian.Creditor{Name: "别的名字", USCC: uscc, Ownership: qingqian.OwnershipState})
		if err := f.items.CreateItem(clerk, again); err != nil || again.CreditorID != c.ID || again.CreditorName != c.Name {
			t.Fatalf("second item: creditor %d %q, %v", again.CreditorID, again.CreditorName, err)
		}
		if n := count(t, db, "creditors"); n != creditors {
			t.Fatalf("%d creditors, want %d", n, creditors)
		}
		// A new USCC without a name is refused on the creditor's field, and writes nothing.
		items := count(t, db, "items")
		err = f.items.CreateItem(clerk, item("N-3", &qingqian.Creditor{USCC: MustUSCC(t)}))
		wantCode(t, err, qingqian.EINVALID)
		if qingqian.ErrorFields(err)["creditor_name"] == "" {
			t.Fatalf("fields %v", qingqian.ErrorFields(err))
		}
		err = f.items.CreateItem(clerk, item("N-3", &qingqian.Creditor{Name: "某公司", USCC: "91110000600037341N"}))
		if qingqian.ErrorFields(err)["creditor_uscc"] == "" {
			t.Fatalf("bad USCC: %v", err)
		}
		if count(t, db, "items") != items || count(t, db, "creditors") != creditors {
			t.Fatal("a refused item wrote something")
		}
	})
}

// An item refused in its transaction leaves no creditor behind: its new creditor was registered
// in the same transaction.
func TestRefusedItemLeavesNoCreditor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		taken := &qingqian.Item{No: "TZ-001", OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, Kind: qingqian.KindWorks,
			ArisenOn: qingqian.MustParseDate("2020-01-10"), Undisputed: qingqian.Yuan(500), Origin: qingqian.OriginNew}
		if err := f.items.CreateItem(clerk, taken); err != nil {
			t.Fatal(err)
		}
		creditors, audit := count(t, db, "creditors"), count(t, db, "audit_log")
		uscc := MustUSCC(t)
		// The number is taken: the item is refused after its creditor was registered.
		dup := &qingqian.Item{No: "TZ-001", OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{Name: "新债权企业有限公司", USCC: uscc},
			Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2020-02-10"), Undisputed: qingqian.Yuan(300), Origin: qingqian.OriginNew}
		err := f.items.CreateItem(clerk, dup)
		wantCode(t, err, qingqian.ECONFLICT)
		if n := count(t, db, "creditors"); n != creditors {
			t.Fatalf("%d creditors after a refused item, want %d", n, creditors)
		}
		if cs, n, err := f.creditors.FindCreditors(clerk, qingqian.CreditorFilter{USCC: uscc}); err != nil || n != 0 {
			t.Fatalf("the refused item's creditor: %v, %d, %v", cs, n, err)
		}
		if n := count(t, db, "audit_log"); n != audit {
			t.Fatalf("%d audit records after a refused item, want %d", n, audit)
		}
		// The same item with a free number is created, with its creditor.
		dup.No = "TZ-002"
		if err := f.items.CreateItem(clerk, dup); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "creditors"); n != creditors+1 {
			t.Fatalf("%d creditors, want %d", n, creditors+1)
		}
	})
}

// A creditor is shared master data: a unit registers it and uses it; another unit finds it by
// its exact USCC only; once shared, its identity is changed by the office or through a request
// the office approves; every change is recorded where each using group sees it.
func TestCreditorsSharedMasterData(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerkA, clerkB := as(f.subA1), as(f.groupB)
		office := as(f.root, qingqian.RoleSupervisor)
		x := &qingqian.Creditor{Name: "某某钢结构有限公司", USCC: MustUSCC(t), Ownership: qingqian.OwnershipPrivate}
		if err := f.creditors.CreateCreditor(clerkA, x); err != nil {
			t.Fatal(err)
		}
		// While only A uses it, A changes it, and the record is A's.
		name := "某某钢结构股份有限公司"
		if _, err := f.creditors.UpdateCreditor(clerkA, x.ID, qingqian.CreditorUpdate{Version: 1, Name: &name}); err != nil {
			t.Fatalf("the registering unit's change: %v", err)
		}
		auditorA := as(f.groupA, qingqian.RoleAuditor)
		if recs, _, err := f.audit.FindAudit(auditorA, qingqian.AuditFilter{Entity: "creditor", EntityID: x.ID}); err != nil || len(recs) != 2 {
			t.Fatalf("A's records of its creditor: %+v %v", recs, err)
		}
		// B does not list it, nor read it by number; by its code it does.
		if cs, _, _ := f.creditors.FindCreditors(clerkB, qingqian.CreditorFilter{Query: "钢结构"}); len(cs) != 0 {
			t.Fatalf("B lists A's creditor: %+v", cs)
		}
		denied := count(t, db, "audit_log")
		_, err := f.creditors.FindCreditorByID(clerkB, x.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		if count(t, db, "audit_log") != denied+1 {
			t.Fatal("reading another group's creditor left no security record")
		}
		if cs, _, _ := f.creditors.FindCreditors(clerkB, qingqian.CreditorFilter{USCC: x.USCC}); len(cs) != 1 || cs[0].ID != x.ID {
			t.Fatalf("B by code: %+v", cs)
		}
		// Nor may B use it by its number, or change it.
		byNumber := &qingqian.Item{OrgID: f.groupB.ID, CreditorID: x.ID, ContractName: "钢构件", Kind: qingqian.KindGoods,
			ArisenOn: qingqian.MustParseDate("2020-03-01"), Undisputed: qingqian.Yuan(10), Origin: qingqian.OriginNew}
		wantCode(t, f.items.CreateItem(clerkB, byNumber), qingqian.EINVALID)
		evil := "乙集团改的名字"
		_, err = f.creditors.UpdateCreditor(clerkB, x.ID, qingqian.CreditorUpdate{Version: 2, Name: &evil})
		wantCode(t, err, qingqian.ENOTFOUND)
		// B uses it by its code: now it is shared, and neither group changes it alone.
		byCode := *byNumber
		byCode.CreditorID, byCode.Creditor = 0, &qingqian.Creditor{USCC: x.USCC}
		if err := f.items.CreateItem(clerkB, &byCode); err != nil {
			t.Fatal(err)
		}
		got, err := f.creditors.FindCreditorByID(clerkB, x.ID)
		if err != nil || got.Editable {
			t.Fatalf("B reads %+v, %v", got, err)
		}
		_, err = f.creditors.UpdateCreditor(clerkB, x.ID, qingqian.CreditorUpdate{Version: 2, Name: &evil})
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = f.creditors.UpdateCreditor(clerkA, x.ID, qingqian.CreditorUpdate{Version: 2, Name: &evil})
		wantCode(t, err, qingqian.EFORBIDDEN)
		// Nor through an import.
		importAs := func(ctx context.Context, c qingqian.Creditor) *qingqian.ImportResult {
			res, err := sqldb.NewImportService(db).ImportCreditors(ctx, func(yield func(*qingqian.CreditorRow) bool) error {
				yield(&qingqian.CreditorRow{Row: 2, Creditor: c})
				return nil
			}, false)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := importAs(clerkB, qingqian.Creditor{Name: evil, USCC: x.USCC, Ownership: qingqian.OwnershipPrivate}); res.OK() || res.Updated != 0 {
			t.Fatalf("B's import changed a shared creditor: %+v", res)
		}
		if got, _ := f.creditors.FindCreditorByID(office, x.ID); got.Name != name || got.Version != 2 {
			t.Fatalf("after the refused changes: %+v", got)
		}
		// B asks; the office approves; each group's trail shows who changed it.
		size := qingqian.SizeSmall
		_, err = f.creditors.RequestCreditorChange(clerkB, x.ID, qingqian.CreditorUpdate{Name: &evil}, "")
		if qingqian.ErrorFields(err)["reason"] == "" {
			t.Fatalf("a request without a reason: %v", err)
		}
		ch, err := f.creditors.RequestCreditorChange(clerkB, x.ID, qingqian.CreditorUpdate{Name: &name, Size: &size, SizeDeclaredOn: ptr(qingqian.MustParseDate("2020-01-01"))}, "合同所附声明函")
		if err != nil || ch.State != qingqian.ChangePending || ch.Changes.Name != nil {
			t.Fatalf("request %+v, %v", ch, err)
		}
		if mine, _ := f.creditors.FindCreditorChanges(clerkA, true); len(mine) != 0 {
			t.Fatalf("A sees B's requests: %+v", mine)
		}
		_, err = f.creditors.DecideCreditorChange(clerkB, ch.ID, true, "")
		wantCode(t, err, qingqian.EFORBIDDEN)
		_, err = f.creditors.DecideCreditorChange(office, ch.ID, false, "")
		wantCode(t, err, qingqian.EINVALID)
		if ch, err = f.creditors.DecideCreditorChange(office, ch.ID, true, "同意"); err != nil || ch.State != qingqian.ChangeApproved {
			t.Fatalf("approve %+v, %v", ch, err)
		}
		if got, _ := f.creditors.FindCreditorByID(clerkA, x.ID); got.Size != qingqian.SizeSmall || got.Version != 3 {
			t.Fatalf("after approval A reads %+v", got)
		}
		_, err = f.creditors.DecideCreditorChange(office, ch.ID, true, "")
		wantCode(t, err, qingqian.ECONFLICT)
		for _, g := range []*qingqian.Org{f.groupA, f.groupB} {
			recs, _, err := f.audit.FindAudit(as(g, qingqian.RoleAuditor), qingqian.AuditFilter{Entity: "creditor", EntityID: x.ID, Action: "creditor.update"})
			if err != nil || len(recs) == 0 || recs[0].ActorName != "填报员"+f.root.Name {
				t.Fatalf("%s's record of the office's change: %+v %v", g.Name, recs, err)
			}
		}
		// A request made stale by a change since is not applied.
		region := "石家庄"
		stale, err := f.creditors.RequestCreditorChange(clerkB, x.ID, qingqian.CreditorUpdate{Region: &region}, "注册地变更")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.creditors.UpdateCreditor(office, x.ID, qingqian.CreditorUpdate{Version: 3, Name: &name}); err != nil {
			t.Fatal(err)
		}
		_, err = f.creditors.DecideCreditorChange(office, stale.ID, true, "")
		wantCode(t, err, qingqian.ECONFLICT)
	})
}
