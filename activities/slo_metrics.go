package activities

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/dre-dev/dre/internal/slo"
)

// Names of the SLO gauges RecordSLO sets, each labelled with dataset and
// slo (and window for the burn rate). `dre slo export --prometheus-rules`
// and deploy/grafana/dre-slo.json are written against these names.
const (
	MetricSLOSLI             = "dre_slo_sli"                          // good/total over the SLO window
	MetricSLOObjective       = "dre_slo_objective"                    // the target fraction
	MetricSLOBudgetRemaining = "dre_slo_error_budget_remaining_ratio" // 1 untouched, 0 spent, negative overspent
	MetricSLOBurnRate        = "dre_slo_burn_rate"                    // by window, e.g. window="1h"
	MetricSLOAlertLevel      = "dre_slo_alert_level"                  // 0 ok, 1 ticket, 2 page
	MetricSLOLastEvaluation  = "dre_slo_last_evaluation_timestamp_seconds"
)

// meterSLO publishes an evaluation as gauges.
//
// The activity that computed the evaluation sets them, not the workflow:
// a gauge only holds the latest value, so a retried activity setting it
// twice is harmless, whereas a workflow replaying on another worker would
// set nothing there (workflow metrics are dropped on replay). With several
// workers, each keeps the values of the SLOs it last evaluated; the
// timestamp gauge tells which is newest, and the exported recording rules
// keep only that worker's values.
func meterSLO(ctx context.Context, dataset, name string, o slo.Objective, e slo.Evaluation) {
	if !activity.IsActivity(ctx) {
		return
	}
	m := activity.GetMetricsHandler(ctx).WithTags(map[string]string{"dataset": dataset, "slo": name})
	m.Gauge(MetricSLOSLI).Update(e.SLI)
	m.Gauge(MetricSLOObjective).Update(o.Target)
	m.Gauge(MetricSLOBudgetRemaining).Update(e.BudgetLeft)
	m.Gauge(MetricSLOAlertLevel).Update(e.Level.Number())
	for _, b := range e.Burns {
		m.WithTags(map[string]string{"window": slo.WindowLabel(b.Window)}).Gauge(MetricSLOBurnRate).Update(b.Rate)
	}
	m.Gauge(MetricSLOLastEvaluation).Update(float64(e.At.Unix()))
}
