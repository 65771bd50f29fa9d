package qingqian

import (
	"context"
	"errors"
	"io"
)

// LedgerRow is one row of an imported ledger: parsed and checked cell by cell, not yet resolved
// against the database (the unit by name, the creditor by USCC, the item by its key).
type LedgerRow struct {
	Sheet    string   // the sheet's name, for messages ("" for a CSV file)
	Row      int      // the row's number in the sheet, for messages
	OrgName  string   // 欠款单位, by full name within the actor's subtree
	Creditor Creditor // name, USCC and ownership; created when the USCC is new
	Item     Item     // everything else; OrgID and CreditorID are resolved by the import
}

// ImportIssue is one problem of an import, at a row and a field (a domain field name such as
// "arisen_on"; the spreadsheet layer names the column).
type ImportIssue struct {
	Sheet   string `json:"sheet,omitempty"` // "" when the file has one sheet
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// MaxImportIssues bounds the problems an import reports; past it the file is clearly not ready.
const MaxImportIssues = 1000

// ImportResult says what an import did, or would do in a dry run. With any issue nothing was
// written.
type ImportResult struct {
	DryRun           bool          `json:"dry_run"`
	Rows             int           `json:"rows"`
	Created          int           `json:"created"`
	Updated          int           `json:"updated"`
	Unchanged        int           `json:"unchanged"`
	CreditorsCreated int           `json:"creditors_created"`
	Issues           []ImportIssue `json:"issues"`
	Truncated        bool          `json:"truncated"` // more issues than MaxImportIssues
	// Warnings do not stop an import: things a person should look at (a creditor's name that
	// differs from the one registered for its code, a 合计 row that is not the sum of the rows).
	Warnings []ImportIssue `json:"warnings"`
	// Details say row by row what the import did or would do: which rows are new, which matched
	// an item and by what, what changes (up to MaxImportDetails rows; every matched row first).
	Details          []ImportRowResult `json:"details"`
	DetailsTruncated bool              `json:"details_truncated"`
	// Totals are the amounts of the file's rows per unit, in 元, to check against the file's own 合计.
	Totals []ImportTotal `json:"totals"`
}

// MaxImportDetails bounds the rows an import describes one by one.
const MaxImportDetails = 2000

// What an import did with a row.
const (
	ImportNew       = "new"       // a new item
	ImportIdentical = "identical" // matched an item and changes nothing
	ImportUpdated   = "updated"   // matched an item whose descriptive fields it changes
)

// ImportRowResult is what an import did, or would do, with one row.
type ImportRowResult struct {
	Sheet     string         `json:"sheet,omitempty"`
	Row       int            `json:"row"`
	Action    string         `json:"action"` // ImportNew, ImportIdentical, ImportUpdated
	ItemID    int64          `json:"item_id,omitempty"`
	MatchedBy string         `json:"matched_by,omitempty"` // how the item was found, in Chinese
	Changes   []ImportChange `json:"changes,omitempty"`
	// Contract is, for a row of a contracts import, what the payment rules will apply to the
	// contract: shown on the preview, before anything is written.
	Contract *ContractRules `json:"contract,omitempty"`
}

// ContractRules are the terms the payment rules (package payrules) apply to a contract: the
// version of the Regulation that judges it, its payment term, the overdue rate, and what they
// find wrong with it.
type ContractRules struct {
	No           string     `json:"no"`
	Version      string     `json:"version"`        // "2020", "2025", or "none" (signed before the Regulation)
	VersionName  string     `json:"version_name"`   // how it reads
	TermDays     int        `json:"term_days"`      // the payment term in days; 0 when there is none
	TermAgreed   bool       `json:"term_agreed"`    // the term is the contract's own
	TermRule     string     `json:"term_rule"`      // why
	Rate         string     `json:"rate"`           // the overdue rate applied
	RateBelowLPR bool       `json:"rate_below_lpr"` // the agreed rate is below the LPR floor, which applies instead
	RateRule     string     `json:"rate_rule"`      // why
	Unlawful     bool       `json:"unlawful"`       // a flag is unlawful (a forbidden clause, a term too long, a rate below the floor)
	Flags        []RuleFlag `json:"flags"`          // every flag, forbidden clauses first
}

// ImportChange is one field an import changes on a matched item.
type ImportChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// ImportTotal is the sum of a file's rows for one unit.
type ImportTotal struct {
	OrgName    string `json:"org_name"`
	Rows       int    `json:"rows"`
	Undisputed Money  `json:"undisputed"`
	Disputed   Money  `json:"disputed"`
}

// AddWarning records a warning, up to MaxImportIssues.
func (r *ImportResult) AddWarning(is ImportIssue) {
	if len(r.Warnings) < MaxImportIssues {
		r.Warnings = append(r.Warnings, is)
	}
}

// AddDetail records what happened to a row, up to MaxImportDetails.
func (r *ImportResult) AddDetail(d ImportRowResult) {
	if len(r.Details) >= MaxImportDetails {
		r.DetailsTruncated = true
		return
	}
	r.Details = append(r.Details, d)
}

// ErrRowsRejected is returned by an import's rows when the file had problems of its own: the
// service checks every row it was given against the database all the same, so that every
// problem is reported in one round, and writes nothing.
var ErrRowsRejected = errors.New("the file has problems; nothing may be written")

// OK reports whether the import had no issue.
func (r *ImportResult) OK() bool { return len(r.Issues) == 0 }

// AddIssue records an issue, up to MaxImportIssues.
func (r *ImportResult) AddIssue(is ImportIssue) {
	if len(r.Issues) >= MaxImportIssues {
		r.Truncated = true
		return
	}
	r.Issues = append(r.Issues, is)
}

// RepaymentRow is one row of an imported list of repayments: the item by its unit and number
// (台账编号), and the repayment itself.
type RepaymentRow struct {
	Sheet   string
	Row     int
	OrgName string
	ItemNo  string
	Entry   EntryInput // ItemID is resolved by the import
	// Files are the voucher files that came with the sheet for this row (matched by its voucher
	// number); the import stores them and attaches them to the repayment.
	Files []VoucherFile
}

// VoucherFile is a voucher file that came with an import, e.g. from a zip beside the sheet.
type VoucherFile struct {
	Name string
	Open func() (io.ReadCloser, error)
}

// PlanRow is one instalment of an imported repayment plan; the rows of one item (by unit and
// number) together are its plan.
type PlanRow struct {
	Sheet      string
	Row        int
	OrgName    string
	ItemNo     string
	Instalment Instalment
}

// CreditorRow is one row of an imported creditor register.
type CreditorRow struct {
	Sheet    string
	Row      int
	Creditor Creditor
}

// OrgRow is one row of an imported list of units: a unit under its parent, both by full name.
type OrgRow struct {
	Sheet      string
	Row        int
	ParentName string
	Org        Org
}

// ContractRow is one row of an imported contract register: a contract of a unit named by its
// full name, with its supplier named by USCC (Contract.Creditor).
type ContractRow struct {
	Sheet    string
	Row      int
	OrgName  string
	Contract Contract
}

// ContractEventRow is one row of imported contract events: an event on the contract its unit
// (by full name) and number name.
type ContractEventRow struct {
	Sheet      string
	Row        int
	OrgName    string
	ContractNo string
	Event      ContractEvent
}

// ImportService brings spreadsheets of ledger rows in.
type ImportService interface {
	// ImportLedger resolves and writes the rows in one transaction. A row is matched to an
	// existing item by its number (台账编号) within its unit, else by unit, creditor and contract
	// number: a match with the same content is left alone, one whose descriptive fields differ is
	// updated, one whose amounts, kind, origin or arising date differ is an issue (amounts change
	// only through entries). With any issue, or in a dry run, everything is rolled back and the
	// result says what would have happened. Callers: writers; every unit must be in their subtree.
	// rows may fail (a broken file); its error is returned.
	ImportLedger(ctx context.Context, rows func(yield func(*LedgerRow) bool) error, dryRun bool) (*ImportResult, error)
	// ImportRepayments records the rows' repayments in one transaction, each checked like a
	// repayment entered by hand (never above the balance). A row identical to one imported before
	// (same item, date, amount, method, voucher number) is left alone, so a file imported twice
	// pays once. Issues and dry runs roll everything back.
	ImportRepayments(ctx context.Context, rows func(yield func(*RepaymentRow) bool) error, dryRun bool) (*ImportResult, error)
	// ImportPlans writes, for each item named in the rows, a new plan revision made of its rows,
	// unless its latest revision has exactly those instalments. Callers: writers.
	ImportPlans(ctx context.Context, rows func(yield func(*PlanRow) bool) error, dryRun bool) (*ImportResult, error)
	// ImportCreditors creates creditors by USCC and updates the ones that differ, where the
	// importer may change them (see CreditorService); a row that would change one it may not is
	// an issue. Callers: writers.
	ImportCreditors(ctx context.Context, rows func(yield func(*CreditorRow) bool) error, dryRun bool) (*ImportResult, error)
	// ImportContracts registers contracts, each in its unit (by full name, in the actor's
	// subtree) with its supplier by USCC (registered with the row's name when new). A contract
	// whose unit already has its number is left alone when its terms are the same and is an
	// issue when they differ: corrections are made on the contract, with a reason. Callers:
	// writers.
	ImportContracts(ctx context.Context, rows func(yield func(*ContractRow) bool) error, dryRun bool) (*ImportResult, error)
	// ImportContractEvents records events on contracts named by unit and number, and recomputes
	// each contract's payables once. An event whose key is already recorded on its contract (or
	// earlier in the file) is not recorded again. Callers: writers.
	ImportContractEvents(ctx context.Context, rows func(yield func(*ContractEventRow) bool) error, dryRun bool) (*ImportResult, error)
	// ImportOrgs creates units under their parents (named in the actor's subtree or earlier in
	// the file) and updates the attributes of units that exist; it never moves a unit. Callers:
	// administrators and supervisors.
	ImportOrgs(ctx context.Context, rows func(yield func(*OrgRow) bool) error, dryRun bool) (*ImportResult, error)
}

type importFileKey struct{}

// WithImportFile tells an import service the SHA-256 (hex) of the file whose rows it is given,
// which the import's audit record keeps.
func WithImportFile(ctx context.Context, sha256 string) context.Context {
	return context.WithValue(ctx, importFileKey{}, sha256)
}

// ImportFile is the file's digest given with WithImportFile, or "".
func ImportFile(ctx context.Context) string {
	s, _ := ctx.Value(importFileKey{}).(string)
	return s
}
