package web

import (
	"net/http/httptest"
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
