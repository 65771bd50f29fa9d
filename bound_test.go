package qingqian

import (
	"math"
	"strings"
	"testing"
)

func TestRateRoundsHalfUpWithoutOverflow(t *testing.T) {
	cases := []struct {
		repaid, outstanding Money
		want                int64
	}{
		{951568, 48432, 9516}, // 95.1568 % → 95.16 %
		{951549, 48451, 9515}, // 95.1549 % → 95.15 %
		{5, 99995, 1},         // 0.005 % → 0.01 %
		{4, 99996, 0},         // 0.004 % → 0.00 %
		{0, 100, 0},           // nothing repaid
		{0, 0, 0},             // nothing owed
		{100, 0, 10000},       // all repaid
		{MaxLedgerVolume, MaxLedgerVolume, 5000},
		{math.MaxInt64 / 2, math.MaxInt64 / 2, 5000},
		{math.MaxInt64, math.MaxInt64, 5000},
		{math.MaxInt64, 1, 10000},
		{2 * 920_000_000_000_000_00, 3 * 920_000_000_000_000_00, 4000},
	}
	for _, c := range cases {
		if got := RateOf(c.repaid, c.outstanding); got != c.want {
			t.Errorf("RateOf(%d, %d) = %d, want %d", c.repaid, c.outstanding, got, c.want)
		}
		f := Figures{Balance: Balance{Repaid: c.repaid, Outstanding: c.outstanding}}
		if got := f.Rate(); got != c.want {
			t.Errorf("Figures.Rate(%d, %d) = %d, want %d", c.repaid, c.outstanding, got, c.want)
		}
	}
}

func TestAmountsAboveTheCeilingAreRefusedNamingTheField(t *testing.T) {
	today := NewDate(2026, 1, 10)
	over := MaxAmount + 1
	it := &Item{OrgID: 1, CreditorID: 1, Kind: KindWorks, Origin: OriginBaseline, ArisenOn: NewDate(2020, 1, 1), Undisputed: over}
	assertField(t, it.Validate(), "undisputed", "无分歧金额超过上限")
	it.Undisputed, it.Disputed, it.DisputeReason = 1, over, "质量"
	assertField(t, it.Validate(), "disputed", "有分歧金额超过上限")
	it.Undisputed, it.Disputed = MaxAmount, 1
	assertField(t, it.Validate(), "undisputed", "欠款金额超过上限")
	it.Undisputed, it.Disputed = MaxAmount, 0
	if err := it.Validate(); err != nil {
		t.Errorf("an item of exactly the ceiling is refused: %v", err)
	}
	for _, kind := range []EntryKind{EntryRepay, EntryRecognise, EntryAdjust, EntryCourtReduction, EntryWriteOff, EntryReclassify} {
		in := EntryInput{ItemID: 1, Kind: kind, On: today, Amount: over, Method: MethodTransfer, Reason: "x"}
		if kind != EntryRepay {
			in.Method = ""
		}
		_, _, err := in.Deltas(today)
		assertField(t, err, "amount", "金额超过上限")
		in.Amount = -over
		if kind == EntryAdjust || kind == EntryReclassify {
			_, _, err = in.Deltas(today)
			assertField(t, err, "amount", "金额超过上限")
		}
	}
	p := PlanInput{Instalments: []Instalment{{Due: today, Amount: over}}}
	assertField(t, p.Validate(NewDate(2020, 1, 1), MaxAmount), "instalments.0.amount", "每期金额超过上限")
	c := &Case{Kind: CaseKinds[0], Body: "某某法院", CaseNo: "（2025）冀01民初1号", FiledOn: NewDate(2025, 3, 1), Items: []int64{1}, Claimed: over}
	assertField(t, c.Validate(today), "claimed", "诉请金额超过上限")
}

func assertField(t *testing.T, err error, field, want string) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok || e.Code != EINVALID {
		t.Fatalf("err = %v, want EINVALID on %s", err, field)
	}
	if !strings.Contains(e.Fields[field], want) {
		t.Errorf("field %s = %q (all: %v), want it to say %q", field, e.Fields[field], e.Fields, want)
	}
}

func TestAgreedRatesBeyondTheBoundsAreRefused(t *testing.T) {
	k := &Contract{OrgID: 1, Creditor: &Creditor{USCC: "91110000600037341L"}, No: "HT-1", Name: "采购", Kind: KindGoods, Buyer: BuyerLarge,
		SignedOn: NewDate(2025, 7, 1), Amount: Yuan(1000), SupplierSize: SizeSmall, Settlement: SettleOnce}
	for _, c := range []struct {
		rate Rate
		msg  string
	}{
		{Rate{PerDay: true, Micro: MaxRatePerDay + 1}, "不能超过日1%"},
		{Rate{Micro: MaxRatePerYear + 1}, "不能超过年100%"},
		{Rate{PerDay: true, Micro: -1}, "不能为负数"},
	} {
		k.AgreedRate = c.rate
		assertField(t, k.Validate(), "agreed_rate", c.msg)
	}
	for _, r := range []Rate{{PerDay: true, Micro: MaxRatePerDay}, {Micro: MaxRatePerYear}} {
		k.AgreedRate = r
		if err := k.Validate(); err != nil {
			t.Errorf("rate %s at the bound refused: %v", r, err)
		}
	}
}

// An ERP that pads its keys sends the same event: the key is trimmed; a control character in it
// is refused.
func TestEventKeysTrimmed(t *testing.T) {
	e := &ContractEvent{ContractID: 1, Kind: EventDelivery, On: NewDate(2025, 8, 1), Key: " K1\u3000 "}
	if err := e.Validate(); err != nil || e.Key != "K1" {
		t.Fatalf("key %q: %v", e.Key, err)
	}
	e.Key = "K\t1"
	assertField(t, e.Validate(), "key", "控制字符")
}
