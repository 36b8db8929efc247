package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// unpublishedEnv starts PostgreSQL with a small orders table and returns
// its warehouse and the activities that read it.
func unpublishedEnv(t *testing.T) (*postgres.Warehouse, *activities.Diagnosis, *activities.Checks) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), `CREATE TABLE public.orders (order_id bigint, order_date date);
		INSERT INTO public.orders VALUES (1, '2026-11-03'), (2, '2026-11-04')`); err != nil {
		t.Fatal(err)
	}
	w, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	return w, &activities.Diagnosis{Warehouses: reg}, &activities.Checks{Warehouses: reg}
}

// runActivity runs one activity in the test environment and decodes its result.
func runActivity[T any](t *testing.T, a any, fn any, in any) T {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	val, err := env.ExecuteActivity(fn, in)
	if err != nil {
		t.Fatal(err)
	}
	var out T
	if err := val.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUnpublishedPartitionsBreakTheCircuit: a partition whose validation
// failed shows in the triage finding and the catalog check, named with
// why and how to redo it, until a later backfill writes it.
func TestUnpublishedPartitionsBreakTheCircuit(t *testing.T) {
	w, d, c := unpublishedEnv(t)
	ref := warehouse.TableRef{Schema: "public", Table: "orders"}
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	part := warehouse.Partition{Column: "order_date", Start: day, End: day.AddDate(0, 0, 1)}
	in := activities.DiagnoseInput{Dataset: "orders", Warehouse: "local", Table: "public.orders"}
	probeIn := activities.ProbeTableInput{Warehouse: "local", Table: "public.orders"}

	if f := runActivity[activities.Finding](t, d, d.DiagnoseUnpublished, in); f.Problem || f.Skipped {
		t.Fatalf("finding before any backfill: %+v; want no problem", f)
	}
	bad := warehouse.Rewrite{Table: ref, Partition: part, RunID: "run-1", Select: "SELECT 1::bigint, '2026-11-03'::date"}
	if err := w.RecordFailure(t.Context(), bad, "audit failed: unique(order_id): 3 violations; old rows 1, new rows 4"); err != nil {
		t.Fatal(err)
	}
	f := runActivity[activities.Finding](t, d, d.DiagnoseUnpublished, in)
	want := "1 partition failed validation and is unpublished: 2026-11-03 (unique(order_id): 3 violations); fix the source and run dre backfill start orders --partitions 2026-11-03"
	if !f.Problem || f.Summary != want || len(f.Partitions) != 1 || f.Partitions[0] != day.Format(time.RFC3339) {
		t.Errorf("finding after the failed validation: %+v; want a problem saying %q", f, want)
	}
	probe := runActivity[activities.ProbeTableResult](t, c, c.ProbeTable, probeIn)
	if len(probe.Unpublished) != 1 || activities.UnpublishedSummary("orders", probe.Unpublished) != want {
		t.Errorf("check probe unpublished %+v; want the same partition and line", probe.Unpublished)
	}

	good := bad
	good.RunID = "run-2"
	good.Select = "SELECT order_id, order_date FROM public.orders WHERE order_date >= @from AND order_date < @to"
	if _, err := w.RewritePartition(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	if f := runActivity[activities.Finding](t, d, d.DiagnoseUnpublished, in); f.Problem || len(f.Partitions) != 0 {
		t.Errorf("finding after a later written backfill: %+v; want no problem", f)
	}
	if probe := runActivity[activities.ProbeTableResult](t, c, c.ProbeTable, probeIn); len(probe.Unpublished) != 0 {
		t.Errorf("check probe after the fix: %+v; want nothing unpublished", probe.Unpublished)
	}
}
