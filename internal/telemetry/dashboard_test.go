package telemetry

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// dashboardPath is the Grafana dashboard shipped for dre's SLO series.
const dashboardPath = "../../deploy/grafana/dre-slo.json"

// exportedSeries are the names dre's own series have on /metrics:
// counters with _total, timers as _seconds histograms, gauges as named.
func exportedSeries() map[string]bool {
	out := map[string]bool{}
	for _, n := range dreCounters {
		out[n+"_total"] = true
	}
	for _, n := range dreTimers {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			out[n+"_seconds"+suffix] = true
		}
	}
	for _, n := range dreGauges {
		out[n] = true
	}
	return out
}

// dashboardQueries returns every PromQL expression of the dashboard: the
// panels' targets and the template variables' label_values queries (as
// their series selector).
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type       string `json:"type"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardPath, err)
	}
	var out []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			out = append(out, q.Expr)
		}
	}
	labelValues := regexp.MustCompile(`^label_values\((.+), *[a-zA-Z_]+\)$`)
	for _, v := range dash.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("template variable query %q is not label_values(series, label)", v.Definition)
			continue
		}
		out = append(out, m[1])
	}
	return out
}

// grafanaVars are the dashboard variables as promtool can parse them.
var grafanaVars = strings.NewReplacer("$dataset", "orders", "$slo", "orders-fresh", "$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h")

var (
	promStrings   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers  = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	promNumbers   = regexp.MustCompile(`(^|[^a-zA-Z0-9_:])[0-9][0-9a-zA-Z.]*`)
	promGrouping  = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	promOperators = []string{"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}
)

// seriesIn lists the series names an expression reads: identifiers left
// once strings, label matchers, ranges and grouping labels are removed,
// numbers and durations, that are neither functions (followed by a parenthesis) nor keywords.
func seriesIn(expr string) []string {
	s := promStrings.ReplaceAllString(expr, `""`)
	s = promMatchers.ReplaceAllString(s, " ")
	s = promGrouping.ReplaceAllString(s, " ")
	s = promNumbers.ReplaceAllString(s, "$1 ")
	var out []string
	for _, m := range promIdent.FindAllString(s, -1) {
		if strings.HasSuffix(m, "(") || slices.Contains(promOperators, strings.ToLower(m)) {
			continue
		}
		out = append(out, m)
	}
	return out
}

func TestSeriesInFindsTheSeriesOfAnExpression(t *testing.T) {
	expr := `max by (dataset, slo, window) (dre_slo_burn_rate{dataset=~"$dataset", window="1h"} and ignoring (window) (x_seconds == on (dataset) group_left () max by (slo) (y[5m] offset 1h)))`
	if got, want := seriesIn(expr), []string{"dre_slo_burn_rate", "x_seconds", "y"}; !slices.Equal(got, want) {
		t.Errorf("seriesIn = %v, want %v", got, want)
	}
}

// TestGrafanaDashboardReadsOnlyDreSeries parses deploy/grafana/dre-slo.json:
// every query must parse (promtool checks each as a recording rule) and
// read only series dre exports, and every SLO gauge must be on a panel.
func TestGrafanaDashboardReadsOnlyDreSeries(t *testing.T) {
	queries := dashboardQueries(t)
	exported := exportedSeries()
	shown := map[string]bool{}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, q := range queries {
		series := seriesIn(q)
		if len(series) == 0 {
			t.Errorf("query reads no series: %s", q)
		}
		for _, s := range series {
			if !exported[s] {
				t.Errorf("query reads %q, which dre does not export: %s", s, q)
			}
			shown[s] = true
		}
		fmt.Fprintf(&rules, "      - record: dashboard:query:%d\n        expr: %s\n", i, strconv.Quote(grafanaVars.Replace(q)))
	}
	for _, g := range dreGauges {
		if !shown[g] {
			t.Errorf("no panel shows %s", g)
		}
	}
	path := filepath.Join(t.TempDir(), "dashboard.rules.yml")
	if err := os.WriteFile(path, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtoolPath(t), "check", "rules", path).CombinedOutput(); err != nil {
		t.Errorf("a dashboard query does not parse: %v\n%s", err, out)
	}
}
