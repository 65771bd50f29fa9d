package qingqian

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// PeriodKind is what a reporting period is for.
type PeriodKind string

// Kinds of periods. A baseline period asks every group to confirm its baseline ledger (底数)
// once; after its sign-off the group's baseline is locked and progress is measured against it.
const (
	PeriodBaseline PeriodKind = "baseline" // 底数确认
	PeriodWeekly   PeriodKind = "weekly"   // 周报
	PeriodMonthly  PeriodKind = "monthly"  // 月报
	PeriodSpecial  PeriodKind = "special"  // 专项（回头看）
)

// PeriodKinds lists the kinds in display order.
var PeriodKinds = []PeriodKind{PeriodWeekly, PeriodMonthly, PeriodSpecial, PeriodBaseline}

// PeriodKindNames are the screen names.
var PeriodKindNames = map[PeriodKind]string{PeriodBaseline: "底数确认", PeriodWeekly: "周报", PeriodMonthly: "月报", PeriodSpecial: "专项（回头看）"}

// Label is how the kind of period reads on screens and in spreadsheets.
func (k PeriodKind) Label() string { return PeriodKindNames[k] }

// Period is a reporting round (报送期次) opened by the clearance office: every group under the
// office submits its figures as of AsOf by Deadline. No is the issue number, 第N期.
type Period struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id"` // the office that opened it
	OrgName   string     `json:"org_name"`
	No        int        `json:"no"`
	Kind      PeriodKind `json:"kind"`
	Title     string     `json:"title"`
	StartsOn  Date       `json:"starts_on"` // first day of what "repaid in the period" counts
	AsOf      Date       `json:"as_of"`
	Deadline  Date       `json:"deadline"`
	Note      string     `json:"note"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

// DefaultTitle names a period the way the office's reports are named.
func (p *Period) DefaultTitle() string {
	return fmt.Sprintf("第%d期 清欠%s（截至%d年%d月%d日）", p.No, p.Kind.Label(), p.AsOf.Year(), p.AsOf.Month(), p.AsOf.Day())
}

// Normalize fills the defaults: the start of a weekly period is six days before its date, of a
// monthly one the first of the month; a baseline or special round counts from its own date.
func (p *Period) Normalize() {
	if p.StartsOn.IsZero() && !p.AsOf.IsZero() {
		switch p.Kind {
		case PeriodWeekly:
			p.StartsOn = p.AsOf.AddDays(-6)
		case PeriodMonthly:
			p.StartsOn = NewDate(p.AsOf.Year(), p.AsOf.Month(), 1)
		default:
			p.StartsOn = p.AsOf
		}
	}
}

// Validate checks a period before it is opened.
func (p *Period) Validate() error {
	v := Validation{}
	if _, ok := PeriodKindNames[p.Kind]; !ok {
		v.Add("kind", "期次类型应为 weekly、monthly、special 或 baseline")
	}
	if p.AsOf.IsZero() {
		v.Add("as_of", "请填写截止日期（数据截至哪一天）")
	}
	if p.Deadline.IsZero() {
		v.Add("deadline", "请填写报送期限")
	} else if !p.AsOf.IsZero() && p.Deadline.Before(p.AsOf) {
		v.Add("deadline", "报送期限不能早于数据截止日期")
	}
	if !p.StartsOn.IsZero() && !p.AsOf.IsZero() && p.AsOf.Before(p.StartsOn) {
		v.Add("starts_on", "统计起始日期不能晚于截止日期")
	}
	if p.No < 0 {
		v.Add("no", "期次号应为正整数")
	}
	if len([]rune(p.Title)) > 100 {
		v.Add("title", "标题不能超过100个字")
	}
	if len([]rune(p.Note)) > 2000 {
		v.Add("note", "说明不能超过2000个字")
	}
	return v.Err()
}

// Schedule asks for a series of periods: Count weekly periods every seven days from First, or
// Count monthly periods ending on the last day of each month from First's month; each due
// DeadlineDays after its date.
type Schedule struct {
	Kind         PeriodKind `json:"kind"`
	First        Date       `json:"first"`
	Count        int        `json:"count"`
	DeadlineDays int        `json:"deadline_days"`
}

// Periods returns the periods of the schedule, without numbers.
func (s Schedule) Periods() ([]*Period, error) {
	v := Validation{}
	if s.Kind != PeriodWeekly && s.Kind != PeriodMonthly {
		v.Add("kind", "只能按周或按月生成期次")
	}
	if s.First.IsZero() {
		v.Add("first", "请填写第一期的截止日期")
	}
	if s.Count < 1 || s.Count > 60 {
		v.Add("count", "一次生成的期数应为1到60")
	}
	if s.DeadlineDays < 0 || s.DeadlineDays > 60 {
		v.Add("deadline_days", "报送期限应为截止日期后0到60天")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []*Period
	for i := range s.Count {
		var asOf Date
		if s.Kind == PeriodWeekly {
			asOf = s.First.AddDays(7 * i)
		} else {
			first := NewDate(s.First.Year(), s.First.Month(), 1).AddMonths(i)
			asOf = first.AddMonths(1).AddDays(-1)
		}
		p := &Period{Kind: s.Kind, AsOf: asOf, Deadline: asOf.AddDays(s.DeadlineDays)}
		p.Normalize()
		out = append(out, p)
	}
	return out, nil
}

// GroupFigures are one group's figures for a period, computed from the ledger as of the
// period's date: what a submission freezes and a consolidated report adds up.
type GroupFigures struct {
	Baseline       Money `json:"baseline"`        // 底数：the baseline confirmed (or, before that, the ledger's baseline items)
	BaselineLocked bool  `json:"baseline_locked"` // the baseline was signed off and locked
	BaselineRepaid Money `json:"baseline_repaid"` // repaid on baseline items to date
	BaselineLeft   Money `json:"baseline_left"`   // outstanding on baseline items

	RepaidPeriod Money `json:"repaid_period"`  // repaid within the period
	RepaidToDate Money `json:"repaid_to_date"` // repaid to the period's date, all items
	// Reduced is what left the debt otherwise than by repayment (核减核销): court reductions,
	// write-offs and adjustments, so that every row reconciles: Baseline + NewAmount =
	// RepaidToDate + Reduced + Outstanding (see Reconcile).
	Reduced     Money `json:"reduced"`
	Recognised  Money `json:"recognised"`
	Outstanding Money `json:"outstanding"`
	Undisputed  Money `json:"outstanding_undisputed"`
	Disputed    Money `json:"outstanding_disputed"`
	InCourt     Money `json:"in_court"` // of Disputed, on items before a court, an arbitration body or in bankruptcy
	Rate        int64 `json:"rate"`     // clearance rate in basis points

	NewItems       int64 `json:"new_items"` // items found after the baseline (self-check, complaint, new arrears)
	NewAmount      Money `json:"new_amount"`
	NewOutstanding Money `json:"new_outstanding"`

	// Of the items found after the baseline, the new arrears (origin new, 新增拖欠: mostly the
	// contracts' payables gone overdue, swept into the ledger), shown apart so that old debt
	// cleared while new debt is made is seen (ADR 37). ArrearsApart marks figures computed since
	// they are: figures frozen before lack them, and show them as not counted, not as zero.
	ArrearsApart       bool  `json:"arrears_apart"`
	ArrearsItems       int64 `json:"arrears_items"`
	ArrearsAmount      Money `json:"arrears_amount"`
	ArrearsOutstanding Money `json:"arrears_outstanding"`

	Items             int64 `json:"items"`
	Payments          int64 `json:"payments"`
	PaymentsNoVoucher int64 `json:"payments_no_voucher"`
	RepaidNoVoucher   Money `json:"repaid_no_voucher"`
}

// Reconcile sets Reduced from the other figures: what the baseline and the items found later
// amount to, less what was repaid and what is outstanding. From the ledger it is the court
// reductions, write-offs and adjustments as of the date (with a signed-off baseline, also any
// change to the baseline items' recognised amounts since). Figures frozen before the column
// existed get it the same way when read, so issued reports show it without changing.
func (g *GroupFigures) Reconcile() {
	g.Reduced = g.Baseline + g.NewAmount - g.RepaidToDate - g.Outstanding
}

// UnmarshalJSON reads frozen figures and reconciles them (figures frozen before Reduced existed
// lack it).
func (g *GroupFigures) UnmarshalJSON(b []byte) error {
	type plain GroupFigures
	if err := json.Unmarshal(b, (*plain)(g)); err != nil {
		return err
	}
	g.Reconcile()
	return nil
}

// Add adds another group's figures (for totals); the rate is recomputed.
func (g *GroupFigures) Add(o GroupFigures) {
	g.Reduced += o.Reduced
	g.Baseline += o.Baseline
	g.BaselineRepaid += o.BaselineRepaid
	g.BaselineLeft += o.BaselineLeft
	g.RepaidPeriod += o.RepaidPeriod
	g.RepaidToDate += o.RepaidToDate
	g.Recognised += o.Recognised
	g.Outstanding += o.Outstanding
	g.Undisputed += o.Undisputed
	g.Disputed += o.Disputed
	g.InCourt += o.InCourt
	g.NewItems += o.NewItems
	g.NewAmount += o.NewAmount
	g.NewOutstanding += o.NewOutstanding
	g.ArrearsItems += o.ArrearsItems
	g.ArrearsAmount += o.ArrearsAmount
	g.ArrearsOutstanding += o.ArrearsOutstanding
	g.Items += o.Items
	g.Payments += o.Payments
	g.PaymentsNoVoucher += o.PaymentsNoVoucher
	g.RepaidNoVoucher += o.RepaidNoVoucher
	g.Rate = RateOf(g.RepaidToDate, g.Outstanding)
}

// RateOf is the clearance rate, repaid over repaid plus outstanding, in basis points rounded
// half-up (95.1568 % is 9516). It is computed in 128 bits, so it cannot overflow whatever the
// amounts; 0 when nothing was owed, and a negative figure (possible only in a ledger that
// `qingqian verify` reports as broken) counts as 0.
func RateOf(repaid, outstanding Money) int64 {
	if repaid <= 0 {
		return 0
	}
	if outstanding < 0 {
		outstanding = 0
	}
	base := uint64(repaid) + uint64(outstanding) // both below 2^63: no wrap in 64 unsigned bits
	// (repaid × 10000 × 2 + base) / (2 × base), half-up, in 128 bits.
	hi, lo := bits.Mul64(uint64(repaid), 20000)
	lo, carry := bits.Add64(lo, base, 0)
	hi += carry
	// 2 × base may need 65 bits: divide by base, then halve with the remainder.
	if hi >= base {
		return 10000 // cannot happen: repaid ≤ base
	}
	q, _ := bits.Div64(hi, lo, base)
	return int64(q / 2)
}

// FigureDiff is one figure that differs between a frozen submission and the ledger today.
type FigureDiff struct {
	Field  string `json:"field"`
	Name   string `json:"name"`
	Frozen Money  `json:"frozen"`
	Now    Money  `json:"now"`
}

// Diff lists the money figures that differ between g (frozen) and now.
func (g *GroupFigures) Diff(now *GroupFigures) []FigureDiff {
	var out []FigureDiff
	pairs := []struct {
		field, name string
		a, b        Money
	}{
		{"repaid_period", "本期清偿", g.RepaidPeriod, now.RepaidPeriod},
		{"repaid_to_date", "累计清偿", g.RepaidToDate, now.RepaidToDate},
		{"reduced", "核减核销", g.Reduced, now.Reduced},
		{"outstanding", "未清偿余额", g.Outstanding, now.Outstanding},
		{"outstanding_undisputed", "无分歧未清偿", g.Undisputed, now.Undisputed},
		{"outstanding_disputed", "有分歧未清偿", g.Disputed, now.Disputed},
		{"in_court", "司法程序中", g.InCourt, now.InCourt},
		{"new_amount", "底数后新增金额", g.NewAmount, now.NewAmount},
		{"arrears_amount", "其中新增拖欠金额", g.ArrearsAmount, now.ArrearsAmount},
		{"items", "条目数", Money(g.Items), Money(now.Items)},
		{"repaid_no_voucher", "无凭证清偿金额", g.RepaidNoVoucher, now.RepaidNoVoucher},
	}
	for _, p := range pairs {
		if p.field == "arrears_amount" && (!g.ArrearsApart || !now.ArrearsApart) {
			continue // frozen before new arrears were shown apart: not a difference
		}
		if p.a != p.b {
			out = append(out, FigureDiff{Field: p.field, Name: p.name, Frozen: p.a, Now: p.b})
		}
	}
	return out
}

// DiffText says what differs, as a message reads: "本期清偿 1.00 → 2.00 万元；条目数 3 → 4 笔".
func DiffText(ds []FigureDiff) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		if d.Field == "items" {
			parts[i] = fmt.Sprintf("%s %d → %d 笔", d.Name, int64(d.Frozen), int64(d.Now))
		} else {
			parts[i] = fmt.Sprintf("%s %s → %s 万元", d.Name, d.Frozen.Wan(), d.Now.Wan())
		}
	}
	return strings.Join(parts, "；")
}

// ReportRow is one group's line of a consolidated report.
type ReportRow struct {
	OrgID   int64           `json:"org_id"`
	OrgName string          `json:"org_name"`
	State   SubmissionState `json:"state"`
	Zero    bool            `json:"zero"`
	Late    bool            `json:"late"`
	// Live is true when no approved submission exists and the figures were computed from the
	// ledger when the report was made.
	Live    bool         `json:"live"`
	Figures GroupFigures `json:"figures"`
}

// Report is the consolidated report (汇总报表) of a period: one row per group and the total.
// Once issued it is kept as issued and produced again identically.
type Report struct {
	Period      Period       `json:"period"`
	Office      string       `json:"office"`
	Rows        []ReportRow  `json:"rows"`
	Total       GroupFigures `json:"total"`
	Submitted   int          `json:"submitted"`
	ZeroReports int          `json:"zero_reports"`
	Issued      bool         `json:"issued"`
	IssuedBy    string       `json:"issued_by,omitempty"`
	IssuedAt    time.Time    `json:"issued_at,omitempty"`
	MadeAt      time.Time    `json:"made_at"`
	// AuditHeads are, for a report issued since the audit chains were anchored, the heads of
	// every chain when it was issued ("chain seq hash" lines), and AuditDigest their digest,
	// printed on the report: verify checks that the trail still holds them (docs/verify.md).
	AuditHeads  string `json:"audit_heads,omitempty"`
	AuditDigest string `json:"audit_digest,omitempty"`
	// Annex is, for a report issued since annexes were frozen (ADR 32), the annex as it stood
	// when the report was issued.
	Annex *ReportAnnex `json:"annex,omitempty"`
	// Layout is the layout of the report's table (ReportLayoutNewArrears, ...): a report is made
	// in the current one and keeps it once issued, so that one issued before a column was added
	// is produced again as it was, without it (ADR 37). 0 is the layout before any was marked.
	Layout int `json:"layout,omitempty"`
}

// Layouts of the consolidated report's table.
const (
	// ReportLayoutNewArrears added the new arrears shown apart (其中：新增拖欠).
	ReportLayoutNewArrears = 1
	// ReportLayoutCurrent is the layout a report is made in now.
	ReportLayoutCurrent = ReportLayoutNewArrears
)

// MarkTotal sets the total's marks from the rows: the baseline is locked, and the new arrears
// are counted apart, when they are so on every row.
func (r *Report) MarkTotal() {
	r.Total.BaselineLocked = len(r.Rows) > 0
	r.Total.ArrearsApart = len(r.Rows) > 0
	for _, row := range r.Rows {
		r.Total.BaselineLocked = r.Total.BaselineLocked && row.Figures.BaselineLocked
		r.Total.ArrearsApart = r.Total.ArrearsApart && row.Figures.ArrearsApart
	}
}

// Columns are the columns of the report's table in its layout: ReportColumns less those added
// in a later layout than the report's.
func (r *Report) Columns() []ReportColumn {
	out := make([]ReportColumn, 0, len(ReportColumns))
	for _, c := range ReportColumns {
		if c.Layout <= r.Layout {
			out = append(out, c)
		}
	}
	return out
}

// ReportAnnex is the annex of a periodic report: what each group paid in bills not yet honoured
// as of the period's date, and the signals and confirmations. An issued report keeps the annex
// computed in the transaction that issued it (Frozen); a draft's is computed when asked.
type ReportAnnex struct {
	AsOf       Date           `json:"as_of"`
	ComputedAt time.Time      `json:"computed_at"` // the issue instant, or when a draft's was read
	Frozen     bool           `json:"frozen"`      // kept as issued
	Bills      []BillAnnexRow `json:"bills"`
	BillsTotal BillAnnexRow   `json:"bills_total"`
	// Signals are the signals and confirmations of the office's subtree: counts and amounts, the
	// records themselves left out (they are on the signals page, as of today). Nil on a draft
	// read without them.
	Signals *SignalReport `json:"signals,omitempty"`
	// Note says how an annex not frozen at issue was made (reports issued before annexes were
	// frozen).
	Note string `json:"note,omitempty"`
}

// StateText is how the row's state reads in a report: its label, and 逾期 when it came late.
func (r *ReportRow) StateText() string {
	s := r.State.Label()
	if r.Late {
		s += "（逾期）"
	}
	return s
}

// FiguresAt returns the figures of line i of the report: a group's row, or the total when i is
// len(r.Rows).
func (r *Report) FiguresAt(i int) *GroupFigures {
	if i == len(r.Rows) {
		return &r.Total
	}
	return &r.Rows[i].Figures
}

// ReportUnit is what a report column's figures are in.
type ReportUnit string

// Units of report columns.
const (
	UnitText  ReportUnit = ""   // not a figure
	UnitWan   ReportUnit = "万元" // an amount, shown in 万元 with two decimals
	UnitCount ReportUnit = "笔"  // a number of items or payments
	UnitRate  ReportUnit = "%"  // a rate in basis points, shown as a percentage with two decimals
)

// ReportColumn is one column of the consolidated report. A text column reads a line with Text;
// a figure column reads the line's figures with Figure (an amount in 分, a count, or a rate in
// basis points, as its Unit says).
type ReportColumn struct {
	Header string
	Unit   ReportUnit
	Width  float64 // in a spreadsheet, in characters
	// Text reads line i of a report; i is len(r.Rows) for the total.
	Text   func(r *Report, i int) string
	Figure func(f *GroupFigures) int64
	// Layout is the report layout the column appeared in (Report.Layout); Counted, when set,
	// says whether a line's figures hold it (figures frozen before it existed do not: the cell
	// is left blank, not shown as zero).
	Layout  int
	Counted func(f *GroupFigures) bool
}

// Blank reports whether the column's cell on line i of the report is left blank: a figure the
// line's frozen figures do not hold.
func (c ReportColumn) Blank(r *Report, i int) bool {
	return c.Counted != nil && !c.Counted(r.FiguresAt(i))
}

// Heading is the header with its unit, as a spreadsheet's column reads: 底数（万元）, 清偿（笔）.
func (c ReportColumn) Heading() string {
	if c.Unit == UnitWan || c.Unit == UnitCount {
		return c.Header + "（" + string(c.Unit) + "）"
	}
	return c.Header
}

func amountColumn(header string, get func(f *GroupFigures) Money) ReportColumn {
	return ReportColumn{Header: header, Unit: UnitWan, Width: 14, Figure: func(f *GroupFigures) int64 { return int64(get(f)) }}
}

func countColumn(header string, get func(f *GroupFigures) int64) ReportColumn {
	return ReportColumn{Header: header, Unit: UnitCount, Width: 10, Figure: get}
}

// arrearsColumn marks a column of the new arrears shown apart (ReportLayoutNewArrears).
func arrearsColumn(c ReportColumn) ReportColumn {
	c.Layout, c.Counted = ReportLayoutNewArrears, func(f *GroupFigures) bool { return f.ArrearsApart }
	return c
}

// ReportColumns are the columns of a consolidated report, in the order of the printed page. The
// workbench's table, the spreadsheet, the CSV and the printable HTML file are all laid out from
// this list: a new figure of GroupFigures is shown everywhere by a line here, marked with the
// layout it appears in (Report.Columns), so that reports issued before show as they were.
var ReportColumns = []ReportColumn{
	{Header: "序号", Width: 6, Text: func(r *Report, i int) string {
		if i == len(r.Rows) {
			return "合计"
		}
		return strconv.Itoa(i + 1)
	}},
	{Header: "集团", Width: 22, Text: func(r *Report, i int) string {
		if i == len(r.Rows) {
			return fmt.Sprintf("%d 家集团，已报送 %d 家", len(r.Rows), r.Submitted)
		}
		return r.Rows[i].OrgName
	}},
	{Header: "报送状态", Width: 12, Text: func(r *Report, i int) string {
		if i == len(r.Rows) {
			return ""
		}
		return r.Rows[i].StateText()
	}},
	amountColumn("底数", func(f *GroupFigures) Money { return f.Baseline }),
	amountColumn("本期清偿", func(f *GroupFigures) Money { return f.RepaidPeriod }),
	amountColumn("累计清偿", func(f *GroupFigures) Money { return f.RepaidToDate }),
	amountColumn("核减核销", func(f *GroupFigures) Money { return f.Reduced }),
	amountColumn("未清偿", func(f *GroupFigures) Money { return f.Outstanding }),
	amountColumn("其中无分歧", func(f *GroupFigures) Money { return f.Undisputed }),
	amountColumn("其中有分歧", func(f *GroupFigures) Money { return f.Disputed }),
	amountColumn("其中司法程序中", func(f *GroupFigures) Money { return f.InCourt }),
	{Header: "清偿率", Unit: UnitRate, Width: 10, Figure: func(f *GroupFigures) int64 { return f.Rate }},
	countColumn("底数后新增", func(f *GroupFigures) int64 { return f.NewItems }),
	amountColumn("底数后新增", func(f *GroupFigures) Money { return f.NewAmount }),
	arrearsColumn(countColumn("其中：新增拖欠", func(f *GroupFigures) int64 { return f.ArrearsItems })),
	arrearsColumn(amountColumn("其中：新增拖欠", func(f *GroupFigures) Money { return f.ArrearsAmount })),
	countColumn("台账条目", func(f *GroupFigures) int64 { return f.Items }),
	countColumn("清偿", func(f *GroupFigures) int64 { return f.Payments }),
	countColumn("其中无凭证", func(f *GroupFigures) int64 { return f.PaymentsNoVoucher }),
	amountColumn("无凭证金额", func(f *GroupFigures) Money { return f.RepaidNoVoucher }),
	{Header: "零报告", Width: 8, Text: func(r *Report, i int) string {
		switch {
		case i == len(r.Rows):
			return strconv.Itoa(r.ZeroReports)
		case r.Rows[i].Zero:
			return "是"
		}
		return ""
	}},
}

// PeriodFilter selects periods.
type PeriodFilter struct {
	Kind   PeriodKind
	Offset int
	Limit  int
}

// Lateness counts one group's late and missing submissions over the periods due so far.
type Lateness struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	Late    int    `json:"late"`
	Missing int    `json:"missing"`
	// MissingNow lists the periods past their deadline with nothing approved.
	MissingNow []int `json:"missing_periods"`
}

// ReportService opens periods, takes submissions through sign-off and consolidates them.
type ReportService interface {
	// OpenPeriod opens a period for the groups under the actor's unit (supervisor or admin);
	// No 0 takes the next number. Errors: EINVALID, ECONFLICT (number taken), EFORBIDDEN.
	OpenPeriod(ctx context.Context, p *Period) error
	// GeneratePeriods opens a series of periods from a schedule.
	GeneratePeriods(ctx context.Context, s Schedule) ([]*Period, error)
	// FindPeriods lists the periods the actor can see, newest first, with the count.
	FindPeriods(ctx context.Context, f PeriodFilter) ([]*Period, int, error)
	// FindPeriod returns a period by id; FindPeriodByNo by its number.
	FindPeriod(ctx context.Context, id int64) (*Period, error)
	FindPeriodByNo(ctx context.Context, no int) (*Period, error)

	// Groups returns the groups that report to the office (the actor's groups, or the groups
	// under the actor's unit).
	Groups(ctx context.Context) ([]*Org, error)

	// Prepare computes a group's figures as of the period's date and records the preparer's
	// text; it creates the submission or prepares a returned one again.
	Prepare(ctx context.Context, in SubmissionInput) (*Submission, error)
	// Sign takes the next step (review, approve or return with a note) on a submission at
	// the given version. Each step is taken by a different person. A review or an approval of
	// figures that the ledger now gives differently (see Submission.Diffs) is refused
	// (ECONFLICT, naming the figures): the submission is returned and prepared again, or signed
	// with SignAsReported.
	Sign(ctx context.Context, id int64, act SignAction, note string, version int) (*Submission, error)
	// SignAsReported takes the step like Sign, also when the ledger has changed since the
	// figures were prepared: the signer chose to sign them as reported; the step and its audit
	// record say so, with the differences.
	SignAsReported(ctx context.Context, id int64, act SignAction, note string, version int) (*Submission, error)
	// FindSubmission returns one submission with its steps and, unless it was returned, the
	// differences of its figures from today's ledger.
	FindSubmission(ctx context.Context, id int64) (*Submission, error)
	// FindSubmissions lists a period's submissions the actor can see.
	FindSubmissions(ctx context.Context, periodID int64) ([]*Submission, error)
	// CheckZero records the office's verification of a zero report.
	CheckZero(ctx context.Context, id int64, result, basis string) (*Submission, error)

	// Report consolidates a period: the issued report if there is one, else a draft from the
	// approved submissions and, for groups without one, the ledger.
	Report(ctx context.Context, periodID int64) (*Report, error)
	// IssueReport keeps the period's consolidated report as it stands now; it never changes
	// afterwards. Errors: ECONFLICT when already issued.
	IssueReport(ctx context.Context, periodID int64) (*Report, error)
	// ReportAnnex is the period's annex: for a report issued since annexes were frozen, as it was
	// issued; otherwise computed now (the signals only when asked, and only for the office).
	ReportAnnex(ctx context.Context, periodID int64, signals bool) (*ReportAnnex, error)
	// Lateness counts late and missing submissions per group over periods past their deadline.
	Lateness(ctx context.Context) ([]Lateness, error)
	// PeriodStatuses says, for each period given, how many of the groups the actor sees have
	// reported, whether the report is issued and how many reminders were sent.
	PeriodStatuses(ctx context.Context, periodIDs []int64) (map[int64]PeriodStatus, error)
	// Remind sends the office's 催报 to every group under it that has not reported the period
	// (no approved submission), with an optional note; audited. Errors: EFORBIDDEN (not the
	// office that opened it), ECONFLICT (all have reported, or the report is issued).
	Remind(ctx context.Context, periodID int64, note string) ([]*Reminder, error)
	// FindReminders lists the reminders to the actor's groups of periods they have still not
	// reported, newest first.
	FindReminders(ctx context.Context) ([]*Reminder, error)
}
