package xlsx

import (
	"fmt"
	"io"
	"strings"

	"github.com/qingqian/qingqian"
)

// CampaignColumns are the columns of a campaign's table: each unit asked, where its answer
// stands, what it found and its findings item by item.
var CampaignColumns = []Column{
	{Header: "单位", Width: 28}, {Header: "状态", Width: 14}, {Header: "是否逾期", Width: 10}, {Header: "签批时间", Width: 18},
	{Header: "自查发现欠款（元）", Width: 16}, {Header: "冲正清偿（元）", Width: 16}, {Header: "检查情况及整改措施", Width: 80},
}

// WriteCampaign writes a campaign's table, one row per unit.
func WriteCampaign(w io.Writer, c *qingqian.Campaign, answers []*qingqian.CampaignAnswer, format string, meta Meta) error {
	meta.Title = c.Kind.Label() + "：" + c.Title
	meta.Sheet = c.Kind.Label()
	wr, err := newWriter(w, format, CampaignColumns, meta)
	if err != nil {
		return err
	}
	byOrg := map[int64]*qingqian.CampaignAnswer{}
	for _, x := range answers {
		byOrg[x.OrgID] = x
	}
	for _, u := range c.Units {
		late, approved := "否", ""
		if u.Late {
			late = "是"
		}
		if !u.ApprovedAt.IsZero() {
			approved = u.ApprovedAt.In(cst).Format("2006-01-02 15:04")
		}
		var text []string
		if x := byOrg[u.OrgID]; x != nil {
			for _, f := range x.Findings {
				item := ""
				if f.Seq >= 1 && f.Seq <= len(c.Checklist) {
					item = c.Checklist[f.Seq-1]
				}
				line := fmt.Sprintf("%d. %s：%s", f.Seq, item, f.Finding)
				if f.Action != "" {
					line += "（整改：" + f.Action + "）"
				}
				text = append(text, line)
			}
		}
		if err := wr.row([]any{u.OrgName, u.State.Label(), late, approved, u.Found, u.Reversed, strings.Join(text, "\n")}); err != nil {
			return err
		}
	}
	return wr.close()
}
