package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/qingqian/qingqian"
)

func (s *Server) recordEntryForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.writableItem(r, id); err != nil {
		return err
	}
	show := s.showItem(w, r, id, false)
	r.Body = http.MaxBytesReader(w, r.Body, 5*s.MaxUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); tooLarge(err) {
		return s.retry(w, r, fieldErr("file", "上传的凭证过大：单个凭证不超过 "+sizeText(s.MaxUpload)+"，一次最多5个"), nil, show)
	} else if err != nil {
		return s.retry(w, r, fieldErr("file", "上传的内容过大或无法识别（单个凭证不超过限制，最多5个）"), nil, show)
	}
	form := r.PostForm
	if err := formNUL(form); err != nil {
		return s.retry(w, r, err, nil, show)
	}
	bad := qingqian.Validation{}
	in := qingqian.EntryInput{ItemID: id, Kind: qingqian.EntryKind(form.Get("kind")), On: formDate(form, "on", bad), Amount: formMoney(form, "amount", bad),
		Part: qingqian.Part(form.Get("part")), Method: qingqian.PayMethod(form.Get("method")), VoucherNo: strings.TrimSpace(form.Get("voucher_no")),
		Reason: strings.TrimSpace(form.Get("reason")), IdempotencyKey: form.Get("idem")}
	if in.Kind != qingqian.EntryRepay {
		in.Method = ""
	}
	return s.submit(w, r, form, bad, func() error {
		// The entry is checked before its vouchers are stored, so that bad input stores nothing.
		if _, _, err := in.Deltas(qingqian.Today()); err != nil {
			return err
		}
		files := r.MultipartForm.File["files"]
		if len(files) > 5 {
			return fieldErr("file", "一次最多上传5个凭证")
		}
		for _, fh := range files {
			f, err := fh.Open()
			if err != nil {
				return err
			}
			v, err := s.Vouchers.StoreVoucher(r.Context(), fh.Filename, f)
			f.Close()
			if err != nil {
				if e := qingqian.ErrorFields(err); e != nil {
					err = fieldErr("file", fh.Filename+"："+qingqian.ErrorMessage(err))
				}
				return err
			}
			in.Vouchers = append(in.Vouchers, v.SHA256)
		}
		_, err := s.Entries.RecordEntry(r.Context(), in)
		return err
	}, show, func() string { return fmt.Sprintf("/items/%d?done=repaid#entries", id) })
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
