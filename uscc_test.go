package qingqian_test

import (
	"testing"

	"github.com/qingqian/qingqian"
)

func TestCheckUSCC(t *testing.T) {
	valid := []string{"91110000600037341L", "91110000710926094P", "121200004013590816", "91120224064012553U",
		"911522010783710635", "91152201078371135X", "91310115MA1K3BTP2B", "9131012056010553X5",
		"91340600MA2PBM9HXD", "91620105L015101280", "92340602MA2PBMEM24"}
	for _, c := range valid {
		if msg := qingqian.CheckUSCC(c); msg != "" {
			t.Errorf("%s: %s", c, msg)
		}
	}
	invalid := []string{"91110000600037341N", "9111000060003IOZSV", "12345", "", "9111000060003734LL"}
	for _, c := range invalid {
		if msg := qingqian.CheckUSCC(c); msg == "" {
			t.Errorf("%s accepted", c)
		}
	}
	if got := qingqian.NormalizeUSCC("  91110000600037341l "); qingqian.CheckUSCC(got) != "" {
		t.Errorf("normalised code %q not accepted", got)
	}
}

func FuzzCheckUSCC(f *testing.F) {
	f.Add("91110000600037341L")
	f.Add("9111000060003IOZSV")
	f.Fuzz(func(t *testing.T, s string) {
		if qingqian.CheckUSCC(s) == "" && len(s) != 18 {
			t.Fatalf("accepted %q of length %d", s, len(s))
		}
	})
}
