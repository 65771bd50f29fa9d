package qingqian

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CampaignKind is what kind of campaign the office runs.
type CampaignKind string

// Campaign kinds.
const (
	CampaignReview      CampaignKind = "review"      // 回头看
	CampaignSelfCheck   CampaignKind = "selfcheck"   // 自查
	CampaignSelfCorrect CampaignKind = "selfcorrect" // 自查自纠
	CampaignRectify     CampaignKind = "rectify"     // 整改
	CampaignInspection  CampaignKind = "inspection"  // 专项督查
)

// CampaignKinds lists the kinds in display order.
var CampaignKinds = []CampaignKind{CampaignReview, CampaignSelfCheck, CampaignSelfCorrect, CampaignRectify, CampaignInspection}

// CampaignKindNames are the screen names.
var CampaignKindNames = map[CampaignKind]string{CampaignReview: "回头看", CampaignSelfCheck: "自查", CampaignSelfCorrect: "自查自纠",
	CampaignRectify: "整改", CampaignInspection: "专项督查"}

// Label is how the kind reads on screens and in spreadsheets.
func (k CampaignKind) Label() string { return CampaignKindNames[k] }

// CampaignScope is which units a campaign asks to answer.
type CampaignScope string

// Scopes.
const (
	ScopeGroups       CampaignScope = "groups"       // 集团公司本部及全级次
	ScopeSubsidiaries CampaignScope = "subsidiaries" // 以子分公司为重点
	ScopeLevel        CampaignScope = "level"        // 指定级次的子企业（Campaign.Level）
)

// CampaignScopeNames are the screen names.
var CampaignScopeNames = map[CampaignScope]string{ScopeGroups: "各集团（全级次）", ScopeSubsidiaries: "以子分公司为重点", ScopeLevel: "指定级次的子企业"}

// Label is how the scope reads on screens.
func (s CampaignScope) Label() string { return CampaignScopeNames[s] }

// Rhythm is how often a campaign's units report their progress.
type Rhythm string

// Rhythms.
const (
	RhythmNone    Rhythm = "none"
	RhythmWeekly  Rhythm = "weekly"
	RhythmMonthly Rhythm = "monthly"
)

// RhythmNames are the screen names.
var RhythmNames = map[Rhythm]string{RhythmNone: "一次报送", RhythmWeekly: "每周报送", RhythmMonthly: "每月报送"}

// Label is how the rhythm reads on screens.
func (r Rhythm) Label() string { return RhythmNames[r] }

// CampaignState is whether a campaign is running.
type CampaignState string

// Campaign states.
const (
	CampaignOpen   CampaignState = "open"
	CampaignClosed CampaignState = "closed"
)

// CampaignStateNames are the screen names.
var CampaignStateNames = map[CampaignState]string{CampaignOpen: "进行中", CampaignClosed: "已结束"}

// Label is how the state reads on screens.
func (s CampaignState) Label() string { return CampaignStateNames[s] }

// DefaultChecklist is what each unit examines unless the office writes its own list: what the
// report's self-checks looked at.
var DefaultChecklist = []string{
	"已清偿账款逐笔核实，支付凭证真实，无数字清偿、纸面清偿",
	"投诉举报线索逐件落实",
	"有无新增拖欠账款",
	"长效机制：采购管理制度",
	"长效机制：工程项目管理制度",
	"长效机制：应付账款管理制度",
	"及时支付情况纳入内部绩效考核",
}

// Campaign is a 回头看, self-check, 自查自纠, rectification or inspection: what the office asks of
// which units, by when.
type Campaign struct {
	ID    int64         `json:"id"`
	Kind  CampaignKind  `json:"kind"`
	Title string        `json:"title"`
	Basis string        `json:"basis"` // the document the campaign answers
	Scope CampaignScope `json:"scope"`
	// Level is, with ScopeLevel, the level of the units asked: 2 for the groups' direct
	// subsidiaries (二级子企业), 3 for theirs, up to 5.
	Level     int           `json:"level,omitempty"`
	Checklist []string      `json:"checklist"`
	StartsOn  Date          `json:"starts_on"`
	TargetOn  Date          `json:"target_on"`
	Rhythm    Rhythm        `json:"rhythm"`
	State     CampaignState `json:"state"`
	Summary   string        `json:"summary"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
	ClosedBy  string        `json:"closed_by"`
	ClosedAt  time.Time     `json:"closed_at,omitzero"`
	Version   int           `json:"version"`
	// Units are the units asked to answer, with where their answers stand.
	Units []CampaignUnit `json:"units"`
}

// CampaignUnit is one unit asked by a campaign and where its answer stands.
type CampaignUnit struct {
	OrgID      int64           `json:"org_id"`
	OrgName    string          `json:"org_name"`
	AnswerID   int64           `json:"answer_id"` // 0 until it prepares one
	State      SubmissionState `json:"state"`     // missing until it prepares one
	Late       bool            `json:"late"`      // approved after the target date, or not approved and it has passed
	ApprovedAt time.Time       `json:"approved_at,omitzero"`
	Found      Money           `json:"found"`    // debts found, as its answer computed them
	Reversed   Money           `json:"reversed"` // repayments reversed
	PreparedAt time.Time       `json:"prepared_at,omitzero"`
	// Reported says, for a campaign with a reporting rhythm, whether the unit has prepared its
	// answer in the current reporting period (MarkReported).
	Reported bool `json:"reported"`
}

// Normalize fills what a campaign left empty: the default checklist, a one-off rhythm.
func (c *Campaign) Normalize() {
	var list []string
	for _, s := range c.Checklist {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	c.Checklist = list
	if len(c.Checklist) == 0 {
		c.Checklist = append([]string{}, DefaultChecklist...)
	}
	if c.Rhythm == "" {
		c.Rhythm = RhythmNone
	}
	if c.Scope == "" {
		c.Scope = ScopeGroups
	}
	if c.Scope != ScopeLevel {
		c.Level = 0
	}
	c.Title, c.Basis = strings.TrimSpace(c.Title), strings.TrimSpace(c.Basis)
}

// Validate checks a campaign before it is launched.
func (c *Campaign) Validate() error {
	v := Validation{}
	if _, ok := CampaignKindNames[c.Kind]; !ok {
		v.Add("kind", "请选择类型：回头看、自查、自查自纠、整改或专项督查")
	}
	if c.Title == "" {
		v.Add("title", "请填写名称")
	} else if len([]rune(c.Title)) > 200 {
		v.Add("title", "名称不能超过200个字")
	}
	if len([]rune(c.Basis)) > 500 {
		v.Add("basis", "依据不能超过500个字")
	}
	if _, ok := CampaignScopeNames[c.Scope]; !ok {
		v.Add("scope", "范围应为各集团、以子分公司为重点或指定级次的子企业")
	}
	if c.Scope == ScopeLevel && (c.Level < 2 || c.Level > 5) {
		v.Add("level", "级次应为2到5（2为集团的二级子企业）")
	}
	if _, ok := RhythmNames[c.Rhythm]; !ok {
		v.Add("rhythm", "报送频次应为一次、每周或每月")
	}
	if len(c.Checklist) > 30 {
		v.Add("checklist", "检查事项最多30项")
	}
	for i, s := range c.Checklist {
		if len([]rune(s)) > 200 {
			v.Add("checklist", fmt.Sprintf("第%d项检查事项不能超过200个字", i+1))
		}
	}
	if c.StartsOn.IsZero() {
		v.Add("starts_on", "请填写开始日期")
	}
	if c.TargetOn.IsZero() {
		v.Add("target_on", "请填写完成时限")
	} else if !c.StartsOn.IsZero() && c.TargetOn.Before(c.StartsOn) {
		v.Add("target_on", "完成时限不能早于开始日期")
	} else if c.TargetOn.Sub(c.StartsOn) > 366 {
		v.Add("target_on", "完成时限距开始日期不能超过一年")
	}
	return v.Err()
}

// Late reports whether a unit's answer is late on the date: approved after the target, or
// not approved and the target has passed (while the campaign runs; once closed, an answer
// never approved counts as late too).
func (c *Campaign) Late(u *CampaignUnit, today Date) bool {
	if u.State == StateApproved {
		return c.TargetOn.Before(DateOf(u.ApprovedAt))
	}
	return c.TargetOn.Before(today)
}

// Finding is a unit's answer to one item of a campaign's checklist.
type Finding struct {
	Seq      int      `json:"seq"` // the checklist item, from 1
	Finding  string   `json:"finding"`
	Action   string   `json:"action"`   // the corrective action taken
	Evidence []string `json:"evidence"` // SHA-256 of voucher files stored beforehand
}

// CampaignAnswer is a unit's answer to a campaign: its findings item by item and what it
// recorded in the ledger meanwhile (computed, never typed), signed off like a submission.
type CampaignAnswer struct {
	ID         int64           `json:"id"`
	CampaignID int64           `json:"campaign_id"`
	OrgID      int64           `json:"org_id"`
	OrgName    string          `json:"org_name"`
	State      SubmissionState `json:"state"`
	Findings   []Finding       `json:"findings"`
	// What the unit's subtree recorded from the campaign's start to the preparation: items of
	// origin self-check (count and amount), and reversed repayments (count and amount).
	FoundItems    int        `json:"found_items"`
	Found         Money      `json:"found"`
	ReversedCount int        `json:"reversed_count"`
	Reversed      Money      `json:"reversed"`
	PreparedAt    time.Time  `json:"prepared_at"`
	Steps         []SignStep `json:"steps"`
	Version       int        `json:"version"`
}

// AnswerInput is what a unit prepares.
type AnswerInput struct {
	Findings []Finding `json:"findings"`
	Version  int       `json:"version"` // of the answer being prepared again; 0 the first time
}

// Validate checks the findings against the campaign's checklist: every item answered.
func (in *AnswerInput) Validate(c *Campaign) error {
	v := Validation{}
	seen := map[int]bool{}
	for i, f := range in.Findings {
		if f.Seq < 1 || f.Seq > len(c.Checklist) {
			v.Add(fmt.Sprintf("findings.%d.seq", i), fmt.Sprintf("第%d条：检查事项序号应为1到%d", i+1, len(c.Checklist)))
			continue
		}
		if seen[f.Seq] {
			v.Add(fmt.Sprintf("findings.%d.seq", i), fmt.Sprintf("检查事项%d重复填写", f.Seq))
		}
		seen[f.Seq] = true
		if strings.TrimSpace(f.Finding) == "" {
			v.Add(fmt.Sprintf("findings.%d.finding", f.Seq-1), fmt.Sprintf("检查事项%d：请填写检查情况", f.Seq))
		} else if len([]rune(f.Finding)) > 2000 {
			v.Add(fmt.Sprintf("findings.%d.finding", f.Seq-1), fmt.Sprintf("检查事项%d：检查情况不能超过2000个字", f.Seq))
		}
		if len([]rune(f.Action)) > 2000 {
			v.Add(fmt.Sprintf("findings.%d.action", f.Seq-1), fmt.Sprintf("检查事项%d：整改措施不能超过2000个字", f.Seq))
		}
		if len(f.Evidence) > 10 {
			v.Add(fmt.Sprintf("findings.%d.evidence", f.Seq-1), fmt.Sprintf("检查事项%d：佐证材料最多10份", f.Seq))
		}
	}
	for i := range c.Checklist {
		if !seen[i+1] && v[fmt.Sprintf("findings.%d.finding", i)] == "" {
			v.Add(fmt.Sprintf("findings.%d.finding", i), fmt.Sprintf("检查事项%d：请填写检查情况", i+1))
		}
	}
	return v.Err()
}

// BurnPoint is what was outstanding in a rectification's scope as of a date.
type BurnPoint struct {
	On          Date  `json:"on"`
	Outstanding Money `json:"outstanding"`
}

// RectifyItem is a debt in a rectification's scope and its plan.
type RectifyItem struct {
	ItemID      int64  `json:"item_id"`
	OrgID       int64  `json:"org_id"`
	OrgName     string `json:"org_name"`
	Creditor    string `json:"creditor"`
	Outstanding Money  `json:"outstanding"` // undisputed, today
	PlanEnds    Date   `json:"plan_ends,omitzero"`
	// Misses: still outstanding with no plan, or a plan ending after the target, or the target
	// passed.
	Misses bool `json:"misses"`
}

// Rectification is the burn-down of a rectification campaign: the undisputed outstanding of the
// debts in scope (those of its units outstanding on its start date) week by week, and the debts
// that will miss the target. Debts in court count by their disputed part, not here.
type Rectification struct {
	CampaignID int64         `json:"campaign_id"`
	Points     []BurnPoint   `json:"points"`
	Items      []RectifyItem `json:"items"`
	Missing    []string      `json:"missing"` // the units that will miss the target
}

// CampaignService runs campaigns. The office (supervisor) launches and closes them; the units
// asked prepare their answers (clerks and liaisons), reviewed and approved by their reviewers.
type CampaignService interface {
	// LaunchCampaign launches a campaign to the given units (all active groups when none); with
	// ScopeLevel, to the active units of its level (below the given groups when some are given).
	LaunchCampaign(ctx context.Context, c *Campaign, orgIDs []int64) error
	CampaignReminders
	FindCampaign(ctx context.Context, id int64) (*Campaign, error)
	FindCampaigns(ctx context.Context) ([]*Campaign, error)
	// CloseCampaign closes it with the office's summary.
	CloseCampaign(ctx context.Context, id int64, summary string, version int) (*Campaign, error)

	// PrepareAnswer prepares (or prepares again) the actor's unit's answer.
	PrepareAnswer(ctx context.Context, campaignID int64, in AnswerInput) (*CampaignAnswer, error)
	// SignAnswer reviews, approves or returns an answer.
	SignAnswer(ctx context.Context, answerID int64, act SignAction, note string, version int) (*CampaignAnswer, error)
	FindAnswer(ctx context.Context, answerID int64) (*CampaignAnswer, error)
	// FindAnswers lists the visible answers to a campaign.
	FindAnswers(ctx context.Context, campaignID int64) ([]*CampaignAnswer, error)

	// Rectification computes a campaign's burn-down as of a date (today when zero).
	Rectification(ctx context.Context, campaignID int64, asOf Date) (*Rectification, error)
}
