package sqldb_test

import (
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
		taken := &qingqian.Item{No: "TZ-001", OrgID: f.subA1.ID, CreditorID: f.creditor.ID, Kind: qingqian.KindWorks,
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
