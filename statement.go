package qingqian

import (
	"context"
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

// StatementImport is a statement to import for a unit.
type StatementImport struct {
	OrgID    int64                `json:"org_id"`
	FileName string               `json:"file_name"`
	Lines    []StatementLineInput `json:"lines"`
	// Window is the date window of the matching, in days either way (0: DefaultMatchWindow).
	Window int  `json:"window"`
	DryRun bool `json:"dry_run"`
}

// StatementResult is what an import did, or would do: with any issue nothing was written.
type StatementResult struct {
	DryRun    bool           `json:"dry_run"`
	Statement *BankStatement `json:"statement,omitempty"`
	Lines     int            `json:"lines"`
	Matched   int            `json:"matched"` // repayments the new lines prove
	Issues    []ImportIssue  `json:"issues"`
}

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
	// ImportStatement checks and (unless a dry run) stores a statement of a unit, then matches its
	// lines with the unit's repayments by amount, date window and payee. A serial number already
	// imported for the unit, or twice in the file, is refused naming the row. Callers: writers
	// whose subtree holds the unit. Audited.
	ImportStatement(ctx context.Context, in StatementImport) (*StatementResult, error)
	// MatchStatements matches the unit's unmatched lines and repayments again with a window;
	// returns how many were matched. Audited when it matches any.
	MatchStatements(ctx context.Context, orgID int64, window int) (int, error)
	// MatchLine makes a line the proof of a repayment of the same unit, by hand. A line proves at
	// most one repayment and a repayment has at most one line (ECONFLICT). Audited.
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
