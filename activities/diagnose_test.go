package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// staleOrders is a day-partitioned table last loaded three days ago: 100
// rows a day for four weeks, then a thin day yesterday with null
// customers and a duplicated order.
const staleOrders = `
CREATE TABLE public.orders (order_id bigint, customer_id bigint, order_date date, loaded_at timestamptz);
INSERT INTO public.orders
  SELECT g * 1000 + i, i, (now() AT TIME ZONE 'UTC')::date - g, now() - interval '3 days'
  FROM generate_series(2, 28) g, generate_series(1, 100) i;
INSERT INTO public.orders
  SELECT 1000 + i, CASE WHEN i % 2 = 0 THEN NULL ELSE i END, (now() AT TIME ZONE 'UTC')::date - 1, now() - interval '3 days'
  FROM generate_series(1, 5) i;
INSERT INTO public.orders VALUES (1001, 7, (now() AT TIME ZONE 'UTC')::date - 1, now() - interval '3 days');
CREATE TABLE public.fresh (id bigint, loaded_at timestamptz);
INSERT INTO public.fresh VALUES (1, now() - interval '1 hour');
`

// diagnosisEnv starts PostgreSQL with staleOrders and returns a function
// that runs one diagnosis activity against it.
func diagnosisEnv(t *testing.T) func(check string, in activities.DiagnoseInput) (activities.Finding, error) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), staleOrders); err != nil {
		t.Fatalf("creating the stale table: %v", err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	d := &activities.Diagnosis{Warehouses: reg}
	checks := map[string]any{
		activities.CheckFreshness: d.DiagnoseFreshness, activities.CheckVolume: d.DiagnoseVolume,
		activities.CheckNulls: d.DiagnoseNulls, activities.CheckSchema: d.DiagnoseSchema,
		activities.CheckDuplicates: d.DiagnoseDuplicates,
	}
	return func(check string, in activities.DiagnoseInput) (activities.Finding, error) {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(d)
		val, err := env.ExecuteActivity(checks[check], in)
		if err != nil {
			return activities.Finding{}, err
		}
		var f activities.Finding
		return f, val.Get(&f)
	}
}

func ordersInput() activities.DiagnoseInput {
	return activities.DiagnoseInput{
		Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at", MaxLag: 26 * time.Hour,
		PartitionColumn: "order_date", Granularity: catalog.Day,
		MaxNullRates:    map[string]float64{"customer_id": 0.02},
		ExpectedColumns: []string{"customer_id", "email", "loaded_at", "order_date"},
		UniqueKey:       []string{"order_id"},
	}
}

func TestDiagnosisFindsTheStaleTableInPostgres(t *testing.T) {
	diagnose := diagnosisEnv(t)
	yesterday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Format(time.RFC3339)
	fresh := ordersInput()
	fresh.Table = "public.fresh"
	missing := ordersInput()
	missing.Table = "public.gone"
	tests := []struct {
		name, check string
		in          activities.DiagnoseInput
		problem     bool
		want        string
	}{
		{"stale", activities.CheckFreshness, ordersInput(), true, "public.orders is stale: newest loaded_at is 72h"},
		{"fresh", activities.CheckFreshness, fresh, false, "public.fresh is fresh"},
		{"missing table", activities.CheckFreshness, missing, true, "public.gone does not exist"},
		{"thin partition", activities.CheckVolume, ordersInput(), true, yesterday + " has 6 rows (baseline median 100"},
		{"null customers", activities.CheckNulls, ordersInput(), true, "customer_id 33.3% null (max 2.0%)"},
		{"dropped column", activities.CheckSchema, ordersInput(), true, "missing column(s) email"},
		{"duplicated order", activities.CheckDuplicates, ordersInput(), true, "1 duplicated key(s) (order_id) over 2 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := diagnose(tt.check, tt.in)
			if err != nil {
				t.Fatalf("%s: %v", tt.check, err)
			}
			if f.Problem != tt.problem || !strings.Contains(f.Summary, tt.want) || f.Check != tt.check {
				t.Errorf("%s = problem %v %q, want problem %v containing %q", tt.check, f.Problem, f.Summary, tt.problem, tt.want)
			}
		})
	}
}

func TestDiagnosisVolumeNamesTheThinPartition(t *testing.T) {
	diagnose := diagnosisEnv(t)
	f, err := diagnose(activities.CheckVolume, ordersInput())
	yesterday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1).Format(time.RFC3339)
	if err != nil || len(f.Partitions) != 1 || f.Partitions[0] != yesterday {
		t.Errorf("volume partitions = %v (err %v), want [%s]", f.Partitions, err, yesterday)
	}
}

func TestDiagnosisRefusesUnsafeIdentifiersAndSkipsUndeclaredChecks(t *testing.T) {
	diagnose := diagnosisEnv(t)
	bad := ordersInput()
	bad.FreshnessColumn = `loaded_at"; DROP TABLE public.orders; --`
	_, err := diagnose(activities.CheckFreshness, bad)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "InvalidInput" || !appErr.NonRetryable() {
		t.Errorf("unsafe column: error %v, want a non-retryable InvalidInput", err)
	}
	undeclared := ordersInput()
	undeclared.UniqueKey = nil
	f, err := diagnose(activities.CheckDuplicates, undeclared)
	if err != nil || !f.Skipped || f.Problem {
		t.Errorf("duplicates without a key = %+v (err %v), want skipped", f, err)
	}
}
