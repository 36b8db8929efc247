package alerts

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// amWebhook is Alertmanager's webhook body, version "4": one group of
// alerts that share the route's group_by labels.
type amWebhook struct {
	Version string    `json:"version"`
	Status  string    `json:"status"`
	Alerts  []amAlert `json:"alerts"`
}

type amAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// parseAlertmanager reads a webhook_configs delivery. The fingerprint is
// Alertmanager's own (a hash of the label set), the same in every repeat
// and in the resolve.
func parseAlertmanager(body []byte, opts Options) ([]Alert, error) {
	var w amWebhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("not an Alertmanager webhook body (JSON with version \"4\" and alerts[]): %w", err)
	}
	if w.Version != "4" {
		return nil, fmt.Errorf("webhook version %q is not supported; dre reads version \"4\" (Alertmanager 0.x webhook_configs)", w.Version)
	}
	tableLabel := opts.TableLabel
	if tableLabel == "" {
		tableLabel = "table"
	}
	out := make([]Alert, 0, len(w.Alerts))
	for i, a := range w.Alerts {
		if a.Fingerprint == "" || (a.Status != Firing && a.Status != Resolved) {
			return nil, fmt.Errorf("alerts[%d] needs a fingerprint and a status of firing or resolved", i)
		}
		out = append(out, Alert{
			Fingerprint: a.Fingerprint, Name: a.Labels["alertname"], Status: a.Status,
			Table: a.Labels[tableLabel], Labels: a.Labels, Summary: amSummary(a),
			Severity: severityOfWord(a.Labels["severity"]), StartsAt: a.StartsAt, EndsAt: resolvedAt(a), URL: a.GeneratorURL,
		})
	}
	if len(out) == 0 {
		return nil, errors.New("the Alertmanager body has no alerts[]")
	}
	return out, nil
}

// amSummary prefers the annotations people write for humans.
func amSummary(a amAlert) string {
	for _, key := range []string{"summary", "description", "message"} {
		if s := a.Annotations[key]; s != "" {
			return s
		}
	}
	return a.Labels["alertname"]
}

// resolvedAt is EndsAt of a resolved alert; a firing alert's EndsAt is
// either zero or Alertmanager's guess of when it will time out.
func resolvedAt(a amAlert) time.Time {
	if a.Status != Resolved {
		return time.Time{}
	}
	return a.EndsAt
}
