package qingqian

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cause is why a debt went unpaid, in a short national-style taxonomy.
type Cause string

// Causes.
const (
	CauseFunds      Cause = "funds"      // 资金不到位
	CauseUnsettled  Cause = "unsettled"  // 项目未结算
	CauseAcceptance Cause = "acceptance" // 验收或审计未完成
	CauseDispute    Cause = "dispute"    // 合同纠纷
	CauseUpstream   Cause = "upstream"   // 上游未付款（背靠背）
	CauseProcess    Cause = "process"    // 流程或审批拖延
	CauseOther      Cause = "other"      // 其他
)

// Causes lists the causes in display order.
var Causes = []Cause{CauseFunds, CauseUnsettled, CauseAcceptance, CauseDispute, CauseUpstream, CauseProcess, CauseOther}

// CauseNames are the screen names.
var CauseNames = map[Cause]string{CauseFunds: "资金不到位", CauseUnsettled: "项目未结算", CauseAcceptance: "验收或审计未完成",
	CauseDispute: "合同纠纷", CauseUpstream: "上游未付款（背靠背）", CauseProcess: "流程或审批拖延", CauseOther: "其他"}

// Label is how the cause reads on screens and in spreadsheets.
func (c Cause) Label() string { return CauseNames[c] }

// CauseSubject is what a cause is recorded on.
type CauseSubject string

// Subjects.
const (
	SubjectClue CauseSubject = "clue" // a verified complaint clue
	SubjectItem CauseSubject = "item" // a debt of the ledger (a new arrear)
)

// CauseSubjectNames are the screen names.
var CauseSubjectNames = map[CauseSubject]string{SubjectClue: "投诉线索", SubjectItem: "欠款"}

// Label is how the subject reads on screens.
func (s CauseSubject) Label() string { return CauseSubjectNames[s] }

// CauseRecord is the cause given to a clue or an item, with the group it falls in, the kind
// of the debt and the date it counts on (a clue's receipt, an item's arising).
type CauseRecord struct {
	Subject   CauseSubject `json:"subject"`
	SubjectID int64        `json:"subject_id"`
	// SubjectNo is the clue's or the item's number as people know it ("" when it has none).
	SubjectNo  string    `json:"subject_no"`
	Cause      Cause     `json:"cause"`
	Note       string    `json:"note"`
	OrgID      int64     `json:"org_id"`
	OrgName    string    `json:"org_name"`
	ItemKind   ItemKind  `json:"item_kind,omitempty"` // "" for a clue with no debt linked
	On         Date      `json:"on"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// CauseInput is what a unit records.
type CauseInput struct {
	Cause Cause  `json:"cause"`
	Note  string `json:"note"`
}

// Validate checks a cause.
func (in *CauseInput) Validate() error {
	in.Note = strings.TrimSpace(in.Note)
	v := Validation{}
	if _, ok := CauseNames[in.Cause]; !ok {
		v.Add("cause", "请选择拖欠原因")
	}
	if in.Cause == CauseOther && in.Note == "" {
		v.Add("note", "原因为“其他”时请说明")
	}
	if len([]rune(in.Note)) > 1000 {
		v.Add("note", "说明不能超过1000个字")
	}
	return v.Err()
}

// CauseCount counts causes under one heading (a group, a kind of debt, a half-year).
type CauseCount struct {
	Key    string        `json:"key"`
	Name   string        `json:"name"`
	Counts map[Cause]int `json:"counts"`
	Total  int           `json:"total"`
}

// ComplaintTrend is a group's complaints received in the half-year to the date and in the one before.
type ComplaintTrend struct {
	OrgID    int64  `json:"org_id"`
	OrgName  string `json:"org_name"`
	Before   int    `json:"before"`
	Recent   int    `json:"recent"`
	Rising   bool   `json:"rising"`
	TopCause Cause  `json:"top_cause,omitempty"`
}

// CauseAnalysis is the evidence for a 举一反三 notice: causes by group, by kind of debt and by
// period (month, quarter, half-year or year), and the groups whose complaints rise: the last
// period to the date against the one before it.
type CauseAnalysis struct {
	AsOf     Date             `json:"as_of"`
	Period   AnalysisPeriod   `json:"period"`
	ByGroup  []CauseCount     `json:"by_group"`
	ByKind   []CauseCount     `json:"by_kind"`
	ByPeriod []CauseCount     `json:"by_period"`
	Trends   []ComplaintTrend `json:"trends"`
}

// AnalysisPeriod is the length of the periods causes and complaints are counted in.
type AnalysisPeriod string

// Periods of analysis.
const (
	PeriodMonth   AnalysisPeriod = "month"
	PeriodQuarter AnalysisPeriod = "quarter"
	PeriodHalf    AnalysisPeriod = "half"
	PeriodYear    AnalysisPeriod = "year"
)

// AnalysisPeriods lists the periods in display order.
var AnalysisPeriods = []AnalysisPeriod{PeriodMonth, PeriodQuarter, PeriodHalf, PeriodYear}

// AnalysisPeriodNames are the screen names.
var AnalysisPeriodNames = map[AnalysisPeriod]string{PeriodMonth: "月", PeriodQuarter: "季度", PeriodHalf: "半年", PeriodYear: "年"}

// Label is the screen name.
func (p AnalysisPeriod) Label() string { return AnalysisPeriodNames[p] }

// Months is the period's length in months.
func (p AnalysisPeriod) Months() int {
	switch p {
	case PeriodMonth:
		return 1
	case PeriodQuarter:
		return 3
	case PeriodYear:
		return 12
	}
	return 6
}

// Name names the period a date falls in: "2021年3月", "2021年第1季度", "2021上半年", "2021年".
func (p AnalysisPeriod) Name(d Date) string {
	y := strconv.Itoa(d.Year())
	switch p {
	case PeriodMonth:
		return y + "年" + strconv.Itoa(int(d.Month())) + "月"
	case PeriodQuarter:
		return y + "年第" + strconv.Itoa((int(d.Month())+2)/3) + "季度"
	case PeriodYear:
		return y + "年"
	}
	return HalfOf(d)
}

// Key sorts the periods in time order: "2021-03", "2021-Q1", "2021-H1", "2021".
func (p AnalysisPeriod) Key(d Date) string {
	y := strconv.Itoa(d.Year())
	switch p {
	case PeriodMonth:
		return fmt.Sprintf("%s-%02d", y, int(d.Month()))
	case PeriodQuarter:
		return y + "-Q" + strconv.Itoa((int(d.Month())+2)/3)
	case PeriodYear:
		return y
	}
	if d.Month() <= 6 {
		return y + "-H1"
	}
	return y + "-H2"
}

// Add counts one cause.
func (c *CauseCount) Add(cause Cause) {
	if c.Counts == nil {
		c.Counts = map[Cause]int{}
	}
	c.Counts[cause]++
	c.Total++
}

// HalfOf names the half-year of a date: "2021上半年".
func HalfOf(d Date) string {
	if d.Month() <= 6 {
		return strconv.Itoa(d.Year()) + "上半年"
	}
	return strconv.Itoa(d.Year()) + "下半年"
}

// CauseService records causes and analyses them.
type CauseService interface {
	// SetCause records (or changes) the cause of a verified clue or of an item, by the unit
	// handling it or the office.
	SetCause(ctx context.Context, subject CauseSubject, id int64, in CauseInput) (*CauseRecord, error)
	// FindCause returns the cause recorded on a clue or item, nil when none.
	FindCause(ctx context.Context, subject CauseSubject, id int64) (*CauseRecord, error)
	// FindCauses lists the visible causes recorded, newest first.
	FindCauses(ctx context.Context) ([]*CauseRecord, error)
	// AnalyseCauses counts the visible causes by group, kind and period, and the groups'
	// complaint trends over the last period to the date against the one before ("" is half-year).
	AnalyseCauses(ctx context.Context, asOf Date, period AnalysisPeriod) (*CauseAnalysis, error)
}
