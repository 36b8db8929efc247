package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/alerts"
	"github.com/dre-dev/dre/internal/gateway"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

const (
	alertsQueue = "dre-e2e-alerts"
	alertsToken = "e2e-alertmanager-token"
	// alertmanagerBinary is the name Debian's package installs it under.
	alertmanagerBinary = "prometheus-alertmanager"
)

// TestAlertmanagerAlertsOpenOneIncident runs the real Alertmanager with a
// webhook receiver pointing at the gateway over loopback, bearer token
// and all. Two alerts on one table are posted to Alertmanager's API: one
// incident opens and lists both. One of them then resolves at
// Alertmanager, and the incident records it without resolving itself.
func TestAlertmanagerAlertsOpenOneIncident(t *testing.T) {
	gw := startAlertsStack(t)
	am := startAlertmanager(t, gw+"/alerts/alertmanager")
	id := workflows.TriageWorkflowID("orders")

	postToAlertmanager(t, am, amAlert("FreshnessSLO", ""), amAlert("VolumeDrop", ""))
	eventually(t, "one incident listing both alerts", func() bool { return len(incident(t, id).Alerts) == 2 })
	first := runID(t, id)

	postToAlertmanager(t, am, amAlert("VolumeDrop", time.Now().Add(-time.Second).UTC().Format(time.RFC3339)))
	eventually(t, "the resolve recorded on the incident", func() bool {
		for _, a := range incident(t, id).Alerts {
			if a.Name == "VolumeDrop" && a.Status == workflows.AlertResolved {
				return true
			}
		}
		return false
	})
	tl := incident(t, id)
	if tl.Status == workflows.TriageResolved || len(tl.Alerts) != 2 || runID(t, id) != first {
		t.Fatalf("after one resolve: %s with alerts %+v in run %s (first %s); want one open incident", tl.Status, tl.Alerts, runID(t, id), first)
	}
	names := map[string]bool{}
	for _, a := range tl.Alerts {
		names[a.Name] = a.Source == alerts.SourceAlertmanager && len(a.Fingerprint) == 16
	}
	if !names["FreshnessSLO"] || !names["VolumeDrop"] {
		t.Errorf("alerts %+v, want FreshnessSLO and VolumeDrop from alertmanager with its fingerprints", tl.Alerts)
	}
	if err := (gateway.TemporalIncidents{Client: env.Client}).Resolve(context.Background(), id, "U0ONCALL"); err != nil {
		t.Fatal(err)
	}
	// A PagerDuty user's resolve, passed on by the gateway, names them so.
	if err := env.Client.GetWorkflow(context.Background(), id, "").Get(context.Background(), &tl); err != nil || tl.ResolvedBy != "pagerduty:U0ONCALL" {
		t.Fatalf("incident ended with %v, resolved by %q", err, tl.ResolvedBy)
	}
	recordHistory(t, id, "triage-alertmanager-alerts.json")
}

// startAlertsStack starts a worker (Slack and PagerDuty stand-ins) and a
// gateway that takes Alertmanager's alerts; it returns the gateway's URL.
func startAlertsStack(t *testing.T) string {
	t.Helper()
	dsn, cfg := seededDemo(t, "alerts")
	slack, pd := peers.StartSlack(t), peers.StartPagerDuty(t)
	startDemoWorker(t, alertsQueue, dsn, cfg, worker.Policy(cfg), &activities.Notify{Slack: slack.Client(), PagerDuty: pd.Client(), RoutingKey: "R-E2E"})
	gw, err := gateway.Start(gateway.Options{Listen: "127.0.0.1:0", Alerts: gateway.AlertOptions{
		Sources: map[string]gateway.AlertSourceOptions{alerts.SourceAlertmanager: {Token: alertsToken}},
		Mapper:  alerts.NewMapper(nil, cfg.Catalog),
		Triage:  gateway.TemporalTriage{Client: env.Client, TaskQueue: alertsQueue, Namespace: "default"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Shutdown(context.Background()) })
	return "http://" + gw.Addr()
}

// alertmanagerConfig groups by table, so both alerts of the test travel
// in one delivery, and waits a second before sending a group.
const alertmanagerConfig = `route:
  receiver: dre
  group_by: [table]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: dre
    webhook_configs:
      - url: %s
        send_resolved: true
        http_config:
          authorization: {type: Bearer, credentials: %s}
`

// startAlertmanager runs the real binary on a free loopback port, with
// clustering off, and returns its URL once it is ready.
func startAlertmanager(t *testing.T, webhook string) string {
	t.Helper()
	bin, err := exec.LookPath(alertmanagerBinary)
	if err != nil {
		t.Fatalf("%s is not on PATH: install it (Debian/Ubuntu: apt-get install prometheus-alertmanager); the alert ingest is tested against the real Alertmanager", alertmanagerBinary)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, alertmanagerConfig, webhook, alertsToken), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("alertmanager's log:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	eventually(t, "Alertmanager to be ready", func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return base
}

// freeLoopbackAddr finds a port nobody listens on; Alertmanager binds it
// right after.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// amAlert is one alert of Alertmanager's API v2 on the demo orders table;
// endsAt in the past resolves it.
func amAlert(name, endsAt string) string {
	ends := ""
	if endsAt != "" {
		ends = fmt.Sprintf(`, "endsAt": %q`, endsAt)
	}
	return fmt.Sprintf(`{"labels": {"alertname": %q, "table": "public.orders", "severity": "warning"},
	  "annotations": {"summary": "%s on orders"}%s}`, name, name, ends)
}

// postToAlertmanager posts alerts as a Prometheus server would.
func postToAlertmanager(t *testing.T, base string, items ...string) {
	t.Helper()
	body := "[" + strings.Join(items, ",") + "]"
	resp, err := http.Post(base+"/api/v2/alerts", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Alertmanager refused the alerts: %d", resp.StatusCode)
	}
}

// incident reads the incident's timeline; empty while it does not exist.
func incident(t *testing.T, id string) workflows.TriageTimeline {
	t.Helper()
	var tl workflows.TriageTimeline
	v, err := env.Client.QueryWorkflow(context.Background(), id, "", workflows.TriageTimelineQuery)
	if err == nil {
		_ = v.Get(&tl)
	}
	return tl
}

func runID(t *testing.T, id string) string {
	t.Helper()
	d, err := env.Client.DescribeWorkflowExecution(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	return d.GetWorkflowExecutionInfo().GetExecution().GetRunId()
}
