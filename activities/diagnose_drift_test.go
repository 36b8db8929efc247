package activities_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/schemasnap"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// driftEnv starts PostgreSQL as both the warehouse (with public.shapes)
// and dre's state database, and returns the diagnosis and a way to run
// SQL in the warehouse.
func driftEnv(t *testing.T) (*activities.Diagnosis, func(sql string)) {
	srv := localpgtest.Start(t)
	dsn, stateDSN := localpgtest.NewDatabase(t, srv), localpgtest.NewDatabase(t, srv)
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	exec := func(sql string) {
		t.Helper()
		if _, err := pool.Exec(t.Context(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE TABLE public.shapes (id bigint NOT NULL, amount integer, note text, email text)`)
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	store := schemasnap.New(stateDSN)
	t.Cleanup(store.Close)
	return &activities.Diagnosis{Warehouses: reg, Snapshots: store}, exec
}

var shapesInput = activities.DiagnoseInput{Warehouse: "local", Table: "public.shapes"}

// lookOutsideActivity runs the schema check as a direct call: each call is
// a new diagnosis, never a retry of the one before.
func lookOutsideActivity(t *testing.T, d *activities.Diagnosis) activities.Finding {
	t.Helper()
	f, err := d.DiagnoseSchema(t.Context(), shapesInput)
	if err != nil {
		t.Fatalf("schema check: %v", err)
	}
	return f
}

func TestDiagnosisSchemaDriftAgainstTheSnapshotInPostgres(t *testing.T) {
	d, exec := driftEnv(t)
	if f := lookOutsideActivity(t, d); f.Problem || !strings.Contains(f.Summary, "first look: recorded its 4 columns") {
		t.Fatalf("first look = problem %v %q, want the snapshot taken and no problem", f.Problem, f.Summary)
	}
	if f := lookOutsideActivity(t, d); f.Problem {
		t.Fatalf("unchanged table = %q, want no drift", f.Summary)
	}
	exec(`ALTER TABLE public.shapes DROP COLUMN note, ALTER COLUMN amount TYPE numeric, ADD COLUMN extra text, ALTER COLUMN id DROP NOT NULL`)
	f := lookOutsideActivity(t, d)
	for _, want := range []string{"dropped column(s) note (text)", "type of amount changed from integer to numeric",
		"added column(s) extra (text)", "id became nullable", "since the snapshot of"} {
		if !f.Problem || !strings.Contains(f.Summary, want) {
			t.Errorf("after the ALTER = problem %v %q, want a problem containing %q", f.Problem, f.Summary, want)
		}
	}
	if f := lookOutsideActivity(t, d); f.Problem {
		t.Errorf("the look after the report = %q, want the new shape recorded and no drift", f.Summary)
	}
}

func TestDiagnosisSchemaDriftSurvivesARetriedAttempt(t *testing.T) {
	d, exec := driftEnv(t)
	lookOutsideActivity(t, d)
	exec(`ALTER TABLE public.shapes DROP COLUMN email`)
	// Two activity environments give the activity the same workflow, run
	// and activity IDs: the second run is a retry of the first, whose
	// result was lost, and must report the same drift.
	for attempt := 1; attempt <= 2; attempt++ {
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(d)
		val, err := env.ExecuteActivity(d.DiagnoseSchema, shapesInput)
		var f activities.Finding
		if err == nil {
			err = val.Get(&f)
		}
		if err != nil || !f.Problem || !strings.Contains(f.Summary, "dropped column(s) email (text)") {
			t.Errorf("attempt %d = %+v (err %v), want the dropped email reported", attempt, f, err)
		}
	}
	if f := lookOutsideActivity(t, d); f.Problem {
		t.Errorf("a later diagnosis = %q, want no drift", f.Summary)
	}
}

func TestDiagnosisSchemaWithoutStateDatabaseChecksOnlyTheCatalog(t *testing.T) {
	d, _ := driftEnv(t)
	d.Snapshots = nil
	f, err := d.DiagnoseSchema(t.Context(), shapesInput)
	if err != nil || !f.Skipped {
		t.Errorf("no catalog columns, no snapshots = %+v (err %v), want skipped", f, err)
	}
}
