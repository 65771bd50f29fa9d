// Package payrules is the rules engine of the Regulation on Ensuring Payments to SMEs
// (《保障中小企业款项支付条例》): which version of the Regulation judges a contract, when the
// payment clock starts, how long the term is, the day the law says the buyer must pay, counted as
// the Civil Code counts on the holiday calendar, and the overdue interest. It is pure: it reads
// no database and keeps no state; every result carries its explanation in Chinese.
//
// It imports only the root package, for Date, Money and Calendar.
package payrules

import "github.com/qingqian/qingqian"

// Version is one version of the Regulation, in force from a date.
type Version struct {
	Code   string        `json:"code"`   // "2020", "2025"
	Name   string        `json:"name"`   // how it reads on screens
	Decree string        `json:"decree"` // 国务院令第728号
	From   qingqian.Date `json:"from"`   // the day it came into force
}

// Versions are the versions of the Regulation, oldest first. This is the one place the
// boundaries live: a contract is judged by the version in force on its signing date (the 2025
// text has no transitional clause). When the law changes again, add a line here.
var Versions = []Version{
	{Code: "2020", Name: "《保障中小企业款项支付条例》（2020年）", Decree: "国务院令第728号", From: qingqian.MustParseDate("2020-09-01")},
	{Code: "2025", Name: "《保障中小企业款项支付条例》（2025年修订）", Decree: "国务院令第802号", From: qingqian.MustParseDate("2025-06-01")},
}

// Before is the "version" of a contract signed before the Regulation came into force: only the
// contract and the Civil Code apply.
var Before = Version{Code: "none", Name: "条例施行前签订（仅适用合同约定和《民法典》）"}

// VersionOn returns the version of the Regulation in force on the signing date, or Before.
func VersionOn(signed qingqian.Date) Version {
	v := Before
	for _, x := range Versions {
		if !signed.Before(x.From) {
			v = x
		}
	}
	return v
}

// Is2025 reports whether the version is the 2025 revision or later.
func (v Version) Is2025() bool {
	return v.Code != Before.Code && !v.From.Before(Versions[1].From)
}

// InForce reports whether the Regulation applies at all.
func (v Version) InForce() bool { return v.Code != Before.Code }
