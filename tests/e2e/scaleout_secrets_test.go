package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/tests/demoenv"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// The credentials of TestSecretsNeverReachLogsOrHistory: distinctive, so
// that any copy of them is found.
const (
	secretBotToken   = "xoxb-e2e-bot-token-7f3a9c"
	secretRoutingKey = "R0UTING-e2e-key-51d2b8"
	secretPGPassword = "pg-e2e-password-0c6e4d"
)

// serviceConfig is demoenv.ServiceConfig: the demo catalog as a
// production dre.yaml, each orders partition sleeping pause seconds.
func serviceConfig(t *testing.T, pause float64, extra string) string {
	return demoenv.ServiceConfig(t, pause, extra)
}

// TestSecretsNeverReachLogsOrHistory runs a sev1 incident, which pages
// through PagerDuty, posts with the Slack token and diagnoses the
// warehouse through a DSN with a password, on a `dre worker` logging JSON at
// debug level; then no log line and no history event holds any secret.
func TestSecretsNeverReachLogsOrHistory(t *testing.T) {
	ctx := context.Background()
	if err := env.PG.CreateDatabase(ctx, "secrets"); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, env.PG.DSN("secrets"), time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	// Local PostgreSQL trusts local connections, so the password is
	// carried everywhere a real one would be, and never checked.
	dsn := strings.Replace(env.PG.DSN("secrets"), "postgres@", "postgres:"+secretPGPassword+"@", 1)
	slack, pd := peers.StartSlack(t), peers.StartPagerDuty(t)
	queue := fmt.Sprintf("dre-e2e-secrets-%d", time.Now().UnixNano())
	notify := fmt.Sprintf("slack:\n  bot_token: {env: SLACK_BOT_TOKEN}\n  api_url: %s\npagerduty:\n  routing_key: {env: PAGERDUTY_ROUTING_KEY}\n  events_url: %s\n", slack.APIURL(), pd.URL())
	cliEnv := map[string]string{"DRE_CONFIG": serviceConfig(t, 0, notify), "TEMPORAL_ADDRESS": env.Server.FrontendAddress(), "DRE_TASK_QUEUE": queue}
	procEnv := map[string]string{"WAREHOUSE_DSN": dsn, "SLACK_BOT_TOKEN": secretBotToken, "PAGERDUTY_ROUTING_KEY": secretRoutingKey}
	for k, v := range cliEnv {
		procEnv[k] = v
	}
	w := startDreWorker(t, procEnv, "--log-format", "json", "--log-level", "debug")

	id := workflows.TriageWorkflowID("events")
	if res := clitest.Run(t, cliEnv, "triage", "start", "events", "--severity", "1", "--description", "no events"); res.Code != 0 {
		t.Fatalf("triage start: exit %d, stderr %q", res.Code, res.Stderr)
	}
	eventually(t, "the page and the Slack post", func() bool { return pd.Count("trigger") > 0 && len(slack.Calls()) > 0 })
	if ev := pd.Events()[0]; ev.RoutingKey != secretRoutingKey {
		t.Fatalf("the page carried routing key %q; the worker did not use the configured one", ev.RoutingKey)
	}
	if res := clitest.Run(t, cliEnv, "triage", "resolve", "events", "--note", "reloaded"); res.Code != 0 {
		t.Fatalf("triage resolve: exit %d, stderr %q", res.Code, res.Stderr)
	}
	var timeline workflows.TriageTimeline
	if err := env.Client.GetWorkflow(ctx, id, "").Get(ctx, &timeline); err != nil {
		t.Fatal(err)
	}
	if len(timeline.Findings) == 0 {
		t.Error("the incident has no findings: the warehouse was never read through the DSN")
	}
	w.terminate(t)

	secrets := []string{secretBotToken, secretRoutingKey, secretPGPassword, dsn}
	assertJSONLogsClean(t, w.logs.String(), id, secrets)
	assertHistoryClean(t, id, secrets)
}

// assertJSONLogsClean checks that every log line is JSON, none holds a
// secret, and activity lines name their workflow and run.
func assertJSONLogsClean(t *testing.T, logs, workflowID string, secrets []string) {
	t.Helper()
	lines, withIDs := 0, 0
	for _, line := range strings.Split(logs, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		lines++
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %v: %s", err, line)
		}
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log line holds secret %q: %s", s, line)
			}
		}
		if rec["WorkflowID"] == workflowID && rec["RunID"] != nil && rec["ActivityType"] != nil {
			withIDs++
		}
	}
	if lines < 5 || withIDs == 0 {
		t.Errorf("%d JSON log lines, %d activity lines with WorkflowID and RunID; want both. Logs:\n%s", lines, withIDs, logs)
	}
}

// assertHistoryClean scans every event of the workflow's history, in its
// wire encoding, where payloads appear as written.
func assertHistoryClean(t *testing.T, workflowID string, secrets []string) {
	t.Helper()
	iter := env.Client.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events := 0
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		raw, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("history event %d (%s) holds secret %q", ev.GetEventId(), ev.GetEventType(), s)
			}
		}
	}
	if events < 10 {
		t.Errorf("the history has %d events; the scan proves little", events)
	}
}
