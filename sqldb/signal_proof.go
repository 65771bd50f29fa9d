package sqldb

// Two signals from the proof of repayments beside the debtor's word: bills handed over and not
// yet honoured, and bank repayments a unit's own bank statement does not show.

import (
	"context"
	"fmt"

	"github.com/qingqian/qingqian"
)

func init() {
	signalDefs = append(signalDefs,
		signalDef{"bill_unhonoured", "票据支付未兑付", "截至统计日已交付债权企业、尚未兑付也未拒付的商业汇票和应收账款电子凭证；不计入已清偿，金额为票面金额。", findBillsUnhonoured},
		signalDef{"no_bank_line", "银行清偿无对账单流水", "已导入银行对账单的单位，业务日期在对账单起止日期内、以银行转账或票据兑付方式清偿而未匹配到任何对账单流水的清偿记录。", findNoBankLine},
	)
}

func findBillsUnhonoured(ctx context.Context, q readQueryer, sc *signalScope) (_ []qingqian.SignalHit, err error) {
	rows, err := q.QueryContext(ctx, `SELECT b.id, b.item_id, i.org_id, o.name, c.name, b.no, b.matures_on, b.amount
		FROM bills b JOIN items i ON i.id = b.item_id JOIN orgs o ON o.id = i.org_id JOIN creditors c ON c.id = i.creditor_id
		WHERE o.path >= $2 AND o.path < $3 AND b.handed_on <= $1
		AND (b.honoured_on IS NULL OR b.honoured_on > $1) AND (b.dishonoured_on IS NULL OR b.dishonoured_on > $1)
		ORDER BY b.matures_on, b.id`, sc.asOf, sc.lo, sc.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []qingqian.SignalHit
	for rows.Next() {
		var id, itemID int64
		var no string
		var h qingqian.SignalHit
		if err := rows.Scan(&id, &itemID, &h.OrgID, &h.OrgName, &h.Creditor, &no, &h.On, &h.Amount); err != nil {
			return nil, err
		}
		state := "未到期"
		if !sc.asOf.Before(h.On) {
			state = "已到期未兑付"
		}
		h.Text = fmt.Sprintf("票据 %s 于%s到期，%s", no, h.On, state)
		h.Link = fmt.Sprintf("/items/%d", itemID)
		out = append(out, h)
	}
	return out, rows.Err()
}

func findNoBankLine(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	rs, err := repayments(ctx, q, sc, ` AND e.method IN ('`+string(qingqian.MethodTransfer)+`', '`+string(qingqian.MethodBill)+`', '`+string(qingqian.MethodReceivable)+`')
		AND NOT EXISTS (SELECT 1 FROM repayment_lines m WHERE m.entry_id = e.id)
		AND EXISTS (SELECT 1 FROM bank_statements s WHERE s.org_id = i.org_id AND s.from_on <= e.on_date AND s.to_on >= e.on_date)`)
	return repayHits(rs, "清偿记录 %d 在对账单期间内，未匹配到银行流水"), err
}
