package qingqian

import (
	"context"
	"time"
)

// Channel is where a complaint or tip-off clue came from.
type Channel string

// Channels of clues (docs/domain.md, capability 6).
const (
	ChannelCallback     Channel = "callback"      // 第三方评估电话回访
	ChannelStateCouncil Channel = "state_council" // 国务院减负办交办
	ChannelProvince     Channel = "province"      // 省减负办交办
	ChannelPortal       Channel = "portal"        // 门户网站网民留言
	ChannelAudit        Channel = "audit"         // 审计问题整改
	ChannelPlatform     Channel = "platform"      // 全国投诉平台
	ChannelInspection   Channel = "inspection"    // 互联网+督查
	ChannelDirect       Channel = "direct"        // 直接投诉
	ChannelOther        Channel = "other"         // 其他
)

// Channels lists the channels in display order.
var Channels = []Channel{ChannelCallback, ChannelStateCouncil, ChannelProvince, ChannelPortal, ChannelAudit, ChannelPlatform, ChannelInspection, ChannelDirect, ChannelOther}

// ChannelNames are the screen names.
var ChannelNames = map[Channel]string{ChannelCallback: "第三方评估电话回访", ChannelStateCouncil: "国务院减负办交办", ChannelProvince: "省减负办交办",
	ChannelPortal: "门户网站网民留言", ChannelAudit: "审计问题整改", ChannelPlatform: "全国投诉平台", ChannelInspection: "互联网+督查",
	ChannelDirect: "直接投诉", ChannelOther: "其他"}

// Label is how the channel reads on screens and in spreadsheets.
func (c Channel) Label() string { return ChannelNames[c] }

// ClueState is where a clue is in its life.
type ClueState string

// States: received (登记) → assigned (交办) → verified (核实) → closed (销号).
const (
	ClueReceived ClueState = "received"
	ClueAssigned ClueState = "assigned"
	ClueVerified ClueState = "verified"
	ClueClosed   ClueState = "closed"
)

// ClueStates lists the states in order.
var ClueStates = []ClueState{ClueReceived, ClueAssigned, ClueVerified, ClueClosed}

// ClueStateNames are the screen names.
var ClueStateNames = map[ClueState]string{ClueReceived: "已登记待交办", ClueAssigned: "已交办待核实", ClueVerified: "已核实办理中", ClueClosed: "已销号"}

// Label is how the state reads on screens and in spreadsheets.
func (s ClueState) Label() string { return ClueStateNames[s] }

// Conclusion is what verification found.
type Conclusion string

// Conclusions of a verification.
const (
	ConclusionTrue       Conclusion = "true"         // 属实
	ConclusionPartly     Conclusion = "partly"       // 部分属实
	ConclusionOutOfScope Conclusion = "out_of_scope" // 不属于清欠范围
	ConclusionWithdrawn  Conclusion = "withdrawn"    // 投诉人撤回
)

// ConclusionNames are the screen names.
var ConclusionNames = map[Conclusion]string{ConclusionTrue: "属实", ConclusionPartly: "部分属实", ConclusionOutOfScope: "不属于清欠范围", ConclusionWithdrawn: "投诉人撤回"}

// Label is how the conclusion reads on screens and in spreadsheets.
func (c Conclusion) Label() string { return ConclusionNames[c] }

// InScope reports whether the conclusion puts the clue in scope of clearance.
func (c Conclusion) InScope() bool { return c == ConclusionTrue || c == ConclusionPartly }

// OutReason is why a clue is not in scope of clearance.
type OutReason string

// OutReasonNames are the reasons a clue is not in scope.
var OutReasonNames = map[OutReason]string{"not_sme": "非民营企业或中小企业", "no_contract": "无合同依据", "not_due": "尚未到期",
	"in_court": "已进入司法程序", "duplicate": "重复投诉"}

// Label is how the reason reads on screens and in spreadsheets.
func (r OutReason) Label() string { return OutReasonNames[r] }

// Satisfaction is the complainant's answer at the follow-up call.
type Satisfaction string

// SatisfactionNames are the screen names.
var SatisfactionNames = map[Satisfaction]string{"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}

// Label is how the answer reads on screens and in spreadsheets.
func (s Satisfaction) Label() string { return SatisfactionNames[s] }

// ClueDays are the Regulation's time limits (Art. 25, docs/regulation.md): forward within 10
// working days of accepting; a written result within 30 days; extended with approval to 90 days
// at most.
const (
	ClueForwardWorkdays = 10
	ClueResultDays      = 30
	ClueMaxDays         = 90
)

// ClueUpdate is a dated note of progress; together they form the clue's history.
type ClueUpdate struct {
	Seq       int       `json:"seq"`
	On        Date      `json:"on"`
	Text      string    `json:"text"`
	ActorName string    `json:"actor_name"`
	At        time.Time `json:"at"`
}

// Clue is one complaint or tip-off (投诉举报线索), closed on its own when settled
// ("清偿一笔销号一笔").
type Clue struct {
	ID         int64   `json:"id"`
	No         string  `json:"no"` // TS-2026-0001
	Channel    Channel `json:"channel"`
	TransferNo string  `json:"transfer_no"` // 交办文号
	ReceivedOn Date    `json:"received_on"`

	CreditorID   int64  `json:"creditor_id"`
	CreditorName string `json:"creditor_name"`
	CreditorUSCC string `json:"creditor_uscc"`
	Respondent   string `json:"respondent"` // the unit complained about, as stated
	Claimed      Money  `json:"claimed"`
	Text         string `json:"text"`

	OrgID             int64  `json:"org_id,omitempty"` // the unit it is assigned to
	OrgName           string `json:"org_name,omitempty"`
	ResponsibleLeader string `json:"responsible_leader"`
	ResponsiblePerson string `json:"responsible_person"`
	AssignedOn        Date   `json:"assigned_on,omitzero"`

	// Deadlines from the Regulation, on the holiday calendar; DeadlineNote says why one is
	// missing (a year without a calendar).
	ForwardBy    Date   `json:"forward_by,omitzero"`
	ResultBy     Date   `json:"result_by,omitzero"`
	ExtendedTo   Date   `json:"extended_to,omitzero"`
	ExtendReason string `json:"extend_reason,omitempty"`
	DeadlineNote string `json:"deadline_note,omitempty"`

	State        ClueState    `json:"state"`
	Conclusion   Conclusion   `json:"conclusion,omitempty"`
	OutReason    OutReason    `json:"out_reason,omitempty"`
	Finding      string       `json:"finding,omitempty"`
	VerifiedOn   Date         `json:"verified_on,omitzero"`
	VerifiedBy   string       `json:"verified_by,omitempty"`
	MissingDebt  bool         `json:"missing_debt"` // the debt was not in the ledger: an item was created from the clue
	ClosedOn     Date         `json:"closed_on,omitzero"`
	ClosedBy     string       `json:"closed_by,omitempty"`
	FeedbackOn   Date         `json:"feedback_on,omitzero"` // written answer to the complainant
	Feedback     string       `json:"feedback,omitempty"`
	CallbackOn   Date         `json:"callback_on,omitzero"` // follow-up call
	Satisfaction Satisfaction `json:"satisfaction,omitempty"`

	Items      []int64      `json:"items"`
	Updates    []ClueUpdate `json:"updates"`
	LastUpdate Date         `json:"last_update,omitzero"` // the latest progress note's date
	Version    int          `json:"version"`
}

// UpdateDays is how often an open clue in scope reports its progress (weekly).
const UpdateDays = 7

// NeedsUpdate reports whether an open clue in scope has gone a week without a progress note
// (counted from its verification when it has none).
func (c *Clue) NeedsUpdate(today Date) bool {
	if c.State != ClueVerified || !c.Conclusion.InScope() {
		return false
	}
	last := c.LastUpdate
	if last.IsZero() {
		last = c.VerifiedOn
	}
	return !last.IsZero() && today.Sub(last) > UpdateDays
}

// Deadline is the date the written result is due: the approved extension, else 30 days.
func (c *Clue) Deadline() Date {
	if !c.ExtendedTo.IsZero() {
		return c.ExtendedTo
	}
	return c.ResultBy
}

// Overdue reports whether an open clue is past its deadline (or, not yet forwarded, past the
// forwarding limit).
func (c *Clue) Overdue(today Date) bool {
	if c.State == ClueClosed {
		return false
	}
	if c.State == ClueReceived && !c.ForwardBy.IsZero() && c.ForwardBy.Before(today) {
		return true
	}
	d := c.Deadline()
	return !d.IsZero() && d.Before(today)
}

// Validate checks a new clue.
func (c *Clue) Validate(today Date) error {
	v := Validation{}
	if _, ok := ChannelNames[c.Channel]; !ok {
		v.Add("channel", "请选择线索来源")
	}
	if c.ReceivedOn.IsZero() {
		v.Add("received_on", "请填写收到日期")
	} else if today.Before(c.ReceivedOn) {
		v.Add("received_on", "收到日期不能晚于今天")
	}
	if c.CreditorName == "" {
		v.Add("creditor_name", "请填写投诉企业名称")
	}
	if msg := CheckUSCC(c.CreditorUSCC); msg != "" {
		v.Add("creditor_uscc", msg)
	}
	if c.Respondent == "" {
		v.Add("respondent", "请填写被投诉单位")
	} else if len([]rune(c.Respondent)) > 100 {
		v.Add("respondent", "被投诉单位不能超过100个字")
	}
	if c.Claimed < 0 {
		v.Add("claimed", "投诉金额不能为负")
	}
	if c.Text == "" {
		v.Add("text", "请填写投诉内容")
	} else if len([]rune(c.Text)) > 5000 {
		v.Add("text", "投诉内容不能超过5000个字")
	}
	if len([]rune(c.TransferNo)) > 60 {
		v.Add("transfer_no", "交办文号不能超过60个字")
	}
	return v.Err()
}

// ClueAction is a step in a clue's life.
type ClueAction string

// Actions on a clue.
const (
	ClueAssign   ClueAction = "assign"
	ClueVerify   ClueAction = "verify"
	ClueLink     ClueAction = "link"
	ClueUpdateOn ClueAction = "update"
	ClueExtend   ClueAction = "extend"
	ClueClose    ClueAction = "close"
	ClueFeedback ClueAction = "feedback"
)

// ClueAllowed is the clue state machine: the states in which each action may be taken.
var ClueAllowed = map[ClueAction][]ClueState{
	ClueAssign:   {ClueReceived, ClueAssigned},
	ClueVerify:   {ClueAssigned, ClueVerified},
	ClueLink:     {ClueVerified},
	ClueUpdateOn: {ClueAssigned, ClueVerified},
	ClueExtend:   {ClueAssigned, ClueVerified},
	ClueClose:    {ClueVerified},
	ClueFeedback: {ClueVerified, ClueClosed},
}

// ClueActionNames are the screen names.
var ClueActionNames = map[ClueAction]string{ClueAssign: "交办", ClueVerify: "核实", ClueLink: "关联台账", ClueUpdateOn: "报送进展",
	ClueExtend: "延期", ClueClose: "销号", ClueFeedback: "书面反馈与回访"}

// Label is how the action reads on screens and in spreadsheets.
func (a ClueAction) Label() string { return ClueActionNames[a] }

// CanTake reports whether the action may be taken on a clue in state s, or why not.
func CanTake(s ClueState, act ClueAction) error {
	for _, ok := range ClueAllowed[act] {
		if ok == s {
			return nil
		}
	}
	return Errorf(ECONFLICT, "线索当前为“%s”，不能%s", s.Label(), act.Label())
}

// ClueFilter selects clues.
type ClueFilter struct {
	Channel   Channel
	State     ClueState
	OrgID     int64 // the assigned unit's subtree
	Overdue   bool
	DueBefore Date
	Query     string
	Offset    int
	Limit     int
}

// Assignment hands a clue to a unit with its responsible people.
type Assignment struct {
	OrgID             int64  `json:"org_id"`
	ResponsibleLeader string `json:"responsible_leader"`
	ResponsiblePerson string `json:"responsible_person"`
	Version           int    `json:"version"`
}

// Verification is what the assigned unit found.
type Verification struct {
	Conclusion Conclusion `json:"conclusion"`
	OutReason  OutReason  `json:"out_reason"`
	Finding    string     `json:"finding"`
	Version    int        `json:"version"`
}

// ClueService keeps the complaint ledger. The office registers clues, assigns them to groups,
// approves extensions and closes them; the group reassigns within its subtree, verifies, links
// ledger items and reports progress.
type ClueService interface {
	// CreateClue registers a clue, matching or creating the complainant by USCC, and computes
	// the forwarding deadline. Office only.
	CreateClue(ctx context.Context, c *Clue) error
	FindClue(ctx context.Context, id int64) (*Clue, error)
	FindClues(ctx context.Context, f ClueFilter) ([]*Clue, int, error)
	// Assign hands the clue to a unit in the actor's subtree (office: a group; group: one of its
	// subsidiaries) and computes the result deadline.
	Assign(ctx context.Context, id int64, a Assignment) (*Clue, error)
	// Verify records the conclusion. A clue in scope must then be linked to ledger items.
	Verify(ctx context.Context, id int64, v Verification) (*Clue, error)
	// LinkItem links an existing ledger item of the assigned unit's subtree.
	LinkItem(ctx context.Context, id, itemID int64, version int) (*Clue, error)
	// CreateItemFromClue records a debt that was missing from the ledger: the item is created
	// with origin "complaint", linked, and the clue marks the group for it.
	CreateItemFromClue(ctx context.Context, id int64, it *Item, version int) (*Clue, error)
	// AddUpdate adds a dated progress note.
	AddUpdate(ctx context.Context, id int64, on Date, text string) (*Clue, error)
	// Extend approves an extension of the result deadline, at most 90 days from receipt. Office.
	Extend(ctx context.Context, id int64, to Date, reason string, version int) (*Clue, error)
	// Close closes the clue: every linked item repaid with vouchers, or a conclusion that it is
	// not in scope. Office. Errors: ECONFLICT explaining what is still missing.
	Close(ctx context.Context, id int64, version int) (*Clue, error)
	// RecordFeedback records the written answer to the complainant and the follow-up call.
	RecordFeedback(ctx context.Context, id int64, feedbackOn Date, feedback string, callbackOn Date, satisfaction Satisfaction, version int) (*Clue, error)
}
