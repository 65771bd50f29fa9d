package payrules

import (
	"bytes"
	_ "embed"

	"github.com/qingqian/qingqian"
)

// LPR and LPRTable are the root package's: the table is data, stored like the calendar.
type (
	LPR      = qingqian.LPR
	LPRTable = qingqian.LPRTable
)

// ParseLPR is the root package's.
var ParseLPR = qingqian.ParseLPR

//go:embed lpr.csv
var shippedLPR []byte

// ShippedLPR is the table the system ships with (docs/lpr.csv), from the first publication on
// 2019-08-20; an administrator extends it as data.
func ShippedLPR() LPRTable {
	t, err := ParseLPR(bytes.NewReader(shippedLPR))
	if err != nil {
		panic("payrules: the shipped lpr.csv is broken: " + err.Error())
	}
	return t
}
