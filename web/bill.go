package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

// ---- pages ----

type billsData struct {
	Org     *qingqian.Org
	AsOf    qingqian.Date
	Overdue bool // only the bills past maturity
	Summary *qingqian.BillSummary
}

// billsPage lists the bills not yet honoured in a subtree as of a date.
func (s *Server) billsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := newQuery(r)
	asOf, orgID, overdue := q.date("as_of"), q.id("org_id"), q.bool("overdue")
	if err := q.err(); err != nil {
		return err
	}
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	if orgID == 0 {
		orgID = qingqian.ActorFrom(ctx).OrgID
	}
	org, err := s.Orgs.FindOrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	sum, err := s.Bills.UnhonouredBills(ctx, qingqian.BillQuery{OrgID: orgID, AsOf: asOf, Limit: 500, Overdue: overdue})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "bills", &view{Title: "票据支付未兑付", Nav: "ledger", Data: &billsData{Org: org, AsOf: asOf, Overdue: overdue, Summary: sum}})
	return nil
}

// billInputOf reads a bill from a form.
func billInputOf(itemID int64, form map[string][]string, bad qingqian.Validation) qingqian.BillInput {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	return qingqian.BillInput{ItemID: itemID, Kind: qingqian.BillKind(get("bill_kind")), No: get("bill_no"),
		Amount: formMoney(form, "bill_amount", bad), Part: qingqian.Part(get("bill_part")), IssuedOn: formDate(form, "issued_on", bad),
		HandedOn: formDate(form, "handed_on", bad), MaturesOn: formDate(form, "matures_on", bad), Acceptor: get("acceptor"), Note: get("bill_note")}
}

// billField is the form's name of a field of a bill: the item page has other forms with the
// same names.
func billField(k string) string {
	switch k {
	case "kind", "no", "amount", "part", "note":
		return "bill_" + k
	}
	return k
}

// billFields renames the service's field names to the form's.
func billFields(err error) error {
	var e *qingqian.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	f := map[string]string{}
	for k, v := range e.Fields {
		f[billField(k)] = v
	}
	return &qingqian.Error{Code: e.Code, Message: e.Message, Fields: f, Err: e.Err}
}

func (s *Server) recordBillForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.writableItem(r, id); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	in := billInputOf(id, form, bad)
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Bills.RecordBill(r.Context(), in)
		return billFields(err)
	}, s.showItem(w, r, id, false), func() string { return fmt.Sprintf("/items/%d?done=bill#bills", id) })
}

// closeBillForm honours, dishonours or returns a bill from the item page.
func (s *Server) closeBillForm(to qingqian.BillState) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if _, err := qingqian.RequireWriter(r.Context()); err != nil {
			return err
		}
		b, err := s.Bills.FindBillByID(r.Context(), id)
		if err != nil {
			return err
		}
		form, err := parseForm(w, r)
		if err != nil {
			return err
		}
		bad := qingqian.Validation{}
		c := qingqian.BillClose{On: formDate(form, "on", bad), Reason: strings.TrimSpace(form.Get("reason")), VoucherNo: strings.TrimSpace(form.Get("voucher_no"))}
		return s.submit(w, r, form, bad, func() error {
			switch to {
			case qingqian.BillHonoured:
				_, err = s.Bills.HonourBill(r.Context(), id, c)
			case qingqian.BillReturned:
				_, err = s.Bills.ReturnBill(r.Context(), id, c)
			default:
				_, err = s.Bills.DishonourBill(r.Context(), id, c)
			}
			return err
		}, s.showItem(w, r, b.ItemID, false), func() string { return fmt.Sprintf("/items/%d?done=bill#bills", b.ItemID) })
	}
}

// ---- API ----

func (s *Server) listBills(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	bs, err := s.Bills.FindBills(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": bs})
	return nil
}

// billInput is a bill handed over for the item of the path.
type billInput struct {
	Kind      qingqian.BillKind `json:"kind"`
	No        string            `json:"no"`
	Amount    qingqian.Money    `json:"amount"`
	Part      qingqian.Part     `json:"part"`
	IssuedOn  qingqian.Date     `json:"issued_on"`
	HandedOn  qingqian.Date     `json:"handed_on"`
	MaturesOn qingqian.Date     `json:"matures_on"`
	Acceptor  string            `json:"acceptor"`
	Note      string            `json:"note"`
}

func (s *Server) createBill(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in billInput
	if err := decode(r, &in); err != nil {
		return err
	}
	b, err := s.Bills.RecordBill(r.Context(), qingqian.BillInput{ItemID: id, Kind: in.Kind, No: in.No, Amount: in.Amount, Part: in.Part,
		IssuedOn: in.IssuedOn, HandedOn: in.HandedOn, MaturesOn: in.MaturesOn, Acceptor: in.Acceptor, Note: in.Note})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) honourBill(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c qingqian.BillClose
	if err := decode(r, &c); err != nil {
		return err
	}
	b, err := s.Bills.HonourBill(r.Context(), id, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) dishonourBill(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c qingqian.BillClose
	if err := decode(r, &c); err != nil {
		return err
	}
	b, err := s.Bills.DishonourBill(r.Context(), id, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) returnBill(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c qingqian.BillClose
	if err := decode(r, &c); err != nil {
		return err
	}
	b, err := s.Bills.ReturnBill(r.Context(), id, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) unhonouredBills(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	bq := qingqian.BillQuery{OrgID: q.id("org_id"), AsOf: q.date("as_of"), Limit: q.int("limit", 100), Overdue: q.bool("overdue")}
	if err := q.err(); err != nil {
		return err
	}
	sum, err := s.Bills.UnhonouredBills(r.Context(), bq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}
