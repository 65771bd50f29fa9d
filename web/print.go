package web

import (
	"strings"

	"github.com/qingqian/qingqian"
)

// PrintLine heads the ledger on paper: whose ledger, as of when, and which filter chose the rows,
// so that a printed page says what it is.
func (d *ledgerData) PrintLine(u *qingqian.User) string {
	unit := ""
	if u != nil {
		unit = u.OrgName
	}
	for _, o := range d.Orgs {
		if o.ID == d.F.OrgID {
			unit = o.Name
		}
	}
	asOf := d.F.AsOf
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	var f []string
	if d.F.Status != "" {
		f = append(f, "状态："+d.F.Status.Label())
	}
	if d.F.Kind != "" {
		f = append(f, "欠款类型："+d.F.Kind.Label())
	}
	if d.F.Origin != "" {
		f = append(f, "来源："+d.F.Origin.Label())
	}
	if d.F.FundingSource != nil {
		f = append(f, "资金来源："+d.F.FundingSource.Label())
	}
	if d.F.Disputed != nil {
		f = append(f, map[bool]string{true: "有分歧未解决", false: "无分歧"}[*d.F.Disputed])
	}
	if d.F.Overdue != nil {
		f = append(f, map[bool]string{true: "已逾期", false: "未逾期"}[*d.F.Overdue])
	}
	if d.F.MinAmount != nil {
		f = append(f, "未清偿不少于 "+yuanText(*d.F.MinAmount)+" 元")
	}
	if d.F.MaxAmount != nil {
		f = append(f, "未清偿不超过 "+yuanText(*d.F.MaxAmount)+" 元")
	}
	if d.F.Query != "" {
		f = append(f, "关键词：“"+d.F.Query+"”")
	}
	filter := "全部条目"
	if len(f) > 0 {
		filter = strings.Join(f, "，")
	}
	return "单位：" + unit + "（含下级单位）　数据截至：" + asOf.Chinese() + "　筛选：" + filter + "　打印：" + qingqian.Today().Chinese()
}
