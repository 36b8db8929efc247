package cluster

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/tests/demoenv"
	"github.com/dre-dev/dre/tests/peers"
	"github.com/dre-dev/dre/workflows"
)

// dreStack is dre deployed on the cluster as issue 20 describes it: three
// `dre worker` and two `dre gateway` processes with the demo warehouse,
// sharing a state database (audit log, SLO readings, the gateways'
// replay set), Slack pointed at the stand-in.
type dreStack struct {
	pg        *restartablePG
	temporal  *temporalCluster
	client    client.Client
	env       map[string]string // of the CLI and of every dre process
	warehouse string            // the demo warehouse's DSN
	state     string            // the state database's DSN
	workers   []*process
	gateways  []*dreGateway
}

// slackSigningSecret signs the test's slash commands; the gateways get it
// as SLACK_SIGNING_SECRET. It is the test's own, not a Slack app's.
const slackSigningSecret = "cluster-test-signing-secret"

// stackDatasets are added to the demo catalog: the demo's SLOs run every
// 10 minutes and its deprecation lasts months, too slow for a fault to
// fall inside them.
const stackDatasets = `
  - name: orders_fast
    description: The demo orders, their freshness evaluated every second.
    warehouse: local
    table: public.orders
    freshness_column: loaded_at
    owner: {team: commerce-data, slack_channel: "#commerce-data"}
    slos:
      - {name: fresh, kind: freshness, threshold: 26h, objective: 0.99, window: 1h, interval: 1s}
  - name: cluster_legacy
    description: A table retired while the test restarts PostgreSQL.
    warehouse: local
    table: public.cluster_legacy
    owner: {team: product-analytics, slack_channel: "#product-analytics"}
    lifecycle: {deprecate_on: 2020-01-01, grace_period: 20s, remind_every: 2s, soft_delete_retention: 2s, final_action: drop}
`

// startDreStack starts PostgreSQL, the four Temporal services, runs
// `dre admin setup`, and starts the workers and gateways.
func startDreStack(t testing.TB) *dreStack {
	t.Helper()
	pg := startRestartablePG(t)
	s := &dreStack{pg: pg, temporal: startTemporalCluster(t, pg.Cluster), warehouse: pg.DSN("demo"), state: pg.DSN("dre_state")}
	for _, db := range []string{"demo", "dre_state"} {
		if err := pg.CreateDatabase(t.Context(), db); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := demo.Seed(t.Context(), s.warehouse, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	slack := peers.StartSlack(t)
	s.env = map[string]string{
		"DRE_CONFIG": stackConfig(t), "TEMPORAL_ADDRESS": s.temporal.Frontend, "DRE_TASK_QUEUE": "dre-cluster",
		"DRE_STATE_DSN": s.state, "SLACK_SIGNING_SECRET": slackSigningSecret,
		"SLACK_BOT_TOKEN": "xoxb-cluster-test", "SLACK_API_URL": slack.APIURL(), "USER": "cluster-test",
	}
	adminSetup(t, s.env)
	s.workers = startDreWorkers(t, 3, s.env, s.warehouse)
	s.gateways = startDreGateways(t, 2, s.env, s.warehouse)
	c, err := client.Dial(client.Options{HostPort: s.temporal.Frontend, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	s.client = c
	return s
}

// stackConfig is the demo catalog as a production dre.yaml with
// stackDatasets appended to its datasets list, the file's last section.
func stackConfig(t testing.TB) string {
	t.Helper()
	path := demoenv.ServiceConfig(t, 0, "")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(text, stackDatasets...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sql runs statements on a database of the stack's PostgreSQL.
func (s *dreStack) sql(t testing.TB, dsn, stmt string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// queryRow scans one row of a query on a database of the stack.
func (s *dreStack) queryRow(t testing.TB, dsn, query string, dest []any, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(t.Context(), query, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// status asks a workflow for its status query's answer.
func (s *dreStack) status(id string, into any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := s.client.QueryWorkflow(ctx, id, "", workflows.StatusQuery)
	if err != nil {
		return err
	}
	return v.Get(into)
}
