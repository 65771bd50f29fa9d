package web

import (
	"net/http"

	"github.com/qingqian/qingqian"
)

type auditData struct {
	F        qingqian.AuditFilter
	Records  []*qingqian.AuditRecord
	Total    int
	Pager    *pager
	Entities []string
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	page := max(1, q.int("page", 1))
	f := qingqian.AuditFilter{Entity: q.str("entity"), EntityID: q.id("entity_id"), Action: q.str("action"), Actor: q.str("actor"), Offset: (page - 1) * 100, Limit: 100}
	if err := q.err(); err != nil {
		return err
	}
	a := qingqian.ActorFrom(r.Context())
	if !a.Has(qingqian.RoleAuditor, qingqian.RoleSupervisor, qingqian.RoleAdmin) {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有审计、清欠办和管理员可以查询审计日志")
	}
	recs, total, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	d := &auditData{F: f, Records: recs, Total: total, Pager: newPager(r, page, 100, total),
		Entities: []string{"item", "org", "creditor", "user", "voucher", "token"}}
	s.render(w, r, http.StatusOK, "audit", &view{Title: "审计日志", Nav: "audit", Data: d})
	return nil
}

// ---- API ----

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
