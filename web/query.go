package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, qingqian.Errorf(qingqian.ENOTFOUND, "编号不正确：%s", r.PathValue("id"))
	}
	return id, nil
}

// query reads URL parameters and collects their errors by name.
type query struct {
	v   url.Values
	bad qingqian.Validation
}

func newQuery(r *http.Request) *query { return &query{v: r.URL.Query(), bad: qingqian.Validation{}} }

func (q *query) str(name string) string { return strings.TrimSpace(q.v.Get(name)) }

func (q *query) int(name string, def int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		q.bad.Add(name, "应为非负整数")
	}
	return n
}

func (q *query) id(name string) int64 {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.bad.Add(name, "应为正整数编号")
	}
	return n
}

func (q *query) date(name string) qingqian.Date {
	s := q.str(name)
	if s == "" {
		return qingqian.Date{}
	}
	d, err := qingqian.ParseDate(s)
	if err != nil {
		q.bad.Add(name, "日期格式应为 YYYY-MM-DD")
	}
	return d
}

func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		q.bad.Add(name, "时间格式应为 RFC 3339，如 2021-10-31T24:00:00+08:00 写作 2021-11-01T00:00:00+08:00")
	}
	return t
}

func (q *query) boolp(name string) *bool {
	switch q.str(name) {
	case "":
		return nil
	case "true", "1":
		t := true
		return &t
	case "false", "0":
		f := false
		return &f
	}
	q.bad.Add(name, "应为 true 或 false")
	return nil
}

// bool reads true/1 or false/0, false when absent.
func (q *query) bool(name string) bool {
	p := q.boolp(name)
	return p != nil && *p
}

func (q *query) money(name string) *qingqian.Money {
	s := q.str(name)
	if s == "" {
		return nil
	}
	m, err := qingqian.ParseYuan(s)
	if err != nil {
		q.bad.Add(name, "金额应为元，最多两位小数")
		return nil
	}
	return &m
}

func (q *query) err() error {
	if len(q.bad) == 0 {
		return nil
	}
	named := qingqian.Validation{}
	for k, msg := range q.bad {
		name, ok := paramNames[k]
		if !ok {
			name = "查询条件"
		}
		named[name] = msg
	}
	return &qingqian.Error{Code: qingqian.EINVALID, Message: "查询参数有误：" + describe(named), Fields: q.bad}
}

// paramNames name the URL parameters in the errors a person reads.
var paramNames = map[string]string{
	"org_id": "单位", "creditor_id": "债权企业", "entity_id": "对象编号", "min_amount": "最小金额", "max_amount": "最大金额",
	"as_of": "截至日期", "from": "起始时间", "to": "截止时间", "on": "日期", "since": "起始日期", "until": "截止日期",
	"page": "页码", "offset": "起始位置", "limit": "每页条数", "disputed": "有分歧", "overdue": "逾期", "year": "年度",
	"period_id": "报送期次", "item_id": "欠款条目", "state": "状态", "status": "状态", "kind": "类型", "sort": "排序",
	"subtree": "含下级单位", "open": "在办", "bucket": "账龄区间", "id": "编号", "no": "期次", "active": "启用",
	"due_before": "到期日早于", "known_at": "数据时点", "pending": "待办", "under": "上级单位", "unlawful": "含违法条款",
}

const pageSize = 50

type pager struct {
	PageNo, Pages int
	Prev, Next    string
}

func newPager(r *http.Request, page, size, total int) *pager {
	p := &pager{PageNo: page, Pages: max(1, (total+size-1)/size)}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}
