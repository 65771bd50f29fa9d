package qingqian

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// CaseKind is the route a disputed debt takes through a court or another body.
type CaseKind string

// Kinds of cases.
const (
	CaseLitigation  CaseKind = "litigation"  // 诉讼
	CaseArbitration CaseKind = "arbitration" // 仲裁
	CaseMediation   CaseKind = "mediation"   // 调解
	CaseBankruptcy  CaseKind = "bankruptcy"  // 破产债权申报
)

// CaseKinds lists the kinds in display order.
var CaseKinds = []CaseKind{CaseLitigation, CaseArbitration, CaseMediation, CaseBankruptcy}

// CaseKindNames are the screen names.
var CaseKindNames = map[CaseKind]string{CaseLitigation: "诉讼", CaseArbitration: "仲裁", CaseMediation: "调解", CaseBankruptcy: "破产清算"}

// Label is how the kind of case reads on screens and in spreadsheets.
func (k CaseKind) Label() string { return CaseKindNames[k] }

// Route is the way a disputed debt is being resolved in the monthly table: the kind of its
// case, or "negotiation" for a disputed item without a case.
type Route string

// RouteNames are the screen names.
var RouteNames = map[Route]string{"negotiation": "协商", "mediation": "调解", "litigation": "诉讼", "arbitration": "仲裁", "bankruptcy": "破产清算"}

// Label is how the route reads on screens and in spreadsheets.
func (r Route) Label() string { return RouteNames[r] }

// CaseStage is where a case stands.
type CaseStage string

// Stages of a case.
const (
	StageFiled       CaseStage = "filed"       // 立案
	StageHearing     CaseStage = "hearing"     // 审理
	StageMediation   CaseStage = "mediation"   // 调解
	StageJudgment    CaseStage = "judgment"    // 判决（裁决）
	StageEnforcement CaseStage = "enforcement" // 执行
	StageClosed      CaseStage = "closed"      // 结案
	// Litigation only: an appeal against a first-instance judgment. An arbitral award is final.
	StageAppeal CaseStage = "appeal" // 二审
	// Bankruptcy: 申请 (StageFiled)、受理、债权申报、债权人会议、分配、终结 (StageClosed); no
	// judgment and no appeal.
	StageAccepted     CaseStage = "accepted"          // 受理
	StageClaims       CaseStage = "claims"            // 债权申报
	StageCreditors    CaseStage = "creditors_meeting" // 债权人会议
	StageDistribution CaseStage = "distribution"      // 分配
)

// CaseStages lists the stages in order.
var CaseStages = []CaseStage{StageFiled, StageHearing, StageMediation, StageJudgment, StageAppeal, StageEnforcement,
	StageAccepted, StageClaims, StageCreditors, StageDistribution, StageClosed}

// CaseStageNames are the screen names.
var CaseStageNames = map[CaseStage]string{StageFiled: "立案", StageHearing: "审理", StageMediation: "调解", StageJudgment: "判决（裁决）",
	StageEnforcement: "执行", StageClosed: "结案", StageAppeal: "二审",
	StageAccepted: "受理", StageClaims: "债权申报", StageCreditors: "债权人会议", StageDistribution: "分配"}

// Label is how the stage reads on screens and in spreadsheets.
func (s CaseStage) Label() string { return CaseStageNames[s] }

// Stages are the stages a case of this kind goes through, in order: each route its own.
func (k CaseKind) Stages() []CaseStage {
	switch k {
	case CaseLitigation:
		return []CaseStage{StageFiled, StageHearing, StageMediation, StageJudgment, StageAppeal, StageEnforcement, StageClosed}
	case CaseArbitration:
		return []CaseStage{StageFiled, StageHearing, StageMediation, StageJudgment, StageEnforcement, StageClosed}
	case CaseMediation:
		return []CaseStage{StageFiled, StageMediation, StageEnforcement, StageClosed}
	case CaseBankruptcy:
		return []CaseStage{StageFiled, StageAccepted, StageClaims, StageCreditors, StageDistribution, StageClosed}
	}
	return nil
}

// StageLabel is how a stage reads for a case of this kind: a bankruptcy is 申请 and 终结, an
// arbitration's decision is 裁决.
func (k CaseKind) StageLabel(s CaseStage) string {
	switch {
	case k == CaseBankruptcy && s == StageFiled:
		return "申请"
	case k == CaseBankruptcy && s == StageClosed:
		return "终结"
	case k == CaseArbitration && s == StageJudgment:
		return "裁决"
	case k == CaseLitigation && s == StageJudgment:
		return "判决"
	}
	return s.Label()
}

// HasStage reports whether a case of this kind goes through the stage.
func (k CaseKind) HasStage(s CaseStage) bool { return slices.Contains(k.Stages(), s) }

// DecisionStages are the stages at which a decision (amounts confirmed and reduced) is made:
// a judgment, an award or a mediation agreement; for a bankruptcy, the distribution.
func (k CaseKind) DecisionStages() []CaseStage {
	switch k {
	case CaseBankruptcy:
		return []CaseStage{StageDistribution}
	case CaseMediation:
		return []CaseStage{StageMediation}
	}
	return []CaseStage{StageJudgment, StageMediation, StageAppeal}
}

// caseNoShape is what case numbers look like: a year in brackets, then the court or body and
// the kind of case, then a number and 号 — （2020）冀01民初123号, (2021)京0105执456号,
// 石仲裁字〔2020〕第12号.
var caseNoShape = regexp.MustCompile(`^[\p{Han}A-Za-z0-9]*[（(〔\[](\d{4})[）)〕\]][\p{Han}A-Za-z0-9]*\d+号$`)

// CheckCaseNo returns what is wrong with a case number, or "".
func CheckCaseNo(no string) string {
	if no == "" {
		return "请填写案号"
	}
	if len([]rune(no)) > 60 {
		return "案号不能超过60个字"
	}
	if !caseNoShape.MatchString(no) {
		return "案号格式应如“（2020）冀01民初123号”：括号内为年份，以“号”结尾"
	}
	return ""
}

// caseNoYear returns the year in a well-formed case number (the year the case was received).
func caseNoYear(no string) int {
	m := caseNoShape.FindStringSubmatch(no)
	if m == nil {
		return 0
	}
	y, _ := strconv.Atoi(m[1])
	return y
}

// CaseEvent is a dated step of a case; the case's stage on a date is that of its last event by
// then.
type CaseEvent struct {
	Seq       int       `json:"seq"`
	On        Date      `json:"on"`
	Stage     CaseStage `json:"stage"`
	Text      string    `json:"text"`
	Confirmed Money     `json:"confirmed"` // moved from disputed to undisputed by this decision
	Reduced   Money     `json:"reduced"`   // taken off by this decision
	ItemID    int64     `json:"item_id,omitempty"`
	ActorName string    `json:"actor_name"`
	At        time.Time `json:"at"`
}

// Case is a litigation, arbitration, mediation or bankruptcy claim about disputed items.
type Case struct {
	ID          int64       `json:"id"`
	OrgID       int64       `json:"org_id"`
	OrgName     string      `json:"org_name"`
	Kind        CaseKind    `json:"kind"`
	Body        string      `json:"body"` // court or arbitration body
	CaseNo      string      `json:"case_no"`
	FiledOn     Date        `json:"filed_on"`
	Stage       CaseStage   `json:"stage"`
	Claimed     Money       `json:"claimed"`
	Decided     Money       `json:"decided"` // what decisions confirmed so far
	Responsible string      `json:"responsible"`
	NextStep    string      `json:"next_step"`
	ExpectedOn  Date        `json:"expected_on,omitzero"`
	Items       []int64     `json:"items"`
	Events      []CaseEvent `json:"events"`
	Version     int         `json:"version"`
}

// StageOn is the case's stage as of a date, or "" before it was filed.
func (c *Case) StageOn(d Date) CaseStage {
	var s CaseStage
	if !d.Before(c.FiledOn) {
		s = StageFiled
	}
	for _, e := range c.Events {
		if !d.Before(e.On) {
			s = e.Stage
		}
	}
	return s
}

// Validate checks a new case.
func (c *Case) Validate(today Date) error {
	v := Validation{}
	if _, ok := CaseKindNames[c.Kind]; !ok {
		v.Add("kind", "请选择案件类型")
	}
	if c.Body == "" {
		v.Add("body", "请填写法院或仲裁机构")
	} else if len([]rune(c.Body)) > 60 {
		v.Add("body", "法院或仲裁机构不能超过60个字")
	}
	if msg := CheckCaseNo(c.CaseNo); msg != "" {
		v.Add("case_no", msg)
	}
	if c.FiledOn.IsZero() {
		v.Add("filed_on", "请填写立案日期")
	} else if today.Before(c.FiledOn) {
		v.Add("filed_on", "立案日期不能晚于今天")
	} else if y := caseNoYear(c.CaseNo); y != 0 && (y < c.FiledOn.Year()-1 || y > c.FiledOn.Year()+1) {
		// The year in a case number is the year the case was received: a year far from the
		// filing date is a slip in one of the two.
		v.Add("case_no", fmt.Sprintf("案号中的年份（%d）与立案日期（%s）不符，请核对", y, c.FiledOn))
	}
	if len(c.Items) == 0 {
		v.Add("items", "请选择案件涉及的台账条目")
	}
	if c.Claimed < 0 {
		v.Add("claimed", "诉请金额不能为负")
	}
	CheckAmount(v, "claimed", "诉请金额", c.Claimed)
	if len([]rune(c.NextStep)) > 500 {
		v.Add("next_step", "下一步工作不能超过500个字")
	}
	return v.Err()
}

// CaseUpdate changes what a case plans next.
type CaseUpdate struct {
	Responsible *string `json:"responsible"`
	NextStep    *string `json:"next_step"`
	ExpectedOn  *Date   `json:"expected_on"`
	Version     int     `json:"version"`
}

// Decision is a judgment, award or mediation agreement about one item of a case: what it
// confirms as owed (moved from disputed to undisputed) and what it takes off.
type Decision struct {
	ItemID    int64     `json:"item_id"`
	On        Date      `json:"on"`
	Stage     CaseStage `json:"stage"` // judgment or mediation
	Confirmed Money     `json:"confirmed"`
	Reduced   Money     `json:"reduced"`
	Text      string    `json:"text"`
	Version   int       `json:"version"`
}

// DisputeRow is one line of the monthly table 剩余有分歧账款推动解决情况表: a disputed item still
// outstanding as of the date, with its case if it has one.
type DisputeRow struct {
	ItemID   int64  `json:"item_id"`
	ItemNo   string `json:"item_no"`
	OrgName  string `json:"org_name"`
	Creditor string `json:"creditor"`
	// The item as of the date, in a row that reconciles: Recognised = Repaid + Reduced +
	// Outstanding; Amount is the disputed part of Outstanding.
	Recognised  Money     `json:"recognised"`  // recognised, both parts
	Reduced     Money     `json:"reduced"`     // court reductions, write-offs, adjustments (核减核销)
	Outstanding Money     `json:"outstanding"` // both parts
	Amount      Money     `json:"amount"`      // disputed and outstanding as of the date
	Reason      string    `json:"reason"`
	Route       Route     `json:"route"`
	CaseID      int64     `json:"case_id,omitempty"`
	CaseNo      string    `json:"case_no"`
	Stage       CaseStage `json:"stage"`
	Progress    string    `json:"progress"` // the events of the month
	NextStep    string    `json:"next_step"`
	ExpectedOn  Date      `json:"expected_on,omitzero"`
	// ExpectedPassed: the date expected for the next step has passed by the table's date.
	ExpectedPassed bool   `json:"expected_passed,omitempty"`
	Repaid         Money  `json:"repaid"`
	Responsible    string `json:"responsible"`
}

// StageText is how the row's stage reads for its route (a bankruptcy's 申请 and 终结).
func (r *DisputeRow) StageText() string { return CaseKind(r.Route).StageLabel(r.Stage) }

// DisputeTable is the monthly table as of a date.
type DisputeTable struct {
	OrgName string       `json:"org_name"`
	AsOf    Date         `json:"as_of"`
	Rows    []DisputeRow `json:"rows"`
	Total   Money        `json:"total"`
	Repaid  Money        `json:"repaid"`
	// The rows' sums: Recognised = Repaid + Reduced + Outstanding.
	Recognised  Money `json:"recognised"`
	Reduced     Money `json:"reduced"`
	Outstanding Money `json:"outstanding"`
}

// CaseService follows disputed debts through the courts.
type CaseService interface {
	// CreateCase opens a case about items of one unit's subtree. Writers of that subtree.
	CreateCase(ctx context.Context, c *Case) error
	FindCase(ctx context.Context, id int64) (*Case, error)
	// FindCases lists visible cases; open limits to those not closed.
	FindCases(ctx context.Context, open bool) ([]*Case, error)
	UpdateCase(ctx context.Context, id int64, upd CaseUpdate) (*Case, error)
	// AddEvent records a dated step (hearing, enforcement, closing…).
	AddEvent(ctx context.Context, id int64, e CaseEvent, version int) (*Case, error)
	// Decide records a judgment or mediation about one item and turns it into entries: a court
	// reduction for what it takes off, a reclassification for what it confirms.
	Decide(ctx context.Context, id int64, d Decision) (*Case, error)
	// Disputes computes the monthly table for the unit's subtree as of a date.
	Disputes(ctx context.Context, orgID int64, asOf Date) (*DisputeTable, error)
}
