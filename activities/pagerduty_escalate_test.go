package activities

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/tests/peers"
)

func TestEscalatePagerDutyMovesTheOpenIncidentToTheLevel(t *testing.T) {
	pd := peers.StartPagerDuty(t)
	n := &Notify{PagerDuty: pd.Client(), RoutingKey: "R1", PagerDutyFrom: peers.PagerDutyFrom}
	ctx := context.Background()
	if _, err := n.Page(ctx, PageRequest{DedupKey: "triage/orders", Summary: "late", Severity: "critical"}); err != nil {
		t.Fatal(err)
	}
	res, err := n.EscalatePagerDuty(ctx, EscalateRequest{DedupKey: "triage/orders", Level: 2})
	if err != nil || !res.Sent || res.Level != 2 || pd.NotifiedAtLevel(2) != 1 {
		t.Fatalf("escalation %+v, %v; %d second-level notifications; want level 2 notified once", res, err, pd.NotifiedAtLevel(2))
	}
	res, err = n.EscalatePagerDuty(ctx, EscalateRequest{DedupKey: "triage/orders", Level: len(peers.PagerDutyLevels) + 1})
	if err != nil || res.Sent || !strings.Contains(res.Reason, "levels") {
		t.Errorf("escalation past the last level: %+v, %v; want not sent, saying the policy has no such level", res, err)
	}
	res, err = n.EscalatePagerDuty(ctx, EscalateRequest{DedupKey: "triage/none", Level: 2})
	if err != nil || res.Sent || !strings.Contains(res.Reason, "no open PagerDuty incident") {
		t.Errorf("escalation of no incident: %+v, %v", res, err)
	}
}

func TestEscalatePagerDutyRefusalIsNotRetried(t *testing.T) {
	pd := peers.StartPagerDuty(t)
	n := &Notify{PagerDuty: pd.Client(), RoutingKey: "R1", PagerDutyFrom: "stranger@example.com"}
	ctx := context.Background()
	if _, err := n.Page(ctx, PageRequest{DedupKey: "k", Summary: "late", Severity: "critical"}); err != nil {
		t.Fatal(err)
	}
	_, err := n.EscalatePagerDuty(ctx, EscalateRequest{DedupKey: "k", Level: 2})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("a From PagerDuty does not know: %v, want a non-retryable error", err)
	}
}

func TestPageAnotherServiceByName(t *testing.T) {
	pd := peers.StartPagerDuty(t)
	n := &Notify{PagerDuty: pd.Client(), RoutingKey: "R1", Services: map[string]string{"platform": "R-PLATFORM"}}
	ctx := context.Background()
	if _, err := n.Page(ctx, PageRequest{Service: "platform", DedupKey: "k", Summary: "late", Severity: "critical"}); err != nil {
		t.Fatal(err)
	}
	if ev := pd.Events(); len(ev) != 1 || ev[0].RoutingKey != "R-PLATFORM" {
		t.Fatalf("events %+v, want one on the platform service's routing key", ev)
	}
	_, err := n.Page(ctx, PageRequest{Service: "nowhere", DedupKey: "k", Summary: "late"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(err.Error(), "pagerduty.services") {
		t.Fatalf("unknown service: %v, want a non-retryable error naming pagerduty.services", err)
	}
}
