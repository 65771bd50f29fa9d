package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

// A clue entered after the fact: its deadlines count from the dates that happened, which must be
// in order and not in the future, and every step entered late is marked as back-dated.
func TestClueDatesThatHappened(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		f.at("2026-10-20 10:00")
		c := &qingqian.Clue{Channel: qingqian.ChannelStateCouncil, TransferNo: "国减负办转〔2026〕31号", ReceivedOn: qingqian.MustParseDate("2026-09-30"),
			CreditorName: "某某建材有限公司", CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(80_000), Text: "货款8万元未付。"}
		if err := clues.CreateClue(f.office, c); err != nil {
			t.Fatal(err)
		}
		if c.ForwardBy != qingqian.MustParseDate("2026-10-20") || !c.Backdated || !c.RecordedAt.Equal(f.clock) {
			t.Fatalf("registered on 20 October, received on 30 September: %+v", c)
		}
		// Dates out of order or in the future are refused, naming the field, and change nothing.
		audit := count(t, db, "audit_log")
		for _, bad := range []struct {
			a     qingqian.Assignment
			field string
		}{
			{qingqian.Assignment{AssignedOn: qingqian.MustParseDate("2026-09-29")}, "assigned_on"},
			{qingqian.Assignment{AssignedOn: qingqian.MustParseDate("2026-10-21")}, "assigned_on"},
			{qingqian.Assignment{AssignedOn: qingqian.MustParseDate("2026-10-09"), MaterialsOn: qingqian.MustParseDate("2026-10-08")}, "materials_received_on"},
			{qingqian.Assignment{AssignedOn: qingqian.MustParseDate("2026-10-09"), MaterialsOn: qingqian.MustParseDate("2026-10-21")}, "materials_received_on"},
		} {
			a := bad.a
			a.OrgID, a.ResponsibleLeader, a.ResponsiblePerson, a.Version = f.groupA.ID, "甲领导", "甲财务", c.Version
			_, err := clues.Assign(f.office, c.ID, a)
			if qingqian.ErrorCode(err) != qingqian.EINVALID || qingqian.ErrorFields(err)[bad.field] == "" {
				t.Errorf("%+v: %v", bad.a, err)
			}
		}
		if got, _ := clues.FindClue(f.office, c.ID); got.State != qingqian.ClueReceived || got.Version != c.Version || count(t, db, "audit_log") != audit {
			t.Fatalf("a refused assignment wrote: %+v", got)
		}
		// Forwarded on 9 October, the materials reached the group on the 12th: the 30 days count
		// from the 12th, not from today.
		c, err := clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务",
			AssignedOn: qingqian.MustParseDate("2026-10-09"), MaterialsOn: qingqian.MustParseDate("2026-10-12"), Version: c.Version})
		if err != nil || c.AssignedOn != qingqian.MustParseDate("2026-10-09") || c.MaterialsOn != qingqian.MustParseDate("2026-10-12") ||
			c.ResultBy != qingqian.MustParseDate("2026-11-11") || c.ResultByProvisional || !c.AssignBackdated || !c.AssignedAt.Equal(f.clock) || c.ForwardedLate {
			t.Fatalf("assigned after the fact: %+v %v", c, err)
		}
		// The group passes it on a week later, entered the same day: the 30 days stay.
		f.at("2026-10-21 09:00")
		_, err = clues.Assign(f.liaisonA, c.ID, qingqian.Assignment{OrgID: f.subA1.ID, ResponsibleLeader: "一公司经理", ResponsiblePerson: "一公司财务",
			AssignedOn: qingqian.MustParseDate("2026-10-08"), Version: c.Version})
		if qingqian.ErrorFields(err)["assigned_on"] == "" {
			t.Fatalf("passed on before it was forwarded: %v", err)
		}
		c, err = clues.Assign(f.liaisonA, c.ID, qingqian.Assignment{OrgID: f.subA1.ID, ResponsibleLeader: "一公司经理", ResponsiblePerson: "一公司财务", Version: c.Version})
		if err != nil || c.ReassignedOn != qingqian.MustParseDate("2026-10-21") || c.ReassignBackdated || c.ResultBy != qingqian.MustParseDate("2026-11-11") ||
			c.AssignedOn != qingqian.MustParseDate("2026-10-09") || !c.AssignBackdated {
			t.Fatalf("passed on: %+v %v", c, err)
		}
		if got, _ := clues.FindClue(f.liaisonA, c.ID); got.ResultBy != c.ResultBy || !got.Backdated || !got.AssignBackdated || got.ReassignedOn != c.ReassignedOn {
			t.Fatalf("read back: %+v", got)
		}
	})
}

// An extension lies after the current deadline and within 90 days of the day the handling unit
// received the materials; the first assignment's date is not that day.
func TestClueExtensionLimits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		f.at("2026-06-15 10:00")
		c := &qingqian.Clue{Channel: qingqian.ChannelDirect, ReceivedOn: qingqian.MustParseDate("2026-06-01"), CreditorName: "某某劳务有限公司",
			CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(10_000), Text: "劳务费未付。"}
		if err := clues.CreateClue(f.office, c); err != nil {
			t.Fatal(err)
		}
		c, err := clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务",
			AssignedOn: qingqian.MustParseDate("2026-06-05"), MaterialsOn: qingqian.MustParseDate("2026-06-12"), Version: c.Version})
		if err != nil || c.ResultBy != qingqian.MustParseDate("2026-07-13") { // 12 July is a Sunday
			t.Fatalf("assigned: %+v %v", c, err)
		}
		for _, bad := range []string{"2019-01-01", "2026-07-13", "2026-09-11"} { // before, on the deadline, past 12 June + 90
			if _, err := clues.Extend(f.office, c.ID, qingqian.MustParseDate(bad), "核对往来账", c.Version); qingqian.ErrorFields(err)["extended_to"] == "" {
				t.Errorf("extension to %s: %v", bad, err)
			}
		}
		// 9 September is past 5 June + 90 days but within 12 June + 90: allowed.
		c, err = clues.Extend(f.office, c.ID, qingqian.MustParseDate("2026-09-09"), "核对往来账", c.Version)
		if err != nil || c.Deadline() != qingqian.MustParseDate("2026-09-09") {
			t.Fatalf("extension: %+v %v", c, err)
		}
		if _, err := clues.Extend(f.office, c.ID, qingqian.MustParseDate("2026-09-01"), "再延", c.Version); qingqian.ErrorFields(err)["extended_to"] == "" {
			t.Fatalf("an extension shortening the extended deadline: %v", err)
		}
	})
}

// A clue forwarded after its forwarding deadline stays marked 逾期转办 once assigned, verified
// and closed, and the filter finds it.
func TestClueForwardedLateStays(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		f.at("2026-10-12 10:00")
		late := &qingqian.Clue{Channel: qingqian.ChannelPlatform, ReceivedOn: qingqian.MustParseDate("2026-09-01"), CreditorName: "某某设备有限公司",
			CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(10_000), Text: "设备款未付。"}
		onTime := *late
		if err := clues.CreateClue(f.office, late); err != nil {
			t.Fatal(err)
		}
		onTime.ReceivedOn = qingqian.MustParseDate("2026-10-09")
		if err := clues.CreateClue(f.office, &onTime); err != nil {
			t.Fatal(err)
		}
		// 10 working days from 1 September end on 15 September; forwarded on 11 October.
		if late.ForwardBy != qingqian.MustParseDate("2026-09-15") {
			t.Fatalf("forward by %s", late.ForwardBy)
		}
		c, err := clues.Assign(f.office, late.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务",
			AssignedOn: qingqian.MustParseDate("2026-10-11"), Version: late.Version})
		if err != nil || !c.ForwardedLate || c.ForwardLateDays() != 26 {
			t.Fatalf("forwarded late: %+v %v", c, err)
		}
		if _, err := clues.Assign(f.office, onTime.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务",
			Version: onTime.Version}); err != nil {
			t.Fatal(err)
		}
		c, err = clues.Verify(f.liaisonA, c.ID, qingqian.Verification{Conclusion: qingqian.ConclusionWithdrawn, Finding: "投诉人撤回", Version: c.Version})
		if err != nil {
			t.Fatal(err)
		}
		if c, err = clues.Close(f.office, c.ID, c.Version); err != nil || !c.ForwardedLate {
			t.Fatalf("closed: %+v %v", c, err)
		}
		list, n, err := clues.FindClues(f.office, qingqian.ClueFilter{ForwardLate: true})
		if err != nil || n != 1 || list[0].ID != late.ID || !list[0].ForwardedLate {
			t.Fatalf("forwarded late: %d %v", n, err)
		}
		// A clue not forwarded past its deadline is found too.
		f.at("2026-11-03 10:00")
		waiting := onTime
		waiting.ReceivedOn = qingqian.MustParseDate("2026-10-20") // to be forwarded by 3 November
		if err := clues.CreateClue(f.office, &waiting); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := clues.FindClues(f.office, qingqian.ClueFilter{ForwardLate: true}); n != 1 {
			t.Fatalf("before its deadline: %d", n)
		}
		f.at("2026-11-04 10:00")
		if _, n, _ := clues.FindClues(f.office, qingqian.ClueFilter{ForwardLate: true}); n != 2 {
			t.Fatalf("after its deadline: %d", n)
		}
	})
}

// A year missing from the calendar: the deadlines are counted on weekends alone and marked
// provisional with the reason, and become firm when the year is entered.
func TestClueProvisionalUntilTheYearIsEntered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		f.at("2026-12-24 10:00")
		c := &qingqian.Clue{Channel: qingqian.ChannelDirect, ReceivedOn: qingqian.MustParseDate("2026-12-24"), CreditorName: "某某劳务有限公司",
			CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(10_000), Text: "劳务费未付。"}
		if err := clues.CreateClue(f.office, c); err != nil {
			t.Fatal(err)
		}
		c, err := clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务", Version: c.Version})
		// 24 December + 30 days is Saturday 23 January: Monday the 25th on weekends alone.
		if err != nil || c.ForwardBy != qingqian.MustParseDate("2027-01-07") || !c.ForwardByProvisional || c.ResultBy != qingqian.MustParseDate("2027-01-25") ||
			!c.ResultByProvisional || !strings.Contains(c.DeadlineNote, "2027年的节假日安排尚未录入") || !strings.Contains(c.DeadlineNote, "暂定") {
			t.Fatalf("provisional: %+v %v", c, err)
		}
		if over, n, _ := clues.FindClues(f.office, qingqian.ClueFilter{DueBefore: qingqian.MustParseDate("2027-01-31")}); n != 1 || over[0].ID != c.ID {
			t.Fatalf("a provisional deadline is a deadline: %d", n)
		}
		// An extension must still lie after it.
		if _, err := clues.Extend(f.office, c.ID, qingqian.MustParseDate("2019-01-01"), "核对", c.Version); qingqian.ErrorFields(err)["extended_to"] == "" {
			t.Fatalf("an extension into the past: %v", err)
		}
		// The administrator enters 2027: 1 January is off, Saturday 23 January a make-up working day.
		admin := person(f.root, 3, "管理员", qingqian.RoleAdmin)
		days := []qingqian.CalendarDay{{Day: qingqian.MustParseDate("2027-01-01"), Kind: qingqian.DayOff, Name: "元旦"},
			{Day: qingqian.MustParseDate("2027-01-23"), Kind: qingqian.DayWork, Name: "春节"}}
		if err := sqldb.NewCalendarService(db).SetCalendarYear(admin, 2027, "国务院办公厅关于2027年部分节假日安排的通知", days); err != nil {
			t.Fatal(err)
		}
		got, err := clues.FindClue(f.office, c.ID)
		if err != nil || got.ForwardBy != qingqian.MustParseDate("2027-01-08") || got.ForwardByProvisional || got.ResultBy != qingqian.MustParseDate("2027-01-23") ||
			got.ResultByProvisional || got.DeadlineNote != "" || got.Version != c.Version {
			t.Fatalf("once 2027 is entered: %+v %v", got, err)
		}
		recs, _, err := sqldb.NewAuditService(db).FindAudit(f.sys, qingqian.AuditFilter{Action: "calendar.set"})
		if err != nil || len(recs) != 1 || !strings.Contains(string(recs[0].After), `"clues_recomputed":1`) {
			t.Fatalf("audit of the calendar: %+v %v", recs, err)
		}
	})
}

// Migration 0010 fills the recording instants of earlier assignments from the audit trail and
// gives the clues a missing year left without a deadline a provisional one.
func TestMigrationFillsClueDates(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		f.at("2026-12-24 10:00")
		c := &qingqian.Clue{Channel: qingqian.ChannelDirect, ReceivedOn: qingqian.MustParseDate("2026-12-24"), CreditorName: "某某劳务有限公司",
			CreditorUSCC: MustUSCC(t), Respondent: "甲集团", Claimed: qingqian.Yuan(10_000), Text: "劳务费未付。"}
		if err := clues.CreateClue(f.office, c); err != nil {
			t.Fatal(err)
		}
		c, err := clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲领导", ResponsiblePerson: "甲财务", Version: c.Version})
		if err != nil {
			t.Fatal(err)
		}
		first := c.AssignedAt
		f.at("2026-12-28 11:00")
		if _, err := clues.Assign(f.liaisonA, c.ID, qingqian.Assignment{OrgID: f.subA1.ID, ResponsibleLeader: "一公司经理", ResponsiblePerson: "一公司财务", Version: c.Version}); err != nil {
			t.Fatal(err)
		}
		// As the clue stood before the migration: no instants, no deadlines, the old sentence.
		if err := db.ExecForTest(context.Background(), `UPDATE clues SET assigned_at = NULL, reassigned_on = NULL, reassigned_at = NULL, forward_due_on = NULL,
			forward_provisional = $1, result_due_on = NULL, result_provisional = $1, deadline_note = $2`, false, "2027年的节假日安排尚未录入，无法计算期限"); err != nil {
			t.Fatal(err)
		}
		if err := db.InTxForTest(context.Background(), qingqian.SystemActor("migrate"), func(tx *sqldb.Tx) error { return tx.MigrateClueDatesForTest(context.Background()) }); err != nil {
			t.Fatal(err)
		}
		got, err := clues.FindClue(f.office, c.ID)
		if err != nil || !got.AssignedAt.Equal(first) || got.ReassignedOn != qingqian.MustParseDate("2026-12-28") || !got.ReassignedAt.Equal(f.clock) ||
			got.ForwardBy != qingqian.MustParseDate("2027-01-07") || !got.ForwardByProvisional || got.ResultBy != qingqian.MustParseDate("2027-01-25") ||
			!strings.Contains(got.DeadlineNote, "暂定") {
			t.Fatalf("migrated: %+v %v", got, err)
		}
	})
}
