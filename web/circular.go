package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// ---- API ----

func (s *Server) listCirculars(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Circulars.FindCirculars(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

type circularInput struct {
	No            string                  `json:"no"`
	Title         string                  `json:"title"`
	Body          string                  `json:"body"`
	Attachments   []string                `json:"attachments"`
	ReplyRequired bool                    `json:"reply_required"`
	ReplyBy       qingqian.Date           `json:"reply_by"`
	Target        qingqian.CircularTarget `json:"target"`
	RuleTop       int                     `json:"rule_top"`
	OrgIDs        []int64                 `json:"org_ids"`
}

func (s *Server) sendCircular(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in circularInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Circular{No: in.No, Title: in.Title, Body: in.Body, Attachments: in.Attachments, ReplyRequired: in.ReplyRequired,
		ReplyBy: in.ReplyBy, Target: in.Target, RuleTop: in.RuleTop}
	if err := s.Circulars.SendCircular(r.Context(), c, in.OrgIDs); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCircular(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Circulars.FindCircular)
}

func (s *Server) signForCircular(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Circulars.SignFor(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type circularReplyInput struct {
	Reply string `json:"reply"`
}

func (s *Server) replyCircular(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	// Whoever may not see the circular learns nothing of it; the lookup records the attempt.
	if _, err := s.Circulars.FindCircular(r.Context(), id); err != nil {
		return err
	}
	var in circularReplyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Circulars.Reply(r.Context(), id, in.Reply)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type passDownInput struct {
	Target qingqian.CircularTarget `json:"target"`
	OrgIDs []int64                 `json:"org_ids"`
}

func (s *Server) passDownCircular(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	if _, err := s.Circulars.FindCircular(r.Context(), id); err != nil {
		return err
	}
	var in passDownInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.Circulars.PassDown(r.Context(), id, in.Target, in.OrgIDs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// ---- pages ----

type circularsData struct {
	Circulars []*qingqian.Circular
	Groups    []*qingqian.Org
	Chosen    map[int64]bool
	Office    bool
	Targets   []qingqian.CircularTarget
	Pager     *pager
	OrgID     int64
}

func (s *Server) circularsPage(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{"target": {string(qingqian.TargetAll)}, "reply_by": {qingqian.Today().AddDays(10).String()}, "rule_top": {"10"}}
	if r.URL.Query().Get("draft") == "rising" && isOffice(r) {
		if err := s.draftRisingNotice(r, form); err != nil {
			return err
		}
	}
	return s.showCirculars(w, r, http.StatusOK, &view{Form: form})
}

// draftRisingNotice fills the circular form with a 举一反三 notice to the groups whose complaints
// rose over the half-year, naming each with its figures and its most frequent cause: the office
// reads it, edits it and sends it.
func (s *Server) draftRisingNotice(r *http.Request, form url.Values) error {
	an, err := s.Causes.AnalyseCauses(r.Context(), qingqian.Today(), qingqian.PeriodHalf)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("各有关单位：\n近半年，下列单位被投诉举报拖欠民营企业中小企业账款的件数较前半年上升：\n")
	n := 0
	for _, t := range an.Trends {
		if !t.Rising {
			continue
		}
		n++
		fmt.Fprintf(&b, "%d. %s：前半年%d件，近半年%d件", n, t.OrgName, t.Before, t.Recent)
		if t.TopCause != "" {
			fmt.Fprintf(&b, "，主要原因为“%s”", t.TopCause.Label())
		}
		b.WriteString("；\n")
	}
	if n == 0 {
		return qingqian.Errorf(qingqian.EINVALID, "近半年没有投诉举报上升的单位")
	}
	replyBy := qingqian.Today().AddDays(15)
	fmt.Fprintf(&b, "请上述单位举一反三，对照被投诉事项的原因，全面排查本单位及所属企业同类问题，完善采购、工程项目和应付账款管理，"+
		"防止新增拖欠；并于%d年%d月%d日前报送排查整改情况。", replyBy.Year(), int(replyBy.Month()), replyBy.Day())
	form.Set("title", "关于举一反三做好拖欠中小企业账款问题排查整改的通知")
	form.Set("body", b.String())
	form.Set("target", string(qingqian.TargetRising))
	form.Set("reply_required", "true")
	form.Set("reply_by", replyBy.String())
	return nil
}

func (s *Server) showCirculars(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	cs, err := s.Circulars.FindCirculars(ctx)
	if err != nil {
		return err
	}
	q := newQuery(r)
	page := max(q.int("page", 1), 1)
	total := len(cs)
	cs = cs[min((page-1)*pageSize, total):min(page*pageSize, total)]
	d := &circularsData{Circulars: cs, Office: isOffice(r), Chosen: map[int64]bool{}, OrgID: qingqian.ActorFrom(ctx).OrgID,
		Targets: []qingqian.CircularTarget{qingqian.TargetAll, qingqian.TargetChosen, qingqian.TargetRule, qingqian.TargetRising}}
	if total > pageSize {
		d.Pager = newPager(r, page, pageSize, total)
	}
	for _, id := range formIDs(v.Form, "org_ids") {
		d.Chosen[id] = true
	}
	if d.Office {
		if d.Groups, err = s.Reports.Groups(ctx); err != nil {
			return err
		}
	}
	v.Title, v.Nav, v.Data = "文件与通知", "circulars", d
	s.render(w, r, status, "circulars", v)
	return nil
}

func (s *Server) sendCircularForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Circular{No: form.Get("no"), Title: form.Get("title"), Body: form.Get("body"), ReplyRequired: form.Get("reply_required") == "true",
		Target: qingqian.CircularTarget(form.Get("target"))}
	if c.ReplyRequired {
		c.ReplyBy = formDate(form, "reply_by", bad)
	}
	if c.Target == qingqian.TargetRule {
		c.RuleTop = formInt(form, "rule_top", bad)
	}
	c.Attachments = []string{}
	for _, sha := range strings.Fields(form.Get("attachments")) {
		c.Attachments = append(c.Attachments, strings.ToLower(sha))
	}
	return s.submit(w, r, form, bad, func() error {
		return s.Circulars.SendCircular(r.Context(), c, formIDs(form, "org_ids"))
	}, func(st int, v *view) error { return s.showCirculars(w, r, st, v) }, func() string { return fmt.Sprintf("/circulars/%d?done=circular", c.ID) })
}

type circularData struct {
	C        *qingqian.Circular
	Mine     *qingqian.Receipt
	Sender   bool
	CanWrite bool
	Children []*qingqian.Org
}

func (s *Server) circularPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCircular(w, r, http.StatusOK, &view{})
}

func (s *Server) showCircular(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.Circulars.FindCircular(ctx, id)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &circularData{C: c, CanWrite: a.CanWrite(), Sender: c.OrgID == a.OrgID}
	for i := range c.Receipts {
		if c.Receipts[i].OrgID == a.OrgID {
			d.Mine = &c.Receipts[i]
		}
	}
	if d.Mine != nil && d.CanWrite {
		me, err := s.Orgs.FindOrgByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		active := true
		below, _, err := s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Under: a.OrgID, MaxDepth: me.Depth + 1, Active: &active, Limit: 200})
		if err != nil {
			return err
		}
		for _, o := range below {
			if o.ID != me.ID {
				d.Children = append(d.Children, o)
			}
		}
	}
	if v.Form == nil {
		v.Form = url.Values{"target": {string(qingqian.TargetAll)}}
	}
	v.Title, v.Nav, v.Data = c.Title, "circulars", d
	s.render(w, r, status, "circular", v)
	return nil
}

// The forms of a recipient: sign for it, reply, pass it down.
func (s *Server) signForCircularForm(w http.ResponseWriter, r *http.Request) error {
	return s.circularAction(w, r, "receipt")
}

func (s *Server) replyCircularForm(w http.ResponseWriter, r *http.Request) error {
	return s.circularAction(w, r, "reply")
}

func (s *Server) passDownCircularForm(w http.ResponseWriter, r *http.Request) error {
	return s.circularAction(w, r, "pass_down")
}

func (s *Server) circularAction(w http.ResponseWriter, r *http.Request, action string) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	target := fmt.Sprintf("/circulars/%d?done=circular_%s", id, action)
	return s.submit(w, r, form, nil, func() error {
		switch action {
		case "receipt":
			_, err = s.Circulars.SignFor(r.Context(), id)
		case "reply":
			_, err = s.Circulars.Reply(r.Context(), id, form.Get("reply"))
		default:
			var c *qingqian.Circular
			c, err = s.Circulars.PassDown(r.Context(), id, qingqian.CircularTarget(form.Get("target")), formIDs(form, "org_ids"))
			if err == nil {
				target = fmt.Sprintf("/circulars/%d?done=circular_pass_down", c.ID)
			}
		}
		return err
	}, func(st int, v *view) error { return s.showCircular(w, r, st, v) }, func() string { return target })
}

// exportReceipts writes who signed for a circular and replied.
func (s *Server) exportReceipts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Circulars.FindCircular(r.Context(), id)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "文件签收回复情况", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteReceipts(wr, c, format, meta)
	})
}
