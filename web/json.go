package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

var (
	moneyType = reflect.TypeFor[qingqian.Money]()
	dateType  = reflect.TypeFor[qingqian.Date]()
)

// decode reads a JSON object into the struct dst strictly: an unknown field, a field of the
// wrong type, a number where an amount string belongs, trailing data or a body that is not JSON
// each give an EINVALID error naming the field in Chinese. Fields are decoded one by one so that
// every error can say which field it is about.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	if err != nil {
		return qingqian.Errorf(qingqian.EINVALID, "请求体过大或读取失败（上限 1 MB）")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return qingqian.Errorf(qingqian.EINVALID, "请求体不是有效的 JSON 对象")
	}
	if dec.More() {
		return qingqian.Errorf(qingqian.EINVALID, "请求体在 JSON 对象之后还有多余内容")
	}
	return decodeFields(raw, dst, nil)
}

// decodeBytes decodes one JSON object like decode; extra maps further field names to
// destinations outside dst.
func decodeBytes(b []byte, dst any, extra map[string]any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw == nil {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "应为 JSON 对象", Fields: map[string]string{"": "应为 JSON 对象"}}
	}
	return decodeFields(raw, dst, extra)
}

func decodeFields(raw map[string]json.RawMessage, dst any, extra map[string]any) error {
	v := reflect.ValueOf(dst).Elem()
	fields := map[string]reflect.Value{}
	types := map[string]reflect.Type{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = v.Field(i)
		types[name] = f.Type
	}
	for name, p := range extra {
		fields[name] = reflect.ValueOf(p).Elem()
		types[name] = reflect.TypeOf(p).Elem()
	}
	bad := qingqian.Validation{}
	for name, msg := range raw {
		fv, ok := fields[name]
		if !ok {
			bad.Add(name, "未知字段")
			continue
		}
		if err := json.Unmarshal(msg, fv.Addr().Interface()); err != nil {
			bad.Add(name, fieldMessage(types[name], err))
		} else if hasNUL(fv) {
			bad.Add(name, qingqian.NULMessage)
		}
	}
	if len(bad) > 0 {
		return &qingqian.Error{Code: qingqian.EINVALID, Message: "请求内容有误：" + describe(bad), Fields: bad}
	}
	return nil
}

// hasNUL reports a text containing the NUL character anywhere in a decoded value.
func hasNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return qingqian.HasNUL(v.String())
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && hasNUL(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if hasNUL(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if hasNUL(it.Key()) || hasNUL(it.Value()) {
				return true
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && hasNUL(v.Field(i)) {
				return true
			}
		}
	}
	return false
}

func fieldMessage(t reflect.Type, err error) string {
	var qe *qingqian.Error
	if errors.As(err, &qe) {
		return qe.Message
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case moneyType:
		return "金额应为以元为单位的字符串，最多两位小数，如 \"1234.56\""
	case dateType:
		return "日期格式应为 YYYY-MM-DD"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch t.Kind() {
		case reflect.String:
			return "应为字符串"
		case reflect.Int, reflect.Int64:
			return "应为整数"
		case reflect.Bool:
			return "应为 true 或 false"
		case reflect.Slice:
			return "应为数组"
		}
	}
	return "格式不正确"
}

func describe(v qingqian.Validation) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+v[k])
	}
	if len(parts) > 3 {
		parts = append(parts[:3], "……")
	}
	return strings.Join(parts, "；")
}

type list[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
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

// byID answers GET …/{id} with what find returns for the id.
func byID[T any](w http.ResponseWriter, r *http.Request, find func(ctx context.Context, id int64) (T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := find(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
