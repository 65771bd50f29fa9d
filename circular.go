package qingqian

import (
	"context"
	"strings"
	"time"
)

// CircularTarget is how a circular's recipients were chosen.
type CircularTarget string

// Targets.
const (
	TargetAll    CircularTarget = "all"    // every group (every unit directly below, when passed down)
	TargetChosen CircularTarget = "chosen" // the units chosen
	TargetRule   CircularTarget = "rule"   // the N groups with the most complaints received in the last half-year
	TargetRising CircularTarget = "rising" // the groups whose complaints rose: the last half-year against the one before
)

// CircularTargetNames are the screen names.
var CircularTargetNames = map[CircularTarget]string{TargetAll: "全部下级单位", TargetChosen: "选定单位", TargetRule: "近半年投诉举报最多的单位",
	TargetRising: "投诉举报上升的单位（近半年多于前半年）"}

// Label is how the target reads on screens.
func (t CircularTarget) Label() string { return CircularTargetNames[t] }

// Circular is a document (文件、通知) sent down: to the groups by the office, or passed down a
// group's tree by the group. Each recipient signs for it (签收) and replies when asked.
type Circular struct {
	ID            int64          `json:"id"`
	No            string         `json:"no"` // the document's number as written on it, e.g. 冀国资清欠〔2021〕5号
	Title         string         `json:"title"`
	Body          string         `json:"body"`
	Attachments   []string       `json:"attachments"` // SHA-256 of files stored beforehand as vouchers
	ReplyRequired bool           `json:"reply_required"`
	ReplyBy       Date           `json:"reply_by,omitzero"`
	Target        CircularTarget `json:"target"`
	RuleTop       int            `json:"rule_top"` // with TargetRule: how many groups
	OrgID         int64          `json:"org_id"`   // the sender
	OrgName       string         `json:"org_name"`
	ParentID      int64          `json:"parent_id"` // the circular this one passes down, 0 when sent by the office
	SentOn        Date           `json:"sent_on"`
	SentBy        string         `json:"sent_by"`
	SentAt        time.Time      `json:"sent_at"`
	Receipts      []Receipt      `json:"receipts"`
}

// Receipt is a recipient's signature for a circular and its reply.
type Receipt struct {
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name"`
	ReadBy    string    `json:"read_by"`
	ReadAt    time.Time `json:"read_at,omitzero"`
	Reply     string    `json:"reply"`
	RepliedBy string    `json:"replied_by"`
	RepliedAt time.Time `json:"replied_at,omitzero"`
	Overdue   bool      `json:"overdue"` // a reply is required, none has come and its date has passed
}

// MarkOverdue sets each receipt's Overdue as of the day.
func (c *Circular) MarkOverdue(today Date) {
	for i := range c.Receipts {
		r := &c.Receipts[i]
		r.Overdue = c.ReplyRequired && r.RepliedAt.IsZero() && c.ReplyBy.Before(today)
	}
}

// Overdue counts the recipients whose reply is overdue.
func (c *Circular) Overdue() int {
	n := 0
	for _, r := range c.Receipts {
		if r.Overdue {
			n++
		}
	}
	return n
}

// Unread counts the recipients who have not signed for it.
func (c *Circular) Unread() int {
	n := 0
	for _, r := range c.Receipts {
		if r.ReadAt.IsZero() {
			n++
		}
	}
	return n
}

// Normalize trims the text.
func (c *Circular) Normalize() {
	c.No, c.Title, c.Body = strings.TrimSpace(c.No), strings.TrimSpace(c.Title), strings.TrimSpace(c.Body)
	if c.Target == "" {
		c.Target = TargetAll
	}
	if !c.ReplyRequired {
		c.ReplyBy = Date{}
	}
}

// Validate checks a circular before it is sent on the day.
func (c *Circular) Validate(today Date) error {
	v := Validation{}
	if c.Title == "" {
		v.Add("title", "请填写文件标题")
	} else if len([]rune(c.Title)) > 200 {
		v.Add("title", "文件标题不能超过200个字")
	}
	if len([]rune(c.No)) > 50 {
		v.Add("no", "文号不能超过50个字")
	}
	if c.Body == "" {
		v.Add("body", "请填写正文或内容摘要")
	} else if len([]rune(c.Body)) > 20000 {
		v.Add("body", "正文不能超过20000个字")
	}
	if len(c.Attachments) > 10 {
		v.Add("attachments", "附件最多10份")
	}
	if _, ok := CircularTargetNames[c.Target]; !ok {
		v.Add("target", "请选择发送范围")
	}
	if c.Target == TargetRule && (c.RuleTop < 1 || c.RuleTop > 100) {
		v.Add("rule_top", "投诉最多的单位数应为1到100")
	}
	if c.ReplyRequired {
		if c.ReplyBy.IsZero() {
			v.Add("reply_by", "要求回复时请填写回复期限")
		} else if c.ReplyBy.Before(today) {
			v.Add("reply_by", "回复期限不能早于今天")
		}
	}
	return v.Err()
}

// CircularService sends circulars and records their receipts. The office sends to its groups;
// a recipient group passes one down to units of its tree; every recipient signs and replies.
type CircularService interface {
	// SendCircular sends a circular to the units chosen (with TargetChosen), to all the groups,
	// or to those the rule selects.
	SendCircular(ctx context.Context, c *Circular, orgIDs []int64) error
	// PassDown sends a circular the actor's unit received on to units below it, who sign for
	// it; the copy asks no reply (the group answers for its tree).
	PassDown(ctx context.Context, id int64, target CircularTarget, orgIDs []int64) (*Circular, error)
	// SignFor records the actor's unit's receipt (签收); Reply its reply.
	SignFor(ctx context.Context, id int64) (*Circular, error)
	Reply(ctx context.Context, id int64, reply string) (*Circular, error)
	FindCircular(ctx context.Context, id int64) (*Circular, error)
	// FindCirculars lists the circulars the actor's unit sent or received, newest first.
	FindCirculars(ctx context.Context) ([]*Circular, error)
}
