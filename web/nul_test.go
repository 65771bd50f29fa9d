package web_test

import (
	"strings"
	"testing"

	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The NUL character is refused in every text, naming the field, on both databases: PostgreSQL
// refuses it with an error and SQLite would store it.
func TestNULRefused(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		before := countRows(t, db, "items")
		r := e.do("POST", "/api/v1/items", e.tokA, map[string]any{"org_id": e.a.ID, "creditor_uscc": e.creditor.USCC, "kind": "works",
			"arisen_on": "2019-01-10", "due_on": "2019-04-10", "undisputed": "100.00", "origin": "baseline", "contract_no": "HT-\x001"}).want(t, 400)
		r.field(t, "contract_no")
		if msg := r.json["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "contract_no") || !strings.Contains(msg, "空字符") {
			t.Fatalf("message %q", msg)
		}
		if countRows(t, db, "items") != before {
			t.Fatal("an item with a NUL character was stored")
		}
		id := e.newItem(e.tokA, e.a.ID, "100.00").want(t, 201).num("id")
		batch := map[string]any{"entries": []any{map[string]any{"item_id": id, "kind": "adjust", "on": "2019-12-01", "amount": "5.00", "reason": "补记\x00利息"}}}
		e.do("POST", "/api/v1/entries", e.tokA, batch).want(t, 400).field(t, "entries.0.reason")
		// In a search: refused before it reaches the database.
		e.do("GET", "/api/v1/items?q=HT%00", e.tokA, nil).want(t, 400).field(t, "q")
	})
}
