package web

import (
	"net/http"
	"strconv"
	"strings"
)

// ledgerPager pages the ledger by number: the previous, next, first, last and nearby pages are
// links by page number, which the storage reads from the nearer end of the set by a coarse seek
// along the sort order's index (ADR 27, 34).
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

// pageLinkOf is the ledger's URL for page n, the other parameters kept.
func pageLinkOf(r *http.Request, n int) string {
	no := ""
	if n > 1 {
		no = strconv.Itoa(n)
	}
	return ledgerLink(r, map[string]string{"page": no, "after": "", "before": ""})
}

// newLedgerPager gives the links around page (at most the last) of a set of total items.
func newLedgerPager(r *http.Request, page, size, total int) *ledgerPager {
	p := &ledgerPager{Pages: max(1, (total+size-1)/size)}
	p.PageNo = min(max(page, 1), p.Pages)
	page = p.PageNo
	if page > 1 {
		p.Prev = pageLinkOf(r, page-1)
	}
	if page < p.Pages {
		p.Next = pageLinkOf(r, page+1)
	}
	prev := 0
	for _, n := range []int{1, page - 2, page - 1, page, page + 1, page + 2, p.Pages} {
		if n < 1 || n > p.Pages || n <= prev {
			continue
		}
		p.Links = append(p.Links, pageLink{No: n, Href: pageLinkOf(r, n), Current: n == page, Gap: n > prev+1})
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
