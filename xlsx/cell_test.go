package xlsx

import (
	"testing"

	"github.com/qingqian/qingqian"
)

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"43799": "2019-11-30", "43799.5": "2019-11-30", "2019-11-30": "2019-11-30", "2019/11/30": "2019-11-30", "2019.11.30": "2019-11-30",
		"2019年11月30日": "2019-11-30", "2019/1/5": "2019-01-05", " 2019-11-30 00:00:00 ": "2019-11-30", "２０１９－１１－３０": "2019-11-30",
		"20191130": "2019-11-30", "": "", "43799.25": "2019-11-30", "43799.999": "2019-11-30",
	} {
		got, err := ParseDate(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseDate(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"2019-02-30", "30/11/2019", "abc", "2019-13-01", "-5", "1e5", "2019年11月"} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %s, want error", in, got)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		wan  bool
		want qingqian.Money
	}{
		{"1,234.56", false, 123456}, {"１２３４．５", false, 123450}, {"1234元", false, 123400}, {"¥1,000", false, 100000},
		{"96855.38", true, 96855380000}, {"4929.7万元", false, 4929700000}, {"0.0001", true, 100}, {"", false, 0}, {"-3", false, -300},
		{"908.15", true, 908150000}, {" 12.3 ", false, 1230},
		{"(1,234.56)", false, -123456}, {"-", false, 0}, {"—", true, 0}, {"无", false, 0}, {"1,234,567", false, 123456700},
	} {
		got, err := ParseAmount(c.in, c.wan)
		if err != nil || got != c.want {
			t.Errorf("ParseAmount(%q, %v) = %d, %v; want %d", c.in, c.wan, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in  string
		wan bool
	}{{"1.234", false}, {"1e3", false}, {"abc", false}, {"0.0000001", true}, {"12,34.5.6", false}, {"元", false},
		{"12,34", false}, {"1,0", true}, {"1234,567", false}, {"1.234,5", false}, {"1,234.56元", true}, {"(-5)", false}} {
		if got, err := ParseAmount(c.in, c.wan); err == nil {
			t.Errorf("ParseAmount(%q, %v) = %d, want error", c.in, c.wan, got)
		}
	}
}

func TestParseUSCC(t *testing.T) {
	if got, err := ParseUSCC(" 91310115ma1k3btp2b "); err != nil || got != "91310115MA1K3BTP2B" {
		t.Fatalf("got %q %v", got, err)
	}
	if got, err := ParseUSCC("9131 0115 MA1K 3BTP 2B"); err != nil || got != "91310115MA1K3BTP2B" {
		t.Fatalf("in groups of four: %q %v", got, err)
	}
	if _, err := ParseUSCC("91110000600037341N"); err == nil {
		t.Fatal("bad check character accepted")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"43799", "2019-11-30", "2019年11月30日", "20191130", "2019/1/5 12:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil || d.IsZero() {
			return
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("%q -> %s -> %s, %v", s, d, back, err)
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1,234.56", "96855.38", "4929.7万元", "¥1", "１２"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, wan bool) {
		m, err := ParseAmount(s, wan)
		if err != nil {
			return
		}
		back, err := ParseAmount(m.String(), false)
		if err != nil || back != m {
			t.Fatalf("%q (%v) -> %d -> %q -> %d, %v", s, wan, m, m.String(), back, err)
		}
	})
}

func FuzzParseUSCC(f *testing.F) {
	f.Add("91310115MA1K3BTP2B")
	f.Add(" 91110000600037341l")
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseUSCC(s)
		if err == nil && code != "" && qingqian.CheckUSCC(code) != "" {
			t.Fatalf("accepted invalid %q", code)
		}
	})
}
