package web

import (
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// recordEntryForm records a repayment or an adjustment from the item page. The voucher files
// chosen are stored first, whatever else the form holds: after an error the page carries their
// hashes (已上传：文件名), so that saving again attaches them without choosing them again.
func (s *Server) recordEntryForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.writableItem(r, id); err != nil {
		return err
	}
	show := s.showItem(w, r, id, false)
	form, err := s.multipartForm(w, r)
	if err != nil {
		return s.retry(w, r, err, nil, show)
	}
	kept, err := s.storeVouchers(r, form, r.MultipartForm.File["files"])
	if err != nil {
		return s.retry(w, r, err, form, show)
	}
	bad := qingqian.Validation{}
	in := qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryKind(form.Get("kind")), On: formDate(form, "on", bad), Amount: formMoney(form, "amount", bad),
		Part: qingqian.Part(form.Get("part")), Method: qingqian.PayMethod(form.Get("method")), VoucherNo: strings.TrimSpace(form.Get("voucher_no")),
		Reason: strings.TrimSpace(form.Get("reason")), IdempotencyKey: form.Get("idem"), Vouchers: kept}
	if in.Kind != qingqian.EntryRepay {
		in.Method = ""
	}
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Entries.RecordEntry(r.Context(), in)
		return err
	}, show, func() string { return fmt.Sprintf("/items/%d?done=repaid#entries", id) })
}

// multipartForm reads a form with voucher files, bounded by the upload limit (five files).
func (s *Server) multipartForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 5*s.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); tooLarge(err) {
		return nil, fieldErr("file", "上传的凭证过大：单个凭证不超过 "+sizeText(s.MaxUpload)+"，一次最多5个。本次填写的内容没有保存，请重新填写并重新选择文件")
	} else if err != nil {
		return nil, fieldErr("file", "上传的内容过大或无法识别（单个凭证不超过限制，最多5个）。本次填写的内容没有保存，请重新填写并重新选择文件")
	}
	if err := formNUL(r.PostForm); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

// storeVouchers stores the files chosen and returns, with the vouchers the form already
// carries (form "voucher", checked to be the actor's), the hashes to attach; form "voucher"
// is set to them, so that the page shown again after an error keeps them.
func (s *Server) storeVouchers(r *http.Request, form url.Values, files []*multipart.FileHeader) ([]string, error) {
	var hashes []string
	seen := map[string]bool{}
	for _, sha := range form["voucher"] {
		if _, err := s.voucher(r.Context(), sha); err != nil {
			return nil, fieldErr("file", "已上传的凭证无法找到，请重新选择文件")
		}
		if !seen[sha] {
			seen[sha] = true
			hashes = append(hashes, sha)
		}
	}
	defer func() { form["voucher"] = hashes }()
	if len(hashes)+len(files) > 5 {
		return hashes, fieldErr("file", "每笔清偿最多附5个凭证，请少选几个文件")
	}
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return hashes, err
		}
		v, err := s.Vouchers.StoreVoucher(r.Context(), fh.Filename, f)
		f.Close()
		if err != nil {
			if e := qingqian.ErrorFields(err); e != nil {
				err = fieldErr("file", fh.Filename+"："+qingqian.ErrorMessage(err)+"。请重新选择文件")
			}
			return hashes, err
		}
		if !seen[v.SHA256] {
			seen[v.SHA256] = true
			hashes = append(hashes, v.SHA256)
		}
	}
	return hashes, nil
}

// attachVoucherForm attaches voucher files to a repayment already recorded. Audited.
func (s *Server) attachVoucherForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	e, err := s.Entries.FindEntryByID(r.Context(), id)
	if err != nil {
		return err
	}
	show := s.showItem(w, r, e.ItemID, false)
	failed := url.Values{"attach_entry": {strconv.FormatInt(id, 10)}}
	form, err := s.multipartForm(w, r)
	if err != nil {
		return s.retry(w, r, err, failed, show)
	}
	files := r.MultipartForm.File["files"]
	if len(files) == 0 {
		return s.retry(w, r, fieldErr("file", "请选择要补充的凭证文件"), failed, show)
	}
	form.Del("voucher") // only the files chosen here
	hashes, err := s.storeVouchers(r, form, files)
	if err == nil {
		for _, sha := range hashes {
			if err = s.Vouchers.AttachVoucher(r.Context(), id, sha); err != nil {
				break
			}
		}
	}
	if err != nil {
		return s.retry(w, r, err, failed, show)
	}
	http.Redirect(w, r, fmt.Sprintf("/items/%d?done=voucher#entry-%d", e.ItemID, id), http.StatusSeeOther)
	return nil
}

func (s *Server) reverseForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := qingqian.RequireWriter(r.Context()); err != nil {
		return err
	}
	form, err := parseForm(w, r)
	if err != nil {
		return err
	}
	e, err := s.Entries.FindEntryByID(r.Context(), id)
	if err != nil {
		return err
	}
	bad := qingqian.Validation{}
	on := formDate(form, "on", bad) // empty: the reversed entry's own date
	return s.submit(w, r, form, bad, func() error {
		_, err := s.Entries.ReverseEntry(r.Context(), qingqian.EntryInput{ReversesID: id, On: on, Reason: strings.TrimSpace(form.Get("reason"))})
		return err
	}, s.showItem(w, r, e.ItemID, false), func() string { return fmt.Sprintf("/items/%d?done=reversed#entries", e.ItemID) })
}

// ---- API ----

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
