package payrules

import (
	"math"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	q "github.com/qingqian/qingqian"
)

// calendar is the calendar the database ships with: 2020 to 2026 as published.
func calendar(t *testing.T) *q.Calendar {
	t.Helper()
	b, err := os.ReadFile("../sqldb/migrations/holidays-cn.csv")
	if err != nil {
		t.Fatal(err)
	}
	var days []q.CalendarDay
	years := []int{2020, 2021, 2022, 2023, 2024, 2025, 2026}
	for _, y := range years {
		d, err := q.ParseCalendarLines(strings.NewReader(string(b)), y)
		if err != nil {
			t.Fatal(err)
		}
		days = append(days, d...)
	}
	return q.NewCalendar(years, days)
}

func d(s string) q.Date { return q.MustParseDate(s) }

func TestVersionOn(t *testing.T) {
	for signed, want := range map[string]string{
		"2020-08-31": "none", "2020-09-01": "2020", "2024-12-31": "2020",
		"2025-05-31": "2020", "2025-06-01": "2025", "2026-03-01": "2025",
	} {
		if got := VersionOn(d(signed)).Code; got != want {
			t.Errorf("signed %s: version %s, want %s", signed, got, want)
		}
	}
}

// TestDueDates are hand-computed: the day counted from the clock start (not counting it), the
// term, and the move past rest days.
func TestDueDates(t *testing.T) {
	cal := calendar(t)
	large25 := Terms{Signed: d("2025-07-01"), Buyer: BuyerLarge, Supplier: SizeSmall, Settle: SettleOnce}
	inst25 := Terms{Signed: d("2025-07-01"), Buyer: BuyerInstitution, Supplier: SizeMicro, Settle: SettleOnce}
	with := func(t Terms, f func(*Terms)) Terms { f(&t); return t }
	cases := []struct {
		name  string
		terms Terms
		facts Facts
		asOf  string
		start string
		due   string // "" for none
		moved []string
		flag  string
		step  string // a phrase the explanation must contain
	}{
		// The Regulation's own example: 60 days from delivery on 2025-08-01 ends on 2025-09-30.
		{name: "2025 large default 60 days", terms: large25, facts: Facts{Delivered: d("2025-08-01")},
			start: "2025-08-01", due: "2025-09-30", step: "大型企业向中小企业采购，自交付之日起60日内支付"},
		// 5 September + 30 = Sunday 5 October, in the National Day rest (1–8 October): the 9th.
		{name: "institution 30 days into National Day", terms: inst25, facts: Facts{Delivered: d("2025-09-05")},
			start: "2025-09-05", due: "2025-10-09", moved: []string{"2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08"}, step: "国庆节、中秋节放假"},
		// 29 August + 30 = Sunday 28 September, a make-up working day: not moved.
		{name: "make-up Sunday before National Day", terms: inst25, facts: Facts{Delivered: d("2025-08-29")},
			start: "2025-08-29", due: "2025-09-28", step: "调休上班，是工作日"},
		// 11 September + 30 = Saturday 11 October, a make-up working day.
		{name: "make-up Saturday after National Day", terms: inst25, facts: Facts{Delivered: d("2025-09-11")},
			start: "2025-09-11", due: "2025-10-11"},
		// 20 January 2026 + 30 = 19 February, in the Spring Festival rest (15–23 February): the 24th.
		{name: "Spring Festival 2026", terms: with(inst25, func(t *Terms) { t.Buyer = BuyerOrgan }), facts: Facts{Delivered: d("2026-01-20")},
			start: "2026-01-20", due: "2026-02-24", moved: []string{"2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23"}, step: "春节放假"},
		// 15 January 2026 + 30 = Saturday 14 February, a make-up working day of the Spring Festival.
		{name: "Spring Festival make-up Saturday", terms: inst25, facts: Facts{Delivered: d("2026-01-15")},
			start: "2026-01-15", due: "2026-02-14"},
		// 2020 rules, large buyer, agreed 30 days: 13 February + 30 = Saturday 15 March 2025 → Monday 17.
		{name: "2020 agreed term over a weekend", terms: Terms{Signed: d("2025-01-10"), Buyer: BuyerLarge, Supplier: SizeMedium, Settle: SettleOnce, AgreedDays: 30},
			facts: Facts{Delivered: d("2025-02-13")}, start: "2025-02-13", due: "2025-03-17", moved: []string{"2025-03-15", "2025-03-16"}, step: "2020年"},
		// 2020 rules, large buyer, nothing agreed: no default term, so no due date, flagged.
		{name: "2020 large without a term", terms: Terms{Signed: d("2025-05-31"), Buyer: BuyerLarge, Supplier: SizeMedium, Settle: SettleOnce},
			facts: Facts{Delivered: d("2025-06-10")}, start: "2025-06-10", due: "", flag: "term_missing"},
		// 2025 rules, agreed 45 days: 1 July + 45 = Friday 15 August.
		{name: "2025 large agreed 45", terms: with(large25, func(t *Terms) { t.AgreedDays = 45 }), facts: Facts{Delivered: d("2025-07-01")},
			start: "2025-07-01", due: "2025-08-15", step: "合理期限45日"},
		// An institution agreeing 90 days: capped at 60 and flagged. 1 July + 60 = Saturday 30 August → 1 September.
		{name: "institution agreeing 90 days", terms: with(inst25, func(t *Terms) { t.AgreedDays = 90 }), facts: Facts{Delivered: d("2025-07-01")},
			start: "2025-07-01", due: "2025-09-01", moved: []string{"2025-08-30", "2025-08-31"}, flag: "term_over_60"},
		// Acceptance a condition, 15 days agreed: delivered 1 July, period ends 16 July; accepted
		// 20 August, late through the buyer: start 16 July, + 60 = Sunday 14 September → the 15th.
		{name: "late acceptance capped", terms: with(large25, func(t *Terms) { t.AcceptanceCondition, t.AcceptanceDays = true, 15 }),
			facts: Facts{Delivered: d("2025-07-01"), Accepted: d("2025-08-20")}, start: "2025-07-16", due: "2025-09-15", moved: []string{"2025-09-14"}, step: "采购方拖延验收"},
		// The same, late through the supplier: start 20 August + 60 = Sunday 19 October → the 20th.
		{name: "late acceptance by the supplier", terms: with(large25, func(t *Terms) { t.AcceptanceCondition, t.AcceptanceDays = true, 15 }),
			facts: Facts{Delivered: d("2025-07-01"), Accepted: d("2025-08-20"), AcceptanceLateBySupplier: true}, start: "2025-08-20", due: "2025-10-20", moved: []string{"2025-10-19"}},
		// Accepted in time: 10 July + 60 = Monday 8 September.
		{name: "acceptance in time", terms: with(large25, func(t *Terms) { t.AcceptanceCondition, t.AcceptanceDays = true, 15 }),
			facts: Facts{Delivered: d("2025-07-01"), Accepted: d("2025-07-10")}, start: "2025-07-10", due: "2025-09-08"},
		// Not accepted yet, the period over on the as-of date: the clock runs from its end.
		{name: "acceptance outstanding past the period", terms: with(large25, func(t *Terms) { t.AcceptanceCondition, t.AcceptanceDays = true, 15 }),
			facts: Facts{Delivered: d("2025-07-01")}, asOf: "2025-07-20", start: "2025-07-16", due: "2025-09-15", moved: []string{"2025-09-14"}},
		{name: "acceptance outstanding within the period", terms: with(large25, func(t *Terms) { t.AcceptanceCondition, t.AcceptanceDays = true, 15 }),
			facts: Facts{Delivered: d("2025-07-01")}, asOf: "2025-07-10", start: "", due: "", step: "尚未验收"},
		{name: "not delivered", terms: large25, facts: Facts{}, start: "", due: "", step: "尚未交付"},
		// An acceptance dated before the delivery (10 August; accepted "5 August"): the clock starts
		// on delivery, flagged: 10 August + 30 (agreed) = Tuesday 9 September.
		{name: "acceptance before delivery", terms: with(large25, func(t *Terms) { t.AcceptanceCondition, t.AcceptanceDays, t.AgreedDays = true, 10, 30 }),
			facts: Facts{Delivered: d("2025-08-10"), Accepted: d("2025-08-05")}, start: "2025-08-10", due: "2025-09-09", flag: "accepted_before_delivery", step: "早于交付日期"},
		// A one-off settlement confirmed (1 August) before delivery (20 August): from delivery,
		// flagged: 20 August + 60 = Sunday 19 October → Monday the 20th.
		{name: "one-off settlement before delivery", terms: large25, facts: Facts{Delivered: d("2025-08-20"), Settled: d("2025-08-01")},
			start: "2025-08-20", due: "2025-10-20", moved: []string{"2025-10-19"}, flag: "settled_before_delivery", step: "早于交付之日"},
		// Progress settlement: the clock starts when the amount is confirmed, 4 August; + 60 =
		// Friday 3 October, in the National Day rest: the 9th.
		{name: "progress settlement", terms: with(large25, func(t *Terms) { t.Settle = SettleProgress }),
			facts: Facts{Delivered: d("2025-06-15"), Settled: d("2025-08-04")}, start: "2025-08-04", due: "2025-10-09",
			moved: []string{"2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08"}, step: "双方确认结算金额之日"},
		// A large supplier: the Regulation does not apply; the agreed term is used.
		{name: "large supplier", terms: with(large25, func(t *Terms) { t.Supplier, t.AgreedDays = SizeLarge, 90 }), facts: Facts{Delivered: d("2025-07-01")},
			start: "2025-07-01", due: "2025-09-29", step: "条例不适用"},
		// Signed before the Regulation: agreed term only.
		{name: "before the Regulation", terms: Terms{Signed: d("2020-08-31"), Buyer: BuyerInstitution, Supplier: SizeSmall, AgreedDays: 30}, facts: Facts{Delivered: d("2025-03-03")},
			start: "2025-03-03", due: "2025-04-02", step: "条例施行"},
	}
	for _, tc := range cases {
		asOf := d("2026-06-30")
		if tc.asOf != "" {
			asOf = d(tc.asOf)
		}
		got := DueDate(cal, tc.terms, tc.facts, asOf)
		if got.Start.String() != tc.start || got.Date.String() != tc.due {
			t.Errorf("%s: start %s due %s, want %s %s\n%s", tc.name, got.Start, got.Date, tc.start, tc.due, got.Explanation())
			continue
		}
		var moved []string
		for _, m := range got.Moved {
			moved = append(moved, m.Day.String())
		}
		if strings.Join(moved, ",") != strings.Join(tc.moved, ",") {
			t.Errorf("%s: moved %v, want %v", tc.name, moved, tc.moved)
		}
		if tc.flag != "" && !hasFlag(got.Flags, tc.flag) {
			t.Errorf("%s: flags %v, want %s", tc.name, got.Flags, tc.flag)
		}
		if !strings.Contains(got.Explanation(), tc.step) {
			t.Errorf("%s: explanation %q lacks %q", tc.name, got.Explanation(), tc.step)
		}
		if got.Provisional != 0 {
			t.Errorf("%s: provisional %d", tc.name, got.Provisional)
		}
	}
}

func TestDueDateProvisional(t *testing.T) {
	// 2024 is in the calendar: 5 September 2024 + 30 = Saturday 5 October, in the National Day
	// rest (1–7 October): Tuesday 8 October.
	got := DueDate(calendar(t), Terms{Signed: d("2024-03-01"), Buyer: BuyerInstitution, Supplier: SizeSmall}, Facts{Delivered: d("2024-09-05")}, d("2025-01-01"))
	if got.Date != d("2024-10-08") || got.Provisional != 0 || !strings.Contains(got.Explanation(), "2024-10-07国庆节放假") {
		t.Fatalf("%s %d %s", got.Date, got.Provisional, got.Explanation())
	}
	// 2027 is not: 2 December 2026 + 30 = Friday 1 January 2027, a working day on the plain
	// week, and said to be provisional.
	got = DueDate(calendar(t), Terms{Signed: d("2026-11-01"), Buyer: BuyerInstitution, Supplier: SizeSmall}, Facts{Delivered: d("2026-12-02")}, d("2026-12-10"))
	if got.Date != d("2027-01-01") || got.Provisional != 2027 || !strings.Contains(got.Explanation(), "暂定") {
		t.Fatalf("%s %d %s", got.Date, got.Provisional, got.Explanation())
	}
}

func hasFlag(fs []Flag, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

func TestClauseFlags(t *testing.T) {
	t25 := Terms{Signed: d("2025-06-01"), PayWhenPaid: true, AuditBasis: true, ForcedBills: true}
	t20 := t25
	t20.Signed = d("2025-05-31")
	f25, f20 := ClauseFlags(t25), ClauseFlags(t20)
	if len(f25) != 3 || !f25[0].Unlawful || !f25[1].Unlawful || !f25[2].Unlawful {
		t.Fatalf("2025: %+v", f25)
	}
	// 2020 allowed the audit result as the basis when the contract said so: a warning, not unlawful.
	if len(f20) != 3 || !f20[0].Unlawful || f20[1].Unlawful || !f20[2].Unlawful || !strings.Contains(f20[0].Text, "法释〔2024〕11号") {
		t.Fatalf("2020: %+v", f20)
	}
}

func TestLPR(t *testing.T) {
	lprs := ShippedLPR()
	cases := []struct{ day, published, oneYear string }{
		{"2019-08-20", "2019-08-20", "4.25"},
		{"2020-04-19", "2020-03-20", "4.05"},
		{"2020-04-20", "2020-04-20", "3.85"}, // the day of a publication holds its rate
		{"2019-10-20", "2019-09-20", "4.20"}, // 20 October 2019 was a Sunday: published the 21st
		{"2025-05-19", "2025-04-21", "3.10"},
		{"2025-05-20", "2025-05-20", "3.00"},
		{"2026-12-31", "2026-02-24", "3.00"},
	}
	for _, c := range cases {
		l, ok := lprs.On(d(c.day))
		if !ok || l.Published.String() != c.published || FormatPercent(l.OneYear.Micro) != c.oneYear {
			t.Errorf("LPR on %s = %s %s, want %s %s", c.day, l.Published, FormatPercent(l.OneYear.Micro), c.published, c.oneYear)
		}
	}
	if _, ok := lprs.On(d("2019-08-19")); ok {
		t.Error("an LPR before the first publication")
	}
	_, err := ParseLPR(strings.NewReader("publish_date,lpr_1y_pct,lpr_5y_pct\n2026-03-20,3.00,3.50\n2026-03-20,3.00,3.50\n2026-13-01,1,1\n2026-05-20,x,3.5\n"))
	f := q.ErrorFields(err)
	if !strings.Contains(f["line.3"], "重复") || !strings.Contains(f["line.4"], "日期") || !strings.Contains(f["line.5"], "1年期") {
		t.Fatalf("errors %v", f)
	}
}

func TestInterest(t *testing.T) {
	lprs := ShippedLPR()
	none := Terms{Signed: d("2025-07-01"), Buyer: BuyerLarge, Supplier: SizeSmall}
	yearly := func(signed string, pct string) Terms {
		r, err := ParsePercent(pct)
		if err != nil {
			t.Fatal(err)
		}
		x := none
		x.Signed, x.AgreedRate = d(signed), r
		return x
	}
	cases := []struct {
		name     string
		terms    Terms
		due      string
		amount   q.Money
		payments []Payment
		asOf     string
		days     int
		interest q.Money
		flag     string
		step     string
	}{
		// The Regulation's example: 1,000,000 元 overdue 30 days at 0.05 % a day = 15,000 元.
		{name: "statutory example", terms: none, due: "2025-09-30", amount: q.Yuan(1_000_000),
			payments: []Payment{{d("2025-10-30"), q.Yuan(1_000_000)}}, asOf: "2025-12-31", days: 30, interest: q.Yuan(15_000), step: "万分之五"},
		{name: "paid on the due date", terms: none, due: "2025-09-30", amount: q.Yuan(1_000_000),
			payments: []Payment{{d("2025-09-30"), q.Yuan(1_000_000)}}, asOf: "2025-12-31", days: 0, interest: 0, step: "未逾期"},
		// Unpaid, as of 31 October: 31 days after 30 September.
		{name: "unpaid to the as-of date", terms: none, due: "2025-09-30", amount: q.Yuan(200_000),
			asOf: "2025-10-31", days: 31, interest: q.Yuan(3_100)},
		// 40,000 on time; 30,000 ten days late (150 元); 30,000 unpaid 31 days (465 元).
		{name: "partial payments", terms: none, due: "2025-09-30", amount: q.Yuan(100_000),
			payments: []Payment{{d("2025-10-10"), q.Yuan(30_000)}, {d("2025-09-30"), q.Yuan(40_000)}}, asOf: "2025-10-31", days: 31, interest: q.Yuan(615)},
		// 10 元 one day at 0.05 %: 0.5 分, rounded half up to 1 分.
		{name: "half a fen rounds up", terms: none, due: "2025-09-30", amount: q.Yuan(10),
			payments: []Payment{{d("2025-10-01"), q.Yuan(10)}}, asOf: "2025-10-31", days: 1, interest: 1},
		// Agreed 4.35 % a year, signed 1 July 2025 (LPR 3.00 % since 20 May): 123,456.78 元 for 17
		// days = 123456.78 × 4.35 % × 17 / 365 = 250.1268… → 250.13 元.
		{name: "agreed yearly rate", terms: yearly("2025-07-01", "4.35"), due: "2025-09-30", amount: 12_345_678,
			payments: []Payment{{d("2025-10-17"), 12_345_678}}, asOf: "2025-12-31", days: 17, interest: 25_013, step: "1年期LPR为年3.00%"},
		// Agreed 2.90 %, below the 3.00 % LPR: flagged, and the LPR applies as the floor:
		// 123456.78 × 3 % × 17 / 365 = 172.5012… → 172.50 元.
		{name: "agreed rate below the LPR", terms: yearly("2025-07-01", "2.90"), due: "2025-09-30", amount: 12_345_678,
			payments: []Payment{{d("2025-10-17"), 12_345_678}}, asOf: "2025-12-31", days: 17, interest: 17_250, flag: "rate_below_lpr"},
		// On the LPR publication day the new rate holds: signed 20 April 2020 (3.85 %), agreed 3.90 %: fine.
		{name: "signed on a publication day", terms: yearly("2020-04-20", "3.90"), due: "2025-09-30", amount: q.Yuan(365_000),
			payments: []Payment{{d("2025-10-01"), q.Yuan(365_000)}}, asOf: "2025-12-31", days: 1, interest: q.Yuan(39), step: "2020-04-20公布"},
		// The day before, the March rate (4.05 %) held: 3.90 % is below it.
		{name: "signed the day before a publication", terms: yearly("2020-04-19", "3.90"), due: "2025-09-30", amount: q.Yuan(365_000),
			payments: []Payment{{d("2025-10-01"), q.Yuan(365_000)}}, asOf: "2025-12-31", days: 1, interest: 4050, flag: "rate_below_lpr"},
		// A daily agreed rate, 万分之三 (10.95 % a year, above the LPR): 500,000 × 0.03 % × 20 = 3,000 元.
		{name: "agreed daily rate", terms: func() Terms { x := none; x.AgreedRate = Rate{PerDay: true, Micro: 300}; return x }(), due: "2025-09-30", amount: q.Yuan(500_000),
			payments: []Payment{{d("2025-10-20"), q.Yuan(500_000)}}, asOf: "2025-12-31", days: 20, interest: q.Yuan(3_000)},
	}
	for _, tc := range cases {
		got := Interest(lprs, tc.terms, d(tc.due), tc.amount, tc.payments, d(tc.asOf))
		if got.Days != tc.days || got.Interest != tc.interest {
			t.Errorf("%s: %d days, interest %s; want %d, %s\n%s", tc.name, got.Days, got.Interest, tc.days, tc.interest, got.Explanation())
		}
		if tc.flag != "" && !hasFlag(got.Flags, tc.flag) {
			t.Errorf("%s: flags %v", tc.name, got.Flags)
		}
		if tc.flag == "" && len(got.Flags) > 0 {
			t.Errorf("%s: unexpected flags %v", tc.name, got.Flags)
		}
		if !strings.Contains(got.Explanation(), tc.step) {
			t.Errorf("%s: explanation %q lacks %q", tc.name, got.Explanation(), tc.step)
		}
	}
}

func TestPayables(t *testing.T) {
	cal, lprs := calendar(t), ShippedLPR()
	ev := func(k q.EventKind, on string, amount q.Money) *q.ContractEvent {
		return &q.ContractEvent{Kind: k, On: d(on), Amount: amount, Method: map[bool]q.PayMethod{true: q.MethodTransfer}[k == q.EventPayment]}
	}
	// By progress, 2025 rules, large buyer: settlements on 4 August (due 9 October, after
	// National Day) and 1 September (+60 = 31 October, a Friday).
	c := &q.Contract{SignedOn: d("2025-07-01"), Buyer: q.BuyerLarge, SupplierSize: q.SizeSmall, Settlement: q.SettleProgress, Amount: q.Yuan(1_000_000)}
	events := []*q.ContractEvent{
		ev(q.EventDelivery, "2025-07-15", 0),
		ev(q.EventSettlement, "2025-08-04", q.Yuan(300_000)),
		ev(q.EventSettlement, "2025-09-01", q.Yuan(500_000)),
		ev(q.EventInvoice, "2025-09-02", q.Yuan(800_000)),
		// 300,000 paid on 9 October (on time); 200,000 on 20 November: 100,000 of it closes...
		ev(q.EventPayment, "2025-10-09", q.Yuan(300_000)),
		ev(q.EventPayment, "2025-11-20", q.Yuan(200_000)),
		// ...100,000 of the second settlement disputed from 15 October, still open.
		ev(q.EventDispute, "2025-10-15", q.Yuan(100_000)),
	}
	ps := Payables(cal, lprs, c, events, d("2025-12-31"))
	if len(ps) != 2 {
		t.Fatalf("%d payables", len(ps))
	}
	p1, p2 := ps[0], ps[1]
	if p1.DueOn != d("2025-10-09") || p1.Status != q.PayablePaid || p1.Interest != 0 {
		t.Errorf("first: %+v", p1)
	}
	// Second: 500,000 − 100,000 disputed = 400,000 due on 31 October; 200,000 paid on 20 November
	// (20 days late: 2,000 元); 200,000 unpaid on 31 December (61 days: 6,100 元).
	if p2.DueOn != d("2025-10-31") || p2.Due != q.Yuan(400_000) || p2.Disputed != q.Yuan(100_000) ||
		p2.Status != q.PayableOverdue || p2.OverdueDays != 61 || p2.Interest != q.Yuan(8_100) || p2.Unpaid != q.Yuan(200_000) {
		t.Errorf("second: %+v", p2)
	}
	// The parts: 200,000 paid 20 days late, 200,000 unpaid, and the 100,000 held from 15 October
	// (still open), a part of its own.
	if len(p2.Parts) != 3 || p2.Parts[0].Days != 20 || !p2.Parts[1].PaidOn.IsZero() || !p2.Parts[1].HeldFrom.IsZero() ||
		p2.Parts[2].Amount != q.Yuan(100_000) || p2.Parts[2].HeldFrom != d("2025-10-15") || !p2.Parts[2].HeldTo.IsZero() || !p2.Parts[2].PaidOn.IsZero() {
		t.Errorf("parts %+v", p2.Parts)
	}
	// As of 30 September neither is paid, the second not yet due, nothing disputed.
	ps = Payables(cal, lprs, c, events, d("2025-09-30"))
	if ps[0].Status != q.PayableOpen || ps[1].Status != q.PayableOpen || ps[1].Disputed != 0 {
		t.Errorf("as of 30 September: %s %s", ps[0].Status, ps[1].Status)
	}
	// One-off with a court case on 400,000 of 1,000,000: 600,000 due, paid by bill, flagged.
	c2 := &q.Contract{SignedOn: d("2025-07-01"), Buyer: q.BuyerLarge, SupplierSize: q.SizeSmall, Settlement: q.SettleOnce, Amount: q.Yuan(1_000_000), PayWhenPaid: true}
	bill := ev(q.EventPayment, "2025-09-30", q.Yuan(600_000))
	bill.Method = q.MethodBill
	ps = Payables(cal, lprs, c2, []*q.ContractEvent{ev(q.EventDelivery, "2025-08-01", 0), ev(q.EventCourt, "2025-09-10", q.Yuan(400_000)), bill}, d("2025-12-31"))
	p := ps[0]
	// What is still open is wholly in court: the status is 诉讼中, not 按期付清.
	if p.InCourt != q.Yuan(400_000) || p.Due != q.Yuan(600_000) || p.Status != q.PayableInCourt || !hasFlag(p.Flags, "paid_in_bills") || !hasFlag(p.Flags, "pay_when_paid") ||
		!strings.Contains(strings.Join(p.DueSteps, "；"), "尚未支付的400000.00元均在诉讼中，状态为“诉讼中”") {
		t.Errorf("court and bill: %+v", p)
	}
	// The same with the court case voided as entered by mistake: all 1,000,000 due, 400,000 unpaid.
	court := ev(q.EventCourt, "2025-09-10", q.Yuan(400_000))
	court.VoidedAt = time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC)
	ps = Payables(cal, lprs, c2, []*q.ContractEvent{ev(q.EventDelivery, "2025-08-01", 0), court, bill}, d("2025-12-31"))
	if p = ps[0]; p.InCourt != 0 || p.Due != q.Yuan(1_000_000) || p.Unpaid != q.Yuan(400_000) || p.Status != q.PayableOverdue {
		t.Errorf("court voided: %+v", p)
	}
	// Paid beyond the amount: the payable is paid, and the excess is flagged, not swallowed.
	ps = Payables(cal, lprs, c2, []*q.ContractEvent{ev(q.EventDelivery, "2025-08-01", 0), bill, ev(q.EventPayment, "2025-09-30", q.Yuan(500_000))}, d("2025-12-31"))
	if p = ps[0]; p.Paid != q.Yuan(1_000_000) || !hasFlag(p.Flags, "overpaid") {
		t.Errorf("overpaid: %+v", p)
	}
}

// The largest amount at the largest agreed rate, counted to the last civil date, stays a true
// figure: computed exactly and within int64, never wrapped round to a negative one.
func TestInterestAtTheBounds(t *testing.T) {
	terms := Terms{Signed: d("2025-07-01"), Buyer: BuyerLarge, Supplier: SizeSmall, AgreedRate: q.Rate{PerDay: true, Micro: q.MaxRatePerDay}}
	o := Interest(ShippedLPR(), terms, d("2025-10-01"), q.MaxAmount, nil, d("9999-12-31"))
	days := OverdueDays(d("2025-10-01"), d("9999-12-31"))
	want := new(big.Int).Mul(big.NewInt(int64(q.MaxAmount)), big.NewInt(int64(days)))
	want.Quo(want, big.NewInt(100)) // 1 % a day, exact: MaxAmount is a multiple of 100
	if o.Interest <= 0 || int64(o.Interest) != want.Int64() {
		t.Fatalf("interest %d, want %s (%d days)", o.Interest, want, days)
	}
}

// TestHolds are hand-counted: a one-off contract, 2025 rules, large buyer, small supplier, no rate
// agreed (0.05 % a day), delivered on 1 August 2025 and due 60 days later on 30 September.
// An amount held is paused from the day the dispute was raised or the case filed up to and
// including the day it closed; the overdue days run again from the day after.
func TestHolds(t *testing.T) {
	cal, lprs := calendar(t), ShippedLPR()
	c := &q.Contract{SignedOn: d("2025-07-01"), Buyer: q.BuyerLarge, SupplierSize: q.SizeSmall, Settlement: q.SettleOnce, Amount: q.Yuan(1_000_000)}
	ev := func(k q.EventKind, on, end string, amount q.Money) *q.ContractEvent {
		e := &q.ContractEvent{Kind: k, On: d(on), Amount: amount}
		if k == q.EventPayment {
			e.Method = q.MethodTransfer
		}
		if end != "" {
			e.EndOn = d(end)
		}
		return e
	}
	delivery := ev(q.EventDelivery, "2025-08-01", "", 0)
	onTime := ev(q.EventPayment, "2025-09-30", "", q.Yuan(800_000))

	// A court case on 200,000 filed on 20 October (already overdue) and closed on 9 November;
	// unpaid on 2 December. Overdue: 1–19 October (19 days), 10–30 November (21), 1–2 December
	// (2) = 42 days; paused 20 October – 9 November = 21 days (63 − 21 = 42). Interest
	// 200,000 × 0.05 % × 42 = 4,200 元.
	court := ev(q.EventCourt, "2025-10-20", "2025-11-09", q.Yuan(200_000))
	p := Payables(cal, lprs, c, []*q.ContractEvent{delivery, onTime, court}, d("2025-12-02"))[0]
	if p.DueOn != d("2025-09-30") || p.InCourt != 0 || p.Due != q.Yuan(1_000_000) || p.Unpaid != q.Yuan(200_000) ||
		p.OverdueDays != 42 || p.Interest != q.Yuan(4_200) || p.Status != q.PayableOverdue {
		t.Errorf("court closed: %+v", p)
	}
	if len(p.Parts) != 2 || p.Parts[1].HeldFrom != d("2025-10-20") || p.Parts[1].HeldTo != d("2025-11-09") || p.Parts[1].Days != 42 || p.Parts[1].Paused != 21 ||
		!p.Parts[0].HeldFrom.IsZero() || p.Parts[0].PaidOn != d("2025-09-30") {
		t.Errorf("court closed, parts %+v", p.Parts)
	}
	if e := strings.Join(p.RateSteps, "；"); !strings.Contains(e, "2025-10-20至2025-11-09共21日暂停计算") || !strings.Contains(e, "逾期42日（已扣除暂停计算的21日）") {
		t.Errorf("court closed, explanation %s", e)
	}
	if e := strings.Join(p.DueSteps, "；"); !strings.Contains(e, "诉讼（2025-10-20至2025-11-09）") {
		t.Errorf("court closed, due explanation %s", e)
	}
	// Paid on the day the case closed: no overdue day after it, 19 days before it.
	paid := ev(q.EventPayment, "2025-11-09", "", q.Yuan(200_000))
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, onTime, court, paid}, d("2025-12-02"))[0]
	if p.OverdueDays != 19 || p.Interest != q.Yuan(1_900) || p.Status != q.PayablePaidLate || p.Unpaid != 0 {
		t.Errorf("paid on the closing day: %+v", p)
	}
	// As of 8 November the case is open: 200,000 in court, the rest paid on time.
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, onTime, court}, d("2025-11-08"))[0]
	if p.InCourt != q.Yuan(200_000) || p.Unpaid != 0 || p.Interest != 0 || len(p.Parts) != 2 || !p.Parts[1].HeldTo.IsZero() || p.Parts[1].HeldFrom != d("2025-10-20") ||
		p.Status != q.PayableInCourt {
		t.Errorf("as of 8 November: %+v", p)
	}
	// As of 19 October, before the case: 200,000 overdue 19 days (1,900 元).
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, onTime, court}, d("2025-10-19"))[0]
	if p.Status != q.PayableOverdue || p.OverdueDays != 19 || p.Interest != q.Yuan(1_900) || p.InCourt != 0 {
		t.Errorf("as of 19 October: %+v", p)
	}
	// Statuses: what is open wholly disputed is 争议中; partly disputed, the rest overdue, 逾期未付;
	// disputed and in court, 诉讼中.
	openDispute := ev(q.EventDispute, "2025-10-10", "", q.Yuan(200_000))
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, onTime, openDispute}, d("2025-11-30"))[0]
	if p.Status != q.PayableDisputed || p.Disputed != q.Yuan(200_000) || p.Interest != 0 || !strings.Contains(strings.Join(p.DueSteps, "；"), "状态为“争议中”") {
		t.Errorf("wholly disputed: %+v", p)
	}
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, ev(q.EventPayment, "2025-09-30", "", q.Yuan(700_000)), openDispute}, d("2025-11-30"))[0]
	if p.Status != q.PayableOverdue || p.Unpaid != q.Yuan(100_000) {
		t.Errorf("partly disputed: %+v", p)
	}
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, ev(q.EventPayment, "2025-09-30", "", q.Yuan(700_000)), openDispute,
		ev(q.EventCourt, "2025-10-25", "", q.Yuan(100_000))}, d("2025-11-30"))[0]
	if p.Status != q.PayableInCourt || p.Disputed != q.Yuan(200_000) || p.InCourt != q.Yuan(100_000) {
		t.Errorf("disputed and in court: %+v", p)
	}

	// A dispute on 300,000 raised on 10 October, closed on 31 October, paid on 21 November:
	// 1–9 October (9 days) and 1–21 November (21) = 30 days; 300,000 × 0.05 % × 30 = 4,500 元.
	dispute := ev(q.EventDispute, "2025-10-10", "2025-10-31", q.Yuan(300_000))
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, ev(q.EventPayment, "2025-09-30", "", q.Yuan(700_000)), dispute,
		ev(q.EventPayment, "2025-11-21", "", q.Yuan(300_000))}, d("2025-12-31"))[0]
	if p.OverdueDays != 30 || p.Interest != q.Yuan(4_500) || p.Status != q.PayablePaidLate || p.PaidOnTime != q.Yuan(700_000) {
		t.Errorf("dispute closed: %+v", p)
	}
	if len(p.Parts) != 2 || p.Parts[1].PaidOn != d("2025-11-21") || p.Parts[1].HeldFrom != d("2025-10-10") || p.Parts[1].HeldTo != d("2025-10-31") || p.Parts[1].Paused != 22 {
		t.Errorf("dispute closed, parts %+v", p.Parts)
	}
	// A hold wholly before the due date pauses nothing: disputed 1–20 September, paid 10 October
	// (10 days: 300,000 × 0.05 % × 10 = 1,500 元).
	early := ev(q.EventDispute, "2025-09-01", "2025-09-20", q.Yuan(300_000))
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, ev(q.EventPayment, "2025-09-30", "", q.Yuan(700_000)), early,
		ev(q.EventPayment, "2025-10-10", "", q.Yuan(300_000))}, d("2025-12-31"))[0]
	if p.OverdueDays != 10 || p.Interest != q.Yuan(1_500) || p.Parts[1].Paused != 0 || p.Parts[1].HeldFrom != d("2025-09-01") {
		t.Errorf("dispute before the due date: %+v %+v", p, p.Parts)
	}
	// A dispute that goes to court the day it closes holds the same money: disputed 10–20
	// October, in court 20 October – 9 November; one part held 10 October – 9 November, paused
	// 31 days; unpaid on 2 December: 63 − 31 = 32 days, 200,000 × 0.05 % × 32 = 3,200 元.
	p = Payables(cal, lprs, c, []*q.ContractEvent{delivery, onTime, ev(q.EventDispute, "2025-10-10", "2025-10-20", q.Yuan(200_000)), court}, d("2025-12-02"))[0]
	if p.OverdueDays != 32 || p.Interest != q.Yuan(3_200) || len(p.Parts) != 2 || p.Parts[1].HeldFrom != d("2025-10-10") || p.Parts[1].HeldTo != d("2025-11-09") {
		t.Errorf("dispute then court: %+v %+v", p, p.Parts)
	}
}

// TestPaidInBills: a payable paid in full, some of it by bill before its due date, is 以票据支付,
// not 按期付清; its bill part is marked. 1,000,000 due 30 September: 600,000 by commercial bill on
// 20 September, 400,000 by transfer on 30 September.
func TestPaidInBills(t *testing.T) {
	cal, lprs := calendar(t), ShippedLPR()
	c := &q.Contract{SignedOn: d("2025-07-01"), Buyer: q.BuyerLarge, SupplierSize: q.SizeSmall, Settlement: q.SettleOnce, Amount: q.Yuan(1_000_000)}
	for _, m := range []q.PayMethod{q.MethodBill, q.MethodReceivable} {
		evs := []*q.ContractEvent{{Kind: q.EventDelivery, On: d("2025-08-01")},
			{Kind: q.EventPayment, On: d("2025-09-20"), Amount: q.Yuan(600_000), Method: m},
			{Kind: q.EventPayment, On: d("2025-09-30"), Amount: q.Yuan(400_000), Method: q.MethodTransfer}}
		p := Payables(cal, lprs, c, evs, d("2025-12-31"))[0]
		if p.Status != q.PayablePaidInBills || p.Unpaid != 0 || p.Interest != 0 || len(p.Parts) != 2 || !p.Parts[0].InBills || p.Parts[1].InBills ||
			!strings.Contains(strings.Join(p.DueSteps, "；"), "其中600000.00元以商业汇票或应收账款电子凭证支付，状态为“以票据支付”") {
			t.Errorf("%s: %+v %+v", m, p, p.Parts)
		}
		// As of 25 September, 400,000 still to pay: open (未到期), the bill part marked.
		p = Payables(cal, lprs, c, evs, d("2025-09-25"))[0]
		if p.Status != q.PayableOpen || p.Unpaid != q.Yuan(400_000) || !p.Parts[0].InBills {
			t.Errorf("%s as of 25 September: %+v", m, p)
		}
	}
	// All by transfer: 按期付清.
	p := Payables(cal, lprs, c, []*q.ContractEvent{{Kind: q.EventDelivery, On: d("2025-08-01")},
		{Kind: q.EventPayment, On: d("2025-09-30"), Amount: q.Yuan(1_000_000), Method: q.MethodTransfer}}, d("2025-12-31"))[0]
	if p.Status != q.PayablePaid {
		t.Errorf("by transfer: %+v", p)
	}
}

// TestLargeSupplier: a supplier large at signing is outside the Regulation. Signed 1 July 2025,
// 1,000,000, 90 days agreed, delivered 1 July: due 29 September (a Monday); unpaid on 31 December,
// 93 days overdue.
func TestLargeSupplier(t *testing.T) {
	cal, lprs := calendar(t), ShippedLPR()
	c := &q.Contract{SignedOn: d("2025-07-01"), Buyer: q.BuyerLarge, SupplierSize: q.SizeLarge, Settlement: q.SettleOnce, Amount: q.Yuan(1_000_000), AgreedDays: 90}
	evs := []*q.ContractEvent{{Kind: q.EventDelivery, On: d("2025-07-01")}}
	// No rate agreed: no interest (not 0.05 % a day, which would be 46,500 元).
	p := Payables(cal, lprs, c, evs, d("2025-12-31"))[0]
	if p.DueOn != d("2025-09-29") || p.Status != q.PayableOverdue || p.OverdueDays != 93 || p.Interest != 0 || p.Rate != "" || !p.OutsideRegulation ||
		!strings.Contains(strings.Join(p.RateSteps, "；"), "供应商签约时为大型企业，不适用《保障中小企业款项支付条例》：合同未约定逾期利率，不计逾期利息") ||
		!strings.Contains(strings.Join(p.DueSteps, "；"), "不计入条例的应付账款账龄和及时支付率") {
		t.Errorf("no rate agreed: %+v", p)
	}
	// 1 % a year agreed, below the LPR (3 %): as agreed, not flagged, no floor.
	// 1,000,000 × 1 % × 93 / 365 = 2,547.945… → 2,547.95 元.
	c.AgreedRate = Rate{Micro: 10_000}
	p = Payables(cal, lprs, c, evs, d("2025-12-31"))[0]
	if p.Interest != 254_795 || hasFlag(p.Flags, "rate_below_lpr") || hasFlag(ContractFlags(lprs, c), "rate_below_lpr") ||
		!strings.Contains(strings.Join(p.RateSteps, "；"), "按合同约定的逾期利率年1.00%计（条例关于不得低于LPR的规定不适用）") {
		t.Errorf("rate agreed: %+v %v", p, ContractFlags(lprs, c))
	}
	// The same with a small supplier: flagged, the LPR floor (3 %): 7,643.84 元.
	c.SupplierSize = q.SizeSmall
	if p = Payables(cal, lprs, c, evs, d("2025-12-31"))[0]; p.OutsideRegulation || !hasFlag(p.Flags, "rate_below_lpr") || p.Interest != 764_384 {
		t.Errorf("small supplier: %+v", p)
	}
}

func TestPausedDays(t *testing.T) {
	due := d("2025-09-30")
	for _, tc := range []struct {
		holds []Hold
		end   string
		want  int
	}{
		{[]Hold{{From: d("2025-10-20"), To: d("2025-11-09")}}, "2025-12-02", 21},
		{[]Hold{{From: d("2025-10-20"), To: d("2025-11-09")}}, "2025-10-25", 6},                                                // to the end only
		{[]Hold{{From: d("2025-09-20"), To: d("2025-10-01")}}, "2025-12-02", 1},                                                // from the day after the due date
		{[]Hold{{From: d("2025-10-20")}}, "2025-10-22", 3},                                                                     // still open: to the end
		{[]Hold{{From: d("2025-10-01"), To: d("2025-10-10")}, {From: d("2025-10-05"), To: d("2025-10-12")}}, "2025-12-02", 12}, // overlapping counted once
		{[]Hold{{From: d("2025-09-01"), To: d("2025-09-30")}}, "2025-12-02", 0},                                                // closed on the due date
	} {
		if got, _ := PausedDays(due, d(tc.end), tc.holds); got != tc.want {
			t.Errorf("%+v to %s: %d paused days, want %d", tc.holds, tc.end, got, tc.want)
		}
	}
}

// A rate beyond the bounds (a row written before them) does not wrap round: the interest is
// capped and the payable says so.
func TestInterestBeyondTheBoundsIsSaid(t *testing.T) {
	terms := Terms{Signed: d("2025-07-01"), Buyer: BuyerLarge, Supplier: SizeSmall, AgreedRate: q.Rate{PerDay: true, Micro: 990_000}}
	o := Interest(ShippedLPR(), terms, d("2025-10-01"), q.MaxAmount, nil, d("9999-12-31"))
	if o.Interest != math.MaxInt64 || !hasFlag(o.Flags, "interest_out_of_range") {
		t.Fatalf("interest %d, flags %+v", o.Interest, o.Flags)
	}
}
