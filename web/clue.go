package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

type cluesData struct {
	Clues    []*qingqian.Clue
	Total    int
	Pager    *pager
	Q        url.Values
	Export   string
	Office   bool
	Today    qingqian.Date
	Groups   []*qingqian.Org
	Channels []qingqian.Channel
	States   []qingqian.ClueState
}

// clueFilter reads the list's filters from the URL; the page, the export and the API share it.
func clueFilter(r *http.Request) (qingqian.ClueFilter, *query) {
	q := newQuery(r)
	f := qingqian.ClueFilter{Channel: qingqian.Channel(q.str("channel")), State: qingqian.ClueState(q.str("state")), OrgID: q.id("org_id"),
		Overdue: q.str("overdue") == "true", ForwardLate: q.str("forward_late") == "true", DueBefore: q.date("due_before"), Query: q.str("q")}
	if _, ok := qingqian.ChannelNames[f.Channel]; f.Channel != "" && !ok {
		q.bad.Add("channel", "来源不正确")
	}
	if _, ok := qingqian.ClueStateNames[f.State]; f.State != "" && !ok {
		q.bad.Add("state", "状态不正确")
	}
	return f, q
}

func (s *Server) cluesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showClues(w, r, http.StatusOK, &view{Form: url.Values{"received_on": {qingqian.Today().String()}}})
}

func (s *Server) showClues(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	f, q := clueFilter(r)
	page := max(1, q.int("page", 1))
	if err := q.err(); err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*pageSize, pageSize
	list, total, err := s.Clues.FindClues(ctx, f)
	if err != nil {
		return err
	}
	d := &cluesData{Clues: list, Total: total, Pager: newPager(r, page, pageSize, total), Q: r.URL.Query(), Export: "/clues/export?" + r.URL.RawQuery,
		Office: isOffice(r), Today: qingqian.Today(), Channels: qingqian.Channels, States: qingqian.ClueStates}
	if d.Groups, err = s.Reports.Groups(ctx); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "投诉举报线索", "clues", d
	s.render(w, r, status, "clues", v)
	return nil
}

func (s *Server) createClueForm(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	c := &qingqian.Clue{Channel: qingqian.Channel(form.Get("channel")), TransferNo: form.Get("transfer_no"), ReceivedOn: formDate(form, "received_on", bad),
		CreditorName: form.Get("creditor_name"), CreditorUSCC: form.Get("creditor_uscc"), Respondent: form.Get("respondent"),
		Claimed: formMoney(form, "claimed", bad), Text: form.Get("text")}
	return s.submit(w, r, form, bad, func() error {
		return s.Clues.CreateClue(r.Context(), c)
	}, func(st int, v *view) error { return s.showClues(w, r, st, v) }, func() string { return fmt.Sprintf("/clues/%d?done=clue", c.ID) })
}

func (s *Server) exportClues(w http.ResponseWriter, r *http.Request) error {
	f, q := clueFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	f.Limit = 100_000
	list, _, err := s.Clues.FindClues(r.Context(), f)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "投诉举报线索台账", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteClues(wr, list, format, meta)
	})
}

type clueItem struct {
	*qingqian.Item
	Bare int // repayments without a voucher
}

type clueData struct {
	C            *qingqian.Clue
	Items        []clueItem
	Office       bool
	Handler      bool
	Today        qingqian.Date
	Overdue      bool
	Units        []*qingqian.Org // units the clue can be assigned to
	Conclusions  map[qingqian.Conclusion]string
	OutReasons   map[qingqian.OutReason]string
	Satisfaction map[qingqian.Satisfaction]string
	Kinds        []qingqian.ItemKind
	NoticeLink   string
	Candidates   []*qingqian.Item // the complainant's items in the assigned unit, to link
	Cause        *causeBox
}

func (s *Server) cluePage(w http.ResponseWriter, r *http.Request) error {
	return s.showClue(w, r, http.StatusOK, &view{})
}

func (s *Server) showClue(w http.ResponseWriter, r *http.Request, status int, v *view) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Clues.FindClue(ctx, id)
	if err != nil {
		return err
	}
	a := qingqian.ActorFrom(ctx)
	d := &clueData{C: c, Office: isOffice(r), Today: qingqian.Today(), Overdue: c.Overdue(qingqian.Today()), Conclusions: qingqian.ConclusionNames,
		OutReasons: qingqian.OutReasonNames, Satisfaction: qingqian.SatisfactionNames, Kinds: qingqian.ItemKinds}
	// Whoever sees a clue and may write is its office or in the unit it is assigned to.
	d.Handler = a.CanWrite()
	for _, itemID := range c.Items {
		it, err := s.Items.FindItemByID(ctx, itemID, qingqian.Date{}, time.Time{})
		if err != nil {
			return err
		}
		ci := clueItem{Item: it}
		es, err := s.Entries.FindEntries(ctx, itemID)
		if err != nil {
			return err
		}
		ci.Bare = qingqian.UnvouchedRepayments(es)
		d.Items = append(d.Items, ci)
	}
	if d.Handler && c.State != qingqian.ClueClosed {
		under := c.OrgID
		if d.Office {
			under = 0
		}
		if d.Units, _, err = s.Orgs.FindOrgs(ctx, qingqian.OrgFilter{Under: under, Limit: 500}); err != nil {
			return err
		}
	}
	if d.Handler && c.State == qingqian.ClueVerified && c.Conclusion.InScope() {
		p, err := s.Items.FindItems(ctx, qingqian.ItemFilter{OrgID: c.OrgID, CreditorID: c.CreditorID, Limit: 100, NoTotals: true})
		if err != nil {
			return err
		}
		d.Candidates = p.Items
	}
	if c.OrgID != 0 {
		d.NoticeLink = "/notices?" + url.Values{"org_id": {strconv.FormatInt(c.OrgID, 10)},
			"reason": {fmt.Sprintf("投诉举报线索 %s（%s，%s）办理期限 %s，请按期核实办理。", c.No, c.CreditorName, c.Channel.Label(), c.Deadline())}}.Encode() + "#new-notice"
	}
	if v.Form == nil {
		v.Form = url.Values{"on": {qingqian.Today().String()}, "feedback_on": {qingqian.Today().String()}, "org_id": {strconv.FormatInt(c.OrgID, 10)},
			"responsible_leader": {c.ResponsibleLeader}, "responsible_person": {c.ResponsiblePerson}, "arisen_on": {""},
			"assigned_on": {qingqian.Today().String()}, "callback_on": {qingqian.Today().String()}}
		if !c.FeedbackOn.IsZero() {
			v.Form.Set("feedback_on", c.FeedbackOn.String())
			v.Form.Set("feedback", c.Feedback)
		}
	}
	if d.Cause, err = s.causeBoxFor(r, qingqian.SubjectClue, c.ID, v, c.State == qingqian.ClueVerified || c.State == qingqian.ClueClosed); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "线索 "+c.No, "clues", d
	s.render(w, r, status, "clue", v)
	return nil
}

func (s *Server) clueActionForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	version := formInt(form, "version", bad)
	action := r.PathValue("action")
	form.Set("failed", action) // shown again after an error, the page opens this form
	var run func() error
	switch action {
	case "assign":
		assignedOn, materialsOn := formDate(form, "assigned_on", bad), formDate(form, "materials_received_on", bad)
		run = func() error {
			_, err := s.Clues.Assign(ctx, id, qingqian.Assignment{OrgID: atoi64(form.Get("org_id")), ResponsibleLeader: form.Get("responsible_leader"),
				ResponsiblePerson: form.Get("responsible_person"), AssignedOn: assignedOn, MaterialsOn: materialsOn, Version: version})
			return err
		}
	case "verify":
		run = func() error {
			_, err := s.Clues.Verify(ctx, id, qingqian.Verification{Conclusion: qingqian.Conclusion(form.Get("conclusion")), OutReason: qingqian.OutReason(form.Get("out_reason")),
				Finding: form.Get("finding"), Version: version})
			return err
		}
	case "link":
		run = func() error {
			_, err := s.Clues.LinkItem(ctx, id, atoi64(form.Get("item_id")), version)
			return err
		}
	case "item":
		it := &qingqian.Item{OrgID: atoi64(form.Get("org_id")), ContractNo: strings.TrimSpace(form.Get("contract_no")), ContractName: strings.TrimSpace(form.Get("contract_name")),
			Kind: qingqian.ItemKind(form.Get("kind")), ArisenOn: formDate(form, "arisen_on", bad), DueOn: formDate(form, "due_on", bad),
			Undisputed: formMoney(form, "undisputed", bad), Disputed: formMoney(form, "disputed", bad), DisputeReason: strings.TrimSpace(form.Get("dispute_reason")),
			FundingSource: qingqian.FundingNone, Responsible: strings.TrimSpace(form.Get("responsible"))}
		if it.ArisenOn.IsZero() {
			bad.Add("arisen_on", "请填写发生日期")
		}
		run = func() error {
			_, err := s.Clues.CreateItemFromClue(ctx, id, it, version)
			return err
		}
	case "update":
		on := formDate(form, "on", bad)
		run = func() error {
			_, err := s.Clues.AddUpdate(ctx, id, on, form.Get("text"))
			return err
		}
	case "extend":
		to := formDate(form, "extended_to", bad)
		run = func() error {
			_, err := s.Clues.Extend(ctx, id, to, form.Get("extend_reason"), version)
			return err
		}
	case "close":
		run = func() error {
			_, err := s.Clues.Close(ctx, id, version)
			return err
		}
	case "feedback":
		fon, con := formDate(form, "feedback_on", bad), formDate(form, "callback_on", bad)
		run = func() error {
			_, err := s.Clues.RecordFeedback(ctx, id, fon, form.Get("feedback"), con, qingqian.Satisfaction(form.Get("satisfaction")), version)
			return err
		}
	case "callback":
		con := formDate(form, "callback_on", bad)
		run = func() error {
			_, err := s.Clues.RecordCallback(ctx, id, con, qingqian.Satisfaction(form.Get("satisfaction")), version)
			return err
		}
	default:
		return qingqian.Errorf(qingqian.ENOTFOUND, "页面不存在")
	}
	return s.submit(w, r, form, bad, func() error {
		return run()
	}, func(st int, v *view) error { return s.showClue(w, r, st, v) }, func() string { return fmt.Sprintf("/clues/%d?done=clue_%s", id, action) })
}

// ---- API ----

func (s *Server) listClues(w http.ResponseWriter, r *http.Request) error {
	f, q := clueFilter(r)
	f.Offset, f.Limit = q.int("offset", 0), min(q.int("limit", 50), 500)
	if err := q.err(); err != nil {
		return err
	}
	list, n, err := s.Clues.FindClues(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(list, n, f.Offset, f.Limit))
	return nil
}

type clueInput struct {
	Channel      qingqian.Channel `json:"channel"`
	TransferNo   string           `json:"transfer_no"`
	ReceivedOn   qingqian.Date    `json:"received_on"`
	CreditorName string           `json:"creditor_name"`
	CreditorUSCC string           `json:"creditor_uscc"`
	Respondent   string           `json:"respondent"`
	Claimed      qingqian.Money   `json:"claimed"`
	Text         string           `json:"text"`
}

func (s *Server) createClue(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	var in clueInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Clue{Channel: in.Channel, TransferNo: in.TransferNo, ReceivedOn: in.ReceivedOn, CreditorName: in.CreditorName,
		CreditorUSCC: in.CreditorUSCC, Respondent: in.Respondent, Claimed: in.Claimed, Text: in.Text}
	if err := s.Clues.CreateClue(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getClue(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, s.Clues.FindClue)
}

// clueAction decodes a body into in and runs fn, answering with the clue afterwards. Callers
// that may not write are refused before their body is read, and callers that may not see the
// clue learn nothing of it, not even whether their body is valid: the lookup records the attempt.
func clueAction[T any](s *Server, w http.ResponseWriter, r *http.Request, fn func(id int64, in *T) (*qingqian.Clue, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	if _, err := s.Clues.FindClue(r.Context(), id); err != nil {
		return err
	}
	var in T
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := fn(id, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) assignClue(w http.ResponseWriter, r *http.Request) error {
	return clueAction(s, w, r, func(id int64, in *qingqian.Assignment) (*qingqian.Clue, error) {
		return s.Clues.Assign(r.Context(), id, *in)
	})
}

func (s *Server) verifyClue(w http.ResponseWriter, r *http.Request) error {
	return clueAction(s, w, r, func(id int64, in *qingqian.Verification) (*qingqian.Clue, error) {
		return s.Clues.Verify(r.Context(), id, *in)
	})
}

type linkInput struct {
	ItemID  int64 `json:"item_id"`
	Version int   `json:"version"`
}

func (s *Server) linkClueItem(w http.ResponseWriter, r *http.Request) error {
	return clueAction(s, w, r, func(id int64, in *linkInput) (*qingqian.Clue, error) {
		return s.Clues.LinkItem(r.Context(), id, in.ItemID, in.Version)
	})
}

type updateInput struct {
	On   qingqian.Date `json:"on"`
	Text string        `json:"text"`
}

func (s *Server) addClueUpdate(w http.ResponseWriter, r *http.Request) error {
	return clueAction(s, w, r, func(id int64, in *updateInput) (*qingqian.Clue, error) {
		return s.Clues.AddUpdate(r.Context(), id, in.On, in.Text)
	})
}

type versionInput struct {
	Version int `json:"version"`
}

func (s *Server) closeClue(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	return clueAction(s, w, r, func(id int64, in *versionInput) (*qingqian.Clue, error) {
		return s.Clues.Close(r.Context(), id, in.Version)
	})
}

type extensionInput struct {
	ExtendedTo   qingqian.Date `json:"extended_to"`
	ExtendReason string        `json:"extend_reason"`
	Version      int           `json:"version"`
}

func (s *Server) extendClue(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	return clueAction(s, w, r, func(id int64, in *extensionInput) (*qingqian.Clue, error) {
		return s.Clues.Extend(r.Context(), id, in.ExtendedTo, in.ExtendReason, in.Version)
	})
}

type feedbackInput struct {
	FeedbackOn   qingqian.Date         `json:"feedback_on"`
	Feedback     string                `json:"feedback"`
	CallbackOn   qingqian.Date         `json:"callback_on"`
	Satisfaction qingqian.Satisfaction `json:"satisfaction"`
	Version      int                   `json:"version"`
}

func (s *Server) clueFeedback(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	return clueAction(s, w, r, func(id int64, in *feedbackInput) (*qingqian.Clue, error) {
		return s.Clues.RecordFeedback(r.Context(), id, in.FeedbackOn, in.Feedback, in.CallbackOn, in.Satisfaction, in.Version)
	})
}

type callbackInput struct {
	CallbackOn   qingqian.Date         `json:"callback_on"`
	Satisfaction qingqian.Satisfaction `json:"satisfaction"`
	Version      int                   `json:"version"`
}

func (s *Server) clueCallback(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireOfficeAPI(r); err != nil {
		return err
	}
	return clueAction(s, w, r, func(id int64, in *callbackInput) (*qingqian.Clue, error) {
		return s.Clues.RecordCallback(r.Context(), id, in.CallbackOn, in.Satisfaction, in.Version)
	})
}

// missingItemInput is a debt the ledger lacked, found by a clue: an item without its creditor
// (the complainant) and origin (a complaint), which the clue decides.
type missingItemInput struct {
	No            string                 `json:"no"`
	OrgID         int64                  `json:"org_id"`
	ContractNo    string                 `json:"contract_no"`
	ContractName  string                 `json:"contract_name"`
	Kind          qingqian.ItemKind      `json:"kind"`
	ArisenOn      qingqian.Date          `json:"arisen_on"`
	DueOn         qingqian.Date          `json:"due_on"`
	Undisputed    qingqian.Money         `json:"undisputed"`
	Disputed      qingqian.Money         `json:"disputed"`
	DisputeReason string                 `json:"dispute_reason"`
	FundingSource qingqian.FundingSource `json:"funding_source"`
	Responsible   string                 `json:"responsible"`
	Note          string                 `json:"note"`
	Version       int                    `json:"version"`
}

// clueItemOutcome is what recording a missing debt answers: the clue and the new item.
type clueItemOutcome struct {
	Clue *qingqian.Clue `json:"clue"`
	Item *qingqian.Item `json:"item"`
}

func (s *Server) createClueItem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(ctx); err != nil {
		return err
	}
	if _, err := s.Clues.FindClue(ctx, id); err != nil {
		return err
	}
	var in missingItemInput
	if err := decode(r, &in); err != nil {
		return err
	}
	it := &qingqian.Item{No: in.No, OrgID: in.OrgID, ContractNo: in.ContractNo, ContractName: in.ContractName, Kind: in.Kind, ArisenOn: in.ArisenOn,
		DueOn: in.DueOn, Undisputed: in.Undisputed, Disputed: in.Disputed, DisputeReason: in.DisputeReason, FundingSource: in.FundingSource,
		Responsible: in.Responsible, Note: in.Note}
	c, err := s.Clues.CreateItemFromClue(ctx, id, it, in.Version)
	if err != nil {
		return err
	}
	got, err := s.Items.FindItemByID(ctx, it.ID, qingqian.Date{}, time.Time{})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, clueItemOutcome{Clue: c, Item: got})
	return nil
}
