package web_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// Through the API: an amount above the ceiling is refused naming the field; a reversal without
// a date takes effect on the reversed entry's date, one with a date says so in the record.
func TestAPIAmountCeilingAndReversalDate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		r := e.newItem(e.tokA, e.a.ID, "920000000000000.00").want(t, 400)
		if msg := r.field(t, "undisputed"); !strings.Contains(msg, "超过上限") {
			t.Fatalf("undisputed: %s", msg)
		}
		id := itoa(e.newItem(e.tokA, e.a.ID, "1000.00").want(t, 201).num("id"))
		r = e.do("POST", "/api/v1/items/"+id+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-15", "amount": "100000000000.01", "method": "transfer"}).want(t, 400)
		if msg := r.field(t, "amount"); !strings.Contains(msg, "超过上限") {
			t.Fatalf("amount: %s", msg)
		}
		wrong := e.do("POST", "/api/v1/items/"+id+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-15", "amount": "300.00", "method": "transfer"}).want(t, 201)
		other := e.do("POST", "/api/v1/items/"+id+"/entries", e.tokA, map[string]any{"kind": "repay", "on": "2019-11-15", "amount": "200.00", "method": "transfer"}).want(t, 201)
		rev := e.do("POST", "/api/v1/entries/"+itoa(wrong.num("id"))+"/reversal", e.tokA, map[string]any{"reason": "重复录入"}).want(t, 201)
		if rev.str("on") != "2019-11-15" || rev.str("reversed_on") != "2019-11-15" {
			t.Fatalf("reversal: %s", rev.body)
		}
		late := e.do("POST", "/api/v1/entries/"+itoa(other.num("id"))+"/reversal", e.tokA, map[string]any{"reason": "对方退回", "on": "2020-01-10"}).want(t, 201)
		if late.str("on") != "2020-01-10" || late.str("reversed_on") != "2019-11-15" {
			t.Fatalf("reversal on another date: %s", late.body)
		}
		tot := e.do("GET", "/api/v1/orgs/"+itoa(e.a.ID)+"/totals?as_of=2019-11-30", e.tokA, nil).want(t, 200)
		if o := tot.json["overall"].(map[string]any); o["repaid"] != "200.00" || o["payments_no_voucher"] != float64(1) {
			t.Fatalf("as of 2019-11-30: %s", tot.body)
		}
	})
}
