package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// Corrections of contracts: the terms corrected, the contract cancelled, an event voided, the end
// of a dispute or court case recorded. Each takes a reason (the end, a note) and is audited.

// contractForm is the correction form's values: the contract's registered terms.
func contractForm(k *qingqian.Contract) url.Values {
	v := url.Values{"name": {k.Name}, "kind": {string(k.Kind)}, "buyer_kind": {string(k.Buyer)}, "signed_on": {k.SignedOn.String()},
		"amount": {k.Amount.String()}, "supplier_size": {string(k.SupplierSize)}, "size_evidence": {k.SizeEvidence},
		"settlement": {string(k.Settlement)}, "note": {k.Note}, "version": {strconv.Itoa(k.Version)}}
	if !k.SizeDeclaredOn.IsZero() {
		v.Set("size_declared_on", k.SizeDeclaredOn.String())
	}
	if k.AgreedDays > 0 {
		v.Set("agreed_days", strconv.Itoa(k.AgreedDays))
	}
	if k.AcceptanceDays > 0 {
		v.Set("acceptance_days", strconv.Itoa(k.AcceptanceDays))
	}
	if !k.AgreedRate.IsZero() {
		v.Set("agreed_rate", qingqian.FormatPercent(k.AgreedRate.Micro))
		if k.AgreedRate.PerDay {
			v.Set("agreed_rate_basis", "day")
		}
	}
	for name, on := range map[string]bool{"acceptance_condition": k.AcceptanceCondition, "pay_when_paid": k.PayWhenPaid,
		"audit_basis": k.AuditBasis, "forced_bills": k.ForcedBills} {
		if on {
			v.Set(name, "1")
		}
	}
	return v
}

func (s *Server) correctContractPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	return s.showCorrectContract(w, r, http.StatusOK, &view{})
}

func (s *Server) showCorrectContract(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	k, err := s.Contracts.FindContractByID(r.Context(), id, qingqian.Date{})
	if err != nil {
		return err
	}
	if k.Cancelled() {
		return qingqian.Errorf(qingqian.ECONFLICT, "合同%s已作废，不能更正", k.No)
	}
	if v.Form == nil {
		v.Form = contractForm(k)
	}
	v.Title, v.Nav = "更正合同 "+k.No, "contracts"
	v.Data = &contractNewData{Correcting: k, Kinds: qingqian.ContractKinds,
		Buyers:      []qingqian.BuyerKind{qingqian.BuyerLarge, qingqian.BuyerInstitution, qingqian.BuyerOrgan},
		Sizes:       []qingqian.Size{qingqian.SizeMicro, qingqian.SizeSmall, qingqian.SizeMedium, qingqian.SizeLarge},
		Settlements: []qingqian.Settlement{qingqian.SettleOnce, qingqian.SettleProgress, qingqian.SettlePeriod}}
	s.render(w, r, status, "contract_new", v)
	return nil
}

func (s *Server) correctContractForm(w http.ResponseWriter, r *http.Request) error {
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
	k := contractFromForm(form, bad)
	k.ID, k.Version = id, formInt(form, "version", bad)
	return s.submit(w, r, form, bad, func() error { return s.Contracts.CorrectContract(ctx, k, strings.TrimSpace(form.Get("reason"))) },
		func(st int, v *view) error { return s.showCorrectContract(w, r, st, v) }, func() string { return fmt.Sprintf("/contracts/%d?done=contract_correct", id) })
}

func (s *Server) cancelContractForm(w http.ResponseWriter, r *http.Request) error {
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
	version := formInt(form, "version", bad)
	return s.submit(w, r, form, bad, func() error {
		return s.Contracts.CancelContract(ctx, id, version, strings.TrimSpace(form.Get("reason")))
	},
		func(st int, v *view) error { return s.showContract(w, r, st, v) }, func() string { return fmt.Sprintf("/contracts/%d?done=contract_cancel", id) })
}

// contractEventForm handles the forms on one event of the contract page: void and end. The event
// must be one of the contract the path names.
func (s *Server) contractEventForm(void bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		if _, err := qingqian.RequireWriter(ctx); err != nil {
			return err
		}
		id, err := pathID(r)
		if err != nil {
			return err
		}
		eventID, err := strconv.ParseInt(r.PathValue("event"), 10, 64)
		if err != nil || eventID <= 0 {
			return qingqian.Errorf(qingqian.ENOTFOUND, "合同事项不存在")
		}
		k, err := s.Contracts.FindContractByID(ctx, id, qingqian.Date{})
		if err != nil {
			return err
		}
		if !hasEvent(k, eventID) {
			return qingqian.Errorf(qingqian.ENOTFOUND, "合同事项不存在")
		}
		form, err := parseForm(w, r)
		if err != nil {
			return err
		}
		bad := qingqian.Validation{}
		done, run := "contract_event_void", func() error {
			_, err := s.Contracts.VoidContractEvent(ctx, eventID, strings.TrimSpace(form.Get("reason")))
			return err
		}
		if !void {
			on := formDate(form, "end_on", bad)
			done, run = "contract_event_end", func() error {
				_, err := s.Contracts.EndContractEvent(ctx, eventID, on, strings.TrimSpace(form.Get("note")))
				return err
			}
		}
		return s.submit(w, r, form, bad, run, func(st int, v *view) error { return s.showContract(w, r, st, v) },
			func() string { return fmt.Sprintf("/contracts/%d?done=%s#events", id, done) })
	}
}

func hasEvent(k *qingqian.Contract, id int64) bool {
	for _, e := range k.Events {
		if e.ID == id {
			return true
		}
	}
	return false
}

// ---- API ----

// contractCorrectionInput is what correctContract reads: the terms as corrected (the unit, the
// supplier and the number stay, so they are not among its fields), the version read and the reason.
type contractCorrectionInput struct {
	Name             string              `json:"name"`
	Kind             qingqian.ItemKind   `json:"kind"`
	Buyer            qingqian.BuyerKind  `json:"buyer_kind"`
	SignedOn         qingqian.Date       `json:"signed_on"`
	Amount           qingqian.Money      `json:"amount"`
	SupplierSize     qingqian.Size       `json:"supplier_size"`
	SizeDeclared     qingqian.Date       `json:"size_declared_on"`
	SizeEvidence     string              `json:"size_evidence"`
	Settlement       qingqian.Settlement `json:"settlement"`
	AgreedDays       int                 `json:"agreed_days"`
	Acceptance       bool                `json:"acceptance_condition"`
	AcceptDays       int                 `json:"acceptance_days"`
	AgreedRate       string              `json:"agreed_rate"`
	AgreedRatePerDay bool                `json:"agreed_rate_per_day"`
	PayWhenPaid      bool                `json:"pay_when_paid"`
	AuditBasis       bool                `json:"audit_basis"`
	ForcedBills      bool                `json:"forced_bills"`
	Note             string              `json:"note"`
	Version          int                 `json:"version"`
	Reason           string              `json:"reason"`
}

func (s *Server) correctContract(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in contractCorrectionInput
	if err := decode(r, &in); err != nil {
		return err
	}
	terms := contractInput{Name: in.Name, Kind: in.Kind, Buyer: in.Buyer, SignedOn: in.SignedOn, Amount: in.Amount, SupplierSize: in.SupplierSize,
		SizeDeclared: in.SizeDeclared, SizeEvidence: in.SizeEvidence, Settlement: in.Settlement, AgreedDays: in.AgreedDays, Acceptance: in.Acceptance,
		AcceptDays: in.AcceptDays, AgreedRate: in.AgreedRate, AgreedRatePerDay: in.AgreedRatePerDay, PayWhenPaid: in.PayWhenPaid,
		AuditBasis: in.AuditBasis, ForcedBills: in.ForcedBills, Note: in.Note}
	k, err := terms.contract()
	if err != nil {
		return err
	}
	k.ID, k.Version = id, in.Version
	if err := s.Contracts.CorrectContract(r.Context(), k, in.Reason); err != nil {
		return err
	}
	return s.writeContract(w, r, id)
}

// contractCancellation is what cancelContract reads.
type contractCancellation struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) cancelContract(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in contractCancellation
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Contracts.CancelContract(r.Context(), id, in.Version, in.Reason); err != nil {
		return err
	}
	return s.writeContract(w, r, id)
}

// eventVoid is what voidContractEvent reads; eventEnd what endContractEvent reads.
type eventVoid struct {
	Reason string `json:"reason"`
}

type eventEnd struct {
	EndOn qingqian.Date `json:"end_on"`
	Note  string        `json:"note"`
}

func (s *Server) voidContractEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in eventVoid
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Contracts.VoidContractEvent(r.Context(), id, in.Reason)
	if err != nil {
		return err
	}
	return s.writeContract(w, r, e.ContractID)
}

func (s *Server) endContractEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in eventEnd
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Contracts.EndContractEvent(r.Context(), id, in.EndOn, in.Note)
	if err != nil {
		return err
	}
	return s.writeContract(w, r, e.ContractID)
}

// writeContract answers with the contract as it is now, its payables as of today.
func (s *Server) writeContract(w http.ResponseWriter, r *http.Request, id int64) error {
	k, err := s.Contracts.FindContractByID(r.Context(), id, qingqian.Date{})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}
