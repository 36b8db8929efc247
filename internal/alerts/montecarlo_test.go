package alerts

import "testing"

// mcBody is a legacy incident webhook: two events, one table each, the
// second table twice.
const mcBody = `{
  "type": "open_custom_rule_anomaly_incident", "action": "incident", "version": "v0.1",
  "account": {"id": "acc-1"},
  "payload": {
    "incident_id": "inc-42", "url": "https://getmontecarlo.com/incidents/inc-42", "group_id": "g-1",
    "event_list": [
      {"table_name": "analytics:sales.orders", "rule": {"uuid": "r1", "rule_type": "custom_sql", "description": "orders without customer"}, "data": {"hits": []}},
      {"table_name": "analytics:sales.refunds", "rule": {"uuid": "r1", "rule_type": "custom_sql", "description": "refunds without order"}},
      {"table_name": "analytics:sales.refunds", "rule": {"uuid": "r2", "rule_type": "freshness"}}
    ]
  }
}`

func TestMonteCarloMakesOneAlertPerTable(t *testing.T) {
	got, err := Parse(SourceMonteCarlo, []byte(mcBody), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d alerts, want one per table (2): %+v", len(got), got)
	}
	a := got[0]
	if a.Fingerprint != "inc-42/analytics:sales.orders" || a.Status != Firing || a.Table != "analytics:sales.orders" ||
		a.Summary != "orders without customer" || a.URL != "https://getmontecarlo.com/incidents/inc-42" {
		t.Errorf("first alert read as %+v", a)
	}
}

func TestMonteCarloResolvedEventResolves(t *testing.T) {
	body := `{"type": "alert.resolved", "declared_alert_severity": "SEV-2",
	  "payload": {"incident_id": "inc-42", "event_list": [{"table_name": "analytics:sales.orders"}]}}`
	got, err := Parse(SourceMonteCarlo, []byte(body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != Resolved || got[0].Severity != 2 || got[0].Fingerprint != "inc-42/analytics:sales.orders" {
		t.Errorf("read as %+v", got[0])
	}
}

func TestMonteCarloRefusesBodiesWithoutIncident(t *testing.T) {
	for _, body := range []string{`[]`, `{"type": "x", "payload": {}}`, `{"payload": {"incident_id": "i", "event_list": [{}]}}`,
		`{"type": "x", "payload": {"incident_id": "i", "event_list": []}}`} {
		if _, err := Parse(SourceMonteCarlo, []byte(body), Options{}); err == nil {
			t.Errorf("accepted %s", body)
		}
	}
}
