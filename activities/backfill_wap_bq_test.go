package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// TestWriteAuditPublishOnBigQuery runs a backfill partition with
// --publish wap through the activity on the BigQuery stand-in: new rows
// that repeat an order_id are not published, the runbook's published
// check (what a wait step polls) names the partition and --only failed
// finds it in the ledger, and a later run from a fixed source publishes it,
// lets the check pass, and is what --only missing leaves out.
func TestWriteAuditPublishOnBigQuery(t *testing.T) {
	const project = "dre-wap-test"
	srv, client := bqfake.StartForTest(t, project, "shop", bqwh.LedgerDataset)
	schema := bigquery.Schema{{Name: "order_id", Type: bigquery.IntegerFieldType, Required: true}, {Name: "order_date", Type: bigquery.DateFieldType}}
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	for table, ids := range map[string][]int64{"orders": {1}, "raw": {7, 7, 8}, "fixed": {7, 8}} {
		md := &bigquery.TableMetadata{Schema: schema, TimePartitioning: &bigquery.TimePartitioning{Field: "order_date"}}
		if err := client.Dataset("shop").Table(table).Create(t.Context(), md); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			q := client.Query("INSERT INTO shop." + table + " (order_id, order_date) VALUES (@id, @day)")
			q.Parameters = []bigquery.QueryParameter{{Name: "id", Value: id}, {Name: "day", Value: civil.DateOf(day)}}
			job, err := q.Run(t.Context())
			if err == nil {
				_, err = job.Wait(t.Context())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bq": func(ctx context.Context) (warehouse.Conn, error) {
			return bqwh.Open(ctx, project, "US", srv.ClientOptions()...)
		},
	})
	t.Cleanup(reg.Close)
	checks := &catalog.Validation{Unique: true, SQL: []catalog.SQLCheck{{Name: "positive_ids", Select: "SELECT * FROM {{ .Table }} WHERE order_id <= 0"}}}
	in := activities.RewritePartitionInput{Warehouse: "bq", Table: "shop.orders", RunID: "run-1", Dataset: "orders",
		Partition: warehouse.Partition{Column: "order_date", Start: day, End: day.AddDate(0, 0, 1)},
		Select:    "SELECT order_id, order_date FROM `" + project + ".shop.raw` WHERE order_date >= @from AND order_date < @to",
		Publish:   catalog.PublishWAP, Checks: checks, UniqueKey: []string{"order_id"}}
	b := &activities.Backfills{Warehouses: reg}
	rb := &activities.Runbooks{Warehouses: reg}
	ds := catalog.Dataset{Name: "orders", Warehouse: "bq", Table: "shop.orders"}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(b)
	env.RegisterActivity(rb)
	published := func() activities.RunbookCheckResult {
		t.Helper()
		val, err := env.ExecuteActivity(rb.RunCheck, activities.RunbookCheckInput{Dataset: ds, Check: activities.CheckPublished})
		if err != nil {
			t.Fatal(err)
		}
		var out activities.RunbookCheckResult
		if err := val.Get(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	_, err := env.ExecuteActivity(b.RewritePartition, in)
	want := "partition 2026-11-03T00:00 not published, it keeps its rows: audit failed: unique(order_id): 1 violations (e.g. (7)); old rows 1, new rows 3"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("RewritePartition with a repeated order_id: %v; want %q", err, want)
	}
	if got := published(); got.Passed || got.Rows != 1 || !strings.Contains(got.Message, "2026-11-03 (unique(order_id): 1 violations (e.g. (7)))") {
		t.Errorf("published check while held back: %+v; want it failing, naming 2026-11-03", got)
	}

	sel := func(only, query string) activities.SelectPartitionsResult {
		t.Helper()
		val, err := env.ExecuteActivity(b.SelectPartitions, activities.SelectPartitionsInput{Warehouse: "bq", Table: "shop.orders",
			From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 2), Select: query, Only: only})
		if err != nil {
			t.Fatal(err)
		}
		var out activities.SelectPartitionsResult
		if err := val.Get(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := sel(activities.ReprocessFailed, in.Select); len(got.Redo) != 1 || !got.Redo[0].Equal(day) || got.OfRun != "run-1" {
		t.Errorf("--only failed reads %+v from the BigQuery ledger; want 2026-11-03 of run-1", got)
	}

	in.RunID, in.Select = "run-2", strings.Replace(in.Select, ".raw`", ".fixed`", 1)
	val, err := env.ExecuteActivity(b.RewritePartition, in)
	if err != nil {
		t.Fatalf("RewritePartition from the fixed source: %v", err)
	}
	var res activities.RewritePartitionResult
	if err := val.Get(&res); err != nil || res.Rows != 2 || res.Validated != "audit passed; old rows 1, new rows 2" {
		t.Errorf("fixed run: %+v, %v; want 2 rows published over 1", res, err)
	}
	if got := published(); !got.Passed {
		t.Errorf("published check after the fix: %+v; want it passing", got)
	}
	if got := sel(activities.ReprocessMissing, in.Select); len(got.Skip) != 1 || !got.Skip[0].Equal(day) {
		t.Errorf("--only missing with the fixed source: %+v; want 2026-11-03 left out, written from it", got)
	}
	if got := sel(activities.ReprocessMissing, "SELECT 1"); len(got.Skip) != 0 {
		t.Errorf("--only missing with another source: %+v; want nothing left out", got)
	}
}
