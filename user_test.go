package qingqian

import (
	"testing"
	"time"
)

// The password rules, with the passwords assessors try first.
func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		password, username string
		ok                 bool
	}{
		{"Password1", "", false},    // a common word
		{"P@ssw0rd2024", "", false}, // the same, with digits for letters
		{"aaaaaaA1", "", false},     // too few different characters
		{"Xyzaaaa1!", "", false},    // one character four times in a row
		{"Qx1234yz!", "", false},    // a run of four
		{"Zhang3-ab", "zhang3", false},
		{"Qingqian-2019", "clerk_a", true},
		{"Demo-3fa9c07e", "", true},
		{"长安-Yong2021", "", true},
	} {
		if got := CheckPassword(c.password, c.username); (got == "") != c.ok {
			t.Errorf("CheckPassword(%q, %q) = %q", c.password, c.username, got)
		}
	}
}

func TestTOTPCode(t *testing.T) {
	// RFC 6238, appendix B (SHA-1, secret "12345678901234567890"), the last six digits.
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, c := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := TOTPCode(secret, TOTPStep(time.Unix(c.unix, 0))); got != c.code {
			t.Errorf("at %d: %s, want %s", c.unix, got, c.code)
		}
	}
	if _, ok := CheckTOTP(secret, "287082", time.Unix(59+95, 0)); ok {
		t.Error("a code three steps old accepted")
	}
}
