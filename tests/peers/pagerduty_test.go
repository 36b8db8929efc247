package peers

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/PagerDuty/go-pagerduty"
)

func trigger(t *testing.T, c *pagerduty.Client, routingKey, key string) {
	t.Helper()
	ev := &pagerduty.V2Event{RoutingKey: routingKey, Action: "trigger", DedupKey: key,
		Payload: &pagerduty.V2Payload{Summary: "orders late", Source: "dre", Severity: "critical"}}
	if _, err := c.ManageEventWithContext(context.Background(), ev); err != nil {
		t.Fatalf("trigger %s: %v", key, err)
	}
}

func TestPagerDutyTriggerOnAnOpenKeyNotifiesNobody(t *testing.T) {
	p := StartPagerDuty(t)
	c := p.Client()
	trigger(t, c, "R1", "triage/orders")
	trigger(t, c, "R1", "triage/orders")
	if n, incs := len(p.Notifications()), p.Incidents(); n != 1 || len(incs) != 1 || incs[0].Alerts != 2 {
		t.Fatalf("%d notifications, incidents %+v; want one incident with two alerts, notified once", n, incs)
	}
	trigger(t, c, "R2", "triage/orders") // another service never dedups against the first
	if _, err := c.ManageEventWithContext(context.Background(), &pagerduty.V2Event{RoutingKey: "R1", Action: "resolve", DedupKey: "triage/orders"}); err != nil {
		t.Fatal(err)
	}
	trigger(t, c, "R1", "triage/orders") // after the resolve, a new incident
	if n := p.NotifiedAtLevel(1); n != 3 || len(p.Incidents()) != 3 {
		t.Fatalf("%d first-level notifications, %d incidents; want 3 of each", n, len(p.Incidents()))
	}
}

func TestPagerDutyRejectsInvalidEvents(t *testing.T) {
	c := StartPagerDuty(t).Client()
	for name, ev := range map[string]*pagerduty.V2Event{
		"no payload":      {RoutingKey: "R1", Action: "trigger", DedupKey: "k"},
		"bad severity":    {RoutingKey: "R1", Action: "trigger", Payload: &pagerduty.V2Payload{Summary: "s", Source: "s", Severity: "sev1"}},
		"resolve, no key": {RoutingKey: "R1", Action: "resolve"},
		"unknown action":  {RoutingKey: "R1", Action: "escalate", DedupKey: "k"},
		"bad routing key": {RoutingKey: "bad", Action: "resolve", DedupKey: "k"},
	} {
		if _, err := c.ManageEventWithContext(context.Background(), ev); err == nil {
			t.Errorf("%s: accepted, want 400", name)
		}
	}
}

func TestPagerDutyRESTEscalatesLikePagerDuty(t *testing.T) {
	p := StartPagerDuty(t)
	c := p.Client()
	ctx := context.Background()
	trigger(t, c, "R1", "triage/orders")
	list, err := c.ListIncidentsWithContext(ctx, pagerduty.ListIncidentsOptions{IncidentKey: "triage/orders", Statuses: []string{"triggered"}, DateRange: "all"})
	if err != nil || len(list.Incidents) != 1 {
		t.Fatalf("incidents by key: %v, %+v", err, list)
	}
	id := list.Incidents[0].ID
	escalate := []pagerduty.ManageIncidentsOptions{{ID: id, EscalationLevel: 2}}

	wantStatus := func(name string, err error, status int) {
		t.Helper()
		var api pagerduty.APIError
		if !errors.As(err, &api) || api.StatusCode != status {
			t.Errorf("%s: %v, want HTTP %d", name, err, status)
		}
	}
	_, err = c.ManageIncidentsWithContext(ctx, "", escalate)
	wantStatus("no From header", err, http.StatusBadRequest)
	_, err = pagerduty.NewClient("wrong", pagerduty.WithAPIEndpoint(p.URL())).ManageIncidentsWithContext(ctx, PagerDutyFrom, escalate)
	wantStatus("bad token", err, http.StatusUnauthorized)
	_, err = c.ManageIncidentsWithContext(ctx, PagerDutyFrom, []pagerduty.ManageIncidentsOptions{{ID: id, EscalationLevel: 9}})
	wantStatus("a level the policy lacks", err, http.StatusBadRequest)
	if p.NotifiedAtLevel(2) != 0 {
		t.Fatal("a refused request notified someone")
	}
	if _, err := c.ManageIncidentsWithContext(ctx, PagerDutyFrom, escalate); err != nil {
		t.Fatal(err)
	}
	if n := p.NotifiedAtLevel(2); n != 1 {
		t.Fatalf("second level notified %d times, want once", n)
	}
	too := make([]pagerduty.ManageIncidentsOptions, maxManagedIncidents+1)
	_, err = c.ManageIncidentsWithContext(ctx, PagerDutyFrom, too)
	wantStatus("251 incidents", err, http.StatusRequestEntityTooLarge)
}
