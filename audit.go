package qingqian

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// AuditRecord is one change (or security event) in the tamper-evident trail. The trail is made
// of chains, one per group (Chain, the group's unit id) and one for the regulator's level and
// what concerns no unit (Chain 0); each record's Hash covers its own fields and the previous
// record's hash in its chain, so editing or deleting any stored record breaks every later link.
type AuditRecord struct {
	Seq       int64           `json:"seq"` // orders the records of all chains; not covered by the hash
	Chain     int64           `json:"chain"`
	ChainSeq  int64           `json:"chain_seq"`          // the record's place in its chain, from 1
	EntryID   int64           `json:"entry_id,omitempty"` // the ledger entry the record wrote, 0 for none
	At        time.Time       `json:"at"`
	ActorID   int64           `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	OrgPath   string          `json:"org_path"` // path of the unit the record concerns: who may read it
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  int64           `json:"entity_id"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	// Source is the network address the request came from, "" for the command line.
	Source   string `json:"source,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ComputeHash returns the SHA-256 link of a record: it covers every field but Hash itself.
// Times are hashed at microsecond precision, the precision both databases keep. The source
// address, which records written before it was kept do not have, is covered when there is one,
// so that those records' links still hold. Likewise the chain, covered when it is not 0: the
// records written before there were chains form chain 0, each at the place its Seq says.
func (r *AuditRecord) ComputeHash() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	place := r.ChainSeq
	if place == 0 {
		place = r.Seq
	}
	field(strconv.FormatInt(place, 10))
	field(r.At.UTC().Format("2006-01-02T15:04:05.000000Z"))
	field(strconv.FormatInt(r.ActorID, 10))
	field(r.ActorName)
	field(r.OrgPath)
	field(r.Action)
	field(r.Entity)
	field(strconv.FormatInt(r.EntityID, 10))
	field(string(r.Before))
	field(string(r.After))
	field(r.PrevHash)
	if r.Source != "" {
		field(r.Source)
	}
	if r.Chain != 0 {
		field("chain " + strconv.FormatInt(r.Chain, 10))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter selects audit records.
type AuditFilter struct {
	Entity   string
	EntityID int64
	Action   string
	Actor    string
	Source   string
	From, To time.Time
	// BeforeSeq, when set, keeps the records before it: an export pages by it, and with
	// NoCount does not count the records at every page (the count returned is then 0).
	BeforeSeq int64
	NoCount   bool
	Offset    int
	Limit     int
}

// AuditRetentionDays is how long the audit trail is kept at least (网络安全法 Art. 21: six
// months). The system keeps every record for good: nothing in it deletes one, and the database
// refuses to (see migration 0010).
const AuditRetentionDays = 180

// AuditVerification is the result of checking the whole chain.
type AuditVerification struct {
	Records   int64  `json:"records"`
	Chains    int    `json:"chains"`
	OK        bool   `json:"ok"`
	BrokenSeq int64  `json:"broken_seq,omitempty"` // first record whose link does not hold
	Problem   string `json:"problem,omitempty"`
}

// AuditService reads and checks the trail. Records are written by the other services inside
// their own transactions.
type AuditService interface {
	// FindAudit lists records about units in the actor's subtree, newest first. The audit
	// administrator, internal audit and the clearance office search the trail; anyone else may
	// only read the history of one item they reach (Entity "item" and its EntityID).
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditRecord, int, error)
	// RecordAccess writes a record of something read rather than changed: an export, a
	// download, a page with personal data. It is kept at the actor's unit, with the
	// request's address. Errors: only internal ones.
	RecordAccess(ctx context.Context, action, entity string, entityID int64, detail any) error
	// VerifyAudit recomputes every link and reports the first that is broken. System actor only.
	VerifyAudit(ctx context.Context) (*AuditVerification, error)
}
