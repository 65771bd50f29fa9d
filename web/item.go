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
	Pager    *ledgerPager
	Heads    map[string]sortHeader
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
	for _, k := range []string{"disputed", "overdue", "min_amount", "max_amount", "as_of"} {
		d.Q[k] = r.URL.Query().Get(k)
	}
	f, q := ledgerFilter(r)
	// The page number is the one place a page is named by: a row cursor (after, before: the
	// API's) beside it could name another page than the number shown (ADR 33). A link that
	// carries one is sent to the same page by number.
	if r.URL.Query().Has("after") || r.URL.Query().Has("before") {
		http.Redirect(w, r, ledgerLink(r, map[string]string{"after": "", "before": ""}), http.StatusSeeOther)
		return nil
	}
	page := max(1, q.int("page", 1))
	f.Limit, f.Offset = pageSize, (page-1)*pageSize
	d.Heads = sortHeaders(r, f.Sort)
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
	if last := max(1, (d.Page.Total+pageSize-1)/pageSize); page > last {
		// Past the last page (a link kept while the set shrank, or typed): the last page.
		http.Redirect(w, r, pageLinkOf(r, last), http.StatusSeeOther)
		return nil
	}
	d.Pager = newLedgerPager(r, page, pageSize, d.Page.Total)
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
		Query: q.str("q"), Sort: q.str("sort"), AsOf: q.date("as_of")}
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
	Late       map[int64]bool // entries recorded after their period was reported
	Kinds      []qingqian.EntryKind
	Parts      []qingqian.Part
	Methods    []qingqian.PayMethod
	Fundings   []qingqian.FundingSource
	Idem       string
	Kept       []*qingqian.Voucher // voucher files stored by a form that failed, to attach on saving
	PlanForm   url.Values
	PlanRows   int
	PlanError  string
	PlanErrors map[string]string
	Cause      *causeBox
	// Bills are the item's bills; BillsPending what of them counts as not yet honoured on AsOf.
	Bills        []*qingqian.Bill
	BillsPending qingqian.Money
	BillKinds    []qingqian.BillKind
	// Lines are the bank statement lines that prove repayments, by entry.
	Lines map[int64]*qingqian.StatementLine
	// Letters are the confirmation letters that asked about repayments, by entry.
	Letters map[int64]qingqian.LetterRef
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
		Parts: qingqian.Parts, Methods: []qingqian.PayMethod{qingqian.MethodTransfer, qingqian.MethodCash, qingqian.MethodOffset},
		Fundings: fundings, Idem: randomKey(), PlanForm: url.Values{}, BillKinds: qingqian.BillKinds}
	if d.Bills, err = s.Bills.FindBills(ctx, id); err != nil {
		return nil, err
	}
	for _, b := range d.Bills {
		if b.PendingAt(asOf, time.Time{}) {
			d.BillsPending += b.Amount
		}
	}
	if d.Lines, err = s.Statements.FindStatementLines(ctx, id); err != nil {
		return nil, err
	}
	if d.Letters, err = s.Letters.EntryLetters(ctx, id); err != nil {
		return nil, err
	}
	if d.Entries, err = s.Entries.FindEntries(ctx, id); err != nil {
		return nil, err
	}
	if d.Late, err = s.lateEntries(ctx, it, d.Entries); err != nil {
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
	return s.showItem(w, r, id, false)(http.StatusOK, &view{Form: url.Values{"on": {qingqian.Today().String()}}})
}

// showItem returns how the item page is shown with a view of one of its forms: the plan form
// (plan) keeps its message and what was typed in its own part of the page; the other forms use
// the page's, and a repayment that failed keeps its idempotency key.
func (s *Server) showItem(w http.ResponseWriter, r *http.Request, id int64, plan bool) func(status int, v *view) error {
	return func(status int, v *view) error {
		d, err := s.loadItem(r, id)
		if err != nil {
			return err
		}
		if plan {
			d.PlanForm, d.PlanError, d.PlanErrors = v.Form, v.Error, v.Fields
			if d.PlanForm == nil {
				d.PlanForm = url.Values{}
			}
			if len(v.Fields) == 0 {
				d.PlanErrors = nil
			}
			v = &view{}
		} else {
			if k := v.Form.Get("idem"); k != "" {
				d.Idem = k
			}
			d.Kept = s.keptVouchers(r.Context(), v.Form["voucher"])
		}
		d.PlanRows = padPlanForm(d.PlanForm)
		if d.Cause, err = s.causeBoxFor(r, qingqian.SubjectItem, id, v, true); err != nil {
			return err
		}
		v.Title, v.Nav, v.Data = d.Item.ContractName, "ledger", d
		s.render(w, r, status, "item", v)
		return nil
	}
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

func (s *Server) showNewItem(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	orgs, _, err := s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Limit: 500, Active: ptr(true)})
	if err != nil {
		return err
	}
	v.Title, v.Nav = "新增台账条目", "ledger"
	v.Data = &newItemData{Orgs: orgs, Kinds: qingqian.ItemKinds, Origins: qingqian.Origins, Fundings: fundings, Ownerships: ownerships}
	s.render(w, r, status, "item_new", v)
	return nil
}

func (s *Server) newItemPage(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).CanWrite() {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "当前账号只有查看权限")
	}
	return s.showNewItem(w, r, http.StatusOK, &view{Form: url.Values{"origin": {"new"}}})
}

func (s *Server) createItemForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	it := &qingqian.Item{No: strings.TrimSpace(form.Get("no")), OrgID: atoi64(form.Get("org_id")), ContractNo: strings.TrimSpace(form.Get("contract_no")),
		ContractName: strings.TrimSpace(form.Get("contract_name")), Kind: qingqian.ItemKind(form.Get("kind")), Origin: qingqian.Origin(form.Get("origin")),
		ArisenOn: formDate(form, "arisen_on", bad), DueOn: formDate(form, "due_on", bad), Undisputed: formMoney(form, "undisputed", bad), Disputed: formMoney(form, "disputed", bad),
		DisputeReason: strings.TrimSpace(form.Get("dispute_reason")), FundingSource: qingqian.FundingSource(form.Get("funding_source")),
		Responsible: strings.TrimSpace(form.Get("responsible")), Note: strings.TrimSpace(form.Get("note"))}
	uscc := qingqian.NormalizeUSCC(form.Get("uscc"))
	if msg := qingqian.CheckUSCC(uscc); msg != "" {
		bad.Add("uscc", msg)
	}
	return s.submit(w, r, form, bad, func() error {
		// The creditor is the one registered with the USCC, or a new one registered with the item.
		it.Creditor = &qingqian.Creditor{Name: form.Get("creditor_name"), USCC: uscc, Ownership: qingqian.Ownership(form.Get("ownership"))}
		return s.Items.CreateItem(ctx, it)
	}, func(st int, v *view) error { return s.showNewItem(w, r, st, v) }, func() string { return fmt.Sprintf("/items/%d?done=item", it.ID) })
}

// ---- API ----

func (s *Server) listItems(w http.ResponseWriter, r *http.Request) error {
	f, q := ledgerFilter(r)
	f.Offset, f.Limit = q.int("offset", 0), q.int("limit", 50)
	f.After, f.Before = q.str("after"), q.str("before")
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Items.FindItems(r.Context(), f)
	if err != nil {
		return err
	}
	// next and prev are the cursors of the pages after and before this one (after=, before=),
	// empty at either end of the set.
	var next, prev string
	if len(page.Items) == limitOf(f.Limit) {
		next = page.Last
	}
	if f.Offset > 0 || f.After != "" || (f.Before != "" && len(page.Items) == limitOf(f.Limit)) {
		prev = page.First
	}
	writeJSON(w, http.StatusOK, struct {
		list[*qingqian.Item]
		TotalOutstanding qingqian.Money `json:"total_outstanding"`
		Next             string         `json:"next,omitempty"`
		Prev             string         `json:"prev,omitempty"`
	}{list[*qingqian.Item]{page.Items, page.Total, f.Offset, limitOf(f.Limit)}, page.TotalOutstanding, next, prev})
	return nil
}

type itemInput struct {
	No            string                 `json:"no"`
	OrgID         int64                  `json:"org_id"`
	CreditorID    int64                  `json:"creditor_id"`
	CreditorUSCC  string                 `json:"creditor_uscc"` // instead of creditor_id: the creditor of this code, registered if new
	CreditorName  string                 `json:"creditor_name"` // the name of a creditor registered with the item
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
	if in.CreditorID == 0 && in.CreditorUSCC != "" {
		// A unit names by its code a creditor it does not see yet (see qingqian.CreditorService).
		it.Creditor = &qingqian.Creditor{USCC: in.CreditorUSCC, Name: in.CreditorName}
	}
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
