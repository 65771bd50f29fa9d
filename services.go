package qingqian

// Services are every service of the system in one value: what the web server, the command line
// and the demo loader work through. sqldb.NewServices makes them over one database.
type Services struct {
	Orgs        OrgService
	Creditors   CreditorService
	Items       ItemService
	Entries     EntryService
	Plans       PlanService
	Vouchers    VoucherService
	Totals      TotalsService
	Audit       AuditService
	Tokens      TokenService
	Users       UserService
	Imports     ImportService
	Reports     ReportService
	Supervision SupervisionService
	Clues       ClueService
	Cases       CaseService
	Calendar    CalendarService
	Campaigns   CampaignService
	Circulars   CircularService
	Causes      CauseService
	LPR         LPRService
	Contracts   ContractService
	Aging       AgingService
	Disclosures DisclosureService
	Bills       BillService
	Statements  StatementService
	Letters     LetterService
	Signals     SignalService
}
