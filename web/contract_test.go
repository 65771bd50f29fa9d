package web_test

import (
	"bytes"
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
	"github.com/xuri/excelize/v2"
)

func TestContractsThroughTheAPIAndPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		newWorld(t, db, e)
		// An institution-like buyer (事业单位) delivering on 5 September 2025: 30 days end on
		// Sunday 5 October, inside the National Day rest, so the due date is 9 October.
		r := e.do("POST", "/api/v1/contracts", e.tokA, map[string]any{"org_id": e.a.ID, "creditor_uscc": "91110108MA01C9BP27",
			"no": "HT-2025-077", "name": "检测服务", "kind": "services", "buyer_kind": "institution", "signed_on": "2025-07-01", "amount": "200000.00",
			"supplier_size": "micro", "size_declared_on": "2025-06-30", "size_evidence": "中小企业声明函", "settlement": "once",
			"agreed_rate": "2.50", "audit_basis": true}).want(t, http.StatusCreated)
		id := strconv.FormatInt(r.num("id"), 10)
		// Below the 3.00 % LPR of the signing date, and an audit result as the basis under the 2025 rules.
		if !strings.Contains(string(r.body), "rate_below_lpr") || !strings.Contains(string(r.body), "audit_basis") {
			t.Fatalf("flags: %s", r.body)
		}
		e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "delivery", "on": "2025-09-05"}).want(t, http.StatusCreated)
		e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "payment", "on": "2025-10-19", "amount": "200000.00",
			"method": "transfer", "voucher_no": "PZ-9", "key": "erp-1"}).want(t, http.StatusCreated)
		e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "payment", "on": "2025-10-19", "amount": "200000.00",
			"method": "transfer", "key": "erp-1"}).want(t, http.StatusCreated)
		r = e.do("GET", "/api/v1/contracts/"+id+"?as_of=2025-12-31", e.tokA, nil).want(t, 200)
		ps, _ := r.json["payables"].([]any)
		if len(ps) != 1 || len(r.json["events"].([]any)) != 2 {
			t.Fatalf("payables and events: %s", r.body)
		}
		p := ps[0].(map[string]any)
		// 10 days late (10–19 October) at the LPR floor of 3.00 %: 200,000 × 3 % × 10 / 365 = 164.38 元.
		if p["due_on"] != "2025-10-09" || p["overdue_days"] != float64(10) || p["interest"] != "164.38" || p["status"] != "paid_late" {
			t.Fatalf("payable: %v", p)
		}
		if !strings.Contains(string(r.body), "国庆节、中秋节放假") {
			t.Fatalf("the explanation does not name the holiday: %s", r.body)
		}
		e.do("GET", "/api/v1/contracts/"+id, e.tokB, nil).want(t, http.StatusNotFound)
		r = e.do("POST", "/api/v1/contracts/"+id+"/events", e.tokA, map[string]any{"kind": "payment", "on": "2025-10-20"})
		r.want(t, http.StatusBadRequest).field(t, "amount")

		// The pages.
		_, secret, err := sqldb.NewUserService(db).Login(context.Background(), "clerk_a", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(method, path string, form url.Values) (int, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			return res.StatusCode, html.UnescapeString(string(b))
		}
		// Exports: the register with its flags, the contract's payables with how the due date
		// was found; another group's register does not hold the contract.
		if st, csv := send("GET", "/contracts/export?format=csv", nil); st != 200 || !strings.Contains(csv, "HT-2025-077") || !strings.Contains(csv, "【违法】") {
			t.Errorf("the register's export (%d):\n%s", st, csv)
		}
		if st, csv := send("GET", "/contracts/"+id+"/export?format=csv&as_of=2025-12-31", nil); st != 200 || !strings.Contains(csv, "顺延至其后第一个工作日2025-10-09") || !strings.Contains(csv, "164.38") {
			t.Errorf("the contract's payables export (%d):\n%s", st, csv)
		}
		download := func(secret, path string) []byte {
			t.Helper()
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
			res, err := client.Do(req)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("%s: %v %v", path, err, res)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return b
		}
		book, err := excelize.OpenReader(bytes.NewReader(download(secret, "/contracts/"+id+"/export?as_of=2025-12-31")))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := book.GetRows("应付款")
		if len(rows) < 4 || !strings.Contains(strings.Join(rows[3], "|"), "国庆节、中秋节放假") {
			t.Errorf("the xlsx payables lack the explanation: %q", rows)
		}
		_, secretB, err := sqldb.NewUserService(db).Login(context.Background(), "clerk_b", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		if csv := string(download(secretB, "/contracts/export?format=csv")); strings.Contains(csv, "HT-2025-077") {
			t.Errorf("group B's register export holds group A's contract")
		}
		st, page := send("GET", "/contracts/"+id+"?as_of=2025-12-31", nil)
		for _, want := range []string{"违法条款", "低于签订日2025-07-01适用的1年期LPR", "2025-10-09", "顺延至其后第一个工作日2025-10-09", "164.38", "逾期付清"} {
			if st != 200 || !strings.Contains(page, want) {
				t.Errorf("the contract's page lacks %q (%d)", want, st)
			}
		}
		if _, page = send("GET", "/contracts", nil); !strings.Contains(page, "HT-2025-077") || !strings.Contains(page, "违法") {
			t.Errorf("the register lacks the contract or its flag")
		}
		st, page = send("POST", "/contracts/"+id+"/events", url.Values{"kind": {"dispute"}, "on": {"2025-10-01"}})
		if st != 400 || !strings.Contains(page, "请填写大于零的金额") {
			t.Errorf("a dispute without an amount: %d", st)
		}
		form := url.Values{"org_id": {strconv.FormatInt(e.a.ID, 10)}, "buyer_kind": {"large"}, "no": {"HT-2025-078"}, "name": {"钢材"}, "kind": {"goods"},
			"uscc": {"91110108MA01C9BP27"}, "supplier_size": {"small"}, "signed_on": {"2025-06-01"}, "amount": {"50000"}, "settlement": {"once"}, "pay_when_paid": {"1"}}
		st, _ = send("POST", "/contracts/new", form)
		if st != 303 {
			t.Fatalf("new contract: %d", st)
		}
		if _, page = send("GET", "/contracts?unlawful=true", nil); !strings.Contains(page, "HT-2025-078") {
			t.Errorf("the pay-when-paid contract is not listed as unlawful")
		}
		// Delivered 50 days ago under the 2025 rules (60 days): due within 7 to 12 days, on the
		// dashboard's warnings and in the aging.
		r = e.do("GET", "/api/v1/contracts?q=HT-2025-078", e.tokA, nil).want(t, 200)
		id78 := strconv.FormatInt(int64(r.json["items"].([]any)[0].(map[string]any)["id"].(float64)), 10)
		e.do("POST", "/api/v1/contracts/"+id78+"/events", e.tokA, map[string]any{"kind": "delivery", "on": qingqian.Today().AddDays(-50).String()}).want(t, http.StatusCreated)
		if _, page = send("GET", "/", nil); !strings.Contains(page, "应付中小企业款项预警") || !strings.Contains(page, "50,000.00 元") {
			t.Errorf("the dashboard has no payment warning")
		}
		if st, page = send("GET", "/payables/aging", nil); st != 200 || !strings.Contains(page, "50,000.00") {
			t.Errorf("aging page: %d", st)
		}
		r = e.do("GET", "/api/v1/payables/aging", e.tokA, nil).want(t, 200)
		if tot := r.json["total"].(map[string]any)["total"].(map[string]any); tot["amount"] != "50000.00" {
			t.Errorf("aging: %s", r.body)
		}
		e.do("GET", "/api/v1/payables?bucket=late", e.tokA, nil).want(t, http.StatusBadRequest)
		// An ERP's batch names the contract by its number; the same key twice is recorded once.
		batch := map[string]any{"events": []map[string]any{
			{"org_id": e.a.ID, "contract_no": "HT-2025-078", "kind": "payment", "on": qingqian.Today().String(), "amount": "20000.00", "method": "transfer", "key": "erp-9"},
			{"org_id": e.a.ID, "contract_no": "HT-2025-078", "kind": "payment", "on": qingqian.Today().String(), "amount": "20000.00", "method": "transfer", "key": "erp-9"},
		}}
		e.do("POST", "/api/v1/contract-events", e.tokA, batch).want(t, http.StatusCreated)
		e.do("POST", "/api/v1/contract-events", e.tokA, batch).want(t, http.StatusCreated)
		r = e.do("GET", "/api/v1/contracts/"+id78, e.tokA, nil).want(t, 200)
		if evs := r.json["events"].([]any); len(evs) != 2 {
			t.Errorf("events after the batch twice: %d", len(evs))
		}
		r = e.do("POST", "/api/v1/contract-events", e.tokA, map[string]any{"events": []map[string]any{{"contract_id": 999999, "kind": "delivery", "on": "2025-09-01"}}})
		r.want(t, http.StatusBadRequest).field(t, "events.0.contract_id")

		// HT-2025-077 was paid 10 days late: the payables page's button makes it a new arrear of
		// the ledger now (the server does so every night), repaid by the late payment; once.
		if st, page = send("GET", "/payables", nil); st != 200 || !strings.Contains(page, "立即转入拖欠台账") {
			t.Errorf("the payables page has no sweep button (%d)", st)
		}
		if st, _ := send("POST", "/payables/arrears", url.Values{}); st != 303 {
			t.Fatalf("sweep: %d", st)
		}
		if _, page = send("GET", "/payables?done=arrears", nil); !strings.Contains(page, "已转入拖欠台账") {
			t.Errorf("the sweep's message is missing")
		}
		r = e.do("GET", "/api/v1/items?origin=new&q=HT-2025-077", e.tokA, nil).want(t, 200)
		if items := r.json["items"].([]any); len(items) != 1 {
			t.Fatalf("new arrears after the sweep: %s", r.body)
		}
		req, _ := http.NewRequest("POST", e.srv.URL+"/payables/arrears", nil)
		req.AddCookie(&http.Cookie{Name: "qq_session", Value: secret})
		if res, err := client.Do(req); err != nil || res.StatusCode != 303 || res.Header.Get("Location") != "/payables?done=arrears_none" {
			t.Fatalf("second sweep: %v %v", err, res)
		} else {
			res.Body.Close()
		}

		// Corrections. HT-2025-077 is in the ledger now: its amount is not corrected, from the
		// API or the page, and the refusal names the ledger.
		r = e.do("GET", "/api/v1/contracts/"+id, e.tokA, nil).want(t, 200)
		fix := map[string]any{"name": "检测服务", "kind": "services", "buyer_kind": "institution", "signed_on": "2025-07-01", "amount": "150000.00",
			"supplier_size": "micro", "size_declared_on": "2025-06-30", "size_evidence": "中小企业声明函", "settlement": "once",
			"agreed_rate": "2.50", "audit_basis": true, "version": r.num("version"), "reason": "金额录入错误"}
		r = e.do("POST", "/api/v1/contracts/"+id+"/correct", e.tokA, fix).want(t, http.StatusConflict)
		if !strings.Contains(string(r.body), "已列入拖欠台账") {
			t.Errorf("the refusal does not name the ledger: %s", r.body)
		}
		fix["amount"], fix["name"] = "200000.00", "检测及评估服务"
		if r = e.do("POST", "/api/v1/contracts/"+id+"/correct", e.tokA, fix).want(t, 200); r.json["name"] != "检测及评估服务" || r.num("version") != fix["version"].(int64)+1 {
			t.Errorf("the name corrected: %s", r.body)
		}
		fix["org_id"] = e.b.ID
		e.do("POST", "/api/v1/contracts/"+id+"/correct", e.tokA, fix).want(t, http.StatusBadRequest).field(t, "org_id")
		// HT-2025-078 on the pages: its correction form shows the terms; the payment the ERP sent
		// is voided as a mistake; then the contract, registered by mistake, is cancelled.
		if st, page = send("GET", "/contracts/"+id78+"/correct", nil); st != 200 || !strings.Contains(page, "更正合同 HT-2025-078") || !strings.Contains(page, `value="50000.00"`) {
			t.Fatalf("the correction form: %d", st)
		}
		k78 := e.do("GET", "/api/v1/contracts/"+id78, e.tokA, nil).want(t, 200)
		form = url.Values{"buyer_kind": {"large"}, "name": {"钢材（更正）"}, "kind": {"goods"}, "supplier_size": {"small"}, "signed_on": {"2025-06-01"},
			"amount": {"60000"}, "settlement": {"once"}, "pay_when_paid": {"1"}, "version": {strconv.FormatInt(k78.num("version"), 10)}}
		if st, page = send("POST", "/contracts/"+id78+"/correct", form); st != 400 || !strings.Contains(page, "请填写原因") {
			t.Errorf("a correction without a reason: %d", st)
		}
		form.Set("reason", "合同金额以签订文本为准")
		if st, _ = send("POST", "/contracts/"+id78+"/correct", form); st != 303 {
			t.Fatalf("the correction: %d", st)
		}
		if _, page = send("GET", "/contracts/"+id78+"?done=contract_correct", nil); !strings.Contains(page, "合同已更正") || !strings.Contains(page, "60,000.00") {
			t.Errorf("the corrected contract's page")
		}
		payment := ""
		for _, x := range e.do("GET", "/api/v1/contracts/"+id78, e.tokA, nil).want(t, 200).json["events"].([]any) {
			if ev := x.(map[string]any); ev["kind"] == "payment" {
				payment = strconv.FormatInt(int64(ev["id"].(float64)), 10)
			}
		}
		if st, _ = send("POST", "/contracts/"+id+"/events/"+payment+"/void", url.Values{"reason": {"误录"}}); st != 404 {
			t.Errorf("an event voided through another contract's page: %d", st)
		}
		if st, _ = send("POST", "/contracts/"+id78+"/events/"+payment+"/void", url.Values{"action": {"void"}, "reason": {"ERP重复推送"}}); st != 303 {
			t.Fatalf("void: %d", st)
		}
		if _, page = send("GET", "/contracts/"+id78, nil); !strings.Contains(page, `class="voided"`) || !strings.Contains(page, "已撤销：ERP重复推送") {
			t.Errorf("the voided payment is not shown as voided")
		}
		if st, page = send("POST", "/contracts/"+id+"/cancel", url.Values{"action": {"cancel"}, "version": {"99"}, "reason": {"误登记"}}); st != 409 || !strings.Contains(page, `id="action-error"`) {
			t.Errorf("a stale cancellation: %d", st)
		}
		if r = e.do("GET", "/api/v1/payables/aging", e.tokA, nil).want(t, 200); r.json["total"].(map[string]any)["total"].(map[string]any)["amount"] != "60000.00" {
			t.Errorf("the corrected contract's payable, its payment voided, is not the aging's 60,000: %s", r.body)
		}
		k78 = e.do("GET", "/api/v1/contracts/"+id78, e.tokA, nil).want(t, 200)
		if st, _ = send("POST", "/contracts/"+id78+"/cancel", url.Values{"action": {"cancel"}, "version": {strconv.FormatInt(k78.num("version"), 10)}, "reason": {"误登记"}}); st != 303 {
			t.Fatalf("cancel: %d", st)
		}
		if _, page = send("GET", "/contracts/"+id78, nil); !strings.Contains(page, "本合同已作废") || strings.Contains(page, `id="event-form"`) {
			t.Errorf("the cancelled contract's page")
		}
		if _, page = send("GET", "/contracts?q=HT-2025-078", nil); !strings.Contains(page, "已作废") {
			t.Errorf("the register does not mark the cancelled contract")
		}
		if r = e.do("GET", "/api/v1/payables/aging", e.tokA, nil).want(t, 200); r.json["total"].(map[string]any)["total"].(map[string]any)["amount"] != "0.00" {
			t.Errorf("a cancelled contract is still in the aging: %s", r.body)
		}
		// The exports mark the cancelled contract and the voided payment as such: the register's
		// status column, the contract's sheet (opened back) in its title, a status row and the
		// events' status column.
		if csv := string(download(secret, "/contracts/export?format=csv")); !strings.Contains(csv, "HT-2025-078") || !strings.Contains(csv, "已作废（") || !strings.Contains(csv, "误登记") {
			t.Errorf("the register's export does not mark the cancelled contract:\n%s", csv)
		}
		book78, err := excelize.OpenReader(bytes.NewReader(download(secret, "/contracts/"+id78+"/export")))
		if err != nil {
			t.Fatal(err)
		}
		rows78, _ := book78.GetRows("应付款")
		var voided, cancelled bool
		for _, row := range rows78 {
			line := strings.Join(row, "|")
			cancelled = cancelled || len(row) > 11 && row[11] == "已作废" && strings.Contains(line, "误登记")
			voided = voided || len(row) > 7 && row[1] == "付款" && strings.HasPrefix(row[7], "已撤销") && strings.Contains(row[7], "ERP重复推送")
		}
		if !strings.Contains(rows78[0][0], "（已作废）") || !cancelled || !voided {
			t.Errorf("the cancelled contract's sheet: %q", rows78)
		}
		// The item the sweep made of HT-2025-077 says in the ledger's export what it is: the
		// contract's number and name, and where it came from.
		ledger := string(download(secret, "/ledger/export?format=csv&origin=new"))
		var swept string
		for _, line := range strings.Split(ledger, "\n") {
			if strings.Contains(line, "HT-2025-077") {
				swept = line
			}
		}
		if !strings.Contains(swept, "HT-2025-077-1,") || !strings.Contains(swept, ",HT-2025-077,检测") || !strings.Contains(swept, "合同HT-2025-077（检测服务）第1笔应付款（合同金额）于2025-10-09到期未付，自动转入台账") || !strings.Contains(swept, "新增欠款") {
			t.Errorf("the swept item in the ledger's export: %q\n%s", swept, ledger)
		}

		// The yearly disclosure: declared, signed and frozen, printable.
		r = e.do("POST", "/api/v1/disclosures", e.tokA, map[string]any{"org_id": e.a.ID, "year": 2024, "has_overdue": false, "note": "无逾期未付款项"}).want(t, 200)
		did := strconv.FormatInt(r.num("id"), 10)
		if r.json["contradicted"] != false || r.json["state"] != "draft" {
			t.Fatalf("disclosure: %s", r.body)
		}
		// A person signs, the leader in charge, not a token.
		e.do("POST", "/api/v1/disclosures/"+did+"/sign", e.tokA, map[string]any{"version": r.num("version")}).want(t, http.StatusForbidden)
		signDisclosureAs(t, e, db, "reviewer", did, url.Values{"version": {strconv.FormatInt(r.num("version"), 10)}}, http.StatusSeeOther)
		e.do("POST", "/api/v1/disclosures", e.tokA, map[string]any{"org_id": e.a.ID, "year": 2024}).want(t, http.StatusConflict)
		if st, page = send("GET", "/disclosures/"+did, nil); st != 200 || !strings.Contains(page, "已签发") || !strings.Contains(page, "2024年度逾期未付中小企业款项公示") {
			t.Errorf("the disclosure's page: %d", st)
		}
	})
}
