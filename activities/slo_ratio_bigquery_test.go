package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// TestMeasureRatioOnBigQuery runs a ratio SLO through the BigQuery adapter:
// the same SQL as on PostgreSQL, the interval bound as named parameters.
func TestMeasureRatioOnBigQuery(t *testing.T) {
	const project = "dre-slo-test"
	srv, client := bqfake.StartForTest(t, project, "shop")
	md := &bigquery.TableMetadata{Schema: bigquery.Schema{{Name: "paid", Type: bigquery.BooleanFieldType}, {Name: "loaded_at", Type: bigquery.TimestampFieldType}}}
	if err := client.Dataset("shop").Table("orders").Create(t.Context(), md); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	// Three orders in the last hour, two of them paid; one older, unpaid.
	for i, row := range []struct {
		paid bool
		ago  time.Duration
	}{{true, 10 * time.Minute}, {true, 20 * time.Minute}, {false, 30 * time.Minute}, {false, 3 * time.Hour}} {
		q := client.Query("INSERT INTO shop.orders (paid, loaded_at) VALUES (@paid, @at)")
		q.Parameters = []bigquery.QueryParameter{{Name: "paid", Value: row.paid}, {Name: "at", Value: now.Add(-row.ago)}}
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
	o := catalog.SLO{Name: "paid", Kind: catalog.Ratio, Interval: catalog.Duration{Duration: time.Hour},
		Good:  "SELECT COUNT(*) FROM shop.orders WHERE paid AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}",
		Total: "SELECT COUNT(*) FROM shop.orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}"}
	ds := catalog.Dataset{Name: "orders", Warehouse: "bq", Table: "shop.orders", SLOs: []catalog.SLO{o}}
	s := &activities.SLOs{Warehouses: reg}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(s)
	val, err := env.ExecuteActivity(s.MeasureSLI, activities.MeasureSLIInput{Dataset: ds, SLO: o, At: now})
	if err != nil {
		t.Fatal(err)
	}
	var m activities.Measurement
	if err := val.Get(&m); err != nil || m.Good != 2 || m.Total != 3 || !strings.Contains(m.Detail, "2 of 3 good") {
		t.Errorf("ratio on BigQuery = %+v, %v; want 2 of 3 over the last hour", m, err)
	}
}
