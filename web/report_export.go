package web

// The consolidated report as files: its spreadsheet with the annex, and a printable HTML file.

import (
	"fmt"
	"html/template"
	"io"
	"net/http"

	"github.com/qingqian/qingqian"
	"github.com/qingqian/qingqian/xlsx"
)

func (s *Server) exportReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rep, err := s.Reports.Report(r.Context(), id)
	if err != nil {
		return err
	}
	// The annex goes with the table: as issued, or a draft's bills as they stand now.
	if rep.Annex, err = s.Reports.ReportAnnex(r.Context(), id, false); err != nil {
		return err
	}
	format := formatOf(r)
	return s.download(w, r, fmt.Sprintf("第%d期汇总表", rep.Period.No), format, func(wr io.Writer, _ xlsx.Meta) error {
		return xlsx.WriteReport(wr, rep, format)
	})
}

// WriteReportHTML writes a consolidated report as one self-contained, printable HTML file (its
// style inlined), the same table as the workbench's report page.
func WriteReportHTML(w io.Writer, rep *qingqian.Report) error {
	css, err := assets.ReadFile("static/app.css")
	if err != nil {
		return err
	}
	t, err := template.New("report_file.html").Funcs(templateFuncs(func(string) string { return "" })).
		ParseFS(assets, "templates/report_file.html", "templates/part_report.html")
	if err != nil {
		return err
	}
	d := newReportData(rep)
	return t.Execute(w, struct {
		*reportData
		CSS template.CSS
	}{d, template.CSS(css)})
}
