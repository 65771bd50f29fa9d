package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// clueRoutes are the workbench's pages for complaint clues, court cases, the disputed-debt
// table and the holiday calendar.
func (s *Server) clueRoutes() []route {
	return []route{
		{"GET /clues", s.cluesPage},
		{"POST /clues", s.createClueForm},
		{"GET /clues/export", s.exportClues},
		{"GET /clues/{id}", s.cluePage},
		{"POST /clues/{id}/{action}", s.clueActionForm},
		{"GET /cases", s.casesPage},
		{"POST /cases", s.createCaseForm},
		{"GET /cases/{id}", s.casePage},
		{"POST /cases/{id}/{action}", s.caseActionForm},
		{"GET /disputes", s.disputesPage},
		{"GET /disputes/export", s.exportDisputes},
		{"GET /calendar", s.calendarPage},
		{"POST /calendar", s.calendarForm},
	}
}

// formMoney reads an optional amount in 元.
func formMoney(form url.Values, name string, bad qingqian.Validation) qingqian.Money {
	v := strings.ReplaceAll(strings.TrimSpace(form.Get(name)), ",", "")
	if v == "" {
		return 0
	}
	m, err := qingqian.ParseYuan(v)
	if err != nil {
		bad.Add(name, "金额应为元，最多两位小数")
	}
	return m
}

// ---- clues ----

type cluesData struct {
	Clues    []*qingqian.Clue
	Total    int
	Pager    *pager
	Q        url.Values
	Export   string
	Office   bool
	Today    qingqian.Date
	Groups   []*qingqian.Org
	Channels []qingqian.Channel
	States   []qingqian.ClueState
}

// clueFilter reads the list's filters from the URL; the page, the export and the API share it.
func clueFilter(r *http.Request) (qingqian.ClueFilter, *query) {
	q := newQuery(r)
	f := qingqian.ClueFilter{Channel: qingqian.Channel(q.str("channel")), State: qingqian.ClueState(q.str("state")), OrgID: q.id("org_id"),
		Overdue: q.str("overdue") == "true", DueBefore: q.date("due_before"), Query: q.str("q")}
	if _, ok := qingqian.ChannelNames[f.Channel]; f.Channel != "" && !ok {
		q.bad.Add("channel", "来源不正确")
	}
	if _, ok := qingqian.ClueStateNames[f.State]; f.State != "" && !ok {
		q.bad.Add("state", "状态不正确")
	}
	return f, q
}

func (s *Server) cluesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showClues(w, r, http.StatusOK, &view{Form: url.Values{"received_on": {qingqian.Today().String()}}})
}

func (s *Server) showClues(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	f, q := clueFilter(r)
	page := max(1, q.int("page", 1))
	if err := q.err(); err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*pageSize, pageSize
	list, total, err := s.Clues.FindClues(ctx, f)
	if err != nil {
		return err
	}
	d := &cluesData{Clues: list, Total: total, Pager: newPager(r, page, pageSize, total), Q: r.URL.Query(), Export: "/clues/export?" + r.URL.RawQuery,
		Office: isOffice(r), Today: qingqian.Today(), Channels: qingqian.Channels, States: qingqian.ClueStates}
	if d.Groups, err = s.Reports.Groups(ctx); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "投诉举报线索", "clues", d
	s.render(w, r, status, "clues", v)
	return nil
}

func (s *Server) createClueForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Clue{Channel: qingqian.Channel(form.Get("channel")), TransferNo: form.Get("transfer_no"), ReceivedOn: formDate(form, "received_on", bad),
		CreditorName: form.Get("creditor_name"), CreditorUSCC: form.Get("creditor_uscc"), Respondent: form.Get("respondent"),
		Claimed: formMoney(form, "claimed", bad), Text: form.Get("text")}
	return s.submit(w, r, form, bad, func() error {
		return s.Clues.CreateClue(r.Context(), c)
	}, func(st int, v *view) error { return s.showClues(w, r, st, v) }, func() string { return fmt.Sprintf("/clues/%d?done=clue", c.ID) })
}

func (s *Server) exportClues(w http.ResponseWriter, r *http.Request) error {
	f, q := clueFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	f.Limit = 100_000
	list, _, err := s.Clues.FindClues(r.Context(), f)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "投诉举报线索台账", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteClues(wr, list, format, meta)
	})
}

type clueItem struct {
	*qingqian.Item
	Bare int // repayments without a voucher
}

type clueData struct {
	C            *qingqian.Clue
	Items        []clueItem
	Office       bool
	Handler      bool
	Today        qingqian.Date
	Overdue      bool
	Units        []*qingqian.Org // units the clue can be assigned to
	Conclusions  map[qingqian.Conclusion]string
	OutReasons   map[string]string
	Satisfaction map[string]string
	Kinds        []qingqian.ItemKind
	NoticeLink   string
	Candidates   []*qingqian.Item // the complainant's items in the assigned unit, to link
}

func (s *Server) cluePage(w http.ResponseWriter, r *http.Request) error {
	return s.showClue(w, r, http.StatusOK, &view{})
}

func (s *Server) showClue(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Clues.FindClue(ctx, id)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &clueData{C: c, Office: isOffice(r), Today: qingqian.Today(), Overdue: c.Overdue(qingqian.Today()), Conclusions: qingqian.ConclusionNames,
		OutReasons: qingqian.OutReasonNames, Satisfaction: qingqian.SatisfactionNames, Kinds: qingqian.ItemKinds}
	// Whoever sees a clue and may write is its office or in the unit it is assigned to.
	d.Handler = a.CanWrite()
	for _, itemID := range c.Items {
		it, err := s.Items.FindItemByID(ctx, itemID, qingqian.Date{}, time.Time{})
		if err != nil {
			return err
		}
		ci := clueItem{Item: it}
		es, err := s.Entries.FindEntries(ctx, itemID)
		if err != nil {
			return err
		}
		ci.Bare = qingqian.UnvouchedRepayments(es)
		d.Items = append(d.Items, ci)
	}
	if d.Handler && c.State != qingqian.ClueClosed {
		under := c.OrgID
		if d.Office {
			under = 0
		}
		if d.Units, _, err = s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Under: under, Limit: 500}); err != nil {
			return err
		}
	}
	if d.Handler && c.State == qingqian.ClueVerified && c.Conclusion.InScope() {
		p, err := s.Items.FindItems(ctx, qingqian.ItemFilter{OrgID: c.OrgID, CreditorID: c.CreditorID, Limit: 100, NoTotals: true})
		if err != nil {
			return err
		}
		d.Candidates = p.Items
	}
	if c.OrgID != 0 {
		d.NoticeLink = "/notices?" + url.Values{"org_id": {strconv.FormatInt(c.OrgID, 10)},
			"reason": {fmt.Sprintf("投诉举报线索 %s（%s，%s）办理期限 %s，请按期核实办理。", c.No, c.CreditorName, qingqian.ChannelNames[c.Channel], c.Deadline())}}.Encode() + "#new-notice"
	}
	if v.Form == nil {
		v.Form = url.Values{"on": {qingqian.Today().String()}, "feedback_on": {qingqian.Today().String()}, "org_id": {strconv.FormatInt(c.OrgID, 10)},
			"responsible_leader": {c.ResponsibleLeader}, "responsible_person": {c.ResponsiblePerson}, "arisen_on": {""}}
	}
	v.Title, v.Nav, v.Data = "线索 "+c.No, "clues", d
	s.render(w, r, status, "clue", v)
	return nil
}

func (s *Server) clueActionForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	version := formInt(form, "version", bad)
	action := r.PathValue("action")
	var run func() error
	switch action {
	case "assign":
		run = func() error {
			_, err := s.Clues.Assign(ctx, id, qingqian.Assignment{OrgID: atoi64(form.Get("org_id")), ResponsibleLeader: form.Get("responsible_leader"),
				ResponsiblePerson: form.Get("responsible_person"), Version: version})
			return err
		}
	case "verify":
		run = func() error {
			_, err := s.Clues.Verify(ctx, id, qingqian.Verification{Conclusion: qingqian.Conclusion(form.Get("conclusion")), OutReason: form.Get("out_reason"),
				Finding: form.Get("finding"), Version: version})
			return err
		}
	case "link":
		run = func() error {
			_, err := s.Clues.LinkItem(ctx, id, atoi64(form.Get("item_id")), version)
			return err
		}
	case "item":
		it := &qingqian.Item{OrgID: atoi64(form.Get("org_id")), ContractNo: strings.TrimSpace(form.Get("contract_no")), ContractName: strings.TrimSpace(form.Get("contract_name")),
			Kind: qingqian.ItemKind(form.Get("kind")), ArisenOn: formDate(form, "arisen_on", bad), DueOn: formDate(form, "due_on", bad),
			Undisputed: formMoney(form, "undisputed", bad), Disputed: formMoney(form, "disputed", bad), DisputeReason: strings.TrimSpace(form.Get("dispute_reason")),
			FundingSource: qingqian.FundingNone, Responsible: strings.TrimSpace(form.Get("responsible"))}
		if it.ArisenOn.IsZero() {
			bad.Add("arisen_on", "请填写发生日期")
		}
		run = func() error {
			_, err := s.Clues.CreateItemFromClue(ctx, id, it, version)
			return err
		}
	case "update":
		on := formDate(form, "on", bad)
		run = func() error {
			_, err := s.Clues.AddUpdate(ctx, id, on, form.Get("text"))
			return err
		}
	case "extend":
		to := formDate(form, "extended_to", bad)
		run = func() error {
			_, err := s.Clues.Extend(ctx, id, to, form.Get("extend_reason"), version)
			return err
		}
	case "close":
		run = func() error {
			_, err := s.Clues.Close(ctx, id, version)
			return err
		}
	case "feedback":
		fon, con := formDate(form, "feedback_on", bad), formDate(form, "callback_on", bad)
		run = func() error {
			_, err := s.Clues.RecordFeedback(ctx, id, fon, form.Get("feedback"), con, form.Get("satisfaction"), version)
			return err
		}
	default:
		return qingqian.Errorf(qingqian.ENOTFOUND, "页面不存在")
	}
	return s.submit(w, r, form, bad, func() error {
		return run()
	}, func(st int, v *view) error { return s.showClue(w, r, st, v) }, func() string { return fmt.Sprintf("/clues/%d?done=clue_%s", id, action) })
}

// ---- court cases ----

type casesData struct {
	Cases    []*qingqian.Case
	Disputed []*qingqian.Item
	Kinds    []qingqian.CaseKind
	CanWrite bool
	Open     bool
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCases(w, r, http.StatusOK, &view{})
}

func (s *Server) showCases(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	open := r.URL.Query().Get("open") == "true"
	cs, err := s.Cases.FindCases(ctx, open)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &casesData{Cases: cs, Kinds: qingqian.CaseKinds, CanWrite: a.CanWrite(), Open: open}
	if d.CanWrite {
		yes := true
		p, err := s.Items.FindItems(ctx, qingqian.ItemFilter{Disputed: &yes, Limit: 200, NoTotals: true})
		if err != nil {
			return err
		}
		d.Disputed = p.Items
	}
	v.Title, v.Nav, v.Data = "司法案件", "cases", d
	s.render(w, r, status, "cases", v)
	return nil
}

func (s *Server) createCaseForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Case{Kind: qingqian.CaseKind(form.Get("kind")), Body: form.Get("body"), CaseNo: form.Get("case_no"), FiledOn: formDate(form, "filed_on", bad),
		Claimed: formMoney(form, "claimed", bad), Responsible: form.Get("responsible"), NextStep: form.Get("next_step"), ExpectedOn: formDate(form, "expected_on", bad)}
	for _, v := range form["items"] {
		if id := atoi64(v); id > 0 {
			c.Items = append(c.Items, id)
		}
	}
	return s.submit(w, r, form, bad, func() error {
		return s.Cases.CreateCase(r.Context(), c)
	}, func(st int, v *view) error { return s.showCases(w, r, st, v) }, func() string { return fmt.Sprintf("/cases/%d?done=case", c.ID) })
}

type caseData struct {
	C        *qingqian.Case
	Items    []*qingqian.Item
	Stages   []qingqian.CaseStage
	CanWrite bool
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) error {
	return s.showCase(w, r, http.StatusOK, &view{})
}

func (s *Server) showCase(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Cases.FindCase(ctx, id)
	if err != nil {
		return err
	}
	d := &caseData{C: c, Stages: qingqian.CaseStages, CanWrite: qingqian.ActorFrom(ctx).CanWrite() && c.Stage != qingqian.StageClosed}
	for _, itemID := range c.Items {
		it, err := s.Items.FindItemByID(ctx, itemID, qingqian.Date{}, time.Time{})
		if err != nil {
			return err
		}
		d.Items = append(d.Items, it)
	}
	if v.Form == nil {
		v.Form = url.Values{"on": {qingqian.Today().String()}, "responsible": {c.Responsible}, "next_step": {c.NextStep}, "expected_on": {c.ExpectedOn.String()}}
	}
	v.Title, v.Nav, v.Data = "案件 "+c.CaseNo, "cases", d
	s.render(w, r, status, "case", v)
	return nil
}

func (s *Server) caseActionForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	version := formInt(form, "version", bad)
	action := r.PathValue("action")
	var run func() error
	switch action {
	case "event":
		e := qingqian.CaseEvent{On: formDate(form, "on", bad), Stage: qingqian.CaseStage(form.Get("stage")), Text: form.Get("text")}
		run = func() error {
			_, err := s.Cases.AddEvent(ctx, id, e, version)
			return err
		}
	case "decision":
		d := qingqian.Decision{ItemID: atoi64(form.Get("item_id")), On: formDate(form, "on", bad), Stage: qingqian.CaseStage(form.Get("stage")),
			Confirmed: formMoney(form, "confirmed", bad), Reduced: formMoney(form, "reduced", bad), Text: form.Get("text"), Version: version}
		run = func() error {
			_, err := s.Cases.Decide(ctx, id, d)
			return err
		}
	case "plan":
		resp, next, exp := form.Get("responsible"), form.Get("next_step"), formDate(form, "expected_on", bad)
		run = func() error {
			_, err := s.Cases.UpdateCase(ctx, id, qingqian.CaseUpdate{Responsible: &resp, NextStep: &next, ExpectedOn: &exp, Version: version})
			return err
		}
	default:
		return qingqian.Errorf(qingqian.ENOTFOUND, "页面不存在")
	}
	return s.submit(w, r, form, bad, func() error {
		return run()
	}, func(st int, v *view) error { return s.showCase(w, r, st, v) }, func() string { return fmt.Sprintf("/cases/%d?done=case_%s", id, action) })
}

// ---- the disputed-debt table ----

type disputesData struct {
	T      *qingqian.DisputeTable
	Title  string
	Orgs   []*qingqian.Org
	OrgID  int64
	Export string
}

// disputeQuery reads the table's unit and date; the date defaults to the end of last month.
func disputeQuery(r *http.Request) (int64, qingqian.Date, error) {
	q := newQuery(r)
	orgID, asOf := q.id("org_id"), q.date("as_of")
	if asOf.IsZero() {
		asOf = monthEnd(qingqian.Today(), -1)
	}
	return orgID, asOf, q.err()
}

func (s *Server) disputesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgID, asOf, err := disputeQuery(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.Disputes(ctx, orgID, asOf)
	if err != nil {
		return err
	}
	d := &disputesData{T: t, Title: xlsx.DisputeTitle(t), OrgID: orgID, Export: "/disputes/export?" + url.Values{"org_id": {r.URL.Query().Get("org_id")}, "as_of": {asOf.String()}}.Encode()}
	if d.Orgs, _, err = s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{MaxDepth: 2, Limit: 200}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "disputes", &view{Title: d.Title, Nav: "cases", Data: d})
	return nil
}

func (s *Server) exportDisputes(w http.ResponseWriter, r *http.Request) error {
	orgID, asOf, err := disputeQuery(r)
	if err != nil {
		return err
	}
	t, err := s.Cases.Disputes(r.Context(), orgID, asOf)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "剩余有分歧账款推动解决情况表", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteDisputes(wr, t, format, meta)
	})
}

// ---- the holiday calendar ----

type calendarData struct {
	Years []qingqian.CalendarYear
	Year  int
	Days  []qingqian.CalendarDay
	Admin bool
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCalendar(w, r, http.StatusOK, &view{})
}

func (s *Server) showCalendar(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	q := newQuery(r)
	year := q.int("year", 0)
	if err := q.err(); err != nil {
		return err
	}
	years, err := s.Calendar.FindCalendarYears(ctx)
	if err != nil {
		return err
	}
	if year == 0 && len(years) > 0 {
		year = years[0].Year
	}
	d := &calendarData{Years: years, Year: year, Admin: qingqian.ActorFrom(ctx).Has(qingqian.RoleAdmin)}
	if year > 0 {
		if d.Days, err = s.Calendar.FindCalendarDays(ctx, year); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = "节假日安排", "calendar", d
	s.render(w, r, status, "calendar", v)
	return nil
}

func (s *Server) calendarForm(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以录入节假日安排")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	year := formInt(form, "year", bad)
	if year == 0 {
		bad.Add("year", "请填写年份")
	}
	err = bad.Err()
	if err == nil {
		var days []qingqian.CalendarDay
		days, err = qingqian.ParseCalendar(strings.NewReader(form.Get("days")), year)
		if err != nil {
			// Line errors all belong to the one text field.
			msg, fields, _ := formError(err)
			var lines []string
			for _, m := range fields {
				lines = append(lines, m)
			}
			slices.Sort(lines)
			err = &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"days": strings.Join(lines, "；")}}
		} else {
			err = s.Calendar.SetCalendarYear(r.Context(), year, strings.TrimSpace(form.Get("source")), days)
		}
	}
	if err != nil {
		return s.retry(w, r, err, form, func(st int, v *view) error { return s.showCalendar(w, r, st, v) })
	}
	http.Redirect(w, r, fmt.Sprintf("/calendar?year=%d&done=calendar", year), http.StatusSeeOther)
	return nil
}
