package qingqian

import (
	"strings"
	"unicode"
)

// TrimText trims the spaces around a text as people paste it: ASCII and full-width (U+3000)
// spaces, tabs, line breaks, no-break and zero-width spaces, and a byte-order mark.
func TrimText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' })
}
