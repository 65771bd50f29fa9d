package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

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

// writableItem checks, before any input is read, that the actor may write and reaches the item:
// an observer gets 403 and another group's item 404 whatever the form holds.
func (s *Server) writableItem(r *http.Request, id int64) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	_, err := s.Items.FindItemByID(r.Context(), id, qingqian.Date{}, time.Time{})
	return err
}

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
		Responsible: strings.TrimSpace(form.Get("responsible")), Note: strings.TrimSpace(form.Get("note")), CreditorID: -1}
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
	// Check the item's own fields before creating a creditor, so that bad input writes nothing.
	probe := *it
	probe.CreditorID = 1
	if err := probe.Validate(); err != nil {
		return fail(err)
	}
	cs, _, err := s.Creditors.FindCreditors(ctx, qingqian.CreditorFilter{USCC: uscc, Limit: 1})
	if err != nil {
		return err
	}
	if len(cs) == 1 {
		it.CreditorID = cs[0].ID
	} else {
		c := &qingqian.Creditor{Name: strings.TrimSpace(form.Get("creditor_name")), USCC: uscc, Ownership: qingqian.Ownership(form.Get("ownership"))}
		if c.Name == "" {
			return fail(fieldErr("creditor_name", "该信用代码的债权企业尚未登记，请填写企业名称"))
		}
		if err := s.Creditors.CreateCreditor(ctx, c); err != nil {
			if f := qingqian.ErrorFields(err); f["name"] != "" {
				err = fieldErr("creditor_name", f["name"])
			}
			return fail(err)
		}
		it.CreditorID = c.ID
	}
	if err := s.Items.CreateItem(ctx, it); err != nil {
		return fail(err)
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?done=item", it.ID), http.StatusSeeOther)
	return nil
}

// ---- API ----

func (s *Server) listItems(w http.ResponseWriter, r *http.Request) error {
	f, q := ledgerFilter(r)
	f.Offset, f.Limit = q.int("offset", 0), q.int("limit", 50)
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Items.FindItems(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		list[*qingqian.Item]
		TotalOutstanding qingqian.Money `json:"total_outstanding"`
	}{list[*qingqian.Item]{page.Items, page.Total, f.Offset, limitOf(f.Limit)}, page.TotalOutstanding})
	return nil
}

type itemInput struct {
	No            string                 `json:"no"`
	OrgID         int64                  `json:"org_id"`
	CreditorID    int64                  `json:"creditor_id"`
	ContractNo    string                 `json:"contract_no"`
	ContractName  string                 `json:"contract_name"`
	Kind          qingqian.ItemKind      `json:"kind"`
	ArisenOn      qingqian.Date          `json:"arisen_on"`
	DueOn         qingqian.Date          `json:"due_on"`
	Undisputed    qingqian.Money         `json:"undisputed"`
	Disputed      qingqian.Money         `json:"disputed"`
	DisputeReason string                 `json:"dispute_reason"`
	FundingSource qingqian.FundingSource `json:"funding_source"`
	Origin        qingqian.Origin        `json:"origin"`
	Responsible   string                 `json:"responsible"`
	Note          string                 `json:"note"`
}

func (s *Server) createItem(w http.ResponseWriter, r *http.Request) error {
	var in itemInput
	if err := decode(r, &in); err != nil {
		return err
	}
	it := &qingqian.Item{No: in.No, OrgID: in.OrgID, CreditorID: in.CreditorID, ContractNo: in.ContractNo, ContractName: in.ContractName,
		Kind: in.Kind, ArisenOn: in.ArisenOn, DueOn: in.DueOn, Undisputed: in.Undisputed, Disputed: in.Disputed, DisputeReason: in.DisputeReason,
		FundingSource: in.FundingSource, Origin: in.Origin, Responsible: in.Responsible, Note: in.Note}
	if err := s.Items.CreateItem(r.Context(), it); err != nil {
		return err
	}
	got, err := s.Items.FindItemByID(r.Context(), it.ID, qingqian.Date{}, time.Time{})
	if err != nil {
		return err
	}
	etag(w, got.Version)
	writeJSON(w, http.StatusCreated, got)
	return nil
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	asOf, known := q.date("as_of"), q.time("known_at")
	if err := q.err(); err != nil {
		return err
	}
	it, err := s.Items.FindItemByID(r.Context(), id, asOf, known)
	if err != nil {
		return err
	}
	etag(w, it.Version)
	writeJSON(w, http.StatusOK, it)
	return nil
}

func (s *Server) updateItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd qingqian.ItemUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	if upd.Version, err = ifMatch(r, upd.Version); err != nil {
		return err
	}
	if _, err := s.Items.UpdateItem(r.Context(), id, upd); err != nil {
		return err
	}
	it, err := s.Items.FindItemByID(r.Context(), id, qingqian.Date{}, time.Time{})
	if err != nil {
		return err
	}
	etag(w, it.Version)
	writeJSON(w, http.StatusOK, it)
	return nil
}
