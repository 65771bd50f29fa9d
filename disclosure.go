package qingqian

import (
	"context"
	"fmt"
	"time"
)

// DisclosureState is where a yearly disclosure stands.
type DisclosureState string

// Disclosure states.
const (
	DisclosureDraft  DisclosureState = "draft"  // 填报中
	DisclosureSigned DisclosureState = "signed" // 已签发，冻结
)

// DisclosureStateNames are the screen names.
var DisclosureStateNames = map[DisclosureState]string{DisclosureDraft: "填报中", DisclosureSigned: "已签发"}

// Label is the screen name.
func (s DisclosureState) Label() string { return DisclosureStateNames[s] }

// Disclosure is a unit's yearly statement of its overdue unpaid payments to SMEs (Art. 18 [16];
// Art. 22 for state-owned enterprises reporting to the SASAC): whether any existed at 12-31, how
// many contracts and how much, and a note of at most 500 characters. The figures the payables give
// are kept beside the declared ones; a declaration contradicted by them is flagged, and signed
// only with the signer's confirmation and reason, which every view shows. It is prepared once the
// year has ended, and signed by a person holding the reviewer role (the leader in charge) other
// than the one who prepared it (ADR 0036). Signed, it is frozen.
type Disclosure struct {
	ID         int64  `json:"id"`
	OrgID      int64  `json:"org_id"`
	OrgName    string `json:"org_name"`
	Year       int    `json:"year"`
	HasOverdue bool   `json:"has_overdue"`
	Count      int    `json:"count"`
	Amount     Money  `json:"amount"`
	Note       string `json:"note"`
	// ComputedCount and ComputedAmount are the contracts with SMEs overdue and unpaid at 12-31
	// in the unit's subtree, and their unpaid amount, from the payables when prepared.
	ComputedCount  int             `json:"computed_count"`
	ComputedAmount Money           `json:"computed_amount"`
	Contradicted   bool            `json:"contradicted"`
	State          DisclosureState `json:"state"`
	PreparedBy     string          `json:"prepared_by"`
	// ContradictionReason is why the signer signed a declaration the payables contradict ("" when
	// they did not).
	ContradictionReason string `json:"contradiction_reason"`
	// PreparedByID and SignedByID are the users who prepared and signed it (0 for one entered
	// before they were kept, or by the system).
	PreparedByID int64     `json:"-"`
	SignedByID   int64     `json:"-"`
	SignedBy     string    `json:"signed_by"`
	SignedAt     time.Time `json:"signed_at"`
	Version      int       `json:"version"`
}

// Contradiction says how the declaration differs from the payables, "" when it does not.
func (d *Disclosure) Contradiction() string {
	switch {
	case !d.HasOverdue && d.ComputedCount > 0:
		return "声明无逾期未付款项，但应付款显示年末有逾期未付"
	case d.HasOverdue && (d.Count != d.ComputedCount || d.Amount != d.ComputedAmount):
		return "声明的笔数或金额与应付款计算结果不一致"
	}
	return ""
}

// YearEnd is the last day of the disclosed year; the disclosure may be prepared and signed only
// after it.
func (d *Disclosure) YearEnd() Date { return NewDate(d.Year, 12, 31) }

// CheckYearEnded refuses a disclosure of a year that has not ended on today.
func (d *Disclosure) CheckYearEnded(today Date, what string) error {
	if today.After(d.YearEnd()) {
		return nil
	}
	msg := fmt.Sprintf("%d年尚未结束，年度公示须在%d年1月1日以后%s", d.Year, d.Year+1, what)
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"year": msg}}
}

// DisclosureSign is a request to sign a disclosure: the version seen, and for a declaration the
// payables contradict, the signer's explicit confirmation with the reason.
type DisclosureSign struct {
	Version              int    `json:"version"`
	ConfirmContradiction bool   `json:"confirm_contradiction"`
	Reason               string `json:"reason"`
}

// Validate checks the declared fields.
func (d *Disclosure) Validate() error {
	v := Validation{}
	if d.OrgID <= 0 {
		v.Add("org_id", "请选择单位")
	}
	if d.Year < 2020 || d.Year > 2100 {
		v.Add("year", "年度应在2020到2100之间")
	}
	if d.Count < 0 || d.Amount < 0 {
		v.Add("count", "笔数和金额不能为负数")
	}
	if !d.HasOverdue && (d.Count != 0 || d.Amount != 0) {
		v.Add("count", "声明无逾期未付款项时笔数和金额应为零")
	}
	if len([]rune(d.Note)) > 500 {
		v.Add("note", "说明不能超过500个字")
	}
	return v.Err()
}

// DisclosureService keeps the yearly disclosures.
type DisclosureService interface {
	// PrepareDisclosure enters (or, while a draft, replaces) a unit's disclosure for a year, with
	// the figures computed from the payables. Errors: EINVALID, ECONFLICT (signed).
	PrepareDisclosure(ctx context.Context, d *Disclosure) error
	// SignDisclosure freezes it: a person holding the reviewer role, not the one who prepared it,
	// after the year's end; a contradicted declaration only with the confirmation and a reason.
	// Errors: EFORBIDDEN (a token, no reviewer role, the preparer), EINVALID (year not ended, no
	// reason), ECONFLICT (stale version, signed, contradiction not confirmed).
	SignDisclosure(ctx context.Context, id int64, s DisclosureSign) (*Disclosure, error)
	FindDisclosureByID(ctx context.Context, id int64) (*Disclosure, error)
	// FindDisclosures lists the disclosures of the actor's subtree, of a year (0: all).
	FindDisclosures(ctx context.Context, year int) ([]*Disclosure, error)
}
