package alerts

import (
	"strings"
	"testing"
)

// amBody is a delivery as Alertmanager 0.25 sends it: one firing alert on
// sales.orders with a custom table label, and one resolved.
const amBody = `{
  "receiver": "dre", "status": "firing", "version": "4",
  "groupKey": "{}:{alertname=\"FreshnessSLO\"}", "truncatedAlerts": 0,
  "groupLabels": {"alertname": "FreshnessSLO"}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://am.example:9093",
  "alerts": [
    {"status": "firing", "labels": {"alertname": "FreshnessSLO", "relation": "sales.orders", "severity": "critical"},
     "annotations": {"summary": "orders are 3h late"}, "startsAt": "2026-12-06T10:00:00Z",
     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom.example/graph", "fingerprint": "6f1c2b1e9a0d4c3b"},
    {"status": "resolved", "labels": {"alertname": "VolumeDrop", "relation": "sales.orders"},
     "annotations": {}, "startsAt": "2026-12-06T09:00:00Z",
     "endsAt": "2026-12-06T09:30:00Z", "generatorURL": "", "fingerprint": "0a1b2c3d4e5f6071"}
  ]
}`

func TestAlertmanagerReadsEachAlertOfTheGroup(t *testing.T) {
	got, err := Parse(SourceAlertmanager, []byte(amBody), Options{TableLabel: "relation"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d alerts, want 2", len(got))
	}
	fire, res := got[0], got[1]
	if fire.Fingerprint != "6f1c2b1e9a0d4c3b" || fire.Status != Firing || fire.Table != "sales.orders" ||
		fire.Severity != 2 || fire.Summary != "orders are 3h late" || fire.Name != "FreshnessSLO" || fire.Labels["table"] != "sales.orders" {
		t.Errorf("firing alert read as %+v", fire)
	}
	if !fire.EndsAt.IsZero() {
		t.Errorf("a firing alert has no end, got %v", fire.EndsAt)
	}
	if res.Status != Resolved || res.EndsAt.IsZero() || res.Summary != "VolumeDrop" || res.Severity != 0 {
		t.Errorf("resolved alert read as %+v", res)
	}
}

func TestAlertmanagerRefusesOtherBodies(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":       `alerts: []`,
		"old version":    `{"version": "3", "alerts": [{"status": "firing", "fingerprint": "a"}]}`,
		"no alerts":      `{"version": "4", "alerts": []}`,
		"no fingerprint": `{"version": "4", "alerts": [{"status": "firing", "labels": {}}]}`,
		"odd status":     `{"version": "4", "alerts": [{"status": "pending", "fingerprint": "a"}]}`,
	} {
		if _, err := Parse(SourceAlertmanager, []byte(body), Options{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestUnknownSourceNamesTheKnownOnes(t *testing.T) {
	_, err := Parse("nagios", []byte(`{}`), Options{})
	if err == nil || !strings.Contains(err.Error(), "great_expectations") {
		t.Errorf("error %v does not list the sources", err)
	}
}
