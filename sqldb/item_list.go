package sqldb

// Listing the ledger: a filtered set's count and sums, and its pages by key. See ADR 0027.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/qingqian/qingqian"
)

// itemSort is an order of the ledger: a key (empty: the item's ID alone) and a direction, the
// item's ID breaking ties. Each key has an index (migration 0019), so that a page of a large set
// is read in order instead of sorting the set.
type itemSort struct {
	key      string // SQL expression over i
	desc     bool
	nullable bool // the key may be NULL: NULLs come first ascending, last descending
	kind     byte // 'd' date, 'n' number: how a cursor's key is read
}

var itemSorts = map[string]itemSort{
	"":             {desc: true},
	"id":           {},
	"-id":          {desc: true},
	"due_on":       {key: "i.due_on", nullable: true, kind: 'd'},
	"-due_on":      {key: "i.due_on", desc: true, nullable: true, kind: 'd'},
	"arisen_on":    {key: "i.arisen_on", kind: 'd'},
	"-arisen_on":   {key: "i.arisen_on", desc: true, kind: 'd'},
	"outstanding":  {key: "(i.out_u + i.out_d)", kind: 'n'},
	"-outstanding": {key: "(i.out_u + i.out_d)", desc: true, kind: 'n'},
}

// orderBy is the ORDER BY clause of the sort, reversed when back.
func (s itemSort) orderBy(postgres, back bool) string {
	desc := s.desc != back
	dir := ""
	if desc {
		dir = " DESC"
	}
	if s.key == "" {
		return "i.id" + dir
	}
	nulls := ""
	if s.nullable && postgres {
		// SQLite's own order of NULLs, in PostgreSQL too.
		nulls = map[bool]string{false: " NULLS FIRST", true: " NULLS LAST"}[desc]
	}
	return s.key + dir + nulls + ", i.id" + dir
}

// cursor is the position of an item in a sort order: its key and its ID.
type cursor struct {
	null bool // the key is NULL
	key  any
	id   int64
}

// cursorOf encodes the position of it: "id" or "key~id", an empty key for NULL.
func (s itemSort) cursorOf(it *qingqian.Item) string {
	id := strconv.FormatInt(it.ID, 10)
	switch {
	case s.key == "":
		return id
	case s.kind == 'n':
		return strconv.FormatInt(int64(it.Balance.Outstanding), 10) + "~" + id
	case s.key == "i.due_on":
		if it.DueOn.IsZero() {
			return "~" + id
		}
		return it.DueOn.String() + "~" + id
	default:
		return it.ArisenOn.String() + "~" + id
	}
}

func (s itemSort) parse(c string) (cursor, error) {
	bad := &qingqian.Error{Code: qingqian.EINVALID, Message: "翻页位置不正确，请回到第一页", Fields: map[string]string{"after": "翻页位置不正确"}}
	key, id, found := strings.Cut(c, "~")
	if s.key == "" {
		key, id, found = "", c, true
	}
	var cur cursor
	var err error
	if !found {
		return cur, bad
	}
	if cur.id, err = strconv.ParseInt(id, 10, 64); err != nil {
		return cur, bad
	}
	switch {
	case s.key == "":
	case key == "" && s.nullable:
		cur.null = true
	case s.kind == 'n':
		n, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			return cur, bad
		}
		cur.key = n
	default:
		d, err := qingqian.ParseDate(key)
		if err != nil {
			return cur, bad
		}
		cur.key = d
	}
	return cur, nil
}

// seek is the condition for the items after c in the sort order (before it when back).
func (s itemSort) seek(q *args, c cursor, back bool) string {
	desc := s.desc != back
	cmp := ">"
	if desc {
		cmp = "<"
	}
	id := q.add(c.id)
	switch {
	case s.key == "":
		return `i.id ` + cmp + ` ` + id
	case c.null && !desc: // NULLs first: after the NULLs come the dated ones
		return `((` + s.key + ` IS NULL AND i.id > ` + id + `) OR ` + s.key + ` IS NOT NULL)`
	case c.null:
		return `(` + s.key + ` IS NULL AND i.id < ` + id + `)`
	case s.nullable && desc: // NULLs last
		return `((` + s.key + `, i.id) < (` + q.add(c.key) + `, ` + id + `) OR ` + s.key + ` IS NULL)`
	default:
		return `(` + s.key + `, i.id) ` + cmp + ` (` + q.add(c.key) + `, ` + id + `)`
	}
}

// keyDriven is the size of a filtered set from which a page is read along the sort key's index
// (the items first), rather than from the units' items sorted: a page then reads about
// pageSize × items/set rows.
var keyDriven = 5000

// FindItems implements qingqian.ItemService.
func (s *ItemService) FindItems(ctx context.Context, f qingqian.ItemFilter) (_ *qingqian.ItemPage, err error) {
	defer serviceErr(&err, "find items")
	return s.findItems(ctx, f, limit(f.Limit), false)
}

// eachItemPage is the number of items EachItem reads a query: a few MB of items at a time, and
// a few dozen queries for the largest ledger.
var eachItemPage = 10_000

// EachItem hands the items of a filter (as FindItems filters them), in the order of their IDs,
// to fn one at a time, reading them in pages of eachItemPage by key. An item handed over lacks
// its creation and update times (CreatedAt, UpdatedAt), which are not read; fn must not keep it
// once it returns. The exports read the ledger through it.
func (s *ItemService) EachItem(ctx context.Context, f qingqian.ItemFilter, fn func(*qingqian.Item) error) (err error) {
	defer serviceErr(&err, "read items")
	f.Sort, f.NoTotals, f.CountOnly, f.Offset, f.After, f.Before, f.AfterID = "id", true, false, 0, "", "", 0
	for {
		page, err := s.findItems(ctx, f, eachItemPage, true)
		if err != nil {
			return err
		}
		for _, it := range page.Items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if len(page.Items) < eachItemPage {
			return nil
		}
		f.AfterID = page.Items[len(page.Items)-1].ID
	}
}

// findItems reads a page of at most n items; lean leaves out the columns that the exports do
// not write and that cost the most to scan (the items' times, the units' paths).
func (s *ItemService) findItems(ctx context.Context, f qingqian.ItemFilter, n int, lean bool) (_ *qingqian.ItemPage, err error) {
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	scope, err := s.db.scopePath(ctx, a, f.OrgID)
	if err != nil {
		return nil, err
	}
	srt, ok := itemSorts[f.Sort]
	if !ok {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "排序方式不正确", Fields: map[string]string{"sort": "排序方式不正确"}}
	}
	var q args
	lo, hi := subtreeRange(scope)
	// The subtree: $1 and $2. Counting and the units' own pages look the items up by unit; a
	// page read along the sort key checks each item's unit instead (ADR 0027).
	byUnit := ` WHERE i.org_id IN (SELECT id FROM orgs WHERE path >= ` + q.add(lo) + ` AND path < ` + q.add(hi) + `)`
	byKey := ` WHERE o.path >= $1 AND o.path < $2 AND o.id = i.org_id AND c.id = i.creditor_id`
	whole, err := s.db.wholeLedger(ctx, scope)
	if err != nil {
		return nil, err
	}
	if whole {
		// The whole ledger: no condition on the unit, which would read the items unit by unit.
		byUnit = ` WHERE CAST($1 AS TEXT) <> CAST($2 AS TEXT)`
	}
	where := ""
	if f.CreditorID != 0 {
		where += ` AND i.creditor_id = ` + q.add(f.CreditorID)
	}
	if f.Status != "" {
		where += ` AND i.status = ` + q.add(string(f.Status))
	}
	if f.Kind != "" {
		where += ` AND i.kind = ` + q.add(string(f.Kind))
	}
	if f.Origin != "" {
		where += ` AND i.origin = ` + q.add(string(f.Origin))
	}
	if f.FundingSource != nil {
		if *f.FundingSource == qingqian.FundingNone {
			// Written out, as the partial index of the unfunded items names it (migration 0031).
			where += ` AND i.funding_source = ''`
		} else {
			where += ` AND i.funding_source = ` + q.add(string(*f.FundingSource))
		}
	}
	// The outstanding parts: the item's current ones, or, as of an earlier date, the sums of its
	// entries dated by then.
	outU, outD, today := `i.out_u`, `i.out_d`, qingqian.DateOf(s.db.Now())
	// The dates filter without their sort indexes (SQLite's unary plus): most items of a ledger
	// match a date bound, and reading them through the index costs a lookup each.
	dueOn, arisenOn := `i.due_on`, `i.arisen_on`
	if s.db.d.name != "postgres" {
		dueOn, arisenOn = `+i.due_on`, `+i.arisen_on`
	}
	asOf := !f.AsOf.IsZero() && f.AsOf.Before(today)
	if asOf {
		if f.Status != "" {
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "按截至日期列出台账时不能再按状态筛选", Fields: map[string]string{"status": "不能与截至日期同用"}}
		}
		d := q.add(f.AsOf)
		where += ` AND ` + arisenOn + ` <= ` + d
		outU = `(SELECT COALESCE(SUM(e.du), 0) FROM entries e WHERE e.item_id = i.id AND e.on_date <= ` + d + `)`
		outD = `(SELECT COALESCE(SUM(e.dd), 0) FROM entries e WHERE e.item_id = i.id AND e.on_date <= ` + d + `)`
		today = f.AsOf
	}
	if f.Disputed != nil {
		if *f.Disputed {
			where += ` AND ` + outD + ` > 0`
		} else {
			where += ` AND ` + outD + ` = 0`
		}
	}
	if f.Overdue != nil {
		day := q.add(today)
		if *f.Overdue {
			where += ` AND ` + dueOn + ` < ` + day + ` AND ` + outU + ` + ` + outD + ` > 0`
		} else {
			where += ` AND NOT (` + dueOn + ` IS NOT NULL AND ` + dueOn + ` < ` + day + ` AND ` + outU + ` + ` + outD + ` > 0)`
		}
	}
	if f.MinAmount != nil {
		if *f.MinAmount == 1 {
			// Still owing (amounts are whole 分): the condition of the partial indexes of the
			// items owing, written as they write it (migration 0031).
			where += ` AND ` + outU + ` + ` + outD + ` > 0`
		} else {
			where += ` AND ` + outU + ` + ` + outD + ` >= ` + q.add(int64(*f.MinAmount))
		}
	}
	if f.MaxAmount != nil {
		where += ` AND ` + outU + ` + ` + outD + ` <= ` + q.add(int64(*f.MaxAmount))
	}
	if f.Query != "" {
		p := q.add(likePattern(f.Query))
		where += ` AND (i.search LIKE ` + p + ` ESCAPE '\' OR i.creditor_id IN (SELECT id FROM creditors WHERE search LIKE ` + p + ` ESCAPE '\'))`
	}
	page := &qingqian.ItemPage{Items: []*qingqian.Item{}}
	if !f.NoTotals {
		fromTotals := f.CreditorID == 0 && f.Status == "" && f.FundingSource == nil && f.Disputed == nil && f.Overdue == nil &&
			f.MinAmount == nil && f.MaxAmount == nil && f.Query == ""
		if set := owingSetOf(f, asOf); set != owingNone {
			err = s.db.countOwing(ctx, page, set, lo, hi, today)
		} else if fromTotals && len(ancestors(scope)) > 0 {
			err = s.db.itemTotals(ctx, page, scope, f, asOf)
		} else {
			err = s.db.countItems(ctx, page, byUnit+where, q, outU, outD, asOf, f.CountOnly)
		}
		if err != nil {
			return nil, err
		}
	}
	if f.CountOnly {
		return page, nil
	}
	cursorAt, back := "", false
	switch {
	case f.After != "" && f.Before != "":
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "翻页位置不正确，请回到第一页", Fields: map[string]string{"after": "不能与 before 同用"}}
	case f.After != "":
		cursorAt = f.After
	case f.Before != "":
		cursorAt, back = f.Before, true
	}
	keyed := !(asOf && srt.kind == 'n') // by the outstanding amount as of a past date: by offset only
	if cursorAt != "" {
		if !keyed || f.Offset > 0 {
			return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: "此排序方式不能按位置翻页", Fields: map[string]string{"after": "此排序方式不能按位置翻页"}}
		}
		c, err := srt.parse(cursorAt)
		if err != nil {
			return nil, err
		}
		where += ` AND ` + srt.seek(&q, c, back)
	}
	offset := max(f.Offset, 0)
	// A page past the middle of the set is read from its end: a deep page costs what a page as
	// far from the end costs.
	if cursorAt == "" && !f.NoTotals && offset > page.Total/2 && offset < page.Total {
		back = true
		end := page.Total - offset // the items from the page's first to the set's last
		n, offset = min(n, end), max(end-n, 0)
	}
	from := itemFrom
	if f.AfterID > 0 {
		where += ` AND i.id > ` + q.add(f.AfterID)
	}
	if f.AfterID > 0 || f.NoTotals || page.Total >= keyDriven {
		if cursorAt == "" && offset > 0 && keyed {
			// A coarse seek: the item just before the page, found along the index without
			// reading the units and creditors of the items skipped; the page follows it.
			c, ok, err := s.db.seekItem(ctx, srt, scope, where, q, offset-1, back)
			if err != nil {
				return nil, err
			}
			if !ok {
				return page, nil
			}
			where += ` AND ` + srt.seek(&q, c, back)
			offset = 0
		}
		where, from = byKey+where, itemFromByKey
	} else {
		where = byUnit + where
	}
	cols := itemColumns
	if lean {
		cols = itemColumnsLean
		page.Items = make([]*qingqian.Item, 0, n)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+cols+from+where+` ORDER BY `+srt.orderBy(s.db.d.name == "postgres", back)+
		` LIMIT `+q.add(n)+` OFFSET `+q.add(offset), q...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if lean {
		// One allocation for the page's items.
		items := make([]qingqian.Item, n)
		for k := 0; rows.Next(); k++ {
			if err := scanItemLean(rows, &items[k]); err != nil {
				return nil, err
			}
			page.Items = append(page.Items, &items[k])
		}
	}
	for !lean && rows.Next() {
		r, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, r.Item)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if back {
		slices.Reverse(page.Items)
	}
	if asOf {
		if err := s.db.balancesAsOf(ctx, page.Items, f.AsOf); err != nil {
			return nil, err
		}
	}
	if keyed && len(page.Items) > 0 {
		page.First, page.Last = srt.cursorOf(page.Items[0]), srt.cursorOf(page.Items[len(page.Items)-1])
	}
	return page, nil
}

// seekItem finds the position of the item at offset in the sort order (reversed when back) of
// the set that the conditions where (over i alone, after the subtree's $1 and $2) pick.
func (db *DB) seekItem(ctx context.Context, srt itemSort, scope, where string, q args, offset int, back bool) (c cursor, ok bool, err error) {
	defer wrapErr(&err, "seek item %d", offset)
	whole, err := db.wholeLedger(ctx, scope)
	if err != nil {
		return c, false, err
	}
	// The whole ledger needs no condition on the unit; a subtree checks it without the index on
	// units (the unary plus), which would read the subtree's items unordered.
	unit := ` AND +i.org_id IN (SELECT id FROM orgs WHERE path >= $1 AND path < $2)`
	if whole {
		unit = ` AND CAST($1 AS TEXT) <> CAST($2 AS TEXT)`
	}
	key := srt.key
	if key == "" {
		key = "0"
	}
	qs := append(args{}, q...)
	row := db.read.QueryRowContext(ctx, `SELECT `+key+`, i.id FROM items i WHERE 1 = 1`+unit+where+
		` ORDER BY `+srt.orderBy(db.d.name == "postgres", back)+` LIMIT 1 OFFSET `+qs.add(offset), qs...)
	var id int64
	switch srt.kind {
	case 'd':
		var d qingqian.Date
		err = row.Scan(&d, &id)
		c = cursor{null: d.IsZero(), key: d, id: id}
	default:
		var n int64
		err = row.Scan(&n, &id)
		c = cursor{key: n, id: id}
	}
	if missing(err) {
		return c, false, nil
	}
	return c, err == nil, err
}

// wholeLedger tells whether the subtree of scope holds every unit: it is the one root's.
func (db *DB) wholeLedger(ctx context.Context, scope string) (bool, error) {
	if len(ancestors(scope)) != 1 {
		return false, nil
	}
	var roots int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE parent_id IS NULL`).Scan(&roots)
	return roots == 1, err
}

// itemTotals gives a set filtered by unit, kind and origin alone its count and sums from the
// running totals: a few hundred rows, whatever the number of items. The items of the list are
// those arisen by the date (a past one) or all of them, with every entry counted.
func (db *DB) itemTotals(ctx context.Context, page *qingqian.ItemPage, scope string, f qingqian.ItemFilter, asOf bool) error {
	ids := ancestors(scope)
	if len(ids) == 0 {
		return fmt.Errorf("scope %q has no unit", scope)
	}
	org := ids[len(ids)-1]
	day := qingqian.NewDate(9999, 12, 31)
	if asOf {
		day = f.AsOf
	}
	gen, err := db.ledgerGeneration(ctx)
	if err != nil {
		return err
	}
	key := fmt.Sprint("list totals ", org, f.Kind, f.Origin, day)
	if c, ok := db.cache.get(key, gen); ok {
		*page = c.(qingqian.ItemPage)
		page.Items = []*qingqian.Item{}
		return nil
	}
	all, err := db.sumsUpTo(ctx, db.read, []int64{org}, day)
	if err != nil {
		return err
	}
	var sum qingqian.Figures
	for k, m := range all[org] {
		if (f.Kind == "" || k.kind == f.Kind) && (f.Origin == "" || k.origin == f.Origin) {
			addFigures(&sum, figuresOf(m))
		}
	}
	page.Total = int(sum.Items)
	page.TotalOutstanding = sum.Outstanding
	page.TotalRecognised = sum.RecognisedUndisputed + sum.RecognisedDisputed
	page.TotalRepaid = sum.Repaid
	page.Sums = true
	c := *page
	c.Items = nil
	db.cache.put(key, gen, c)
	return nil
}

// onCountItems, when set (by the query-plan test only), is given each count's query and
// arguments.
var onCountItems func(query string, args []any)

// countItems counts and sums a filtered set from the items themselves (no join: the unit and
// the creditor conditions are subqueries). The answer is kept until the ledger next changes.
func (db *DB) countItems(ctx context.Context, page *qingqian.ItemPage, where string, q args, outU, outD string, asOf, countOnly bool) error {
	sums := `, CAST(COALESCE(SUM(` + outU + ` + ` + outD + `), 0) AS BIGINT), CAST(COALESCE(SUM(i.rec_u + i.rec_d), 0) AS BIGINT), CAST(COALESCE(SUM(i.rep_u + i.rep_d), 0) AS BIGINT)`
	switch {
	case countOnly:
		// The count alone: an index that holds the counted items and the columns of the
		// conditions answers it without reading the items (ADR 38).
		sums = `, 0, 0, 0`
	case asOf:
		sums = `, CAST(COALESCE(SUM(` + outU + ` + ` + outD + `), 0) AS BIGINT), 0, 0`
	}
	query := `SELECT COUNT(*)` + sums + ` FROM items i` + where
	gen, err := db.ledgerGeneration(ctx)
	if err != nil {
		return err
	}
	if onCountItems != nil {
		onCountItems(query, q)
	}
	key := fmt.Sprint(query, q)
	if c, ok := db.cache.get(key, gen); ok {
		*page = c.(qingqian.ItemPage)
		page.Items = []*qingqian.Item{}
		return nil
	}
	if err := db.read.QueryRowContext(ctx, query, q...).Scan(&page.Total, &page.TotalOutstanding, &page.TotalRecognised, &page.TotalRepaid); err != nil {
		return err
	}
	page.Sums = !asOf && !countOnly
	c := *page
	c.Items = nil
	db.cache.put(key, gen, c)
	return nil
}

// ledgerGeneration changes whenever anything is written: every change writes an audit record,
// which advances its chain's head.
func (db *DB) ledgerGeneration(ctx context.Context) (int64, error) {
	var g int64
	err := db.read.QueryRowContext(ctx, generationSQL).Scan(&g)
	return g, err
}

// generationSQL reads the ledger's generation (see ledgerGeneration).
const generationSQL = `SELECT CAST(COALESCE(SUM(seq), 0) AS BIGINT) FROM audit_heads`

// genCache keeps answers read since the ledger last changed (ledgerGeneration), a few hundred
// at most: the counts and sums of filtered sets, and the running totals asked for as known now.
// A value is kept and given back as a copy of its own.
type genCache struct {
	mu  sync.Mutex
	gen int64
	m   map[string]any
}

func (c *genCache) get(key string, gen int64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	v, ok := c.m[key]
	return v, ok
}

func (c *genCache) put(key string, gen int64, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m == nil || len(c.m) >= 500 {
		c.gen, c.m = gen, map[string]any{}
	}
	c.m[key] = v
}
