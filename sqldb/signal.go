package sqldb

// The signals an auditor checks first (预警信号). Each is one line of signalDefs: a key, a title,
// its written rule (shown on the page and in docs/domain.md) and the query that finds its
// records. Adding a signal is adding a line; the page, the API, the exports and the reports'
// annex list whatever the table holds.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/qingqian/qingqian"
)

// Windows of the signals, in days.
const (
	nearReportDays = 15 // "shortly before a report date"
	foundAgainDays = 30 // "found again", "owed again" after
	backdateDays   = 7  // a back-dated entry's business date this close before a report date
)

// signalScope is what every signal's query is given.
type signalScope struct {
	db          *DB
	d           dialect
	path        string          // the subtree's unit's path
	lo, hi      string          // the subtree's range of paths
	asOf        qingqian.Date   // the date the signals are evaluated on
	reportDates []qingqian.Date // the report dates (periods' dates) up to asOf
	// counted is set by a signal that lists only its first MaxSignalHits records: the count and
	// amount of all of them, summed by the database.
	counted *signalCount
}

type signalCount struct {
	n      int
	amount qingqian.Money
}

// signalDef defines one signal.
type signalDef struct {
	key, title, rule string
	find             func(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error)
}

// signalDefs are the signals, in the order they are shown. Register one more with a line here
// (or from another file's init: signalDefs = append(signalDefs, signalDef{...})).
var signalDefs = []signalDef{
	{"no_voucher", "清偿未附支付凭证", "截至统计日未被冲正的清偿记录，未附任何支付凭证文件。", findNoVoucher},
	{"shared_voucher", "同一凭证用于多笔清偿", "同一支付凭证文件（内容相同，按SHA-256识别）附在两笔以上清偿记录上；每笔列出。", findSharedVoucher},
	{"letter_unanswered", "询证函逾期未回函", "询证函已发出，截至统计日已过回函期限仍未回函；金额为函中所列清偿金额。", findLettersUnanswered},
	{"letter_disputed", "询证函回函不符", "债权人回函不符且差异尚未处理（冲正、更正金额或转投诉线索）；金额为函列金额与债权人确认金额之差。", findLettersDisputed},
	{"cleared_then_found", "报告日前结清、报告日后又发现", fmt.Sprintf("报告日前%d天内的清偿使台账条目结清，报告日后%d天内同一单位对同一债权人又新增欠款；金额为新增欠款。", nearReportDays, foundAgainDays), findClearedThenFound},
	{"repaid_then_owed", "清偿结清后短期内又欠款", fmt.Sprintf("清偿使台账条目结清后%d天内，同一单位对同一债权人又新增欠款；金额为新增欠款。", foundAgainDays), findRepaidThenOwed},
	{"backdated_near_report", "报告日前后补录的倒签记录", fmt.Sprintf("业务日期在报告日前%d天内（含报告日）、登记日期在报告日之后的记录（倒签），改变了已报送的数字；金额为记录的变动额。", backdateDays), findBackdatedNearReport},
	{"zero_with_clues", "零报告但有未办结线索", "报送零报告的单位，报告日其范围内有已受理、未销号的投诉举报线索；金额为这些线索的诉求金额。", findZeroWithClues},
}

// SignalService implements qingqian.SignalService.
type SignalService struct{ db *DB }

// NewSignalService returns the signals over db.
func NewSignalService(db *DB) *SignalService { return &SignalService{db: db} }

var _ qingqian.SignalService = (*SignalService)(nil)

// signalScope resolves the unit whose subtree is examined: the actor's own when 0, else one it
// reaches.
func (db *DB) signalScope(ctx context.Context, a *qingqian.Actor, orgID int64) (_ string, _ string, err error) {
	defer wrapErr(&err, "the unit examined")
	if orgID == 0 {
		id, path, err := db.actorOrg(ctx, db.read, a)
		if err != nil {
			return "", "", err
		}
		orgID = id
		if path == "" {
			return "", "", qingqian.Errorf(qingqian.ENOTFOUND, "单位不存在")
		}
	}
	var name, path string
	err = db.read.QueryRowContext(ctx, `SELECT name, path FROM orgs WHERE id = $1`, orgID).Scan(&name, &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.Reaches(path)) {
		if err == nil {
			db.securityEvent(ctx, a, "org", orgID)
		}
		return "", "", qingqian.Errorf(qingqian.ENOTFOUND, "单位不存在")
	}
	return name, path, err
}

// Signals implements qingqian.SignalService.
func (s *SignalService) Signals(ctx context.Context, orgID int64, asOf qingqian.Date) (_ *qingqian.SignalReport, err error) {
	defer serviceErr(&err, "evaluate the signals")
	a, err := qingqian.RequireReader(ctx)
	if err != nil {
		return nil, err
	}
	name, path, err := s.db.signalScope(ctx, a, orgID)
	if err != nil {
		return nil, err
	}
	if asOf.IsZero() {
		asOf = qingqian.DateOf(s.db.Now())
	}
	// The report holds until the next change (ADR 27, 34): the page, the API, the export and the
	// report's annex ask for the same one.
	gen, err := s.db.ledgerGeneration(ctx)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprint("signals ", path, " ", asOf)
	if c, ok := s.db.cache.get(key, gen); ok {
		return cloneSignalReport(c.(*qingqian.SignalReport)), nil
	}
	var id int64
	if err := s.db.read.QueryRowContext(ctx, `SELECT id FROM orgs WHERE path = $1`, path).Scan(&id); err != nil {
		return nil, fmt.Errorf("read orgs: %w", err)
	}
	rep := &qingqian.SignalReport{OrgID: id, OrgName: name, AsOf: asOf, Signals: []*qingqian.Signal{}}
	err = s.db.snapshot(ctx, func(q readQueryer) error {
		// The report is kept under the generation of the snapshot it is read from (which may be
		// a standby's, behind the one looked up above).
		if err := q.QueryRowContext(ctx, generationSQL).Scan(&gen); err != nil {
			return err
		}
		if rep.Signals, err = s.db.evalSignals(ctx, q, path, asOf); err != nil {
			return err
		}
		rep.Confirmations, err = s.db.confirmations(ctx, q, path, asOf)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.db.cache.put(key, gen, cloneSignalReport(rep))
	return rep, nil
}

// evalSignals evaluates every signal over the subtree at path as of asOf through q: each with
// its count and amount (of all its records, when the database counted them) and its first
// MaxSignalHits records.
func (db *DB) evalSignals(ctx context.Context, q readQueryer, path string, asOf qingqian.Date) (_ []*qingqian.Signal, err error) {
	sc := &signalScope{db: db, asOf: asOf, d: db.d, path: path}
	sc.lo, sc.hi = subtreeRange(path)
	if sc.reportDates, err = reportDates(ctx, q, asOf); err != nil {
		return nil, err
	}
	out := []*qingqian.Signal{}
	for _, d := range signalDefs {
		sc.counted = nil
		hits, err := d.find(ctx, q, sc)
		if err != nil {
			return nil, fmt.Errorf("signal %s: %w", d.key, err)
		}
		sig := &qingqian.Signal{Key: d.key, Title: d.title, Rule: d.rule, Count: len(hits), Hits: []qingqian.SignalHit{}}
		if sc.counted != nil {
			sig.Count, sig.Amount = sc.counted.n, sc.counted.amount
		} else {
			for _, h := range hits {
				sig.Amount += h.Amount
			}
		}
		sig.Hits = append(sig.Hits, hits[:min(len(hits), qingqian.MaxSignalHits)]...)
		out = append(out, sig)
	}
	return out, nil
}

// cloneSignalReport copies a report, with signals, hits and confirmations of its own.
func cloneSignalReport(r *qingqian.SignalReport) *qingqian.SignalReport {
	c := *r
	c.Signals = make([]*qingqian.Signal, len(r.Signals))
	for i, sig := range r.Signals {
		sc := *sig
		sc.Hits = slices.Clone(sig.Hits)
		c.Signals[i] = &sc
	}
	if r.Confirmations != nil {
		cf := *r.Confirmations
		c.Confirmations = &cf
	}
	return &c
}

// SignalRules lists the signals' keys, titles and rules, for the documentation.
func SignalRules() []qingqian.Signal {
	out := make([]qingqian.Signal, len(signalDefs))
	for i, d := range signalDefs {
		out[i] = qingqian.Signal{Key: d.key, Title: d.title, Rule: d.rule}
	}
	return out
}

// reportDates lists the dates of the periods up to asOf.
func reportDates(ctx context.Context, q queryer, asOf qingqian.Date) (_ []qingqian.Date, err error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT as_of FROM periods WHERE as_of <= $1 ORDER BY as_of`, asOf)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []qingqian.Date
	for rows.Next() {
		var d qingqian.Date
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// repayment is a repayment in the subtree, not reversed as of the date.
type repayment struct {
	id, itemID, orgID, creditorID int64
	orgName, creditor             string
	on                            qingqian.Date
	amount                        qingqian.Money
}

// repaymentsWhere picks the repayments of the subtree dated up to the date and not reversed by
// then, with an extra condition on e (entries), i (items).
const repaymentsWhere = ` WHERE e.kind = 'repay' AND e.on_date <= $1 AND o.path >= $2 AND o.path < $3
	AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.reverses_id = e.id AND r.on_date <= $1)`

// repayments reads the first MaxSignalHits repayments (by date) that repaymentsWhere and cond
// pick, and records in sc the count and amount of all of them, summed by the database: a
// province's signal may hold millions.
func repayments(ctx context.Context, q readQueryer, sc *signalScope, cond string) (_ []repayment, err error) {
	// One pass: the count and amount of the whole set ride on each row listed (a window over
	// the set), and an empty list is followed by one aggregate.
	from := ` FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id` + repaymentsWhere + cond
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.item_id, i.org_id, i.creditor_id, o.name, (SELECT c.name FROM creditors c WHERE c.id = i.creditor_id), e.on_date, -(e.du + e.dd),
		COUNT(*) OVER (), CAST(SUM(-(e.du + e.dd)) OVER () AS BIGINT)`+from+` ORDER BY e.on_date, e.id LIMIT `+fmt.Sprint(qingqian.MaxSignalHits), sc.asOf, sc.lo, sc.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c := &signalCount{}
	var out []repayment
	for rows.Next() {
		var r repayment
		if err := rows.Scan(&r.id, &r.itemID, &r.orgID, &r.creditorID, &r.orgName, &r.creditor, &r.on, &r.amount, &c.n, &c.amount); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sc.counted = c
	return out, nil
}

func entryLink(itemID, entryID int64) string {
	return fmt.Sprintf("/items/%d#entry-%d", itemID, entryID)
}

func repayHits(rs []repayment, text string) []qingqian.SignalHit {
	out := []qingqian.SignalHit{}
	for _, r := range rs {
		out = append(out, qingqian.SignalHit{OrgID: r.orgID, OrgName: r.orgName, Creditor: r.creditor, On: r.on, Amount: r.amount,
			Text: fmt.Sprintf(text, r.id), Link: entryLink(r.itemID, r.id)})
	}
	return out
}

// repaymentFigures are the subtree's repayments dated up to a date and not reversed by then, as
// the running totals keep them (ADR 13, 38): their count and amount, and those of the ones
// without a voucher.
type repaymentFigures struct {
	n, noVoucher            int
	amount, amountNoVoucher qingqian.Money
}

// subtreeRepayments reads the repayments' figures of the subtree at path as of asOf (as known
// now) from the running totals: a few hundred rows, whatever the number of repayments. A
// reversal is dated on or after the repayment it reverses and takes off what the repayment
// still counts (entryMeasures), so the figures as of a date are those of the repayments dated
// by then and not reversed by then; a voucher takes its repayment off the ones without.
func (db *DB) subtreeRepayments(ctx context.Context, q queryer, path string, asOf qingqian.Date) (_ repaymentFigures, err error) {
	defer wrapErr(&err, "the repayments' running totals")
	var f repaymentFigures
	rows, err := q.QueryContext(ctx, `SELECT id FROM orgs WHERE path = $1`, path)
	if err != nil {
		return f, err
	}
	var id int64
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return f, err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return f, err
	}
	if id == 0 {
		return f, fmt.Errorf("no unit at %q", path)
	}
	all, err := db.sumsUpTo(ctx, q, []int64{id}, asOf)
	if err != nil {
		return f, err
	}
	for _, m := range all[id] {
		f.n += int(m[mPayN])
		f.amount += qingqian.Money(m[mRepU] + m[mRepD]) // repaid, positive (measuresOf)
		f.noVoucher += int(m[mPayNV])
		f.amountNoVoucher += qingqian.Money(m[mRepNV])
	}
	return f, nil
}

// firstRepayments lists the first MaxSignalHits repayments (by date) of the subtree that
// repaymentsWhere and cond pick. Its count and amount come from elsewhere (the running totals):
// only the listed ones are read. A large subtree's are found along the repayments' index by
// business day (migration 0031), stopping at the last one listed; a small subtree's from its
// units' items, sorted, which reads no other subtree's repayments.
func firstRepayments(ctx context.Context, q readQueryer, sc *signalScope, cond string, large bool) (_ []repayment, err error) {
	rows, err := q.QueryContext(ctx, firstRepaymentsSQL(sc.d, cond, large), sc.asOf, sc.lo, sc.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []repayment
	for rows.Next() {
		var r repayment
		if err := rows.Scan(&r.id, &r.itemID, &r.orgID, &r.creditorID, &r.orgName, &r.creditor, &r.on, &r.amount); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// firstRepaymentsSQL is firstRepayments' query: $1 the date, $2 and $3 the subtree's paths.
func firstRepaymentsSQL(d dialect, cond string, large bool) string {
	from := ` FROM entries e CROSS JOIN items i CROSS JOIN orgs o` + repaymentsWhere + ` AND i.id = e.item_id AND o.id = i.org_id` + cond + ` ORDER BY e.on_date, e.id`
	if !large {
		// SQLite's unary plus keeps it from reading the set along the date's index.
		plus := "+"
		if d.name == "postgres" {
			plus = ""
		}
		from = ` FROM orgs o JOIN items i ON i.org_id = o.id JOIN entries e ON e.item_id = i.id` + repaymentsWhere + cond + ` ORDER BY ` + plus + `e.on_date, e.id`
	}
	return `SELECT e.id, e.item_id, i.org_id, i.creditor_id, o.name, (SELECT c.name FROM creditors c WHERE c.id = i.creditor_id), e.on_date, -(e.du + e.dd)` +
		from + ` LIMIT ` + fmt.Sprint(qingqian.MaxSignalHits)
}

// largeSubtree is the number of repayments from which a subtree's first repayments are found
// along the index by business day rather than from its units' items (firstRepayments).
var largeSubtree = 20_000

// noVoucherSQL picks the repayments without a voucher.
const noVoucherSQL = ` AND NOT EXISTS (SELECT 1 FROM entry_vouchers ev WHERE ev.entry_id = e.id)`

func findNoVoucher(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	// The count and amount from the running totals, which keep the repayments without a
	// voucher (ADR 38); the first ones listed from the entries.
	f, err := sc.db.subtreeRepayments(ctx, q, sc.path, sc.asOf)
	if err != nil {
		return nil, err
	}
	sc.counted = &signalCount{n: f.noVoucher, amount: f.amountNoVoucher}
	if f.noVoucher <= 0 {
		return []qingqian.SignalHit{}, nil
	}
	rs, err := firstRepayments(ctx, q, sc, noVoucherSQL, f.n >= largeSubtree)
	return repayHits(rs, "清偿记录 %d 未附支付凭证"), err
}

func findSharedVoucher(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	// From the files attached more than once (few), not from every repayment.
	rs, err := repayments(ctx, q, sc, ` AND e.id IN (SELECT ev.entry_id FROM entry_vouchers ev
		WHERE ev.sha256 IN (SELECT sha256 FROM entry_vouchers GROUP BY sha256 HAVING COUNT(*) > 1))`)
	return repayHits(rs, "清偿记录 %d 的支付凭证文件也附在其他清偿记录上"), err
}

// owedAgain finds, for each item, the latest clearing repayment of the same unit and creditor
// on another item that came before it within foundAgainDays and passes the test. The database
// pairs them: from the items cleared (nothing outstanding now, found along the outstanding
// amount's index), their repayments, and the items of the same unit and creditor that arose in
// the window after each (found by unit and creditor); the whole subtree is never read.
func owedAgain(ctx context.Context, q readQueryer, sc *signalScope, test func(paid, arisen qingqian.Date) (string, bool)) ([]qingqian.SignalHit, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.org_id, o.name, c.name, i.arisen_on, i.undisputed + i.disputed, p.id, e.on_date
		FROM items p JOIN orgs o ON o.id = p.org_id JOIN entries e ON e.item_id = p.id
		JOIN items i ON i.org_id = p.org_id AND i.creditor_id = p.creditor_id AND i.id <> p.id
			AND i.arisen_on > e.on_date AND i.arisen_on <= `+sc.d.addDays("e.on_date", foundAgainDays)+` AND i.arisen_on <= $1
		JOIN creditors c ON c.id = i.creditor_id`+repaymentsWhere+` AND p.out_u + p.out_d = 0
		ORDER BY i.arisen_on, i.id, e.on_date DESC, e.id DESC`, sc.asOf, sc.lo, sc.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []qingqian.SignalHit{}
	var done int64 // the item last given a hit: its earlier repayments are not looked at
	for rows.Next() {
		var h qingqian.SignalHit
		var id, paidItem int64
		var paid qingqian.Date
		if err := rows.Scan(&id, &h.OrgID, &h.OrgName, &h.Creditor, &h.On, &h.Amount, &paidItem, &paid); err != nil {
			return nil, err
		}
		if id == done {
			continue
		}
		if why, ok := test(paid, h.On); ok {
			h.Text = fmt.Sprintf("%s清偿结清条目 %d，%s新增条目 %d%s", paid, paidItem, h.On, id, why)
			h.Link = fmt.Sprintf("/items/%d", id)
			out = append(out, h)
			done = id
		}
	}
	return out, rows.Err()
}

func findClearedThenFound(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	return owedAgain(ctx, q, sc, func(paid, arisen qingqian.Date) (string, bool) {
		for _, d := range sc.reportDates {
			if !paid.After(d) && d.Sub(paid) < nearReportDays && arisen.After(d) && arisen.Sub(d) <= foundAgainDays {
				return fmt.Sprintf("（报告日%s）", d), true
			}
		}
		return "", false
	})
}

func findRepaidThenOwed(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	return owedAgain(ctx, q, sc, func(_, _ qingqian.Date) (string, bool) { return "", true })
}

func findBackdatedNearReport(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	out := []qingqian.SignalHit{}
	if len(sc.reportDates) == 0 {
		return out, nil
	}
	first := sc.reportDates[0].AddDays(-backdateDays)
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.item_id, e.kind, i.org_id, o.name, c.name, e.on_date, e.recorded_on, e.du, e.dd
		FROM entries e JOIN items i ON i.id = e.item_id JOIN orgs o ON o.id = i.org_id JOIN creditors c ON c.id = i.creditor_id
		WHERE e.on_date < e.recorded_on AND e.on_date >= $1 AND e.on_date <= $2 AND o.path >= $3 AND o.path < $4 ORDER BY e.on_date, e.id`, first, sc.asOf, sc.lo, sc.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, item, org int64
		var kind qingqian.EntryKind
		var orgName, creditor string
		var on, rec qingqian.Date
		var du, dd qingqian.Money
		if err := rows.Scan(&id, &item, &kind, &org, &orgName, &creditor, &on, &rec, &du, &dd); err != nil {
			return nil, err
		}
		// The report date it reaches back over: on or after the business date, before the recording.
		i := sort.Search(len(sc.reportDates), func(i int) bool { return !sc.reportDates[i].Before(on) })
		if i == len(sc.reportDates) {
			continue
		}
		d := sc.reportDates[i]
		if d.Sub(on) > backdateDays || !d.Before(rec) || rec.After(sc.asOf) {
			continue
		}
		out = append(out, qingqian.SignalHit{OrgID: org, OrgName: orgName, Creditor: creditor, On: on, Amount: qingqian.VolumeOf(du, dd),
			Text: fmt.Sprintf("%s记录 %d 于%s登记，业务日期%s在报告日%s之前", kind.Label(), id, rec, on, d), Link: entryLink(item, id)})
	}
	return out, rows.Err()
}

func findZeroWithClues(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.org_id, o.name, p.no, p.as_of, COUNT(l.id), COALESCE(SUM(l.claimed), 0)
		FROM submissions s JOIN periods p ON p.id = s.period_id JOIN orgs o ON o.id = s.org_id
		JOIN clues l ON l.received_on <= p.as_of AND (l.closed_on IS NULL OR l.closed_on > p.as_of)
		WHERE s.zero = $1 AND p.as_of <= $2 AND o.path >= $3 AND o.path < $4
		GROUP BY s.id, s.org_id, o.name, p.no, p.as_of ORDER BY p.as_of, s.id`, true, sc.asOf, sc.lo, sc.hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []qingqian.SignalHit{}
	for rows.Next() {
		var id, org int64
		var name string
		var no, n int
		var asOf qingqian.Date
		var claimed qingqian.Money
		if err := rows.Scan(&id, &org, &name, &no, &asOf, &n, &claimed); err != nil {
			return nil, err
		}
		out = append(out, qingqian.SignalHit{OrgID: org, OrgName: name, On: asOf, Amount: claimed,
			Text: fmt.Sprintf("第%d期报送零报告，报告日有未销号投诉线索%d件", no, n), Link: fmt.Sprintf("/submissions/%d", id)})
	}
	return out, rows.Err()
}

// letterHits lists the letters to debtor units of the subtree that match cond (on l, letters).
func letterHits(ctx context.Context, q queryer, sc *signalScope, cond string, amount func(total, creditorTotal qingqian.Money) qingqian.Money, text string, arg ...any) ([]qingqian.SignalHit, error) {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.no, l.org_id, o.name, c.name, l.reply_due_on, l.total, l.creditor_total
		FROM letters l JOIN orgs o ON o.id = l.org_id JOIN creditors c ON c.id = l.creditor_id
		WHERE o.path >= $1 AND o.path < $2 AND l.issued_on <= $3 AND `+cond+` ORDER BY l.id`, append([]any{sc.lo, sc.hi, sc.asOf}, arg...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []qingqian.SignalHit{}
	for rows.Next() {
		var id, org int64
		var no, name, creditor string
		var by qingqian.Date
		var total, ct qingqian.Money
		if err := rows.Scan(&id, &no, &org, &name, &creditor, &by, &total, &ct); err != nil {
			return nil, err
		}
		out = append(out, qingqian.SignalHit{OrgID: org, OrgName: name, Creditor: creditor, On: by, Amount: amount(total, ct),
			Text: fmt.Sprintf(text, no), Link: fmt.Sprintf("/letters/%d", id)})
	}
	return out, rows.Err()
}

func findLettersUnanswered(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	// Not answered by the date: still unanswered, or answered after it.
	return letterHits(ctx, q, sc, `l.reply_due_on < $3 AND (l.state = 'sent' OR l.replied_on > $3)`,
		func(total, _ qingqian.Money) qingqian.Money { return total }, "%s 已过回函期限未回函")
}

func findLettersDisputed(ctx context.Context, q readQueryer, sc *signalScope) ([]qingqian.SignalHit, error) {
	return letterHits(ctx, q, sc, `l.state = 'disputed' AND l.finding_state = 'open' AND l.replied_on <= $3`,
		func(total, ct qingqian.Money) qingqian.Money { return total - ct }, "%s 回函不符，差异待处理")
}
