package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Names of dre's own workflow metrics. Prometheus shows counters with a
// _total suffix and timers as histograms in seconds, such as
// dre_triage_time_to_ack_seconds.
const (
	MetricBackfillPartitions  = "dre_backfill_partitions" // by dataset and outcome (done, failed)
	MetricBackfillRows        = "dre_backfill_rows"       // rows written, by dataset
	MetricTriageIncidents     = "dre_triage_incidents"    // incidents opened, by dataset and severity
	MetricTriageTimeToAck     = "dre_triage_time_to_ack"
	MetricTriageTimeToResolve = "dre_triage_time_to_resolve"
)

// The metrics go through workflow.GetMetricsHandler, which drops what a
// replay records: a worker that picks up a half-done workflow after a crash
// does not count its partitions a second time.

// meterBackfill records the partitions and rows counted since before.
func (b *backfillRun) meterBackfill(ctx workflow.Context, before BackfillProgress) {
	m := workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"dataset": b.in.Dataset.Name})
	if n := b.p.Done - before.Done; n > 0 {
		m.WithTags(map[string]string{"outcome": "done"}).Counter(MetricBackfillPartitions).Inc(int64(n))
	}
	if n := b.p.Failed - before.Failed; n > 0 {
		m.WithTags(map[string]string{"outcome": "failed"}).Counter(MetricBackfillPartitions).Inc(int64(n))
	}
	if n := b.p.Rows - before.Rows; n > 0 {
		m.Counter(MetricBackfillRows).Inc(n)
	}
}

// meterOpened counts a new incident by dataset and severity.
func (t *triage) meterOpened(ctx workflow.Context) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		"dataset": t.in.Dataset.Name, "severity": "sev" + strconv.Itoa(t.severity),
	}).Counter(MetricTriageIncidents).Inc(1)
}

// meterClosed records how long the incident took to be acknowledged and
// resolved; an incident nobody acknowledged adds no time-to-ack sample.
func (t *triage) meterClosed(ctx workflow.Context, tl TriageTimeline) {
	m := workflow.GetMetricsHandler(ctx).WithTags(map[string]string{
		"dataset": t.in.Dataset.Name, "severity": "sev" + strconv.Itoa(t.severity),
	})
	observe := func(name string, d time.Duration) {
		if d > 0 {
			m.Timer(name).Record(d)
		}
	}
	observe(MetricTriageTimeToAck, tl.TimeToAck)
	observe(MetricTriageTimeToResolve, tl.TimeToResolve)
}
