package xlsx

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/qingqian/qingqian"
)

// Templates are the blank sheets people fill in, by name.
var Templates = map[string]struct {
	Title, Sheet string
	Cols         []Column
	Example      []string
}{
	"ledger": {"清理拖欠民营企业中小企业账款台账", "台账", LedgerColumns, []string{"A-001", "示范建工集团有限公司", "某某建筑劳务有限公司", "91310115MA1K3BTP2B",
		qingqian.OwnershipPrivate.Label(), "HT-2019-001", "办公楼施工合同", qingqian.KindWorks.Label(), "2019-03-15", "2019-06-15", "1,250,000.00", "0", "",
		qingqian.FundingOwn.Label(), qingqian.OriginBaseline.Label(), "张三", "", "", "", ""}},
	"repayments": {"清偿记录", "清偿记录", RepaymentColumns, []string{"示范建工集团有限公司", "A-001", "2019-11-30", "1,250,000.00", qingqian.MethodTransfer.Label(),
		qingqian.PartUndisputed.Label(), "HD20191130001", ""}},
	"plans": {"清偿计划", "清偿计划", PlanColumns, []string{"示范建工集团有限公司", "A-001", "2020-06-30", "500,000.00", qingqian.FundingOwn.Label(), "第一期"}},
	"creditors": {"债权企业", "债权企业", CreditorColumns, []string{"某某建筑劳务有限公司", "91310115MA1K3BTP2B", qingqian.OwnershipPrivate.Label(), qingqian.SizeSmall.Label(),
		"2019-01-10", "企业规模声明函", "上海"}},
	"contracts": {"合同台账", "合同", ContractImportColumns, []string{"示范建工第一工程有限公司", "SFJG-2025-CG-001", "钢材采购", qingqian.KindGoods.Label(),
		qingqian.BuyerLarge.Label(), "91310115MA1K3BTP2B", "某某钢材贸易有限公司", qingqian.SizeSmall.Label(), "2025-06-20", "中小企业声明函", "2025-07-01",
		"1,000,000.00", qingqian.SettleOnce.Label(), "30", "是", "15", "", "", "否", "否", "否", ""}},
	"contract_events": {"合同履行事项", "合同事项", ContractEventColumns, []string{"示范建工第一工程有限公司", "SFJG-2025-CG-001", qingqian.EventDelivery.Label(), "2025-08-01",
		"", "", "", "", "否", "", "ERP-DH-0001"}},
	"units": {"单位", "单位", OrgColumns, []string{"示范建工第一工程有限公司", "示范建工集团有限公司", "建工一公司", "", qingqian.OrgSubsidiary.Label(), "李四", "财务部", "王五",
		"0311-80000000", "启用"}},
}

// templateRows is how many rows the template's formats and drop-down lists cover.
const templateRows = 5000

// WriteTemplate writes the template of a kind ("ledger", "creditors", "units"): the data sheet
// with a header, formats and drop-down lists, and a sheet of instructions with an example row.
// Its columns are the export's, so an export can be filled in and imported back.
func WriteTemplate(w io.Writer, kind string) error {
	t, ok := Templates[kind]
	if !ok {
		return fmt.Errorf("没有“%s”模板，可选：ledger、repayments、plans、creditors、units、contracts、contract_events", kind)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", t.Sheet); err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF5"}},
		Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}})
	required, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9B1C1C"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF5"}},
		Alignment: &excelize.Alignment{Horizontal: "center", WrapText: true}})
	dateFmt, amtFmt := "yyyy-mm-dd", "#,##0.00"
	date, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	amt, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &amtFmt})
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	for i, c := range t.Cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		cell := col + "1"
		f.SetCellValue(t.Sheet, cell, c.Header)
		style := head
		if c.Required {
			style = required
		}
		f.SetCellStyle(t.Sheet, cell, cell, style)
		f.SetColWidth(t.Sheet, col, col, max(c.Width, 8))
		rng := fmt.Sprintf("%s2:%s%d", col, col, templateRows+1)
		switch c.kind {
		case dateCol:
			f.SetColStyle(t.Sheet, col, date)
		case moneyCol:
			f.SetColStyle(t.Sheet, col, amt)
		case enumCol:
			dv := excelize.NewDataValidation(true)
			dv.Sqref = rng
			if err := dv.SetDropList(c.labels()); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "请从列表中选择", "只能选择："+strings.Join(c.labels(), "、"))
			if err := f.AddDataValidation(t.Sheet, dv); err != nil {
				return err
			}
		default:
			f.SetColStyle(t.Sheet, col, text)
		}
	}
	f.SetRowHeight(t.Sheet, 1, 30)
	if err := f.SetPanes(t.Sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	// The instructions, with the example row (kept off the data sheet so it is never imported).
	const help = "填写说明"
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	lines := [][]any{
		{t.Title + " · 填写说明"},
		{"1. 每行一条，不要合并单元格；表头上方可以有标题行。红色表头为必填列。"},
		{"2. 日期可写 2019-11-30、2019/11/30、2019.11.30 或 2019年11月30日；金额以元为单位，最多两位小数，可带千分位；表头写“（万元）”时按万元读取。"},
		{"3. 统一社会信用代码为18位，系统会校验；带下拉箭头的列请从列表中选择。"},
		{"4. 文件中只要有一处错误，整个文件都不会导入；系统会给出标出错误单元格的工作簿。同一文件重复导入不会产生重复数据。"},
		{},
		{"列名", "是否必填", "说明", "填写示例"},
	}
	for i, c := range t.Cols {
		req := ""
		if c.Required {
			req = "必填"
		}
		note := c.Note
		if c.kind == enumCol {
			note = strings.TrimSpace(note + " 可选：" + strings.Join(c.labels(), "、"))
		}
		ex := ""
		if i < len(t.Example) {
			ex = t.Example[i]
		}
		lines = append(lines, []any{c.Header, req, note, ex})
	}
	for i, l := range lines {
		if err := f.SetSheetRow(help, fmt.Sprintf("A%d", i+1), &l); err != nil {
			return err
		}
	}
	f.SetColWidth(help, "A", "A", 20)
	f.SetColWidth(help, "C", "C", 60)
	f.SetColWidth(help, "D", "D", 28)
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	f.SetCellStyle(help, "A1", "A1", bold)
	f.SetCellStyle(help, "A7", "D7", head)
	_, err := f.WriteTo(w)
	return err
}
