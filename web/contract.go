package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/qingqian/qingqian"
)

// ---- pages ----

type contractsData struct {
	Page     *qingqian.ContractPage
	Pager    *pager
	Q        string
	Unlawful string
}

func (s *Server) contractsPage(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	f := qingqian.ContractFilter{OrgID: q.id("org_id"), Query: q.str("q"), Unlawful: q.boolp("unlawful"), Offset: (page - 1) * pageSize, Limit: pageSize}
	if err := q.err(); err != nil {
		return err
	}
	p, err := s.Contracts.FindContracts(r.Context(), f)
	if err != nil {
		return err
	}
	d := &contractsData{Page: p, Pager: newPager(r, page, pageSize, p.Total), Q: f.Query, Unlawful: q.str("unlawful")}
	s.render(w, r, http.StatusOK, "contracts", &view{Title: "合同台账", Nav: "contracts", Data: d})
	return nil
}

type contractNewData struct {
	Correcting  *qingqian.Contract // the contract whose terms the form corrects; nil to register one
	Orgs        []*qingqian.Org
	Kinds       []qingqian.ItemKind
	Buyers      []qingqian.BuyerKind
	Sizes       []qingqian.Size
	Settlements []qingqian.Settlement
}

func (s *Server) newContractPage(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).CanWrite() {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "当前账号只有查看权限")
	}
	return s.showNewContract(w, r, http.StatusOK, &view{Form: url.Values{"buyer_kind": {"large"}, "settlement": {"once"}, "supplier_size": {"small"}}})
}

func (s *Server) showNewContract(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	orgs, _, err := s.Orgs.FindOrgs(r.Context(), qingqian.OrgFilter{Limit: 500})
	if err != nil {
		return err
	}
	v.Title, v.Nav = "登记合同", "contracts"
	v.Data = &contractNewData{Orgs: orgs, Kinds: qingqian.ContractKinds,
		Buyers:      []qingqian.BuyerKind{qingqian.BuyerLarge, qingqian.BuyerInstitution, qingqian.BuyerOrgan},
		Sizes:       []qingqian.Size{qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium, qingqian.SizeLarge},
		Settlements: []qingqian.Settlement{qingqian.SettleOnce, qingqian.SettleProgress, qingqian.SettlePeriod}}
	s.render(w, r, status, "contract_new", v)
	return nil
}

// formRate reads an agreed overdue rate in per cent and its basis ("day" or "year").
func formRate(form url.Values, bad qingqian.Validation) qingqian.Rate {
	s := strings.TrimSpace(form.Get("agreed_rate"))
	if s == "" {
		return qingqian.Rate{}
	}
	r, err := qingqian.ParsePercent(s)
	if err != nil {
		bad.Add("agreed_rate", "约定逾期利率应为百分数，最多四位小数，如 0.05 或 4.35")
	}
	r.PerDay = form.Get("agreed_rate_basis") == "day"
	return r
}

func (s *Server) createContractForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	k := contractFromForm(form, bad)
	k.OrgID, k.No = atoi64(form.Get("org_id")), strings.TrimSpace(form.Get("no"))
	uscc := qingqian.NormalizeUSCC(form.Get("uscc"))
	if msg := qingqian.CheckUSCC(uscc); msg != "" {
		bad.Add("uscc", msg)
	}
	return s.submit(w, r, form, bad, func() error {
		k.Creditor = &qingqian.Creditor{Name: form.Get("creditor_name"), USCC: uscc, Ownership: qingqian.OwnershipPrivate,
			Size: k.SupplierSize, SizeDeclaredOn: k.SizeDeclaredOn, SizeEvidence: k.SizeEvidence}
		return s.Contracts.CreateContract(ctx, k)
	}, func(st int, v *view) error { return s.showNewContract(w, r, st, v) }, func() string { return fmt.Sprintf("/contracts/%d?done=contract", k.ID) })
}

// contractFromForm reads the terms of a contract from its form: the registration's and the
// correction's.
func contractFromForm(form url.Values, bad qingqian.Validation) *qingqian.Contract {
	return &qingqian.Contract{Name: strings.TrimSpace(form.Get("name")),
		Kind: qingqian.ItemKind(form.Get("kind")), Buyer: qingqian.BuyerKind(form.Get("buyer_kind")), SignedOn: formDate(form, "signed_on", bad),
		Amount: formMoney(form, "amount", bad), SupplierSize: qingqian.Size(form.Get("supplier_size")), SizeDeclaredOn: formDate(form, "size_declared_on", bad),
		SizeEvidence: strings.TrimSpace(form.Get("size_evidence")), Settlement: qingqian.Settlement(form.Get("settlement")),
		AgreedDays: formInt(form, "agreed_days", bad), AcceptanceCondition: form.Get("acceptance_condition") != "",
		AcceptanceDays: formInt(form, "acceptance_days", bad), AgreedRate: formRate(form, bad),
		PayWhenPaid: form.Get("pay_when_paid") != "", AuditBasis: form.Get("audit_basis") != "", ForcedBills: form.Get("forced_bills") != "",
		Note: strings.TrimSpace(form.Get("note"))}
}

type contractData struct {
	Contract *qingqian.Contract
	AsOf     qingqian.Date
	Kinds    []qingqian.EventKind
	Methods  []qingqian.PayMethod
	Unlawful []qingqian.RuleFlag
	Warnings []qingqian.RuleFlag
}

func (s *Server) contractPage(w http.ResponseWriter, r *http.Request) error {
	return s.showContract(w, r, http.StatusOK, &view{})
}

func (s *Server) showContract(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	k, err := s.Contracts.FindContractByID(r.Context(), id, asOf)
	if err != nil {
		return err
	}
	d := &contractData{Contract: k, AsOf: asOf, Kinds: qingqian.EventKinds,
		Methods: []qingqian.PayMethod{qingqian.MethodTransfer, qingqian.MethodCash, qingqian.MethodBill, qingqian.MethodReceivable, qingqian.MethodOffset}}
	d.Unlawful, d.Warnings = splitFlags(k.Flags)
	v.Title, v.Nav, v.Data = "合同 "+k.No, "contracts", d
	s.render(w, r, status, "contract", v)
	return nil
}

// splitFlags parts flags into the unlawful ones and the warnings, each once.
func splitFlags(flags []qingqian.RuleFlag) (unlawful, warnings []qingqian.RuleFlag) {
	seen := map[string]bool{}
	for _, f := range flags {
		if seen[f.Code] {
			continue
		}
		seen[f.Code] = true
		if f.Unlawful {
			unlawful = append(unlawful, f)
		} else {
			warnings = append(warnings, f)
		}
	}
	return
}

func (s *Server) addContractEventForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	e := &qingqian.ContractEvent{ContractID: id, Kind: qingqian.EventKind(form.Get("kind")), On: formDate(form, "on", bad),
		EndOn: formDate(form, "end_on", bad), Note: strings.TrimSpace(form.Get("note")), LateBySupplier: form.Get("late_by_supplier") != ""}
	if strings.TrimSpace(form.Get("amount")) != "" {
		e.Amount = formMoney(form, "amount", bad)
	}
	if e.Kind == qingqian.EventPayment {
		e.Method, e.VoucherNo = qingqian.PayMethod(form.Get("method")), strings.TrimSpace(form.Get("voucher_no"))
	}
	return s.submit(w, r, form, bad, func() error { return s.Contracts.AddContractEvent(ctx, e) },
		func(st int, v *view) error { return s.showContract(w, r, st, v) }, func() string { return fmt.Sprintf("/contracts/%d?done=contract_event", id) })
}

type lprData struct {
	Rates    qingqian.LPRTable
	Admin    bool
	Reminder string // a publication missing from the table (qingqian.LPRReminder)
}

func (s *Server) lprPage(w http.ResponseWriter, r *http.Request) error {
	return s.showLPR(w, r, http.StatusOK, &view{})
}

func (s *Server) showLPR(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	rates, err := s.LPR.FindLPR(ctx)
	if err != nil {
		return err
	}
	reminder := qingqian.LPRReminder(rates, qingqian.Today())
	rates = slices.Clone(rates)
	slices.Reverse(rates)
	v.Title, v.Nav, v.Data = "贷款市场报价利率（LPR）", "calendar", &lprData{Rates: rates, Admin: qingqian.ActorFrom(ctx).Has(qingqian.RoleAdmin), Reminder: reminder}
	s.render(w, r, status, "lpr", v)
	return nil
}

func (s *Server) lprForm(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以录入LPR")
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	rates, err := qingqian.ParseLPR(strings.NewReader(form.Get("rates")))
	if err == nil {
		err = s.LPR.SetLPR(r.Context(), rates)
	} else {
		msg, fields, _ := formError(err)
		var lines []string
		for _, m := range fields {
			lines = append(lines, m)
		}
		slices.Sort(lines)
		err = &qingqian.Error{Code: qingqian.EINVALID, Message: msg, Fields: map[string]string{"rates": strings.Join(lines, "；")}}
	}
	if err != nil {
		return s.retry(w, r, err, form, func(st int, v *view) error { return s.showLPR(w, r, st, v) })
	}
	http.Redirect(w, r, "/lpr?done=lpr", http.StatusSeeOther)
	return nil
}

// ---- API ----

func (s *Server) listContracts(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.ContractFilter{OrgID: q.id("org_id"), Query: q.str("q"), Unlawful: q.boolp("unlawful"), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if err := q.err(); err != nil {
		return err
	}
	p, err := s.Contracts.FindContracts(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(p.Contracts, p.Total, f.Offset, limitOf(f.Limit)))
	return nil
}

type contractInput struct {
	OrgID        int64               `json:"org_id"`
	CreditorID   int64               `json:"creditor_id"`
	CreditorUSCC string              `json:"creditor_uscc"` // instead of creditor_id: the supplier of this code, registered if new
	CreditorName string              `json:"creditor_name"` // the name of a supplier registered with the contract
	No           string              `json:"no"`
	Name         string              `json:"name"`
	Kind         qingqian.ItemKind   `json:"kind"`
	Buyer        qingqian.BuyerKind  `json:"buyer_kind"`
	SignedOn     qingqian.Date       `json:"signed_on"`
	Amount       qingqian.Money      `json:"amount"`
	SupplierSize qingqian.Size       `json:"supplier_size"`
	SizeDeclared qingqian.Date       `json:"size_declared_on"`
	SizeEvidence string              `json:"size_evidence"`
	Settlement   qingqian.Settlement `json:"settlement"`
	AgreedDays   int                 `json:"agreed_days"`
	Acceptance   bool                `json:"acceptance_condition"`
	AcceptDays   int                 `json:"acceptance_days"`
	// AgreedRate is the agreed overdue rate in per cent ("4.35"), per day when AgreedRatePerDay.
	AgreedRate       string `json:"agreed_rate"`
	AgreedRatePerDay bool   `json:"agreed_rate_per_day"`
	PayWhenPaid      bool   `json:"pay_when_paid"`
	AuditBasis       bool   `json:"audit_basis"`
	ForcedBills      bool   `json:"forced_bills"`
	Note             string `json:"note"`
}

// contract is the contract the input describes.
func (in *contractInput) contract() (*qingqian.Contract, error) {
	k := &qingqian.Contract{OrgID: in.OrgID, CreditorID: in.CreditorID, No: in.No, Name: in.Name, Kind: in.Kind, Buyer: in.Buyer, SignedOn: in.SignedOn,
		Amount: in.Amount, SupplierSize: in.SupplierSize, SizeDeclaredOn: in.SizeDeclared, SizeEvidence: in.SizeEvidence, Settlement: in.Settlement,
		AgreedDays: in.AgreedDays, AcceptanceCondition: in.Acceptance, AcceptanceDays: in.AcceptDays, PayWhenPaid: in.PayWhenPaid,
		AuditBasis: in.AuditBasis, ForcedBills: in.ForcedBills, Note: in.Note}
	if in.AgreedRate != "" {
		rate, err := qingqian.ParsePercent(in.AgreedRate)
		if err != nil {
			return nil, fieldErr("agreed_rate", "约定逾期利率应为百分数字符串，最多四位小数，如 \"4.35\"")
		}
		rate.PerDay = in.AgreedRatePerDay
		k.AgreedRate = rate
	}
	return k, nil
}

func (s *Server) createContract(w http.ResponseWriter, r *http.Request) error {
	var in contractInput
	if err := decode(r, &in); err != nil {
		return err
	}
	k, err := in.contract()
	if err != nil {
		return err
	}
	if in.CreditorID == 0 && in.CreditorUSCC != "" {
		k.Creditor = &qingqian.Creditor{USCC: in.CreditorUSCC, Name: in.CreditorName, Size: in.SupplierSize, SizeDeclaredOn: in.SizeDeclared, SizeEvidence: in.SizeEvidence}
	}
	if err := s.Contracts.CreateContract(r.Context(), k); err != nil {
		return err
	}
	got, err := s.Contracts.FindContractByID(r.Context(), k.ID, qingqian.Date{})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, got)
	return nil
}

func (s *Server) getContract(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	k, err := s.Contracts.FindContractByID(r.Context(), id, asOf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

type contractEventInput struct {
	Kind           qingqian.EventKind `json:"kind"`
	On             qingqian.Date      `json:"on"`
	Amount         qingqian.Money     `json:"amount"`
	Method         qingqian.PayMethod `json:"method"`
	VoucherNo      string             `json:"voucher_no"`
	LateBySupplier bool               `json:"late_by_supplier"`
	EndOn          qingqian.Date      `json:"end_on"`
	Note           string             `json:"note"`
	Key            string             `json:"key"` // idempotency key: an event already recorded with it is not recorded again
}

func (in contractEventInput) event(contract int64) *qingqian.ContractEvent {
	return &qingqian.ContractEvent{ContractID: contract, Kind: in.Kind, On: in.On, Amount: in.Amount, Method: in.Method, VoucherNo: in.VoucherNo,
		LateBySupplier: in.LateBySupplier, EndOn: in.EndOn, Note: in.Note, Key: in.Key}
}

func (s *Server) addContractEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in contractEventInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Contracts.AddContractEvent(r.Context(), in.event(id)); err != nil {
		return err
	}
	k, err := s.Contracts.FindContractByID(r.Context(), id, qingqian.Date{})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (s *Server) getLPR(w http.ResponseWriter, r *http.Request) error {
	rates, err := s.LPR.FindLPR(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": rates})
	return nil
}

type lprInput struct {
	Published string `json:"published"`
	OneYear   string `json:"one_year"`  // per cent, "3.00"
	FiveYear  string `json:"five_year"` // per cent, "3.50"
}

// lprBatch is what setLPR reads.
type lprBatch struct {
	Items []lprInput `json:"items"`
}

func (s *Server) setLPR(w http.ResponseWriter, r *http.Request) error {
	if !qingqian.ActorFrom(r.Context()).Has(qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有系统管理员可以录入LPR")
	}
	var in lprBatch
	if err := decode(r, &in); err != nil {
		return err
	}
	var b strings.Builder
	for _, x := range in.Items {
		fmt.Fprintf(&b, "%s,%s,%s\n", x.Published, x.OneYear, x.FiveYear)
	}
	rates, err := qingqian.ParseLPR(strings.NewReader(b.String()))
	if err != nil {
		return err
	}
	if err := s.LPR.SetLPR(r.Context(), rates); err != nil {
		return err
	}
	all, err := s.LPR.FindLPR(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": all})
	return nil
}

// ---- aging ----

// batchEventInput is one event of a batch: it names its contract by contract_id, or by org_id
// and contract_no (an ERP's own number).
type batchEventInput struct {
	ContractID int64  `json:"contract_id"`
	OrgID      int64  `json:"org_id"`
	ContractNo string `json:"contract_no"`
	contractEventInput
}

// eventBatch is what addContractEvents reads.
type eventBatch struct {
	Events []batchEventInput `json:"events"`
}

func (s *Server) addContractEvents(w http.ResponseWriter, r *http.Request) error {
	var in eventBatch
	if err := decode(r, &in); err != nil {
		return err
	}
	es := make([]*qingqian.ContractEvent, len(in.Events))
	for i, b := range in.Events {
		es[i] = b.event(b.ContractID)
		es[i].OrgID, es[i].ContractNo = b.OrgID, b.ContractNo
	}
	if err := s.Contracts.AddContractEvents(r.Context(), es); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"items": es})
	return nil
}
