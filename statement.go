package qingqian

import (
	"context"
	"io"
	"time"
)

// BankStatement is a bank statement of a unit's account as imported: the payments out of it,
// one line each, that prove repayments independently of the debtor's word.
type BankStatement struct {
	ID         int64     `json:"id"`
	OrgID      int64     `json:"org_id"`
	OrgName    string    `json:"org_name"`
	FileName   string    `json:"file_name"`
	Lines      int       `json:"lines"`
	From       Date      `json:"from"` // the earliest and latest transaction dates
	To         Date      `json:"to"`
	ImportedAt time.Time `json:"imported_at"`
	ActorName  string    `json:"actor_name"`
	// FileSHA256 is the file the statement was read from, kept as its evidence ("" for a
	// statement imported before files were kept); LinesDigest fixes its lines as imported.
	FileSHA256  string `json:"file_sha256,omitempty"`
	LinesDigest string `json:"lines_digest,omitempty"`
}

// StatementFile is a bank statement file the server holds, by the SHA-256 of its bytes: uploaded
// for a preview, then read again from the same bytes when the import is confirmed.
type StatementFile struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
}

// StatementLine is one payment of a statement. EntryID is the repayment it proves, 0 for none;
// CreditorID the creditor its payee was recognised as (by name or by an account already matched),
// 0 for a payee that is no creditor of the unit.
type StatementLine struct {
	ID           int64  `json:"id"`
	StatementID  int64  `json:"statement_id"`
	OrgID        int64  `json:"org_id"`
	Row          int    `json:"row"`
	On           Date   `json:"on"`
	Amount       Money  `json:"amount"`
	PayeeName    string `json:"payee_name"`
	PayeeAccount string `json:"payee_account"`
	Memo         string `json:"memo"`
	SerialNo     string `json:"serial_no"`
	EntryID      int64  `json:"entry_id,omitempty"`
	Manual       bool   `json:"manual,omitempty"` // matched or confirmed by a person
	CreditorID   int64  `json:"creditor_id,omitempty"`
	CreditorName string `json:"creditor_name,omitempty"`
}

// StatementLineInput is a line as read from a file; Sheet and Row say where.
type StatementLineInput struct {
	Sheet        string `json:"sheet,omitempty"`
	Row          int    `json:"row"`
	On           Date   `json:"on"`
	Amount       Money  `json:"amount"`
	PayeeName    string `json:"payee_name"`
	PayeeAccount string `json:"payee_account"`
	Memo         string `json:"memo"`
	SerialNo     string `json:"serial_no"`
}

// DefaultMatchWindow is how many days a statement line may be from a repayment's date and
// still prove it, either way.
const DefaultMatchWindow = 3

// MaxMatchWindow bounds the window a person may ask for.
const MaxMatchWindow = 31

// StatementImport is a statement to import for a unit: the file uploaded before (by its hash),
// whose lines the server reads itself.
type StatementImport struct {
	OrgID      int64  `json:"org_id"`
	FileSHA256 string `json:"file_sha256"`
	// FileName is the name to show, when not the one the file was uploaded with; the file is
	// known by its hash.
	FileName string `json:"file_name"`
	// Window is the date window of the matching, in days either way (0: DefaultMatchWindow).
	Window int  `json:"window"`
	DryRun bool `json:"dry_run"`
	// AcceptOutliers imports lines dated far from the rest of the statement (warned on the
	// preview, refused without it).
	AcceptOutliers bool `json:"accept_outliers"`
}

// StatementResult is what an import did, or would do: with any issue nothing was written.
type StatementResult struct {
	DryRun    bool           `json:"dry_run"`
	File      *StatementFile `json:"file,omitempty"`
	Statement *BankStatement `json:"statement,omitempty"`
	Lines     int            `json:"lines"`
	Matched   int            `json:"matched"` // repayments the new lines prove
	// Read are the payments read from the file (on a dry run, for the preview).
	Read   []StatementLineInput `json:"read,omitempty"`
	Issues []ImportIssue        `json:"issues"`
	// Warnings are lines to look at before confirming (dates far from the rest); confirmed
	// with AcceptOutliers, they are imported.
	Warnings []ImportIssue `json:"warnings"`
	Notes    []string      `json:"notes"` // how the file was read
}

// StatementReadResult is what reading a statement file gives: the payments, or the problems by
// row and column (then no line), and how it was read.
type StatementReadResult struct {
	Lines  []StatementLineInput
	Issues []ImportIssue // Field holds the column's name as the file shows it
	Notes  []string
}

// StatementReader reads a statement file (.xlsx or .csv) at a path. A file that cannot be read
// as a statement at all is an error whose message is for the user (*Error or a FileError).
type StatementReader func(path string) (*StatementReadResult, error)

// RepaymentProof is a repayment of a unit and the statement line that proves it, if any.
type RepaymentProof struct {
	EntryID      int64          `json:"entry_id"`
	ItemID       int64          `json:"item_id"`
	ItemNo       string         `json:"item_no"`
	OrgID        int64          `json:"org_id"`
	OrgName      string         `json:"org_name"`
	CreditorID   int64          `json:"creditor_id"`
	CreditorName string         `json:"creditor_name"`
	On           Date           `json:"on"`
	Amount       Money          `json:"amount"` // positive
	Method       PayMethod      `json:"method"`
	VoucherNo    string         `json:"voucher_no"`
	Line         *StatementLine `json:"line,omitempty"`
}

// Reconciliation is a unit's statements set against its repayments: the repayments proven by a
// line, those with no line (within the dates the statements cover), and the lines paying a
// creditor of the unit that prove no repayment.
type Reconciliation struct {
	OrgID           int64             `json:"org_id"`
	OrgName         string            `json:"org_name"`
	Window          int               `json:"window"`
	Statements      []*BankStatement  `json:"statements"`
	Matched         []*RepaymentProof `json:"matched"`
	Unproven        []*RepaymentProof `json:"unproven"`
	UnmatchedLines  []*StatementLine  `json:"unmatched_lines"`
	OtherLines      int               `json:"other_lines"` // lines to payees that are no creditor of the unit
	UnprovenAmount  Money             `json:"unproven_amount"`
	UnmatchedAmount Money             `json:"unmatched_amount"`
}

// StatementService imports bank statements and matches their lines with repayments.
type StatementService interface {
	// SpoolStatement keeps an uploaded statement file for its preview and import, by its
	// SHA-256. Callers: those who may import statements (not a clerk: see CanKeepStatements).
	SpoolStatement(ctx context.Context, name string, r io.Reader) (*StatementFile, error)
	// ImportStatement reads the file spooled before, checks and (unless a dry run) stores a
	// statement of a unit, keeps the file as its evidence, then matches its lines with the unit's
	// repayments by amount, date window and payee. A serial number already imported for the
	// unit, or twice in the file, is refused naming the row. Callers: those who may import
	// statements, whose subtree holds the unit. Audited.
	ImportStatement(ctx context.Context, in StatementImport) (*StatementResult, error)
	// OpenStatementFile opens the file a statement was imported from. Callers: readers whose
	// subtree holds the unit. Audited.
	OpenStatementFile(ctx context.Context, statementID int64) (*BankStatement, io.ReadSeekCloser, error)
	// MatchStatements matches the unit's unmatched lines and repayments again with a window;
	// returns how many were matched. Audited when it matches any.
	MatchStatements(ctx context.Context, orgID int64, window int) (int, error)
	// MatchLine makes a line the proof of a repayment of the same unit, by hand: same amount, and
	// a payee that is the repayment's creditor. A line proves at most one repayment and a
	// repayment has at most one line (ECONFLICT). Audited.
	MatchLine(ctx context.Context, lineID, entryID int64, reason string) error
	// UnmatchLine removes a line's match; a reason is required. Audited.
	UnmatchLine(ctx context.Context, lineID int64, reason string) error
	// Reconcile sets a unit's statements against its repayments.
	Reconcile(ctx context.Context, orgID int64, window int) (*Reconciliation, error)
	// RepaymentsWithoutLine lists, in a subtree, the repayments of units that have statements for
	// which no line was found, within the dates the unit's statements cover.
	RepaymentsWithoutLine(ctx context.Context, orgID int64) ([]*RepaymentProof, error)
	// FindStatementLines returns the lines that prove an item's repayments, by entry id.
	FindStatementLines(ctx context.Context, itemID int64) (map[int64]*StatementLine, error)
}

// CanKeepStatements reports whether the actor may import bank statements and match their lines
// with repayments: the office, or a group's liaison or reviewer. A clerk, who records
// repayments, does not also supply their proof (ADR 31).
func (a *Actor) CanKeepStatements() bool {
	return a.CanWrite() && a.Has(RoleSupervisor, RoleLiaison, RoleReviewer)
}

// RequireStatementKeeper returns the context's actor if it may import bank statements and match
// their lines with repayments.
func RequireStatementKeeper(ctx context.Context) (*Actor, error) {
	a, err := RequireWriter(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanKeepStatements() {
		return nil, Errorf(EFORBIDDEN, "只有清欠办或集团联络员、审核人可以导入银行对账单和匹配流水：填报清偿的人不为自己的清偿提供佐证")
	}
	return a, nil
}
