package bench

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/alerts/alertload"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// alertSeconds is short by default; make bench runs 30 s.
var alertSeconds = flag.Int("alert-seconds", 3, "how many seconds BenchmarkAlertIngestTemporal sends alerts")

const (
	alertRate        = 500 // alerts per second, one Alertmanager delivery each
	alertToken       = "bench-alertmanager-token"
	alertRepeatEvery = 5 // every fifth delivery repeats the alert before it
)

// BenchmarkAlertIngestTemporal posts Alertmanager webhooks to the real
// gateway at 500 alerts per second over loopback (b.N is ignored: the
// load is a rate), spread over the demo catalog's datasets, against the
// embedded Temporal server and a worker running the real triage. The
// acknowledgement includes the signal-with-start round trip, since the
// gateway answers only once the alert reached its incident. It reports
// p50/p99 in milliseconds, and the incidents opened and alerts listed
// against the expected counts (one incident per dataset; every distinct
// alert once, the repeats dropped).
func BenchmarkAlertIngestTemporal(b *testing.B) {
	datasets, url := startAlertIngest(b)
	n := alertRate * *alertSeconds
	b.ResetTimer()
	latencies, failed := postAlertsAtRate(url, datasets, n)
	b.StopTimer()
	unique := n - n/alertRepeatEvery
	opened, listed := countIncidents(b, datasets, unique)
	slices.Sort(latencies)
	pct := func(p float64) float64 { return float64(latencies[int(p*float64(n-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(opened), "incidents")
	b.ReportMetric(float64(len(datasets)), "incidents-expected")
	b.ReportMetric(float64(listed), "alerts-listed")
	b.ReportMetric(float64(unique), "alerts-unique")
	if failed > 0 || opened != len(datasets) || listed != unique {
		b.Fatalf("%d deliveries failed; %d incidents (want %d); %d alerts listed (want %d)", failed, opened, len(datasets), listed, unique)
	}
	for _, ds := range datasets { // close the incidents, so a rerun starts afresh
		_ = gateway.TemporalIncidents{Client: env.Client}.Resolve(context.Background(), workflows.TriageWorkflowID(ds), "bench")
	}
}

// startAlertIngest runs a worker on a seeded demo warehouse with Slack
// and PagerDuty stand-ins, and the gateway; it returns the datasets and
// the gateway's Alertmanager URL.
func startAlertIngest(b *testing.B) ([]string, string) {
	ctx := context.Background()
	db := fmt.Sprintf("alertbench%d", time.Now().UnixNano())
	if err := env.PG.CreateDatabase(ctx, db); err != nil {
		b.Fatal(err)
	}
	dsn := env.PG.DSN(db)
	if _, err := demo.Seed(ctx, dsn, time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Parse("demo.yaml", demo.Config, nil, config.LoadOptions{AllowEmbedded: true})
	if err != nil {
		b.Fatal(err)
	}
	slack, pd := peers.StartSlack(b), peers.StartPagerDuty(b)
	env.StartWorker(b, worker.Deps{Warehouses: worker.Warehouses(cfg, dsn),
		Notify: &activities.Notify{Slack: slack.Client(), PagerDuty: pd.Client(), RoutingKey: "R-BENCH"}})
	gw, err := gateway.Start(gateway.Options{Listen: "127.0.0.1:0", Alerts: gateway.AlertOptions{
		Sources: map[string]gateway.AlertSourceOptions{alerts.SourceAlertmanager: {Token: alertToken}},
		Mapper:  alerts.NewMapper(nil, cfg.Catalog),
		Triage:  gateway.TemporalTriage{Client: env.Client, TaskQueue: env.TaskQueue, Namespace: "default"},
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = gw.Shutdown(context.Background()) })
	return cfg.Catalog.Names(), "http://" + gw.Addr() + "/alerts/alertmanager"
}

// postAlertsAtRate posts delivery i at tick i at alertRate.
func postAlertsAtRate(url string, datasets []string, n int) ([]time.Duration, int64) {
	return alertload.Post(url, alertToken, alertRate, n, func(i int) string { return alertDelivery(i, datasets) })
}

// alertDelivery is delivery i, an Alertmanager webhook (version 4) with
// one alert: new ones round-robin over the datasets, and every fifth
// delivery repeats the alert before it, as Alertmanager's repeats do.
func alertDelivery(i int, datasets []string) string {
	if i%alertRepeatEvery == alertRepeatEvery-1 {
		i--
	}
	alert := i/alertRepeatEvery*(alertRepeatEvery-1) + i%alertRepeatEvery
	return fmt.Sprintf(`{"version": "4", "status": "firing", "receiver": "dre", "alerts": [
	  {"status": "firing", "labels": {"alertname": "Bench%d", "dataset": %q, "severity": "warning"},
	   "annotations": {"summary": "bench alert"}, "startsAt": "2026-12-06T10:00:00Z",
	   "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "%016x"}]}`, alert, datasets[alert%len(datasets)], alert)
}

// countIncidents waits until the incidents list the alerts sent (the
// workflows take the signals after the acks), or two minutes, and counts
// them.
func countIncidents(b *testing.B, datasets []string, want int) (opened, listed int) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		opened, listed = 0, 0
		for _, ds := range datasets {
			v, err := env.Client.QueryWorkflow(context.Background(), workflows.TriageWorkflowID(ds), "", workflows.TriageTimelineQuery)
			var tl workflows.TriageTimeline
			if err != nil || v.Get(&tl) != nil {
				continue
			}
			opened++
			listed += len(tl.Alerts) + tl.AlertsNotListed
		}
		if listed >= want || time.Now().After(deadline) {
			return opened, listed
		}
		time.Sleep(200 * time.Millisecond) // polling the workflows, not timing
	}
}
