package qingqian

import "context"

// Signals are what an auditor checks first (预警信号): each a written rule over the ledger, its
// count and amount, and the records it points at. The rules themselves are a table of
// definitions in the storage layer (sqldb/signal.go), one line per signal, so that more can be
// registered without touching the page, the API or the reports.

// SignalHit is one record a signal points at.
type SignalHit struct {
	OrgID    int64  `json:"org_id"`
	OrgName  string `json:"org_name"`
	Creditor string `json:"creditor,omitempty"`
	On       Date   `json:"on,omitzero"`
	Amount   Money  `json:"amount"`
	Text     string `json:"text"`
	Link     string `json:"link"` // the record's page
}

// Signal is one signal evaluated over a subtree as of a date.
type Signal struct {
	Key    string      `json:"key"`
	Title  string      `json:"title"`
	Rule   string      `json:"rule"` // the written rule, shown on the page and in the docs
	Count  int         `json:"count"`
	Amount Money       `json:"amount"`
	Hits   []SignalHit `json:"hits"`
}

// SignalReport is every signal of a unit's subtree as of a date.
type SignalReport struct {
	OrgID   int64     `json:"org_id"`
	OrgName string    `json:"org_name"`
	AsOf    Date      `json:"as_of"`
	Signals []*Signal `json:"signals"`
	// Confirmations are the repaid amounts by what the creditors replied.
	Confirmations *Confirmations `json:"confirmations"`
}

// MaxSignalHits bounds the records listed per signal; Count and Amount count them all.
const MaxSignalHits = 500

// SignalService evaluates the signals.
type SignalService interface {
	// Signals evaluates every signal over the unit's subtree (the actor's own unit when 0) as
	// of the date (today when zero).
	Signals(ctx context.Context, orgID int64, asOf Date) (*SignalReport, error)
}
