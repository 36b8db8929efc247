package slo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/dre-dev/dre/internal/catalog"
)

// ruleDatasets are three datasets of one SLO each, measured every 5m, so
// the workbook's windows stay 5m, 30m, 1h, 6h and 72h.
func ruleDatasets() []catalog.Dataset {
	d := func(x time.Duration) catalog.Duration { return catalog.Duration{Duration: x} }
	one := func(ds, name string, kind catalog.SLOKind) catalog.Dataset {
		return catalog.Dataset{Name: ds, SLOs: []catalog.SLO{{Name: name, Kind: kind, Objective: 0.99, Window: d(28 * 24 * time.Hour), Interval: d(5 * time.Minute)}}}
	}
	return []catalog.Dataset{one("orders", "orders-fresh", catalog.Freshness), one("events", "events-volume", catalog.Volume), one("payments", "pay-fresh", catalog.Freshness)}
}

// promtool is required: .ci/run installs it with Debian's prometheus package.
func promtool(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not installed; install it with: apt-get install -y --no-install-recommends prometheus")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeRules(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	if err := PrometheusRules(&b, ruleDatasets(), WorkbookRules); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dre-slo.rules.yml")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrometheusRulesPassPromtoolCheck(t *testing.T) {
	path := writeRules(t)
	out := promtool(t, "check", "rules", path)
	// 6 recording rules, then per SLO 3 burn alerts, overdue and exhausted.
	if want := "SUCCESS: 21 rules found"; !strings.Contains(out, want) {
		t.Errorf("promtool check rules said %q, want %q", out, want)
	}
}

// TestPrometheusRulesAlertAsTheEvaluatorWould feeds promtool's rule unit
// test two workers' gauges: the stale worker's page-level burn of orders
// must not alert once the fresh worker reports it healthy; events burns on
// both page rules, not the ticket one; payments' burn stopped (the short
// window cleared) and its evaluator went quiet.
func TestPrometheusRulesAlertAsTheEvaluatorWould(t *testing.T) {
	rules := writeRules(t)
	type series struct{ labels, values string }
	gauges := func(worker, dataset, sloName, ts, budget string, burns map[string]string) []series {
		l := fmt.Sprintf(`dataset=%q,slo=%q,instance=%q`, dataset, sloName, worker)
		out := []series{{seriesEvaluated + "{" + l + "}", ts}, {seriesBudget + "{" + l + "}", budget}}
		for w, v := range burns {
			out = append(out, series{fmt.Sprintf(`%s{%s,window=%q}`, seriesBurn, l, w), v})
		}
		return out
	}
	const (
		recent, old = "7000+0x150", "0+0x150"
		hot, cold   = "20+0x150", "0+0x150"
		half        = "0.5+0x150"
	)
	var input []series
	input = append(input, gauges("w1", "orders", "orders-fresh", "6000+0x150", half, map[string]string{"5m": hot, "30m": hot, "1h": hot, "6h": hot, "72h": hot})...)
	input = append(input, gauges("w2", "orders", "orders-fresh", recent, half, map[string]string{"5m": cold, "30m": cold, "1h": cold, "6h": cold, "72h": cold})...)
	input = append(input, gauges("w1", "events", "events-volume", recent, "-1+0x150", map[string]string{"5m": hot, "30m": hot, "1h": hot, "6h": hot, "72h": half})...)
	input = append(input, gauges("w2", "payments", "pay-fresh", old, half, map[string]string{"5m": half, "30m": half, "1h": hot, "6h": cold, "72h": cold})...)

	var b strings.Builder
	fmt.Fprintf(&b, "rule_files: [%q]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n", rules)
	for _, s := range input {
		fmt.Fprintf(&b, "      - series: '%s'\n        values: '%s'\n", s.labels, s.values)
	}
	b.WriteString("    alert_rule_test:\n")
	firing := map[string][]string{
		"DreSLOPageBurn1h":           {"events"},
		"DreSLOPageBurn6h":           {"events"},
		"DreSLOTicketBurn72h":        nil,
		"DreSLOErrorBudgetExhausted": {"events"},
		"DreSLOEvaluationOverdue":    {"payments"},
	}
	for alert, datasets := range firing {
		fmt.Fprintf(&b, "      - eval_time: 2h\n        alertname: %s\n        exp_alerts:%s\n", alert, expectedAlerts(t, alert, datasets))
	}
	test := filepath.Join(t.TempDir(), "dre-slo.test.yml")
	if err := os.WriteFile(test, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := promtool(t, "test", "rules", test); !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules: %s", out)
	}
}

// expectedAlerts renders the alerts the datasets should raise under the
// rule named alert, labels and annotations as the rule file states them.
func expectedAlerts(t *testing.T, alert string, datasets []string) string {
	t.Helper()
	if len(datasets) == 0 {
		return " []"
	}
	var out strings.Builder
	for _, ds := range ruleDatasets() {
		if !slices.Contains(datasets, ds.Name) {
			continue
		}
		for _, r := range sloAlerts(ds.Name, ds.SLOs[0], ScaleRules(WorkbookRules, ds.SLOs[0].Interval.Duration)) {
			if r.Alert != alert {
				continue
			}
			doc, err := yaml.Marshal([]map[string]any{{"exp_labels": r.Labels, "exp_annotations": r.Annotations}})
			if err != nil {
				t.Fatal(err)
			}
			out.WriteString("\n" + indent(string(doc), "          "))
		}
	}
	return out.String()
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
