package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A clue entered after the fact through the API: its dates are accepted, checked and marked, its
// deadlines count from them, forwarding late stays marked, and every step of the pages
// (extension, item from the clue, written feedback, callback) is there too.
func TestAPIClueFromTheDatesThatHappened(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		r := e.do("POST", "/api/v1/clues", e.tokRoot, map[string]any{"channel": "state_council", "transfer_no": "国减负办转〔2026〕9号",
			"received_on": "2026-06-01", "creditor_name": "某某机电有限公司", "creditor_uscc": validUSCC("23456789"), "respondent": "甲集团",
			"claimed": "120000.00", "text": "设备款12万元逾期未付。"}).want(t, http.StatusCreated)
		// Dragon Boat Festival is 19 June: the 10th working day after 1 June is the 15th.
		if r.str("forward_by") != "2026-06-15" || r.json["backdated"] != true || r.str("recorded_at") == "" {
			t.Fatalf("registered after the fact: %s", r.body)
		}
		id := itoa(r.num("id"))
		assign := map[string]any{"org_id": e.a.ID, "responsible_leader": "甲集团副总", "responsible_person": "财务部王某", "version": 1}
		with := func(m map[string]any, kv ...any) map[string]any {
			out := map[string]any{}
			for k, v := range m {
				out[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out[kv[i].(string)] = kv[i+1]
			}
			return out
		}
		if msg := e.do("POST", "/api/v1/clues/"+id+"/assign", e.tokRoot, with(assign, "assigned_on", "2999-01-01")).want(t, 400).field(t, "assigned_on"); !strings.Contains(msg, "不能晚于今天") {
			t.Errorf("assigned in the future: %s", msg)
		}
		e.do("POST", "/api/v1/clues/"+id+"/assign", e.tokRoot, with(assign, "assigned_on", "2026-05-31")).want(t, 400).field(t, "assigned_on")
		e.do("POST", "/api/v1/clues/"+id+"/assign", e.tokRoot, with(assign, "assigned_on", "2026-06-22", "materials_received_on", "2026-06-21")).want(t, 400).field(t, "materials_received_on")
		// Forwarded on 22 June, a week late; the group had the materials on the 24th.
		r = e.do("POST", "/api/v1/clues/"+id+"/assign", e.tokRoot, with(assign, "assigned_on", "2026-06-22", "materials_received_on", "2026-06-24")).want(t, 200)
		if r.str("assigned_on") != "2026-06-22" || r.str("materials_received_on") != "2026-06-24" || r.str("result_by") != "2026-07-24" ||
			r.json["forwarded_late"] != true || r.json["assign_backdated"] != true || r.json["result_by_provisional"] != false {
			t.Fatalf("assigned after the fact: %s", r.body)
		}
		r = e.do("GET", "/api/v1/clues?forward_late=true", e.tokRoot, nil).want(t, 200)
		if r.num("total") != 1 {
			t.Fatalf("forwarded late: %s", r.body)
		}
		r = e.do("POST", "/api/v1/clues/"+id+"/verify", e.tokA, map[string]any{"conclusion": "true", "finding": "属实，设备款未入账。", "version": 2}).want(t, 200)
		if r.json["forwarded_late"] != true {
			t.Fatalf("verified, no longer marked: %s", r.body)
		}

		// The debt was missing from the ledger: the group records it from the clue.
		item := map[string]any{"org_id": e.a.ID, "contract_no": "SB-2025-3", "contract_name": "设备采购合同", "kind": "goods",
			"arisen_on": "2025-10-10", "due_on": "2025-12-10", "undisputed": "120000.00", "funding_source": "own", "version": 3}
		e.do("POST", "/api/v1/clues/"+id+"/missing-items", e.tokB, item).want(t, 404)
		e.do("POST", "/api/v1/clues/"+id+"/missing-items", e.tokA, with(item, "creditor_id", 1)).want(t, 400).field(t, "creditor_id")
		r = e.do("POST", "/api/v1/clues/"+id+"/missing-items", e.tokA, item).want(t, 201)
		c, _ := r.json["clue"].(map[string]any)
		it, _ := r.json["item"].(map[string]any)
		if c["missing_debt"] != true || it["origin"] != "complaint" || it["undisputed"] != "120000.00" || len(c["items"].([]any)) != 1 {
			t.Fatalf("missing debt: %s", r.body)
		}

		// Extension: after the current deadline, within 90 days of 24 June (22 September).
		ext := func(to string) *resp {
			return e.do("POST", "/api/v1/clues/"+id+"/extension", e.tokRoot, map[string]any{"extended_to": to, "extend_reason": "需核对多年往来账", "version": 4})
		}
		e.do("POST", "/api/v1/clues/"+id+"/extension", e.tokA, map[string]any{"extended_to": "2026-08-01", "extend_reason": "x", "version": 4}).want(t, 403)
		ext("2019-01-01").want(t, 400).field(t, "extended_to")
		ext("2026-09-23").want(t, 400).field(t, "extended_to")
		if r = ext("2026-09-22").want(t, 200); r.str("extended_to") != "2026-09-22" {
			t.Fatalf("extended: %s", r.body)
		}

		// The written answer, then the follow-up call.
		cb := map[string]any{"callback_on": "2026-07-25", "satisfaction": "satisfied", "version": 5}
		e.do("POST", "/api/v1/clues/"+id+"/callback", e.tokRoot, cb).want(t, 409)
		e.do("POST", "/api/v1/clues/"+id+"/feedback", e.tokRoot, map[string]any{"feedback_on": "2999-01-01", "feedback": "x", "version": 5}).want(t, 400).field(t, "feedback_on")
		e.do("POST", "/api/v1/clues/"+id+"/feedback", e.tokRoot, map[string]any{"feedback_on": "2026-06-10", "feedback": "x", "version": 5}).want(t, 400).field(t, "feedback_on") // before it was assigned
		e.do("POST", "/api/v1/clues/"+id+"/updates", e.tokA, map[string]any{"on": "2026-06-10", "text": "已对账"}).want(t, 400).field(t, "on")
		r = e.do("POST", "/api/v1/clues/"+id+"/feedback", e.tokRoot, map[string]any{"feedback_on": "2026-07-20", "feedback": "已书面告知投诉人核实情况。", "version": 5}).want(t, 200)
		if r.str("feedback_on") != "2026-07-20" || r.str("callback_on") != "" {
			t.Fatalf("feedback: %s", r.body)
		}
		e.do("POST", "/api/v1/clues/"+id+"/callback", e.tokRoot, with(cb, "callback_on", "2026-07-19", "version", 6)).want(t, 400).field(t, "callback_on")
		r = e.do("POST", "/api/v1/clues/"+id+"/callback", e.tokRoot, with(cb, "version", 6)).want(t, 200)
		if r.str("callback_on") != "2026-07-25" || r.str("satisfaction") != "satisfied" || r.str("feedback") != "已书面告知投诉人核实情况。" {
			t.Fatalf("callback: %s", r.body)
		}
	})
}

// Notices and interviews through the API: issued, answered and closed; recorded with their
// commitments and followed up. Another group sees none of it.
func TestAPINoticesAndInterviews(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		today := qingqian.Today()
		e.do("POST", "/api/v1/notices", e.tokA, map[string]any{"org_id": e.a.ID, "reason": "x", "actions": "y", "deadline": today.AddDays(10).String()}).want(t, 403)
		e.do("POST", "/api/v1/notices", e.tokRoot, map[string]any{"org_id": e.a.ID, "reason": "进度滞后", "deadline": "2019-01-01"}).want(t, 400).field(t, "actions")
		r := e.do("POST", "/api/v1/notices", e.tokRoot, map[string]any{"org_id": e.a.ID, "reason": "清偿进度滞后于计划", "actions": "十日内报送整改方案",
			"deadline": today.AddDays(10).String()}).want(t, 201)
		if !strings.HasPrefix(r.str("no"), "清欠督〔") || r.str("state") != "open" {
			t.Fatalf("issued: %s", r.body)
		}
		id := itoa(r.num("id"))
		e.do("GET", "/api/v1/notices/"+id, e.tokB, nil).want(t, 404)
		e.do("POST", "/api/v1/notices/"+id+"/reply", e.tokB, map[string]any{"reply": "x", "version": 1}).want(t, 404)
		e.do("POST", "/api/v1/notices/"+id+"/close", e.tokRoot, map[string]any{"version": 1}).want(t, 409) // not answered yet
		e.do("POST", "/api/v1/notices/"+id+"/reply", e.tokA, map[string]any{"reply": "已制定方案", "version": 1, "note": "x"}).want(t, 400).field(t, "note")
		r = e.do("POST", "/api/v1/notices/"+id+"/reply", e.tokA, map[string]any{"reply": "已制定整改方案，月底前清偿。", "version": 1}).want(t, 200)
		if r.str("state") != "replied" || r.str("reply") != "已制定整改方案，月底前清偿。" {
			t.Fatalf("replied: %s", r.body)
		}
		if r = e.do("POST", "/api/v1/notices/"+id+"/close", e.tokRoot, map[string]any{"version": 2}).want(t, 200); r.str("state") != "closed" {
			t.Fatalf("closed: %s", r.body)
		}
		if r = e.do("GET", "/api/v1/notices/"+id, e.tokA, nil).want(t, 200); r.str("closed_by") == "" {
			t.Fatalf("read by the group: %s", r.body)
		}

		iv := map[string]any{"org_id": e.a.ID, "held_on": today.String(), "level": "principal", "participants": "清欠办、甲集团主要负责同志",
			"minutes": "约谈督促清偿。", "commitments": []any{map[string]any{"text": "月底前清偿到期账款", "due_on": today.AddDays(20).String()}}}
		bad := map[string]any{}
		for k, v := range iv {
			bad[k] = v
		}
		bad["commitments"] = []any{map[string]any{"text": "月底前清偿", "due_on": today.String(), "owner": "财务部"}}
		if msg := e.do("POST", "/api/v1/interviews", e.tokRoot, bad).want(t, 400).field(t, "commitments"); !strings.Contains(msg, "owner") {
			t.Errorf("an unknown field in a commitment: %s", msg)
		}
		e.do("POST", "/api/v1/interviews", e.tokA, iv).want(t, 403)
		r = e.do("POST", "/api/v1/interviews", e.tokRoot, iv).want(t, 201)
		cs, _ := r.json["commitments"].([]any)
		if r.str("level") != "principal" || len(cs) != 1 {
			t.Fatalf("recorded: %s", r.body)
		}
		ivID, cID := itoa(r.num("id")), itoa(int64(cs[0].(map[string]any)["id"].(float64)))
		e.do("GET", "/api/v1/interviews/"+ivID, e.tokB, nil).want(t, 404)
		if r = e.do("GET", "/api/v1/interviews", e.tokB, nil).want(t, 200); len(r.json["items"].([]any)) != 0 {
			t.Fatalf("group B sees: %s", r.body)
		}
		if r = e.do("GET", "/api/v1/interviews", e.tokA, nil).want(t, 200); len(r.json["items"].([]any)) != 1 {
			t.Fatalf("group A sees: %s", r.body)
		}
		e.do("POST", "/api/v1/commitments/"+cID+"/follow-up", e.tokA, map[string]any{"follow_up": "x"}).want(t, 403)
		e.do("POST", "/api/v1/commitments/"+cID+"/follow-up", e.tokRoot, map[string]any{"follow_up": "已清偿", "done_on": today.AddDays(1).String()}).want(t, 400).field(t, "done_on")
		r = e.do("POST", "/api/v1/commitments/"+cID+"/follow-up", e.tokRoot, map[string]any{"follow_up": "已清偿到期账款。", "done_on": today.String()}).want(t, 200)
		if c := r.json["commitments"].([]any)[0].(map[string]any); c["done_on"] != today.String() || c["follow_up"] != "已清偿到期账款。" {
			t.Fatalf("followed up: %s", r.body)
		}
	})
}

// The pages: the assignment form takes the dates, the clue and the list show 补录, 逾期转办 and
// 暂定, the export has them, and the office's dashboard (the administrator's list of users)
// reminds it of the next year's calendar.
func TestClueDatesOnThePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		w := newWorld(t, db, e)
		sessions := map[string]string{}
		for _, name := range []string{"admin", "supervisor", "clerk_a"} {
			_, secret, err := sqldb.NewUserService(db).Login(context.Background(), name, testPassword, "")
			if err != nil {
				t.Fatal(err)
			}
			sessions[name] = secret
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(method, who, path string, form url.Values) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: sessions[who]})
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return res.StatusCode, html.UnescapeString(string(b))
		}
		newClue := func(received string) string {
			r := e.do("POST", "/api/v1/clues", e.tokRoot, map[string]any{"channel": "platform", "received_on": received, "creditor_name": "某某机电有限公司",
				"creditor_uscc": validUSCC("23456789"), "respondent": "甲集团", "claimed": "1000.00", "text": "货款未付。"}).want(t, http.StatusCreated)
			return itoa(r.num("id"))
		}
		late := newClue("2026-06-01")
		form := url.Values{"version": {"1"}, "org_id": {strconv.FormatInt(e.a.ID, 10)}, "responsible_leader": {"甲集团副总"}, "responsible_person": {"财务部王某"},
			"assigned_on": {"2026-05-30"}}
		if st, body := send("POST", "supervisor", "/clues/"+late+"/assign", form); st != 400 || !strings.Contains(body, "交办日期不能早于收到线索的日期 2026-06-01") {
			t.Fatalf("assigned before it was received: %d\n%.2000s", st, body)
		}
		form.Set("assigned_on", "2026-06-22")
		form.Set("materials_received_on", "2026-06-24")
		if st, body := send("POST", "supervisor", "/clues/"+late+"/assign", form); st != 303 {
			t.Fatalf("assigned: %d\n%.2000s", st, body)
		}
		r := e.do("GET", "/api/v1/clues/"+late, e.tokRoot, nil).want(t, 200)
		if r.str("assigned_on") != "2026-06-22" || r.str("materials_received_on") != "2026-06-24" || r.str("result_by") != "2026-07-24" {
			t.Fatalf("assigned through the form: %s", r.body)
		}
		// One assigned today: its 30 days reach into a year not entered (2027 or later).
		fresh := newClue(qingqian.Today().String())
		if _, err := e.svc.Clues.Assign(qingqian.NewContext(context.Background(), w.users["supervisor"].Actor()), atoi(t, fresh),
			qingqian.Assignment{OrgID: e.a.ID, ResponsibleLeader: "甲集团副总", ResponsiblePerson: "财务部王某", Version: 1}); err != nil {
			t.Fatal(err)
		}
		_, page := send("GET", "supervisor", "/clues/"+late, nil)
		for _, want := range []string{"逾期转办", "超过转办期限 7 日", "补录", "承办单位收到材料", "2026-06-24", "2026-07-24（收到材料后30日）"} {
			if !strings.Contains(page, want) {
				t.Errorf("the clue's page lacks %q", want)
			}
		}
		_, page = send("GET", "supervisor", "/clues/"+fresh, nil)
		if !strings.Contains(page, "暂定") || !strings.Contains(page, "年的节假日安排尚未录入，期限暂按周末计算") {
			t.Errorf("a provisional deadline on the page:\n%.3000s", page)
		}
		_, list := send("GET", "supervisor", "/clues?forward_late=true", nil)
		if !strings.Contains(list, "逾期转办") || !strings.Contains(list, `id="clue-count">1<`) {
			t.Errorf("the list of clues forwarded late:\n%.3000s", list)
		}
		_, csv := send("GET", "supervisor", "/clues/export?format=csv&forward_late=true", nil)
		if !strings.Contains(csv, "是（超过期限7日）") || !strings.Contains(csv, "2026-06-24") || !strings.Contains(csv, "收到日期（") {
			t.Errorf("the export:\n%s", csv)
		}
		_, csv = send("GET", "supervisor", "/clues/export?format=csv", nil)
		if !strings.Contains(csv, "办结期限暂定") {
			t.Errorf("the export lacks the provisional deadline:\n%s", csv)
		}

		// From 1 November the office is reminded to enter the next year (the tests run after
		// 1 November 2026, and the database knows no year after 2026); a group is not.
		// The system administrator is reminded on its landing page, the list of users.
		landing := map[string]string{"admin": "/users", "supervisor": "/", "clerk_a": "/"}
		for who, want := range map[string]bool{"admin": true, "supervisor": true, "clerk_a": false} {
			_, dash := send("GET", who, landing[who], nil)
			if strings.Contains(dash, `id="calendar-reminder"`) != want || (want && !strings.Contains(dash, "年的节假日安排尚未录入")) {
				t.Errorf("the dashboard of %s: reminder %v", who, !want)
			}
		}
		admin := qingqian.NewContext(context.Background(), w.users["admin"].Actor())
		y := qingqian.Today().Year()
		for _, year := range []int{y, y + 1} {
			if year <= 2026 {
				continue
			}
			days := []qingqian.CalendarDay{{Day: qingqian.NewDate(year, 1, 1), Kind: qingqian.DayOff, Name: "元旦"}}
			if err := e.svc.Calendar.SetCalendarYear(admin, year, "国务院办公厅通知", days); err != nil {
				t.Fatal(err)
			}
		}
		if _, dash := send("GET", "admin", "/users", nil); !strings.Contains(dash, "<h1>用户</h1>") || strings.Contains(dash, `id="calendar-reminder"`) {
			t.Errorf("reminded once the years are entered")
		}
		if r := e.do("GET", "/api/v1/clues/"+fresh, e.tokRoot, nil).want(t, 200); r.json["result_by_provisional"] != false || r.str("deadline_note") != "" {
			t.Errorf("still provisional once the year is entered: %s", r.body)
		}
	})
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
