package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/qingqian/qingqian/xlsx"
)

// template writes the Excel template of a kind.
func (m *Main) template(args []string) error {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	out := fs.String("out", "", "输出文件")
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return exitError(2)
	}
	kind := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return exitError(2)
	}
	if _, ok := xlsx.Templates[kind]; !ok {
		return fmt.Errorf("没有“%s”模板，可选：ledger、repayments、plans、creditors、units、contracts、contract_events", kind)
	}
	if *out == "" {
		*out = xlsx.Templates[kind].Sheet + "模板.xlsx"
	}
	return writeFile(*out, func(w io.Writer) error { return xlsx.WriteTemplate(w, kind) }, m.Stdout)
}
