package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/dre-dev/dre/activities"
)

// Names of dre's own workflow metrics. Prometheus shows counters with a
// _total suffix and timers as histograms in seconds, such as
// dre_triage_time_to_ack_seconds.
// The activities count backfill partitions done and rows written
// (activities.MetricBackfillPartitions); the workflow counts the failed ones.
const (
	MetricTriageIncidents     = "dre_triage_incidents" // incidents opened, by dataset and severity
	MetricTriageTimeToAck     = "dre_triage_time_to_ack"
	MetricTriageTimeToResolve = "dre_triage_time_to_resolve"
)

// The metrics go through workflow.GetMetricsHandler, which drops what a
// replay records: a worker that picks up a half-done workflow after a crash
// does not count its partitions a second time.

// meterBackfill records the partitions failed since before. Partitions
// done and rows written are counted by the activity that commits them,
// exactly once through the ledger.
func (b *backfillRun) meterBackfill(ctx workflow.Context, before BackfillProgress) {
	if n := b.p.Failed - before.Failed; n > 0 {
		workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"dataset": b.in.Dataset.Name, "outcome": "failed"}).
			Counter(activities.MetricBackfillPartitions).Inc(int64(n))
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
