package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

const (
	triageSlackSecret = "e2e-signing-secret"
	triagePDSecret    = "e2e-pagerduty-secret"
	triageQueue       = "dre-e2e-triage"
)

// triageStack is a gateway and a worker wired to Slack and PagerDuty
// stand-ins, over a demo warehouse whose orders table is stale.
type triageStack struct {
	gateway string
	slack   *peers.Slack
	pd      *peers.PagerDuty
}

func startTriageStack(t *testing.T) *triageStack {
	t.Helper()
	return startTriageStackWith(t, "triage", triageQueue, triageTestPolicy)
}

// triageTestPolicy escalates an unacknowledged sev2 within the test.
var triageTestPolicy = workflows.TriagePolicy{EscalateAfter: map[int]time.Duration{2: 2 * time.Second}, MaxEscalations: 5}

// startTriageStackWith is startTriageStack on its own database and task
// queue, starting incidents with policy.
func startTriageStackWith(t *testing.T, db, queue string, policy workflows.TriagePolicy) *triageStack {
	t.Helper()
	return startTriageStackBroken(t, db, queue, policy, makeOrdersStale)
}

// startTriageStackBroken is startTriageStackWith with spoil doing the
// damage to the seeded demo warehouse at dsn instead of a stale load.
func startTriageStackBroken(t *testing.T, db, queue string, policy workflows.TriagePolicy, spoil func(*testing.T, string)) *triageStack {
	t.Helper()
	dsn, cfg := seededDemo(t, db)
	spoil(t, dsn)
	return startTriageStackOn(t, dsn, cfg, queue, policy, worker.Policy(cfg), nil)
}

// startTriageStackOn starts the stack on the seeded warehouse at dsn: a
// worker that checks decisions against decide, and a gateway whose relay
// (nil: none) signs the clicks it passes on.
func startTriageStackOn(t *testing.T, dsn string, cfg *config.Config, queue string, policy workflows.TriagePolicy,
	decide *activities.Policy, relay *gateway.SlackRelay) *triageStack {
	t.Helper()
	s := &triageStack{slack: peers.StartSlack(t), pd: peers.StartPagerDuty(t)}
	startDemoWorker(t, queue, dsn, cfg, decide, &activities.Notify{Slack: s.slack.Client(), PagerDuty: s.pd.Client(), RoutingKey: "R-E2E",
		PagerDutyFrom: peers.PagerDutyFrom, Services: map[string]string{"platform": "R-E2E-PLATFORM"}})
	s.gateway = startRelayingGateway(t, cfg.Catalog, queue, policy, relay)
	return s
}

// startTriageGateway serves the real gateway, starting every incident on
// queue with policy.
func startTriageGateway(t *testing.T, cat *catalog.Catalog, queue string, policy workflows.TriagePolicy) string {
	t.Helper()
	return startRelayingGateway(t, cat, queue, policy, nil)
}

// startRelayingGateway is startTriageGateway with relay signing the
// decisions of Slack and PagerDuty users.
func startRelayingGateway(t *testing.T, cat *catalog.Catalog, queue string, policy workflows.TriagePolicy, relay *gateway.SlackRelay) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	triage := gateway.TemporalTriage{Client: env.Client, TaskQueue: queue, Namespace: "default", Policy: policy}
	incidents := gateway.TemporalIncidents{Client: env.Client, Relay: relay}
	cmds := &gateway.Commands{Catalog: cat, Triage: triage, Runs: gateway.TemporalRuns{Client: env.Client}, Buttons: incidents, Namespace: "default",
		Relay: relay}
	cmds.Start(ctx, 2)
	gw, err := gateway.Start(gateway.Options{Listen: "127.0.0.1:0",
		Slack:     gateway.SlackOptions{SigningSecret: triageSlackSecret, Commands: cmds},
		PagerDuty: gateway.PagerDutyOptions{Secrets: []string{triagePDSecret}, Catalog: cat, Triage: triage, Incident: incidents},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Shutdown(context.Background()); cancel(); cmds.Wait() })
	return "http://" + gw.Addr()
}

// makeOrdersStale moves every load three days back: the 26h freshness
// SLO of the demo orders dataset is then broken.
func makeOrdersStale(t *testing.T, dsn string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `UPDATE public.orders SET loaded_at = loaded_at - interval '3 days'`); err != nil {
		t.Fatal(err)
	}
}

// postSigned posts a body signed the way Slack (v0) or PagerDuty (v1) does.
func postSigned(t *testing.T, target, contentType, body string, sign func(*http.Request, string)) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	sign(req, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func slackSigner(secret string) func(*http.Request, string) {
	return func(r *http.Request, body string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		r.Header.Set("X-Slack-Request-Timestamp", ts)
		r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	}
}

func pagerDutySigner(secret string) func(*http.Request, string) {
	return func(r *http.Request, body string) {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(body))
		r.Header.Set("X-PagerDuty-Signature", "v1="+hex.EncodeToString(mac.Sum(nil)))
	}
}

func slashCommand(text, trigger string) string {
	return url.Values{"command": {"/dre"}, "text": {text}, "user_id": {"U0REPORTER"}, "channel_id": {"C0DATA"}, "trigger_id": {trigger}}.Encode()
}

// eventually polls cond for up to 60 s; the deadline is a hang guard,
// not a speed target.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !pollUntil(60*time.Second, 100*time.Millisecond, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// slackSaid reports whether any recorded Slack call's text contains s.
func slackSaid(p *peers.Slack, s string) bool {
	for _, c := range p.Calls() {
		if strings.Contains(c.Text, s) || strings.Contains(c.Blocks, s) {
			return true
		}
	}
	return false
}
