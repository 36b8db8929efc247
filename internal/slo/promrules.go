package slo

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/dre-dev/dre/internal/catalog"
)

// The series the worker exports (activities.Metric*), repeated here
// because this package sits below activities; the rules test runs
// promtool on them and the dashboard test checks them against the
// activities constants.
const (
	seriesSLI       = "dre_slo_sli"
	seriesObjective = "dre_slo_objective"
	seriesBudget    = "dre_slo_error_budget_remaining_ratio"
	seriesBurn      = "dre_slo_burn_rate"
	seriesLevel     = "dre_slo_alert_level"
	seriesEvaluated = "dre_slo_last_evaluation_timestamp_seconds"
)

// Names of the recording rules, level:metric:operation as Prometheus
// names them: the latest reading of each SLO, whichever worker took it.
const (
	RecordEvaluated = "dataset_slo:" + seriesEvaluated + ":max"
	RecordSLI       = "dataset_slo:" + seriesSLI + ":latest"
	RecordObjective = "dataset_slo:" + seriesObjective + ":latest"
	RecordBudget    = "dataset_slo:" + seriesBudget + ":latest"
	RecordLevel     = "dataset_slo:" + seriesLevel + ":latest"
	RecordBurn      = "dataset_slo_window:" + seriesBurn + ":latest"
)

// ruleFile is Prometheus's rule file format.
type ruleFile struct {
	Groups []ruleGroup `yaml:"groups"`
}

type ruleGroup struct {
	Name  string     `yaml:"name"`
	Rules []promRule `yaml:"rules"`
}

type promRule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// freshest selects, among the processes exporting an SLO, the series of
// the one that evaluated it last: every worker keeps the gauges of the
// SLOs it evaluated, including stale ones after the evaluator's
// activities moved to another worker.
const freshest = "(" + seriesEvaluated + " == on (dataset, slo) group_left () max by (dataset, slo) (" + seriesEvaluated + "))"

// recordingRules keep the latest value of every gauge per SLO.
func recordingRules() ruleGroup {
	latest := func(series, by, matching string) string {
		return fmt.Sprintf("max by (%s) (%s and %s%s)", by, series, matching, freshest)
	}
	return ruleGroup{Name: "dre-slo-latest", Rules: []promRule{
		{Record: RecordEvaluated, Expr: "max by (dataset, slo) (" + seriesEvaluated + ")"},
		{Record: RecordSLI, Expr: latest(seriesSLI, "dataset, slo", "")},
		{Record: RecordObjective, Expr: latest(seriesObjective, "dataset, slo", "")},
		{Record: RecordBudget, Expr: latest(seriesBudget, "dataset, slo", "")},
		{Record: RecordLevel, Expr: latest(seriesLevel, "dataset, slo", "")},
		{Record: RecordBurn, Expr: latest(seriesBurn, "dataset, slo, window", "ignoring (window) ")},
	}}
}

// PrometheusRules writes a Prometheus rule file for the SLOs of datasets:
// the recording rules above, then per dataset the multi-window,
// multi-burn-rate alerts of rules (scaled to each SLO's interval, as the
// evaluator does), an alert when an evaluation is overdue, and one when
// the error budget is spent.
func PrometheusRules(w io.Writer, datasets []catalog.Dataset, rules []Rule) error {
	file := ruleFile{Groups: []ruleGroup{recordingRules()}}
	for _, ds := range datasets {
		g := ruleGroup{Name: "dre-slo-" + ds.Name}
		for _, s := range ds.SLOs {
			g.Rules = append(g.Rules, sloAlerts(ds.Name, s, ScaleRules(rules, s.Interval.Duration))...)
		}
		if len(g.Rules) > 0 {
			file.Groups = append(file.Groups, g)
		}
	}
	out, err := yaml.MarshalWithOptions(file, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return fmt.Errorf("writing the Prometheus rules: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n%s", ruleFileHeader, out)
	return err
}

// ruleFileHeader says where the file comes from, so nobody edits it by hand.
const ruleFileHeader = `# Prometheus rules for dre's data SLOs, written by dre slo export --prometheus-rules.
# Regenerate after changing slos: in dre.yaml; check with promtool check rules.`

// sloAlerts are one SLO's alerts.
func sloAlerts(dataset string, s catalog.SLO, rules []Rule) []promRule {
	sel := func(extra string) string {
		return fmt.Sprintf("{dataset=%s, slo=%s%s}", strconv.Quote(dataset), strconv.Quote(s.Name), extra)
	}
	labels := func(severity string) map[string]string {
		return map[string]string{"severity": severity, "dataset": dataset, "slo": s.Name}
	}
	var out []promRule
	for _, r := range rules {
		burn := func(window time.Duration) string {
			return fmt.Sprintf("%s%s >= %g", RecordBurn, sel(", window="+strconv.Quote(WindowLabel(window))), r.Factor)
		}
		out = append(out, promRule{
			Alert:  fmt.Sprintf("DreSLO%sBurn%s", title(string(r.Level)), WindowLabel(r.Long)),
			Expr:   fmt.Sprintf("max without (window) (%s)\nand on (dataset, slo)\n%s", burn(r.Long), burn(r.Short)),
			Labels: labels(string(r.Level)),
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("SLO %s of %s is burning its error budget (%s)", s.Name, dataset, r),
				"description": fmt.Sprintf("Objective %s over %s, measured every %s. The burn rate is at least %g× over both %s and %s; dre slo status %s shows the latest reading.", Percent(s.Objective), days(s.Window.Duration), s.Interval, r.Factor, WindowLabel(r.Long), WindowLabel(r.Short), dataset),
			},
		})
	}
	overdue := 3*s.Interval.Duration + 5*time.Minute
	out = append(out,
		promRule{
			Alert:  "DreSLOEvaluationOverdue",
			Expr:   fmt.Sprintf("time() - %s%s > %d", RecordEvaluated, sel(""), int64(overdue.Seconds())),
			Labels: labels(string(Ticket)),
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("SLO %s of %s has not been evaluated for %s", s.Name, dataset, WindowLabel(overdue)),
				"description": fmt.Sprintf("The evaluator slo-eval/%s should record a reading every %s. Check that it runs (dre slo schedule sync) and that a worker is up.", dataset, s.Interval),
			},
		},
		promRule{
			Alert:  "DreSLOErrorBudgetExhausted",
			Expr:   fmt.Sprintf("%s%s <= 0", RecordBudget, sel("")),
			Labels: labels(string(Ticket)),
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("SLO %s of %s has spent its error budget", s.Name, dataset),
				"description": fmt.Sprintf("dre holds backfills and runbook SQL on %s for an approval until the budget recovers.", dataset),
			},
		})
	return out
}

// title capitalises a level for an alert name: page → Page.
func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
