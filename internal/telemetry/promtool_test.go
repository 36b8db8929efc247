package telemetry

import (
	"bytes"
	"context"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/workflows"
)

// dreCounters and dreTimers are every series dre records itself, by kind.
var (
	dreCounters = []string{activities.MetricBackfillPartitions, activities.MetricBackfillRows, workflows.MetricTriageIncidents, gateway.MetricRejects,
		gateway.MetricPagerDutyIgnored, workflows.MetricDecisionsRefused, gateway.MetricRefusals, gateway.MetricAlerts}
	dreTimers = []string{workflows.MetricTriageTimeToAck, workflows.MetricTriageTimeToResolve, gateway.MetricRequestLatency}
	dreGauges = []string{activities.MetricSLOSLI, activities.MetricSLOObjective, activities.MetricSLOBudgetRemaining, activities.MetricSLOBurnRate,
		activities.MetricSLOAlertLevel, activities.MetricSLOLastEvaluation}
)

// dreSeries is every series dre records itself.
func dreSeries() []string {
	return slices.Concat(dreCounters, dreTimers, dreGauges)
}

// promtool is required, not optional: .ci/run installs it (Debian's
// prometheus package), and without it this check would silently pass.
func promtoolPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool is not installed; install it with: apt-get install -y --no-install-recommends prometheus")
	}
	return path
}

func TestEveryDreSeriesPassesPromtool(t *testing.T) {
	promtool := promtoolPath(t)
	recorded := dreSeries()
	if described := slices.Sorted(maps.Keys(seriesHelp)); !slices.Equal(described, slices.Sorted(slices.Values(recorded))) {
		t.Fatalf("help text for %v, but dre records %v: keep seriesHelp and the Metric* constants in step", described, recorded)
	}
	m, err := NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	h := m.Handler().WithTags(map[string]string{"dataset": "orders"})
	for _, name := range dreCounters {
		h.Counter(name).Inc(1)
	}
	for _, name := range dreTimers {
		h.Timer(name).Record(90 * time.Second)
	}
	for _, name := range dreGauges {
		h.WithTags(map[string]string{"slo": "orders-fresh", "window": "1h"}).Gauge(name).Update(0.5)
	}
	s, err := Serve("127.0.0.1:0", m.HTTPHandler(), func() error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	_, body := scrape(t, "http://"+s.Addr()+"/metrics")
	for _, name := range dreCounters {
		if want := "# HELP " + name + "_total " + seriesHelp[name]; !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, name := range dreTimers {
		if want := "# HELP " + name + "_seconds " + seriesHelp[name]; !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, name := range dreGauges {
		if want := "# HELP " + name + " " + seriesHelp[name] + "\n# TYPE " + name + " gauge"; !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, finding := range promtoolFindings(t, promtool, body) {
		if strings.HasPrefix(finding, "dre_") {
			t.Errorf("promtool check metrics: %s", finding)
		}
	}
}

// promtoolFindings runs promtool check metrics on an exposition and
// returns its findings, one a line. promtool exits non-zero when it has
// any, for the SDK's own series too, so only a failure to run is fatal.
func promtoolFindings(t *testing.T, promtool, exposition string) []string {
	t.Helper()
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(exposition)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("running promtool: %v", err)
		}
	}
	return strings.Split(strings.TrimSpace(out.String()), "\n")
}
