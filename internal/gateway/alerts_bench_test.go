package gateway

import (
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/alerts/alertload"
	"github.com/dre-dev/dre/internal/catalog"
)

// alertBenchDuration is short by default so `go test -bench .` stays
// quick; make bench runs the full 30 s.
var alertBenchDuration = flag.Duration("alert-bench-duration", 3*time.Second, "how long BenchmarkAlertIngest sends alerts")

// Shape of BenchmarkAlertIngest's load.
const (
	alertBenchRate     = 500 // alerts per second, one per delivery
	alertBenchDatasets = 20
	// Every alertBenchRepeatEvery-th delivery repeats an earlier alert,
	// as Alertmanager does each repeat_interval: it must be dropped.
	alertBenchRepeatEvery = 5
)

// BenchmarkAlertIngest posts Alertmanager webhooks to /alerts/alertmanager
// at 500 alerts per second over loopback (b.N is ignored: the load is a
// rate) and reports the acknowledgement latency p50/p99 in milliseconds,
// and the incidents opened against the expected count (one per dataset).
// Alerts spread over 20 datasets; one delivery in five repeats an earlier
// alert. The triage behind the gateway is a stand-in with signal-with-
// start's grouping (one open incident per dataset ID), so the figure is
// the gateway's own cost: authentication, parsing, mapping, dedup.
func BenchmarkAlertIngest(b *testing.B) {
	base, triage := startAlertBenchGateway(b)
	n := alertBenchRate * int(*alertBenchDuration/time.Second)
	b.ResetTimer()
	latencies, failed := sendAlertsAtRate(b, base+"/alerts/alertmanager", n)
	b.StopTimer()
	opened, reports, _ := triage.counts()
	unique := n - n/alertBenchRepeatEvery
	b.ReportMetric(percentileMillis(latencies, 0.50), "p50-ms")
	b.ReportMetric(percentileMillis(latencies, 0.99), "p99-ms")
	b.ReportMetric(float64(opened), "incidents")
	b.ReportMetric(alertBenchDatasets, "incidents-expected")
	b.ReportMetric(float64(reports), "alerts-reported")
	b.ReportMetric(float64(unique), "alerts-unique")
	if failed > 0 || opened != alertBenchDatasets || reports != unique {
		b.Fatalf("%d failed; %d incidents (want %d); %d alerts reported (want %d unique)", failed, opened, alertBenchDatasets, reports, unique)
	}
}

func startAlertBenchGateway(b *testing.B) (string, *fakeAlertTriage) {
	datasets := make([]catalog.Dataset, alertBenchDatasets)
	for i := range datasets {
		datasets[i] = catalog.Dataset{Name: fmt.Sprintf("table%02d", i), Warehouse: "pg", Table: fmt.Sprintf("sales.table%02d", i)}
	}
	return startAlertGateway(b, func(o *Options) { o.Alerts.Mapper = alerts.NewMapper(nil, catalog.New(datasets)) })
}

// sendAlertsAtRate posts delivery i at tick i at alertBenchRate.
func sendAlertsAtRate(_ *testing.B, url string, n int) ([]time.Duration, int64) {
	return alertload.Post(url, testAlertToken, alertBenchRate, n, benchDelivery)
}

// benchDelivery is delivery i: a new alert, spread round-robin over the
// datasets, or, for every fifth delivery, a repeat of the alert before.
func benchDelivery(i int) string {
	if i%alertBenchRepeatEvery == alertBenchRepeatEvery-1 {
		i--
	}
	alert := i/alertBenchRepeatEvery*(alertBenchRepeatEvery-1) + i%alertBenchRepeatEvery // count of new alerts before it
	table := fmt.Sprintf("sales.table%02d", alert%alertBenchDatasets)
	return amDelivery("firing", table, fmt.Sprintf("%016x", alert))
}

func percentileMillis(d []time.Duration, p float64) float64 {
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	return float64(sorted[int(p*float64(len(sorted)-1))]) / float64(time.Millisecond)
}
