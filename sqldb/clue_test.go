package sqldb_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/sqldb"
	"github.com/qingqian/qingqian/sqldb/sqldbtest"
)

func TestCalendarSeededAndAdministered(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		cs := sqldb.NewCalendarService(db)
		years, err := cs.FindCalendarYears(f.office)
		// 2020 to 2026, newest first; the 2020 year with the extended Spring Festival.
		if err != nil || len(years) != 7 || years[0].Year != 2026 || years[0].Days != 39 || years[1].Days != 33 || !strings.Contains(years[1].Source, "国办发明电〔2024〕12号") ||
			years[6].Year != 2020 || !strings.Contains(years[6].Source, "国办发明电〔2020〕1号") {
			t.Fatalf("shipped years = %+v %v", years, err)
		}
		cal, _ := cs.Calendar(f.office)
		for _, c := range []struct {
			from string
			n    int
			want string
		}{
			{"2025-09-26", 10, "2025-10-16"}, // National Day 2025, 28 September worked
			// 2020: the Spring Festival extended to 2 February; 19 January worked, 1 February not.
			{"2020-01-17", 1, "2020-01-19"}, {"2020-01-23", 1, "2020-02-03"},
			{"2021-09-17", 1, "2021-09-18"},                                  // Saturday 18 September 2021 worked before the Mid-Autumn rest
			{"2022-01-28", 2, "2022-01-30"}, {"2022-01-28", 3, "2022-02-07"}, // Saturday 29 and Sunday 30 January 2022 worked
			{"2023-09-28", 1, "2023-10-07"},                                  // Mid-Autumn and National Day 2023, 7 October worked
			{"2024-02-08", 1, "2024-02-09"}, {"2024-02-09", 1, "2024-02-18"}, // Spring Festival 2024, Sunday 18 February worked
		} {
			if d, err := cal.AddWorkdays(qingqian.MustParseDate(c.from), c.n); err != nil || d != qingqian.MustParseDate(c.want) {
				t.Fatalf("%d working days after %s = %s %v, want %s", c.n, c.from, d, err, c.want)
			}
		}
		days := []qingqian.CalendarDay{{Day: qingqian.MustParseDate("2027-01-01"), Kind: qingqian.DayOff, Name: "元旦"}}
		wantCode(t, cs.SetCalendarYear(f.office, 2027, "通知", days), qingqian.EFORBIDDEN)
		admin := person(f.root, 3, "管理员", qingqian.RoleAdmin)
		if fs := qingqian.ErrorFields(cs.SetCalendarYear(admin, 2027, "", days)); fs["source"] == "" {
			t.Fatalf("no source: %v", fs)
		}
		if err := cs.SetCalendarYear(admin, 2027, "国务院办公厅关于2027年部分节假日安排的通知", days); err != nil {
			t.Fatal(err)
		}
		cal, _ = cs.Calendar(f.office)
		if d, err := cal.AddWorkdays(qingqian.MustParseDate("2026-12-24"), 10); err != nil || d != qingqian.MustParseDate("2027-01-08") {
			t.Fatalf("into 2027 once entered = %s %v", d, err)
		}
	})
}

func TestClueLifeCycle(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newReportFixture(t, db)
		clues := sqldb.NewClueService(db)
		reports := f.reports
		clerkA1 := person(f.subA1, 31, "甲一公司填报员", qingqian.RoleClerk)
		f.at("2026-09-30 09:00")
		newClue := func() *qingqian.Clue {
			return &qingqian.Clue{Channel: qingqian.ChannelPlatform, TransferNo: "国减负办转〔2026〕88号", ReceivedOn: qingqian.MustParseDate("2026-09-30"),
				CreditorName: "某某建材有限公司", CreditorUSCC: MustUSCC(t), Respondent: "甲集团一公司", Claimed: qingqian.Yuan(80_000),
				Text: "2024年供应建材货款8万元至今未付。"}
		}
		c := newClue()
		wantCode(t, clues.CreateClue(f.liaisonA, c), qingqian.EFORBIDDEN)
		bad := &qingqian.Clue{Channel: "fax", CreditorUSCC: "123", ReceivedOn: qingqian.MustParseDate("2026-10-02")}
		fs := qingqian.ErrorFields(clues.CreateClue(f.office, bad))
		for _, k := range []string{"channel", "creditor_uscc", "creditor_name", "respondent", "text", "received_on"} {
			if fs[k] == "" {
				t.Errorf("bad clue: no error on %s (%v)", k, fs)
			}
		}
		creditors := count(t, db, "creditors")
		if err := clues.CreateClue(f.office, c); err != nil {
			t.Fatal(err)
		}
		// Forwarded within 10 working days: 1–7 October are off, Saturday 10 October works.
		if c.No != "TS-2026-0001" || c.State != qingqian.ClueReceived || c.ForwardBy != qingqian.MustParseDate("2026-10-20") || count(t, db, "creditors") != creditors+1 {
			t.Fatalf("created %+v", c)
		}
		// The same complainant again is matched by its USCC.
		again := newClue()
		again.CreditorUSCC, again.CreditorName = strings.ToLower(c.CreditorUSCC), "随便写的名字"
		if err := clues.CreateClue(f.office, again); err != nil || again.CreditorID != c.CreditorID || count(t, db, "creditors") != creditors+1 {
			t.Fatalf("second clue of the same firm: %+v %v", again, err)
		}
		// Nobody in the groups sees an unassigned clue.
		_, err := clues.FindClue(f.liaisonA, c.ID)
		wantCode(t, err, qingqian.ENOTFOUND)

		// The office assigns it to group A on 9 October; the answer is due 30 days later, on the
		// Monday after Sunday 8 November.
		f.at("2026-10-09 10:00")
		_, err = clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupA.ID, Version: c.Version})
		if fs := qingqian.ErrorFields(err); fs["responsible_leader"] == "" || fs["responsible_person"] == "" {
			t.Fatalf("assignment without people: %v", err)
		}
		c, err = clues.Assign(f.office, c.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲集团副总经理", ResponsiblePerson: "财务部王某", Version: c.Version})
		if err != nil || c.State != qingqian.ClueAssigned || c.ResultBy != qingqian.MustParseDate("2026-11-09") || c.AssignedOn != qingqian.MustParseDate("2026-10-09") {
			t.Fatalf("assigned %+v %v", c, err)
		}
		_, err = clues.FindClue(f.liaisonB, c.ID)
		wantCode(t, err, qingqian.ENOTFOUND)
		// Group A passes it to its subsidiary, not to group B.
		_, err = clues.Assign(f.liaisonA, c.ID, qingqian.Assignment{OrgID: f.groupB.ID, ResponsibleLeader: "x", ResponsiblePerson: "y", Version: c.Version})
		wantCode(t, err, qingqian.EINVALID)
		c, err = clues.Assign(f.liaisonA, c.ID, qingqian.Assignment{OrgID: f.subA1.ID, ResponsibleLeader: "一公司经理", ResponsiblePerson: "一公司财务", Version: c.Version})
		if err != nil || c.OrgID != f.subA1.ID || c.ResultBy != qingqian.MustParseDate("2026-11-09") {
			t.Fatalf("reassigned %+v %v", c, err)
		}

		// The subsidiary verifies: true. It links a ledger item and records the debt that was
		// missing from its ledger.
		_, err = clues.LinkItem(clerkA1, c.ID, f.itemA1.ID, c.Version)
		wantCode(t, err, qingqian.ECONFLICT) // not verified yet
		c, err = clues.Verify(clerkA1, c.ID, qingqian.Verification{Conclusion: qingqian.ConclusionTrue, Finding: "经核实，2024年货款8万元未付，其中3万元已列入台账。", Version: c.Version})
		if err != nil || c.State != qingqian.ClueVerified || c.VerifiedBy != "甲一公司填报员" {
			t.Fatalf("verify %+v %v", c, err)
		}
		_, err = clues.LinkItem(clerkA1, c.ID, f.itemB.ID, c.Version)
		wantCode(t, err, qingqian.EINVALID)
		c, err = clues.LinkItem(clerkA1, c.ID, f.itemA1.ID, c.Version)
		if err != nil || len(c.Items) != 1 {
			t.Fatalf("link %+v %v", c, err)
		}
		missing := &qingqian.Item{OrgID: f.subA1.ID, ContractNo: "GY-2024-07", ContractName: "建材供应合同", Kind: qingqian.KindGoods,
			ArisenOn: qingqian.MustParseDate("2024-07-31"), Undisputed: qingqian.Yuan(50_000), Origin: qingqian.OriginBaseline, FundingSource: qingqian.FundingOwn}
		c, err = clues.CreateItemFromClue(clerkA1, c.ID, missing, c.Version)
		if err != nil || len(c.Items) != 2 || !c.MissingDebt || missing.Origin != qingqian.OriginComplaint || missing.CreditorID != c.CreditorID {
			t.Fatalf("missing debt: %+v %+v %v", c, missing, err)
		}
		c, err = clues.AddUpdate(clerkA1, c.ID, qingqian.MustParseDate("2026-10-09"), "已与债权企业对账，资金已落实。")
		if err != nil || len(c.Updates) != 1 || c.LastUpdate != qingqian.MustParseDate("2026-10-09") || c.NeedsUpdate(qingqian.MustParseDate("2026-10-16")) {
			t.Fatalf("update %+v %v", c, err)
		}

		// Closing needs every linked item repaid, with vouchers.
		_, err = clues.Close(f.office, c.ID, c.Version)
		if qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(qingqian.ErrorMessage(err), "未清偿") {
			t.Fatalf("closing unpaid: %v", err)
		}
		f.at("2026-10-20 10:00")
		// Everything repaid, both parts, without vouchers for now.
		f.MustRepay(t, clerkA1, f.itemA1.ID, "2026-10-20", qingqian.Yuan(1_000_000))
		if _, err := f.entries.RecordEntry(clerkA1, qingqian.EntryInput{ItemID: f.itemA1.ID, Kind: qingqian.EntryRepay, On: qingqian.MustParseDate("2026-10-20"),
			Amount: qingqian.Yuan(200_000), Part: qingqian.PartDisputed, Method: qingqian.MethodTransfer}); err != nil {
			t.Fatal(err)
		}
		f.MustRepay(t, clerkA1, missing.ID, "2026-10-20", qingqian.Yuan(50_000))
		_, err = clues.Close(f.office, c.ID, c.Version)
		if qingqian.ErrorCode(err) != qingqian.ECONFLICT || !strings.Contains(qingqian.ErrorMessage(err), "未附支付凭证") {
			t.Fatalf("closing without vouchers: %v", err)
		}
		v, _ := f.vouchers.StoreVoucher(clerkA1, "回单.pdf", bytes.NewReader(pdf))
		for _, id := range []int64{f.itemA1.ID, missing.ID} {
			es, _ := f.entries.FindEntries(clerkA1, id)
			for _, e := range es {
				if e.Kind == qingqian.EntryRepay {
					if err := f.vouchers.AttachVoucher(clerkA1, e.ID, v.SHA256); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		_, err = clues.Close(clerkA1, c.ID, c.Version)
		wantCode(t, err, qingqian.EFORBIDDEN)
		c, err = clues.Close(f.office, c.ID, c.Version)
		if err != nil || c.State != qingqian.ClueClosed || c.ClosedOn != qingqian.MustParseDate("2026-10-20") {
			t.Fatalf("close %+v %v", c, err)
		}
		_, err = clues.AddUpdate(clerkA1, c.ID, qingqian.MustParseDate("2026-10-20"), "再补充")
		wantCode(t, err, qingqian.ECONFLICT)
		c, err = clues.RecordFeedback(f.office, c.ID, qingqian.MustParseDate("2026-10-20"), "已书面告知投诉人款项已付清。", qingqian.MustParseDate("2026-10-20"), "satisfied", c.Version)
		if err != nil || c.Satisfaction != "satisfied" {
			t.Fatalf("feedback %+v %v", c, err)
		}

		// The second clue: assigned, found out of scope (duplicate), closed on approval; an
		// extension beyond 90 days is refused.
		again, err = clues.Assign(f.office, again.ID, qingqian.Assignment{OrgID: f.groupA.ID, ResponsibleLeader: "甲集团副总经理", ResponsiblePerson: "财务部王某", Version: again.Version})
		if err != nil {
			t.Fatal(err)
		}
		_, err = clues.Extend(f.office, again.ID, qingqian.MustParseDate("2027-03-01"), "案情复杂", again.Version)
		wantCode(t, err, qingqian.EINVALID)
		again, err = clues.Extend(f.office, again.ID, qingqian.MustParseDate("2026-12-31"), "需核对多年往来账", again.Version)
		if err != nil || again.Deadline() != qingqian.MustParseDate("2026-12-31") {
			t.Fatalf("extend %+v %v", again, err)
		}
		_, err = clues.Verify(f.liaisonA, again.ID, qingqian.Verification{Conclusion: qingqian.ConclusionOutOfScope, Finding: "与 TS-2026-0001 为同一事项", Version: again.Version})
		if qingqian.ErrorFields(err)["out_reason"] == "" {
			t.Fatalf("out of scope without a reason: %v", err)
		}
		again, err = clues.Verify(f.liaisonA, again.ID, qingqian.Verification{Conclusion: qingqian.ConclusionOutOfScope, OutReason: "duplicate", Finding: "与 TS-2026-0001 为同一事项", Version: again.Version})
		if err != nil {
			t.Fatal(err)
		}
		if again, err = clues.Close(f.office, again.ID, again.Version); err != nil || again.State != qingqian.ClueClosed {
			t.Fatalf("close out of scope: %+v %v", again, err)
		}

		// A third clue, never forwarded, is overdue after 10 working days; one received at
		// Christmas has a provisional forwarding deadline until 2027 is entered.
		late := newClue()
		late.ReceivedOn = qingqian.MustParseDate("2026-10-20")
		if err := clues.CreateClue(f.office, late); err != nil {
			t.Fatal(err)
		}
		f.at("2026-12-24 10:00")
		xmas := newClue()
		xmas.ReceivedOn = qingqian.MustParseDate("2026-12-24")
		if err := clues.CreateClue(f.office, xmas); err != nil {
			t.Fatal(err)
		}
		if xmas.ForwardBy != qingqian.MustParseDate("2027-01-07") || !xmas.ForwardByProvisional || !strings.Contains(xmas.DeadlineNote, "2027年的节假日安排尚未录入") {
			t.Fatalf("deadline into 2027: %+v", xmas)
		}
		over, n, err := clues.FindClues(f.office, qingqian.ClueFilter{Overdue: true})
		if err != nil || n != 1 || over[0].ID != late.ID {
			t.Fatalf("overdue clues: %d %v", n, err)
		}
		if _, n, _ := clues.FindClues(f.office, qingqian.ClueFilter{Channel: qingqian.ChannelPlatform, State: qingqian.ClueClosed}); n != 2 {
			t.Fatalf("closed platform clues: %d", n)
		}
		if list, n, _ := clues.FindClues(f.liaisonA, qingqian.ClueFilter{}); n != 2 || len(list) != 2 {
			t.Fatalf("group A sees %d clues", n)
		}

		// The group is marked for the debt missing from its ledger; an open clue makes a zero
		// report doubtful.
		pr, err := sqldb.NewSupervisionService(db).Progress(f.office, qingqian.Date{})
		if err != nil || pr.Groups[0].MissingDebts != 1 || pr.Groups[1].MissingDebts != 0 {
			t.Fatalf("progress: %+v %v", pr, err)
		}
		open := newClue()
		if err := clues.CreateClue(f.office, open); err != nil {
			t.Fatal(err)
		}
		if _, err := clues.Assign(f.office, open.ID, qingqian.Assignment{OrgID: f.groupB.ID, ResponsibleLeader: "乙领导", ResponsiblePerson: "乙财务", Version: open.Version}); err != nil {
			t.Fatal(err)
		}
		p := &qingqian.Period{Kind: qingqian.PeriodMonthly, AsOf: qingqian.MustParseDate("2026-11-30"), Deadline: qingqian.MustParseDate("2026-12-31")}
		if err := reports.OpenPeriod(f.office, p); err != nil {
			t.Fatal(err)
		}
		f.MustRepay(t, f.liaisonB, f.itemB.ID, "2026-12-01", qingqian.Yuan(50_000))
		sub, err := reports.Prepare(f.liaisonB, qingqian.SubmissionInput{PeriodID: p.ID, Zero: true})
		if err != nil || len(sub.Flags) != 2 || !strings.Contains(sub.Flags[1], "1 条投诉举报线索未销号") {
			t.Fatalf("zero report with an open clue: %q %v", sub.Flags, err)
		}
	})
}

// The shipped years a database lacks are loaded by migration 0030; a year it holds — maybe as an
// administrator entered or corrected it — is left as it is.
func TestMissingShippedYearsLoaded(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		cs := sqldb.NewCalendarService(db)
		for _, q := range []string{`DELETE FROM calendar_days WHERE day >= '2021-01-01' AND day < '2022-01-01'`, `DELETE FROM calendar_years WHERE year = 2021`} {
			if err := db.ExecForTest(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		mine := []qingqian.CalendarDay{{Day: qingqian.MustParseDate("2024-01-01"), Kind: qingqian.DayOff, Name: "元旦"}}
		if err := cs.SetCalendarYear(f.sys, 2024, "本单位核对后录入", mine); err != nil {
			t.Fatal(err)
		}
		if err := db.InTxForTest(context.Background(), qingqian.SystemActor("migrate"), func(tx *sqldb.Tx) error { return tx.MigrateCalendarAndPayablesForTest(context.Background()) }); err != nil {
			t.Fatal(err)
		}
		days := map[int]int{}
		years, err := cs.FindCalendarYears(f.sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, y := range years {
			days[y.Year] = y.Days
			if y.Year == 2024 && y.Source != "本单位核对后录入" {
				t.Fatalf("2024 replaced: %+v", y)
			}
		}
		if len(years) != 7 || days[2021] != 38 || days[2024] != 1 {
			t.Fatalf("years after the migration's step: %v", days)
		}
	})
}
