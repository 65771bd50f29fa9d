// Package demo loads a fictional province whose figures reproduce the three numbers of the
// provincial report: 96,855.38 万元 of undisputed arrears repaid by 2019-11-30; 4,929.70 万元 left
// at 2020-12-31, all in judicial or bankruptcy procedures; 908.15 万元 of it repaid by
// 2021-10-31. Every name is invented.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
)

// The document's figures, in 分.
const (
	UndisputedRepaid2019 qingqian.Money = 96_855_380_000 // 96,855.38 万元
	Remaining2020        qingqian.Money = 4_929_700_000  // 4,929.70 万元
	Repaid2021           qingqian.Money = 908_150_000    // 908.15 万元
)

// Dates of the figures.
var (
	Date2019 = qingqian.MustParseDate("2019-11-30")
	Date2020 = qingqian.MustParseDate("2020-12-31")
	Date2021 = qingqian.MustParseDate("2021-10-31")
)

var groupNames = []struct{ name, short string }{
	{"示范能源投资集团有限公司", "示范能源"},
	{"示范交通建设集团有限公司", "示范交建"},
	{"示范钢铁集团有限公司", "示范钢铁"},
	{"示范建工集团有限公司", "示范建工"},
	{"示范文化旅游集团有限公司", "示范文旅"},
	{"示范水务集团有限公司", "示范水务"},
	{"示范农业发展集团有限公司", "示范农发"},
	{"示范医药集团有限公司", "示范医药"},
}

var subNames = []string{"第一工程有限公司", "物资贸易有限公司", "设备安装有限公司"}

var creditorWords = []string{"恒通", "宏达", "鑫源", "华建", "永盛", "德丰", "嘉禾", "瑞丰", "金桥", "联创", "昌隆", "顺安", "新锐", "博远", "汇通", "天和"}
var creditorTrades = []string{"建筑劳务有限公司", "机电设备有限公司", "建材贸易有限公司", "信息技术有限公司", "物流运输有限公司"}

// Services are what the loader writes through: the same services every user goes through, so
// the demo ledger has entries, totals and an audit trail like any other, and the database whose
// clock the loader sets to record history.
type Services struct {
	DB *sqldb.DB
	qingqian.Services
}

// ServicesOf returns the services over db.
func ServicesOf(db *sqldb.DB) Services { return Services{DB: db, Services: sqldb.NewServices(db)} }

// Province is what Load created.
type Province struct {
	Regulator *qingqian.Org
	Groups    []*qingqian.Org
	Subs      []*qingqian.Org
}

// loader keeps the simulated clock: each action is recorded on its business date, so that the
// demo's history can be queried "as known at" any day.
type loader struct {
	s    Services
	ctx  context.Context
	rng  *rand.Rand
	seq  int
	prov *Province
	// creditors are the demo's creditors; clues2021 the complaints of the 2021 rectification.
	creditors []*qingqian.Creditor
	clues2021 []int64
}

func (l *loader) at(d qingqian.Date) {
	l.atTime(d, 10, 0)
}

// atTime sets the clock to hh:mm CST on day d; on today, never later than a few minutes ago,
// so that what the demo did today comes before what its users do next.
func (l *loader) atTime(d qingqian.Date, hh, mm int) {
	t := d.EndOfDay().Add(-24*time.Hour + time.Nanosecond + time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
	if now := time.Now().Add(-10 * time.Minute); d == qingqian.DateOf(time.Now()) && t.After(now) {
		t = now
		if start := d.EndOfDay().Add(-24*time.Hour + time.Second); t.Before(start) {
			t = start // 00:00:01 CST at the earliest
		}
	}
	t = t.Truncate(time.Second)
	l.s.DB.Now = func() time.Time { return t }
}

// Load creates the province in an empty database. It refuses a database that already has units.
func Load(ctx context.Context, s Services) (*Province, error) {
	defer func() { s.DB.Now = time.Now }()
	ctx = qingqian.NewContext(ctx, qingqian.SystemActor("演示数据"))
	if _, n, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Limit: 1}); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("the database already holds %d units; the demo loads only into an empty one", n)
	}
	l := &loader{s: s, ctx: ctx, rng: rand.New(rand.NewPCG(2019, 1130)), prov: &Province{}}
	if err := l.load(); err != nil {
		return nil, err
	}
	return l.prov, nil
}

// code makes a valid fictional USCC from a number.
func code(kind string, n int) string {
	body := fmt.Sprintf("%08d", 30000000+n)
	first17 := kind + "130100" + body + string(qingqian.OrgCodeCheckChar(body))
	return first17 + string(qingqian.USCCCheckChar(first17))
}

// split divides total into n positive parts with some spread, summing exactly to total.
func (l *loader) split(total qingqian.Money, n int) []qingqian.Money {
	weights := make([]int64, n)
	var sum int64
	for i := range weights {
		weights[i] = 50 + l.rng.Int64N(950)
		sum += weights[i]
	}
	parts := make([]qingqian.Money, n)
	var used qingqian.Money
	for i := 0; i < n-1; i++ {
		parts[i] = qingqian.Money(int64(total) / sum * weights[i])
		// whole 元 amounts read more like real ledgers, except a few
		if i%7 != 3 {
			parts[i] -= parts[i] % 100
		}
		used += parts[i]
	}
	parts[n-1] = total - used
	return parts
}

func (l *loader) load() error {
	ctx, s := l.ctx, l.s
	l.at(qingqian.MustParseDate("2018-12-20"))
	reg := &qingqian.Org{Name: "示范省人民政府国有资产监督管理委员会", ShortName: "示范省国资委", Kind: qingqian.OrgRegulator,
		USCC: code("11", 1), Department: "清理拖欠民营企业中小企业账款工作领导小组办公室", LeaderName: "王主任", LiaisonName: "李联络", LiaisonPhone: "0311-80000000"}
	if err := s.Orgs.CreateOrg(ctx, reg); err != nil {
		return fmt.Errorf("regulator: %w", err)
	}
	l.prov.Regulator = reg
	for i, g := range groupNames {
		org := &qingqian.Org{ParentID: reg.ID, Name: g.name, ShortName: g.short, Kind: qingqian.OrgGroup, USCC: code("91", 100+i),
			LeaderName: "分管副总经理", Department: "财务部", LiaisonName: fmt.Sprintf("联络员%d", i+1), LiaisonPhone: fmt.Sprintf("0311-8%07d", 1000+i)}
		if err := s.Orgs.CreateOrg(ctx, org); err != nil {
			return fmt.Errorf("group: %w", err)
		}
		l.prov.Groups = append(l.prov.Groups, org)
		for j, sn := range subNames[:2+i%2] {
			sub := &qingqian.Org{ParentID: org.ID, Name: g.short + sn, Kind: qingqian.OrgSubsidiary, USCC: code("91", 200+i*10+j),
				Department: "财务部", LiaisonName: fmt.Sprintf("填报员%d-%d", i+1, j+1)}
			if err := s.Orgs.CreateOrg(ctx, sub); err != nil {
				return fmt.Errorf("subsidiary: %w", err)
			}
			l.prov.Subs = append(l.prov.Subs, sub)
		}
	}
	var creditors []*qingqian.Creditor
	for i := 0; i < 48; i++ {
		c := &qingqian.Creditor{
			Name:      "示范" + creditorWords[i%len(creditorWords)] + creditorTrades[i%len(creditorTrades)],
			USCC:      code("91", 1000+i),
			Ownership: qingqian.OwnershipPrivate, Size: []qingqian.Size{qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium}[i%3],
			SizeDeclaredOn: qingqian.MustParseDate("2017-03-01").AddDays(i * 7), SizeEvidence: "企业规模声明函", Region: "示范省",
		}
		if i%len(creditorWords) != i {
			c.Name = fmt.Sprintf("示范%s%s（%d）", creditorWords[i%len(creditorWords)], creditorTrades[(i+1)%len(creditorTrades)], i/len(creditorWords))
		}
		if i == 47 {
			c.Ownership = qingqian.OwnershipIndividual
			c.Name = "示范市老张五金经营部"
		}
		if err := s.Creditors.CreateCreditor(ctx, c); err != nil {
			return fmt.Errorf("creditor %s: %w", c.Name, err)
		}
		creditors = append(creditors, c)
	}
	l.creditors = creditors
	units := append(append([]*qingqian.Org{}, l.prov.Groups...), l.prov.Subs...)

	// The baseline, confirmed in January 2019: undisputed items and disputed ones.
	l.at(qingqian.MustParseDate("2019-01-15"))
	undisputed := l.split(UndisputedRepaid2019, 180)
	var baseline []*qingqian.Item
	kinds := []qingqian.ItemKind{qingqian.KindWorks, qingqian.KindWorks, qingqian.KindGoods, qingqian.KindServices, qingqian.KindRetention}
	for i, amt := range undisputed {
		it := &qingqian.Item{OrgID: units[i%len(units)].ID, CreditorID: creditors[i%len(creditors)].ID,
			No: fmt.Sprintf("DS-%04d", i+1), ContractNo: fmt.Sprintf("SF-HT-2017-%04d", i+1), ContractName: []string{"厂区道路施工合同", "设备采购合同", "运维服务合同", "办公楼装修合同", "物资供应合同"}[i%5],
			Kind: kinds[i%len(kinds)], ArisenOn: qingqian.MustParseDate("2017-06-01").AddDays(i * 3), Undisputed: amt,
			Origin: qingqian.OriginBaseline, FundingSource: []qingqian.FundingSource{qingqian.FundingOwn, qingqian.FundingOwn, qingqian.FundingLoan, qingqian.FundingAssets}[i%4],
			Responsible: "财务部"}
		it.DueOn = it.ArisenOn.AddDays(90)
		if err := s.Items.CreateItem(ctx, it); err != nil {
			return fmt.Errorf("baseline item: %w", err)
		}
		baseline = append(baseline, it)
	}
	disputed := l.split(Remaining2020, 12)
	var inCourt []*qingqian.Item
	reasons := []string{"工程结算金额存在争议，已提起诉讼", "质量纠纷，已申请仲裁", "债务人破产清算中，已申报债权"}
	for i, amt := range disputed {
		it := &qingqian.Item{OrgID: l.prov.Groups[i%len(l.prov.Groups)].ID, CreditorID: creditors[(i*5+3)%len(creditors)].ID,
			No: fmt.Sprintf("FQ-%04d", i+1), ContractNo: fmt.Sprintf("SF-HT-2016-%04d", i+1), ContractName: "工程施工合同",
			Kind: qingqian.KindWorks, ArisenOn: qingqian.MustParseDate("2016-09-01").AddDays(i * 20), Disputed: amt,
			DisputeReason: reasons[i%3], Origin: qingqian.OriginBaseline, Responsible: "法务部"}
		if err := s.Items.CreateItem(ctx, it); err != nil {
			return fmt.Errorf("disputed item: %w", err)
		}
		inCourt = append(inCourt, it)
	}
	// Each group confirms its baseline, signed by its leader in charge and its principal.
	if err := l.period(&qingqian.Period{Kind: qingqian.PeriodBaseline, AsOf: qingqian.MustParseDate("2019-01-15"),
		Deadline: qingqian.MustParseDate("2019-01-25"), Title: "第1期 清欠底数确认（截至2019年1月15日）"}, qingqian.MustParseDate("2019-01-20"), -1); err != nil {
		return err
	}

	// 2019: every undisputed item repaid by 30 November, most in one payment, some in two, each
	// with its bank slip.
	for i, it := range baseline {
		first := qingqian.MustParseDate("2019-02-01").AddDays(i % 280)
		if first.After(Date2019) {
			first = Date2019
		}
		amounts := []qingqian.Money{it.Undisputed}
		if i%3 == 0 && it.Undisputed > 200 {
			half := it.Undisputed / 2
			amounts = []qingqian.Money{half, it.Undisputed - half}
		}
		for k, amt := range amounts {
			on := first.AddDays(k * 20)
			if on.After(Date2019) {
				on = Date2019
			}
			method := qingqian.MethodTransfer
			if i%11 == 5 {
				method = qingqian.MethodBill
			}
			if err := l.repay(it.ID, on, amt, method, qingqian.PartUndisputed); err != nil {
				return err
			}
		}
	}
	// The disputed items went to court, arbitration or a bankruptcy administrator in 2019, each
	// case entered on the day it was filed, so that the November report shows them in court.
	cases := map[int64]*qingqian.Case{}
	for i, it := range inCourt {
		filed := qingqian.MustParseDate("2019-04-01").AddDays(i * 17)
		l.at(filed)
		c := &qingqian.Case{OrgID: it.OrgID, Items: []int64{it.ID}, FiledOn: filed, Responsible: "法务部"}
		switch i % 3 {
		case 0:
			c.Kind, c.Body, c.CaseNo = qingqian.CaseLitigation, "示范市中级人民法院", fmt.Sprintf("（2019）示01民初%d号", 100+i)
			c.NextStep, c.ExpectedOn = "等待开庭审理", qingqian.MustParseDate("2020-06-30")
		case 1:
			c.Kind, c.Body, c.CaseNo = qingqian.CaseArbitration, "示范仲裁委员会", fmt.Sprintf("（2019）示仲字第%d号", 20+i)
			c.NextStep, c.ExpectedOn = "等待开庭审理", qingqian.MustParseDate("2020-03-31")
		default:
			c.Kind, c.Body, c.CaseNo = qingqian.CaseBankruptcy, "示范市中级人民法院", fmt.Sprintf("（2019）示01破申%d号", 3+i)
			c.NextStep, c.ExpectedOn = "申报债权，等待第一次债权人会议", qingqian.MustParseDate("2020-03-31")
		}
		if err := s.Cases.CreateCase(ctx, c); err != nil {
			return fmt.Errorf("case: %w", err)
		}
		if c.Kind == qingqian.CaseBankruptcy {
			// 申请、受理、债权申报: the stages of a bankruptcy, not of a lawsuit.
			for _, ev := range []qingqian.CaseEvent{{On: filed.AddDays(15), Stage: qingqian.StageAccepted, Text: "法院裁定受理破产清算申请，指定管理人"},
				{On: filed.AddDays(45), Stage: qingqian.StageClaims, Text: "已向管理人申报债权"}} {
				l.at(ev.On)
				var err error
				if c, err = s.Cases.AddEvent(ctx, c.ID, ev, c.Version); err != nil {
					return fmt.Errorf("case event: %w", err)
				}
			}
		}
		cases[it.ID] = c
	}
	// The monthly report of November 2019: the undisputed arrears are cleared.
	if err := l.period(&qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: Date2019, Deadline: qingqian.MustParseDate("2019-12-10")},
		qingqian.MustParseDate("2019-12-05"), -1); err != nil {
		return err
	}
	// The office confirms a sample of the year's repayments with the creditors themselves.
	if err := l.letters(); err != nil {
		return err
	}
	// 2020: the lawsuits and arbitrations are heard, the bankruptcies hold their creditors'
	// meetings; the dates expected for the next step pass.
	l.at(qingqian.MustParseDate("2020-03-10"))
	for _, it := range inCourt {
		c := cases[it.ID]
		ev := qingqian.CaseEvent{On: qingqian.MustParseDate("2020-03-10"), Stage: qingqian.StageHearing, Text: "已开庭审理，双方就结算金额举证质证"}
		next := "等待一审判决"
		if c.Kind == qingqian.CaseArbitration {
			next = "等待仲裁裁决"
		}
		if c.Kind == qingqian.CaseBankruptcy {
			ev = qingqian.CaseEvent{On: ev.On, Stage: qingqian.StageCreditors, Text: "第一次债权人会议召开，债权已经管理人审查确认"}
			next = "等待管理人提出破产财产分配方案"
		}
		c, err := s.Cases.AddEvent(ctx, c.ID, ev, c.Version)
		if err != nil {
			return fmt.Errorf("case event: %w", err)
		}
		if c, err = s.Cases.UpdateCase(ctx, c.ID, qingqian.CaseUpdate{NextStep: &next, ExpectedOn: ptr(qingqian.MustParseDate("2021-06-30")), Version: c.Version}); err != nil {
			return fmt.Errorf("case update: %w", err)
		}
		cases[it.ID] = c
	}
	// Plans for the disputed items, revised once.
	for _, it := range inCourt[:4] {
		in := qingqian.PlanInput{Instalments: []qingqian.Instalment{
			{Due: qingqian.MustParseDate("2021-06-30"), Amount: it.Disputed / 2, FundingSource: qingqian.FundingOwn, Note: "视判决结果支付"},
		}}
		if _, err := s.Plans.RevisePlan(ctx, it.ID, in); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	// The report at the end of 2020: what is left is all in the courts. One group declares a
	// zero report although its ledger still holds a disputed claim; the office finds out.
	// The campaigns (with the debts their self-checks found) before the 2020 report, so that the
	// reports signed after them include what they found.
	if err := l.campaigns(); err != nil {
		return err
	}
	if err := l.period(&qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: Date2020, Deadline: qingqian.MustParseDate("2021-01-10")},
		qingqian.MustParseDate("2021-01-08"), len(l.prov.Groups)-1); err != nil {
		return err
	}
	// 2021: judgments and mediation. The court confirms part of each of four claims (moved to
	// undisputed and paid), and reduces another part.
	// The four largest claims are decided; each is paid in proportion to its size.
	sort.Slice(inCourt, func(i, j int) bool { return inCourt[i].Disputed > inCourt[j].Disputed })
	decided := inCourt[:4]
	var claimed qingqian.Money
	for _, it := range decided {
		claimed += it.Disputed
	}
	repaid := make([]qingqian.Money, len(decided))
	var given qingqian.Money
	for i, it := range decided {
		repaid[i] = qingqian.Money(int64(Repaid2021) * int64(it.Disputed) / int64(claimed))
		if i == len(decided)-1 {
			repaid[i] = Repaid2021 - given
		}
		given += repaid[i]
	}
	for i, it := range decided {
		on := qingqian.MustParseDate("2021-03-15").AddDays(i * 45)
		l.at(on)
		// The decision becomes entries: the confirmed part turns undisputed, a part is taken off.
		c := cases[it.ID]
		reduce := (it.Disputed - repaid[i]) / 5
		// Each route decides its own way: a judgment (appealed for the rest), a final award
		// (enforced), a distribution by the bankruptcy administrator.
		stage, text, next := qingqian.StageJudgment, "一审判决支付工程款 %s 元，核减 %s 元", "剩余部分上诉中，等待二审判决"
		switch c.Kind {
		case qingqian.CaseArbitration:
			text, next = "仲裁裁决支付工程款 %s 元，核减 %s 元（裁决为终局裁决）", "裁决已生效，对未履行部分申请强制执行"
		case qingqian.CaseBankruptcy:
			stage, text, next = qingqian.StageDistribution, "破产财产分配方案执行，分配 %s 元，不予清偿 %s 元", "等待管理人追加分配，预计年内终结破产程序"
		}
		c, err := s.Cases.Decide(ctx, c.ID, qingqian.Decision{ItemID: it.ID, On: on, Stage: stage, Confirmed: repaid[i], Reduced: reduce,
			Text: fmt.Sprintf(text, repaid[i], reduce), Version: c.Version})
		if err != nil {
			return fmt.Errorf("decision: %w", err)
		}
		pay := on.AddDays(20)
		l.at(pay)
		if err := l.repay(it.ID, pay, repaid[i], qingqian.MethodTransfer, qingqian.PartUndisputed); err != nil {
			return err
		}
		if _, err := s.Cases.UpdateCase(ctx, c.ID, qingqian.CaseUpdate{NextStep: &next, ExpectedOn: ptr(on.AddDays(120)), Version: c.Version}); err != nil {
			return fmt.Errorf("case update: %w", err)
		}
	}
	// A special round on the disputed debts: what the judgments and mediation cleared in 2021.
	if err := l.period(&qingqian.Period{Kind: qingqian.PeriodSpecial, StartsOn: qingqian.MustParseDate("2021-01-01"), AsOf: Date2021,
		Deadline: qingqian.MustParseDate("2021-11-10"), Title: "第4期 有分歧账款化解专项（2021年1月1日至10月31日）"}, qingqian.MustParseDate("2021-11-05"), -1); err != nil {
		return err
	}
	if err := l.supervise(decided[0]); err != nil {
		return err
	}
	return l.living(units, creditors)
}

func ptr[T any](v T) *T { return &v }

// person acts for a named officer of a unit.
func (l *loader) person(org *qingqian.Org, name string, roles ...qingqian.Role) context.Context {
	return qingqian.NewContext(context.Background(), &qingqian.Actor{Name: name, OrgID: org.ID, OrgPath: org.Path, Roles: roles})
}

// repay records a repayment with a small PDF bank slip of its own.
func (l *loader) repay(item int64, on qingqian.Date, amount qingqian.Money, method qingqian.PayMethod, part qingqian.Part) error {
	l.seq++
	l.at(on)
	slip := fmt.Sprintf("%%PDF-1.4\n%% 示范银行电子回单 %06d\n1 0 obj<</Type/Catalog>>endobj\n%% 金额 %s 元 日期 %s\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", l.seq, amount, on)
	v, err := l.s.Vouchers.StoreVoucher(l.ctx, fmt.Sprintf("回单%06d.pdf", l.seq), bytes.NewReader([]byte(slip)))
	if err != nil {
		return fmt.Errorf("voucher: %w", err)
	}
	voucherNo := fmt.Sprintf("HD%s%06d", on.String()[:4], l.seq)
	if method == qingqian.MethodBill || method == qingqian.MethodReceivable {
		return l.billPaid(item, on, amount, method, part, voucherNo, v.SHA256)
	}
	_, err = l.s.Entries.RecordEntry(l.ctx, qingqian.EntryInput{ItemID: item, Kind: qingqian.EntryRepay, On: on, Amount: amount, Part: part,
		Method: method, VoucherNo: voucherNo, Vouchers: []string{v.SHA256}})
	if err != nil {
		return fmt.Errorf("repay item %d: %w", item, err)
	}
	return nil
}

// billPaid is a repayment in a bill: handed over up to 60 days before it falls due on the day
// given, and honoured that day with the bank's slip; the repayment counts from that day, as it
// would have had it been paid in money.
func (l *loader) billPaid(item int64, on qingqian.Date, amount qingqian.Money, method qingqian.PayMethod, part qingqian.Part, voucherNo, slip string) error {
	it, err := l.s.Items.FindItemByID(l.ctx, item, qingqian.Date{}, time.Time{})
	if err != nil {
		return fmt.Errorf("item %d: %w", item, err)
	}
	handed := on.AddDays(-60)
	if handed.Before(it.ArisenOn) {
		handed = it.ArisenOn
	}
	kind, acceptor := qingqian.BillCommercial, "示范银行股份有限公司示范分行"
	if method == qingqian.MethodReceivable {
		kind, acceptor = qingqian.BillReceivable, it.OrgName
	}
	l.at(handed)
	b, err := l.s.Bills.RecordBill(l.ctx, qingqian.BillInput{ItemID: item, Kind: kind, No: fmt.Sprintf("PJ%s%06d", on.String()[:4], l.seq),
		Amount: amount, Part: part, IssuedOn: handed, HandedOn: handed, MaturesOn: on, Acceptor: acceptor})
	if err != nil {
		return fmt.Errorf("bill on item %d: %w", item, err)
	}
	l.at(on)
	if _, err := l.s.Bills.HonourBill(l.ctx, b.ID, qingqian.BillClose{On: on, VoucherNo: voucherNo, Vouchers: []string{slip}}); err != nil {
		return fmt.Errorf("honour bill on item %d: %w", item, err)
	}
	return nil
}
