package qingqian

import (
	"context"
	"time"
)

// Ownership of a creditor firm.
type Ownership string

// Ownerships.
const (
	OwnershipPrivate    Ownership = "private"    // 民营
	OwnershipState      Ownership = "state"      // 国有
	OwnershipForeign    Ownership = "foreign"    // 外资
	OwnershipIndividual Ownership = "individual" // 个体工商户
)

// OwnershipNames are the screen names.
var OwnershipNames = map[Ownership]string{OwnershipPrivate: "民营企业", OwnershipState: "国有企业", OwnershipForeign: "外资企业", OwnershipIndividual: "个体工商户"}

// Label is how the ownership reads on screens and in spreadsheets.
func (o Ownership) Label() string { return OwnershipNames[o] }

// Size is the enterprise size a creditor declared at signing (中小企业划型).
type Size string

// Sizes.
const (
	SizeMicro  Size = "micro"
	SizeSmall  Size = "small"
	SizeMedium Size = "medium"
	SizeLarge  Size = "large"
)

// SizeNames are the screen names.
var SizeNames = map[Size]string{SizeMicro: "微型", SizeSmall: "小型", SizeMedium: "中型", SizeLarge: "大型"}

// Label is how the size reads on screens and in spreadsheets; no size reads 未声明 (not declared).
func (z Size) Label() string {
	if z == "" {
		return "未声明"
	}
	return SizeNames[z]
}

// Creditor is a firm owed money (债权企业). There is one per USCC. Its declared size is kept with
// the date and evidence of the declaration and never reclassified from today's size.
type Creditor struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	USCC           string    `json:"uscc"`
	Ownership      Ownership `json:"ownership"`
	Size           Size      `json:"size"`
	SizeDeclaredOn Date      `json:"size_declared_on"`
	SizeEvidence   string    `json:"size_evidence"`
	Region         string    `json:"region"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// Editable tells the actor who read the creditor whether it may change it directly; if not,
	// it may ask the office (RequestCreditorChange).
	Editable bool `json:"editable"`
}

// Normalize cleans what people type.
func (c *Creditor) Normalize() { c.USCC = NormalizeUSCC(c.USCC) }

// Validate checks a creditor's fields.
func (c *Creditor) Validate() error {
	v := Validation{}
	if c.Name == "" {
		v.Add("name", "请填写债权企业名称")
	} else if len([]rune(c.Name)) > 100 {
		v.Add("name", "企业名称不能超过100个字")
	}
	if c.USCC == "" {
		v.Add("uscc", "请填写统一社会信用代码")
	} else if msg := CheckUSCC(c.USCC); msg != "" {
		v.Add("uscc", msg)
	}
	if _, ok := OwnershipNames[c.Ownership]; !ok {
		v.Add("ownership", "企业性质应为 private、state、foreign 或 individual")
	}
	if c.Size != "" {
		if _, ok := SizeNames[c.Size]; !ok {
			v.Add("size", "企业规模应为 micro、small、medium 或 large")
		}
		if c.SizeDeclaredOn.IsZero() {
			v.Add("size_declared_on", "请填写规模声明日期")
		}
	}
	if !c.SizeDeclaredOn.IsZero() && c.SizeDeclaredOn.After(Today()) {
		v.Add("size_declared_on", "规模声明日期不能晚于今天")
	}
	if len([]rune(c.Region)) > 50 {
		v.Add("region", "地区不能超过50个字")
	}
	return v.Err()
}

// CreditorUpdate holds changes to a creditor; nil fields are left alone.
type CreditorUpdate struct {
	Version        int        `json:"version"`
	Name           *string    `json:"name"`
	Ownership      *Ownership `json:"ownership"`
	Size           *Size      `json:"size"`
	SizeDeclaredOn *Date      `json:"size_declared_on"`
	SizeEvidence   *string    `json:"size_evidence"`
	Region         *string    `json:"region"`
}

// Empty reports whether the update changes nothing.
func (u *CreditorUpdate) Empty() bool {
	return u.Name == nil && u.Ownership == nil && u.Size == nil && u.SizeDeclaredOn == nil && u.SizeEvidence == nil && u.Region == nil
}

// Apply returns the creditor with the update's fields set.
func (u *CreditorUpdate) Apply(c Creditor) Creditor {
	if u.Name != nil {
		c.Name = *u.Name
	}
	if u.Ownership != nil {
		c.Ownership = *u.Ownership
	}
	if u.Size != nil {
		c.Size = *u.Size
	}
	if u.SizeDeclaredOn != nil {
		c.SizeDeclaredOn = *u.SizeDeclaredOn
	}
	if u.SizeEvidence != nil {
		c.SizeEvidence = *u.SizeEvidence
	}
	if u.Region != nil {
		c.Region = *u.Region
	}
	return c
}

// Against returns the update without the fields that are already the creditor's: what it
// really changes.
func (u CreditorUpdate) Against(c Creditor) CreditorUpdate {
	if u.Name != nil && *u.Name == c.Name {
		u.Name = nil
	}
	if u.Ownership != nil && *u.Ownership == c.Ownership {
		u.Ownership = nil
	}
	if u.Size != nil && *u.Size == c.Size {
		u.Size = nil
	}
	if u.SizeDeclaredOn != nil && *u.SizeDeclaredOn == c.SizeDeclaredOn {
		u.SizeDeclaredOn = nil
	}
	if u.SizeEvidence != nil && *u.SizeEvidence == c.SizeEvidence {
		u.SizeEvidence = nil
	}
	if u.Region != nil && *u.Region == c.Region {
		u.Region = nil
	}
	return u
}

// ChangeState is where a creditor change request stands.
type ChangeState string

// Change request states.
const (
	ChangePending  ChangeState = "pending"
	ChangeApproved ChangeState = "approved"
	ChangeRejected ChangeState = "rejected"
)

// ChangeStateNames are the screen names.
var ChangeStateNames = map[ChangeState]string{ChangePending: "待审核", ChangeApproved: "已同意", ChangeRejected: "未同意"}

// Label is how the state reads on screens.
func (s ChangeState) Label() string { return ChangeStateNames[s] }

// CreditorChange is a unit's request to change a creditor it may not change itself (变更申请):
// the clearance office approves or rejects it.
type CreditorChange struct {
	ID           int64          `json:"id"`
	CreditorID   int64          `json:"creditor_id"`
	CreditorName string         `json:"creditor_name"`
	USCC         string         `json:"uscc"`
	Changes      CreditorUpdate `json:"changes"`
	Reason       string         `json:"reason"`
	State        ChangeState    `json:"state"`
	OrgID        int64          `json:"org_id"` // the requesting unit
	OrgName      string         `json:"org_name"`
	RequestedBy  string         `json:"requested_by"`
	RequestedAt  time.Time      `json:"requested_at"`
	DecidedBy    string         `json:"decided_by,omitempty"`
	DecidedAt    time.Time      `json:"decided_at,omitzero"`
	Note         string         `json:"note,omitempty"`
}

// CreditorFilter selects creditors by text (name or USCC).
type CreditorFilter struct {
	Query  string
	USCC   string
	Offset int
	Limit  int
}

// CreditorService manages creditors. A creditor is master data shared by the whole province:
// any writer may register one (the registering unit is kept) and every unit uses it by its USCC.
// Who sees what:
//
//   - a unit lists and reads the creditors it has items or assigned clues with, or registered;
//     the office (a reader at the root) sees all; anyone finds one by its exact USCC, to reuse it;
//   - its identity (name, ownership, declared size, region) is changed by the clearance office,
//     or by the unit that registered it (or a unit above) while no unit outside its subtree
//     uses it; anyone else who may write asks the office, which approves or rejects the request.
//
// All changes are audited at the unit concerned: a change is recorded for each group using the
// creditor, so that each sees who made it.
//
// One rule holds wherever a creditor is named by its USCC with something else — an item, a
// complaint clue, an imported ledger row: it is the creditor registered with that code, or else
// it is registered in the same transaction, as a private firm unless the ownership is given,
// and only when it has a name. Its field errors are named "creditor_name", "creditor_uscc" ….
type CreditorService interface {
	// CreateCreditor adds a creditor. Errors: EINVALID, ECONFLICT (the USCC exists).
	CreateCreditor(ctx context.Context, c *Creditor) error
	// FindCreditorByID returns a creditor the actor sees. Others are ENOTFOUND.
	FindCreditorByID(ctx context.Context, id int64) (*Creditor, error)
	// FindCreditors lists the creditors the actor sees; with USCC set, the one creditor of that
	// code, whoever uses it.
	FindCreditors(ctx context.Context, f CreditorFilter) ([]*Creditor, int, error)
	// UpdateCreditor changes a creditor the actor may change; the USCC never changes. Errors:
	// EINVALID, ECONFLICT, EFORBIDDEN (others use it: ask with RequestCreditorChange).
	UpdateCreditor(ctx context.Context, id int64, upd CreditorUpdate) (*Creditor, error)
	// RequestCreditorChange asks the office to change a creditor the actor sees. Callers:
	// writers. Errors: EINVALID, ENOTFOUND.
	RequestCreditorChange(ctx context.Context, id int64, upd CreditorUpdate, reason string) (*CreditorChange, error)
	// FindCreditorChanges lists change requests, newest first: all of them for the office, a
	// unit's own (and its subtree's) for others.
	FindCreditorChanges(ctx context.Context, pendingOnly bool) ([]*CreditorChange, error)
	// DecideCreditorChange approves (applying the change) or rejects a pending request.
	// Callers: the clearance office. Errors: ENOTFOUND, ECONFLICT (decided already, or the
	// creditor changed since: its version), EINVALID (the change no longer validates).
	DecideCreditorChange(ctx context.Context, id int64, approve bool, note string) (*CreditorChange, error)
}
