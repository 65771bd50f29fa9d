package web

import (
	"context"
	_ "embed"
	"net/http"

	"github.com/qingqian/qingqian"
)

type route struct {
	pattern string
	h       func(w http.ResponseWriter, r *http.Request) error
}

// apiRoutes lists every API route; the OpenAPI document is checked against this list.
func (s *Server) apiRoutes() []route {
	return append([]route{
		{"GET /api/v1/orgs", s.listOrgs},
		{"POST /api/v1/orgs", s.createOrg},
		{"GET /api/v1/orgs/{id}", s.getOrg},
		{"PATCH /api/v1/orgs/{id}", s.updateOrg},
		{"DELETE /api/v1/orgs/{id}", s.deleteOrg},
		{"POST /api/v1/orgs/{id}/move", s.moveOrg},
		{"GET /api/v1/orgs/{id}/totals", s.orgTotals},
		{"GET /api/v1/creditors", s.listCreditors},
		{"POST /api/v1/creditors", s.createCreditor},
		{"GET /api/v1/creditors/{id}", s.getCreditor},
		{"PATCH /api/v1/creditors/{id}", s.updateCreditor},
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
		{"GET /api/v1/audit", s.listAudit},
		{"POST /api/v1/imports/{kind}", s.apiImport},
	}, append(s.reportAPIRoutes(), s.clueAPIRoutes()...)...)
}

// htmlRoutes lists the workbench's routes; the permission matrix test walks them.
func (s *Server) htmlRoutes() []route {
	return append([]route{
		{"GET /{$}", s.dashboard},
		{"GET /ledger", s.ledger},
		{"GET /items/new", s.newItemPage},
		{"POST /items/new", s.createItemForm},
		{"GET /items/{id}", s.itemPage},
		{"POST /items/{id}/entries", s.recordEntryForm},
		{"POST /items/{id}/plan", s.planForm},
		{"POST /entries/{id}/reverse", s.reverseForm},
		{"GET /vouchers/{sha256}", s.serveVoucher},
		{"GET /orgs", s.orgsPage},
		{"POST /orgs", s.createOrgForm},
		{"GET /creditors", s.creditorsPage},
		{"POST /creditors", s.createCreditorForm},
		{"GET /users", s.usersPage},
		{"POST /users", s.createUserForm},
		{"POST /users/{id}/reset", s.resetPasswordForm},
		{"POST /users/{id}/active", s.userActiveForm},
		{"POST /tokens", s.createTokenForm},
		{"POST /tokens/{id}/revoke", s.revokeTokenForm},
		{"GET /audit", s.auditPage},
		{"GET /ledger/export", s.exportLedger},
		{"GET /creditors/export", s.exportCreditors},
		{"GET /orgs/export", s.exportOrgs},
		{"GET /templates/{kind}", s.template},
		{"GET /imports/new", s.importPage},
		{"POST /imports", s.startImport},
		{"GET /imports/{id}", s.importStatus},
		{"POST /imports/{id}/confirm", s.confirmImport},
		{"GET /imports/{id}/errors", s.importErrors},
		{"GET /password", s.passwordPage},
		{"POST /password", s.changePasswordForm},
		{"POST /logout", s.logout},
	}, append(s.reportRoutes(), s.clueRoutes()...)...)
}

// reportRoutes are the workbench's pages for reporting periods, submissions, consolidated
// reports, progress, supervision notices and interviews.
func (s *Server) reportRoutes() []route {
	return []route{
		{"GET /periods", s.periodsPage},
		{"POST /periods", s.openPeriodForm},
		{"POST /periods/generate", s.generatePeriodsForm},
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
	}
}

// clueRoutes are the workbench's pages for complaint clues, court cases, the disputed-debt
// table and the holiday calendar.
func (s *Server) clueRoutes() []route {
	return []route{
		{"GET /clues", s.cluesPage},
		{"POST /clues", s.createClueForm},
		{"GET /clues/export", s.exportClues},
		{"GET /clues/{id}", s.cluePage},
		{"POST /clues/{id}/{action}", s.clueActionForm},
		{"GET /cases", s.casesPage},
		{"POST /cases", s.createCaseForm},
		{"GET /cases/{id}", s.casePage},
		{"POST /cases/{id}/{action}", s.caseActionForm},
		{"GET /disputes", s.disputesPage},
		{"GET /disputes/export", s.exportDisputes},
		{"GET /calendar", s.calendarPage},
		{"POST /calendar", s.calendarForm},
	}
}

// reportAPIRoutes are the API's routes for periods, submissions, reports and supervision.
func (s *Server) reportAPIRoutes() []route {
	return []route{
		{"GET /api/v1/periods", s.listPeriods},
		{"POST /api/v1/periods", s.openPeriod},
		{"GET /api/v1/periods/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Period, error) { return s.Reports.FindPeriod(ctx, id) })},
		{"GET /api/v1/periods/{id}/submissions", byID(func(ctx context.Context, id int64) (map[string]any, error) {
			subs, err := s.Reports.FindSubmissions(ctx, id)
			return map[string]any{"items": subs}, err
		})},
		{"POST /api/v1/periods/{id}/submissions", s.prepareSubmission},
		{"GET /api/v1/periods/{id}/report", byID(func(ctx context.Context, id int64) (*qingqian.Report, error) { return s.Reports.Report(ctx, id) })},
		{"POST /api/v1/periods/{id}/report", s.issueReport},
		{"GET /api/v1/submissions/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Submission, error) {
			return s.Reports.FindSubmission(ctx, id)
		})},
		{"POST /api/v1/submissions/{id}/sign", s.signSubmission},
		{"POST /api/v1/submissions/{id}/check", s.checkZeroReport},
		{"GET /api/v1/progress", s.getProgress},
		{"GET /api/v1/notices", s.listNotices},
	}
}

// clueAPIRoutes are the API's routes for complaint clues, court cases and the disputed-debt
// table.
func (s *Server) clueAPIRoutes() []route {
	return []route{
		{"GET /api/v1/clues", s.listClues},
		{"POST /api/v1/clues", s.createClue},
		{"GET /api/v1/clues/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Clue, error) { return s.Clues.FindClue(ctx, id) })},
		{"POST /api/v1/clues/{id}/assign", s.assignClue},
		{"POST /api/v1/clues/{id}/verify", s.verifyClue},
		{"POST /api/v1/clues/{id}/items", s.linkClueItem},
		{"POST /api/v1/clues/{id}/updates", s.addClueUpdate},
		{"POST /api/v1/clues/{id}/close", s.closeClue},
		{"GET /api/v1/cases", s.listCases},
		{"POST /api/v1/cases", s.createCase},
		{"GET /api/v1/cases/{id}", byID(func(ctx context.Context, id int64) (*qingqian.Case, error) { return s.Cases.FindCase(ctx, id) })},
		{"POST /api/v1/cases/{id}/events", s.addCaseEvent},
		{"POST /api/v1/cases/{id}/decisions", s.decideCase},
		{"GET /api/v1/disputes", s.getDisputes},
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
