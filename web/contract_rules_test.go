package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The contract page and the API say which rule applied: a supplier large at signing is outside
// the Regulation (no interest without an agreed rate, the reason shown); a payable whose open
// amount is wholly disputed is 争议中.
func TestContractRulesShown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		mk := func(no, size string) string {
			t.Helper()
			r := e.do("POST", "/api/v1/contracts", e.tokA, map[string]any{"org_id": e.a.ID, "creditor_uscc": "91110108MA01C9BP27",
				"no": no, "name": "采购", "kind": "goods", "buyer_kind": "large", "signed_on": "2025-07-01", "amount": "100000.00",
				"supplier_size": size, "size_declared_on": "2025-06-30", "size_evidence": "声明函", "settlement": "once", "agreed_days": 60}).want(t, http.StatusCreated)
			id := strconv.FormatInt(r.num("id"), 10)
			e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "delivery", "on": "2025-08-01"}).want(t, http.StatusCreated)
			return id
		}
		payable := func(id string) map[string]any {
			t.Helper()
			r := e.do("GET", "/api/v1/contracts/"+id+"?as_of=2025-12-31", e.tokA, nil).want(t, 200)
			ps, _ := r.json["payables"].([]any)
			if len(ps) != 1 {
				t.Fatalf("payables: %s", r.body)
			}
			return ps[0].(map[string]any)
		}
		secret := sessionOf(t, db, "clerk_a")
		page := func(id string) string {
			t.Helper()
			st, body := send(t, "GET", e.srv.URL+"/contracts/"+id+"?as_of=2025-12-31", "", nil, secret, "")
			if st != 200 {
				t.Fatalf("page %s: %d", id, st)
			}
			return body
		}
		// Large at signing: due 30 September, 92 days overdue on 31 December, no interest.
		large := mk("HT-LARGE", "large")
		p := payable(large)
		if p["status"] != "overdue" || p["overdue_days"] != float64(92) || p["interest"] != "0.00" || p["outside_regulation"] != true ||
			!strings.Contains(strings.Join(strs(p["interest_explanation"]), "；"), "供应商签约时为大型企业，不适用《保障中小企业款项支付条例》") {
			t.Errorf("large supplier: %v", p)
		}
		if body := page(large); !strings.Contains(body, "供应商签约时为大型企业，不适用《保障中小企业款项支付条例》") || !strings.Contains(body, "未约定（条例不适用，不计逾期利息）") {
			t.Errorf("the page does not say why:\n%s", body)
		}
		// Small, the whole 100,000 disputed from 10 October: 争议中, no interest.
		small := mk("HT-SMALL", "small")
		e.do("POST", "/api/v1/contracts/"+small+"/events", e.tokA, map[string]any{"kind": "dispute", "on": "2025-10-10", "amount": "100000.00"}).want(t, http.StatusCreated)
		if p := payable(small); p["status"] != "disputed" || p["disputed"] != "100000.00" || p["interest"] != "0.00" {
			t.Errorf("disputed: %v", p)
		}
		if body := page(small); !strings.Contains(body, "<td>争议中</td>") || strings.Contains(body, "供应商签约时为大型企业") {
			t.Errorf("the disputed contract's page:\n%s", body)
		}
	})
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
