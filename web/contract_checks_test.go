package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// Through the API, a contract's number is trimmed of its spaces, full-width ones included, and
// dates before 1990 or in the future of what has happened are refused naming the field.
func TestContractTextsAndDatesThroughTheAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		body := func(no, signed string) map[string]any {
			return map[string]any{"org_id": e.a.ID, "creditor_uscc": "91110108MA01C9BP27", "no": no, "name": "　检测服务 ", "kind": "services",
				"buyer_kind": "large", "signed_on": signed, "amount": "1000.00", "supplier_size": "micro", "settlement": "once"}
		}
		msg := e.do("POST", "/api/v1/contracts", e.tokA, body("HT-9", "1989-12-31")).want(t, http.StatusBadRequest).field(t, "signed_on")
		if !strings.Contains(msg, "1990-01-01") {
			t.Errorf("signed in 1989: %q", msg)
		}
		tomorrow := qingqian.Today().AddDays(1).String()
		e.do("POST", "/api/v1/contracts", e.tokA, body("HT-9", tomorrow)).want(t, http.StatusBadRequest).field(t, "signed_on")
		r := e.do("POST", "/api/v1/contracts", e.tokA, body("HT-9\u3000", "2025-07-01")).want(t, http.StatusCreated)
		id := strconv.FormatInt(r.num("id"), 10)
		r = e.do("GET", "/api/v1/contracts/"+id, e.tokA, nil).want(t, 200)
		if r.json["no"] != "HT-9" || r.json["name"] != "检测服务" {
			t.Fatalf("stored %v %v", r.json["no"], r.json["name"])
		}
		e.do("POST", "/api/v1/contracts", e.tokA, body(" HT-9", "2025-07-01")).want(t, http.StatusConflict)
		msg = e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "delivery", "on": "1988-05-01"}).want(t, http.StatusBadRequest).field(t, "on")
		if !strings.Contains(msg, "1990-01-01") {
			t.Errorf("event in 1988: %q", msg)
		}
		e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "delivery", "on": tomorrow}).want(t, http.StatusBadRequest).field(t, "on")
	})
}
