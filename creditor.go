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

// CreditorFilter selects creditors by text (name or USCC).
type CreditorFilter struct {
	Query  string
	USCC   string
	Offset int
	Limit  int
}

// CreditorService manages creditors. Creditors are shared by the whole province: every
// signed-in actor may read them; writers may create and update them. All changes are audited.
//
// One rule holds wherever a creditor is named by its USCC with something else — an item, a
// complaint clue, an imported ledger row: it is the creditor registered with that code, or else
// it is registered in the same transaction, as a private firm unless the ownership is given,
// and only when it has a name. Its field errors are named "creditor_name", "creditor_uscc" ….
type CreditorService interface {
	// CreateCreditor adds a creditor. Errors: EINVALID, ECONFLICT (the USCC exists).
	CreateCreditor(ctx context.Context, c *Creditor) error
	FindCreditorByID(ctx context.Context, id int64) (*Creditor, error)
	FindCreditors(ctx context.Context, f CreditorFilter) ([]*Creditor, int, error)
	// UpdateCreditor changes a creditor; the USCC never changes. Errors: EINVALID, ECONFLICT.
	UpdateCreditor(ctx context.Context, id int64, upd CreditorUpdate) (*Creditor, error)
}
