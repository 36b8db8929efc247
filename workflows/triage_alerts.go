package workflows

import (
	"fmt"
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
	Name     string    `json:"name,omitempty"`
	Status   string    `json:"status"` // AlertFiring or AlertResolved
	StartsAt time.Time `json:"startsAt,omitzero"`
	EndsAt   time.Time `json:"endsAt,omitzero"`
	URL      string    `json:"url,omitempty"`
}

// key identifies an alert across its repeats and its resolve.
func (a TriageAlert) key() string { return a.Source + "/" + a.Fingerprint }

// openingAlerts lists the alert of the report that opened the incident.
func openingAlerts(r TriageReport) []TriageAlert {
	if r.Alert == nil {
		return nil
	}
	return []TriageAlert{*r.Alert}
}

// absorbAlert records the alert a report carries and reports whether the
// report goes on as an ordinary one: only an alert that starts firing
// does. A repeat is dropped; a resolve is recorded and, when every alert
// has resolved, either resolves the incident (policy ResolveWithAlerts)
// or asks a human to.
func (t *triage) absorbAlert(ctx workflow.Context, r TriageReport) bool {
	a := *r.Alert
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
	t.record(ctx, "alert-resolved", r.Reporter, fmt.Sprintf("%s resolved at %s", a.Name, a.Source))
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
