package qingqian_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/qingqian/qingqian"
)

func TestParseYuan(t *testing.T) {
	good := map[string]qingqian.Money{
		"968553800.00": 96855380000, "0": 0, "0.5": 50, "12.34": 1234, "-3": -300, "+7.1": 710,
		"92233720368547.58": 9223372036854758,
	}
	for in, want := range good {
		got, err := qingqian.ParseYuan(in)
		if err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "1.234", "1e5", "1,000", "abc", ".5", "5.", "--1", "1.2.3", "１２", "99999999999999999"} {
		if got, err := qingqian.ParseYuan(in); err == nil {
			t.Errorf("ParseYuan(%q) = %d, want error", in, got)
		}
	}
}

func TestMoneyFormats(t *testing.T) {
	cases := []struct {
		m         qingqian.Money
		yuan, wan string
	}{
		{96855380000, "968553800.00", "96855.38"},
		{4929700000, "49297000.00", "4929.70"},
		{5000, "50.00", "0.01"}, // 50 元 = 0.005 万元, half-up
		{4999, "49.99", "0.00"},
		{-5000, "-50.00", "-0.01"},
		{1, "0.01", "0.00"},
	}
	for _, c := range cases {
		if got := c.m.String(); got != c.yuan {
			t.Errorf("%d.String() = %s, want %s", c.m, got, c.yuan)
		}
		if got := c.m.Wan(); got != c.wan {
			t.Errorf("%d.Wan() = %s, want %s", c.m, got, c.wan)
		}
	}
}

func TestMoneyJSON(t *testing.T) {
	var v struct{ A qingqian.Money }
	if err := json.Unmarshal([]byte(`{"A":"1.50"}`), &v); err != nil || v.A != 150 {
		t.Fatalf("got %d, %v", v.A, err)
	}
	if err := json.Unmarshal([]byte(`{"A":1.5}`), &v); err == nil {
		t.Fatal("a JSON number must be refused")
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"A":"1.50"}` {
		t.Fatalf("marshal = %s", b)
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1.23", "-0.01", "968553800.00", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := qingqian.ParseYuan(s)
		if err != nil {
			return
		}
		back, err := qingqian.ParseYuan(m.String())
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, m, m.String(), back, err)
		}
	})
}

func TestWanGrouped(t *testing.T) {
	for m, want := range map[qingqian.Money]string{96855380000: "96,855.38", 4929700000: "4,929.70", 12345: "0.01", -123456789000: "-123,456.79", 0: "0.00", 1000000000: "1,000.00"} {
		if got := m.WanGrouped(); got != want {
			t.Errorf("%d: %q, want %q", m, got, want)
		}
	}
}

// TestMoneyString checks the amount's formatting against fmt's, around the signs, the cents'
// padding and the ends of int64.
func TestMoneyString(t *testing.T) {
	vals := []int64{0, 1, 9, 10, 99, 100, 101, 109, 110, 12345, 96855380000, math.MaxInt64, math.MinInt64 + 1, math.MinInt64}
	for v := int64(-1005); v <= 1005; v++ {
		vals = append(vals, v)
	}
	for _, v := range vals {
		want := ""
		switch {
		case v == math.MinInt64:
			want = "-92233720368547758.08"
		case v < 0:
			want = fmt.Sprintf("-%d.%02d", -v/100, -v%100)
		default:
			want = fmt.Sprintf("%d.%02d", v/100, v%100)
		}
		if got := qingqian.Money(v).String(); got != want {
			t.Errorf("Money(%d).String() = %q, want %q", v, got, want)
		}
	}
}
