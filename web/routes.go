package web

import (
	_ "embed"
	"net/http"

	"github.com/qingqian/qingqian"
)

// route is one method and path pattern and the handler that serves it.
type route struct {
	pattern string
	h       func(w http.ResponseWriter, r *http.Request) error
}

// routes registers every route: the probes, the API (a bearer token per request), the static
// files, and the workbench (a signed-in user per request).
func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	m.HandleFunc("GET /readyz", s.handleReady)
	m.HandleFunc("GET /metrics", s.handleMetrics)
	m.HandleFunc("GET /api/v1/openapi.json", s.handleOpenAPI)
	for _, rt := range s.apiRoutes() {
		m.Handle(rt.pattern, s.api(rt.h))
	}
	m.HandleFunc("GET /static/{file}", s.static.serve)
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.static.url("favicon.svg"), http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	// The creditor's own reply to a confirmation letter, without an account (signal.go); it
	// answers 404 unless the server offers it.
	m.HandleFunc("GET /confirm", s.confirmPage)
	m.HandleFunc("POST /confirm", s.confirmLookup)
	m.HandleFunc("POST /confirm/reply", s.confirmReply)
	for _, rt := range s.htmlRoutes() {
		m.Handle(rt.pattern, s.page(rt.h))
	}
	m.Handle("/", s.page(func(w http.ResponseWriter, r *http.Request) error {
		return qingqian.Errorf(qingqian.ENOTFOUND, "页面不存在")
	}))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, qingqian.Errorf(qingqian.ENOTFOUND, "接口不存在：%s %s", r.Method, r.URL.Path))
	})
}

// htmlRoutes lists the workbench's routes, by the file that serves them; the permission matrix
// test walks them. (The list is also built on an empty server: it only names methods.)
func (s *Server) htmlRoutes() []route {
	return []route{
		// dashboard.go
		{"GET /{$}", s.dashboard},
		// item.go, entry.go, plan.go, voucher.go
		{"GET /ledger", s.ledger},
		{"GET /items/new", s.newItemPage},
		{"POST /items/new", s.createItemForm},
		{"GET /items/{id}", s.itemPage},
		{"POST /items/{id}/entries", s.recordEntryForm},
		{"POST /items/{id}/plan", s.planForm},
		{"POST /entries/{id}/reverse", s.reverseForm},
		{"POST /entries/{id}/vouchers", s.attachVoucherForm},
		{"GET /vouchers/{sha256}", s.serveVoucher},
		// org.go, creditor.go
		{"GET /orgs", s.orgsPage},
		{"POST /orgs", s.createOrgForm},
		{"GET /creditors", s.creditorsPage},
		{"POST /creditors", s.createCreditorForm},
		{"GET /creditors/{id}", s.creditorPage},
		{"POST /creditors/{id}", s.updateCreditorForm},
		{"POST /creditor-changes/{id}/decide", s.decideCreditorChangeForm},
		// user.go (GET and POST /login are served without a session)
		{"GET /users", s.usersPage},
		{"POST /users", s.createUserForm},
		{"POST /users/{id}/reset", s.resetPasswordForm},
		{"POST /users/{id}/active", s.userActiveForm},
		{"POST /users/{id}/roles", s.userRolesForm},
		{"POST /users/{id}/totp/disable", s.userTOTPOffForm},
		{"POST /tokens", s.createTokenForm},
		{"POST /tokens/{id}/revoke", s.revokeTokenForm},
		{"GET /password", s.passwordPage},
		{"POST /password", s.changePasswordForm},
		{"GET /account/totp", s.totpPage},
		{"POST /account/totp", s.totpForm},
		{"POST /account/totp/disable", s.totpOffForm},
		{"GET /security", s.securityPage},
		{"POST /security", s.securityForm},
		{"POST /logout", s.logout},
		// audit.go
		{"GET /audit", s.auditPage},
		{"GET /audit/export", s.exportAudit},
		// import.go
		{"GET /ledger/export", s.exportLedger},
		{"GET /creditors/export", s.exportCreditors},
		{"GET /orgs/export", s.exportOrgs},
		{"GET /templates/{kind}", s.template},
		{"GET /imports/new", s.importPage},
		{"POST /imports", s.startImport},
		{"GET /imports/{id}", s.importStatus},
		{"POST /imports/{id}/confirm", s.confirmImport},
		{"GET /imports/{id}/errors", s.importErrors},
		// report.go, report_issue.go
		{"GET /periods", s.periodsPage},
		{"POST /periods", s.openPeriodForm},
		{"POST /periods/generate", s.generatePeriodsForm},
		{"POST /periods/{id}/remind", s.remindForm},
		{"GET /periods/{id}", s.periodPage},
		{"POST /periods/{id}/prepare", s.prepareForm},
		{"GET /periods/{id}/report", s.reportPage},
		{"GET /periods/{id}/report/export", s.exportReport},
		{"POST /periods/{id}/report/issue", s.issueReportForm},
		{"GET /submissions/{id}", s.submissionPage},
		{"POST /submissions/{id}/sign", s.signForm},
		{"POST /submissions/{id}/check", s.checkZeroForm},
		{"GET /progress", s.progressPage},
		{"POST /progress/rule", s.slowRuleForm},
		// supervision.go
		{"GET /notices", s.noticesPage},
		{"POST /notices", s.issueNoticeForm},
		{"GET /notices/{id}", s.noticePage},
		{"POST /notices/{id}/reply", s.replyNoticeForm},
		{"POST /notices/{id}/close", s.closeNoticeForm},
		{"GET /interviews", s.interviewsPage},
		{"POST /interviews", s.recordInterviewForm},
		{"GET /interviews/export", s.exportInterviews},
		{"GET /interviews/{id}", s.interviewPage},
		{"POST /commitments/{id}/follow-up", s.followUpForm},
		// clue.go
		{"GET /clues", s.cluesPage},
		{"POST /clues", s.createClueForm},
		{"GET /clues/export", s.exportClues},
		{"GET /clues/{id}", s.cluePage},
		{"POST /clues/{id}/{action}", s.clueActionForm},
		// court.go
		{"GET /cases", s.casesPage},
		{"POST /cases", s.createCaseForm},
		{"GET /cases/{id}", s.casePage},
		{"POST /cases/{id}/{action}", s.caseActionForm},
		{"GET /disputes", s.disputesPage},
		{"GET /disputes/export", s.exportDisputes},
		// calendar.go
		{"GET /calendar", s.calendarPage},
		{"POST /calendar", s.calendarForm},
		// campaign.go
		{"GET /campaigns", s.campaignsPage},
		{"POST /campaigns", s.launchCampaignForm},
		{"GET /campaigns/{id}", s.campaignPage},
		{"GET /campaigns/{id}/annex", s.campaignAnnex},
		{"POST /campaigns/{id}/answer", s.prepareAnswerForm},
		{"POST /campaigns/{id}/close", s.closeCampaignForm},
		// campaign_rhythm.go
		{"POST /campaigns/{id}/remind", s.remindCampaignForm},
		{"GET /campaign-answers/{id}", s.answerPage},
		{"POST /campaign-answers/{id}/sign", s.signAnswerForm},
		// circular.go
		{"GET /circulars", s.circularsPage},
		{"POST /circulars", s.sendCircularForm},
		{"GET /circulars/{id}", s.circularPage},
		{"POST /circulars/{id}/receipt", s.signForCircularForm},
		{"POST /circulars/{id}/reply", s.replyCircularForm},
		{"POST /circulars/{id}/pass-down", s.passDownCircularForm},
		// cause.go
		{"GET /causes", s.causesPage},
		{"POST /clues/{id}/cause", s.clueCauseForm},
		{"POST /items/{id}/cause", s.itemCauseForm},
		{"GET /campaigns/{id}/export", s.exportCampaign},
		{"GET /circulars/{id}/export", s.exportReceipts},
		{"GET /causes/export", s.exportCauses},
		// contract.go
		{"GET /contracts", s.contractsPage},
		{"GET /contracts/new", s.newContractPage},
		{"POST /contracts/new", s.createContractForm},
		{"GET /contracts/{id}", s.contractPage},
		{"POST /contracts/{id}/events", s.addContractEventForm},
		// contract_export.go
		{"GET /contracts/export", s.exportContracts},
		{"GET /contracts/{id}/export", s.exportContract},
		{"GET /payables/export", s.exportPayables},
		{"GET /disclosures/{id}/export", s.exportDisclosure},
		// contract_correct.go
		{"GET /contracts/{id}/correct", s.correctContractPage},
		{"POST /contracts/{id}/correct", s.correctContractForm},
		{"POST /contracts/{id}/cancel", s.cancelContractForm},
		{"POST /contracts/{id}/events/{event}/void", s.contractEventForm(true)},
		{"POST /contracts/{id}/events/{event}/end", s.contractEventForm(false)},
		{"GET /lpr", s.lprPage},
		{"POST /lpr", s.lprForm},
		// payable.go
		{"GET /payables/aging", s.agingPage},
		{"GET /payables", s.payablesPage},
		{"GET /payables/timely", s.timelyPage},
		{"POST /payables/arrears", s.raiseArrearsForm},
		// bill.go
		{"GET /bills", s.billsPage},
		{"POST /items/{id}/bills", s.recordBillForm},
		{"POST /bills/{id}/honour", s.closeBillForm(qingqian.BillHonoured)},
		{"POST /bills/{id}/dishonour", s.closeBillForm(qingqian.BillDishonoured)},
		{"POST /bills/{id}/return", s.closeBillForm(qingqian.BillReturned)},
		// statement.go
		{"GET /statements", s.statementsPage},
		{"POST /statements", s.importStatementForm},
		{"GET /statements/{id}/file", s.statementFile},
		{"POST /statement-lines/{id}/match", s.matchLineForm(false)},
		{"POST /statement-lines/{id}/unmatch", s.matchLineForm(true)},
		// disclosure.go
		{"GET /disclosures", s.disclosuresPage},
		{"POST /disclosures", s.prepareDisclosureForm},
		{"GET /disclosures/{id}", s.disclosurePage},
		{"POST /disclosures/{id}/sign", s.signDisclosureForm},
		// letter.go, signal.go
		{"GET /letters", s.lettersPage},
		{"POST /letters", s.issueLettersForm},
		{"GET /letters/export", s.exportLetters},
		{"GET /letters/{id}", s.letterPage},
		{"POST /letters/{id}/reply", s.replyLetterForm},
		{"POST /letters/{id}/resolve", s.resolveLetterForm},
		{"GET /signals", s.signalsPage},
		{"GET /signals/export", s.exportSignals},
	}
}

// apiRoutes lists every API route, by the file that serves it; the OpenAPI document and the
// permission matrix test are checked against this list.
func (s *Server) apiRoutes() []route {
	return []route{
		// org.go
		{"GET /api/v1/orgs", s.listOrgs},
		{"POST /api/v1/orgs", s.createOrg},
		{"GET /api/v1/orgs/{id}", s.getOrg},
		{"PATCH /api/v1/orgs/{id}", s.updateOrg},
		{"DELETE /api/v1/orgs/{id}", s.deleteOrg},
		{"POST /api/v1/orgs/{id}/move", s.moveOrg},
		{"GET /api/v1/orgs/{id}/totals", s.orgTotals},
		// creditor.go
		{"GET /api/v1/creditors", s.listCreditors},
		{"POST /api/v1/creditors", s.createCreditor},
		{"GET /api/v1/creditors/{id}", s.getCreditor},
		{"PATCH /api/v1/creditors/{id}", s.updateCreditor},
		{"POST /api/v1/creditors/{id}/changes", s.requestCreditorChange},
		{"GET /api/v1/creditor-changes", s.listCreditorChanges},
		{"POST /api/v1/creditor-changes/{id}/decision", s.decideCreditorChange},
		// item.go, entry.go, plan.go, voucher.go
		{"GET /api/v1/items", s.listItems},
		{"POST /api/v1/items", s.createItem},
		{"GET /api/v1/items/{id}", s.getItem},
		{"PATCH /api/v1/items/{id}", s.updateItem},
		{"GET /api/v1/items/{id}/entries", s.listEntries},
		{"POST /api/v1/items/{id}/entries", s.createEntry},
		{"GET /api/v1/items/{id}/plans", s.listPlans},
		{"POST /api/v1/items/{id}/plans", s.revisePlan},
		{"POST /api/v1/entries", s.createEntries},
		{"GET /api/v1/entries/{id}", s.getEntry},
		{"POST /api/v1/entries/{id}/reversal", s.reverseEntry},
		{"POST /api/v1/entries/{id}/vouchers", s.attachVoucher},
		{"POST /api/v1/vouchers", s.uploadVoucher},
		{"GET /api/v1/vouchers/{sha256}", s.downloadVoucher},
		{"GET /api/v1/vouchers/{sha256}/entries", s.voucherEntries},
		// audit.go
		{"GET /api/v1/audit", s.listAudit},
		// import.go
		{"POST /api/v1/imports/{kind}", s.apiImport},
		// report.go
		{"GET /api/v1/periods", s.listPeriods},
		{"POST /api/v1/periods", s.openPeriod},
		{"GET /api/v1/periods/{id}", s.getPeriod},
		{"GET /api/v1/periods/{id}/submissions", s.listSubmissions},
		{"POST /api/v1/periods/{id}/submissions", s.prepareSubmission},
		{"GET /api/v1/periods/{id}/report", s.getReport},
		{"POST /api/v1/periods/{id}/report", s.issueReport},
		{"GET /api/v1/submissions/{id}", s.getSubmission},
		{"POST /api/v1/submissions/{id}/sign", s.signSubmission},
		{"POST /api/v1/submissions/{id}/check", s.checkZeroReport},
		{"GET /api/v1/progress", s.getProgress},
		// supervision.go
		{"GET /api/v1/notices", s.listNotices},
		{"POST /api/v1/notices", s.issueNotice},
		{"GET /api/v1/notices/{id}", s.getNotice},
		{"POST /api/v1/notices/{id}/reply", s.replyNotice},
		{"POST /api/v1/notices/{id}/close", s.closeNotice},
		{"GET /api/v1/interviews", s.listInterviews},
		{"POST /api/v1/interviews", s.recordInterview},
		{"GET /api/v1/interviews/{id}", s.getInterview},
		{"POST /api/v1/commitments/{id}/follow-up", s.followUpCommitment},
		// clue.go
		{"GET /api/v1/clues", s.listClues},
		{"POST /api/v1/clues", s.createClue},
		{"GET /api/v1/clues/{id}", s.getClue},
		{"POST /api/v1/clues/{id}/assign", s.assignClue},
		{"POST /api/v1/clues/{id}/verify", s.verifyClue},
		{"POST /api/v1/clues/{id}/items", s.linkClueItem},
		{"POST /api/v1/clues/{id}/updates", s.addClueUpdate},
		{"POST /api/v1/clues/{id}/close", s.closeClue},
		{"POST /api/v1/clues/{id}/missing-items", s.createClueItem},
		{"POST /api/v1/clues/{id}/extension", s.extendClue},
		{"POST /api/v1/clues/{id}/feedback", s.clueFeedback},
		{"POST /api/v1/clues/{id}/callback", s.clueCallback},
		// court.go
		{"GET /api/v1/cases", s.listCases},
		{"POST /api/v1/cases", s.createCase},
		{"GET /api/v1/cases/{id}", s.getCase},
		{"POST /api/v1/cases/{id}/events", s.addCaseEvent},
		{"POST /api/v1/cases/{id}/decisions", s.decideCase},
		{"GET /api/v1/disputes", s.getDisputes},
		// campaign.go
		{"GET /api/v1/campaigns", s.listCampaigns},
		{"POST /api/v1/campaigns", s.launchCampaign},
		{"GET /api/v1/campaigns/{id}", s.getCampaign},
		{"POST /api/v1/campaigns/{id}/close", s.closeCampaign},
		// campaign_rhythm.go
		{"POST /api/v1/campaigns/{id}/remind", s.remindCampaign},
		{"GET /api/v1/campaigns/{id}/answers", s.listAnswers},
		{"POST /api/v1/campaigns/{id}/answers", s.prepareAnswer},
		{"GET /api/v1/campaigns/{id}/rectification", s.getRectification},
		{"GET /api/v1/campaign-answers/{id}", s.getAnswer},
		{"POST /api/v1/campaign-answers/{id}/sign", s.signAnswer},
		// circular.go
		{"GET /api/v1/circulars", s.listCirculars},
		{"POST /api/v1/circulars", s.sendCircular},
		{"GET /api/v1/circulars/{id}", s.getCircular},
		{"POST /api/v1/circulars/{id}/receipt", s.signForCircular},
		{"POST /api/v1/circulars/{id}/reply", s.replyCircular},
		{"POST /api/v1/circulars/{id}/pass-down", s.passDownCircular},
		// cause.go
		{"GET /api/v1/causes", s.listCauses},
		{"GET /api/v1/causes/analysis", s.getCauseAnalysis},
		{"POST /api/v1/clues/{id}/cause", s.setClueCause},
		{"POST /api/v1/items/{id}/cause", s.setItemCause},
		// contract.go
		{"GET /api/v1/contracts", s.listContracts},
		{"POST /api/v1/contracts", s.createContract},
		{"GET /api/v1/contracts/{id}", s.getContract},
		{"POST /api/v1/contracts/{id}/events", s.addContractEvent},
		{"POST /api/v1/contract-events", s.addContractEvents},
		// contract_correct.go
		{"POST /api/v1/contracts/{id}/correct", s.correctContract},
		{"POST /api/v1/contracts/{id}/cancel", s.cancelContract},
		{"POST /api/v1/contract-events/{id}/void", s.voidContractEvent},
		{"POST /api/v1/contract-events/{id}/end", s.endContractEvent},
		{"GET /api/v1/lpr", s.getLPR},
		{"POST /api/v1/lpr", s.setLPR},
		// payable.go
		{"GET /api/v1/payables/aging", s.getAging},
		{"GET /api/v1/payables", s.listPayables},
		{"POST /api/v1/payables/arrears", s.raiseArrears},
		{"GET /api/v1/payables/timely", s.getTimely},
		// disclosure.go
		{"GET /api/v1/disclosures", s.listDisclosures},
		{"POST /api/v1/disclosures", s.prepareDisclosure},
		{"GET /api/v1/disclosures/{id}", s.getDisclosure},
		{"POST /api/v1/disclosures/{id}/sign", s.signDisclosure},
		// bill.go
		{"GET /api/v1/items/{id}/bills", s.listBills},
		{"POST /api/v1/items/{id}/bills", s.createBill},
		{"POST /api/v1/bills/{id}/honour", s.honourBill},
		{"POST /api/v1/bills/{id}/dishonour", s.dishonourBill},
		{"POST /api/v1/bills/{id}/return", s.returnBill},
		{"GET /api/v1/bills/unhonoured", s.unhonouredBills},
		// statement.go
		{"POST /api/v1/statement-files", s.uploadStatementFile},
		{"POST /api/v1/statements", s.importStatement},
		{"GET /api/v1/statements/{id}/file", s.statementFile},
		{"GET /api/v1/statements/reconciliation", s.getReconciliation},
		{"POST /api/v1/statement-lines/{id}/match", s.matchLine},
		{"POST /api/v1/statement-lines/{id}/unmatch", s.unmatchLine},
		{"GET /api/v1/repayments/without-line", s.repaymentsWithoutLine},
		// letter.go, signal.go
		{"GET /api/v1/letters", s.listLetters},
		{"POST /api/v1/letters", s.issueLetters},
		{"GET /api/v1/letters/{id}", s.getLetter},
		{"POST /api/v1/letters/{id}/reply", s.replyLetter},
		{"POST /api/v1/letters/{id}/resolution", s.resolveLetter},
		{"GET /api/v1/signals", s.getSignals},
	}
}

// RoutePatterns lists the API's method and path patterns, as the OpenAPI document names them.
func RoutePatterns() []string {
	var out []string
	for _, rt := range (&Server{}).apiRoutes() {
		out = append(out, rt.pattern)
	}
	return out
}

// HTMLRoutePatterns lists the workbench's method and path patterns that need a signed-in user.
func HTMLRoutePatterns() []string {
	var out []string
	for _, rt := range (&Server{}).htmlRoutes() {
		out = append(out, rt.pattern)
	}
	return out
}

//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}
