package qingqian

import (
	"context"
	"fmt"
	"time"
)

// ItemKind is what the debt is for.
type ItemKind string

// Kinds of debt.
const (
	KindWorks     ItemKind = "works"     // 工程款
	KindGoods     ItemKind = "goods"     // 货物款
	KindServices  ItemKind = "services"  // 服务款
	KindRetention ItemKind = "retention" // 质保金
	KindOther     ItemKind = "other"     // 其他
)

// ItemKinds lists the kinds in display order.
var ItemKinds = []ItemKind{KindWorks, KindGoods, KindServices, KindRetention, KindOther}

// ItemKindNames are the screen names.
var ItemKindNames = map[ItemKind]string{KindWorks: "工程款", KindGoods: "货物款", KindServices: "服务款", KindRetention: "质保金", KindOther: "其他"}

// Label is how the kind of debt reads on screens and in spreadsheets.
func (k ItemKind) Label() string { return ItemKindNames[k] }

// Origin is how an item entered the ledger. Items found after the baseline are shown apart from
// it in every report: concealment and new arrears show up there.
type Origin string

// Origins.
const (
	OriginBaseline  Origin = "baseline"  // 底数
	OriginSelfCheck Origin = "selfcheck" // 自查、回头看
	OriginComplaint Origin = "complaint" // 投诉举报
	OriginNew       Origin = "new"       // 新增欠款
)

// Origins lists the origins in display order.
var Origins = []Origin{OriginBaseline, OriginSelfCheck, OriginComplaint, OriginNew}

// OriginNames are the screen names.
var OriginNames = map[Origin]string{OriginBaseline: "底数", OriginSelfCheck: "自查发现", OriginComplaint: "投诉举报", OriginNew: "新增欠款"}

// Label is how the origin reads on screens and in spreadsheets.
func (o Origin) Label() string { return OriginNames[o] }

// FundingSource is where the money to repay an item comes from (资金来源).
type FundingSource string

// Funding sources; "" means not yet secured (未落实), a weakness the reports expose.
const (
	FundingNone   FundingSource = ""
	FundingOwn    FundingSource = "own"    // 自有资金
	FundingLoan   FundingSource = "loan"   // 银行贷款
	FundingFiscal FundingSource = "fiscal" // 财政资金
	FundingAssets FundingSource = "assets" // 资产处置
	FundingOther  FundingSource = "other"  // 其他
)

// FundingNames are the screen names.
var FundingNames = map[FundingSource]string{FundingNone: "未落实", FundingOwn: "自有资金", FundingLoan: "银行贷款", FundingFiscal: "财政资金", FundingAssets: "资产处置", FundingOther: "其他"}

// Label is how the funding source ("" reads 未落实) reads on screens and in spreadsheets.
func (f FundingSource) Label() string { return FundingNames[f] }

// Status of an item, derived from its entries.
type Status string

// Statuses.
const (
	StatusUnpaid  Status = "unpaid"  // 未清偿
	StatusPartial Status = "partial" // 部分清偿
	StatusCleared Status = "cleared" // 已清偿
	StatusClosed  Status = "closed"  // 已核减核销（核销、法院核减等结束，无还款）
)

// StatusNames are the screen names.
var StatusNames = map[Status]string{StatusUnpaid: "未清偿", StatusPartial: "部分清偿", StatusCleared: "已清偿", StatusClosed: "已核减核销"}

// Label is how the status reads on screens and in spreadsheets.
func (s Status) Label() string { return StatusNames[s] }

// Balance is an item's figures, derived from its entries as of a date.
type Balance struct {
	RecognisedUndisputed  Money  `json:"recognised_undisputed"`
	RecognisedDisputed    Money  `json:"recognised_disputed"`
	RepaidUndisputed      Money  `json:"repaid_undisputed"`
	RepaidDisputed        Money  `json:"repaid_disputed"`
	AdjustedUndisputed    Money  `json:"adjusted_undisputed"` // adjustments, court reductions, write-offs, reclassification
	AdjustedDisputed      Money  `json:"adjusted_disputed"`
	OutstandingUndisputed Money  `json:"outstanding_undisputed"`
	OutstandingDisputed   Money  `json:"outstanding_disputed"`
	Outstanding           Money  `json:"outstanding"`
	Repaid                Money  `json:"repaid"`
	Status                Status `json:"status,omitempty"` // of an item; empty for totals
}

// Add accumulates the deltas of one entry.
func (b *Balance) Add(cat Category, du, dd Money) {
	switch cat {
	case CatRecognise:
		b.RecognisedUndisputed += du
		b.RecognisedDisputed += dd
	case CatRepay:
		b.RepaidUndisputed -= du
		b.RepaidDisputed -= dd
	default:
		b.AdjustedUndisputed += du
		b.AdjustedDisputed += dd
	}
	b.OutstandingUndisputed += du
	b.OutstandingDisputed += dd
	b.Outstanding = b.OutstandingUndisputed + b.OutstandingDisputed
	b.Repaid = b.RepaidUndisputed + b.RepaidDisputed
	b.Status = DeriveStatus(b.Outstanding, b.Repaid)
}

// DeriveStatus computes an item's status from what is outstanding and what was repaid.
func DeriveStatus(outstanding, repaid Money) Status {
	switch {
	case outstanding > 0 && repaid <= 0:
		return StatusUnpaid
	case outstanding > 0:
		return StatusPartial
	case repaid > 0:
		return StatusCleared
	}
	return StatusClosed
}

// Item is one debt, one row of the ledger (台账条目). Amounts never change on the item itself:
// Undisputed and Disputed are the amounts recognised when it was created, and every later change
// is an entry. Balance is derived from the entries (as of the date asked for).
type Item struct {
	ID                int64         `json:"id"`
	No                string        `json:"no"` // 台账编号, unique within the debtor unit
	OrgID             int64         `json:"org_id"`
	OrgName           string        `json:"org_name"`
	CreditorID        int64         `json:"creditor_id"`
	CreditorName      string        `json:"creditor_name"`
	CreditorUSCC      string        `json:"creditor_uscc"`
	CreditorOwnership Ownership     `json:"-"` // read with the item, for exports
	ContractNo        string        `json:"contract_no"`
	ContractName      string        `json:"contract_name"`
	Kind              ItemKind      `json:"kind"`
	ArisenOn          Date          `json:"arisen_on"`
	DueOn             Date          `json:"due_on"`
	Undisputed        Money         `json:"undisputed"`
	Disputed          Money         `json:"disputed"`
	DisputeReason     string        `json:"dispute_reason"`
	FundingSource     FundingSource `json:"funding_source"`
	Origin            Origin        `json:"origin"`
	Responsible       string        `json:"responsible"`
	Note              string        `json:"note"`
	Version           int           `json:"version"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`

	Balance Balance `json:"balance"`

	// Creditor, when CreditorID is 0, names the creditor by its USCC: CreateItem uses the one
	// registered with that code or registers it (see CreditorService), in the item's transaction.
	Creditor *Creditor `json:"-"`
}

// Validate checks an item's own fields; references (org, creditor) are checked by the service.
func (it *Item) Validate() error {
	v := Validation{}
	if it.OrgID <= 0 {
		v.Add("org_id", "请选择欠款单位")
	}
	if it.CreditorID <= 0 && it.Creditor == nil {
		v.Add("creditor_id", "请选择债权企业")
	}
	if len([]rune(it.No)) > 40 {
		v.Add("no", "台账编号不能超过40个字符")
	}
	if len([]rune(it.ContractNo)) > 60 {
		v.Add("contract_no", "合同编号不能超过60个字符")
	}
	if len([]rune(it.ContractName)) > 200 {
		v.Add("contract_name", "合同名称不能超过200个字")
	}
	if _, ok := ItemKindNames[it.Kind]; !ok {
		v.Add("kind", "欠款类型应为 works、goods、services、retention 或 other")
	}
	if _, ok := OriginNames[it.Origin]; !ok {
		v.Add("origin", "来源应为 baseline、selfcheck、complaint 或 new")
	}
	if _, ok := FundingNames[it.FundingSource]; !ok {
		v.Add("funding_source", "资金来源应为 own、loan、fiscal、assets、other 或留空")
	}
	if it.ArisenOn.IsZero() {
		v.Add("arisen_on", "请填写欠款发生日期")
	} else if it.ArisenOn.After(Today()) {
		v.Add("arisen_on", "欠款发生日期不能晚于今天")
	}
	// New arrears (新增欠款) arise on the first day overdue, the day after the due date: a payable
	// swept from a contract is dated so. Otherwise a debt cannot fall due before it arose.
	if !it.DueOn.IsZero() && !it.ArisenOn.IsZero() && it.DueOn.Before(it.ArisenOn) && (it.Origin != OriginNew || it.DueOn.AddDays(1) != it.ArisenOn) {
		if it.Origin == OriginNew {
			v.Add("due_on", "应付日期不能早于欠款发生日期（新增欠款的发生日期可为应付日期的次日，即逾期第一日）")
		} else {
			v.Add("due_on", "应付日期不能早于欠款发生日期")
		}
	}
	if it.Undisputed < 0 {
		v.Add("undisputed", "无分歧金额不能为负数")
	}
	if it.Disputed < 0 {
		v.Add("disputed", "有分歧金额不能为负数")
	}
	CheckAmount(v, "undisputed", "无分歧金额", it.Undisputed)
	CheckAmount(v, "disputed", "有分歧金额", it.Disputed)
	if it.Undisputed >= 0 && it.Disputed >= 0 && it.Undisputed <= MaxAmount && it.Disputed <= MaxAmount && it.Undisputed+it.Disputed > MaxAmount {
		v.Add("undisputed", fmt.Sprintf("欠款金额超过上限：一笔欠款（无分歧与有分歧合计）不能超过%s元（1,000亿元），请核对是否多输了位数", MaxAmount))
	}
	if it.Undisputed >= 0 && it.Disputed >= 0 && it.Undisputed+it.Disputed == 0 {
		v.Add("undisputed", "欠款金额必须大于零")
	}
	if it.Disputed > 0 && it.DisputeReason == "" {
		v.Add("dispute_reason", "有分歧金额时请填写分歧原因")
	}
	if len([]rune(it.Note)) > 500 {
		v.Add("note", "备注不能超过500个字")
	}
	return v.Err()
}

// ItemUpdate holds changes to an item's descriptive fields. The debtor, creditor, kind, origin
// and amounts never change: amounts move through entries, and a wrongly classified item is
// written off and entered again so that every earlier report stays reproducible.
type ItemUpdate struct {
	Version       int            `json:"version"`
	No            *string        `json:"no"`
	ContractNo    *string        `json:"contract_no"`
	ContractName  *string        `json:"contract_name"`
	DueOn         *Date          `json:"due_on"`
	DisputeReason *string        `json:"dispute_reason"`
	FundingSource *FundingSource `json:"funding_source"`
	Responsible   *string        `json:"responsible"`
	Note          *string        `json:"note"`
}

// ItemFilter selects items. Status, Disputed and Overdue look at the current balance, or the
// balance as of AsOf.
type ItemFilter struct {
	OrgID         int64 // subtree; 0 = the actor's whole subtree
	CreditorID    int64
	Status        Status
	Kind          ItemKind
	Origin        Origin
	FundingSource *FundingSource
	Disputed      *bool // has an outstanding disputed part
	Overdue       *bool // due before today and still outstanding
	MinAmount     *Money
	MaxAmount     *Money // on the outstanding amount
	Query         string // item no, contract, creditor name or USCC
	Sort          string // "id", "-id", "due_on", "-due_on", "outstanding", "-outstanding"
	Offset        int
	Limit         int
	// AfterID pages through a large set by key instead of offset (with Sort "id"); NoTotals skips
	// counting and summing the whole set. Exports use both.
	AfterID  int64
	NoTotals bool
	// CountOnly asks for the set's count alone (Total): no sums and no items. The dashboard's
	// counts use it, which indexes holding only the counted items answer (ADR 38).
	CountOnly bool
	// After and Before page by key in any sort order: a page's Last or First cursor gives the
	// page after it or before it. They cannot be combined with Offset.
	After, Before string
	// AsOf, when before today, lists the items that had arisen by that date with their
	// balances as of it (from the entries dated by then); Disputed, Overdue (due before AsOf)
	// and the amounts then look at those balances. Status cannot be combined with it.
	AsOf Date
}

// ItemPage is a page of items with the count and the outstanding total of the whole filtered set.
// TotalRecognised and TotalRepaid are the set's recognised and repaid sums when Sums says they
// were computed (not for a past date with filters beyond unit, kind and origin). First and Last
// are the cursors of the page's first and last item for ItemFilter.Before and After; empty when
// the order cannot be paged by key (by outstanding amount as of a past date).
type ItemPage struct {
	Items            []*Item `json:"items"`
	Total            int     `json:"total"`
	TotalOutstanding Money   `json:"total_outstanding"`
	TotalRecognised  Money   `json:"total_recognised"`
	TotalRepaid      Money   `json:"total_repaid"`
	Sums             bool    `json:"-"`
	First            string  `json:"-"`
	Last             string  `json:"-"`
}

// ItemService manages ledger items.
type ItemService interface {
	// CreateItem adds an item and its recognise entry in one transaction, with its creditor when
	// the item names a new one (Item.Creditor): a refused item leaves no creditor behind. Callers:
	// writers whose subtree holds the debtor unit. Errors: EINVALID, ENOTFOUND, EFORBIDDEN,
	// ECONFLICT (No taken).
	CreateItem(ctx context.Context, it *Item) error
	// FindItemByID returns an item with its balance as of asOf (zero: today) as known at knownAt
	// (zero: now). An item outside the actor's subtree is ENOTFOUND and writes a security audit row.
	FindItemByID(ctx context.Context, id int64, asOf Date, knownAt time.Time) (*Item, error)
	// FindItems lists items with their current balances.
	FindItems(ctx context.Context, f ItemFilter) (*ItemPage, error)
	// UpdateItem changes descriptive fields. Errors: EINVALID, ECONFLICT (stale version).
	UpdateItem(ctx context.Context, id int64, upd ItemUpdate) (*Item, error)
}
