package activities_test

import (
	"io"
	"math"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/telemetry"
)

// TestRecordSLOPublishesItsEvaluationOnMetrics records two readings of an
// SLO, one good and one bad, and reads the gauges back from /metrics: the
// values are the second evaluation's, computed from the stored series.
func TestRecordSLOPublishesItsEvaluationOnMetrics(t *testing.T) {
	e := newSLOEnv(t)
	m, err := telemetry.NewMetrics()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(t.Context())
	var s testsuite.WorkflowTestSuite
	s.SetMetricsHandler(m.Handler())
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e.s)
	at := time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)
	o := slo.Objective{Target: 0.9, Window: 24 * time.Hour, Interval: time.Hour}
	for i, good := range []int64{1, 0} {
		in := activities.RecordSLOInput{Dataset: "orders", SLO: "orders-fresh", Objective: o, Rules: slo.ScaleRules(slo.WorkbookRules, o.Interval),
			Obs: slo.Observation{At: at.Add(time.Duration(i) * time.Hour), Good: good, Total: 1}}
		if _, err := env.ExecuteActivity(e.s.RecordSLO, in); err != nil {
			t.Fatal(err)
		}
	}
	rec := httptest.NewRecorder()
	m.HTTPHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	// One bad of two over the window: SLI 0.5, budget 1 - 0.5/0.1 = -4;
	// the 1h window holds only the bad reading: burn 1/0.1 = 10.
	for _, tt := range []struct {
		name, window string
		want         float64
	}{
		{activities.MetricSLOSLI, "", 0.5},
		{activities.MetricSLOObjective, "", 0.9},
		{activities.MetricSLOBudgetRemaining, "", -4},
		{activities.MetricSLOBurnRate, "1h", 10},
		{activities.MetricSLOBurnRate, "72h", 5},
		{activities.MetricSLOAlertLevel, "", 1},
		{activities.MetricSLOLastEvaluation, "", float64(at.Add(time.Hour).Unix())},
	} {
		got, ok := gaugeValue(string(body), tt.name, tt.window)
		if !ok || math.Abs(got-tt.want) > 1e-9*math.Max(1, math.Abs(tt.want)) {
			t.Errorf("%s{window=%q} = %v (found %v), want %v; dre_slo lines:\n%s", tt.name, tt.window, got, ok, tt.want, grepLines(string(body), "dre_slo_"))
		}
	}
}

// gaugeValue finds the series name of dataset orders, SLO orders-fresh
// (and window, unless "") among the SDK's own labels (activity_type,
// task_queue...) in an exposition, and returns its value.
func gaugeValue(body, name, window string) (float64, bool) {
	for _, line := range strings.Split(body, "\n") {
		rest, named := strings.CutPrefix(line, name+"{")
		labels, value, found := strings.Cut(rest, "} ")
		if !named || !found || !strings.Contains(labels, `dataset="orders"`) || !strings.Contains(labels, `slo="orders-fresh"`) ||
			(window != "" && !strings.Contains(labels, `window="`+window+`"`)) {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		return v, err == nil
	}
	return 0, false
}

func grepLines(body, prefix string) string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
