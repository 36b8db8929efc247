package activities_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// people has untagged emails and IPs, a phone column the catalog tags
// but which holds no phones, and a name column tagged in the warehouse.
const people = `
CREATE TABLE public.people (id bigint, contact text, client_ip inet, phone text, name text);
COMMENT ON COLUMN public.people.name IS 'pii:name';
INSERT INTO public.people
  SELECT i, 'person' || i || '@example.com', ('10.0.' || (i % 250) || '.' || (1 + i % 200))::inet, 'unknown', 'Person ' || i
  FROM generate_series(1, 60) i;
`

// piiActivityEnv runs the PII activities against PostgreSQL with people.
func piiActivityEnv(t *testing.T) (*testsuite.TestActivityEnvironment, *warehouse.Registry) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), people); err != nil {
		t.Fatalf("creating public.people: %v", err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.PIIScans{Warehouses: reg})
	return env, reg
}

func TestPIIScanAndTagAgainstPostgres(t *testing.T) {
	env, reg := piiActivityEnv(t)
	var a *activities.PIIScans
	val, err := env.ExecuteActivity(a.ScanDataset, activities.PIIScanInput{Dataset: "people", Warehouse: "local", Table: "public.people",
		Tagged: map[string]catalog.PIIKind{"phone": catalog.PIIPhone}, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var scan activities.PIIDatasetScan
	if err := val.Get(&scan); err != nil {
		t.Fatal(err)
	}
	found := map[string]catalog.PIIKind{}
	for _, c := range scan.Untagged {
		found[c.Column] = c.Found
		if c.Sampled != 50 || c.Ratio != 1 {
			t.Errorf("%s: %d sampled, ratio %v; want 50 values, all matching", c.Column, c.Sampled, c.Ratio)
		}
	}
	if len(found) != 2 || found["contact"] != catalog.PIIEmail || found["client_ip"] != catalog.PIIIP {
		t.Errorf("untagged PII %v; want contact as email and client_ip as ip", found)
	}
	unconfirmed := []string{}
	for _, c := range scan.Unconfirmed {
		unconfirmed = append(unconfirmed, c.Column)
	}
	if !slices.Equal(unconfirmed, []string{"phone", "name"}) || len(scan.Unchecked) != 0 {
		t.Errorf("unconfirmed %v, unchecked %v; want phone (no phones in it) and name (placeholders, no names)", unconfirmed, scan.Unchecked)
	}
	if scan.SampleMethod != "random 50 of 60 rows" || scan.TableRows != 60 {
		t.Errorf("sample method %q of %d rows; want random 50 of 60 rows", scan.SampleMethod, scan.TableRows)
	}

	val, err = env.ExecuteActivity(a.TagColumn, activities.PIITagInput{Warehouse: "local", Table: "public.people", Column: "contact", Kind: catalog.PIIEmail})
	if err != nil {
		t.Fatal(err)
	}
	var tagged activities.PIITagResult
	if err := val.Get(&tagged); err != nil || tagged.Tag != catalog.PIIEmail {
		t.Fatalf("TagColumn = %+v, %v; want email", tagged, err)
	}
	w, _ := reg.Warehouse(t.Context(), "local")
	info, err := w.Describe(t.Context(), warehouse.TableRef{Schema: "public", Table: "people"})
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(info.Columns, func(c warehouse.Column) bool { return c.Name == "contact" }); i < 0 || info.Columns[i].PII != "email" {
		t.Errorf("Describe after tagging: %+v; want contact tagged email", info.Columns)
	}
}

func TestPIITagOfAMissingColumnFailsForGood(t *testing.T) {
	env, _ := piiActivityEnv(t)
	var a *activities.PIIScans
	_, err := env.ExecuteActivity(a.TagColumn, activities.PIITagInput{Warehouse: "local", Table: "public.people", Column: "nope", Kind: catalog.PIIEmail})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("tagging a missing column: %v; want a non-retryable error", err)
	}
	_, err = env.ExecuteActivity(a.ScanDataset, activities.PIIScanInput{Warehouse: "local", Table: "public.people", Limit: 5000})
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("a limit of 5000: %v; want a non-retryable error", err)
	}
}
