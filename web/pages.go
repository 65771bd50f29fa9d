package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// htmlRoutes lists the workbench's routes; the permission matrix test walks them.
func (s *Server) htmlRoutes() []route {
	return append([]route{
		{"GET /{$}", s.dashboard},
		{"GET /ledger", s.ledger},
		{"GET /items/new", s.newItemPage},
		{"POST /items/new", s.createItemForm},
		{"GET /items/{id}", s.itemPage},
		{"POST /items/{id}/entries", s.recordEntryForm},
		{"POST /items/{id}/plan", s.planForm},
		{"POST /entries/{id}/reverse", s.reverseForm},
		{"GET /vouchers/{sha256}", s.serveVoucher},
		{"GET /orgs", s.orgsPage},
		{"POST /orgs", s.createOrgForm},
		{"GET /creditors", s.creditorsPage},
		{"POST /creditors", s.createCreditorForm},
		{"GET /users", s.usersPage},
		{"POST /users", s.createUserForm},
		{"POST /users/{id}/reset", s.resetPasswordForm},
		{"POST /users/{id}/active", s.userActiveForm},
		{"POST /tokens", s.createTokenForm},
		{"POST /tokens/{id}/revoke", s.revokeTokenForm},
		{"GET /audit", s.auditPage},
		{"GET /ledger/export", s.exportLedger},
		{"GET /creditors/export", s.exportCreditors},
		{"GET /orgs/export", s.exportOrgs},
		{"GET /templates/{kind}", s.template},
		{"GET /imports/new", s.importPage},
		{"POST /imports", s.startImport},
		{"GET /imports/{id}", s.importStatus},
		{"POST /imports/{id}/confirm", s.confirmImport},
		{"GET /imports/{id}/errors", s.importErrors},
		{"GET /password", s.passwordPage},
		{"POST /password", s.changePasswordForm},
		{"POST /logout", s.logout},
	}, append(s.reportRoutes(), s.clueRoutes()...)...)
}

// HTMLRoutePatterns lists the workbench's method and path patterns that need a signed-in user.
func HTMLRoutePatterns() []string {
	var out []string
	for _, rt := range (&Server{}).htmlRoutes() {
		out = append(out, rt.pattern)
	}
	return out
}

// ---- sign in and out ----

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", &view{Title: "登录", Form: url.Values{"next": {r.URL.Query().Get("next")}}})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "login", &view{Title: "登录", Error: "提交的内容无法识别"})
		return
	}
	_, secret, err := s.Users.Login(r.Context(), r.PostForm.Get("username"), r.PostForm.Get("password"))
	if err != nil {
		status := ErrorStatus(err)
		msg := qingqian.ErrorMessage(err)
		if qingqian.ErrorCode(err) == qingqian.EINTERNAL {
			s.errorPage(w, r, err)
			return
		}
		form := url.Values{"username": {r.PostForm.Get("username")}, "next": {r.PostForm.Get("next")}}
		s.render(w, r, status, "login", &view{Title: "登录", Error: msg, Form: form})
		return
	}
	s.setSession(w, r, secret)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Users.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "password", &view{Title: "修改密码"})
	return nil
}

func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	old, pw, confirm := r.PostForm.Get("old"), r.PostForm.Get("password"), r.PostForm.Get("confirm")
	if pw != confirm {
		s.render(w, r, http.StatusBadRequest, "password", &view{Title: "修改密码", Error: "两次输入的新密码不一致", Fields: map[string]string{"confirm": "两次输入不一致"}})
		return nil
	}
	if err := s.Users.ChangePassword(r.Context(), old, pw); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		s.render(w, r, http.StatusBadRequest, "password", &view{Title: "修改密码", Error: msg, Fields: fields})
		return nil
	}
	// Changing the password ended every session, this one too: open a new one.
	_, secret, err := s.Users.Login(r.Context(), userFrom(r).Username, pw)
	if err != nil {
		return err
	}
	s.setSession(w, r, secret)
	http.Redirect(w, r, "/?done=password", http.StatusSeeOther)
	return nil
}

// ---- dashboard ----

type dashboardData struct {
	Org                 *qingqian.Org
	AsOf                qingqian.Date
	All                 qingqian.Figures
	Baseline            qingqian.Money
	AfterBaseline       qingqian.Money
	Rate                int64
	Bars                []bar
	BarChart, LineChart template.HTML
	Overdue, Unfunded   int
	Disputed            int
	Duty                *dutyData
}

// dutyData is what reporting and supervision ask of the user now.
type dutyData struct {
	Reports        bool         // the user's unit reports (it is a group or above one)
	Open           []openPeriod // periods still open for submission
	Missing        int          // submissions past their deadline, not approved
	Slow           int
	OpenNotices    int
	OverdueNotices int
	Commitments    int // interview commitments due and not done
}

type openPeriod struct {
	Period  *qingqian.Period
	Pending int // groups (of those the user sees) without an approved submission
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := qingqian.ActorFrom(ctx)
	q := newQuery(r)
	asOf, orgID := q.date("as_of"), q.id("org_id")
	if err := q.err(); err != nil {
		return err
	}
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	if orgID == 0 {
		orgID = a.OrgID
	}
	org, err := s.Orgs.FindOrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	tot, err := s.Totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: orgID, AsOf: asOf})
	if err != nil {
		return err
	}
	d := &dashboardData{Org: org, AsOf: asOf, All: tot.Overall, Rate: tot.Overall.Rate()}
	base := tot.ByOrigin[qingqian.OriginBaseline]
	d.Baseline = base.RecognisedUndisputed + base.RecognisedDisputed
	d.AfterBaseline = tot.Overall.RecognisedUndisputed + tot.Overall.RecognisedDisputed - d.Baseline
	children, _, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Under: orgID, MaxDepth: org.Depth + 1, Limit: 41})
	if err != nil {
		return err
	}
	for _, c := range children {
		if c.ID == orgID || len(d.Bars) == 40 {
			continue
		}
		ct, err := s.Totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: c.ID, AsOf: asOf})
		if err != nil {
			return err
		}
		label := c.ShortName
		if label == "" {
			label = c.Name
		}
		d.Bars = append(d.Bars, bar{Label: label, Repaid: ct.Overall.Repaid, Outstanding: ct.Overall.Outstanding})
	}
	d.BarChart = barChart(d.Bars)
	var pts []point
	for k := 11; k >= 0; k-- {
		end := monthEnd(asOf, -k)
		if k == 0 {
			end = asOf
		}
		t, err := s.Totals.SubtreeTotals(ctx, qingqian.TotalsQuery{OrgID: orgID, AsOf: end})
		if err != nil {
			return err
		}
		pts = append(pts, point{Label: fmt.Sprintf("%d-%02d", end.Year(), end.Month()), Outstanding: t.Overall.Outstanding, Repaid: t.Overall.Repaid})
	}
	d.LineChart = lineChart(pts)
	yes := true
	none := qingqian.FundingNone
	one := qingqian.Money(1)
	for _, c := range []struct {
		dst *int
		f   qingqian.ItemFilter
	}{
		{&d.Overdue, qingqian.ItemFilter{OrgID: orgID, Overdue: &yes, Limit: 1}},
		{&d.Unfunded, qingqian.ItemFilter{OrgID: orgID, FundingSource: &none, MinAmount: &one, Limit: 1}},
		{&d.Disputed, qingqian.ItemFilter{OrgID: orgID, Disputed: &yes, Limit: 1}},
	} {
		p, err := s.Items.FindItems(ctx, c.f)
		if err != nil {
			return err
		}
		*c.dst = p.Total
	}
	if d.Duty, err = s.duty(r); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", &view{Title: "首页", Nav: "home", Data: d})
	return nil
}

// duty gathers the periods due, missing submissions, slow groups, open notices and commitments
// due that the user's unit must act on or watch.
func (s *Server) duty(r *http.Request) (*dutyData, error) {
	ctx := r.Context()
	today := qingqian.Today()
	d := &dutyData{}
	ps, _, err := s.Reports.FindPeriods(ctx, qingqian.PeriodFilter{Limit: 20})
	if err != nil {
		return nil, err
	}
	groups, err := s.Reports.Groups(ctx)
	if err != nil {
		return nil, err
	}
	a := qingqian.ActorFrom(ctx)
	reach := 0
	for _, g := range groups {
		if a.Reaches(g.Path) {
			reach++
		}
	}
	d.Reports = reach > 0
	for _, p := range ps {
		if p.Deadline.Before(today) || !d.Reports {
			continue
		}
		subs, err := s.Reports.FindSubmissions(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		pending := reach
		for _, sub := range subs {
			if sub.State == qingqian.StateApproved {
				pending--
			}
		}
		d.Open = append(d.Open, openPeriod{Period: p, Pending: max(pending, 0)})
	}
	late, err := s.Reports.Lateness(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range late {
		d.Missing += len(l.MissingNow)
	}
	prog, err := s.Supervision.Progress(ctx, today)
	if err != nil {
		return nil, err
	}
	for _, g := range prog.Groups {
		if g.Slow {
			d.Slow++
		}
	}
	ns, err := s.Supervision.FindNotices(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		d.OpenNotices++
		if n.Overdue(today) {
			d.OverdueNotices++
		}
	}
	ivs, err := s.Supervision.FindInterviews(ctx)
	if err != nil {
		return nil, err
	}
	for _, iv := range ivs {
		d.Commitments += len(iv.Due(today))
	}
	return d, nil
}

// monthEnd returns the last day of the month k months from d's month.
func monthEnd(d qingqian.Date, k int) qingqian.Date {
	first := qingqian.NewDate(d.Year(), d.Month()+time.Month(k), 1)
	return first.AddMonths(1).AddDays(-1)
}

// ---- ledger ----

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

type sortOption struct{ Key, Name string }

type ledgerData struct {
	Export   string // the export link for the same filter
	F        qingqian.ItemFilter
	Q        map[string]string
	Page     *qingqian.ItemPage
	Pager    *pager
	Orgs     []*qingqian.Org
	Statuses []qingqian.Status
	Kinds    []qingqian.ItemKind
	Fundings []qingqian.FundingSource
	Sorts    []sortOption
}

var fundings = []qingqian.FundingSource{qingqian.FundingNone, qingqian.FundingOwn, qingqian.FundingLoan, qingqian.FundingFiscal, qingqian.FundingAssets, qingqian.FundingOther}

const pageSize = 50

func (s *Server) ledger(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := &ledgerData{Q: map[string]string{}, Statuses: []qingqian.Status{qingqian.StatusUnpaid, qingqian.StatusPartial, qingqian.StatusCleared, qingqian.StatusClosed},
		Kinds: qingqian.ItemKinds, Fundings: fundings,
		Sorts: []sortOption{{"", "最新录入"}, {"-outstanding", "未清偿从多到少"}, {"outstanding", "未清偿从少到多"}, {"due_on", "应付日期从早到晚"}, {"-due_on", "应付日期从晚到早"}, {"arisen_on", "发生日期从早到晚"}}}
	for _, k := range []string{"disputed", "overdue", "min_amount", "max_amount"} {
		d.Q[k] = r.URL.Query().Get(k)
	}
	f, q := ledgerFilter(r)
	page := max(1, q.int("page", 1))
	f.Offset, f.Limit = (page-1)*pageSize, pageSize
	d.Export = "/ledger/export?" + r.URL.RawQuery
	d.F = f
	v := &view{Title: "台账", Nav: "ledger", Data: d}
	orgs, _, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Limit: 500})
	if err != nil {
		return err
	}
	d.Orgs = orgs
	if err := q.err(); err != nil {
		v.Error, v.Fields = qingqian.ErrorMessage(err), qingqian.ErrorFields(err)
		d.Page = &qingqian.ItemPage{}
		s.render(w, r, http.StatusBadRequest, "ledger", v)
		return nil
	}
	if d.Page, err = s.Items.FindItems(ctx, f); err != nil {
		return err
	}
	d.Pager = newPager(r, page, pageSize, d.Page.Total)
	s.render(w, r, http.StatusOK, "ledger", v)
	return nil
}

// ledgerFilter reads the ledger's filters from the URL; the page, the export and the API share
// it. funding_source "any" (the page's "all") means no filter; "" means not yet secured.
func ledgerFilter(r *http.Request) (qingqian.ItemFilter, *query) {
	q := newQuery(r)
	f := qingqian.ItemFilter{OrgID: q.id("org_id"), CreditorID: q.id("creditor_id"), Status: qingqian.Status(q.str("status")),
		Kind: qingqian.ItemKind(q.str("kind")), Origin: qingqian.Origin(q.str("origin")),
		Disputed: q.boolp("disputed"), Overdue: q.boolp("overdue"), MinAmount: q.money("min_amount"), MaxAmount: q.money("max_amount"),
		Query: q.str("q"), Sort: q.str("sort")}
	if v := q.v.Get("funding_source"); q.v.Has("funding_source") && v != "any" {
		fs := qingqian.FundingSource(v)
		if _, ok := qingqian.FundingNames[fs]; !ok {
			q.bad.Add("funding_source", "资金来源不正确")
		}
		f.FundingSource = &fs
	}
	if _, ok := qingqian.StatusNames[f.Status]; f.Status != "" && !ok {
		q.bad.Add("status", "状态应为 unpaid、partial、cleared 或 closed")
	}
	if _, ok := qingqian.ItemKindNames[f.Kind]; f.Kind != "" && !ok {
		q.bad.Add("kind", "欠款类型不正确")
	}
	if _, ok := qingqian.OriginNames[f.Origin]; f.Origin != "" && !ok {
		q.bad.Add("origin", "来源不正确")
	}
	return f, q
}

// ---- item ----

type itemData struct {
	Item       *qingqian.Item
	AsOf       qingqian.Date
	Entries    []*qingqian.Entry
	Plans      []*qingqian.Plan
	Revision   int
	Audit      []*qingqian.AuditRecord
	Kinds      []qingqian.EntryKind
	Methods    []qingqian.PayMethod
	Fundings   []qingqian.FundingSource
	Idem       string
	PlanForm   url.Values
	PlanRows   int
	PlanError  string
	PlanErrors map[string]string
}

func (s *Server) loadItem(r *http.Request, id int64) (*itemData, error) {
	ctx := r.Context()
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	it, err := s.Items.FindItemByID(ctx, id, asOf, time.Time{})
	if err != nil {
		return nil, err
	}
	d := &itemData{Item: it, AsOf: asOf, Kinds: []qingqian.EntryKind{qingqian.EntryRepay, qingqian.EntryAdjust, qingqian.EntryCourtReduction, qingqian.EntryWriteOff, qingqian.EntryReclassify, qingqian.EntryRecognise},
		Methods:  []qingqian.PayMethod{qingqian.MethodTransfer, qingqian.MethodCash, qingqian.MethodBill, qingqian.MethodReceivable, qingqian.MethodOffset},
		Fundings: fundings, Idem: randomKey(), PlanForm: url.Values{}}
	if d.Entries, err = s.Entries.FindEntries(ctx, id); err != nil {
		return nil, err
	}
	if d.Plans, err = s.Plans.FindPlans(ctx, id); err != nil {
		return nil, err
	}
	if len(d.Plans) > 0 {
		d.Revision = d.Plans[0].Revision
		for _, in := range d.Plans[0].Instalments {
			d.PlanForm["due"] = append(d.PlanForm["due"], in.Due.String())
			d.PlanForm["amount"] = append(d.PlanForm["amount"], in.Amount.String())
			d.PlanForm["funding"] = append(d.PlanForm["funding"], string(in.FundingSource))
			d.PlanForm["note"] = append(d.PlanForm["note"], in.Note)
		}
	}
	if d.Audit, _, err = s.Audit.FindAudit(ctx, qingqian.AuditFilter{Entity: "item", EntityID: id, Limit: 100}); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.loadItem(r, id)
	if err != nil {
		return err
	}
	d.PlanRows = padPlanForm(d.PlanForm)
	s.render(w, r, http.StatusOK, "item", &view{Title: d.Item.ContractName, Nav: "ledger", Data: d, Form: url.Values{"on": {qingqian.Today().String()}}})
	return nil
}

// padPlanForm gives the plan form its rows: every instalment and at least two empty rows, six at
// least, and returns their number.
func padPlanForm(f url.Values) int {
	n := max(6, len(f["due"])+2)
	for _, k := range []string{"due", "amount", "funding", "note"} {
		for len(f[k]) < n {
			f[k] = append(f[k], "")
		}
	}
	if len(f["reason"]) == 0 {
		f["reason"] = []string{""}
	}
	return n
}

// itemFormError re-renders the item page with a form's errors and what was typed.
func (s *Server) itemFormError(w http.ResponseWriter, r *http.Request, id int64, err error, form url.Values, plan bool) error {
	msg, fields, ok := formError(err)
	if !ok {
		return err
	}
	d, lerr := s.loadItem(r, id)
	if lerr != nil {
		return lerr
	}
	v := &view{Title: d.Item.ContractName, Nav: "ledger", Data: d}
	if plan {
		d.PlanForm, d.PlanError, d.PlanErrors = form, msg, fields
		if len(fields) == 0 {
			d.PlanErrors = nil
		}
	} else {
		v.Error, v.Fields, v.Form = msg, fields, form
		d.Idem = form.Get("idem")
	}
	d.PlanRows = padPlanForm(d.PlanForm)
	s.render(w, r, http.StatusBadRequest, "item", v)
	return nil
}

func fieldErr(field, msg string) error {
	return &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// writableItem checks, before any input is read, that the actor may write and reaches the item:
// an observer gets 403 and another group's item 404 whatever the form holds.
func (s *Server) writableItem(r *http.Request, id int64) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	_, err := s.Items.FindItemByID(r.Context(), id, qingqian.Date{}, time.Time{})
	return err
}

func (s *Server) recordEntryForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.writableItem(r, id); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 5*s.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return s.itemFormError(w, r, id, fieldErr("file", "上传的内容过大或无法识别（单个凭证不超过限制，最多5个）"), url.Values{}, false)
	}
	form := r.PostForm
	in := qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryKind(form.Get("kind")), Part: qingqian.Part(form.Get("part")),
		Method: qingqian.PayMethod(form.Get("method")), VoucherNo: strings.TrimSpace(form.Get("voucher_no")), Reason: strings.TrimSpace(form.Get("reason")),
		IdempotencyKey: form.Get("idem")}
	bad := qingqian.Validation{}
	if in.On, err = qingqian.ParseDate(form.Get("on")); err != nil {
		bad.Add("on", "请填写业务日期（年-月-日）")
	}
	if in.Amount, err = qingqian.ParseYuan(strings.ReplaceAll(strings.TrimSpace(form.Get("amount")), ",", "")); err != nil {
		bad.Add("amount", "金额应为元，最多两位小数，如 1234.56")
	}
	if in.Kind != qingqian.EntryRepay {
		in.Method = ""
	}
	if len(bad) == 0 {
		_, _, err = in.Deltas(qingqian.Today())
	} else {
		err = bad.Err()
	}
	files := r.MultipartForm.File["files"]
	if err == nil && len(files) > 5 {
		err = fieldErr("file", "一次最多上传5个凭证")
	}
	if err != nil {
		return s.itemFormError(w, r, id, err, form, false)
	}
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		v, err := s.Vouchers.StoreVoucher(r.Context(), fh.Filename, f)
		f.Close()
		if err != nil {
			if e := qingqian.ErrorFields(err); e != nil {
				err = fieldErr("file", fh.Filename+"："+qingqian.ErrorMessage(err))
			}
			return s.itemFormError(w, r, id, err, form, false)
		}
		in.Vouchers = append(in.Vouchers, v.SHA256)
	}
	if _, err := s.Entries.RecordEntry(r.Context(), in); err != nil {
		return s.itemFormError(w, r, id, err, form, false)
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?done=repaid#entries", id), http.StatusSeeOther)
	return nil
}

func (s *Server) reverseForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	e, err := s.Entries.FindEntryByID(r.Context(), id)
	if err != nil {
		return err
	}
	if _, err := s.Entries.ReverseEntry(r.Context(), qingqian.EntryInput{ReversesID: id, Reason: strings.TrimSpace(r.PostForm.Get("reason"))}); err != nil {
		return s.itemFormError(w, r, e.ItemID, err, url.Values{}, false)
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?done=reversed#entries", e.ItemID), http.StatusSeeOther)
	return nil
}

func (s *Server) planForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.writableItem(r, id); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	form := r.PostForm
	in := qingqian.PlanInput{Reason: strings.TrimSpace(form.Get("reason"))}
	in.BaseRevision, _ = strconv.Atoi(form.Get("base_revision"))
	bad := qingqian.Validation{}
	dues, amounts, funds, notes := form["due"], form["amount"], form["funding"], form["note"]
	for i := range dues {
		if dues[i] == "" && (i >= len(amounts) || amounts[i] == "") {
			continue
		}
		inst := qingqian.Instalment{}
		if inst.Due, err = qingqian.ParseDate(dues[i]); err != nil {
			bad.Add(fmt.Sprintf("due.%d", i), fmt.Sprintf("第%d行：请填写计划日期", i+1))
		}
		if i < len(amounts) {
			if inst.Amount, err = qingqian.ParseYuan(strings.ReplaceAll(strings.TrimSpace(amounts[i]), ",", "")); err != nil {
				bad.Add(fmt.Sprintf("amount.%d", i), fmt.Sprintf("第%d行：金额应为元，最多两位小数", i+1))
			}
		}
		if i < len(funds) {
			inst.FundingSource = qingqian.FundingSource(funds[i])
		}
		if i < len(notes) {
			inst.Note = notes[i]
		}
		in.Instalments = append(in.Instalments, inst)
	}
	if err := bad.Err(); err != nil {
		return s.itemFormError(w, r, id, err, form, true)
	}
	if _, err := s.Plans.RevisePlan(r.Context(), id, in); err != nil {
		return s.itemFormError(w, r, id, err, form, true)
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?done=plan#plan", id), http.StatusSeeOther)
	return nil
}

// ---- new item ----

type newItemData struct {
	Orgs       []*qingqian.Org
	Kinds      []qingqian.ItemKind
	Origins    []qingqian.Origin
	Fundings   []qingqian.FundingSource
	Ownerships []qingqian.Ownership
}

var ownerships = []qingqian.Ownership{qingqian.OwnershipPrivate, qingqian.OwnershipIndividual, qingqian.OwnershipForeign, qingqian.OwnershipState}

func (s *Server) newItemData(r *http.Request) (*newItemData, error) {
	orgs, _, err := s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Limit: 500, Active: ptr(true)})
	if err != nil {
		return nil, err
	}
	return &newItemData{Orgs: orgs, Kinds: qingqian.ItemKinds, Origins: qingqian.Origins, Fundings: fundings, Ownerships: ownerships}, nil
}

func ptr[T any](v T) *T { return &v }

func (s *Server) newItemPage(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).CanWrite() {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "当前账号只有查看权限")
	}
	d, err := s.newItemData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "item_new", &view{Title: "新增台账条目", Nav: "ledger", Data: d, Form: url.Values{"origin": {"new"}}})
	return nil
}

func (s *Server) createItemForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	form := r.PostForm
	fail := func(err error) error {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		d, derr := s.newItemData(r)
		if derr != nil {
			return derr
		}
		s.render(w, r, http.StatusBadRequest, "item_new", &view{Title: "新增台账条目", Nav: "ledger", Data: d, Error: msg, Fields: fields, Form: form})
		return nil
	}
	it := &qingqian.Item{No: strings.TrimSpace(form.Get("no")), OrgID: atoi64(form.Get("org_id")), ContractNo: strings.TrimSpace(form.Get("contract_no")),
		ContractName: strings.TrimSpace(form.Get("contract_name")), Kind: qingqian.ItemKind(form.Get("kind")), Origin: qingqian.Origin(form.Get("origin")),
		DisputeReason: strings.TrimSpace(form.Get("dispute_reason")), FundingSource: qingqian.FundingSource(form.Get("funding_source")),
		Responsible: strings.TrimSpace(form.Get("responsible")), Note: strings.TrimSpace(form.Get("note"))}
	bad := qingqian.Validation{}
	var err error
	if it.ArisenOn, err = qingqian.ParseDate(form.Get("arisen_on")); err != nil {
		bad.Add("arisen_on", "请填写发生日期")
	}
	if v := form.Get("due_on"); v != "" {
		if it.DueOn, err = qingqian.ParseDate(v); err != nil {
			bad.Add("due_on", "日期格式不正确")
		}
	}
	money := func(field string) qingqian.Money {
		v := strings.ReplaceAll(strings.TrimSpace(form.Get(field)), ",", "")
		if v == "" {
			return 0
		}
		m, err := qingqian.ParseYuan(v)
		if err != nil {
			bad.Add(field, "金额应为元，最多两位小数")
		}
		return m
	}
	it.Undisputed, it.Disputed = money("undisputed"), money("disputed")
	uscc := qingqian.NormalizeUSCC(form.Get("uscc"))
	if msg := qingqian.CheckUSCC(uscc); msg != "" {
		bad.Add("uscc", msg)
	}
	if err := bad.Err(); err != nil {
		return fail(err)
	}
	// The creditor is the one registered with the USCC, or a new one registered with the item.
	it.Creditor = &qingqian.Creditor{Name: form.Get("creditor_name"), USCC: uscc, Ownership: qingqian.Ownership(form.Get("ownership"))}
	if err := s.Items.CreateItem(ctx, it); err != nil {
		return fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?done=item", it.ID), http.StatusSeeOther)
	return nil
}

// ---- orgs, creditors ----

type orgsData struct {
	Q       string
	Orgs    []*qingqian.Org
	Parents []*qingqian.Org
	Total   int
	Pager   *pager
}

func (s *Server) orgsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderOrgs(w, r, http.StatusOK, &view{})
}

func (s *Server) renderOrgs(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	d := &orgsData{Q: q.str("q")}
	var err error
	if d.Orgs, d.Total, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Query: d.Q, Offset: (page - 1) * 100, Limit: 100}); err != nil {
		return err
	}
	if d.Parents, _, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Active: ptr(true), Limit: 500}); err != nil {
		return err
	}
	d.Pager = newPager(r, page, 100, d.Total)
	v.Title, v.Nav, v.Data = "单位", "orgs", d
	s.render(w, r, status, "orgs", v)
	return nil
}

func (s *Server) createOrgForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	f := r.PostForm
	o := &qingqian.Org{ParentID: atoi64(f.Get("parent_id")), Name: strings.TrimSpace(f.Get("name")), ShortName: strings.TrimSpace(f.Get("short_name")),
		USCC: f.Get("uscc"), Kind: qingqian.OrgKind(f.Get("kind")), LeaderName: f.Get("leader_name"), Department: f.Get("department"),
		LiaisonName: f.Get("liaison_name"), LiaisonPhone: strings.TrimSpace(f.Get("liaison_phone"))}
	if err := s.Orgs.CreateOrg(r.Context(), o); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		return s.renderOrgs(w, r, http.StatusBadRequest, &view{Error: msg, Fields: fields, Form: f})
	}
	http.Redirect(w, r, "/orgs?done=org", http.StatusSeeOther)
	return nil
}

type creditorsData struct {
	Q          string
	Creditors  []*qingqian.Creditor
	Total      int
	Pager      *pager
	Ownerships []qingqian.Ownership
	Sizes      []qingqian.Size
}

func (s *Server) creditorsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCreditors(w, r, http.StatusOK, &view{})
}

func (s *Server) renderCreditors(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	d := &creditorsData{Q: q.str("q"), Ownerships: ownerships, Sizes: []qingqian.Size{qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium, qingqian.SizeLarge}}
	var err error
	if d.Creditors, d.Total, err = s.Creditors.FindCreditors(r.Context(), qingqian.CreditorFilter{Query: d.Q, Offset: (page - 1) * 100, Limit: 100}); err != nil {
		return err
	}
	d.Pager = newPager(r, page, 100, d.Total)
	v.Title, v.Nav, v.Data = "债权企业", "creditors", d
	s.render(w, r, status, "creditors", v)
	return nil
}

func (s *Server) createCreditorForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	f := r.PostForm
	c := &qingqian.Creditor{Name: strings.TrimSpace(f.Get("name")), USCC: f.Get("uscc"), Ownership: qingqian.Ownership(f.Get("ownership")),
		Size: qingqian.Size(f.Get("size")), SizeEvidence: f.Get("size_evidence"), Region: f.Get("region")}
	var err error
	if v := f.Get("size_declared_on"); v != "" {
		if c.SizeDeclaredOn, err = qingqian.ParseDate(v); err != nil {
			return s.renderCreditors(w, r, http.StatusBadRequest, &view{Error: "日期格式不正确", Fields: map[string]string{"size_declared_on": "日期格式不正确"}, Form: f})
		}
	}
	if err := s.Creditors.CreateCreditor(r.Context(), c); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		return s.renderCreditors(w, r, http.StatusBadRequest, &view{Error: msg, Fields: fields, Form: f})
	}
	http.Redirect(w, r, "/creditors?done=creditor", http.StatusSeeOther)
	return nil
}

// ---- users ----

type usersData struct {
	Users      []*qingqian.User
	Orgs       []*qingqian.Org
	Roles      []qingqian.Role
	Tokens     []*qingqian.Token
	TokenRoles []qingqian.Role
	NewSecret  string // a token just created, shown this once
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, &view{})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	d := &usersData{Roles: qingqian.Roles, TokenRoles: []qingqian.Role{qingqian.RoleClerk, qingqian.RoleObserver, qingqian.RoleSupervisor, qingqian.RoleAuditor}}
	if sd, ok := v.Data.(*usersData); ok {
		d.NewSecret = sd.NewSecret
	}
	var err error
	if d.Users, _, err = s.Users.FindUsers(r.Context(), qingqian.UserFilter{Limit: 500}); err != nil {
		return err
	}
	if d.Tokens, err = s.Tokens.FindTokens(r.Context()); err != nil {
		return err
	}
	if d.Orgs, _, err = s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Active: ptr(true), Limit: 500}); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "用户", "users", d
	s.render(w, r, status, "users", v)
	return nil
}

func (s *Server) createUserForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	f := r.PostForm
	u := &qingqian.User{Username: f.Get("username"), Name: strings.TrimSpace(f.Get("name")), OrgID: atoi64(f.Get("org_id"))}
	for _, role := range f["roles"] {
		u.Roles = append(u.Roles, qingqian.Role(role))
	}
	if err := s.Users.CreateUser(r.Context(), u, f.Get("password")); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		f.Del("password")
		return s.renderUsers(w, r, http.StatusBadRequest, &view{Error: msg, Fields: fields, Form: f})
	}
	http.Redirect(w, r, "/users?done=user", http.StatusSeeOther)
	return nil
}

func (s *Server) resetPasswordForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	if err := s.Users.ResetPassword(r.Context(), id, r.PostForm.Get("password")); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		return s.renderUsers(w, r, http.StatusBadRequest, &view{Error: "重置密码失败：" + msg, Fields: fields})
	}
	http.Redirect(w, r, "/users?done=reset", http.StatusSeeOther)
	return nil
}

func (s *Server) userActiveForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	active := r.PostForm.Get("active") == "true"
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if _, err := s.Users.UpdateUser(r.Context(), id, qingqian.UserUpdate{Version: version, Active: &active}); err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		return s.renderUsers(w, r, http.StatusBadRequest, &view{Error: msg, Fields: fields})
	}
	http.Redirect(w, r, "/users?done=active", http.StatusSeeOther)
	return nil
}

func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "提交的内容无法识别")
	}
	var roles []qingqian.Role
	for _, role := range r.PostForm["token_roles"] {
		roles = append(roles, qingqian.Role(role))
	}
	_, secret, err := s.Tokens.CreateToken(r.Context(), strings.TrimSpace(r.PostForm.Get("token_name")), atoi64(r.PostForm.Get("token_org")), roles)
	if err != nil {
		msg, fields, ok := formError(err)
		if !ok {
			return err
		}
		tf := map[string]string{}
		for k, v := range fields {
			tf["token_"+k] = v
		}
		return s.renderUsers(w, r, http.StatusBadRequest, &view{Error: "创建令牌失败：" + msg, Fields: tf, Form: r.PostForm})
	}
	// The secret is shown on this response only; it is never stored.
	return s.renderUsers(w, r, http.StatusOK, &view{Flash: "接口令牌已创建，请立即复制保存，离开本页后无法再次查看。", Data: &usersData{NewSecret: secret}})
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Tokens.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/users?done=revoked#tokens", http.StatusSeeOther)
	return nil
}

// ---- audit ----

type auditData struct {
	F        qingqian.AuditFilter
	Records  []*qingqian.AuditRecord
	Total    int
	Pager    *pager
	Entities []string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	f := qingqian.AuditFilter{Entity: q.str("entity"), EntityID: q.id("entity_id"), Action: q.str("action"), Actor: q.str("actor"), Offset: (page - 1) * 100, Limit: 100}
	if err := q.err(); err != nil {
		return err
	}
	a := qingqian.ActorFrom(r.Context())
	if !a.Has(qingqian.RoleAuditor, qingqian.RoleSupervisor, qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有审计、清欠办和管理员可以查询审计日志")
	}
	recs, total, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	d := &auditData{F: f, Records: recs, Total: total, Pager: newPager(r, page, 100, total),
		Entities: []string{"item", "org", "creditor", "user", "voucher", "token"}}
	s.render(w, r, http.StatusOK, "audit", &view{Title: "审计日志", Nav: "audit", Data: d})
	return nil
}
