package web

import (
	"io"
	"net/http"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

type auditData struct {
	F        qingqian.AuditFilter
	Records  []*qingqian.AuditRecord
	Total    int
	Pager    *pager
	Entities []string
	Actions  []string
	// The export links, with the filter.
	ExportXLSX, ExportCSV string
}

// auditFilter reads the trail's search from the URL.
func auditFilter(r *http.Request) (qingqian.AuditFilter, *query) {
	q := newQuery(r)
	f := qingqian.AuditFilter{Entity: q.str("entity"), EntityID: q.id("entity_id"), Action: q.str("action"), Actor: q.str("actor"),
		Source: q.str("source"), From: q.time("from"), To: q.time("to")}
	return f, q
}

// requireAuditReader refuses, before anything is read, whoever may not search the trail.
func requireAuditReader(r *http.Request) error {
	a := qingqian.ActorFrom(r.Context())
	if a == nil || !a.CanReadAudit() {
		return qingqian.Errorf(qingqian.EFORBIDDEN, "只有审计管理员、审计人员和清欠办可以查询审计日志")
	}
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuditReader(r); err != nil {
		return err
	}
	f, q := auditFilter(r)
	page := max(1, q.int("page", 1))
	if err := q.err(); err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*100, 100
	recs, total, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.recordSearch(r, f); err != nil {
		return err
	}
	qs := r.URL.Query()
	qs.Del("page")
	qs.Del("format")
	d := &auditData{F: f, Records: recs, Total: total, Pager: newPager(r, page, 100, total),
		Entities: sortedKeys(qingqian.AuditEntityNames), Actions: sortedKeys(qingqian.AuditActionNames), ExportXLSX: "/audit/export?" + qs.Encode()}
	qs.Set("format", "csv")
	d.ExportCSV = "/audit/export?" + qs.Encode()
	s.render(w, r, http.StatusOK, "audit", &view{Title: "审计日志", Nav: "audit", Data: d})
	return nil
}

// exportAudit writes the records the search selects, for an assessor; the export is itself
// recorded.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	if err := requireAuditReader(r); err != nil {
		return err
	}
	f, q := auditFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "审计记录", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.ExportAudit(r.Context(), s.Audit, f, wr, format, meta)
	})
}

// ---- API ----

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, q := auditFilter(r)
	f.Offset, f.Limit = q.int("offset", 0), q.int("limit", 50)
	if err := q.err(); err != nil {
		return err
	}
	recs, n, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if a := qingqian.ActorFrom(r.Context()); a.CanReadAudit() {
		if err := s.recordSearch(r, f); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, list[*qingqian.AuditRecord]{recs, n, f.Offset, limitOf(f.Limit)})
	return nil
}

// recordSearch records a search of the trail: the reading of the audit records is itself an act
// the audit administrator answers for.
func (s *Server) recordSearch(r *http.Request, f qingqian.AuditFilter) error {
	return s.Audit.RecordAccess(r.Context(), "audit.search", "audit", 0, map[string]any{"query": r.URL.RawQuery, "offset": f.Offset})
}
