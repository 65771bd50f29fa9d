package xlsx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

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
	var accounts []accountCell
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
				if v != "" {
					accounts = append(accounts, accountCell{sheet: h.sheet, row: rowNum, col: h.index["payee_account"], value: v})
				}
				if floatText(v) {
					err = fmt.Errorf("账号被存成了数字（%s），末几位已无法还原：请在银行导出的原文件中把账号列设为文本后重新导出", v)
				}
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
	if err := numericAccounts(path, accounts, rep); err != nil {
		return nil, rep, err
	}
	if len(rep.Issues) > 0 {
		return nil, rep, nil
	}
	if len(rows) == 0 {
		return nil, rep, fileErr("文件中没有流水行：表头之下没有任何交易记录")
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
	if len(out) == 0 {
		return nil, rep, fileErr("文件中没有付款流水：%d 行均为收款或金额为零", receipts)
	}
	return out, rep, nil
}

// accountCell is where an account was read from.
type accountCell struct {
	sheet    string
	row, col int
	value    string
}

// floatText reports whether an account reads as a number Excel formatted: with a decimal point
// or an exponent (6.21700001111222E+15).
func floatText(v string) bool {
	if !strings.ContainsAny(v, ".Ee") {
		return false
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'E' || c == 'e' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// maxExactDigits is how many significant digits a number cell holds exactly: Excel keeps 15.
const maxExactDigits = 15

// numericAccounts names each account stored in a number cell of an xlsx workbook with more
// digits than a number cell keeps: a 16- or 19-digit account typed into a number cell has lost
// its last digits (6217000011112222 becomes 6217000011112220), and nothing in the file can give
// them back. Account cells of text are read as they are.
func numericAccounts(path string, cells []accountCell, rep *ImportOutcome) error {
	if len(cells) == 0 {
		return nil
	}
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil // a CSV file: it has no number cells
	}
	defer f.Close()
	col := column(StatementColumns, "payee_account")
	for _, c := range cells {
		ref := colName(c.col) + fmt.Sprint(c.row)
		t, err := f.GetCellType(c.sheet, ref)
		if err != nil {
			return errors.Join(fileErr("无法读取工作表“%s”的单元格 %s", c.sheet, ref), err)
		}
		if t != excelize.CellTypeUnset && t != excelize.CellTypeNumber {
			continue
		}
		digits := 0
		for _, ch := range strings.TrimLeft(c.value, "0") {
			if ch >= '0' && ch <= '9' {
				digits++
			}
		}
		if digits > maxExactDigits || floatText(c.value) {
			if !floatText(c.value) { // already named by the row's own check otherwise
				rep.Issues = append(rep.Issues, Issue{Sheet: c.sheet, Row: c.row, Column: col.Header, Value: c.value, col: c.col,
					Message: fmt.Sprintf("单元格 %s 的账号以数字格式保存，超过 15 位的数字无法精确保存（末几位已变）：请把账号列设为文本，从银行导出的原文件重新导出", ref)})
			}
		}
	}
	return nil
}

// ReadStatementFile reads a statement file for the service that imports it: the payments, or
// every problem by row and column; a file that is no statement at all is an EINVALID error
// naming the file.
func ReadStatementFile(path string) (*qingqian.StatementReadResult, error) {
	lines, rep, err := ReadStatement(path)
	var fe *FileError
	if errors.As(err, &fe) {
		return nil, &qingqian.Error{Code: qingqian.EINVALID, Message: fe.Msg, Fields: map[string]string{"file": fe.Msg}}
	} else if err != nil {
		return nil, err
	}
	out := &qingqian.StatementReadResult{Lines: lines, Notes: append([]string{}, rep.Notes...)}
	for _, u := range rep.Units {
		out.Notes = append(out.Notes, fmt.Sprintf("“%s”按%s读取（%s）", u.Column, u.Unit, u.From))
	}
	for _, is := range rep.Issues {
		out.Issues = append(out.Issues, qingqian.ImportIssue{Sheet: is.Sheet, Row: is.Row, Field: is.Column, Value: is.Value, Message: is.Message})
	}
	return out, nil
}

// StatementIssues names, in the columns of a statement, the problems the service found in the
// lines read from it.
func StatementIssues(rep *ImportOutcome, issues []qingqian.ImportIssue) {
	for _, is := range issues {
		rep.Issues = append(rep.Issues, Issue{Sheet: is.Sheet, Row: is.Row, Column: StatementColumn(is.Field), Value: is.Value, Message: is.Message, col: -1})
	}
}

// StatementColumn is the name of a statement's column by its key ("on", "amount"…), or the
// name itself when it is no key.
func StatementColumn(field string) string {
	for _, c := range StatementColumns {
		if c.Key == field || (field == "amount" && c.Key == "debit") {
			return c.Header
		}
	}
	return field
}
