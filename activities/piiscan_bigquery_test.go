package activities_test

import (
	"context"
	"fmt"
	"testing"

	"cloud.google.com/go/bigquery"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// TestPIIScanFindsEmailsInABigQueryJSONColumn loads JSON documents into a
// JSON column of the BigQuery stand-in and scans it through the adapter.
func TestPIIScanFindsEmailsInABigQueryJSONColumn(t *testing.T) {
	const project = "dre-pii-test"
	srv, client := bqfake.StartForTest(t, project, "crm")
	md := &bigquery.TableMetadata{Schema: bigquery.Schema{{Name: "id", Type: bigquery.IntegerFieldType}, {Name: "payload", Type: bigquery.JSONFieldType}}}
	if err := client.Dataset("crm").Table("events").Create(t.Context(), md); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		q := client.Query("INSERT INTO crm.events (id, payload) VALUES (@id, PARSE_JSON(@doc))")
		q.Parameters = []bigquery.QueryParameter{{Name: "id", Value: i},
			{Name: "doc", Value: fmt.Sprintf(`{"kind":"signup","customer":{"contact":{"email":"c%d@example.net"},"tier":"gold"}}`, i)}}
		job, err := q.Run(t.Context())
		if err == nil {
			_, err = job.Wait(t.Context())
		}
		if err != nil {
			t.Fatalf("inserting row %d: %v", i, err)
		}
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bq": func(ctx context.Context) (warehouse.Conn, error) {
			return bqwh.Open(ctx, project, "US", srv.ClientOptions()...)
		},
	})
	t.Cleanup(reg.Close)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.PIIScans{Warehouses: reg})
	var a *activities.PIIScans
	val, err := env.ExecuteActivity(a.ScanDataset, activities.PIIScanInput{Dataset: "events", Warehouse: "bq", Table: "crm.events", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var scan activities.PIIDatasetScan
	if err := val.Get(&scan); err != nil {
		t.Fatal(err)
	}
	if len(scan.Untagged) != 1 || scan.Untagged[0].Path != "payload.customer.contact.email" || scan.Untagged[0].Found != catalog.PIIEmail {
		t.Fatalf("untagged %+v; want payload.customer.contact.email as email", scan.Untagged)
	}
	if scan.SampleMethod == "" {
		t.Error("the scan does not say how BigQuery sampled the table")
	}
}
