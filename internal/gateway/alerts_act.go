package gateway

import (
	"context"
	"time"

	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/workflows"
)

// Outcomes of one alert, in the answer and in MetricAlerts.
const (
	alertReported  = "reported"
	alertResolve   = "resolve recorded"
	alertNoOpen    = "resolve ignored: no open incident"
	alertDuplicate = "duplicate"
	alertUnmapped  = "unmapped: "
)

// act places the alert on its dataset and reports it, once per status:
// a repeat inside the dedup window is dropped here, and the incident
// drops later ones by fingerprint. Delivering a status lets the other
// status through again, so an alert that fires, resolves and fires again
// is reported each time.
func (a *alertRoute) act(ctx context.Context, al alerts.Alert) (alertOutcome, error) {
	out := alertOutcome{Fingerprint: al.Fingerprint}
	ds, miss := a.opts.Mapper.Dataset(al)
	if miss != "" {
		a.logger().Warn("alert concerns no catalog dataset", "source", al.Source, "fingerprint", al.Fingerprint, "why", miss)
		out.Outcome = alertUnmapped + miss
		return out, nil
	}
	out.Dataset = ds.Name
	key := alertKey(al, al.Status)
	first, err := a.seen.FirstUse(ctx, key, a.window())
	if err != nil || !first {
		out.Outcome = alertDuplicate
		if err != nil {
			out.Outcome = "error"
		}
		return out, err
	}
	out.Outcome, err = a.batcher.submit(ctx, ds, al)
	out.Incident = incidentOf(ds, out.Outcome)
	if err != nil {
		if err := a.seen.Forget(context.WithoutCancel(ctx), key); err != nil {
			a.logger().Error("alert: a new delivery will be taken for a duplicate", "fingerprint", al.Fingerprint, "error", err)
		}
		return out, err
	}
	other := alerts.Resolved
	if al.Status == alerts.Resolved {
		other = alerts.Firing
	}
	return out, a.seen.Forget(ctx, alertKey(al, other))
}

// deliver reports firing alerts of one dataset (opening the incident if
// none is open), or passes resolves to the open incident; the batch has
// one status.
func (a *alertRoute) deliver(ctx context.Context, ds catalog.Dataset, batch []alerts.Alert) (string, error) {
	report := alertReport(batch)
	if batch[0].Status == alerts.Firing {
		return a.reportFiring(ctx, ds, batch, report)
	}
	open, err := a.opts.Triage.SignalOpenTriage(ctx, ds.Name, report)
	if err == nil && !open {
		// It may have joined an upstream's incident when it fired.
		if up, err := a.joinUpstream(ctx, ds, batch); up != "" || err != nil {
			return alertJoinedUpstream + up, err
		}
	}
	if !open {
		return alertNoOpen, err
	}
	return alertResolve, err
}

// alertKey identifies one status of one alert in the seen set.
func alertKey(al alerts.Alert, status string) string {
	return seenAlert + al.Source + ":" + al.Fingerprint + ":" + status
}

// alertReport is the triage report of alerts of one source and dataset.
// It takes the worst severity, and is dated by the earliest start, so the
// incident's detection time is the tool's.
func alertReport(batch []alerts.Alert) workflows.TriageReport {
	r := workflows.TriageReport{Reporter: batch[0].Source, Source: "alert"}
	for _, al := range batch {
		if al.Severity != 0 && (r.Severity == 0 || al.Severity < r.Severity) {
			r.Severity = al.Severity
		}
		if !al.StartsAt.IsZero() && (r.ReportedAt.IsZero() || al.StartsAt.Before(r.ReportedAt)) {
			r.ReportedAt = al.StartsAt.UTC()
		}
		r.Alerts = append(r.Alerts, workflows.TriageAlert{
			Source: al.Source, Fingerprint: al.Fingerprint, Name: al.Name, Summary: al.Summary, Status: al.Status,
			StartsAt: al.StartsAt, EndsAt: al.EndsAt, URL: al.URL,
		})
	}
	if r.ReportedAt.IsZero() {
		r.ReportedAt = time.Now().UTC()
	}
	r.Description = workflows.AlertsDescription(r.Alerts)
	return r
}

// reportFiring reports firing alerts to the dataset's own open incident,
// else to an upstream's open incident (joinUpstream), else opens the
// dataset's incident.
func (a *alertRoute) reportFiring(ctx context.Context, ds catalog.Dataset, batch []alerts.Alert, report workflows.TriageReport) (string, error) {
	if a.opts.GroupByUpstream && len(ds.Upstream) > 0 {
		// An incident of its own, opened before the upstream's, keeps its alerts.
		if open, err := a.opts.Triage.SignalOpenTriage(ctx, ds.Name, report); open || err != nil {
			return alertReported, err
		}
		if up, err := a.joinUpstream(ctx, ds, batch); up != "" || err != nil {
			return alertJoinedUpstream + up, err
		}
	}
	return alertReported, a.opts.Triage.ReportTriage(ctx, workflows.TriageInput{Dataset: ds, Report: report})
}
