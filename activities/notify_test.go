package activities

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/PagerDuty/go-pagerduty"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
	"go.temporal.io/sdk/temporal"
)

// slackPeer is slack-go's slacktest server with chat.postMessage replaced
// by a handler that records what was posted: the built-in one forwards to a
// websocket nobody reads. Channel "C-missing" answers channel_not_found.
func slackPeer(t *testing.T) (*slack.Client, func() []map[string]string) {
	t.Helper()
	var mu sync.Mutex
	var posted []map[string]string
	record := func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			if r.FormValue("channel") == "C-missing" {
				_, _ = io.WriteString(w, `{"ok":false,"error":"channel_not_found"}`)
				return
			}
			mu.Lock()
			posted = append(posted, map[string]string{"channel": r.FormValue("channel"), "text": r.FormValue("text"), "thread_ts": r.FormValue("thread_ts")})
			mu.Unlock()
			_, _ = io.WriteString(w, `{"ok":true,"channel":"`+r.FormValue("channel")+`","ts":"1700000000.000100"}`)
		})
	}
	srv := slacktest.NewTestServer(record)
	srv.Start()
	t.Cleanup(srv.Stop)
	client := slack.New("xoxb-test", slack.OptionAPIURL(srv.GetAPIURL()))
	return client, func() []map[string]string {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]string(nil), posted...)
	}
}

func TestPostSlackPostsThroughTheRealClient(t *testing.T) {
	client, posted := slackPeer(t)
	n := &Notify{Slack: client}
	got, err := n.PostSlack(context.Background(), SlackMessage{Channel: "C123", Text: "orders is stale", ThreadTS: "1.2"})
	if err != nil || !got.Sent || got.TS != "1700000000.000100" {
		t.Fatalf("PostSlack = %+v, %v; want sent with the ts Slack returned", got, err)
	}
	msgs := posted()
	if len(msgs) != 1 || msgs[0]["channel"] != "C123" || msgs[0]["text"] != "orders is stale" || msgs[0]["thread_ts"] != "1.2" {
		t.Fatalf("Slack saw %v", msgs)
	}
}

func TestPostSlackRefusalIsNotRetried(t *testing.T) {
	client, _ := slackPeer(t)
	_, err := (&Notify{Slack: client}).PostSlack(context.Background(), SlackMessage{Channel: "C-missing", Text: "x"})
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

// pagerDutyPeer is an httptest server speaking the Events API v2 enqueue
// endpoint: 202 with the dedup key, 400 for the routing key "bad".
func pagerDutyPeer(t *testing.T) (*pagerduty.Client, func() []pagerduty.V2Event) {
	t.Helper()
	var mu sync.Mutex
	var events []pagerduty.V2Event
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev pagerduty.V2Event
		if r.URL.Path != "/v2/enqueue" || json.NewDecoder(r.Body).Decode(&ev) != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if ev.RoutingKey == "bad" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}`)
			return
		}
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "success", "message": "Event processed", "dedup_key": orDefault(ev.DedupKey, "generated")})
	}))
	t.Cleanup(srv.Close)
	client := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(srv.URL))
	return client, func() []pagerduty.V2Event {
		mu.Lock()
		defer mu.Unlock()
		return append([]pagerduty.V2Event(nil), events...)
	}
}

func TestPageSendsATriggerWithDedupKey(t *testing.T) {
	client, events := pagerDutyPeer(t)
	n := &Notify{PagerDuty: client, RoutingKey: "R123"}
	got, err := n.Page(context.Background(), PageRequest{Summary: "orders stale for 30h", DedupKey: "triage/orders/1", Severity: "critical"})
	if err != nil || !got.Sent || got.DedupKey != "triage/orders/1" {
		t.Fatalf("Page = %+v, %v", got, err)
	}
	evs := events()
	if len(evs) != 1 || evs[0].RoutingKey != "R123" || evs[0].Action != "trigger" || evs[0].Payload == nil ||
		evs[0].Payload.Severity != "critical" || evs[0].Payload.Source != "dre" {
		t.Fatalf("PagerDuty saw %+v", evs)
	}
}

func TestPageRejectedRoutingKeyIsNotRetried(t *testing.T) {
	client, _ := pagerDutyPeer(t)
	_, err := (&Notify{PagerDuty: client}).Page(context.Background(), PageRequest{RoutingKey: "bad", Summary: "x"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("got %v, want a non-retryable error", err)
	}
}
