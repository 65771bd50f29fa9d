package sqldb_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// fixture is a small province: the regulator, groups A and B, and A's subsidiary A1.
type fixture struct {
	db                   *sqldb.DB
	orgs                 *sqldb.OrgService
	creditors            *sqldb.CreditorService
	items                *sqldb.ItemService
	entries              *sqldb.EntryService
	plans                *sqldb.PlanService
	vouchers             *sqldb.VoucherService
	totals               *sqldb.TotalsService
	audit                *sqldb.AuditService
	root, groupA, groupB *qingqian.Org
	subA1                *qingqian.Org
	creditor             *qingqian.Creditor
	sys                  context.Context
	clock                time.Time
}

var usccSeq atomic.Int64

// MustUSCC makes a valid fictional USCC, different on every call.
func MustUSCC(tb testing.TB) string {
	tb.Helper()
	n := usccSeq.Add(1)
	body := fmt.Sprintf("%08d", 10000000+n)
	first17 := "91130100" + body + string(qingqian.OrgCodeCheckChar(body))
	code := first17 + string(qingqian.USCCCheckChar(first17))
	if msg := qingqian.CheckUSCC(code); msg != "" {
		tb.Fatalf("made an invalid USCC %s: %s", code, msg)
	}
	return code
}

func newFixture(t *testing.T, db *sqldb.DB) *fixture {
	t.Helper()
	f := &fixture{
		db: db, orgs: sqldb.NewOrgService(db), creditors: sqldb.NewCreditorService(db), items: sqldb.NewItemService(db),
		entries: sqldb.NewEntryService(db), plans: sqldb.NewPlanService(db), vouchers: sqldb.NewVoucherService(db),
		totals: sqldb.NewTotalsService(db), audit: sqldb.NewAuditService(db),
		sys:   qingqian.NewContext(context.Background(), qingqian.SystemActor("测试")),
		clock: time.Date(2021, 11, 1, 2, 0, 0, 0, time.UTC), // 2021-11-01 10:00 CST
	}
	db.Now = func() time.Time { return f.clock }
	// The tree exists before any ledger data.
	f.at("2018-01-02 09:00")
	f.root = f.MustOrg(t, 0, "示范省国资委", qingqian.OrgRegulator)
	f.groupA = f.MustOrg(t, f.root.ID, "甲集团", qingqian.OrgGroup)
	f.groupB = f.MustOrg(t, f.root.ID, "乙集团", qingqian.OrgGroup)
	f.subA1 = f.MustOrg(t, f.groupA.ID, "甲集团一公司", qingqian.OrgSubsidiary)
	f.creditor = f.MustCreditor(t, "某某建筑劳务有限公司")
	f.clock = time.Date(2021, 11, 1, 2, 0, 0, 0, time.UTC)
	return f
}

// at sets the clock.
func (f *fixture) at(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	f.clock = t
}

func (f *fixture) MustOrg(tb testing.TB, parent int64, name string, kind qingqian.OrgKind) *qingqian.Org {
	tb.Helper()
	o := &qingqian.Org{ParentID: parent, Name: name, Kind: kind}
	if err := f.orgs.CreateOrg(f.sys, o); err != nil {
		tb.Fatalf("create org %s: %v", name, err)
	}
	return o
}

func (f *fixture) MustCreditor(tb testing.TB, name string) *qingqian.Creditor {
	tb.Helper()
	c := &qingqian.Creditor{Name: name, USCC: MustUSCC(tb), Ownership: qingqian.OwnershipPrivate,
		Size: qingqian.SizeSmall, SizeDeclaredOn: qingqian.MustParseDate("2018-01-01")}
	if err := f.creditors.CreateCreditor(f.sys, c); err != nil {
		tb.Fatalf("create creditor: %v", err)
	}
	return c
}

func (f *fixture) MustItem(tb testing.TB, ctx context.Context, org *qingqian.Org, arisen string, undisputed, disputed qingqian.Money) *qingqian.Item {
	tb.Helper()
	it := &qingqian.Item{OrgID: org.ID, Creditor: &qingqian.Creditor{USCC: f.creditor.USCC}, ContractNo: "HT-" + arisen, ContractName: "办公楼施工合同",
		Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate(arisen), Undisputed: undisputed, Disputed: disputed,
		Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
	if disputed > 0 {
		it.DisputeReason = "结算金额有争议"
	}
	if err := f.items.CreateItem(ctx, it); err != nil {
		tb.Fatalf("create item: %v", err)
	}
	return it
}

func (f *fixture) MustRepay(tb testing.TB, ctx context.Context, item int64, on string, amount qingqian.Money) *qingqian.Entry {
	tb.Helper()
	e, err := f.entries.RecordEntry(ctx, qingqian.EntryInput{ItemID: item, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate(on),
		Amount: amount, Method: qingqian.MethodTransfer})
	if err != nil {
		tb.Fatalf("repay: %v", err)
	}
	return e
}

// as returns a context acting for a clerk of the org.
func as(org *qingqian.Org, roles ...qingqian.Role) context.Context {
	if len(roles) == 0 {
		roles = []qingqian.Role{qingqian.RoleClerk}
	}
	return qingqian.NewContext(context.Background(), &qingqian.Actor{UserID: 1000 + org.ID, Name: "填报员" + org.Name, OrgID: org.ID, OrgPath: org.Path, Roles: roles})
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := qingqian.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func count(tb testing.TB, db *sqldb.DB, table string) int {
	tb.Helper()
	n, err := db.CountRows(context.Background(), table)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }
