package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// reviewerOf is a person of the unit holding the reviewer role (the leader in charge).
func reviewerOf(o *qingqian.Org, user int64, name string) context.Context {
	return qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: user, Name: name, OrgID: o.ID, OrgPath: o.Path, Roles: []qingqian.Role{qingqian.RoleReviewer}})
}

// TestDisclosureSigning: a year is disclosed once it has ended; a person holding the reviewer
// role signs, not a token, nor the one who prepared it; a declaration of "no overdue" the payables
// contradict is signed only with an explicit confirmation and a reason, and stays flagged.
func TestDisclosureSigning(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		contracts, ds := sqldb.NewContractService(db), sqldb.NewDisclosureService(db)
		f.at("2025-12-20 10:00")
		a1, ga := clerkOf(f.subA1), clerkOf(f.groupA)
		// Delivered 1 August 2025, due 30 September, unpaid at 12-31: one contract overdue.
		k := &qingqian.Contract{OrgID: f.subA1.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, No: "HT-S-1", Name: "采购", Kind: qingqian.KindGoods,
			Buyer: qingqian.BuyerLarge, SignedOn: qingqian.MustParseDate("2025-07-01"), Amount: qingqian.Yuan(500_000), SupplierSize: qingqian.SizeSmall, Settlement: qingqian.SettleOnce}
		if err := contracts.CreateContract(a1, k); err != nil {
			t.Fatal(err)
		}
		if err := contracts.AddContractEvent(a1, &qingqian.ContractEvent{ContractID: k.ID, Kind: qingqian.EventDelivery, On: qingqian.MustParseDate("2025-08-01")}); err != nil {
			t.Fatal(err)
		}
		// 2025 has not ended on 20 December.
		d := &qingqian.Disclosure{OrgID: f.groupA.ID, Year: 2025, Note: "无逾期"}
		err := ds.PrepareDisclosure(ga, d)
		if msg := qingqian.ErrorFields(err)["year"]; !strings.Contains(msg, "2026年1月1日") {
			t.Fatalf("2025 prepared before its end: %v", err)
		}
		f.at("2026-01-05 10:00")
		// The leader prepares a draft first; the liaison prepares it again.
		leader := reviewerOf(f.groupA, 7, "分管领导")
		if err := ds.PrepareDisclosure(leader, d); err != nil {
			t.Fatal(err)
		}
		if _, err := ds.SignDisclosure(leader, d.ID, qingqian.DisclosureSign{Version: d.Version}); qingqian.ErrorCode(err) != qingqian.EFORBIDDEN || !strings.Contains(qingqian.ErrorMessage(err), "填报人") {
			t.Fatalf("the preparer signed their own: %v", err)
		}
		if err := ds.PrepareDisclosure(ga, d); err != nil || !d.Contradicted || d.ComputedCount != 1 {
			t.Fatalf("prepared: %+v %v", d, err)
		}
		// A clerk, a token, another group's reviewer cannot sign.
		if _, err := ds.SignDisclosure(ga, d.ID, qingqian.DisclosureSign{Version: d.Version}); qingqian.ErrorCode(err) != qingqian.EFORBIDDEN {
			t.Fatalf("a clerk signed: %v", err)
		}
		token := qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 8, TokenID: 3, Name: "ERP", OrgID: f.groupA.ID, OrgPath: f.groupA.Path, Roles: []qingqian.Role{qingqian.RoleReviewer}})
		if _, err := ds.SignDisclosure(token, d.ID, qingqian.DisclosureSign{Version: d.Version}); qingqian.ErrorCode(err) != qingqian.EFORBIDDEN || !strings.Contains(qingqian.ErrorMessage(err), "令牌") {
			t.Fatalf("a token signed: %v", err)
		}
		if _, err := ds.SignDisclosure(reviewerOf(f.groupB, 9, "乙集团领导"), d.ID, qingqian.DisclosureSign{Version: d.Version}); qingqian.ErrorCode(err) != qingqian.ENOTFOUND {
			t.Fatalf("group B signed: %v", err)
		}
		// The contradiction: refused without the confirmation, and without a reason.
		_, err = ds.SignDisclosure(leader, d.ID, qingqian.DisclosureSign{Version: d.Version})
		if qingqian.ErrorCode(err) != qingqian.ECONFLICT || qingqian.ErrorFields(err)["confirm_contradiction"] == "" || !strings.Contains(qingqian.ErrorMessage(err), "声明无逾期未付款项") {
			t.Fatalf("a contradicted declaration signed unconfirmed: %v", err)
		}
		if _, err := ds.SignDisclosure(leader, d.ID, qingqian.DisclosureSign{Version: d.Version, ConfirmContradiction: true, Reason: "　"}); qingqian.ErrorFields(err)["reason"] == "" {
			t.Fatalf("confirmed without a reason: %v", err)
		}
		if got, _ := ds.FindDisclosureByID(ga, d.ID); got.State != qingqian.DisclosureDraft {
			t.Fatalf("refused signings changed it: %+v", got)
		}
		signed, err := ds.SignDisclosure(leader, d.ID, qingqian.DisclosureSign{Version: d.Version, ConfirmContradiction: true, Reason: "该合同验收争议未决，经法务确认不属逾期"})
		if err != nil || signed.State != qingqian.DisclosureSigned || signed.SignedBy != "分管领导" || !signed.Contradicted {
			t.Fatalf("signed: %+v %v", signed, err)
		}
		// Flagged with the reason wherever it is read.
		got, err := ds.FindDisclosureByID(ga, d.ID)
		if err != nil || !got.Contradicted || got.ContradictionReason != "该合同验收争议未决，经法务确认不属逾期" || got.PreparedBy != "经办人" {
			t.Fatalf("read back: %+v %v", got, err)
		}
		if all, err := ds.FindDisclosures(f.sys, 2025); err != nil || len(all) != 1 || !all[0].Contradicted || all[0].ContradictionReason == "" {
			t.Fatalf("list: %+v %v", all, err)
		}
	})
}

// TestDisclosureConsistentNeedsNoConfirmation: a declaration the payables bear out is signed by
// the reviewer as it is, with no reason asked.
func TestDisclosureConsistentNeedsNoConfirmation(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ds := sqldb.NewDisclosureService(db)
		f.at("2026-01-05 10:00")
		d := &qingqian.Disclosure{OrgID: f.groupA.ID, Year: 2025, Note: "无逾期"}
		if err := ds.PrepareDisclosure(clerkOf(f.groupA), d); err != nil || d.Contradicted {
			t.Fatalf("prepared: %+v %v", d, err)
		}
		signed, err := ds.SignDisclosure(reviewerOf(f.groupA, 2, "分管领导"), d.ID, qingqian.DisclosureSign{Version: d.Version})
		if err != nil || signed.State != qingqian.DisclosureSigned || signed.Contradicted || signed.ContradictionReason != "" {
			t.Fatalf("signed: %+v %v", signed, err)
		}
	})
}
