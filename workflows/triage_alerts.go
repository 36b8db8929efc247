package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Statuses of a TriageAlert, as the monitoring tools say them.
const (
	AlertFiring   = "firing"
	AlertResolved = "resolved"
)

// maxTriageAlerts bounds the alerts an incident lists, so that a storm
// of distinct alerts cannot grow the query answer without bound; later
// ones are counted in AlertsNotListed.
const maxTriageAlerts = 500

// TriageAlert is one alert from a monitoring tool (Alertmanager, Monte
// Carlo, Elementary, Soda, Great Expectations) that a report carries.
// The incident lists every alert it absorbed, keyed by source and
// fingerprint: a repeat of a known alert changes nothing, and a resolve
// marks it resolved.
type TriageAlert struct {
	Source      string `json:"source"`
	Fingerprint string `json:"fingerprint"`
	// Name is the alert's rule or check, for people.
	Name string `json:"name,omitempty"`
	// Summary is what the tool says is wrong.
	Summary  string    `json:"summary,omitempty"`
	Status   string    `json:"status"` // AlertFiring or AlertResolved
	StartsAt time.Time `json:"startsAt,omitzero"`
	EndsAt   time.Time `json:"endsAt,omitzero"`
	URL      string    `json:"url,omitempty"`
	// Dataset is set when the alert concerns a downstream of the
	// incident's dataset, not the dataset itself: the gateway joined it
	// here because this incident's dataset, SuspectedCause, is upstream.
	Dataset        string `json:"dataset,omitempty"`
	SuspectedCause string `json:"suspectedCause,omitempty"`
}

// key identifies an alert across its repeats and its resolve.
func (a TriageAlert) key() string { return a.Source + "/" + a.Fingerprint }

// validAlerts requires what absorbing an alert relies on.
func validAlerts(alerts []TriageAlert) error {
	for i, a := range alerts {
		if a.Source == "" || a.Fingerprint == "" || (a.Status != AlertFiring && a.Status != AlertResolved) {
			return fmt.Errorf("alert %d needs a source, a fingerprint and a status of %s or %s", i, AlertFiring, AlertResolved)
		}
	}
	return nil
}

// openingAlerts lists the alerts of the report that opened the incident.
func openingAlerts(r TriageReport) []TriageAlert {
	return slices.Clone(r.Alerts[:min(len(r.Alerts), maxTriageAlerts)])
}

// maxDescribedAlerts is how many alerts a report's description names.
const maxDescribedAlerts = 3

// AlertsDescription describes a report made by alerts: the first few by
// name and summary, then how many more.
func AlertsDescription(alerts []TriageAlert) string {
	parts := make([]string, 0, maxDescribedAlerts+1)
	for i, a := range alerts {
		if i == maxDescribedAlerts {
			parts = append(parts, fmt.Sprintf("and %d more alerts", len(alerts)-i))
			break
		}
		if a.Dataset != "" {
			parts = append(parts, fmt.Sprintf("%s on downstream %s (suspected cause: upstream %s): %s", a.Name, a.Dataset, a.SuspectedCause, a.Summary))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: %s", a.Name, a.Summary))
	}
	return strings.Join(parts, "; ")
}

// absorbAlerts records the alerts a report carries. The report goes on as
// an ordinary one only when some alert started firing, and then carries
// and describes just those.
func (t *triage) absorbAlerts(ctx workflow.Context, r TriageReport) (TriageReport, bool) {
	if err := validAlerts(r.Alerts); err != nil { // a signal cannot be refused, only ignored
		workflow.GetLogger(ctx).Warn("report ignored", "reporter", r.Reporter, "error", err)
		return r, false
	}
	var firing []TriageAlert
	for _, a := range r.Alerts {
		if t.absorbAlert(ctx, r.Reporter, a) {
			firing = append(firing, a)
		}
	}
	if len(firing) == 0 {
		return r, false
	}
	r.Alerts, r.Description = firing, AlertsDescription(firing)
	return r, true
}

// absorbAlert records one alert and reports whether it started firing.
// A repeat is dropped; a resolve is recorded and, when every alert has
// resolved, either resolves the incident (policy ResolveWithAlerts) or
// asks a human to.
func (t *triage) absorbAlert(ctx workflow.Context, reporter string, a TriageAlert) bool {
	i := t.alertIndex(a.key())
	if i >= 0 && t.alerts[i].Status == a.Status {
		return false // Alertmanager re-sends firing alerts until they resolve
	}
	if i < 0 && !t.listAlert(a) {
		return a.Status == AlertFiring
	}
	if i >= 0 {
		t.alerts[i].Status, t.alerts[i].EndsAt = a.Status, a.EndsAt
	}
	if a.Status == AlertFiring {
		return true
	}
	t.record(ctx, "alert-resolved", reporter, fmt.Sprintf("%s resolved at %s", a.Name, a.Source))
	t.onAlertsResolved(ctx)
	return false
}

// listAlert appends a new alert unless the list is full.
func (t *triage) listAlert(a TriageAlert) bool {
	if len(t.alerts) >= maxTriageAlerts {
		t.alertsNotListed++
		return false
	}
	t.alerts = append(t.alerts, a)
	return true
}

func (t *triage) alertIndex(key string) int {
	for i, a := range t.alerts {
		if a.key() == key {
			return i
		}
	}
	return -1
}

// onAlertsResolved acts once no listed alert is firing any more.
func (t *triage) onAlertsResolved(ctx workflow.Context) {
	for _, a := range t.alerts {
		if a.Status != AlertResolved {
			return
		}
	}
	if t.status == TriageResolved {
		return
	}
	n := len(t.alerts)
	if t.policy.ResolveWithAlerts {
		t.resolve(ctx, "alerts", fmt.Sprintf("all %d alert(s) resolved at their source", n))
		return
	}
	t.later(func(ctx workflow.Context) {
		t.post(ctx, fmt.Sprintf(":large_green_circle: All %d alert(s) of this incident resolved at their source. Press Resolve when you agree the data is right.", n))
	})
}
