package sqldb

// Helpers for building and running queries: placeholders, subtree ranges, search patterns, page
// sizes, and what reads through the read pool or a write transaction alike.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// subtreeRange returns the bounds of the paths under prefix: path >= lo AND path < hi.
func subtreeRange(prefix string) (lo, hi string) {
	return prefix, prefix[:len(prefix)-1] + "0" // '0' is the byte after '/'
}

// ancestors returns the ids in a materialised path, root first.
func ancestors(path string) []int64 {
	var ids []int64
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		var id int64
		for _, c := range p {
			id = id*10 + int64(c-'0')
		}
		if p != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// likePattern turns user text into a LIKE pattern on a normalised (lower-cased) column.
func likePattern(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// searchText builds the normalised search column from the fields people search by.
func searchText(parts ...string) string {
	return strings.ToLower(strings.Join(parts, "\x1f"))
}

// limit bounds a page size: default 50, at most 500.
func limit(n int) int {
	if n <= 0 {
		return 50
	}
	if n > 500 {
		return 500
	}
	return n
}

// RandomToken returns n random bytes in hex.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// args collects query arguments and hands out their $n placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// queryer runs queries: the read pool, or a write transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowQueryer runs one-row queries: the read pool, or a write transaction.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readQueryer reads through the read pool or a write transaction.
type readQueryer interface {
	queryer
	rowQueryer
}

// optDate scans a nullable date.
type optDate struct{ d *qingqian.Date }

func (o optDate) Scan(src any) error {
	if src == nil {
		*o.d = qingqian.Date{}
		return nil
	}
	return o.d.Scan(src)
}

// dateArg is nil for an unset date, so that it is stored as NULL.
func dateArg(d qingqian.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}
