package web

import (
	"context"
	"mime"
	"net/http"

	"github.com/qingqian/qingqian"
)

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

// voucher returns a stored voucher the actor may see.
func (s *Server) voucher(ctx context.Context, sha string) (*qingqian.Voucher, error) {
	v, f, err := s.Vouchers.OpenVoucher(ctx, sha)
	if err != nil {
		return nil, err
	}
	f.Close()
	return v, nil
}

// keptVouchers are the vouchers a form carries after an error, for the page to name them.
func (s *Server) keptVouchers(ctx context.Context, hashes []string) []*qingqian.Voucher {
	var out []*qingqian.Voucher
	for _, sha := range hashes {
		if v, err := s.voucher(ctx, sha); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// ---- API ----

func (s *Server) uploadVoucher(w http.ResponseWriter, r *http.Request) error {
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	file, hdr, err := r.FormFile("file")
	if tooLarge(err) {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "凭证文件超过大小限制（" + sizeText(s.MaxUpload) + "）", Fields: map[string]string{"file": "文件过大"}}
	}
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
