package qingqian

import (
	"context"
	"strings"
	"time"
)

// OrgKind is the place of a unit in the supervision tree.
type OrgKind string

// Kinds of units.
const (
	OrgRegulator  OrgKind = "regulator"  // 国资委
	OrgGroup      OrgKind = "group"      // 集团公司（监管企业）
	OrgSubsidiary OrgKind = "subsidiary" // 子分公司
)

// OrgKindNames are the screen names of the kinds.
var OrgKindNames = map[OrgKind]string{OrgRegulator: "监管机构", OrgGroup: "集团公司", OrgSubsidiary: "子分公司"}

// Label is how the kind of unit reads on screens and in spreadsheets.
func (k OrgKind) Label() string { return OrgKindNames[k] }

// Org is a unit (单位) of the tree: the regulator, a group or a subsidiary at any depth.
// Path is the materialised path of ids from the root, "/1/4/17/", which makes a subtree one
// index range.
type Org struct {
	ID        int64   `json:"id"`
	ParentID  int64   `json:"parent_id,omitempty"`
	Path      string  `json:"path"`
	Depth     int     `json:"depth"`
	Name      string  `json:"name"`
	ShortName string  `json:"short_name"`
	USCC      string  `json:"uscc"`
	Kind      OrgKind `json:"kind"`

	LeaderName   string `json:"leader_name"`   // 分管领导
	Department   string `json:"department"`    // 责任部门
	LiaisonName  string `json:"liaison_name"`  // 联络员
	LiaisonPhone string `json:"liaison_phone"` // 联络员电话

	Active    bool      `json:"active"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the fields a person types.
func (o *Org) Validate() error {
	v := Validation{}
	if o.Name == "" {
		v.Add("name", "请填写单位名称")
	} else if len([]rune(o.Name)) > 100 {
		v.Add("name", "单位名称不能超过100个字")
	}
	if len([]rune(o.ShortName)) > 30 {
		v.Add("short_name", "简称不能超过30个字")
	}
	if o.USCC != "" {
		if msg := CheckUSCC(o.USCC); msg != "" {
			v.Add("uscc", msg)
		}
	}
	if _, ok := OrgKindNames[o.Kind]; !ok {
		v.Add("kind", "单位类型应为 regulator、group 或 subsidiary")
	}
	if o.LiaisonPhone != "" && !isPhone(o.LiaisonPhone) {
		v.Add("liaison_phone", "联系电话格式不正确")
	}
	return v.Err()
}

func isPhone(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != ' ' {
			return false
		}
	}
	return true
}

// OrgUpdate holds the changes to a unit; nil fields are left alone. Version must equal the
// stored version (optimistic concurrency).
type OrgUpdate struct {
	Version      int     `json:"version"`
	Name         *string `json:"name"`
	ShortName    *string `json:"short_name"`
	USCC         *string `json:"uscc"`
	LeaderName   *string `json:"leader_name"`
	Department   *string `json:"department"`
	LiaisonName  *string `json:"liaison_name"`
	LiaisonPhone *string `json:"liaison_phone"`
	Active       *bool   `json:"active"`
}

// OrgFilter selects units. Under limits to a subtree (the unit itself included); the actor's own
// subtree always limits too.
type OrgFilter struct {
	Under    int64
	MaxDepth int // 0: any depth; else units at most this deep (the root is 0)
	Query    string
	Active   *bool
	Offset   int
	Limit    int
}

// OrgService manages the tree.
type OrgService interface {
	// CreateOrg adds a unit under ParentID (0 creates the root, allowed only for the system
	// actor on an empty tree). Callers: admin, or supervisor within its subtree. Audited.
	// Errors: EINVALID, ENOTFOUND (parent), EFORBIDDEN, ECONFLICT (duplicate USCC).
	CreateOrg(ctx context.Context, o *Org) error
	// FindOrgByID returns a unit in the actor's subtree; others are ENOTFOUND.
	FindOrgByID(ctx context.Context, id int64) (*Org, error)
	// FindOrgs lists units in path order with the total count.
	FindOrgs(ctx context.Context, f OrgFilter) ([]*Org, int, error)
	// UpdateOrg changes a unit's attributes or deactivates it. Errors: ECONFLICT on a stale version.
	UpdateOrg(ctx context.Context, id int64, upd OrgUpdate) (*Org, error)
	// MoveOrg puts a unit and its subtree under another parent in the actor's subtree, and moves
	// the subtree's running totals with it. Errors: EINVALID (into its own subtree), ECONFLICT.
	MoveOrg(ctx context.Context, id, parentID int64, version int) (*Org, error)
	// DeleteOrg removes a unit that has no children and no ledger data; otherwise ECONFLICT
	// (deactivate it instead).
	DeleteOrg(ctx context.Context, id int64) error
}

// NormalizeName reduces a unit's or a firm's name to what identifies it: no spaces, brackets
// full-width whichever way they were typed (“某某（集团）有限公司” and “某某(集团)有限公司” are one name).
func NormalizeName(s string) string { return nameFolder.Replace(strings.TrimSpace(s)) }

var nameFolder = strings.NewReplacer(" ", "", "\u3000", "", "\t", "", "(", "（", ")", "）")

// NearestName returns the name of names closest to s (by edit distance, in characters) when it
// is close enough to be a likely typing slip, else "".
func NearestName(s string, names []string) string {
	target := []rune(NormalizeName(s))
	best, bestD := "", len(target)/4+2
	for _, n := range names {
		if d := editDistance(target, []rune(NormalizeName(n)), bestD); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or limit when it is at least limit.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
