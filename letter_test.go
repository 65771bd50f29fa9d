package qingqian

import "testing"

// A reply of 不符 must differ from the letter somewhere: in a figure, or in what its note says.
func TestReplyDisputedMustDiffer(t *testing.T) {
	l := &Letter{IssuedOn: MustParseDate("2026-11-02"), Lines: []LetterLine{{EntryID: 7, Amount: Yuan(1_000)}, {EntryID: 8, Amount: Yuan(500)}}}
	today := MustParseDate("2026-12-02")
	for _, c := range []struct {
		name    string
		in      ReplyInput
		refused string
	}{
		{"same figures", ReplyInput{Result: LetterDisputed, Amounts: map[int64]Money{7: Yuan(1_000), 8: Yuan(500)}}, "amounts"},
		{"no figure, no note", ReplyInput{Result: LetterDisputed}, "amounts"},
		{"a figure differs", ReplyInput{Result: LetterDisputed, Amounts: map[int64]Money{7: Yuan(1_000), 8: Yuan(400)}}, ""},
		{"same figures, a note", ReplyInput{Result: LetterDisputed, Amounts: map[int64]Money{7: Yuan(1_000)}, Note: "付款日期不符"}, ""},
		{"confirmed", ReplyInput{Result: LetterConfirmed}, ""},
		{"a line not in the letter", ReplyInput{Result: LetterDisputed, Amounts: map[int64]Money{9: Yuan(1)}}, "amounts.9"},
	} {
		c.in.RepliedOn = today
		fields := ErrorFields(c.in.Validate(l, today))
		if c.refused == "" && len(fields) != 0 {
			t.Errorf("%s: refused %v", c.name, fields)
		}
		if c.refused != "" && fields[c.refused] == "" {
			t.Errorf("%s: not refused on %s: %v", c.name, c.refused, fields)
		}
	}
}
