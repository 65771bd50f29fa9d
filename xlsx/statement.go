package xlsx

import (
	"fmt"

	"github.com/qingqian/qingqian"
)

// StatementColumns are the columns of a bank statement as Chinese banks export it; each is known
// by the names the common exports give it. A statement names its amount paid out either as a
// debit column (借方发生额, 支出金额) or as a signed amount (金额, 交易金额).
var StatementColumns = []Column{
	{Key: "on", Header: "交易日期", kind: dateCol, Required: true, Width: 12, Aliases: []string{"日期", "记账日期", "交易时间", "入账日期", "记账时间"}},
	{Key: "debit", Header: "借方发生额", kind: moneyCol, Width: 16, Aliases: []string{"借方金额", "支出金额", "付款金额", "支出", "借方发生额（支取）"}},
	{Key: "credit", Header: "贷方发生额", kind: moneyCol, Width: 16, Aliases: []string{"贷方金额", "收入金额", "收入", "贷方发生额（收入）"}},
	{Key: "amount", Header: "金额", kind: moneyCol, Width: 16, Aliases: []string{"交易金额", "发生额"}},
	{Key: "payee_name", Header: "收款人名称", Required: true, Width: 28, Aliases: []string{"对方户名", "对方账户名称", "对方名称", "收款方名称", "收款人户名", "对方单位名称", "对方账户名"}},
	{Key: "payee_account", Header: "收款人账号", Width: 22, Aliases: []string{"对方账号", "对方账户", "收款方账号", "收款人账户", "对方账户账号"}},
	{Key: "memo", Header: "摘要", Width: 24, Aliases: []string{"用途", "附言", "交易摘要", "备注"}},
	{Key: "serial_no", Header: "流水号", Required: true, Width: 20, Aliases: []string{"交易流水号", "银行流水号", "交易序号", "流水号码", "交易参考号"}},
}

// statementRow is a row read, before the sign of its amount is known.
type statementRow struct {
	line          qingqian.StatementLineInput
	debit, amount qingqian.Money
	credit        qingqian.Money
	hasDebit      bool
}

// ReadStatement reads the payments out of a bank statement (.xlsx or .csv, UTF-8 or GBK). A row
// is a payment when its debit is given, or, in a statement with one signed amount column, when the
// amount is negative (or every amount is positive: a list of payments). Receipts are left out and
// counted in a note. Every bad cell is an issue naming its row and column; with any, no line is
// returned.
func ReadStatement(path string) ([]qingqian.StatementLineInput, *ImportOutcome, error) {
	rep := &ImportOutcome{Result: &qingqian.ImportResult{}}
	var rows []statementRow
	hasDebitCol, hasAmountCol := false, false
	err := scanRows(path, StatementColumns, rep, func(h *header, cells []string, rowNum int, bad func(c *Column, value, msg string)) bool {
		_, hasDebitCol = h.index["debit"]
		_, hasAmountCol = h.index["amount"]
		if !hasDebitCol && !hasAmountCol {
			bad(column(StatementColumns, "debit"), "", "表头中没有金额列：须有“借方发生额”（或“支出金额”）或“金额”（或“交易金额”）")
			return false
		}
		r := statementRow{line: qingqian.StatementLineInput{Sheet: h.sheet, Row: rowNum}}
		eachCell(StatementColumns, h, cells, bad, func(c *Column, v string) (err error) {
			switch c.Key {
			case "on":
				r.line.On, err = ParseDate(v)
			case "debit":
				r.debit, err = ParseAmountIn(v, h.unit[c.Key])
				r.hasDebit = v != "" && err == nil && r.debit != 0
				if err == nil && r.debit < 0 {
					err = fmt.Errorf("借方发生额不能为负数")
				}
			case "credit":
				r.credit, err = ParseAmountIn(v, h.unit[c.Key])
			case "amount":
				if !hasDebitCol {
					r.amount, err = ParseAmountIn(v, h.unit[c.Key])
				}
			case "payee_name":
				r.line.PayeeName = v
			case "payee_account":
				r.line.PayeeAccount = v
			case "memo":
				r.line.Memo = v
			case "serial_no":
				r.line.SerialNo = v
			}
			return err
		})
		rows = append(rows, r)
		return true
	})
	if err != nil {
		return nil, rep, err
	}
	if len(rep.Issues) > 0 {
		return nil, rep, nil
	}
	signed := false
	for _, r := range rows {
		if r.amount < 0 {
			signed = true
		}
	}
	var out []qingqian.StatementLineInput
	receipts := 0
	for _, r := range rows {
		l := r.line
		switch {
		case hasDebitCol:
			if !r.hasDebit {
				receipts++
				continue
			}
			l.Amount = r.debit
		case signed:
			if r.amount >= 0 {
				receipts++
				continue
			}
			l.Amount = -r.amount
		default:
			if r.amount == 0 {
				receipts++
				continue
			}
			l.Amount = r.amount
		}
		out = append(out, l)
	}
	switch {
	case hasDebitCol:
		rep.Notes = append(rep.Notes, "按“借方发生额”读取付款金额")
	case signed:
		rep.Notes = append(rep.Notes, "“金额”列有正有负：负数为付款（支出），正数为收款，收款不导入")
	default:
		rep.Notes = append(rep.Notes, "“金额”列均为正数，按付款读取")
	}
	if receipts > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d 行为收款或金额为零，未导入", receipts))
	}
	return out, rep, nil
}

// StatementIssues names, in the columns of a statement, the problems the service found in the
// lines read from it.
func StatementIssues(rep *ImportOutcome, issues []qingqian.ImportIssue) {
	for _, is := range issues {
		name := is.Field
		for _, c := range StatementColumns {
			if c.Key == is.Field || (is.Field == "amount" && c.Key == "debit") {
				name = c.Header
				break
			}
		}
		rep.Issues = append(rep.Issues, Issue{Sheet: is.Sheet, Row: is.Row, Column: name, Value: is.Value, Message: is.Message, col: -1})
	}
}
