package cli

import (
	"strings"
	"testing"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/workflows"
)

func TestSLAReportPrintsMarkdownAndCSV(t *testing.T) {
	p, err := slo.ParsePeriod("2026-11")
	if err != nil {
		t.Fatal(err)
	}
	report := []slo.Attainment{
		{Dataset: "orders", SLO: "orders-fresh", Kind: "freshness", Objective: 0.99, Good: 715, Total: 720, Attainment: 715.0 / 720, BudgetSpent: 5 / 7.2,
			Incidents: []string{"triage/orders@run-a", "triage/orders@run-b"}, Unexplained: 1},
		{Dataset: "orders", SLO: "orders-volume", Kind: "volume", Objective: 0.95, Good: 27, Total: 30, Attainment: 0.9, BudgetSpent: 2},
		{Dataset: "orders", SLO: "orders-complete", Kind: "completeness", Objective: 0.99, Attainment: 1},
	}
	var md strings.Builder
	if err := writeSLAReport(&md, p, "md", report); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## SLA report 2026-11 (2026-11-01 to 2026-11-30 UTC)",
		"| orders | orders-fresh | freshness | 99% | 99.31% | yes | 69.44% | 715 | 720 | triage/orders@run-a triage/orders@run-b | 1 |",
		"| orders | orders-volume | volume | 95% | 90% | no | 200% | 27 | 30 |  | 0 |",
		"| orders | orders-complete | completeness | 99% | no readings | n/a | no readings | 0 | 0 |  | 0 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}
	var csv strings.Builder
	if err := writeSLAReport(&csv, p, "csv", report); err != nil {
		t.Fatal(err)
	}
	wantCSV := "dataset,slo,kind,objective,attainment,met,budget_spent,good,total,incidents,bad_without_incident\n" +
		"orders,orders-fresh,freshness,0.99,0.993056,yes,0.694444,715,720,triage/orders@run-a triage/orders@run-b,1\n" +
		"orders,orders-volume,volume,0.95,0.9,no,2,27,30,,0\n" +
		"orders,orders-complete,completeness,0.99,no readings,n/a,no readings,0,0,,0\n"
	if csv.String() != wantCSV {
		t.Errorf("CSV:\n%s\nwant:\n%s", csv.String(), wantCSV)
	}
}

func TestSLOStatusSaysWhatTheHistoryBootstrapStored(t *testing.T) {
	st := workflows.SLOEvalStatus{Dataset: "orders", Status: "ok", Bootstrap: &workflows.SLOBootstrap{Request: "first-sync", SLOs: []activities.SLOHistory{
		{SLO: "fresh", Slots: 167, Bad: 45, Stored: 166}, {SLO: "custom", Skipped: "custom SQL reads the table as it is now"},
	}}}
	var out strings.Builder
	printSLOStatus(&out, st)
	if want := "(first-sync): fresh 166 readings stored, 45 bad; custom skipped (custom SQL reads the table as it is now)"; !strings.Contains(out.String(), want) {
		t.Errorf("status lacks %q:\n%s", want, out.String())
	}
}
