package sqldb_test

import (
	"archive/zip"
	"bytes"
	"testing"
)

// MustOFD returns a minimal OFD package: a zip with OFD.xml at its root.
func MustOFD(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("OFD.xml")
	if err != nil {
		tb.Fatal(err)
	}
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>`))
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
