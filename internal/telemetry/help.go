package telemetry

import sdkmetric "go.opentelemetry.io/otel/sdk/metric"

// seriesHelp is the # HELP text of dre's own series, by the name they are
// recorded under (activities.Metric*, workflows.Metric* and gateway.Metric*); Prometheus shows
// counters with _total and timers with _seconds appended. The Temporal
// SDK's metrics handler has no way to describe an instrument, so the text
// is attached here, by name.
var seriesHelp = map[string]string{
	"dre_backfill_partitions":       "Backfill partitions finished, by dataset and outcome (done or failed).",
	"dre_backfill_rows":             "Rows written by backfills, by dataset.",
	"dre_gateway_alerts":            "Alerts the gateway read from monitoring tools on /alerts/<source>, by source and outcome.",
	"dre_triage_incidents":          "Incidents opened by triage, by dataset and severity.",
	"dre_decisions_refused":         "Decisions the workflows refused in their validators, by workflow, action and reason (unproven, not_allowed, self_approval).",
	"dre_triage_time_to_ack":        "Time from an incident's opening to its first acknowledgement, by dataset and severity.",
	"dre_triage_time_to_resolve":    "Time from an incident's opening to its resolution, by dataset and severity.",
	"dre_gateway_request_latency":   "Time the gateway took to answer a request, by route and status.",
	"dre_gateway_rejects":           "Requests the gateway turned away, by route and reason.",
	"dre_gateway_refusals":          "Verified Slack commands and clicks refused by dre's policy, by reason (workspace, not_allowed).",
	"dre_gateway_pagerduty_ignored": "Verified PagerDuty webhook events that changed nothing, by reason (unmapped_service, stale).",

	"dre_slo_sli":                               "Fraction of good events over the SLO window at the latest evaluation, by dataset and slo.",
	"dre_slo_objective":                         "The fraction of good events the SLO promises over its window, by dataset and slo.",
	"dre_slo_error_budget_remaining_ratio":      "Fraction of the SLO window's error budget not yet spent (1 untouched, 0 spent, below 0 overspent), by dataset and slo.",
	"dre_slo_burn_rate":                         "How many times faster than sustainable the error budget is spent over the window, by dataset, slo and window.",
	"dre_slo_alert_level":                       "Loudest alert the burn-rate rules call for: 0 ok, 1 ticket, 2 page; by dataset and slo.",
	"dre_slo_last_evaluation_timestamp_seconds": "Unix time of the evaluation slot the other dre_slo_ gauges of this process describe, by dataset and slo.",
}

// describeAndBucket is the meter's one view: dre's series get their help
// text, and every histogram in seconds gets durationBuckets. One view does
// both because an instrument matched by two views is exported twice.
func describeAndBucket(inst sdkmetric.Instrument) (sdkmetric.Stream, bool) {
	stream := sdkmetric.Stream{Name: inst.Name, Description: inst.Description, Unit: inst.Unit}
	help, described := seriesHelp[inst.Name]
	if described {
		stream.Description = help
	}
	seconds := inst.Kind == sdkmetric.InstrumentKindHistogram && inst.Unit == "s"
	if seconds {
		stream.Aggregation = sdkmetric.AggregationExplicitBucketHistogram{Boundaries: durationBuckets}
	}
	return stream, described || seconds
}
