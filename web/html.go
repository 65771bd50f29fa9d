package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

//go:embed templates static
var assets embed.FS

// staticFiles maps a content-hashed name ("app.3f2a9c1b.css") to the embedded file, so that
// assets can be cached forever and still change with each release.
type staticFiles struct {
	byHashed map[string]string // hashed name → path in assets
	hashed   map[string]string // plain name → hashed name
}

func loadStatic() (*staticFiles, error) {
	s := &staticFiles{byHashed: map[string]string{}, hashed: map[string]string{}}
	ents, err := fs.ReadDir(assets, "static")
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		b, err := assets.ReadFile("static/" + e.Name())
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		h := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:4]) + ext
		s.byHashed[h] = "static/" + e.Name()
		s.hashed[e.Name()] = h
	}
	return s, nil
}

func (s *staticFiles) url(name string) string {
	h, ok := s.hashed[name]
	if !ok {
		panic("no static file " + name)
	}
	return "/static/" + h
}

func (s *staticFiles) serve(w http.ResponseWriter, r *http.Request) {
	p, ok := s.byHashed[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, _ := assets.ReadFile(p)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, p, time.Time{}, bytes.NewReader(b))
}

// pages are the page templates; each is parsed with the layout. A test renders every one.
var pages = []string{"login", "password", "totp", "security", "dashboard", "ledger", "item", "item_new", "orgs", "creditors", "creditor", "users", "audit", "error", "import", "import_status",
	"periods", "period", "submission", "report", "progress", "notices", "notice", "interviews", "interview",
	"clues", "clue", "cases", "case", "disputes", "calendar",
	"campaigns", "campaign", "campaign_answer", "campaign_annex", "circulars", "circular", "causes",
	"contracts", "contract", "contract_new", "lpr", "aging", "payables", "timely", "disclosures", "disclosure", "bills", "statements",
	"letters", "letter", "signals", "confirm"}

// templateFuncs are the functions every template may call; static names the URL of an
// embedded asset.
func templateFuncs(static func(string) string) template.FuncMap {
	return template.FuncMap{
		"wan":          func(m qingqian.Money) string { return m.Wan() },
		"wang":         func(m qingqian.Money) string { return m.WanGrouped() },
		"roundingNote": func() string { return qingqian.RoundingNote },
		"yuan":         yuanText,
		"neg":          func(m qingqian.Money) qingqian.Money { return -m },
		"static":       static,
		"pct":          pctText,
		"time":         func(t time.Time) string { return timeText(t) },
		"indent":       func(depth int) string { return strings.Repeat("　", depth) },
		"add":          func(a, b int) int { return a + b },
		"hasrole":      func(u *qingqian.User, r string) bool { return u != nil && u.Actor().Has(qingqian.Role(r)) },
		"canwrite":     func(u *qingqian.User) bool { return u != nil && u.Actor().CanWrite() },
		"keeper":       func(u *qingqian.User) bool { return u != nil && u.Actor().CanKeepStatements() },
		"canread":      func(u *qingqian.User) bool { return u != nil && u.Actor().CanRead() },
		"canaudit":     func(u *qingqian.User) bool { return u != nil && u.Actor().CanReadAudit() },
		"json":         func(b []byte) string { return string(b) },
		"action":       func(code string) string { return qingqian.AuditAction(code).Label() },
		"fields":       auditFields,
		"object":       objectOf,
		"entity":       func(code string) string { return qingqian.AuditEntityNames[code] },
		"cndate":       func(d qingqian.Date) string { return d.Chinese() },
		"today":        qingqian.Today,
		"earliest":     func() qingqian.Date { return qingqian.EarliestDate },
		"dateof":       func(t time.Time) qingqian.Date { return qingqian.DateOf(t) },
		"short":        func(s string) string { return shortHash(s) },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"sum":   func(a, b qingqian.Money) qingqian.Money { return a + b },
		"cat":   func(a, b string) string { return a + b },
		"cents": func(m qingqian.Money) int64 { return int64(m) },
		"diff":  func(a, b qingqian.Money) qingqian.Money { return a - b },
		"itoa":  func(n int) string { return strconv.Itoa(n) },
		"weekday": func(d qingqian.Date) string {
			return "星期" + []string{"日", "一", "二", "三", "四", "五", "六"}[d.Weekday()]
		},
		"deref":   func(f *qingqian.FundingSource) qingqian.FundingSource { return *f },
		"percent": qingqian.FormatPercent,
	}
}

func (s *Server) parseTemplates() error {
	funcs := templateFuncs(s.static.url)
	// Files named part_*.html hold parts shared by several pages.
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/part_*.html")
	if err != nil {
		return err
	}
	s.tmpl = map[string]*template.Template{}
	for _, p := range pages {
		t, err := template.Must(layout.Clone()).ParseFS(assets, "templates/"+p+".html")
		if err != nil {
			return fmt.Errorf("template %s: %w", p, err)
		}
		s.tmpl[p] = t
	}
	return nil
}

func shortHash(s string) string {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

var cst = time.FixedZone("CST", 8*3600)

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

// pctText formats a rate in basis points as a percentage: 18.42%.
func pctText(bp int64) string { return fmt.Sprintf("%d.%02d%%", bp/100, bp%100) }

// yuanText formats 元 with thousands separators: 968,553,800.00.
func yuanText(m qingqian.Money) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// view is what every page template receives.
type view struct {
	Title   string
	Nav     string
	User    *qingqian.User
	Flash   string
	Error   string            // a message for the whole form
	Fields  map[string]string // field errors
	Form    url.Values        // what was typed, re-shown after an error
	Refresh bool              // reload every second (a running import)
	Data    any
}

// Val returns what was typed in a field.
func (v *view) Val(name string) string { return v.Form.Get(name) }

// Err returns a field's error message.
func (v *view) Err(name string) string { return v.Fields[name] }

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := s.tmpl[page]
	if !ok {
		panic("no template " + page)
	}
	if v.User == nil {
		v.User = userFrom(r)
	}
	if v.Flash == "" {
		v.Flash = flashes[r.URL.Query().Get("done")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.Logger.Error("render", "page", page, "err", err, "id", requestID(r.Context()))
		http.Error(w, "系统内部错误（编号 "+requestID(r.Context())+"）", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// flashes are the messages a redirect after a successful form may show; the query names one.
var flashes = map[string]string{
	"repaid": "已记录。", "voucher": "凭证已补充。", "reversed": "已冲正。", "bill": "票据已登记。", "imported": "对账单已导入并完成匹配。", "matched": "匹配已更新。", "plan": "清偿计划已保存。", "item": "台账条目已建立。",
	"org": "单位已添加。", "creditor": "债权企业已添加。", "user": "用户已创建。", "reset": "密码已重置，用户下次登录须修改密码。",
	"active": "账号状态已更新。", "password": "密码已修改。", "revoked": "接口令牌已吊销。",
	"period": "报送期次已开启。", "periods": "报送期次已生成。", "prepared": "已填报，待审核。", "review": "已审核，待签批。",
	"approve": "已签批报送，数据已冻结。", "return": "已退回。", "checked": "零报告核查结论已记录。", "issued": "汇总报表已印发，此后不再变化。", "reminded": "已向未报送的集团催报，催报记录将显示在其首页。",
	"rule": "进度预警规则已保存。", "notice": "督办已下发。", "replied": "办理情况已回复。", "closed": "督办事项已办结。",
	"interview": "约谈已记录。", "follow_up": "承诺跟踪情况已记录。",
	"clue": "线索已登记。", "clue_assign": "已交办。", "clue_verify": "核实结论已记录。", "clue_link": "已关联台账条目。",
	"clue_item": "已按线索补录台账条目，并标记为台账漏报。", "clue_update": "进展已记录。", "clue_extend": "已批准延期。",
	"clue_close": "线索已销号。", "clue_feedback": "反馈与回访已记录。", "clue_callback": "回访已记录。", "case": "案件已登记。", "case_event": "案件进展已记录。",
	"roles": "角色已更新，该用户下次操作时生效。", "totp": "动态口令已启用，今后登录须输入动态口令。", "totp_off": "动态口令已关闭。", "policy": "安全策略已保存。",
	"creditor_update": "债权企业登记信息已修改。", "creditor_request": "变更申请已提交，待清欠办审核。", "creditor_decided": "变更申请已审核。",
	"case_decision": "判决（调解）结果已记录，并已生成核减和确认分录。", "case_plan": "下一步工作已保存。", "calendar": "节假日安排已保存。",
	"campaign": "专项工作已部署。", "campaign_reminded": "已向本期未报送的单位催报，催报将显示在其首页，直至报送。",
	"campaign_reported": "各单位本期均已报送，无需催报。", "campaign_closed": "专项工作已结束，总结可打印为附件。",
	"circular": "文件已下发。", "circular_receipt": "已签收。", "circular_reply": "已回复。", "circular_pass_down": "已转发给下级单位。",
	"cause":    "拖欠原因已保存。",
	"contract": "合同已登记。", "contract_event": "合同事件已记录，应付款已重新计算。",
	"contract_correct": "合同已更正，应付款已重新计算。", "contract_cancel": "合同已作废，其应付款不再计入任何统计。",
	"contract_event_void": "事项已撤销，应付款已重新计算。", "contract_event_end": "结束日期已记录，应付款已重新计算。", "lpr": "LPR已保存，相关合同的应付款已重新计算。",
	"arrears": "逾期未付的应付款已转入拖欠台账（来源：新增欠款），逾期后的付款已记为还款。", "arrears_none": "没有需要转入拖欠台账的逾期应付款。",
	"disclosure": "年度公示已保存。", "disclosure_signed": "年度公示已签发，数据已冻结。",
	"letters": "询证函已生成，可逐份打印寄出。", "letter_reply": "回函已登记。", "letter_resolved": "回函差异已处理。",
}

type userKey struct{}

func userFrom(r *http.Request) *qingqian.User {
	u, _ := r.Context().Value(userKey{}).(*qingqian.User)
	return u
}

// page wraps a page handler: it needs a signed-in user (otherwise to the login page), sends a
// user who must change the password there first, and shows service errors as pages.
func (s *Server) page(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u *qingqian.User
		var err error
		if c, cerr := r.Cookie(sessionCookie); cerr == nil {
			u, err = s.Users.Authenticate(r.Context(), c.Value)
		}
		if u == nil {
			// A failure to check the session is not a signed-out user: the session stays.
			if code := qingqian.ErrorCode(err); code == qingqian.EINTERNAL || code == qingqian.ECANCELED {
				s.errorPage(w, r, err)
				return
			}
			s.clearSession(w, r)
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = "/"
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if (u.MustChange || u.PasswordExpired) && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		if u.NeedsTOTP && r.URL.Path != "/account/totp" && r.URL.Path != "/logout" {
			http.Redirect(w, r, "/account/totp", http.StatusSeeOther)
			return
		}
		ctx := qingqian.NewContext(r.Context(), u.Actor())
		r = s.routeReads(w, r.WithContext(context.WithValue(ctx, userKey{}, u)), u.Actor())
		defer removeMultipart(r)
		if err := h(w, r); err != nil {
			s.errorPage(w, r, err)
		}
	})
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	code := qingqian.ErrorCode(err)
	msg := qingqian.ErrorMessage(err)
	if code == qingqian.ECANCELED {
		s.logCancelled(r, err)
	}
	if code == qingqian.EINTERNAL {
		id := requestID(r.Context())
		s.Logger.Error("internal error", "id", id, "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "系统内部错误（编号 " + id + "）"
	}
	title := map[string]string{qingqian.ENOTFOUND: "没有找到", qingqian.EFORBIDDEN: "没有权限", qingqian.EINVALID: "输入有误", qingqian.ECONFLICT: "操作冲突", qingqian.ECANCELED: "请求未完成"}[code]
	if title == "" {
		title = "出错了"
	}
	s.render(w, r, ErrorStatus(err), "error", &view{Title: title, Error: msg})
}

func isOffice(r *http.Request) bool {
	u := userFrom(r)
	return u != nil && u.Actor().Has(qingqian.RoleSupervisor)
}
