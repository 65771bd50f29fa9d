package demo

import (
	"bytes"
	"fmt"

	"github.com/qingqian/qingqian"
)

// LetterSeed is the seed of the demo's sample of 2019 repayments: the same ledger and seed draw
// the same sample.
const LetterSeed = 20191215

// letters has the office confirm a random sample of the 2019 repayments with their creditors
// after the November 2019 report: most reply 相符 (one online with the letter's code), one
// replies 不符 (it received less than the ledger says, a finding left open), one never replies.
// Letters move no figure of the ledger.
func (l *loader) letters() error {
	office := l.person(l.prov.Regulator, "清欠办李联络", qingqian.RoleSupervisor)
	l.at(qingqian.MustParseDate("2019-12-16"))
	b, err := l.s.Letters.IssueLetters(office, qingqian.LetterSelection{Mode: qingqian.SelectSample, SampleSize: 8, Seed: LetterSeed,
		From: qingqian.MustParseDate("2019-01-16"), To: Date2019, ReplyBy: qingqian.MustParseDate("2020-01-15"), OnlineReply: true})
	if err != nil {
		return fmt.Errorf("letters: %w", err)
	}
	if len(b.Letters) < 4 {
		return fmt.Errorf("letters: the sample gave %d letters, want at least 4", len(b.Letters))
	}
	ls := b.Letters
	for i, lt := range ls[:len(ls)-1] {
		on := qingqian.MustParseDate("2020-01-06").AddDays(i % 5)
		l.at(on)
		in := qingqian.ReplyInput{Result: qingqian.LetterConfirmed, RepliedOn: on, Version: lt.Version}
		switch i {
		case 0:
			// The creditor answers online with the letter's number and code.
			if _, err := l.s.Letters.PublicReply(l.ctx, lt.No, lt.Code, in); err != nil {
				return fmt.Errorf("online reply to %s: %w", lt.No, err)
			}
			continue
		case len(ls) - 2:
			first := lt.Lines[0]
			in.Result = qingqian.LetterDisputed
			in.Amounts = map[int64]qingqian.Money{first.EntryID: first.Amount - first.Amount/10}
			in.Note = "本单位实际收到的款项少于函列金额，差额部分对方以抵账方式处理，本单位未予认可。"
		}
		scan := fmt.Sprintf("%%PDF-1.4\n%% 询证函回函扫描件 %s\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", lt.No)
		v, err := l.s.Vouchers.StoreVoucher(office, fmt.Sprintf("回函%d.pdf", lt.ID), bytes.NewReader([]byte(scan)))
		if err != nil {
			return fmt.Errorf("reply scan: %w", err)
		}
		in.Voucher = v.SHA256
		if _, err := l.s.Letters.RecordReply(office, lt.ID, in); err != nil {
			return fmt.Errorf("reply to %s: %w", lt.No, err)
		}
	}
	return nil
}
