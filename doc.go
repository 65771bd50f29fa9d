// Package qingqian is the domain of Qingqian (清欠), the ledger in which a provincial SASAC and
// the state-owned groups it supervises clear what they owe private firms and SMEs
// (docs/domain.md describes the domain, its actors and its words).
//
// It holds the domain's types and the rules that need no database: money in 分 ([Money]) and
// civil dates ([Date]); units ([Org]) and their subtrees; creditors and their USCC checks;
// ledger items ([Item]) whose amounts change only through immutable entries ([Entry]);
// repayment plans, vouchers and the hash-chained audit trail; reporting periods and the sign-off
// machine of submissions, consolidated reports, supervision notices and interviews; complaint
// clues, court cases and the holiday calendar their deadlines are counted on. Errors are one
// type, [Error], whose message is safe to show a person.
//
// It also declares the services ([ItemService], [EntryService], [ReportService], …): the actions
// people take, each change one transaction that writes its audit record, each call taking its
// [Actor] from the context ([NewContext]). Package sqldb implements them on SQLite and PostgreSQL; packages web,
// xlsx and demo use them. This package imports no other package of the module.
package qingqian
