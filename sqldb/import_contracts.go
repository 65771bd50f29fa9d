package sqldb

// Importing contracts and their events from spreadsheets.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/payrules"
)

// ImportContracts implements qingqian.ImportService.
func (s *ImportService) ImportContracts(ctx context.Context, rows func(yield func(*qingqian.ContractRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import contracts")
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, q: tx, a: a, res: res}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		first := map[string]string{} // unit and number → where in the file it first came
		im.totals = map[string]*qingqian.ImportTotal{}
		if err := feed(res, rows, func(r *qingqian.ContractRow) error { return im.contract(ctx, r, first) }); err != nil {
			return err
		}
		im.sumTotals()
		return nil
	})
}

func (im *importer) contract(ctx context.Context, r *qingqian.ContractRow, first map[string]string) (err error) {
	defer wrapErr(&err, "row %d", r.Row)
	issue := func(field, value, msg string) {
		im.res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: field, Value: value, Message: msg})
	}
	r.OrgName = qingqian.TrimText(r.OrgName)
	o, msg := im.unit(r.OrgName)
	if o == nil {
		issue("org_id", r.OrgName, msg)
		return nil
	}
	k := r.Contract
	k.Normalize()
	k.OrgID = o.ID
	key := fmt.Sprint(o.ID, "\x00", k.No)
	if at, dup := first[key]; dup {
		issue("no", k.No, "合同编号与"+at+"重复")
		return nil
	}
	first[key] = where(r.Sheet, r.Row, r.Sheet)
	im.addTotal(o.Name, r.Contract.Amount)
	if k.Creditor.Name == "" {
		// An existing supplier may be named by its code alone.
		var name string
		if err := im.tx.QueryRowContext(ctx, `SELECT name FROM creditors WHERE uscc = $1`, k.Creditor.USCC).Scan(&name); errors.Is(err, sql.ErrNoRows) {
			issue("creditor_name", "", "新供应商须填写名称")
			return nil
		} else if err != nil {
			return err
		}
		k.Creditor.Name = name
	}
	if err := k.Validate(); err != nil {
		for f, m := range qingqian.ErrorFields(err) {
			issue(f, contractValue(&k, f), m)
		}
		return nil
	}
	rules, err := im.contractRules(ctx, &k)
	if err != nil {
		return err
	}
	cur, err := scanContract(im.tx.QueryRowContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE k.org_id = $1 AND k.no = $2`, o.ID, k.No))
	switch {
	case err == nil:
		if cur.CreditorUSCC == k.Creditor.USCC && sameTerms(cur.Contract, &k) {
			im.res.Unchanged++
			im.res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportIdentical, MatchedBy: "采购单位和合同编号", Contract: rules})
			return nil
		}
		issue("no", k.No, "本单位已登记该编号的合同，其供应商或条款与文件不同：更正请在合同页面写明原因进行，不能通过导入覆盖")
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	cr, created, err := im.tx.creditorFor(ctx, supplierOf(&k))
	if err != nil {
		if qingqian.ErrorCode(err) == qingqian.EINVALID {
			for f, m := range qingqian.ErrorFields(err) {
				issue(f, k.Creditor.USCC, m)
			}
			return nil
		}
		return err
	}
	if err := sameSupplierName(k.Creditor.Name, cr); err != nil {
		issue("creditor_name", k.Creditor.Name, qingqian.ErrorMessage(err))
		return nil
	}
	if created {
		im.res.CreditorsCreated++
	}
	k.CreditorID, k.CreditorName, k.CreditorUSCC, k.Creditor = cr.ID, cr.Name, cr.USCC, nil
	if err := im.tx.createContract(ctx, o, &k); err != nil {
		if qingqian.ErrorCode(err) == qingqian.ECONFLICT || qingqian.ErrorCode(err) == qingqian.EINVALID {
			issue("no", k.No, qingqian.ErrorMessage(err))
			return nil
		}
		return err
	}
	im.res.Created++
	im.res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportNew, Contract: rules})
	return nil
}

// contractRules says what the payment rules will apply to a contract of the file: the version
// that judges it, the term, the rate and the flags, as the contract's page will once registered.
func (im *importer) contractRules(ctx context.Context, k *qingqian.Contract) (*qingqian.ContractRules, error) {
	_, lprs, err := im.tx.payRules(ctx)
	if err != nil {
		return nil, err
	}
	t := payrules.TermsOf(k)
	v := payrules.VersionOn(k.SignedOn)
	term, _ := payrules.TermOf(t)
	rate, rateRule, _, _ := payrules.RateFor(lprs, t)
	r := &qingqian.ContractRules{No: k.No, Version: v.Code, VersionName: v.Name, TermDays: term.Days, TermAgreed: term.Agreed, TermRule: term.Rule,
		Rate: rate.String(), RateRule: rateRule, Flags: payrules.ContractFlags(lprs, k)}
	if r.Flags == nil {
		r.Flags = []qingqian.RuleFlag{}
	}
	for _, f := range r.Flags {
		r.Unlawful = r.Unlawful || f.Unlawful
		r.RateBelowLPR = r.RateBelowLPR || f.Code == "rate_below_lpr"
	}
	return r, nil
}

// addTotal counts a row's amount in its unit's total, which the preview shows beside the file's
// own (the amounts of contracts and events go in Undisputed).
func (im *importer) addTotal(unit string, amount qingqian.Money) {
	t := im.totals[unit]
	if t == nil {
		t = &qingqian.ImportTotal{OrgName: unit}
		im.totals[unit] = t
	}
	t.Rows++
	t.Undisputed += amount
}

// supplierOf is the creditor a contract names, to register when new: its size is the one declared
// at signing, on the date declared, else the signing date.
func supplierOf(k *qingqian.Contract) qingqian.Creditor {
	c := *k.Creditor
	if c.Size == "" {
		c.Size = k.SupplierSize
	}
	if c.SizeDeclaredOn.IsZero() && c.Size != "" {
		c.SizeDeclaredOn = k.SizeDeclaredOn
		if c.SizeDeclaredOn.IsZero() {
			c.SizeDeclaredOn = k.SignedOn
		}
	}
	if c.SizeEvidence == "" {
		c.SizeEvidence = k.SizeEvidence
	}
	return c
}

// sameTerms reports whether two contracts of one unit and number have the same terms.
func sameTerms(a, b *qingqian.Contract) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Buyer == b.Buyer && a.SignedOn == b.SignedOn && a.Amount == b.Amount &&
		a.SupplierSize == b.SupplierSize && a.SizeDeclaredOn == b.SizeDeclaredOn && a.SizeEvidence == b.SizeEvidence &&
		a.Settlement == b.Settlement && a.AgreedDays == b.AgreedDays && a.AcceptanceCondition == b.AcceptanceCondition &&
		a.AcceptanceDays == b.AcceptanceDays && a.AgreedRate == b.AgreedRate && a.PayWhenPaid == b.PayWhenPaid &&
		a.AuditBasis == b.AuditBasis && a.ForcedBills == b.ForcedBills && a.Note == b.Note
}

// ImportContractEvents implements qingqian.ImportService.
func (s *ImportService) ImportContractEvents(ctx context.Context, rows func(yield func(*qingqian.ContractEventRow) bool) error, dryRun bool) (_ *qingqian.ImportResult, err error) {
	defer serviceErr(&err, "import contract events")
	return s.importTx(ctx, dryRun, func(tx *Tx, a *qingqian.Actor, res *qingqian.ImportResult) error {
		im := &importer{tx: tx, q: tx, a: a, res: res, totals: map[string]*qingqian.ImportTotal{}}
		if err := im.loadOrgs(ctx); err != nil {
			return err
		}
		defer im.sumTotals()
		type contract struct {
			row    *contractRow
			before []*qingqian.ContractEvent // the events recorded
			events []*qingqian.ContractEvent // and those of the file, so far
			first  int                       // the file's first row of the contract's new events
			sheet  string
		}
		byNo := map[string]*contract{}
		var order []int64
		fresh := map[int64][]*qingqian.ContractEvent{}
		if err := feed(res, rows, func(r *qingqian.ContractEventRow) error {
			issue := func(field, value, msg string) {
				res.AddIssue(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: field, Value: value, Message: msg})
			}
			r.OrgName, r.ContractNo = qingqian.TrimText(r.OrgName), qingqian.TrimText(r.ContractNo)
			o, msg := im.unit(r.OrgName)
			if o == nil {
				issue("org_id", r.OrgName, msg)
				return nil
			}
			no := fmt.Sprint(o.ID, "\x00", r.ContractNo)
			k := byNo[no]
			if k == nil {
				cr, err := scanContract(tx.QueryRowContext(ctx, `SELECT `+contractColumns+contractFrom+` WHERE k.org_id = $1 AND k.no = $2`+tx.db.d.forUpdateOf("k"), o.ID, r.ContractNo))
				if errors.Is(err, sql.ErrNoRows) {
					issue("contract_no", r.ContractNo, "本单位没有这个编号的合同：请先登记或导入合同")
					return nil
				} else if err != nil {
					return err
				}
				evs, err := tx.db.eventsOf(ctx, tx, cr.ID)
				if err != nil {
					return err
				}
				k = &contract{row: &contractRow{Contract: cr.Contract, path: cr.path}, before: evs, events: evs[:len(evs):len(evs)]}
				byNo[no] = k
			}
			e := r.Event
			e.ContractID = k.row.ID
			im.addTotal(o.Name, e.Amount)
			if err := e.Validate(); err != nil {
				for f, m := range qingqian.ErrorFields(err) {
					issue(f, eventValue(&e, f), m)
				}
				return nil
			}
			switch {
			case k.row.Cancelled():
				issue("contract_no", r.ContractNo, "合同已作废，不能再记录事件")
				return nil
			case e.On.Before(k.row.SignedOn) && e.Kind != qingqian.EventInvoice:
				issue("on", e.On.String(), "不能早于合同签订日期 "+k.row.SignedOn.String())
				return nil
			}
			dup, why := checkNewEvent(&e, k.events)
			switch {
			case dup != nil: // its key recorded before, or earlier in the file: once only
				res.Unchanged++
				res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportIdentical, MatchedBy: "幂等键"})
				return nil
			case why != "":
				issue("key", e.Key, why)
				return nil
			}
			if msg := overHeld(k.row.Contract, k.events, &e); msg != "" {
				issue("amount", e.Amount.String(), msg)
				return nil
			}
			if msg := settledAbove(k.row.Contract, k.events, &e); msg != "" {
				res.AddWarning(qingqian.ImportIssue{Sheet: r.Sheet, Row: r.Row, Field: "amount", Value: e.Amount.String(), Message: msg})
			}
			if len(k.events) == len(k.before) {
				k.first, k.sheet = r.Row, r.Sheet
			}
			k.events = append(k.events, &e)
			e.ActorName, e.CreatedAt = tx.actor.Name, tx.now
			if _, ok := fresh[e.ContractID]; !ok {
				order = append(order, e.ContractID)
			}
			fresh[e.ContractID] = append(fresh[e.ContractID], &e)
			res.Created++
			res.AddDetail(qingqian.ImportRowResult{Sheet: r.Sheet, Row: r.Row, Action: qingqian.ImportNew})
			return nil
		}); err != nil {
			return err
		}
		// A payable already in the ledger is not changed by the file's events.
		for _, k := range byNo {
			if len(k.events) == len(k.before) {
				continue
			}
			if err := tx.keepsTheLedger(ctx, k.row.Contract, k.before, k.row.Contract, k.events); qingqian.ErrorCode(err) == qingqian.ECONFLICT {
				res.AddIssue(qingqian.ImportIssue{Sheet: k.sheet, Row: k.first, Field: "contract_no", Value: k.row.No, Message: qingqian.ErrorMessage(err)})
			} else if err != nil {
				return err
			}
		}
		if !res.OK() {
			return nil
		}
		for _, id := range order {
			var k *contract
			for _, c := range byNo {
				if c.row.ID == id {
					k = c
				}
			}
			if err := tx.insertEvents(ctx, fresh[id]); err != nil {
				return err
			}
			if err := tx.audit(ctx, "contract.events", "contract", id, k.row.path, nil, batchRecord{Events: len(fresh[id]), Source: "import", Recorded: fresh[id]}); err != nil {
				return err
			}
			if err := tx.recomputePayables(ctx, k.row.Contract, nil); err != nil {
				return err
			}
		}
		return nil
	})
}
