package web

import (
	"net/http"
	"strconv"
	"strings"
)

// ledgerPager pages the ledger by key: the previous and next pages follow the cursors of the
// page shown, and the numbered pages (the first, the last and those around the current one) are
// reached by offset, which the storage reads from the nearer end of the set.
type ledgerPager struct {
	PageNo, Pages int
	Prev, Next    string
	Links         []pageLink
}

type pageLink struct {
	No      int
	Href    string
	Current bool
	Gap     bool // an ellipsis before this link
}

// ledgerLink is the ledger's URL with the query changed: keys set to values, "" removing one.
func ledgerLink(r *http.Request, set map[string]string) string {
	q := r.URL.Query()
	for k, v := range set {
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
	}
	if enc := q.Encode(); enc != "" {
		return r.URL.Path + "?" + enc
	}
	return r.URL.Path
}

func newLedgerPager(r *http.Request, page, size, total int, first, last string) *ledgerPager {
	p := &ledgerPager{PageNo: page, Pages: max(1, (total+size-1)/size)}
	if p.PageNo > p.Pages {
		p.PageNo = p.Pages
	}
	byNo := func(n int) string {
		if n == 1 {
			return ledgerLink(r, map[string]string{"page": "", "after": "", "before": ""})
		}
		return ledgerLink(r, map[string]string{"page": strconv.Itoa(n), "after": "", "before": ""})
	}
	if page > 1 {
		if page == 2 || first == "" {
			p.Prev = byNo(page - 1)
		} else {
			p.Prev = ledgerLink(r, map[string]string{"page": strconv.Itoa(page - 1), "before": first, "after": ""})
		}
	}
	if page < p.Pages {
		if last == "" {
			p.Next = byNo(page + 1)
		} else {
			p.Next = ledgerLink(r, map[string]string{"page": strconv.Itoa(page + 1), "after": last, "before": ""})
		}
	}
	prev := 0
	for _, n := range []int{1, page - 2, page - 1, page, page + 1, page + 2, p.Pages} {
		if n < 1 || n > p.Pages || n <= prev {
			continue
		}
		p.Links = append(p.Links, pageLink{No: n, Href: byNo(n), Current: n == page, Gap: n > prev+1})
		prev = n
	}
	return p
}

// sortHeader is a column header that sorts the ledger: a click sorts by it (the second click in
// the other direction); Mark shows the current direction.
type sortHeader struct {
	Href, Mark string
}

// sortHeaders gives the sortable columns' headers for the current sort.
func sortHeaders(r *http.Request, current string) map[string]sortHeader {
	out := map[string]sortHeader{}
	for _, c := range []struct{ col, first string }{{"id", "-id"}, {"arisen_on", "arisen_on"}, {"due_on", "due_on"}, {"outstanding", "-outstanding"}} {
		next, mark := c.first, ""
		cur := current
		if cur == "" {
			cur = "-id"
		}
		if strings.TrimPrefix(cur, "-") == c.col {
			mark = "▲"
			next = "-" + c.col
			if strings.HasPrefix(cur, "-") {
				mark, next = "▼", c.col
			}
		}
		if next == "-id" {
			next = "" // the default order: the newest first
		}
		out[c.col] = sortHeader{Href: ledgerLink(r, map[string]string{"sort": next, "page": "", "after": "", "before": ""}), Mark: mark}
	}
	return out
}
