package web

import (
	"math"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A bad filter names its field in Chinese: no parameter code reaches the page.
func TestQueryErrorNamesFields(t *testing.T) {
	r := httptest.NewRequest("GET", "/ledger?min_amount=abc&org_id=x&as_of=2020-13-01", nil)
	q := newQuery(r)
	q.money("min_amount")
	q.id("org_id")
	q.date("as_of")
	msg := q.err().Error()
	for _, code := range []string{"min_amount", "org_id", "as_of"} {
		if strings.Contains(msg, code) {
			t.Errorf("%q in %s", code, msg)
		}
	}
	for _, name := range []string{"最小金额", "单位", "截至日期"} {
		if !strings.Contains(msg, name) {
			t.Errorf("%s not named in %s", name, msg)
		}
	}
}

// luminance is a colour's relative luminance (WCAG 2.1).
func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// The orange tags (补录, 无凭证, 部分清偿…) read at 4.5:1 or more, computed from the stylesheet.
func TestOrangeTagContrast(t *testing.T) {
	css, err := assets.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	find := func(re string) string {
		m := regexp.MustCompile(re).FindSubmatch(css)
		if m == nil {
			t.Fatalf("no %s in app.css", re)
		}
		return string(m[1])
	}
	warn := find(`--warn:(#[0-9a-fA-F]{6})`)
	for _, rule := range []string{`\.tag\.warn \{ background:(#[0-9a-fA-F]{6}); color:var\(--warn\)`, `\.st-partial \{ background:(#[0-9a-fA-F]{6}); color:var\(--warn\)`} {
		bg := find(rule)
		if c := contrast(warn, bg); c < 4.5 {
			t.Errorf("%s on %s: %.2f:1", warn, bg, c)
		}
	}
	if c := contrast(warn, "#ffffff"); c < 4.5 {
		t.Errorf("warning text %s on white: %.2f:1", warn, c)
	}
}

// Axes step in round numbers: 1, 2 or 5 times a power of ten, up to the first tick past the top.
func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		top  float64
		n    int
		want string
	}{{101028.87, 4, "0 50000 100000 150000"}, {6784.88, 4, "0 2000 4000 6000 8000"}, {18109.36, 5, "0 5000 10000 15000 20000"}, {0.7, 4, "0 0.2 0.4 0.6 0.8"}} {
		var got []string
		for _, v := range niceTicks(c.top, c.n) {
			got = append(got, strconv.FormatFloat(v, 'f', -1, 64))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("ticks to %v: %v, want %s", c.top, got, c.want)
		}
	}
}
