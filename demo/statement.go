package demo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/qingqian/qingqian"
)

// billsAndStatement adds what the proof of repayments shows today: a commercial bill handed over
// and not yet due (paid in bills, not yet honoured), and the bank statement of the unit with the
// most transfers, whose lines prove all its repayments but one, with a payment to a creditor that
// no repayment records and a payment to someone who is no creditor.
func (l *loader) billsAndStatement(living []*qingqian.Item) error {
	today := qingqian.Today()
	var open *qingqian.Item
	byOrg := map[int64][]*qingqian.Entry{}
	creditorOf := map[int64]*qingqian.Item{}
	var orgs []int64
	for _, it := range living {
		es, err := l.s.Entries.FindEntries(l.ctx, it.ID)
		if err != nil {
			return err
		}
		paid := false
		for _, e := range es {
			if e.Kind == qingqian.EntryRepay && e.Method == qingqian.MethodTransfer && e.ReversedByID == 0 {
				if len(byOrg[it.OrgID]) == 0 {
					orgs = append(orgs, it.OrgID)
				}
				byOrg[it.OrgID] = append(byOrg[it.OrgID], e)
				creditorOf[e.ID] = it
				paid = true
			}
		}
		if !paid && it.Disputed == 0 && today.Sub(it.ArisenOn) > 10 {
			open = it
		}
	}
	if open != nil {
		handed := today.AddDays(-10)
		l.at(handed)
		if _, err := l.s.Bills.RecordBill(l.ctx, qingqian.BillInput{ItemID: open.ID, Kind: qingqian.BillCommercial, No: "CAB-" + today.String()[:4] + "-0001",
			Amount: open.Undisputed / 2, IssuedOn: handed, HandedOn: handed, MaturesOn: handed.AddMonths(6), Acceptor: "示范银行股份有限公司示范分行",
			Note: "商业承兑汇票，到期兑付"}); err != nil {
			return fmt.Errorf("pending bill: %w", err)
		}
	}
	var unit int64
	for _, o := range orgs {
		if unit == 0 || len(byOrg[o]) > len(byOrg[unit]) {
			unit = o
		}
	}
	if unit == 0 {
		return nil
	}
	// The unit's latest transfers, from all its items.
	page, err := l.s.Items.FindItems(l.ctx, qingqian.ItemFilter{OrgID: unit, Limit: 500})
	if err != nil {
		return err
	}
	var es []*qingqian.Entry
	for _, it := range page.Items {
		if it.OrgID != unit {
			continue
		}
		all, err := l.s.Entries.FindEntries(l.ctx, it.ID)
		if err != nil {
			return err
		}
		for _, e := range all {
			if e.Kind == qingqian.EntryRepay && e.Method == qingqian.MethodTransfer && e.ReversedByID == 0 {
				es = append(es, e)
				creditorOf[e.ID] = it
			}
		}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].On.Before(es[j].On) })
	if len(es) < 2 {
		return nil
	}
	es = es[max(0, len(es)-8):]
	var lines []qingqian.StatementLineInput
	row := 1
	add := func(on qingqian.Date, amount qingqian.Money, payee, account, memo string) {
		row++
		lines = append(lines, qingqian.StatementLineInput{Row: row, On: on, Amount: amount, PayeeName: payee, PayeeAccount: account,
			Memo: memo, SerialNo: fmt.Sprintf("SFYH%s%05d", on.String()[:4], row)})
	}
	for i, e := range es[:len(es)-1] { // the last repayment has no line
		it := creditorOf[e.ID]
		add(e.On.AddDays(i%2), -e.Amount(), it.CreditorName, fmt.Sprintf("62170000%08d", it.CreditorID), "支付货款 "+it.ContractNo)
	}
	last := es[len(es)-1]
	add(last.On, qingqian.Yuan(12_345), creditorOf[last.ID].CreditorName, fmt.Sprintf("62170000%08d", creditorOf[last.ID].CreditorID), "支付工程款（台账未记录）")
	add(last.On, qingqian.Yuan(8_600), "示范市供电公司", "6217000099990001", "电费")
	l.at(today)
	// The statement is imported as a bank exports it: a file, kept as the statement's evidence.
	var csv strings.Builder
	csv.WriteString("交易日期,借方发生额,贷方发生额,对方户名,对方账号,摘要,流水号\n")
	for _, ln := range lines {
		fmt.Fprintf(&csv, "%s,%s,,%s,%s,%s,%s\n", ln.On, ln.Amount, ln.PayeeName, ln.PayeeAccount, ln.Memo, ln.SerialNo)
	}
	f, err := l.s.Statements.SpoolStatement(l.ctx, "示范银行对账单.csv", strings.NewReader(csv.String()))
	if err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	// The unit's transfers are years apart: the lines a year and more from the others are
	// confirmed, as the person importing would after checking them.
	res, err := l.s.Statements.ImportStatement(l.ctx, qingqian.StatementImport{OrgID: unit, FileSHA256: f.SHA256, FileName: f.Name, AcceptOutliers: true})
	if err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	if len(res.Issues) > 0 {
		return fmt.Errorf("statement: row %d: %s", res.Issues[0].Row, res.Issues[0].Message)
	}
	return nil
}
