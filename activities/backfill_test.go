package activities

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// backfillFixture is a real PostgreSQL database with a source table of
// 24 rows a day for January 2026 and an empty copy of it as the target.
type backfillFixture struct {
	acts *Backfills
	conn *pgx.Conn
}

const copySelect = "SELECT id, t, v FROM raw.src WHERE t >= @from AND t < @to"

func newBackfillFixture(t *testing.T) *backfillFixture {
	t.Helper()
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	_, err = conn.Exec(ctx, `SET timezone TO 'UTC';
CREATE SCHEMA raw; CREATE TABLE raw.src (id bigint, t timestamptz, v text);
INSERT INTO raw.src SELECT i, timestamptz '2026-01-01 00:00+00' + i * interval '1 hour', 'v' || i FROM generate_series(0, 24*31 - 1) AS i;
CREATE TABLE public.dst (id bigint, t timestamptz, v text)`)
	if err != nil {
		t.Fatal(err)
	}
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(registry.Close)
	return &backfillFixture{acts: &Backfills{Warehouses: registry}, conn: conn}
}

func (f *backfillFixture) rewrite(t *testing.T, in RewritePartitionInput) (RewritePartitionResult, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(f.acts)
	v, err := env.ExecuteActivity(f.acts.RewritePartition, in)
	if err != nil {
		return RewritePartitionResult{}, err
	}
	var res RewritePartitionResult
	return res, v.Get(&res)
}

func (f *backfillFixture) count(t *testing.T, sql string) int64 {
	t.Helper()
	var n int64
	if err := f.conn.QueryRow(t.Context(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func jan(d int) warehouse.Partition {
	start := time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC)
	return warehouse.Partition{Column: "t", Start: start, End: start.AddDate(0, 0, 1)}
}

func copyInput(runID string, d int, v BackfillValidation) RewritePartitionInput {
	return RewritePartitionInput{Warehouse: "local", Table: "public.dst", Partition: jan(d), Select: copySelect, RunID: runID, Validation: v}
}

func TestRewritePartitionAgainstPostgres(t *testing.T) {
	f := newBackfillFixture(t)
	rowCount := BackfillValidation{Kind: ValidateRowCount}

	first, err := f.rewrite(t, copyInput("run-1", 2, rowCount))
	if err != nil || first.Rows != 24 || first.AlreadyApplied || first.Validated != "rows 24 vs source 24" {
		t.Fatalf("first rewrite = %+v, %v; want 24 rows written and validated against the source", first, err)
	}
	retry, err := f.rewrite(t, copyInput("run-1", 2, rowCount))
	if err != nil || !retry.AlreadyApplied || retry.Rows != first.Rows {
		t.Errorf("retry of the same run = %+v, %v; want the ledger's answer, nothing rewritten", retry, err)
	}
	rerun, err := f.rewrite(t, copyInput("run-2", 2, BackfillValidation{Kind: ValidateChecksum}))
	if err != nil || rerun.AlreadyApplied || rerun.Rows != first.Rows || rerun.Checksum == "" {
		t.Errorf("rerun by a new run = %+v, %v; want a fresh rewrite of the same rows, checksummed", rerun, err)
	}
	if first.Checksum != "" {
		t.Errorf("a rewrite validated by row count computed checksum %s; only a checksum validation needs one", first.Checksum)
	}
	if n := f.count(t, "SELECT count(*) FROM public.dst"); n != 24 {
		t.Errorf("public.dst holds %d rows after a retry and a rerun, want 24: rows were doubled", n)
	}
	if n := f.count(t, "SELECT count(*) FROM dre_meta.backfill_ledger WHERE table_name = 'public.dst'"); n != 2 {
		t.Errorf("ledger holds %d rows, want one per (run, partition) = 2", n)
	}
}

func TestRewritePartitionValidationFailuresAreFinal(t *testing.T) {
	f := newBackfillFixture(t)
	// The assertion flags every row with an odd id: the partition fails.
	assertion := BackfillValidation{Kind: ValidateSQL, SQL: "SELECT id FROM public.dst WHERE t >= @from AND t < @to AND id % 2 = 1"}
	_, err := f.rewrite(t, copyInput("run-1", 3, assertion))
	expectNonRetryable(t, err, errValidationFailed, "fails the validation SQL")

	// A SELECT whose rows land outside the partition (a time zone slip,
	// say): the partition's row count disagrees with the source's.
	shifted := copyInput("run-1", 4, BackfillValidation{Kind: ValidateRowCount, Tolerance: 0.1})
	shifted.Select = "SELECT id, t + interval '12 hours', v FROM raw.src WHERE t >= @from AND t < @to"
	_, err = f.rewrite(t, shifted)
	expectNonRetryable(t, err, errValidationFailed, "has 12 rows, the source 24")
}

func TestRewritePartitionConfigurationErrorsAreFinal(t *testing.T) {
	f := newBackfillFixture(t)
	missing := copyInput("run-1", 5, BackfillValidation{})
	missing.Table = "public.nowhere"
	_, err := f.rewrite(t, missing)
	expectNonRetryable(t, err, errTableNotFound, "nowhere")

	unknown := copyInput("run-1", 5, BackfillValidation{})
	unknown.Warehouse = "lake"
	_, err = f.rewrite(t, unknown)
	expectNonRetryable(t, err, errUnknownWarehouse, `unknown warehouse "lake"`)
}

func TestEstimatePartitionsAgainstPostgres(t *testing.T) {
	f := newBackfillFixture(t)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(f.acts)
	in := EstimatePartitionsInput{Warehouse: "local", Select: copySelect, Partitions: []warehouse.Partition{jan(1), jan(2), jan(3)}}
	v, err := env.ExecuteActivity(f.acts.EstimatePartitions, in)
	if err != nil {
		t.Fatal(err)
	}
	var res EstimatePartitionsResult
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	if len(res.Costs) != 3 || res.Costs[0].Units <= 0 {
		t.Errorf("costs = %+v, want 3 positive EXPLAIN estimates", res.Costs)
	}
	if n := f.count(t, "SELECT count(*) FROM public.dst"); n != 0 {
		t.Errorf("estimating wrote %d rows", n)
	}
}

func expectNonRetryable(t *testing.T, err error, errType, want string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != errType || !strings.Contains(app.Error(), want) {
		t.Errorf("error = %v, want a non-retryable %s mentioning %q", err, errType, want)
	}
}
