package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

// The deprecation tests run in their own database, with their own catalog
// and task queue, so they can stop and start their worker and never touch
// the demo tables other tests read.
const deprecateDB = "deprecate"

// deprecateCatalog has one dataset per test (dep_feeds with the model
// computed from it), each with seconds-long durations so that whole phases
// pass while the test waits (dep_brownout's test sets its dates and
// brownout when it starts it), and the three
// of the lifecycle sweep's test (due, due and started already, not due),
// whose hour-long grace periods hold them until the test cancels them.
const deprecateCatalog = `warehouses:
  wh:
    postgres:
      dsn: {env: DRE_E2E_DEPRECATE_DSN}
datasets:
  - name: dep_gate
    warehouse: wh
    table: public.dep_gate
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2020-01-01, replacement: public.events, grace_period: 15s, remind_every: 5s,
      usage_gate: 1h, soft_delete_retention: 1h, final_action: drop}
  - name: dep_feeds
    warehouse: wh
    table: public.dep_feeds
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2020-01-01, grace_period: 2s, usage_gate: 1h, soft_delete_retention: 1h, final_action: drop}
  - name: dep_feeds_model
    warehouse: wh
    table: public.dep_feeds_model
    owner: {team: growth, slack_channel: "#growth"}
    upstream: [dep_feeds]
  - name: dep_cancel
    warehouse: wh
    table: public.dep_cancel
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2020-01-01, grace_period: 1s, soft_delete_retention: 1h, final_action: drop}
  - name: dep_restart
    warehouse: wh
    table: public.dep_restart
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2020-01-01, grace_period: 4s, remind_every: 1s, soft_delete_retention: 2s,
      final_action: drop, snapshot: true}
  - name: dep_brownout
    warehouse: wh
    table: public.dep_brownout
    owner: {team: analytics}
    access:
      standing:
        - {principal: dep_bi, column: session_id}
    lifecycle: {deprecate_on: 2999-01-01, grace_period: 1h, soft_delete_retention: 1h, final_action: drop}
  - name: dep_sweep_new
    warehouse: wh
    table: public.dep_sweep_new
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2020-01-01, grace_period: 1h, soft_delete_retention: 1h, final_action: drop}
  - name: dep_sweep_old
    warehouse: wh
    table: public.dep_sweep_old
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2020-01-01, grace_period: 1h, soft_delete_retention: 1h, final_action: drop}
  - name: dep_sweep_later
    warehouse: wh
    table: public.dep_sweep_later
    owner: {team: analytics}
    lifecycle: {deprecate_on: 2999-01-01, grace_period: 1h, soft_delete_retention: 1h, final_action: drop}
`

var (
	deprecateOnce sync.Once
	deprecateEnv  map[string]string
	deprecateWH   *warehouse.Registry
	// deprecateCat is the catalog above, as dre schedules sync reads it.
	deprecateCat *catalog.Catalog
)

// deprecateSetup creates the database and the catalog once; it returns
// the CLI's environment for a task queue of the test's own.
func deprecateSetup(t *testing.T) map[string]string {
	t.Helper()
	deprecateOnce.Do(func() {
		ctx := context.Background()
		if err := env.PG.CreateDatabase(ctx, deprecateDB); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(os.TempDir(), fmt.Sprintf("dre-e2e-deprecate-%d.yaml", os.Getpid()))
		if err := os.WriteFile(path, []byte(deprecateCatalog), 0o644); err != nil {
			t.Fatal(err)
		}
		lookup := func(k string) (string, bool) { return env.PG.DSN(deprecateDB), k == "DRE_E2E_DEPRECATE_DSN" }
		cfg, err := config.Load(path, lookup, config.LoadOptions{ResolveSecrets: true})
		if err != nil {
			t.Fatal(err)
		}
		deprecateWH = worker.Warehouses(cfg, "")
		deprecateCat = cfg.Catalog
		deprecateEnv = map[string]string{"DRE_CONFIG": path, "DRE_E2E_DEPRECATE_DSN": env.PG.DSN(deprecateDB),
			"TEMPORAL_ADDRESS": env.Server.FrontendAddress(), "USER": "e2e"}
	})
	if deprecateEnv == nil {
		t.Fatal("deprecation setup failed in an earlier test")
	}
	out := map[string]string{"DRE_TASK_QUEUE": fmt.Sprintf("dre-deprecate-%s-%d", t.Name(), time.Now().UnixNano())}
	for k, v := range deprecateEnv {
		out[k] = v
	}
	return out
}

// startDeprecateWorker runs a production-registered worker on the test's
// queue; the returned stop may be called early, to restart it.
func startDeprecateWorker(t *testing.T, e map[string]string) (stop func()) {
	t.Helper()
	w := sdkworker.New(env.Client, e["DRE_TASK_QUEUE"], sdkworker.Options{})
	worker.Register(w, worker.Deps{Warehouses: deprecateWH, AccessLedger: worker.AccessLedger(env.Client), Policy: harness.UnsignedPolicy(nil)})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	once := sync.OnceFunc(w.Stop)
	t.Cleanup(once)
	return once
}

// createDeprecateTable creates a table with rows, a comment, a label, a
// PII tag, a table grant and a column grant: everything a restore must
// put back.
func createDeprecateTable(t *testing.T, name string) (*postgres.Warehouse, warehouse.TableRef) {
	t.Helper()
	ctx := t.Context()
	conn := deprecateConn(t)
	ddl := fmt.Sprintf(`DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dep_analyst') THEN CREATE ROLE dep_analyst; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dep_bi') THEN CREATE ROLE dep_bi; END IF;
END $$;
CREATE TABLE public.%[1]s (session_id bigint PRIMARY KEY, email text, started_at timestamptz);
INSERT INTO public.%[1]s SELECT g, 'u' || g || '@example.com', now() FROM generate_series(1, 50) g;
COMMENT ON TABLE public.%[1]s IS 'Sessions of the old tracker.';
COMMENT ON COLUMN public.%[1]s.email IS 'pii:email';
GRANT SELECT ON public.%[1]s TO dep_analyst;
GRANT SELECT (session_id) ON public.%[1]s TO dep_bi;`, name)
	if _, err := conn.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	w, err := postgres.Open(ctx, env.PG.DSN(deprecateDB))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	ref := warehouse.TableRef{Schema: "public", Table: name}
	if err := w.SetLabels(ctx, ref, map[string]string{"tier": "bronze"}); err != nil {
		t.Fatal(err)
	}
	return w, ref
}

func deprecateConn(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), env.PG.DSN(deprecateDB))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// tableExists asks PostgreSQL whether schema.table is there.
func tableExists(t *testing.T, table string) bool {
	t.Helper()
	var ok bool
	if err := deprecateConn(t).QueryRow(t.Context(), `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// awaitDeprecation polls the status query until ok accepts it. The limit
// only keeps a broken run from hanging the suite; it asserts no speed.
func awaitDeprecation(t *testing.T, dataset string, what string, ok func(workflows.DeprecateStatus) bool) workflows.DeprecateStatus {
	t.Helper()
	var last workflows.DeprecateStatus
	reached := pollUntil(3*time.Minute, 200*time.Millisecond, func() bool {
		v, err := env.Client.QueryWorkflow(t.Context(), workflows.DeprecateWorkflowID(dataset), "", workflows.StatusQuery)
		return err == nil && v.Get(&last) == nil && ok(last)
	})
	if !reached {
		t.Fatalf("the deprecation of %s never reached %s; last status %+v", dataset, what, last)
	}
	return last
}

func timelineText(s workflows.DeprecateStatus) string {
	var b strings.Builder
	for _, e := range s.Timeline {
		fmt.Fprintf(&b, "%s: %s\n", e.Phase, e.What)
	}
	return b.String()
}
