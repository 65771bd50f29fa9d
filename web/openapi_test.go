package web

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"net/http"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

// apiOp is what one operation of the API reads and answers, in Go types.
type apiOp struct {
	form   bool         // the body is a multipart/form-data upload
	req    reflect.Type // the JSON body; nil when there is none
	status int          // the status of success
	also   int          // another status answered with resp (imports: 422, the file has problems)
	resp   reflect.Type // the JSON answer; nil when there is none or it is a file
	// alsoResp is the JSON answer of the other status when it differs from resp (a dry run).
	alsoResp reflect.Type
	files    []string // the files of a form, read from the handler's source
}

// items is the {"items": [...]} that several handlers write as a map.
type items[T any] struct {
	Items []T `json:"items"`
}

// itemPage is what listItems writes.
type itemPage struct {
	list[*qingqian.Item]
	TotalOutstanding qingqian.Money `json:"total_outstanding"`
	Next             string         `json:"next,omitempty"`
	Prev             string         `json:"prev,omitempty"`
}

// entryBatch is what createEntries reads: it decodes "entries" as raw messages and each of them
// as a batchEntryInput.
type entryBatch struct {
	Entries []batchEntryInput `json:"entries"`
}

// inSource marks a body that its handler declares as an anonymous struct: the test reads the
// struct from the handler's source.
type inSource struct{}

func typ[T any]() reflect.Type { return reflect.TypeFor[T]() }

var (
	org            = typ[*qingqian.Org]()
	creditor       = typ[*qingqian.Creditor]()
	creditorChange = typ[*qingqian.CreditorChange]()
	item           = typ[*qingqian.Item]()
	entry          = typ[*qingqian.Entry]()
	period         = typ[*qingqian.Period]()
	submission     = typ[*qingqian.Submission]()
	report         = typ[*qingqian.Report]()
	clue           = typ[*qingqian.Clue]()
	notice         = typ[*qingqian.Notice]()
	interview      = typ[*qingqian.Interview]()
	courtCase      = typ[*qingqian.Case]()
	fromSource     = typ[inSource]()
)

// apiOps maps every operation of the API to its Go types. The request types, the statuses and
// the files of a form are checked against the handlers' source; the answers are what the
// handlers give writeJSON, as read from them (an answer built in a handler is spelt out above).
var apiOps = map[string]apiOp{
	"GET /api/v1/orgs":                            {status: 200, resp: typ[list[*qingqian.Org]]()},
	"POST /api/v1/orgs":                           {req: typ[orgInput](), status: 201, resp: org},
	"GET /api/v1/orgs/{id}":                       {status: 200, resp: org},
	"PATCH /api/v1/orgs/{id}":                     {req: typ[qingqian.OrgUpdate](), status: 200, resp: org},
	"DELETE /api/v1/orgs/{id}":                    {status: 204},
	"POST /api/v1/orgs/{id}/move":                 {req: fromSource, status: 200, resp: org},
	"GET /api/v1/orgs/{id}/totals":                {status: 200, resp: typ[*qingqian.Totals]()},
	"GET /api/v1/creditors":                       {status: 200, resp: typ[list[*qingqian.Creditor]]()},
	"POST /api/v1/creditors":                      {req: typ[creditorInput](), status: 201, resp: creditor},
	"GET /api/v1/creditors/{id}":                  {status: 200, resp: creditor},
	"PATCH /api/v1/creditors/{id}":                {req: typ[qingqian.CreditorUpdate](), status: 200, resp: creditor},
	"POST /api/v1/creditors/{id}/changes":         {req: typ[changeInput](), status: 201, resp: creditorChange},
	"GET /api/v1/creditor-changes":                {status: 200, resp: typ[items[*qingqian.CreditorChange]]()},
	"POST /api/v1/creditor-changes/{id}/decision": {req: typ[decisionInput](), status: 200, resp: creditorChange},
	"GET /api/v1/items":                           {status: 200, resp: typ[itemPage]()},
	"POST /api/v1/items":                          {req: typ[itemInput](), status: 201, resp: item},
	"GET /api/v1/items/{id}":                      {status: 200, resp: item},
	"PATCH /api/v1/items/{id}":                    {req: typ[qingqian.ItemUpdate](), status: 200, resp: item},
	"GET /api/v1/items/{id}/entries":              {status: 200, resp: typ[items[*qingqian.Entry]]()},
	"POST /api/v1/items/{id}/entries":             {req: typ[entryInput](), status: 201, resp: entry},
	"GET /api/v1/items/{id}/plans":                {status: 200, resp: typ[items[*qingqian.Plan]]()},
	"POST /api/v1/items/{id}/plans":               {req: typ[qingqian.PlanInput](), status: 201, resp: typ[*qingqian.Plan]()},
	"POST /api/v1/entries":                        {req: typ[entryBatch](), status: 201, resp: typ[items[*qingqian.Entry]]()},
	"GET /api/v1/entries/{id}":                    {status: 200, resp: entry},
	"POST /api/v1/entries/{id}/reversal":          {req: fromSource, status: 201, resp: entry},
	"POST /api/v1/entries/{id}/vouchers":          {req: fromSource, status: 200, resp: entry},
	"POST /api/v1/vouchers":                       {form: true, status: 201, resp: typ[*qingqian.Voucher]()},
	"GET /api/v1/vouchers/{sha256}":               {status: 200},
	"GET /api/v1/vouchers/{sha256}/entries":       {status: 200, resp: typ[items[*qingqian.Entry]]()},
	"GET /api/v1/audit":                           {status: 200, resp: typ[list[*qingqian.AuditRecord]]()},
	"POST /api/v1/imports/{kind}":                 {form: true, status: 200, also: 422, resp: typ[*xlsx.ImportOutcome]()},

	"GET /api/v1/periods":                     {status: 200, resp: typ[list[*qingqian.Period]]()},
	"POST /api/v1/periods":                    {req: typ[periodInput](), status: 201, resp: period},
	"GET /api/v1/periods/{id}":                {status: 200, resp: period},
	"GET /api/v1/periods/{id}/submissions":    {status: 200, resp: typ[items[*qingqian.Submission]]()},
	"POST /api/v1/periods/{id}/submissions":   {req: typ[submissionInput](), status: 200, resp: submission},
	"GET /api/v1/periods/{id}/report":         {status: 200, resp: report},
	"POST /api/v1/periods/{id}/report":        {status: 201, resp: report},
	"GET /api/v1/submissions/{id}":            {status: 200, resp: submission},
	"POST /api/v1/submissions/{id}/sign":      {req: typ[signInput](), status: 200, resp: submission},
	"POST /api/v1/submissions/{id}/check":     {req: typ[zeroCheckInput](), status: 200, resp: submission},
	"GET /api/v1/progress":                    {status: 200, resp: typ[*qingqian.Progress]()},
	"GET /api/v1/notices":                     {status: 200, resp: typ[items[*qingqian.Notice]]()},
	"POST /api/v1/notices":                    {req: typ[noticeInput](), status: 201, resp: notice},
	"GET /api/v1/notices/{id}":                {status: 200, resp: notice},
	"POST /api/v1/notices/{id}/reply":         {req: typ[replyInput](), status: 200, resp: notice},
	"POST /api/v1/notices/{id}/close":         {req: typ[versionInput](), status: 200, resp: notice},
	"GET /api/v1/interviews":                  {status: 200, resp: typ[items[*qingqian.Interview]]()},
	"POST /api/v1/interviews":                 {req: typ[interviewInput](), status: 201, resp: interview},
	"GET /api/v1/interviews/{id}":             {status: 200, resp: interview},
	"POST /api/v1/commitments/{id}/follow-up": {req: typ[followUpInput](), status: 200, resp: interview},

	"GET /api/v1/clues":                     {status: 200, resp: typ[list[*qingqian.Clue]]()},
	"POST /api/v1/clues":                    {req: typ[clueInput](), status: 201, resp: clue},
	"GET /api/v1/clues/{id}":                {status: 200, resp: clue},
	"POST /api/v1/clues/{id}/assign":        {req: typ[qingqian.Assignment](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/verify":        {req: typ[qingqian.Verification](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/items":         {req: typ[linkInput](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/updates":       {req: typ[updateInput](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/close":         {req: typ[versionInput](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/missing-items": {req: typ[missingItemInput](), status: 201, resp: typ[clueItemOutcome]()},
	"POST /api/v1/clues/{id}/extension":     {req: typ[extensionInput](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/feedback":      {req: typ[feedbackInput](), status: 200, resp: clue},
	"POST /api/v1/clues/{id}/callback":      {req: typ[callbackInput](), status: 200, resp: clue},
	"GET /api/v1/cases":                     {status: 200, resp: typ[items[*qingqian.Case]]()},
	"POST /api/v1/cases":                    {req: typ[caseInput](), status: 201, resp: courtCase},
	"GET /api/v1/cases/{id}":                {status: 200, resp: courtCase},
	"POST /api/v1/cases/{id}/events":        {req: typ[eventInput](), status: 200, resp: courtCase},
	"POST /api/v1/cases/{id}/decisions":     {req: typ[qingqian.Decision](), status: 200, resp: courtCase},
	"GET /api/v1/disputes":                  {status: 200, resp: typ[*qingqian.DisputeTable]()},

	"GET /api/v1/campaigns":                     {status: 200, resp: typ[items[*qingqian.Campaign]]()},
	"POST /api/v1/campaigns":                    {req: typ[campaignInput](), status: 201, resp: typ[*qingqian.Campaign]()},
	"GET /api/v1/campaigns/{id}":                {status: 200, resp: typ[*qingqian.Campaign]()},
	"POST /api/v1/campaigns/{id}/close":         {req: typ[closeCampaignInput](), status: 200, resp: typ[*qingqian.Campaign]()},
	"POST /api/v1/campaigns/{id}/remind":        {req: typ[campaignRemindInput](), status: 200, resp: typ[campaignReminded]()},
	"GET /api/v1/campaigns/{id}/answers":        {status: 200, resp: typ[items[*qingqian.CampaignAnswer]]()},
	"POST /api/v1/campaigns/{id}/answers":       {req: typ[qingqian.AnswerInput](), status: 200, resp: typ[*qingqian.CampaignAnswer]()},
	"GET /api/v1/campaigns/{id}/rectification":  {status: 200, resp: typ[*qingqian.Rectification]()},
	"GET /api/v1/campaign-answers/{id}":         {status: 200, resp: typ[*qingqian.CampaignAnswer]()},
	"POST /api/v1/campaign-answers/{id}/sign":   {req: typ[signInput](), status: 200, resp: typ[*qingqian.CampaignAnswer]()},
	"GET /api/v1/circulars":                     {status: 200, resp: typ[items[*qingqian.Circular]]()},
	"POST /api/v1/circulars":                    {req: typ[circularInput](), status: 201, resp: typ[*qingqian.Circular]()},
	"GET /api/v1/circulars/{id}":                {status: 200, resp: typ[*qingqian.Circular]()},
	"POST /api/v1/circulars/{id}/receipt":       {status: 200, resp: typ[*qingqian.Circular]()},
	"POST /api/v1/circulars/{id}/reply":         {req: typ[circularReplyInput](), status: 200, resp: typ[*qingqian.Circular]()},
	"POST /api/v1/circulars/{id}/pass-down":     {req: typ[passDownInput](), status: 201, resp: typ[*qingqian.Circular]()},
	"GET /api/v1/causes":                        {status: 200, resp: typ[items[*qingqian.CauseRecord]]()},
	"GET /api/v1/causes/analysis":               {status: 200, resp: typ[*qingqian.CauseAnalysis]()},
	"POST /api/v1/clues/{id}/cause":             {req: typ[qingqian.CauseInput](), status: 200, resp: typ[*qingqian.CauseRecord]()},
	"POST /api/v1/items/{id}/cause":             {req: typ[qingqian.CauseInput](), status: 200, resp: typ[*qingqian.CauseRecord]()},
	"GET /api/v1/contracts":                     {status: 200, resp: typ[list[*qingqian.Contract]]()},
	"POST /api/v1/contracts":                    {req: typ[contractInput](), status: 201, resp: typ[*qingqian.Contract]()},
	"GET /api/v1/contracts/{id}":                {status: 200, resp: typ[*qingqian.Contract]()},
	"POST /api/v1/contracts/{id}/events":        {req: typ[contractEventInput](), status: 201, resp: typ[*qingqian.Contract]()},
	"GET /api/v1/lpr":                           {status: 200, resp: typ[items[qingqian.LPR]]()},
	"POST /api/v1/lpr":                          {req: typ[lprBatch](), status: 200, resp: typ[items[qingqian.LPR]]()},
	"GET /api/v1/payables/aging":                {status: 200, resp: typ[*qingqian.Aging]()},
	"GET /api/v1/payables":                      {status: 200, resp: typ[items[*qingqian.OpenPayable]]()},
	"POST /api/v1/contract-events":              {req: typ[eventBatch](), status: 201, resp: typ[items[*qingqian.ContractEvent]]()},
	"POST /api/v1/contracts/{id}/correct":       {req: typ[contractCorrectionInput](), status: 200, resp: typ[*qingqian.Contract]()},
	"POST /api/v1/contracts/{id}/cancel":        {req: typ[contractCancellation](), status: 200, resp: typ[*qingqian.Contract]()},
	"POST /api/v1/contract-events/{id}/void":    {req: typ[eventVoid](), status: 200, resp: typ[*qingqian.Contract]()},
	"POST /api/v1/contract-events/{id}/end":     {req: typ[eventEnd](), status: 200, resp: typ[*qingqian.Contract]()},
	"POST /api/v1/payables/arrears":             {status: 200, resp: typ[arrearsOutcome]()},
	"GET /api/v1/payables/timely":               {status: 200, resp: typ[*qingqian.Timely]()},
	"GET /api/v1/disclosures":                   {status: 200, resp: typ[items[*qingqian.Disclosure]]()},
	"POST /api/v1/disclosures":                  {req: typ[disclosureInput](), status: 200, resp: typ[*qingqian.Disclosure]()},
	"GET /api/v1/disclosures/{id}":              {status: 200, resp: typ[*qingqian.Disclosure]()},
	"POST /api/v1/disclosures/{id}/sign":        {req: typ[disclosureSignInput](), status: 200, resp: typ[*qingqian.Disclosure]()},
	"GET /api/v1/items/{id}/bills":              {status: 200, resp: typ[items[*qingqian.Bill]]()},
	"POST /api/v1/items/{id}/bills":             {req: typ[billInput](), status: 201, resp: typ[*qingqian.Bill]()},
	"POST /api/v1/bills/{id}/honour":            {req: typ[qingqian.BillClose](), status: 200, resp: typ[*qingqian.Bill]()},
	"POST /api/v1/bills/{id}/dishonour":         {req: typ[qingqian.BillClose](), status: 200, resp: typ[*qingqian.Bill]()},
	"POST /api/v1/bills/{id}/return":            {req: typ[qingqian.BillClose](), status: 200, resp: typ[*qingqian.Bill]()},
	"GET /api/v1/bills/unhonoured":              {status: 200, resp: typ[*qingqian.BillSummary]()},
	"POST /api/v1/statement-files":              {form: true, status: 201, resp: typ[*qingqian.StatementFile]()},
	"POST /api/v1/statements":                   {req: typ[qingqian.StatementImport](), status: 200, also: 422, resp: typ[*qingqian.StatementResult]()},
	"GET /api/v1/statements/{id}/file":          {status: 200},
	"GET /api/v1/statements/reconciliation":     {status: 200, resp: typ[*qingqian.Reconciliation]()},
	"POST /api/v1/statement-lines/{id}/match":   {req: typ[lineMatchInput](), status: 204},
	"POST /api/v1/statement-lines/{id}/unmatch": {req: typ[lineUnmatchInput](), status: 204},
	"GET /api/v1/repayments/without-line":       {status: 200, resp: typ[items[*qingqian.RepaymentProof]]()},
	"GET /api/v1/letters":                       {status: 200, resp: typ[list[*qingqian.Letter]]()},
	"POST /api/v1/letters":                      {req: typ[qingqian.LetterSelection](), status: 201, resp: typ[*qingqian.LetterBatch](), also: 200, alsoResp: typ[*qingqian.LetterPreview]()},
	"GET /api/v1/letters/{id}":                  {status: 200, resp: typ[*qingqian.Letter]()},
	"POST /api/v1/letters/{id}/reply":           {req: typ[qingqian.ReplyInput](), status: 200, resp: typ[*qingqian.Letter]()},
	"POST /api/v1/letters/{id}/resolution":      {req: typ[qingqian.ResolveInput](), status: 200, resp: typ[*qingqian.Letter]()},
	"GET /api/v1/signals":                       {status: 200, resp: typ[*qingqian.SignalReport]()},
}

// enumValues are the values of the domain's enumerations, from their lists of screen names.
var enumValues = map[reflect.Type][]string{
	typ[qingqian.OrgKind]():         keys(qingqian.OrgKindNames),
	typ[qingqian.Ownership]():       keys(qingqian.OwnershipNames),
	typ[qingqian.Size]():            append(keys(qingqian.SizeNames), ""), // not declared
	typ[qingqian.ItemKind]():        keys(qingqian.ItemKindNames),
	typ[qingqian.Origin]():          keys(qingqian.OriginNames),
	typ[qingqian.FundingSource]():   keys(qingqian.FundingNames),
	typ[qingqian.Status]():          keys(qingqian.StatusNames),
	typ[qingqian.EntryKind]():       keys(qingqian.EntryKindNames),
	typ[qingqian.Category]():        {string(qingqian.CatRecognise), string(qingqian.CatRepay), string(qingqian.CatAdjust)},
	typ[qingqian.PayMethod]():       keys(qingqian.MethodNames),
	typ[qingqian.BillKind]():        keys(qingqian.BillKindNames),
	typ[qingqian.BillState]():       keys(qingqian.BillStateNames),
	typ[qingqian.Part]():            {string(qingqian.PartUndisputed), string(qingqian.PartDisputed)},
	typ[qingqian.PeriodKind]():      keys(qingqian.PeriodKindNames),
	typ[qingqian.SubmissionState](): keys(qingqian.SubmissionStateNames),
	typ[qingqian.SignAction]():      keys(qingqian.SignActionNames),
	typ[qingqian.NoticeState]():     keys(qingqian.NoticeStateNames),
	typ[qingqian.Channel]():         keys(qingqian.ChannelNames),
	typ[qingqian.ClueState]():       keys(qingqian.ClueStateNames),
	typ[qingqian.Conclusion]():      keys(qingqian.ConclusionNames),
	typ[qingqian.CaseKind]():        keys(qingqian.CaseKindNames),
	typ[qingqian.CaseStage]():       keys(qingqian.CaseStageNames),
	typ[qingqian.Satisfaction]():    keys(qingqian.SatisfactionNames),
	typ[qingqian.InterviewLevel]():  keys(qingqian.InterviewLevelNames),
	typ[qingqian.ChangeState]():     keys(qingqian.ChangeStateNames),
	typ[qingqian.CampaignKind]():    keys(qingqian.CampaignKindNames),
	typ[qingqian.CampaignScope]():   keys(qingqian.CampaignScopeNames),
	typ[qingqian.Rhythm]():          keys(qingqian.RhythmNames),
	typ[qingqian.CampaignState]():   keys(qingqian.CampaignStateNames),
	typ[qingqian.CircularTarget]():  keys(qingqian.CircularTargetNames),
	typ[qingqian.AnalysisPeriod]():  keys(qingqian.AnalysisPeriodNames),
	typ[qingqian.Cause]():           keys(qingqian.CauseNames),
	typ[qingqian.CauseSubject]():    keys(qingqian.CauseSubjectNames),
	typ[qingqian.BuyerKind]():       keys(qingqian.BuyerKindNames),
	typ[qingqian.Settlement]():      keys(qingqian.SettlementNames),
	typ[qingqian.EventKind]():       keys(qingqian.EventKindNames),
	typ[qingqian.PayableStatus]():   keys(qingqian.PayableStatusNames),
	typ[qingqian.AgingBucket]():     keys(qingqian.AgingBucketNames),
	typ[qingqian.DisclosureState](): keys(qingqian.DisclosureStateNames),
	typ[qingqian.SelectMode]():      keys(qingqian.SelectModeNames),
	typ[qingqian.LetterState]():     keys(qingqian.LetterStateNames),
	typ[qingqian.FindingState]():    keys(qingqian.FindingStateNames),
	typ[qingqian.Resolution]():      keys(qingqian.ResolutionNames),
	typ[qingqian.ReplyChannel]():    keys(qingqian.ReplyChannelNames),
}

// fieldValues are the values of plain string fields that take one of a list, by "Type.field".
var fieldValues = map[string][]string{
	"Clue.out_reason":         keys(qingqian.OutReasonNames),
	"Clue.satisfaction":       keys(qingqian.SatisfactionNames),
	"Verification.out_reason": keys(qingqian.OutReasonNames),
	"ZeroCheck.result":        keys(qingqian.ZeroCheckResults),
	"zeroCheckInput.result":   keys(qingqian.ZeroCheckResults),
	"DisputeRow.route":        keys(qingqian.RouteNames),
	"Voucher.content_type":    {qingqian.TypePDF, qingqian.TypeJPEG, qingqian.TypePNG, qingqian.TypeOFD},
	"body.code":               keys(statusOf), // errorBody's anonymous "error"
	// A contract is for goods, works or services, with a supplier whose size was declared.
	"Contract.kind":                         contractKinds(),
	"contractInput.kind":                    contractKinds(),
	"contractCorrectionInput.kind":          contractKinds(),
	"Contract.supplier_size":                keys(qingqian.SizeNames),
	"contractInput.supplier_size":           keys(qingqian.SizeNames),
	"contractCorrectionInput.supplier_size": keys(qingqian.SizeNames),
}

func contractKinds() []string {
	var out []string
	for _, k := range qingqian.ContractKinds {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// notWritten are values of an enumeration that an answer never has in a field, by "Type.field".
var notWritten = map[string][]string{
	"Submission.state":     {string(qingqian.StateMissing)}, // only a report's row is missing
	"CampaignAnswer.state": {string(qingqian.StateMissing)}, // only a campaign's unit is missing
}

func keys[K ~string, V any](m map[K]V) []string {
	var out []string
	for k := range m {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// The OpenAPI document describes the bodies the handlers read and write: every property of a
// request or an answer is a JSON field of the Go type, of a compatible type, and the other way
// round; what it requires the Go type has; the enumerations it lists are the Go values; the
// successes it lists are the handlers'; its path, query and header parameters are those the
// handlers read. Every operation of the document and every route of the
// server is in the table above, and the table agrees with the handlers' source.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	c := &schemaCheck{schemas: doc.Components.Schemas, seen: map[string]bool{}}
	src := parseSource(t)
	handlers := map[string]*ast.FuncDecl{}
	for _, rt := range (&Server{}).apiRoutes() {
		handlers[rt.pattern] = src.handler(rt.h)
	}

	documented := map[string]bool{}
	for _, p := range slices.Sorted(maps.Keys(doc.Paths)) {
		ops := doc.Paths[p]
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			op := ops[method]
			name := strings.ToUpper(method) + " " + p
			documented[name] = true
			want, ok := apiOps[name]
			if !ok {
				c.bad(name, "", "the document has it, the test's table does not")
				continue
			}
			if fd := handlers[name]; fd != nil {
				want.req = c.checkSource(name, want.req, fd)
				c.checkStatuses(name, want, fd, src)
				c.checkParams(name, op, fd, src)
				want.files = formFiles(fd, src)
			}
			c.checkOperation(name, op, want)
		}
	}
	// Every error answer is the Error schema (checked in checkOperation), written by writeError.
	c.compare("errors", "", typ[errorBody](), map[string]any{"$ref": "#/components/schemas/Error"}, toClient, false, nil)
	for _, name := range slices.Sorted(maps.Keys(apiOps)) {
		if !documented[name] {
			c.bad(name, "", "the test's table has it, the document does not")
		}
		if _, ok := handlers[name]; !ok {
			c.bad(name, "", "the test's table has it, the server does not serve it")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(handlers)) {
		if _, ok := apiOps[name]; !ok {
			c.bad(name, "", "the server serves it, the test's table does not have it")
		}
		if handlers[name] == nil {
			c.bad(name, "", "the source of the route's handler is not found")
		}
	}
	if len(c.problems) > 0 {
		t.Fatalf("the OpenAPI document does not match the Go types (%d problems):\n%s", len(c.problems), strings.Join(c.problems, "\n"))
	}
}

// source is the package's source: the methods of Server and the other functions, by name.
type source struct {
	methods, funcs map[string]*ast.FuncDecl
}

func parseSource(t *testing.T) *source {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	src := &source{methods: map[string]*ast.FuncDecl{}, funcs: map[string]*ast.FuncDecl{}}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			switch {
			case !ok:
			case fd.Recv == nil:
				src.funcs[fd.Name.Name] = fd
			case len(fd.Recv.List) == 1 && types.ExprString(fd.Recv.List[0].Type) == "*Server":
				src.methods[fd.Name.Name] = fd
			}
		}
	}
	if len(src.methods) == 0 {
		t.Fatal("no methods of Server found in the package's source")
	}
	return src
}

// handler returns the declaration of a route's handler: the Server method of a method value
// (s.listOrgs), or the function that made a closure (byID); nil when it is neither.
func (src *source) handler(h any) *ast.FuncDecl {
	name := runtime.FuncForPC(reflect.ValueOf(h).Pointer()).Name()
	name = strings.TrimPrefix(name, reflect.TypeFor[Server]().PkgPath()+".")
	if m, ok := strings.CutSuffix(name, "-fm"); ok {
		if m, ok := strings.CutPrefix(m, "(*Server)."); ok {
			return src.methods[m]
		}
		return nil
	}
	parts := strings.Split(strings.ReplaceAll(name, "[...]", ""), ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if fd := src.funcs[parts[i]]; fd != nil {
			return fd
		}
	}
	return nil
}

// inspect walks the body of a handler and of the package's functions and Server methods it calls
// (clueAction, saveUpload, s.serveVoucher) and those call (pathID from clueAction), not further.
func (src *source) inspect(fd *ast.FuncDecl, f func(fd *ast.FuncDecl, n ast.Node)) {
	var walk func(fd *ast.FuncDecl, depth int)
	walk = func(fd *ast.FuncDecl, depth int) {
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			f(fd, n)
			call, ok := n.(*ast.CallExpr)
			if !ok || depth >= 2 {
				return true
			}
			fn := call.Fun
			if ix, ok := fn.(*ast.IndexExpr); ok {
				fn = ix.X
			}
			switch fn := fn.(type) {
			case *ast.Ident:
				if callee := src.funcs[fn.Name]; callee != nil {
					walk(callee, depth+1)
				}
			case *ast.SelectorExpr:
				if _, ok := fn.X.(*ast.Ident); ok && src.methods[fn.Sel.Name] != nil {
					walk(src.methods[fn.Sel.Name], depth+1)
				}
			}
			return true
		})
	}
	walk(fd, 0)
}

// param is a parameter a handler reads: where ("path", "query" or "header") and, for a query
// parameter read by a method of query, the method (int, id, date…).
type param struct {
	in, name, reader string
}

// params are the parameters a handler reads: r.PathValue, the methods of query and its url.Values
// (q.v.Get), r.URL.Query().Get and r.Header.Get.
func params(fd *ast.FuncDecl, src *source) map[param]bool {
	out := map[param]bool{}
	src.inspect(fd, func(_ *ast.FuncDecl, n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		name, _ := strconv.Unquote(lit.Value)
		on := types.ExprString(sel.X)
		switch {
		case sel.Sel.Name == "PathValue":
			out[param{"path", name, ""}] = true
		case sel.Sel.Name == "Get" && strings.HasSuffix(on, ".Header"):
			out[param{"header", name, ""}] = true
		case (sel.Sel.Name == "Get" || sel.Sel.Name == "Has") && (on == "q.v" || strings.HasSuffix(on, ".URL.Query()")):
			out[param{"query", name, ""}] = true
		case queryReaders[sel.Sel.Name] != "" && on == "q":
			out[param{"query", name, sel.Sel.Name}] = true
		}
	})
	return out
}

// queryReaders are the methods of query and the schema type of what they read ("any" for str:
// a string may stand for a flag or a value of a list).
var queryReaders = map[string]string{"str": "any", "int": "integer", "id": "integer", "date": "string date",
	"time": "string date-time", "boolp": "boolean", "bool": "boolean", "money": "string"}

// checkParams checks the document's path, query and header parameters against those the handler
// reads, and the type of those it reads as a number, a date, a time, a flag or an amount.
func (c *schemaCheck) checkParams(op string, spec map[string]any, fd *ast.FuncDecl, src *source) {
	read := params(fd, src)
	goNames := map[string]map[string]string{"path": {}, "query": {}, "header": {}}
	for p := range read {
		if old, ok := goNames[p.in][p.name]; !ok || old == "" {
			goNames[p.in][p.name] = p.reader
		}
	}
	docNames := map[string]map[string]any{"path": {}, "query": {}, "header": {}}
	for _, x := range asSlice(spec["parameters"]) {
		p := mapOf(x)
		in, _ := p["in"].(string)
		name, _ := p["name"].(string)
		if docNames[in] == nil {
			c.bad(op, "parameter "+name, "the document has it in %q", in)
			continue
		}
		docNames[in][name] = p["schema"]
	}
	_, pattern, _ := strings.Cut(op, " ")
	for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(pattern, -1) {
		if _, ok := docNames["path"][m[1]]; !ok {
			c.bad(op, "parameter "+m[1], "the path has it, the document's parameters do not")
		}
	}
	for _, in := range []string{"path", "query", "header"} {
		for _, name := range slices.Sorted(maps.Keys(docNames[in])) {
			if _, ok := goNames[in][name]; !ok {
				c.bad(op, in+" parameter "+name, "the document has it, the handler %s does not read it", fd.Name.Name)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(goNames[in])) {
			schema, ok := docNames[in][name]
			if !ok {
				c.bad(op, in+" parameter "+name, "the handler %s reads it, the document does not have it", fd.Name.Name)
				continue
			}
			want := queryReaders[goNames[in][name]]
			if v := c.view(schema); want != "" && want != "any" && strings.TrimSpace(v.typ+" "+v.format) != want && v.typ != want {
				c.bad(op, in+" parameter "+name, "the handler reads it with q.%s (%s), the document says %s", goNames[in][name], want, describeView(v))
			}
		}
	}
}

// formFiles are the names given to FormFile by a handler.
func formFiles(fd *ast.FuncDecl, src *source) []string {
	var out []string
	src.inspect(fd, func(_ *ast.FuncDecl, n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "FormFile" {
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				name, _ := strconv.Unquote(lit.Value)
				out = append(out, name)
			}
		}
	})
	slices.Sort(out)
	return slices.Compact(out)
}

// statusCodes are the statuses handlers answer a success with.
var statusCodes = map[string]int{"StatusOK": 200, "StatusCreated": 201, "StatusNoContent": 204, "StatusUnprocessableEntity": 422}

// checkStatuses checks the table's statuses against the http.Status… constants in the handler
// and in the package's functions it calls (clueAction); a handler that names none (a file served
// by http.ServeContent) is not checked.
func (c *schemaCheck) checkStatuses(op string, want apiOp, fd *ast.FuncDecl, src *source) {
	found := map[int]bool{}
	src.inspect(fd, func(in *ast.FuncDecl, n ast.Node) {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == "http" && strings.HasPrefix(sel.Sel.Name, "Status") {
			if code, ok := statusCodes[sel.Sel.Name]; ok {
				found[code] = true
			} else {
				c.bad(op, "", "%s answers http.%s, which the test does not know (add it to statusCodes)", in.Name.Name, sel.Sel.Name)
			}
		}
	})
	if len(found) == 0 {
		return
	}
	var table []int
	for _, st := range []int{want.status, want.also} {
		if st != 0 {
			table = append(table, st)
		}
	}
	slices.Sort(table)
	if got := slices.Sorted(maps.Keys(found)); !slices.Equal(got, table) {
		c.bad(op, "", "the handler %s answers %v, the table says %v", fd.Name.Name, got, table)
	}
}

// schemaCheck compares the document's schemas with Go types and collects every difference.
type schemaCheck struct {
	schemas  map[string]any
	problems []string
	seen     map[string]bool // components already compared with a Go type, reported once
}

func (c *schemaCheck) bad(op, at, format string, args ...any) {
	msg := op
	if at != "" {
		msg += " " + at
	}
	c.problems = append(c.problems, msg+": "+fmt.Sprintf(format, args...))
}

// checkSource checks that the handler decodes its body into the table's type and returns the
// type to compare with the document: for a body declared as an anonymous struct, that struct.
func (c *schemaCheck) checkSource(op string, want reflect.Type, fd *ast.FuncDecl) reflect.Type {
	if fd == nil {
		c.bad(op, "request", "the handler's source is not found")
		return want
	}
	src := decodedType(fd)
	switch {
	case src == nil && want == nil:
		return nil
	case src == nil:
		c.bad(op, "request", "the table names a JSON body %s, the handler %s decodes none", want, fd.Name.Name)
		return want
	case want == nil:
		c.bad(op, "request", "the handler %s decodes %s, the table names no body", fd.Name.Name, types.ExprString(src))
		return nil
	}
	st, ok := src.(*ast.StructType)
	if !ok {
		if got := types.ExprString(src); got != goName(want) {
			c.bad(op, "request", "the handler %s decodes %s, the table says %s", fd.Name.Name, got, goName(want))
		}
		return want
	}
	var fields []reflect.StructField
	for _, f := range st.Fields.List {
		ft, ok := sourceTypes[types.ExprString(f.Type)]
		if !ok {
			c.bad(op, "request", "the handler %s's body has a field of type %s that the test cannot read (add it to sourceTypes)", fd.Name.Name, types.ExprString(f.Type))
			return want
		}
		tag := ""
		if f.Tag != nil {
			tag, _ = strconv.Unquote(f.Tag.Value)
		}
		for _, n := range f.Names {
			fields = append(fields, reflect.StructField{Name: n.Name, Type: ft, Tag: reflect.StructTag(tag)})
		}
	}
	got := reflect.StructOf(fields)
	if want == fromSource {
		return got
	}
	// The table spells out what the handler decodes in several steps (entryBatch): the names of
	// the top level must be the handler's.
	if g, w := fieldNames(decodedFields(got)), fieldNames(decodedFields(want)); !slices.Equal(g, w) {
		c.bad(op, "request", "the handler %s decodes the fields %v, the table's %s has %v", fd.Name.Name, g, want, w)
	}
	return want
}

// sourceTypes are the field types that anonymous request structs may use.
var sourceTypes = map[string]reflect.Type{
	"int": typ[int](), "int64": typ[int64](), "string": typ[string](), "bool": typ[bool](),
	"qingqian.Date": dateType, "qingqian.Money": moneyType,
	"[]string": typ[[]string](), "[]int64": typ[[]int64](), "[]json.RawMessage": typ[[]json.RawMessage](),
}

// decodedType returns the type a handler decodes its JSON body into, as written in its source:
// the declared type of the variable it gives decode, or the input of the function it gives
// clueAction; nil when it decodes no JSON body.
func decodedType(fd *ast.FuncDecl) ast.Expr {
	declared := map[string]ast.Expr{}
	var decoded string
	var found ast.Expr
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for _, id := range n.Names {
				if n.Type != nil {
					declared[id.Name] = n.Type
				}
			}
		case *ast.CallExpr:
			fn := n.Fun
			if ix, ok := fn.(*ast.IndexExpr); ok {
				fn = ix.X
			}
			id, ok := fn.(*ast.Ident)
			if !ok {
				return true
			}
			switch {
			case id.Name == "decode" && len(n.Args) == 2 && decoded == "":
				if u, ok := n.Args[1].(*ast.UnaryExpr); ok && u.Op == token.AND {
					if v, ok := u.X.(*ast.Ident); ok {
						decoded = v.Name
					}
				}
			case id.Name == "clueAction" && len(n.Args) == 4 && found == nil:
				if lit, ok := n.Args[3].(*ast.FuncLit); ok && lit.Type.Params.NumFields() == 2 {
					if star, ok := lit.Type.Params.List[len(lit.Type.Params.List)-1].Type.(*ast.StarExpr); ok {
						found = star.X
					}
				}
			}
		}
		return true
	})
	if found != nil {
		return found
	}
	if decoded != "" {
		return declared[decoded]
	}
	return nil
}

// goName is how the handlers' source names a type.
func goName(t reflect.Type) string {
	if t.PkgPath() == reflect.TypeFor[Server]().PkgPath() {
		return t.Name()
	}
	return path.Base(t.PkgPath()) + "." + t.Name()
}

func (c *schemaCheck) checkOperation(op string, spec map[string]any, want apiOp) {
	body, _ := spec["requestBody"].(map[string]any)
	content, _ := body["content"].(map[string]any)
	_, isForm := content["multipart/form-data"]
	jsonBody, isJSON := content["application/json"].(map[string]any)
	if want.form != (len(want.files) > 0) {
		c.bad(op, "request", "the table says form %v, the handler reads the files %q", want.form, want.files)
	}
	switch {
	case want.form && !isForm:
		c.bad(op, "request", "the handler reads a multipart/form-data upload, the document does not say so")
	case want.form:
		form, _ := content["multipart/form-data"].(map[string]any)
		if doc := slices.Sorted(maps.Keys(c.view(form["schema"]).props)); !slices.Equal(doc, want.files) {
			c.bad(op, "request", "the handler reads the files %q, the document's form has %q", want.files, doc)
		}
	case !want.form && isForm:
		c.bad(op, "request", "the document has a multipart/form-data body, the handler reads none")
	case want.req == nil && isJSON:
		c.bad(op, "request", "the document has a JSON body, the handler reads none")
	case want.req != nil && !isJSON:
		c.bad(op, "request", "the handler reads a JSON %s, the document has no JSON body", want.req)
	case want.req != nil:
		if req, _ := body["required"].(bool); !req {
			c.bad(op, "request", "the body is not marked required")
		}
		c.compare(op, "request", want.req, jsonBody["schema"], toServer, true, nil)
	}

	responses, _ := spec["responses"].(map[string]any)
	for _, code := range slices.Sorted(maps.Keys(responses)) {
		resp, _ := responses[code].(map[string]any)
		content, _ := resp["content"].(map[string]any)
		status, _ := strconv.Atoi(code)
		where := "answer " + code
		switch {
		case status == want.status || status == want.also && status != 0:
			jsonResp, isJSON := content["application/json"].(map[string]any)
			answer := want.resp
			if status == want.also && want.alsoResp != nil {
				answer = want.alsoResp
			}
			switch {
			case answer == nil && isJSON:
				c.bad(op, where, "the document has a JSON answer, the handler writes none")
			case answer != nil && !isJSON:
				c.bad(op, where, "the handler writes a JSON %s, the document has no JSON answer", answer)
			case answer != nil:
				c.compare(op, where, answer, jsonResp["schema"], toClient, false, nil)
			}
		case status >= 200 && status < 300:
			c.bad(op, where, "the document has a success the handler does not answer (it answers %d)", want.status)
		default:
			if s, _ := content["application/json"].(map[string]any); s == nil || c.view(s["schema"]).ref != "Error" {
				c.bad(op, where, "an error answer is not the Error schema")
			}
		}
	}
	for _, st := range []int{want.status, want.also} {
		if _, ok := responses[strconv.Itoa(st)]; st != 0 && !ok {
			c.bad(op, "answer "+strconv.Itoa(st), "the handler answers %d with %s, the document does not have it", st, http.StatusText(st))
		}
	}
}

// direction says which way a body goes: a request is decoded by the server, an answer read by
// the client, which changes what "required" and enumerations mean.
type direction int

const (
	toServer direction = iota
	toClient
)

// field is one JSON field of a Go struct.
type field struct {
	name     string
	goName   string
	typ      reflect.Type
	optional bool // absent when empty (omitzero, or omitempty on a type it applies to)
}

func fieldNames(fs []field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.name)
	}
	sort.Strings(out)
	return out
}

// decodedFields are the fields decode accepts at the top of a request: the direct fields with a
// json name (see decodeFields).
func decodedFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out = append(out, field{name: name, goName: structName(t) + "." + f.Name, typ: f.Type, optional: omitted(f.Type, opts)})
	}
	return out
}

// jsonFields are the fields encoding/json reads and writes: exported fields by their json name
// or Go name, with the fields of untagged embedded structs promoted unless a shallower field
// has the name.
func jsonFields(t reflect.Type) []field {
	var out []field
	seen := map[string]bool{}
	level := []reflect.Type{t}
	for len(level) > 0 {
		var next []reflect.Type
		var found []field
		for _, t := range level {
			for i := range t.NumField() {
				f := t.Field(i)
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if f.Anonymous && name == "" {
					ft := f.Type
					if ft.Kind() == reflect.Pointer {
						if !f.IsExported() {
							continue
						}
						ft = ft.Elem()
					}
					if ft.Kind() == reflect.Struct {
						next = append(next, ft)
						continue
					}
				}
				if !f.IsExported() {
					continue
				}
				if name == "" {
					name = f.Name
				}
				found = append(found, field{name: name, goName: structName(t) + "." + f.Name, typ: f.Type, optional: omitted(f.Type, opts)})
			}
		}
		for _, f := range found {
			if !seen[f.name] {
				seen[f.name] = true
				out = append(out, f)
			}
		}
		level = next
	}
	return out
}

// writesNull says whether a field of type t is written as null when unset: a date is (see
// Date.MarshalJSON). Pointers, slices and maps are left out: whether the services leave them nil
// is not in their types.
func writesNull(t reflect.Type) bool {
	return t == dateType
}

// typeName names a type in messages, an anonymous struct by its place.
func typeName(t reflect.Type) string {
	if t.Name() == "" && t.Kind() == reflect.Struct {
		return "anonymous struct"
	}
	return t.String()
}

// structName names a struct in messages; an anonymous one is a handler's body.
func structName(t reflect.Type) string {
	if t.Name() == "" {
		return "body"
	}
	return t.Name()
}

// omitted says whether encoding/json leaves out an empty field of type t with the tag options
// opts: omitzero always, omitempty not on a struct (a zero time.Time or Date is still written).
func omitted(t reflect.Type, opts string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == "omitzero" || o == "omitempty" && t.Kind() != reflect.Struct {
			return true
		}
	}
	return false
}

// schemaView is a schema with its $refs followed and its allOf merged.
type schemaView struct {
	ref         string // the component reached last, if any
	typ, format string
	enum        []string
	hasEnum     bool
	props       map[string]any
	required    []string
	items       any
	additional  any
	any         bool // {}: any JSON value
	nullable    bool
}

func (c *schemaCheck) view(s any) schemaView {
	var v schemaView
	m, _ := s.(map[string]any)
	for range 10 {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		v.ref = strings.TrimPrefix(ref, "#/components/schemas/")
		m, _ = c.schemas[v.ref].(map[string]any)
	}
	v.any = len(m) == 0 || len(m) == 1 && m["description"] != nil
	v.typ, _ = m["type"].(string)
	v.format, _ = m["format"].(string)
	v.nullable, _ = m["nullable"].(bool)
	if e, ok := m["enum"].([]any); ok {
		v.hasEnum = true
		for _, x := range e {
			v.enum = append(v.enum, fmt.Sprint(x))
		}
		sort.Strings(v.enum)
	}
	v.props = map[string]any{}
	maps.Copy(v.props, mapOf(m["properties"]))
	for _, r := range asSlice(m["required"]) {
		v.required = append(v.required, fmt.Sprint(r))
	}
	v.items, v.additional = m["items"], m["additionalProperties"]
	for _, part := range asSlice(m["allOf"]) {
		p := c.view(part)
		maps.Copy(v.props, p.props)
		v.required = append(v.required, p.required...)
		if v.typ == "" {
			v.typ = p.typ
		}
	}
	return v
}

func mapOf(x any) map[string]any { m, _ := x.(map[string]any); return m }
func asSlice(x any) []any        { s, _ := x.([]any); return s }

var (
	timeType = typ[time.Time]()
	rawType  = typ[json.RawMessage]()
)

// compare checks the schema s against the Go type t. top says t is the top of a request, decoded
// field by field by decode; vals are the values of a plain string field that takes one of a
// list.
func (c *schemaCheck) compare(op, at string, t reflect.Type, s any, dir direction, top bool, vals []string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	v := c.view(s)
	if s == nil {
		c.bad(op, at, "the document has no schema, Go has %s", t)
		return
	}
	want := func(typ, format string) {
		if v.typ != typ || format != "" && v.format != format {
			c.bad(op, at, "Go %s is a JSON %s, the document says %s", t, strings.TrimSpace(typ+" "+format), describeView(v))
		}
	}
	switch t {
	case moneyType:
		if v.ref != "Money" {
			c.bad(op, at, "Go qingqian.Money, the document says %s instead of the Money schema", describeView(v))
		}
		return
	case dateType:
		want("string", "date")
		return
	case timeType:
		want("string", "date-time")
		return
	case rawType:
		if !v.any {
			c.bad(op, at, "Go json.RawMessage is any JSON value, the document says %s", describeView(v))
		}
		return
	}
	switch t.Kind() {
	case reflect.String:
		want("string", "")
		if vals == nil {
			vals = enumValues[t]
		}
		if v.hasEnum {
			c.compareEnum(op, at, t, v.enum, vals, dir)
		}
	case reflect.Bool:
		want("boolean", "")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want("integer", "")
	case reflect.Float32, reflect.Float64:
		want("number", "")
	case reflect.Slice, reflect.Array:
		want("array", "")
		if v.typ == "array" {
			c.compare(op, at+"[]", t.Elem(), v.items, dir, false, nil)
		}
	case reflect.Map:
		want("object", "")
		if len(v.props) > 0 {
			c.bad(op, at, "Go %s has any keys, the document lists properties %v", t, slices.Sorted(maps.Keys(v.props)))
		}
		if add, ok := v.additional.(map[string]any); ok {
			c.compare(op, at+"{}", t.Elem(), add, dir, false, nil)
		} else {
			c.bad(op, at, "Go %s, the document has no additionalProperties schema", t)
		}
	case reflect.Struct:
		want("object", "")
		if v.ref != "" {
			key := fmt.Sprint(v.ref, t, dir, top)
			if c.seen[key] {
				return
			}
			c.seen[key] = true
			at = strings.TrimSpace(at + " (" + v.ref + ")")
		}
		c.compareStruct(op, at, t, v, dir, top)
	case reflect.Interface:
	default:
		c.bad(op, at, "Go %s cannot be compared", t)
	}
}

func (c *schemaCheck) compareStruct(op, at string, t reflect.Type, v schemaView, dir direction, top bool) {
	fields := jsonFields(t)
	if top {
		fields = decodedFields(t)
	}
	byName := map[string]field{}
	for _, f := range fields {
		byName[f.name] = f
	}
	prefix := at
	if prefix != "" {
		prefix += " "
	}
	for _, name := range slices.Sorted(maps.Keys(v.props)) {
		if _, ok := byName[name]; !ok {
			c.bad(op, prefix+name, "the document has it, Go %s has no such field", typeName(t))
		}
	}
	for _, f := range fields {
		ps, ok := v.props[f.name]
		if !ok {
			c.bad(op, prefix+f.name, "Go %s (%s) has it, the document does not", f.goName, f.typ)
			continue
		}
		if dir == toClient && !f.optional && writesNull(f.typ) && !c.view(ps).nullable {
			c.bad(op, prefix+f.name, "Go %s (%s) is null when unset, the document does not allow null", f.goName, f.typ)
		}
		vals := fieldValues[structName(t)+"."+f.name]
		if skip := notWritten[structName(t)+"."+f.name]; skip != nil && dir == toClient {
			vals = slices.DeleteFunc(slices.Clone(enumValues[f.typ]), func(v string) bool { return slices.Contains(skip, v) })
		}
		c.compare(op, prefix+f.name, f.typ, ps, dir, false, vals)
	}
	for _, name := range v.required {
		f, ok := byName[name]
		switch {
		case !ok:
			c.bad(op, prefix+name, "the document requires it, Go %s has no such field", typeName(t))
		case dir == toClient && f.optional:
			c.bad(op, prefix+name, "the document says it is always there, Go %s omits it when empty", f.goName)
		}
	}
}

// compareEnum checks the values the document lists: in an answer exactly the Go values, in a
// request some of them (the server may refuse a value in one place that it writes in another).
func (c *schemaCheck) compareEnum(op, at string, t reflect.Type, doc, goVals []string, dir direction) {
	if goVals == nil && t.PkgPath() != "" {
		c.bad(op, at, "the document lists %q, the test does not know the values of Go %s (add them to enumValues)", doc, t)
		return
	}
	if goVals == nil {
		c.bad(op, at, "the document lists %q for a plain Go string (add where the values come from to fieldValues)", doc)
		return
	}
	var extra, missing []string
	for _, d := range doc {
		if !slices.Contains(goVals, d) {
			extra = append(extra, d)
		}
	}
	for _, g := range goVals {
		if !slices.Contains(doc, g) {
			missing = append(missing, g)
		}
	}
	if len(extra) > 0 {
		c.bad(op, at, "the document lists %q that Go %s does not have (Go: %q)", extra, t, goVals)
	}
	if dir == toClient && len(missing) > 0 {
		c.bad(op, at, "Go %s has %q that the document does not list", t, missing)
	}
}

func describeView(v schemaView) string {
	var parts []string
	if v.ref != "" {
		parts = append(parts, "$ref "+v.ref)
	}
	switch {
	case v.typ != "" && v.format != "":
		parts = append(parts, v.typ+" "+v.format)
	case v.typ != "":
		parts = append(parts, v.typ)
	case v.any:
		parts = append(parts, "any value")
	default:
		parts = append(parts, "no type")
	}
	return strings.Join(parts, ", ")
}
