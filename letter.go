package qingqian

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Confirmation letters (询证函): the auditor's own way of proving a repayment without taking the
// debtor's word for it. Repayments are selected, one letter goes to each creditor for each
// debtor unit, and the creditor's reply is recorded against the letter.

// SelectMode is how the repayments to confirm are chosen.
type SelectMode string

// Modes of selection.
const (
	SelectCreditor SelectMode = "creditor" // 指定债权人的全部清偿
	SelectAbove    SelectMode = "above"    // 单笔金额不低于某一金额
	SelectSample   SelectMode = "sample"   // 随机抽样（记录种子，可复现）
)

// SelectModes lists the modes in display order.
var SelectModes = []SelectMode{SelectCreditor, SelectAbove, SelectSample}

// SelectModeNames are the screen names.
var SelectModeNames = map[SelectMode]string{SelectCreditor: "指定债权人全部清偿", SelectAbove: "单笔金额不低于", SelectSample: "随机抽样"}

// Label is how the mode reads on screens and in spreadsheets.
func (m SelectMode) Label() string { return SelectModeNames[m] }

// LetterState is where a letter stands.
type LetterState string

// States of a letter. A letter sent and not answered by its reply date is shown as unanswered
// (Overdue); that is derived, never stored.
const (
	LetterSent      LetterState = "sent"      // 已发函待回函
	LetterConfirmed LetterState = "confirmed" // 回函相符
	LetterDisputed  LetterState = "disputed"  // 回函不符
)

// LetterStates lists the states in order.
var LetterStates = []LetterState{LetterSent, LetterConfirmed, LetterDisputed}

// LetterStateNames are the screen names.
var LetterStateNames = map[LetterState]string{LetterSent: "已发函待回函", LetterConfirmed: "回函相符", LetterDisputed: "回函不符"}

// Label is how the state reads on screens and in spreadsheets.
func (s LetterState) Label() string { return LetterStateNames[s] }

// FindingState is where the finding a disputed reply opened stands.
type FindingState string

// States of a finding: none (no dispute), open, resolved.
const (
	FindingNone     FindingState = ""
	FindingOpen     FindingState = "open"     // 待处理
	FindingResolved FindingState = "resolved" // 已处理
)

// FindingStateNames are the screen names.
var FindingStateNames = map[FindingState]string{FindingNone: "无", FindingOpen: "差异待处理", FindingResolved: "差异已处理"}

// Label is how the state reads on screens and in spreadsheets.
func (s FindingState) Label() string { return FindingStateNames[s] }

// Resolution is how a disputed reply's finding was resolved: each links to a record.
type Resolution string

// Resolutions.
const (
	ResolveReversal  Resolution = "reversal"  // 冲正：关联冲正记录
	ResolveCorrected Resolution = "corrected" // 更正金额：关联更正后的记录
	ResolveClue      Resolution = "clue"      // 转投诉线索：关联线索
)

// Resolutions lists them in display order.
var Resolutions = []Resolution{ResolveReversal, ResolveCorrected, ResolveClue}

// ResolutionNames are the screen names.
var ResolutionNames = map[Resolution]string{ResolveReversal: "冲正", ResolveCorrected: "更正金额", ResolveClue: "转投诉举报线索"}

// Label is how the resolution reads on screens and in spreadsheets.
func (r Resolution) Label() string { return ResolutionNames[r] }

// ReplyChannel is how a reply reached the system.
type ReplyChannel string

// Channels of replies.
const (
	ReplyByOffice   ReplyChannel = "office"   // 纸质回函，由发函单位录入
	ReplyByCreditor ReplyChannel = "creditor" // 债权人凭函号和校验码在线回复
)

// ReplyChannelNames are the screen names.
var ReplyChannelNames = map[ReplyChannel]string{ReplyByOffice: "纸质回函录入", ReplyByCreditor: "债权人在线回复"}

// Label is how the channel reads on screens.
func (c ReplyChannel) Label() string { return ReplyChannelNames[c] }

// LetterLine is one repayment a letter asks the creditor to confirm, with the creditor's own
// figure once it replied "不符" (CreditorAmount; nil when it gave none for the line).
type LetterLine struct {
	EntryID        int64     `json:"entry_id"`
	ItemID         int64     `json:"item_id"`
	On             Date      `json:"on"`
	Amount         Money     `json:"amount"`
	Method         PayMethod `json:"method"`
	VoucherNo      string    `json:"voucher_no"`
	CreditorAmount *Money    `json:"creditor_amount,omitempty"`
}

// Letter is one confirmation letter: one debtor unit, one creditor, the repayments asked.
type Letter struct {
	ID      int64  `json:"id"`
	BatchID int64  `json:"batch_id"`
	No      string `json:"no"` // 询证〔2026〕第0001号
	// Code is the verification code printed on the letter, with which the creditor replies.
	// Only those who may issue letters for the issuing unit see it.
	Code         string       `json:"code,omitempty"`
	IssuerID     int64        `json:"issuer_id"`
	IssuerName   string       `json:"issuer_name"` // the heading of the letter
	OrgID        int64        `json:"org_id"`      // the debtor unit
	OrgName      string       `json:"org_name"`
	CreditorID   int64        `json:"creditor_id"`
	CreditorName string       `json:"creditor_name"`
	CreditorUSCC string       `json:"creditor_uscc"`
	IssuedOn     Date         `json:"issued_on"`
	ReplyBy      Date         `json:"reply_by"`
	Lines        []LetterLine `json:"lines"`
	Total        Money        `json:"total"` // the repayments asked, as the debtor recorded them
	State        LetterState  `json:"state"`
	// Overdue marks a letter not answered by its reply date (逾期未回函).
	Overdue bool `json:"overdue"`
	// LateDays is, for a letter answered after its reply date, by how many days (逾期回函).
	LateDays int `json:"late_days,omitempty"`
	// OnlineReply records whether the letter, when issued, offered the creditor's online reply:
	// the letter is printed again as it was sent, whatever the server offers today.
	OnlineReply bool `json:"online_reply"`

	RepliedOn      Date         `json:"replied_on,omitzero"`
	ReplyChannel   ReplyChannel `json:"reply_channel,omitempty"`
	ReplyNote      string       `json:"reply_note,omitempty"`
	ReplyVoucher   string       `json:"reply_voucher,omitempty"` // SHA-256 of the scanned reply
	CreditorTotal  Money        `json:"creditor_total"`          // what the creditor says it received
	Difference     Money        `json:"difference"`              // Total − CreditorTotal
	RepliedBy      string       `json:"replied_by,omitempty"`
	RepliedAt      time.Time    `json:"replied_at,omitzero"`
	FindingState   FindingState `json:"finding_state"`
	Resolution     Resolution   `json:"resolution,omitempty"`
	ResolutionRef  int64        `json:"resolution_ref,omitempty"`  // the reversal, corrected entry or clue
	ResolutionItem int64        `json:"resolution_item,omitempty"` // the item of that entry
	ResolutionNote string       `json:"resolution_note,omitempty"`
	ResolvedBy     string       `json:"resolved_by,omitempty"`
	ResolvedAt     time.Time    `json:"resolved_at,omitzero"`
	CreatedBy      string       `json:"created_by"`
	CreatedAt      time.Time    `json:"created_at"`
	Version        int          `json:"version"`
}

// Derive sets the marks that follow from the stored fields on the date.
func (l *Letter) Derive(today Date) {
	l.Overdue = l.State == LetterSent && l.ReplyBy.Before(today)
	l.LateDays = 0
	if l.State != LetterSent && l.RepliedOn.After(l.ReplyBy) {
		l.LateDays = l.RepliedOn.Sub(l.ReplyBy)
	}
}

// LateLabel is the mark of a reply given after the reply date: 逾期回函 N 天.
func (l *Letter) LateLabel() string {
	if l.LateDays <= 0 {
		return ""
	}
	return fmt.Sprintf("逾期回函 %d 天", l.LateDays)
}

// StatusLabel is the letter's state as read on screens: unanswered past the reply date shows so,
// and a reply given after it says by how many days.
func (l *Letter) StatusLabel() string {
	if l.Overdue {
		return "逾期未回函"
	}
	if late := l.LateLabel(); late != "" {
		return l.State.Label() + "（" + late + "）"
	}
	return l.State.Label()
}

// ResolutionLink is the address of the record that resolved the letter's finding.
func (l *Letter) ResolutionLink() string {
	switch l.Resolution {
	case ResolveClue:
		return fmt.Sprintf("/clues/%d", l.ResolutionRef)
	case ResolveReversal, ResolveCorrected:
		return fmt.Sprintf("/items/%d#entry-%d", l.ResolutionItem, l.ResolutionRef)
	}
	return ""
}

// LetterSelection is what the issuer asks for: which repayments, in which unit's subtree,
// between which dates, and by when the creditors are to reply.
type LetterSelection struct {
	Mode       SelectMode `json:"mode"`
	OrgID      int64      `json:"org_id"` // the subtree; the issuer's own unit when 0
	CreditorID int64      `json:"creditor_id"`
	MinAmount  Money      `json:"min_amount"`
	SampleSize int        `json:"sample_size"`
	// Seed draws the sample; 0 asks the system for one, which is recorded with the batch.
	Seed    int64 `json:"seed"`
	From    Date  `json:"from"`
	To      Date  `json:"to"`
	ReplyBy Date  `json:"reply_by"`
	// OnlineReply is whether the letters offer the creditor's online reply: the server's
	// setting when they are issued, never the request's.
	OnlineReply bool `json:"-"`
}

// MaxLetterSample bounds a random sample.
const MaxLetterSample = 1000

// Validate checks a selection on the day it is made.
func (s *LetterSelection) Validate(today Date) error {
	v := Validation{}
	switch s.Mode {
	case SelectCreditor:
		if s.CreditorID <= 0 {
			v.Add("creditor_id", "请选择债权人")
		}
	case SelectAbove:
		if s.MinAmount <= 0 {
			v.Add("min_amount", "起点金额必须大于零")
		}
		CheckAmount(v, "min_amount", "起点金额", s.MinAmount)
	case SelectSample:
		if s.SampleSize <= 0 || s.SampleSize > MaxLetterSample {
			v.Add("sample_size", fmt.Sprintf("抽样笔数应为1到%d", MaxLetterSample))
		}
		if s.Seed < 0 {
			v.Add("seed", "随机种子不能为负数")
		}
	default:
		v.Add("mode", "请选择抽取方式：指定债权人、金额起点或随机抽样")
	}
	if !s.From.IsZero() && !s.To.IsZero() && s.To.Before(s.From) {
		v.Add("to", "截止日期不能早于起始日期")
	}
	if s.ReplyBy.IsZero() {
		v.Add("reply_by", "请填写回函期限")
	} else if !s.ReplyBy.After(today) {
		v.Add("reply_by", "回函期限应晚于今天")
	} else if s.ReplyBy.Sub(today) > 180 {
		v.Add("reply_by", "回函期限距今不能超过180天")
	}
	return v.Err()
}

// Sample draws n of the candidates (entry ids in ascending order) with the seed: the same
// candidates and seed always give the same sample, in ascending order.
func Sample(candidates []int64, n int, seed int64) []int64 {
	ids := append([]int64(nil), candidates...)
	r := rand.New(rand.NewPCG(uint64(seed), 0x5153_5a48_4831)) // fixed stream: the seed alone decides
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	if n < len(ids) {
		ids = ids[:n]
	}
	slices.Sort(ids)
	return ids
}

// LetterBatch is one selection and the letters it produced.
type LetterBatch struct {
	ID        int64           `json:"id"`
	Selection LetterSelection `json:"selection"` // with the seed used
	// Candidates is how many repayments the selection drew from (ids up to MaxEntryID).
	Candidates int       `json:"candidates"`
	MaxEntryID int64     `json:"max_entry_id"`
	Letters    []*Letter `json:"letters"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// LetterPreview is what a selection would issue, shown before it is: how many letters, to how
// many creditors, for how many repayments and what amount, and each letter's unit and creditor.
// Nothing is written; a sample's seed is the one the issue must be given to draw the same.
type LetterPreview struct {
	Selection  LetterSelection     `json:"selection"`
	Candidates int                 `json:"candidates"`
	Letters    int                 `json:"letters"`
	Creditors  int                 `json:"creditors"`
	Entries    int                 `json:"entries"`
	Amount     Money               `json:"amount"`
	Lines      []LetterPreviewLine `json:"lines"`
}

// LetterPreviewLine is one letter a selection would issue.
type LetterPreviewLine struct {
	OrgID        int64  `json:"org_id"`
	OrgName      string `json:"org_name"`
	CreditorID   int64  `json:"creditor_id"`
	CreditorName string `json:"creditor_name"`
	Entries      int    `json:"entries"`
	Amount       Money  `json:"amount"`
}

// LetterRef is the letter that asked about a repayment, as the item's page names it.
type LetterRef struct {
	ID          int64       `json:"id"`
	No          string      `json:"no"`
	State       LetterState `json:"state"`
	StatusLabel string      `json:"status_label"`
}

// ReplyInput is a creditor's reply: 相符, or 不符 with its figures line by line.
type ReplyInput struct {
	Result    LetterState     `json:"result"` // confirmed or disputed
	RepliedOn Date            `json:"replied_on"`
	Amounts   map[int64]Money `json:"amounts"` // entry id → what the creditor received, for 不符
	Note      string          `json:"note"`
	Voucher   string          `json:"voucher"` // SHA-256 of the scanned reply, stored beforehand
	Version   int             `json:"version"`
}

// Validate checks a reply against its letter on the day it is recorded. A disputed reply must
// give the creditor's figure for at least one line, each within the bounds.
func (in *ReplyInput) Validate(l *Letter, today Date) error {
	v := Validation{}
	in.Note = strings.TrimSpace(in.Note)
	switch in.Result {
	case LetterConfirmed, LetterDisputed:
	default:
		v.Add("result", "请选择回函结果：相符或不符")
	}
	if in.RepliedOn.IsZero() {
		v.Add("replied_on", "请填写回函日期")
	} else if in.RepliedOn.After(today) {
		v.Add("replied_on", "回函日期不能晚于今天")
	} else if in.RepliedOn.Before(l.IssuedOn) {
		v.Add("replied_on", "回函日期不能早于发函日期")
	}
	if len([]rune(in.Note)) > 2000 {
		v.Add("note", "说明不能超过2000个字")
	}
	lines := map[int64]Money{}
	for _, ln := range l.Lines {
		lines[ln.EntryID] = ln.Amount
	}
	differs := false
	for id, m := range in.Amounts {
		field := fmt.Sprintf("amounts.%d", id)
		listed, ok := lines[id]
		differs = differs || (ok && m != listed)
		if !ok {
			v.Add(field, fmt.Sprintf("清偿记录 %d 不在本函中", id))
			continue
		}
		if m < 0 {
			v.Add(field, "债权人确认金额不能为负数")
		}
		CheckAmount(v, field, "债权人确认金额", m)
	}
	if in.Result == LetterDisputed && len(in.Amounts) == 0 && in.Note == "" {
		v.Add("amounts", "回函不符时请填写债权人确认的金额或说明")
	} else if in.Result == LetterDisputed && len(in.Amounts) > 0 && !differs && in.Note == "" {
		v.Add("amounts", "债权人确认的金额与函列金额一致：金额相符请选择“相符”，另有不符事项请在说明中写明")
	}
	return v.Err()
}

// ResolveInput resolves a disputed reply's finding by linking the record that settles it.
type ResolveInput struct {
	Resolution Resolution `json:"resolution"`
	Ref        int64      `json:"ref"` // the reversal, the corrected entry or the clue
	Note       string     `json:"note"`
	Version    int        `json:"version"`
}

// LetterFilter selects letters.
type LetterFilter struct {
	OrgID   int64        `json:"org_id"` // the debtor unit's subtree; 0 for every letter the actor sees
	State   LetterState  `json:"state"`
	Overdue bool         `json:"overdue"`
	Finding FindingState `json:"finding"`
	BatchID int64        `json:"batch_id"`
	Limit   int          `json:"limit"`
	Offset  int          `json:"offset"`
}

// Confirmations sums the repaid amounts (repayments not reversed, dated up to a date) of a
// subtree by what their creditors replied.
type Confirmations struct {
	Confirmed        Money `json:"confirmed"`
	ConfirmedCount   int   `json:"confirmed_count"`
	Disputed         Money `json:"disputed"`
	DisputedCount    int   `json:"disputed_count"`
	Unconfirmed      Money `json:"unconfirmed"` // never asked, or asked and not answered
	UnconfirmedCount int   `json:"unconfirmed_count"`
}

// LetterService issues confirmation letters and records the replies. The office issues for
// the province, a group (liaison or reviewer) for its subtree; readers of a unit see the
// letters on its repayments.
type LetterService interface {
	// IssueLetters selects the repayments and makes one letter per debtor unit and creditor.
	IssueLetters(ctx context.Context, sel LetterSelection) (*LetterBatch, error)
	// PreviewLetters is what IssueLetters would issue for the selection, writing nothing.
	PreviewLetters(ctx context.Context, sel LetterSelection) (*LetterPreview, error)
	// EntryLetters names, for each repayment of an item that a letter asked about, that letter.
	EntryLetters(ctx context.Context, itemID int64) (map[int64]LetterRef, error)
	FindLetter(ctx context.Context, id int64) (*Letter, error)
	FindLetters(ctx context.Context, f LetterFilter) ([]*Letter, int, error)
	// RecordReply records the reply against the letter (the scanned reply as a voucher).
	RecordReply(ctx context.Context, id int64, in ReplyInput) (*Letter, error)
	// ResolveFinding resolves a disputed reply's finding by a reversal, a corrected amount or a
	// complaint clue.
	ResolveFinding(ctx context.Context, id int64, in ResolveInput) (*Letter, error)
	// Confirmations sums a unit's repaid amounts by reply, as of a date (today when zero).
	Confirmations(ctx context.Context, orgID int64, asOf Date) (*Confirmations, error)

	// PublicLetter finds a letter by its number and code, for the creditor's own reply page (no
	// account). A wrong pair counts against the address like a failed sign-in. Errors:
	// ENOTFOUND for a wrong pair, EFORBIDDEN while the address is stopped.
	PublicLetter(ctx context.Context, no, code string) (*Letter, error)
	// PublicReply records the creditor's reply given with the letter's number and code.
	PublicReply(ctx context.Context, no, code string, in ReplyInput) (*Letter, error)
}
