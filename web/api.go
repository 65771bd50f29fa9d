package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

type route struct {
	pattern string
	h       func(w http.ResponseWriter, r *http.Request) error
}

// apiRoutes lists every API route; the OpenAPI document is checked against this list.
func (s *Server) apiRoutes() []route {
	return append([]route{
		{"GET /api/v1/orgs", s.listOrgs},
		{"POST /api/v1/orgs", s.createOrg},
		{"GET /api/v1/orgs/{id}", s.getOrg},
		{"PATCH /api/v1/orgs/{id}", s.updateOrg},
		{"DELETE /api/v1/orgs/{id}", s.deleteOrg},
		{"POST /api/v1/orgs/{id}/move", s.moveOrg},
		{"GET /api/v1/orgs/{id}/totals", s.orgTotals},
		{"GET /api/v1/creditors", s.listCreditors},
		{"POST /api/v1/creditors", s.createCreditor},
		{"GET /api/v1/creditors/{id}", s.getCreditor},
		{"PATCH /api/v1/creditors/{id}", s.updateCreditor},
		{"GET /api/v1/items", s.listItems},
		{"POST /api/v1/items", s.createItem},
		{"GET /api/v1/items/{id}", s.getItem},
		{"PATCH /api/v1/items/{id}", s.updateItem},
		{"GET /api/v1/items/{id}/entries", s.listEntries},
		{"POST /api/v1/items/{id}/entries", s.createEntry},
		{"GET /api/v1/items/{id}/plans", s.listPlans},
		{"POST /api/v1/items/{id}/plans", s.revisePlan},
		{"POST /api/v1/entries", s.createEntries},
		{"GET /api/v1/entries/{id}", s.getEntry},
		{"POST /api/v1/entries/{id}/reversal", s.reverseEntry},
		{"POST /api/v1/entries/{id}/vouchers", s.attachVoucher},
		{"POST /api/v1/vouchers", s.uploadVoucher},
		{"GET /api/v1/vouchers/{sha256}", s.downloadVoucher},
		{"GET /api/v1/vouchers/{sha256}/entries", s.voucherEntries},
		{"GET /api/v1/audit", s.listAudit},
		{"POST /api/v1/imports/{kind}", s.apiImport},
	}, append(s.reportAPIRoutes(), s.clueAPIRoutes()...)...)
}

//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}

// pathID reads the {id} path value.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, qingqian.Errorf(qingqian.ENOTFOUND, "编号不正确：%s", r.PathValue("id"))
	}
	return id, nil
}

// query reads URL parameters and collects their errors by name.
type query struct {
	v   url.Values
	bad qingqian.Validation
}

func newQuery(r *http.Request) *query { return &query{v: r.URL.Query(), bad: qingqian.Validation{}} }

func (q *query) str(name string) string { return strings.TrimSpace(q.v.Get(name)) }

func (q *query) int(name string, def int) int {
	s := q.str(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		q.bad.Add(name, "应为非负整数")
	}
	return n
}

func (q *query) id(name string) int64 {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.bad.Add(name, "应为正整数编号")
	}
	return n
}

func (q *query) date(name string) qingqian.Date {
	s := q.str(name)
	if s == "" {
		return qingqian.Date{}
	}
	d, err := qingqian.ParseDate(s)
	if err != nil {
		q.bad.Add(name, "日期格式应为 YYYY-MM-DD")
	}
	return d
}

func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		q.bad.Add(name, "时间格式应为 RFC 3339，如 2021-10-31T24:00:00+08:00 写作 2021-11-01T00:00:00+08:00")
	}
	return t
}

func (q *query) boolp(name string) *bool {
	switch q.str(name) {
	case "":
		return nil
	case "true", "1":
		t := true
		return &t
	case "false", "0":
		f := false
		return &f
	}
	q.bad.Add(name, "应为 true 或 false")
	return nil
}

func (q *query) money(name string) *qingqian.Money {
	s := q.str(name)
	if s == "" {
		return nil
	}
	m, err := qingqian.ParseYuan(s)
	if err != nil {
		q.bad.Add(name, "金额应为元，最多两位小数")
		return nil
	}
	return &m
}

func (q *query) err() error {
	if len(q.bad) == 0 {
		return nil
	}
	return &qingqian.Error{Code: qingqian.EINVALID, Message: "查询参数有误：" + describe(q.bad), Fields: q.bad}
}

type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// ifMatch returns the version in an If-Match header ("3" or W/"3"), or def.
func ifMatch(r *http.Request, def int) (int, error) {
	h := r.Header.Get("If-Match")
	if h == "" {
		return def, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err := strconv.Atoi(h)
	if err != nil {
		return 0, &qingqian.Error{Code: qingqian.EINVALID, Message: "If-Match 应为资源的版本号", Fields: map[string]string{"If-Match": "格式不正确"}}
	}
	return v, nil
}

func etag(w http.ResponseWriter, version int) { w.Header().Set("ETag", fmt.Sprintf(`"%d"`, version)) }

// ---- orgs ----

func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.OrgFilter{Under: q.id("under"), Query: q.str("q"), Active: q.boolp("active"), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if err := q.err(); err != nil {
		return err
	}
	orgs, n, err := s.Orgs.FindOrgs(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(orgs, n, f.Offset, f.Limit))
	return nil
}

// pageOf is one page of a list, never null in JSON.
func pageOf[T any](items []T, total, offset, limit int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{items, total, offset, limitOf(limit)}
}

func limitOf(n int) int {
	if n <= 0 {
		return 50
	}
	return min(n, 500)
}

type orgInput struct {
	ParentID     int64            `json:"parent_id"`
	Name         string           `json:"name"`
	ShortName    string           `json:"short_name"`
	USCC         string           `json:"uscc"`
	Kind         qingqian.OrgKind `json:"kind"`
	LeaderName   string           `json:"leader_name"`
	Department   string           `json:"department"`
	LiaisonName  string           `json:"liaison_name"`
	LiaisonPhone string           `json:"liaison_phone"`
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	var in orgInput
	if err := decode(r, &in); err != nil {
		return err
	}
	o := &qingqian.Org{ParentID: in.ParentID, Name: in.Name, ShortName: in.ShortName, USCC: in.USCC, Kind: in.Kind,
		LeaderName: in.LeaderName, Department: in.Department, LiaisonName: in.LiaisonName, LiaisonPhone: in.LiaisonPhone}
	if err := s.Orgs.CreateOrg(r.Context(), o); err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.Orgs.FindOrgByID(r.Context(), id)
	if err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd qingqian.OrgUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	if upd.Version, err = ifMatch(r, upd.Version); err != nil {
		return err
	}
	o, err := s.Orgs.UpdateOrg(r.Context(), id, upd)
	if err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Orgs.DeleteOrg(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) moveOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		ParentID int64 `json:"parent_id"`
		Version  int   `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version, err = ifMatch(r, in.Version); err != nil {
		return err
	}
	o, err := s.Orgs.MoveOrg(r.Context(), id, in.ParentID, in.Version)
	if err != nil {
		return err
	}
	etag(w, o.Version)
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) orgTotals(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	tq := qingqian.TotalsQuery{OrgID: id, AsOf: q.date("as_of"), KnownAt: q.time("known_at")}
	if err := q.err(); err != nil {
		return err
	}
	t, err := s.Totals.SubtreeTotals(r.Context(), tq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

// ---- creditors ----

func (s *Server) listCreditors(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.CreditorFilter{Query: q.str("q"), USCC: q.str("uscc"), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if err := q.err(); err != nil {
		return err
	}
	cs, n, err := s.Creditors.FindCreditors(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(cs, n, f.Offset, f.Limit))
	return nil
}

type creditorInput struct {
	Name           string             `json:"name"`
	USCC           string             `json:"uscc"`
	Ownership      qingqian.Ownership `json:"ownership"`
	Size           qingqian.Size      `json:"size"`
	SizeDeclaredOn qingqian.Date      `json:"size_declared_on"`
	SizeEvidence   string             `json:"size_evidence"`
	Region         string             `json:"region"`
}

func (s *Server) createCreditor(w http.ResponseWriter, r *http.Request) error {
	var in creditorInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := &qingqian.Creditor{Name: in.Name, USCC: in.USCC, Ownership: in.Ownership, Size: in.Size, SizeDeclaredOn: in.SizeDeclaredOn,
		SizeEvidence: in.SizeEvidence, Region: in.Region}
	if err := s.Creditors.CreateCreditor(r.Context(), c); err != nil {
		return err
	}
	etag(w, c.Version)
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) getCreditor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Creditors.FindCreditorByID(r.Context(), id)
	if err != nil {
		return err
	}
	etag(w, c.Version)
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) updateCreditor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd qingqian.CreditorUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	if upd.Version, err = ifMatch(r, upd.Version); err != nil {
		return err
	}
	c, err := s.Creditors.UpdateCreditor(r.Context(), id, upd)
	if err != nil {
		return err
	}
	etag(w, c.Version)
	writeJSON(w, http.StatusOK, c)
	return nil
}

// ---- items ----

func (s *Server) listItems(w http.ResponseWriter, r *http.Request) error {
	f, q := ledgerFilter(r)
	f.Offset, f.Limit = q.int("offset", 0), q.int("limit", 50)
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.Items.FindItems(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		list[*qingqian.Item]
		TotalOutstanding qingqian.Money `json:"total_outstanding"`
	}{list[*qingqian.Item]{page.Items, page.Total, f.Offset, limitOf(f.Limit)}, page.TotalOutstanding})
	return nil
}

type itemInput struct {
	No            string                 `json:"no"`
	OrgID         int64                  `json:"org_id"`
	CreditorID    int64                  `json:"creditor_id"`
	ContractNo    string                 `json:"contract_no"`
	ContractName  string                 `json:"contract_name"`
	Kind          qingqian.ItemKind      `json:"kind"`
	ArisenOn      qingqian.Date          `json:"arisen_on"`
	DueOn         qingqian.Date          `json:"due_on"`
	Undisputed    qingqian.Money         `json:"undisputed"`
	Disputed      qingqian.Money         `json:"disputed"`
	DisputeReason string                 `json:"dispute_reason"`
	FundingSource qingqian.FundingSource `json:"funding_source"`
	Origin        qingqian.Origin        `json:"origin"`
	Responsible   string                 `json:"responsible"`
	Note          string                 `json:"note"`
}

func (s *Server) createItem(w http.ResponseWriter, r *http.Request) error {
	var in itemInput
	if err := decode(r, &in); err != nil {
		return err
	}
	it := &qingqian.Item{No: in.No, OrgID: in.OrgID, CreditorID: in.CreditorID, ContractNo: in.ContractNo, ContractName: in.ContractName,
		Kind: in.Kind, ArisenOn: in.ArisenOn, DueOn: in.DueOn, Undisputed: in.Undisputed, Disputed: in.Disputed, DisputeReason: in.DisputeReason,
		FundingSource: in.FundingSource, Origin: in.Origin, Responsible: in.Responsible, Note: in.Note}
	if err := s.Items.CreateItem(r.Context(), it); err != nil {
		return err
	}
	got, err := s.Items.FindItemByID(r.Context(), it.ID, qingqian.Date{}, time.Time{})
	if err != nil {
		return err
	}
	etag(w, got.Version)
	writeJSON(w, http.StatusCreated, got)
	return nil
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	asOf, known := q.date("as_of"), q.time("known_at")
	if err := q.err(); err != nil {
		return err
	}
	it, err := s.Items.FindItemByID(r.Context(), id, asOf, known)
	if err != nil {
		return err
	}
	etag(w, it.Version)
	writeJSON(w, http.StatusOK, it)
	return nil
}

func (s *Server) updateItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var upd qingqian.ItemUpdate
	if err := decode(r, &upd); err != nil {
		return err
	}
	if upd.Version, err = ifMatch(r, upd.Version); err != nil {
		return err
	}
	if _, err := s.Items.UpdateItem(r.Context(), id, upd); err != nil {
		return err
	}
	it, err := s.Items.FindItemByID(r.Context(), id, qingqian.Date{}, time.Time{})
	if err != nil {
		return err
	}
	etag(w, it.Version)
	writeJSON(w, http.StatusOK, it)
	return nil
}

// ---- entries ----

func (s *Server) listEntries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	es, err := s.Entries.FindEntries(r.Context(), id)
	if err != nil {
		return err
	}
	if es == nil {
		es = []*qingqian.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": es})
	return nil
}

type entryInput struct {
	Kind      qingqian.EntryKind `json:"kind"`
	On        qingqian.Date      `json:"on"`
	Amount    qingqian.Money     `json:"amount"`
	Part      qingqian.Part      `json:"part"`
	Method    qingqian.PayMethod `json:"method"`
	VoucherNo string             `json:"voucher_no"`
	Reason    string             `json:"reason"`
	Vouchers  []string           `json:"vouchers"`
}

func (s *Server) createEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in entryInput
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Entries.RecordEntry(r.Context(), qingqian.EntryInput{ItemID: id, Kind: in.Kind, On: in.On, Amount: in.Amount, Part: in.Part,
		Method: in.Method, VoucherNo: in.VoucherNo, Reason: in.Reason, Vouchers: in.Vouchers, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

type batchEntryInput struct {
	ItemID int64 `json:"item_id"`
	entryInput
}

// createEntries records a batch of entries in one transaction: all or none.
func (s *Server) createEntries(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Entries []json.RawMessage `json:"entries"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	ins := make([]qingqian.EntryInput, len(in.Entries))
	bad := qingqian.Validation{}
	for i, raw := range in.Entries {
		var b batchEntryInput
		if err := decodeBytes(raw, &b.entryInput, map[string]any{"item_id": &b.ItemID}); err != nil {
			for k, v := range qingqian.ErrorFields(err) {
				bad.Add(fmt.Sprintf("entries.%d.%s", i, k), v)
			}
			continue
		}
		ins[i] = qingqian.EntryInput{ItemID: b.ItemID, Kind: b.Kind, On: b.On, Amount: b.Amount, Part: b.Part, Method: b.Method,
			VoucherNo: b.VoucherNo, Reason: b.Reason, Vouchers: b.Vouchers}
	}
	if len(bad) > 0 {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "请求内容有误：" + describe(bad), Fields: bad}
	}
	es, err := s.Entries.RecordEntries(r.Context(), ins)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"items": es})
	return nil
}

func (s *Server) getEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := s.Entries.FindEntryByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) reverseEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		On     qingqian.Date `json:"on"`
		Reason string        `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Entries.ReverseEntry(r.Context(), qingqian.EntryInput{ReversesID: id, On: in.On, Reason: in.Reason, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, e)
	return nil
}

// ---- plans ----

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ps, err := s.Plans.FindPlans(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}

func (s *Server) revisePlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in qingqian.PlanInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := s.Plans.RevisePlan(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// ---- vouchers ----

func (s *Server) uploadVoucher(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "请以 multipart/form-data 上传文件（字段名 file），大小不超过限制", Fields: map[string]string{"file": "没有收到文件"}}
	}
	defer file.Close()
	v, err := s.Vouchers.StoreVoucher(r.Context(), hdr.Filename, file)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) downloadVoucher(w http.ResponseWriter, r *http.Request) error {
	return s.serveVoucher(w, r)
}

// serveVoucher sends a voucher file the actor may see, as a download or, with ?inline=1, for
// the browser to show.
func (s *Server) serveVoucher(w http.ResponseWriter, r *http.Request) error {
	v, f, err := s.Vouchers.OpenVoucher(r.Context(), r.PathValue("sha256"))
	if err != nil {
		return err
	}
	defer f.Close()
	disp := "attachment"
	if r.URL.Query().Get("inline") == "1" {
		disp = "inline"
	}
	w.Header().Set("Content-Type", v.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": v.Name}))
	w.Header().Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", v.CreatedAt, f)
	return nil
}

func (s *Server) voucherEntries(w http.ResponseWriter, r *http.Request) error {
	es, err := s.Vouchers.FindVoucherEntries(r.Context(), r.PathValue("sha256"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": es})
	return nil
}

func (s *Server) attachVoucher(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		SHA256 string `json:"sha256"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Vouchers.AttachVoucher(r.Context(), id, in.SHA256); err != nil {
		return err
	}
	e, err := s.Entries.FindEntryByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// ---- audit ----

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.AuditFilter{Entity: q.str("entity"), EntityID: q.id("entity_id"), Action: q.str("action"), Actor: q.str("actor"),
		From: q.time("from"), To: q.time("to"), Offset: q.int("offset", 0), Limit: q.int("limit", 50)}
	if err := q.err(); err != nil {
		return err
	}
	recs, n, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[*qingqian.AuditRecord]{recs, n, f.Offset, limitOf(f.Limit)})
	return nil
}

// RoutePatterns lists the API's method and path patterns, as the OpenAPI document names them.
func RoutePatterns() []string {
	var out []string
	for _, rt := range (&Server{}).apiRoutes() {
		out = append(out, rt.pattern)
	}
	return out
}
