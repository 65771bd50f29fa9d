package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// The pages of campaigns, circulars and causes: a form refused names its field and keeps what
// was typed; the office launches, the group answers and its reviewer reviews; a circular is
// signed for and replied; a verified clue gets its cause and the analysis counts it.
func TestCampaignCircularCausePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		office, liaison, reviewer := session(t, e, "supervisor"), session(t, e, "liaison"), session(t, e, "reviewer")
		u := e.srv.URL
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		want := func(c *http.Client, method, path string, form url.Values, status int, has ...string) (string, http.Header) {
			t.Helper()
			st, body, h := page(t, c, method, u+path, form)
			if st != status {
				t.Fatalf("%s %s: %d, want %d\n%.2000s", method, path, st, status, body)
			}
			for _, s := range has {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s: the page lacks %q", method, path, s)
				}
			}
			return body, h
		}

		// Campaigns: a bad launch names its fields and keeps what was typed.
		want(office, "GET", "/campaigns", nil, 200, "清欠自查", "部署专项工作")
		want(office, "POST", "/campaigns", url.Values{"title": {"2021年自查自纠"}, "starts_on": {"2021-09-01"}, "target_on": {"2021-08-01"}}, 400,
			"请选择类型", "完成时限不能早于开始日期", `value="2021年自查自纠"`)
		_, h := want(office, "POST", "/campaigns", url.Values{"kind": {"selfcorrect"}, "title": {"2021年自查自纠"}, "scope": {"groups"}, "rhythm": {"none"},
			"starts_on": {qingqian.Today().String()}, "target_on": {qingqian.Today().AddDays(14).String()}, "checklist": {"台账内账款清偿情况\n\n投诉举报落实情况\n长效机制建立情况"},
			"org_ids": {id(e.a.ID)}}, 303)
		loc := h.Get("Location")
		campID := strings.TrimPrefix(strings.Split(loc, "?")[0], "/campaigns/")
		want(liaison, "GET", "/campaigns/"+campID, nil, 200, "台账内账款清偿情况", "长效机制建立情况", "answer-form", "未报送")
		// The liaison leaves the third item empty: it is named, the others kept.
		want(liaison, "POST", "/campaigns/"+campID+"/answer", url.Values{"version": {"0"}, "findings.0.finding": {"逐笔核对，均已支付"}, "findings.1.finding": {"2件均已办结"}}, 400,
			"检查事项3：请填写检查情况", "逐笔核对，均已支付")
		// With a bank slip as the evidence of the first item, sent with the form.
		mb, ctype := multipartBody(map[string]string{"version": "0", "findings.0.finding": "逐笔核对，均已支付", "findings.1.finding": "2件均已办结",
			"findings.2.finding": "已将及时支付纳入考核", "findings.2.action": "修订应付账款管理办法"},
			map[string][2]string{"findings.0.files": {"回单.pdf", "%PDF-1.4 回单\n"}})
		if st, body := send(t, "POST", u+"/campaigns/"+campID+"/answer", ctype, mb, sessionOf(t, db, "liaison"), ""); st != http.StatusSeeOther {
			t.Fatalf("answer with evidence: %d\n%.2000s", st, body)
		}
		body, _ := want(office, "GET", "/campaigns/"+campID, nil, 200, "已填报待审核", "自查报告")
		ansID := body[strings.Index(body, "/campaign-answers/")+len("/campaign-answers/"):]
		ansID = ansID[:strings.IndexAny(ansID, `"?`)]
		want(reviewer, "GET", "/campaign-answers/"+ansID, nil, 200, "修订应付账款管理办法", "审核通过", `href="/vouchers/`)
		want(reviewer, "POST", "/campaign-answers/"+ansID+"/sign", url.Values{"action": {"return"}, "version": {"1"}}, 400, "请填写退回原因")
		want(reviewer, "POST", "/campaign-answers/"+ansID+"/sign", url.Values{"action": {"review"}, "version": {"1"}}, 303)
		want(reviewer, "GET", "/campaign-answers/"+ansID, nil, 200, "已审核待签批", "签批")
		want(office, "POST", "/campaigns/"+campID+"/close", url.Values{"version": {"1"}}, 400, "请填写工作总结")
		want(office, "POST", "/campaigns/"+campID+"/close", url.Values{"version": {"1"}, "summary": {"甲集团按期完成自查自纠。"}}, 303)
		want(office, "GET", "/campaigns/"+campID+"/annex", nil, 200, "附件：2021年自查自纠", "甲集团按期完成自查自纠。", "逐笔核对，均已支付")
		// A weekly campaign: this week's row says who has not reported; the office reminds them,
		// the reminder stands on the group's dashboard; once reminded, not again within the hour.
		want(office, "POST", "/campaigns", url.Values{"kind": {"rectify"}, "title": {"逐周整改"}, "scope": {"level"}, "level": {"9"}, "rhythm": {"weekly"},
			"starts_on": {qingqian.Today().String()}, "target_on": {qingqian.Today().AddDays(30).String()}}, 400, "级次应为2到5")
		_, h = want(office, "POST", "/campaigns", url.Values{"kind": {"rectify"}, "title": {"逐周整改"}, "scope": {"groups"}, "rhythm": {"weekly"},
			"starts_on": {qingqian.Today().String()}, "target_on": {qingqian.Today().AddDays(30).String()}, "org_ids": {id(e.a.ID)}}, 303)
		weekly := strings.Split(h.Get("Location"), "?")[0]
		want(office, "GET", weekly, nil, 200, "本期：第1周（"+qingqian.Today().String()+"至", "1 家本期未报送", `id="campaign-remind"`)
		want(office, "POST", weekly+"/remind", url.Values{"note": {"请于周五前报送"}}, 303)
		want(liaison, "GET", "/", nil, 200, "专项工作催报", "逐周整改", "请于周五前报送")
		want(office, "POST", weekly+"/remind", url.Values{}, 409, "一小时内已催报过")
		// The weekly progress report of today carries the rectification's figures.
		wp := &qingqian.Period{Kind: qingqian.PeriodWeekly, AsOf: qingqian.Today(), Deadline: qingqian.Today().AddDays(3)}
		if err := e.svc.Reports.OpenPeriod(qingqian.NewContext(context.Background(), w.users["supervisor"].Actor()), wp); err != nil {
			t.Fatal(err)
		}
		want(office, "GET", "/periods/"+id(wp.ID)+"/report", nil, 200, "附：整改专项进展", "逐周整改")

		// Circulars: a reply required without a date is named; the liaison signs for it and replies.
		want(office, "POST", "/circulars", url.Values{"title": {"转发批示"}, "body": {"举一反三"}, "reply_required": {"true"}, "reply_by": {""}, "target": {"chosen"},
			"org_ids": {id(e.a.ID)}}, 400, "请填写回复期限", `value="转发批示"`)
		_, h = want(office, "POST", "/circulars", url.Values{"no": {"示国资清欠〔2021〕9号"}, "title": {"转发批示"}, "body": {"举一反三"}, "reply_required": {"true"},
			"reply_by": {qingqian.Today().AddDays(5).String()}, "target": {"chosen"}, "org_ids": {id(e.a.ID)}}, 303)
		circ := strings.Split(h.Get("Location"), "?")[0]
		want(liaison, "GET", circ, nil, 200, "示国资清欠〔2021〕9号", "未签收", "sign-for")
		want(liaison, "POST", circ+"/receipt", url.Values{}, 303)
		want(liaison, "POST", circ+"/reply", url.Values{"reply": {" "}}, 400, "请填写回复内容")
		want(liaison, "POST", circ+"/reply", url.Values{"reply": {"已组织梳理"}}, 303)
		want(office, "GET", circ, nil, 200, "已组织梳理", "liaison")
		want(office, "GET", "/circulars", nil, 200, "转发批示", "关于开展清欠自查的通知")

		// Causes: the world's clue is assigned, not verified: no form yet. Verified, it takes one.
		sys := qingqian.NewContext(context.Background(), w.users["liaison"].Actor())
		c, err := e.svc.Clues.FindClue(sys, w.clueA)
		if err != nil {
			t.Fatal(err)
		}
		want(liaison, "GET", "/clues/"+id(w.clueA), nil, 200, "尚未记录拖欠原因")
		if _, err := e.svc.Clues.Verify(sys, w.clueA, qingqian.Verification{Conclusion: qingqian.ConclusionTrue, Finding: "属实", Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		want(liaison, "POST", "/clues/"+id(w.clueA)+"/cause", url.Values{"cause": {"other"}}, 400, "原因为“其他”时请说明")
		want(liaison, "POST", "/clues/"+id(w.clueA)+"/cause", url.Values{"cause": {"upstream"}, "note": {"业主资金未拨付"}}, 303)
		want(liaison, "GET", "/clues/"+id(w.clueA), nil, 200, "上游未付款（背靠背）", "业主资金未拨付")
		want(liaison, "POST", "/items/"+id(w.itemA)+"/cause", url.Values{"cause": {"unsettled"}}, 303)
		want(office, "GET", "/causes", nil, 200, "甲集团", "上游未付款（背靠背）", "项目未结算", "上升", c.No, "据此下发举一反三通知（1家")
		want(office, "GET", "/causes?period=quarter", nil, 200, "按时间（每季度）", "近一季度与前一季度")
		want(office, "GET", "/causes?period=week", nil, 400, "应为 month、quarter、half 或 year")
		// The 举一反三 notice: drafted from the analysis for the groups whose complaints rose,
		// read and sent by the office; the group signs for it.
		want(office, "GET", "/circulars?draft=rising", nil, 200, "关于举一反三做好拖欠中小企业账款问题排查整改的通知", "1. 甲集团：前半年0件，近半年1件，主要原因为“项目未结算”", `value="rising" checked`)
		_, h = want(office, "POST", "/circulars", url.Values{"title": {"关于举一反三的通知"}, "body": {"请举一反三"}, "target": {"rising"}}, 303)
		want(liaison, "GET", strings.Split(h.Get("Location"), "?")[0], nil, 200, "关于举一反三的通知", "投诉举报上升的单位")

		// The exports: the campaign's table, the receipts, the causes.
		want(office, "GET", "/campaigns/"+campID+"/export?format=csv", nil, 200, "甲集团", "已审核待签批", "1. 台账内账款清偿情况：逐笔核对，均已支付")
		want(office, "GET", circ+"/export?format=csv", nil, 200, "甲集团", "已组织梳理")
		if body, _ := want(office, "GET", "/campaigns/"+campID+"/export", nil, 200); !strings.HasPrefix(body, "PK") {
			t.Errorf("the campaign's xlsx is not a workbook: %.20q", body)
		}
		want(office, "GET", "/causes/export?format=csv", nil, 200, "投诉线索", "上游未付款（背靠背）", "业主资金未拨付", "项目未结算")
	})
}
