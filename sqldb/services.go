package sqldb

import "github.com/qingqian/qingqian"

// NewServices returns every service over db: the one place where they are wired.
func NewServices(db *DB) qingqian.Services {
	return qingqian.Services{
		Orgs:        NewOrgService(db),
		Creditors:   NewCreditorService(db),
		Items:       NewItemService(db),
		Entries:     NewEntryService(db),
		Plans:       NewPlanService(db),
		Vouchers:    NewVoucherService(db),
		Totals:      NewTotalsService(db),
		Audit:       NewAuditService(db),
		Tokens:      NewTokenService(db),
		Users:       NewUserService(db),
		Imports:     NewImportService(db),
		Reports:     NewReportService(db),
		Supervision: NewSupervisionService(db),
		Clues:       NewClueService(db),
		Cases:       NewCaseService(db),
		Calendar:    NewCalendarService(db),
		Campaigns:   NewCampaignService(db),
		Circulars:   NewCircularService(db),
		Causes:      NewCauseService(db),
		LPR:         NewLPRService(db),
		Contracts:   NewContractService(db),
		Aging:       NewAgingService(db),
		Disclosures: NewDisclosureService(db),
		Bills:       NewBillService(db),
		Statements:  NewStatementService(db),
		Letters:     NewLetterService(db),
		Signals:     NewSignalService(db),
	}
}
