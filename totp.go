package qingqian

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// One-time codes (TOTP, RFC 6238) as authenticator apps make them: HMAC-SHA1 over the number of
// 30-second steps since 1970, six digits. A code is accepted one step early or late, for clocks
// that differ.

// totpStep is the life of one code.
const totpStep = 30

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh 160-bit secret in base32, as authenticator apps take it.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return totpEncoding.EncodeToString(b)
}

// TOTPStep is the step a time falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / totpStep }

// TOTPCode returns the code of a secret for a step, or "" for a secret that is not base32.
func TOTPCode(secret string, step int64) string {
	key, err := totpEncoding.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil || len(key) == 0 {
		return ""
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

// CheckTOTP reports the step whose code the given code is, within one step of now, and whether
// it is one. The caller refuses a step it has already accepted, so that a code works once.
func CheckTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	cur := TOTPStep(now)
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		want := TOTPCode(secret, step)
		if want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// TOTPURI is the otpauth:// address an authenticator app reads (from a QR code or typed in).
func TOTPURI(secret, account, issuer string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}
