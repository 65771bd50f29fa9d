package sqldb_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func TestTotalsAsOfAndKnownAt(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerkA1, clerkB := as(f.subA1), as(f.groupB)
		f.at("2019-02-01 10:00")
		a1 := f.MustItem(t, clerkA1, f.subA1, "2019-01-10", qingqian.Yuan(1000), qingqian.Yuan(300))
		b := f.MustItem(t, clerkB, f.groupB, "2019-01-20", qingqian.Yuan(500), 0)
		f.at("2019-03-05 10:00")
		f.MustRepay(t, clerkA1, a1.ID, "2019-03-05", qingqian.Yuan(400))
		f.MustRepay(t, clerkB, b.ID, "2019-03-05", qingqian.Yuan(500))
		reported := f.clock // a report is taken now
		f.at("2019-04-10 10:00")
		f.MustRepay(t, clerkA1, a1.ID, "2019-03-01", qingqian.Yuan(100)) // back-dated into March

		q := func(ctx context.Context, org int64, asOf string, known time.Time) *qingqian.Totals {
			t.Helper()
			tot, err := f.totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: org, AsOf: qingqian.MustParseDate(asOf), KnownAt: known})
			if err != nil {
				t.Fatal(err)
			}
			return tot
		}
		prov := q(f.sys, f.root.ID, "2019-03-31", time.Time{})
		o := prov.Overall
		if o.Items != 2 || o.RecognisedUndisputed != qingqian.Yuan(1500) || o.RecognisedDisputed != qingqian.Yuan(300) ||
			o.Repaid != qingqian.Yuan(1000) || o.OutstandingUndisputed != qingqian.Yuan(500) || o.OutstandingDisputed != qingqian.Yuan(300) {
			t.Fatalf("province as of March: %+v", o)
		}
		if w := prov.ByKind[qingqian.KindWorks]; w.Items != 2 || w.Repaid != qingqian.Yuan(1000) {
			t.Fatalf("by kind %+v", prov.ByKind)
		}
		if bo := prov.ByOrigin[qingqian.OriginBaseline]; bo.Outstanding != qingqian.Yuan(800) {
			t.Fatalf("by origin %+v", prov.ByOrigin)
		}
		// Before anything arose.
		if e := q(f.sys, f.root.ID, "2019-01-01", time.Time{}).Overall; e.Items != 0 || e.Outstanding != 0 {
			t.Fatalf("as of 2019-01-01: %+v", e)
		}
		// As of March as known when reported: the back-dated payment is not in it, and the
		// figure is the same whenever asked again.
		then := q(f.sys, f.root.ID, "2019-03-31", reported).Overall
		if then.Repaid != qingqian.Yuan(900) || then.Outstanding != qingqian.Yuan(900) {
			t.Fatalf("as known at report time: %+v", then)
		}
		// A minute before the report, the same day's repayments were not yet recorded.
		if early := q(f.sys, f.root.ID, "2019-03-31", reported.Add(-time.Minute)).Overall; early.Repaid != 0 || early.Items != 2 {
			t.Fatalf("as known a minute earlier: %+v", early)
		}
		f.at("2019-05-10 10:00")
		f.MustRepay(t, clerkA1, a1.ID, "2019-03-02", qingqian.Yuan(50))
		if again := q(f.sys, f.root.ID, "2019-03-31", reported).Overall; again != then {
			t.Fatalf("reproduced figure changed: %+v vs %+v", again, then)
		}
		// Known before the items existed: nothing.
		if e := q(f.sys, f.root.ID, "2019-03-31", time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)).Overall; e.Items != 0 || e.Outstanding != 0 || e.Repaid != 0 {
			t.Fatalf("known before creation: %+v", e)
		}
		// Group A only, and the clerk of A1 cannot ask for the province.
		if a := q(clerkA1, 0, "2019-12-31", time.Time{}).Overall; a.Repaid != qingqian.Yuan(550) || a.Items != 1 {
			t.Fatalf("A1 totals %+v", a)
		}
		_, err := f.totals.SubtreeTotals(clerkA1, qingqian.TotalsQuery{OrgID: f.root.ID})
		wantCode(t, err, qingqian.ENOTFOUND)
		// The running totals equal a recomputation from the entries.
		if bad, err := db.VerifyTotals(context.Background()); err != nil || bad != "" {
			t.Fatalf("VerifyTotals = %q, %v", bad, err)
		}
		before := q(f.sys, f.root.ID, "2019-03-31", time.Time{})
		if err := db.RebuildTotals(context.Background()); err != nil {
			t.Fatal(err)
		}
		if after := q(f.sys, f.root.ID, "2019-03-31", time.Time{}); after.Overall != before.Overall {
			t.Fatalf("rebuild changed totals: %+v vs %+v", after.Overall, before.Overall)
		}
	})
}

func TestAuditChain(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		it := f.MustItem(t, as(f.subA1), f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		f.MustRepay(t, as(f.subA1), it.ID, "2019-02-01", qingqian.Yuan(10))
		res, err := f.audit.VerifyAudit(f.sys)
		if err != nil || !res.OK || res.Records < 8 {
			t.Fatalf("verify = %+v, %v", res, err)
		}
		hist, n, err := f.audit.FindAudit(as(f.subA1), qingqian.AuditFilter{Entity: "item", EntityID: it.ID})
		if err != nil || n != 3 || hist[0].Action != "entry.repay" || hist[0].ActorName != "填报员甲集团一公司" {
			t.Fatalf("item history %d %+v %v", n, hist, err)
		}
		_, _, err = f.audit.FindAudit(as(f.subA1), qingqian.AuditFilter{})
		wantCode(t, err, qingqian.EFORBIDDEN)
		// Nothing through the system's own connections changes or deletes a record.
		for _, q := range []string{`UPDATE audit_log SET after_json = '{"undisputed":"1.00"}' WHERE seq = 5`, `DELETE FROM audit_log WHERE seq = 5`} {
			if err := db.ExecForTest(context.Background(), q); err == nil {
				t.Fatalf("%s was allowed", q)
			}
		}
		if db.Dialect() == "postgres" {
			if err := db.ExecForTest(context.Background(), `TRUNCATE audit_log`); err == nil {
				t.Fatal("the trail was truncated")
			}
		}
		// Someone who drops the guard edits a record behind the system's back.
		if err := db.DropAuditGuardForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(context.Background(), `UPDATE audit_log SET after_json = '{"undisputed":"1.00"}' WHERE seq = 5`); err != nil {
			t.Fatal(err)
		}
		res, err = f.audit.VerifyAudit(f.sys)
		if err != nil || res.OK || res.BrokenSeq != 5 {
			t.Fatalf("after tampering: %+v, %v", res, err)
		}
	})
}

func TestAuditChainTruncated(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		last := count(t, db, "audit_log")
		if err := db.DropAuditGuardForTest(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(context.Background(), `DELETE FROM audit_log WHERE seq = $1`, last); err != nil {
			t.Fatal(err)
		}
		res, err := f.audit.VerifyAudit(f.sys)
		if err != nil || res.OK || res.BrokenSeq != int64(last) {
			t.Fatalf("after deleting the last record: %+v, %v", res, err)
		}
	})
}

var (
	pdf  = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	exe  = []byte("MZ\x90\x00 this is not a voucher")
	jpeg = []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}
)

func TestVouchers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		clerk := as(f.subA1)
		it := f.MustItem(t, clerk, f.subA1, "2019-01-10", qingqian.Yuan(1000), 0)
		v, err := f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(pdf))
		if err != nil || v.ContentType != qingqian.TypePDF || v.Size != int64(len(pdf)) {
			t.Fatalf("store = %+v, %v", v, err)
		}
		again, err := f.vouchers.StoreVoucher(clerk, "copy.pdf", bytes.NewReader(pdf))
		if err != nil || again.SHA256 != v.SHA256 || count(t, db, "vouchers") != 1 {
			t.Fatalf("same bytes twice: %+v, %v", again, err)
		}
		_, err = f.vouchers.StoreVoucher(clerk, "回单.pdf", bytes.NewReader(exe))
		if qingqian.ErrorFields(err)["file"] == "" {
			t.Fatalf("exe named .pdf accepted: %v", err)
		}
		if v, err := f.vouchers.StoreVoucher(clerk, "x.bin", bytes.NewReader(png)); err != nil || v.ContentType != qingqian.TypePNG {
			t.Fatalf("png: %+v %v", v, err)
		}
		if v, err := f.vouchers.StoreVoucher(clerk, "x", bytes.NewReader(jpeg)); err != nil || v.ContentType != qingqian.TypeJPEG {
			t.Fatalf("jpeg: %+v %v", v, err)
		}
		if v, err := f.vouchers.StoreVoucher(clerk, "票.ofd", bytes.NewReader(MustOFD(t))); err != nil || v.ContentType != qingqian.TypeOFD {
			t.Fatalf("ofd: %+v %v", v, err)
		}
		db.MaxVoucherSize = 10
		_, err = f.vouchers.StoreVoucher(clerk, "big.pdf", bytes.NewReader(pdf))
		wantCode(t, err, qingqian.EINVALID)
		db.MaxVoucherSize = sqldb.DefaultMaxVoucherSize

		// The same voucher on two repayments: allowed, and visible as reused.
		in := qingqian.EntryInput{ItemID: it.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2019-02-01"), Amount: qingqian.Yuan(10),
			Method: qingqian.MethodTransfer, Vouchers: []string{v.SHA256}}
		e1, err := f.entries.RecordEntry(clerk, in)
		if err != nil || len(e1.Vouchers) != 1 || e1.Vouchers[0].Reused {
			t.Fatalf("first use %+v %v", e1, err)
		}
		e2, err := f.entries.RecordEntry(clerk, in)
		if err != nil || !e2.Vouchers[0].Reused {
			t.Fatalf("second use %+v %v", e2, err)
		}
		uses, err := f.vouchers.FindVoucherEntries(clerk, v.SHA256)
		if err != nil || len(uses) != 2 {
			t.Fatalf("uses %v %v", uses, err)
		}
		// Group B neither opens it nor attaches it.
		_, _, err = f.vouchers.OpenVoucher(as(f.groupB), v.SHA256)
		wantCode(t, err, qingqian.ENOTFOUND)
		itB := f.MustItem(t, as(f.groupB), f.groupB, "2019-01-10", qingqian.Yuan(1000), 0)
		in.ItemID = itB.ID
		_, err = f.entries.RecordEntry(as(f.groupB), in)
		if qingqian.ErrorFields(err)["vouchers"] == "" {
			t.Fatalf("B attached A's voucher: %v", err)
		}
		// Group A's liaison opens it.
		got, rc, err := f.vouchers.OpenVoucher(as(f.groupA), v.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		if !bytes.Equal(buf.Bytes(), pdf) || got.EntryCount != 2 {
			t.Fatalf("opened %d bytes, entry count %d", buf.Len(), got.EntryCount)
		}
	})
}
