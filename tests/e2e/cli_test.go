package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/dre-dev/dre/internal/cli/clitest"
	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/demo"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/tests/harness"
	"github.com/dre-dev/dre/workflows"
)

var demoOnce sync.Once
var demoEnv map[string]string

// demoSetup seeds the demo warehouse into its own database, writes the demo
// catalog and starts a worker over them; it returns the CLI's environment.
func demoSetup(t *testing.T) map[string]string {
	t.Helper()
	demoOnce.Do(func() {
		ctx := context.Background()
		if err := env.PG.CreateDatabase(ctx, "demo"); err != nil {
			t.Fatal(err)
		}
		dsn := env.PG.DSN("demo")
		if _, err := demo.Seed(ctx, dsn, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(os.TempDir(), "dre-e2e-demo.yaml")
		if err := os.WriteFile(path, demo.Config, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, func(string) (string, bool) { return "", false }, config.LoadOptions{AllowEmbedded: true})
		if err != nil {
			t.Fatal(err)
		}
		registry := worker.Warehouses(cfg, dsn)
		// The demo's people and decisions.allow_unsigned, without its
		// catalog, which would change what lineage and restores see.
		if err := env.StartSharedWorker(worker.Deps{Warehouses: registry, Policy: harness.UnsignedPolicy(cfg.People)}); err != nil {
			t.Fatal(err)
		}
		demoEnv = map[string]string{
			"DRE_CONFIG":       path,
			"TEMPORAL_ADDRESS": env.Server.FrontendAddress(),
			"DRE_TASK_QUEUE":   env.TaskQueue,
		}
	})
	if demoEnv == nil {
		t.Fatal("demo setup failed in an earlier test")
	}
	return demoEnv
}

func TestCatalogCheckProbesTheDemoWarehouse(t *testing.T) {
	e := demoSetup(t)
	res := clitest.Run(t, e, "catalog", "check", "orders")
	if res.Code != 0 || !strings.Contains(res.Stdout, "orders (public.orders): ok, ") {
		t.Fatalf("check orders: exit %d, stdout %q; want exit 0 and an ok verdict", res.Code, res.Stdout)
	}
	if !strings.Contains(res.Stdout, "/namespaces/default/workflows/check%2Forders/") {
		t.Errorf("check orders printed no Temporal UI link: %q", res.Stdout)
	}
}

func TestCatalogCheckUnknownDatasetStartsNothing(t *testing.T) {
	e := demoSetup(t)
	before := countWorkflows(t)
	res := clitest.Run(t, e, "catalog", "check", "ordrs")
	if res.Code != 1 || !strings.Contains(res.Stderr, `did you mean "orders"`) || !strings.Contains(res.Stderr, "customers, events, legacy_sessions, orders") {
		t.Fatalf("check ordrs: exit %d, stderr %q; want exit 1 naming orders and the known datasets", res.Code, res.Stderr)
	}
	if after := countWorkflows(t); after != before {
		t.Errorf("workflows before %d, after %d: an unknown dataset started something", before, after)
	}
}

func TestCatalogCheckWatchIsExclusivePerDataset(t *testing.T) {
	e := demoSetup(t)
	res := clitest.Run(t, e, "catalog", "check", "events", "--watch", "--every", "1h")
	if res.Code != 0 || !strings.Contains(res.Stdout, "watching events every 1h0m0s") {
		t.Fatalf("watch events: exit %d, stdout %q", res.Code, res.Stdout)
	}
	t.Cleanup(func() { _ = env.Client.CancelWorkflow(context.Background(), workflows.CheckWorkflowID("events"), "") })
	res = clitest.Run(t, e, "catalog", "check", "events")
	if res.Code != 1 || !strings.Contains(res.Stderr, "a check of events is already running") {
		t.Fatalf("second check: exit %d, stderr %q; want the running check named", res.Code, res.Stderr)
	}
}

func TestCatalogLintListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dre.yaml")
	bad := "warehouses:\n  wh:\n    postgres:\n      dsn: postgres://u:secret@h/db\ndatasets:\n  - name: orders\n    warehouse: nowhere\n    table: public.orders\n    partition: {column: d, granularity: weekly}\n"
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	res := clitest.Run(t, map[string]string{}, "catalog", "lint", path)
	want := []string{path + ":4:", path + ":7:", path + ":9:"}
	for _, w := range want {
		if !strings.Contains(res.Stdout, w) {
			t.Errorf("lint output lacks a problem at %s:\n%s", w, res.Stdout)
		}
	}
	if res.Code != 1 || strings.Contains(res.Stdout+res.Stderr, "secret@") {
		t.Errorf("lint: exit %d (want 1); output must not echo the inline secret", res.Code)
	}
}

func countWorkflows(t *testing.T) int64 {
	t.Helper()
	resp, err := env.Client.WorkflowService().CountWorkflowExecutions(context.Background(),
		&workflowservice.CountWorkflowExecutionsRequest{Namespace: env.Server.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetCount()
}

// TestCatalogCheckFailsWhileAPartitionIsUnpublished: a partition whose
// write-audit-publish validation failed makes dre catalog check exit 1,
// naming it, until a later backfill writes it (here: the record is gone).
func TestCatalogCheckFailsWhileAPartitionIsUnpublished(t *testing.T) {
	e := demoSetup(t)
	w, err := postgres.Open(t.Context(), env.PG.DSN("demo"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	bad := warehouse.Rewrite{Table: warehouse.TableRef{Schema: "public", Table: "orders"}, RunID: "e2e-unpublished",
		Partition: warehouse.Partition{Column: "order_date", Start: day, End: day.AddDate(0, 0, 1)}}
	if err := w.RecordFailure(t.Context(), bad, "audit failed: unique(order_id): 2 violations; old rows 10, new rows 12"); err != nil {
		t.Fatal(err)
	}
	forget := func() {
		if _, err := w.Exec(context.Background(), warehouse.Query{SQL: "DELETE FROM dre_meta.backfill_ledger WHERE run_id = 'e2e-unpublished'"}); err != nil {
			t.Error(err)
		}
	}
	defer forget()
	res := clitest.Run(t, e, "catalog", "check", "orders")
	line := "1 partition failed validation and is unpublished: " + day.Format(time.DateOnly) + " (unique(order_id): 2 violations)"
	if res.Code != 1 || !strings.Contains(res.Stdout, "orders (public.orders): ok, ") || !strings.Contains(res.Stdout, line) ||
		!strings.Contains(res.Stderr, "orders has 1 unpublished partition") {
		t.Fatalf("check with an unpublished partition: exit %d, stdout %q, stderr %q; want exit 1 naming it", res.Code, res.Stdout, res.Stderr)
	}
	forget()
	if res := clitest.Run(t, e, "catalog", "check", "orders"); res.Code != 0 || strings.Contains(res.Stdout, "unpublished") {
		t.Errorf("check once it is gone: exit %d, stdout %q; want exit 0", res.Code, res.Stdout)
	}
}
