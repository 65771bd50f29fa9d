package xlsx

import (
	"fmt"
	"strings"

	"github.com/qingqian/qingqian"
)

// eachCell calls fn with each column of cols and its cell in the row, after checking required
// cells; an error from fn marks the cell bad. ok is false if any cell was bad.
func eachCell(cols []Column, h *header, cells []string, bad func(c *Column, value, msg string), fn func(c *Column, v string) error) (ok bool) {
	ok = true
	for i := range cols {
		c := &cols[i]
		v := cellOf(h, cells, c)
		if c.Required && v == "" {
			bad(c, v, "必填")
			ok = false
			continue
		}
		if err := fn(c, v); err != nil {
			bad(c, v, err.Error())
			ok = false
		}
	}
	return ok
}

// cellOf returns the trimmed text of a column's cell in a row, "" when the column is absent.
func cellOf(h *header, cells []string, c *Column) string {
	if i, found := h.index[c.Key]; found && i < len(cells) {
		return undefuse(strings.TrimSpace(cells[i]))
	}
	return ""
}

// undefuse removes the apostrophe an export put before text that looks like a formula.
func undefuse(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

func parseRepayment(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.RepaymentRow, bool) {
	r := &qingqian.RepaymentRow{Sheet: h.sheet, Row: rowNum, Entry: qingqian.EntryInput{Kind: qingqian.EntryRepay}}
	ok := eachCell(RepaymentColumns, h, cells, bad, func(c *Column, v string) (err error) {
		var code string
		switch c.Key {
		case "org":
			r.OrgName = v
		case "no":
			r.ItemNo = v
		case "on":
			r.Entry.On, err = ParseDate(v)
		case "amount":
			r.Entry.Amount, err = ParseAmountIn(v, h.unit[c.Key])
			if err == nil && r.Entry.Amount <= 0 {
				err = fmt.Errorf("清偿金额必须大于零")
			}
		case "method":
			code, err = c.enum(v)
			r.Entry.Method = qingqian.PayMethod(code)
		case "part":
			code, err = c.enum(v)
			r.Entry.Part = qingqian.Part(code)
		case "voucher_no":
			r.Entry.VoucherNo = v
		case "reason":
			r.Entry.Reason = v
		}
		return err
	})
	return r, ok
}

func parsePlan(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.PlanRow, bool) {
	r := &qingqian.PlanRow{Sheet: h.sheet, Row: rowNum}
	in := &r.Instalment
	ok := eachCell(PlanColumns, h, cells, bad, func(c *Column, v string) (err error) {
		switch c.Key {
		case "org":
			r.OrgName = v
		case "no":
			r.ItemNo = v
		case "due":
			in.Due, err = ParseDate(v)
		case "amount":
			in.Amount, err = ParseAmountIn(v, h.unit[c.Key])
		case "funding":
			var code string
			code, err = c.enum(v)
			in.FundingSource = qingqian.FundingSource(code)
		case "note":
			in.Note = v
		}
		return err
	})
	return r, ok
}

func parseCreditor(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.CreditorRow, bool) {
	r := &qingqian.CreditorRow{Sheet: h.sheet, Row: rowNum}
	cr := &r.Creditor
	ok := eachCell(CreditorColumns, h, cells, bad, func(c *Column, v string) (err error) {
		var code string
		switch c.Key {
		case "name":
			cr.Name = v
		case "uscc":
			cr.USCC, err = ParseUSCC(v)
		case "ownership":
			code, err = c.enum(v)
			cr.Ownership = qingqian.Ownership(code)
		case "size":
			code, err = c.enum(v)
			cr.Size = qingqian.Size(code)
		case "size_declared_on":
			cr.SizeDeclaredOn, err = ParseDate(v)
		case "size_evidence":
			cr.SizeEvidence = v
		case "region":
			cr.Region = v
		}
		return err
	})
	return r, ok
}

func parseOrg(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.OrgRow, bool) {
	r := &qingqian.OrgRow{Sheet: h.sheet, Row: rowNum, Org: qingqian.Org{Active: true}}
	o := &r.Org
	ok := eachCell(OrgColumns, h, cells, bad, func(c *Column, v string) (err error) {
		var code string
		switch c.Key {
		case "name":
			o.Name = v
		case "parent":
			r.ParentName = v
		case "short_name":
			o.ShortName = v
		case "uscc":
			o.USCC, err = ParseUSCC(v)
		case "kind":
			code, err = c.enum(v)
			o.Kind = qingqian.OrgKind(code)
		case "leader":
			o.LeaderName = v
		case "department":
			o.Department = v
		case "liaison":
			o.LiaisonName = v
		case "phone":
			o.LiaisonPhone = v
		case "active":
			switch v {
			case "", "启用":
			case "停用":
				o.Active = false
			default:
				err = fmt.Errorf("应为：启用、停用")
			}
		}
		return err
	})
	return r, ok
}

// parseLedgerRow reads one data row; bad cells are told to bad, and ok is false if there were any.
func parseLedgerRow(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) (*qingqian.LedgerRow, bool) {
	r := &qingqian.LedgerRow{Sheet: h.sheet, Row: rowNum}
	it := &r.Item
	ok := eachCell(ledgerInput, h, cells, bad, func(c *Column, v string) (err error) {
		var code string
		var m qingqian.Money
		switch c.kind {
		case moneyCol:
			if m, err = ParseAmountIn(v, h.unit[c.Key]); err == nil && m < 0 {
				err = fmt.Errorf("金额不能为负数")
			}
		case enumCol:
			code, err = c.enum(v)
		case textCol:
			if len([]rune(v)) > 500 {
				err = fmt.Errorf("内容过长（最多500字）")
			}
		}
		if err != nil {
			return err
		}
		switch c.Key {
		case "no":
			it.No = v
		case "org":
			r.OrgName = v
		case "creditor":
			r.Creditor.Name = v
		case "uscc":
			r.Creditor.USCC, err = ParseUSCC(v)
		case "ownership":
			r.Creditor.Ownership = qingqian.Ownership(code)
		case "contract_no":
			it.ContractNo = v
		case "contract_name":
			it.ContractName = v
		case "kind":
			it.Kind = qingqian.ItemKind(code)
		case "arisen_on":
			it.ArisenOn, err = ParseDate(v)
		case "due_on":
			it.DueOn, err = ParseDate(v)
		case "undisputed":
			it.Undisputed = m
		case "disputed":
			it.Disputed = m
		case "dispute_reason":
			it.DisputeReason = v
		case "funding":
			it.FundingSource = qingqian.FundingSource(code)
		case "origin":
			it.Origin = qingqian.Origin(code)
		case "responsible":
			it.Responsible = v
		case "note":
			it.Note = v
		}
		return err
	})
	if ok && it.Undisputed+it.Disputed == 0 {
		c := column(LedgerColumns, "undisputed")
		bad(c, cellOf(h, cells, c), "无分歧金额与有分歧金额不能都为零")
		ok = false
	}
	return r, ok
}

// ledgerInput are the ledger columns an import reads (not the derived ones).
var ledgerInput = func() []Column {
	var out []Column
	for _, c := range LedgerColumns {
		if !c.Derived {
			out = append(out, c)
		}
	}
	return out
}()
