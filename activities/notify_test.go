package activities

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/tests/peers"
)

func TestPostSlackPostsThroughTheRealClient(t *testing.T) {
	slackPeer := peers.StartSlack(t)
	n := &Notify{Slack: slackPeer.Client()}
	got, err := n.PostSlack(context.Background(), SlackMessage{Channel: "C123", Text: "orders is stale", ThreadTS: "1.2"})
	if err != nil || !got.Sent || !strings.HasPrefix(got.TS, "1700000000.") {
		t.Fatalf("PostSlack = %+v, %v; want sent with the ts Slack returned", got, err)
	}
	calls := slackPeer.Calls()
	if len(calls) != 1 || calls[0].Channel != "C123" || calls[0].Text != "orders is stale" || calls[0].ThreadTS != "1.2" {
		t.Fatalf("Slack saw %+v", calls)
	}
}

func TestPostSlackRefusalIsNotRetried(t *testing.T) {
	n := &Notify{Slack: peers.StartSlack(t).Client()}
	_, err := n.PostSlack(context.Background(), SlackMessage{Channel: "C-missing", Text: "x"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || !strings.Contains(err.Error(), "invite the dre app") {
		t.Fatalf("got %v, want a non-retryable error that says what to do", err)
	}
}

func TestNotConfiguredIsReportedNotFailed(t *testing.T) {
	n := &Notify{}
	posted, err := n.PostSlack(context.Background(), SlackMessage{Channel: "C1", Text: "x"})
	if err != nil || posted.Sent || !strings.Contains(posted.Reason, "slack.bot_token") {
		t.Fatalf("PostSlack = %+v, %v", posted, err)
	}
	paged, err := n.Page(context.Background(), PageRequest{Summary: "x"})
	if err != nil || paged.Sent || !strings.Contains(paged.Reason, "pagerduty.routing_key") {
		t.Fatalf("Page = %+v, %v", paged, err)
	}
}

func TestPageSendsATriggerWithDedupKey(t *testing.T) {
	pd := peers.StartPagerDuty(t)
	n := &Notify{PagerDuty: pd.Client(), RoutingKey: "R123"}
	got, err := n.Page(context.Background(), PageRequest{Summary: "orders stale for 30h", DedupKey: "triage/orders", Severity: "critical"})
	if err != nil || !got.Sent || got.DedupKey != "triage/orders" {
		t.Fatalf("Page = %+v, %v", got, err)
	}
	evs := pd.Events()
	if len(evs) != 1 || evs[0].RoutingKey != "R123" || evs[0].Action != "trigger" || evs[0].Payload == nil ||
		evs[0].Payload.Severity != "critical" || evs[0].Payload.Source != "dre" {
		t.Fatalf("PagerDuty saw %+v", evs)
	}
}

func TestPageRejectedRoutingKeyIsNotRetried(t *testing.T) {
	n := &Notify{PagerDuty: peers.StartPagerDuty(t).Client()}
	_, err := n.Page(context.Background(), PageRequest{RoutingKey: "bad", Summary: "x"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("got %v, want a non-retryable error", err)
	}
}
