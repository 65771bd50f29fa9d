package web

import (
	"io"
	"net/http"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// Exports of the contracts: the register, one contract's payables with how each was computed,
// the open payables as of a date, a yearly disclosure.

func (s *Server) exportContracts(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := qingqian.ContractFilter{OrgID: q.id("org_id"), Query: q.str("q"), Unlawful: q.boolp("unlawful")}
	if err := q.err(); err != nil {
		return err
	}
	// The filter's errors and the permissions are answered before the download starts.
	if _, err := s.Contracts.FindContracts(r.Context(), qingqian.ContractFilter{OrgID: f.OrgID, Limit: 1}); err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "合同台账", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.ExportContracts(r.Context(), s.Contracts, f, wr, format, meta)
	})
}

func (s *Server) exportContract(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	asOf := q.date("as_of")
	if err := q.err(); err != nil {
		return err
	}
	if asOf.IsZero() {
		asOf = qingqian.Today()
	}
	k, err := s.Contracts.FindContractByID(r.Context(), id, asOf)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "合同"+k.No+"应付款计算表", format, func(wr io.Writer, meta xlsx.Meta) error {
		meta.AsOf = asOf
		return xlsx.WriteContractPayables(wr, k, format, meta)
	})
}

func (s *Server) exportPayables(w http.ResponseWriter, r *http.Request) error {
	f, q := payableFilter(r)
	if err := q.err(); err != nil {
		return err
	}
	if f.AsOf.IsZero() {
		f.AsOf = qingqian.Today()
	}
	if _, err := s.Aging.FindOpenPayables(r.Context(), qingqian.PayableFilter{OrgID: f.OrgID, Subtree: f.Subtree, AsOf: f.AsOf, Bucket: f.Bucket, Limit: 1}); err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, "未付应付账款明细", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.ExportOpenPayables(r.Context(), s.Aging, f, wr, format, meta)
	})
}

func (s *Server) exportDisclosure(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.Disclosures.FindDisclosureByID(r.Context(), id)
	if err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, d.OrgName+"年度公示", format, func(wr io.Writer, meta xlsx.Meta) error {
		return xlsx.WriteDisclosure(wr, d, format, meta)
	})
}
