package qingqian

import (
	"context"
	"fmt"
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
//
// Its deadlines count from the dates that happened, which are often entered after the fact (a
// paper ledger taken over, a transfer that arrived last week): ReceivedOn, the day the office
// received it; AssignedOn, the day the office handed it to its handling unit (交办, which is
// the forwarding the Regulation counts 10 working days for); MaterialsOn, the day the handling
// unit received the materials, from which its 30 days count; ReassignedOn, the day the unit
// last passed it on within its subtree. Each step keeps the instant it was recorded, and is
// marked back-dated when a date it gave is earlier than that day, as an entry is.
type Clue struct {
	ID         int64   `json:"id"`
	No         string  `json:"no"` // TS-2026-0001
	Channel    Channel `json:"channel"`
	TransferNo string  `json:"transfer_no"` // 交办文号
	ReceivedOn Date    `json:"received_on"`
	// RecordedAt is when the clue was registered; Backdated marks one received before that day.
	RecordedAt time.Time `json:"recorded_at"`
	Backdated  bool      `json:"backdated"`

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
	// The first assignment (the forwarding) and when it was recorded.
	AssignedOn      Date      `json:"assigned_on,omitzero"`
	MaterialsOn     Date      `json:"materials_received_on,omitzero"`
	AssignedAt      time.Time `json:"assigned_at,omitzero"`
	AssignBackdated bool      `json:"assign_backdated"`
	// The latest passing on within the handling unit's subtree, if any.
	ReassignedOn      Date      `json:"reassigned_on,omitzero"`
	ReassignedAt      time.Time `json:"reassigned_at,omitzero"`
	ReassignBackdated bool      `json:"reassign_backdated"`

	// Deadlines from the Regulation, on the holiday calendar. One that reaches a year whose
	// arrangement is not entered is counted on weekends alone and marked provisional (暂定), and
	// DeadlineNote says why; it is recomputed when the year is entered.
	ForwardBy            Date   `json:"forward_by,omitzero"`
	ForwardByProvisional bool   `json:"forward_by_provisional"`
	ResultBy             Date   `json:"result_by,omitzero"`
	ResultByProvisional  bool   `json:"result_by_provisional"`
	ExtendedTo           Date   `json:"extended_to,omitzero"`
	ExtendReason         string `json:"extend_reason,omitempty"`
	DeadlineNote         string `json:"deadline_note,omitempty"`
	// ForwardedLate marks a clue assigned after its forwarding deadline (逾期转办); it stays so.
	ForwardedLate bool `json:"forwarded_late"`

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

// Reckon computes the clue's deadlines from its dates on the calendar: forwarding by the 10th
// working day after receipt, the written result 30 days after the handling unit received the
// materials (Art. 25; Civil Code Arts. 201, 203). A deadline that reaches a year whose
// arrangement is not entered is counted on weekends alone, marked provisional, and DeadlineNote
// says which year is missing. It then derives the marks that follow (Derive).
func (c *Clue) Reckon(cal *Calendar) {
	c.ForwardBy, c.ForwardByProvisional, c.ResultBy, c.ResultByProvisional, c.DeadlineNote = Date{}, false, Date{}, false, ""
	missing := 0
	if !c.ReceivedOn.IsZero() {
		c.ForwardBy, missing = cal.AddWorkdaysProvisional(c.ReceivedOn, ClueForwardWorkdays)
		c.ForwardByProvisional = missing != 0
	}
	if !c.MaterialsOn.IsZero() {
		var y int
		c.ResultBy, y = cal.PeriodEndProvisional(c.MaterialsOn, ClueResultDays)
		c.ResultByProvisional = y != 0
		if missing == 0 {
			missing = y
		}
	}
	if missing != 0 {
		c.DeadlineNote = ProvisionalNote(missing)
	}
	c.Derive()
}

// Derive sets the marks that follow from the stored dates: forwarded late, and which steps were
// entered after the day they happened.
func (c *Clue) Derive() {
	c.ForwardedLate = !c.AssignedOn.IsZero() && !c.ForwardBy.IsZero() && c.ForwardBy.Before(c.AssignedOn)
	c.Backdated = !c.RecordedAt.IsZero() && c.ReceivedOn.Before(DateOf(c.RecordedAt))
	c.AssignBackdated = !c.AssignedAt.IsZero() && (c.AssignedOn.Before(DateOf(c.AssignedAt)) || c.MaterialsOn.Before(DateOf(c.AssignedAt)))
	c.ReassignBackdated = !c.ReassignedAt.IsZero() && c.ReassignedOn.Before(DateOf(c.ReassignedAt))
}

// ForwardLateDays is by how many days the clue was forwarded after its deadline (0 when on time
// or not yet forwarded).
func (c *Clue) ForwardLateDays() int {
	if !c.ForwardedLate {
		return 0
	}
	return c.AssignedOn.Sub(c.ForwardBy)
}

// ForwardOverdue reports whether the clue broke its forwarding limit as of today: forwarded
// late, or still not forwarded after it.
func (c *Clue) ForwardOverdue(today Date) bool {
	return c.ForwardedLate || (c.AssignedOn.IsZero() && !c.ForwardBy.IsZero() && c.ForwardBy.Before(today))
}

// CheckAssignment checks the dates of an assignment as of today and fills those left out. On
// the first assignment, AssignedOn (today when not given) is the forwarding: not before
// receipt; MaterialsOn (AssignedOn when not given) not before it. Passing the clue on later
// keeps the first dates (the 30 days do not start again) and needs a date not before the
// previous step. No date may be later than today.
func (c *Clue) CheckAssignment(a *Assignment, today Date) error {
	v := Validation{}
	if a.AssignedOn.IsZero() {
		a.AssignedOn = today
	}
	first := c.AssignedOn.IsZero()
	switch {
	case today.Before(a.AssignedOn):
		v.Add("assigned_on", "交办日期不能晚于今天")
	case a.AssignedOn.Before(c.ReceivedOn):
		v.Add("assigned_on", "交办日期不能早于收到线索的日期 "+c.ReceivedOn.String())
	case !first && a.AssignedOn.Before(c.AssignedOn):
		v.Add("assigned_on", "交办日期不能早于首次交办的日期 "+c.AssignedOn.String())
	case !first && a.AssignedOn.Before(c.ReassignedOn):
		v.Add("assigned_on", "交办日期不能早于上次转交的日期 "+c.ReassignedOn.String())
	}
	if first {
		if a.MaterialsOn.IsZero() {
			a.MaterialsOn = a.AssignedOn
		}
		switch {
		case today.Before(a.MaterialsOn):
			v.Add("materials_received_on", "承办单位收到材料的日期不能晚于今天")
		case a.MaterialsOn.Before(a.AssignedOn):
			v.Add("materials_received_on", "承办单位收到材料的日期不能早于交办日期 "+a.AssignedOn.String())
		}
	} else if !a.MaterialsOn.IsZero() && a.MaterialsOn != c.MaterialsOn {
		v.Add("materials_received_on", "承办单位已于 "+c.MaterialsOn.String()+" 收到材料，转交下级不重新起算办结期限")
	}
	return v.Err()
}

// CheckExtension checks an extension of the written result's deadline to the date to: it must
// be later than the current deadline and within 90 days of the day the handling unit received
// the materials, counted as the Civil Code counts. Up to the 90th day itself no calendar is
// needed; past it, only the rest-day rule can carry the limit further, which needs the year's
// arrangement.
func (c *Clue) CheckExtension(to Date, cal *Calendar) error {
	bad := func(msg, field string) error {
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"extended_to": field}}
	}
	if to.IsZero() {
		return bad("请填写延长后的期限", "请填写延长后的期限")
	}
	start, cur := c.MaterialsOn, c.Deadline()
	if start.IsZero() || cur.IsZero() {
		return Errorf(ECONFLICT, "线索尚未交办，没有可延长的办结期限")
	}
	if !to.After(cur) {
		return bad("延长后的期限应晚于现在的期限 "+cur.String(), "应晚于 "+cur.String())
	}
	raw := start.AddDays(ClueMaxDays)
	if !to.After(raw) {
		return nil
	}
	limit, err := cal.PeriodEnd(start, ClueMaxDays)
	if err != nil {
		return &Error{Code: EINVALID, Message: "延期超过 " + raw.String() + " 须按节假日安排计算：" + ErrorMessage(err),
			Fields: map[string]string{"extended_to": "不晚于 " + raw.String()}}
	}
	if to.After(limit) {
		return bad(fmt.Sprintf("延期后最长不超过90日（自承办单位收到材料的 %s 起算），即不晚于 %s", start, limit), "不晚于 "+limit.String())
	}
	return nil
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
	CheckAmount(v, "claimed", "投诉金额", c.Claimed)
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
	ClueCallback ClueAction = "callback"
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
	ClueCallback: {ClueVerified, ClueClosed},
}

// ClueActionNames are the screen names.
var ClueActionNames = map[ClueAction]string{ClueAssign: "交办", ClueVerify: "核实", ClueLink: "关联台账", ClueUpdateOn: "报送进展",
	ClueExtend: "延期", ClueClose: "销号", ClueFeedback: "书面反馈与回访", ClueCallback: "回访"}

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
	Channel Channel
	State   ClueState
	OrgID   int64 // the assigned unit's subtree
	Overdue bool
	// ForwardLate selects the clues forwarded after their forwarding deadline, or still not
	// forwarded past it (逾期转办).
	ForwardLate bool
	DueBefore   Date
	Query       string
	Offset      int
	Limit       int
}

// Assignment hands a clue to a unit with its responsible people, on the day it happened.
// AssignedOn is that day (today when not given); MaterialsOn, on the first assignment only, the
// day the unit received the materials (AssignedOn when not given).
type Assignment struct {
	OrgID             int64  `json:"org_id"`
	ResponsibleLeader string `json:"responsible_leader"`
	ResponsiblePerson string `json:"responsible_person"`
	AssignedOn        Date   `json:"assigned_on"`
	MaterialsOn       Date   `json:"materials_received_on"`
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
	// subsidiaries) on the dates given (CheckAssignment) and, the first time, computes the result
	// deadline from the day the unit received the materials.
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
	// Extend approves an extension of the result deadline (CheckExtension): later than the
	// current one, at most 90 days from the day the handling unit received the materials. Office.
	Extend(ctx context.Context, id int64, to Date, reason string, version int) (*Clue, error)
	// Close closes the clue: every linked item repaid with vouchers, or a conclusion that it is
	// not in scope. Office. Errors: ECONFLICT explaining what is still missing.
	Close(ctx context.Context, id int64, version int) (*Clue, error)
	// RecordFeedback records the written answer to the complainant and the follow-up call.
	RecordFeedback(ctx context.Context, id int64, feedbackOn Date, feedback string, callbackOn Date, satisfaction Satisfaction, version int) (*Clue, error)
	// RecordCallback records the follow-up call after the written answer. Office.
	RecordCallback(ctx context.Context, id int64, callbackOn Date, satisfaction Satisfaction, version int) (*Clue, error)
}
