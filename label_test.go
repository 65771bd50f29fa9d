package qingqian

import "testing"

type labeled interface {
	~string
	Label() string
}

// checkLabels wants every value to have its own label.
func checkLabels[K labeled](t *testing.T, values ...K) {
	t.Helper()
	seen := map[string]K{}
	for _, v := range values {
		l := v.Label()
		if l == "" {
			t.Errorf("%T %q has no label", v, v)
			continue
		}
		if o, ok := seen[l]; ok {
			t.Errorf("%T %q and %q are both labelled %s", v, o, v, l)
		}
		seen[l] = v
	}
}

// Every value of every enum reads as its own Chinese label; an unknown code reads as nothing.
func TestLabels(t *testing.T) {
	checkLabels(t, Roles...)
	checkLabels(t, SelectModes...)
	checkLabels(t, LetterStates...)
	checkLabels(t, FindingNone, FindingOpen, FindingResolved)
	checkLabels(t, Resolutions...)
	checkLabels(t, ReplyByOffice, ReplyByCreditor)
	checkLabels(t, OrgRegulator, OrgGroup, OrgSubsidiary)
	checkLabels(t, OwnershipPrivate, OwnershipState, OwnershipForeign, OwnershipIndividual)
	checkLabels(t, "", SizeMicro, SizeSmall, SizeMedium, SizeLarge)
	checkLabels(t, ItemKinds...)
	checkLabels(t, Origins...)
	checkLabels(t, FundingNone, FundingOwn, FundingLoan, FundingFiscal, FundingAssets, FundingOther)
	checkLabels(t, StatusUnpaid, StatusPartial, StatusCleared, StatusClosed)
	checkLabels(t, EntryRecognise, EntryRepay, EntryAdjust, EntryCourtReduction, EntryWriteOff, EntryReclassify, EntryReversal)
	checkLabels(t, MethodTransfer, MethodCash, MethodBill, MethodReceivable, MethodOffset)
	checkLabels(t, Parts...)
	checkLabels(t, BillKinds...)
	checkLabels(t, BillPending, BillHonoured, BillDishonoured)
	checkLabels(t, PeriodKinds...)
	checkLabels(t, StatePrepared, StateReviewed, StateApproved, StateReturned, StateMissing)
	checkLabels(t, ActPrepare, ActReview, ActApprove, ActReturn)
	checkLabels(t, NoticeOpen, NoticeReplied, NoticeClosed)
	checkLabels(t, LevelLeader, LevelPrincipal)
	checkLabels(t, Channels...)
	checkLabels(t, ClueStates...)
	checkLabels(t, ConclusionTrue, ConclusionPartly, ConclusionOutOfScope, ConclusionWithdrawn)
	checkLabels(t, ClueAssign, ClueVerify, ClueLink, ClueUpdateOn, ClueExtend, ClueClose, ClueFeedback)
	var reasons []OutReason
	for r := range OutReasonNames {
		reasons = append(reasons, r)
	}
	checkLabels(t, reasons...)
	var answers []Satisfaction
	for a := range SatisfactionNames {
		answers = append(answers, a)
	}
	checkLabels(t, answers...)
	checkLabels(t, CaseKinds...)
	checkLabels(t, CaseStages...)
	checkLabels(t, DayOff, DayWork)
	// A disputed debt's route is its case's kind, or negotiation without a case.
	routes := []Route{"negotiation"}
	for _, k := range CaseKinds {
		routes = append(routes, Route(k))
	}
	checkLabels(t, routes...)
	if got := Size("").Label(); got != "未声明" {
		t.Errorf("no size reads %q", got)
	}
	if got := ItemKind("unknown").Label(); got != "" {
		t.Errorf("an unknown kind reads %q", got)
	}
}
