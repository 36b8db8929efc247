package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/config"
	"github.com/dre-dev/dre/internal/lineage"
	bqwh "github.com/dre-dev/dre/internal/warehouse/bigquery"
	"github.com/dre-dev/dre/internal/warehouse/bigquery/bqfake"
)

// --jobs merges what a BigQuery warehouse's job history shows with the
// declared lineage: a MERGE on a declared edge adds its source to it, a
// CREATE TABLE AS SELECT from another project adds an external node, and
// a failed job adds nothing.
func TestLineageJobsMergesBigQueryJobHistory(t *testing.T) {
	srv, err := bqfake.Start("shop-project")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	w, err := bqwh.Open(t.Context(), "shop-project", "US", srv.ClientOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	hour := time.Now().Add(-time.Hour)
	srv.LogJob(bqfake.PastJob{ID: "m", StatementType: "MERGE", Created: hour, Reads: []string{"shop.orders"}, Destination: "shop.revenue"})
	srv.LogJob(bqfake.PastJob{ID: "c", StatementType: "CREATE_TABLE_AS_SELECT", Created: hour, Reads: []string{"raw-project.events.orders"}, Destination: "shop.orders"})
	srv.LogJob(bqfake.PastJob{ID: "f", StatementType: "MERGE", Created: hour, Reads: []string{"shop.orders"}, Destination: "shop.refunds", Error: "invalidQuery"})
	cfg, err := config.Parse("dre.yaml", []byte(`warehouses:
  bq:
    bigquery: {project: shop-project, location: US}
datasets:
  - {name: orders, warehouse: bq, table: shop.orders}
  - {name: revenue, warehouse: bq, table: shop.revenue, upstream: [orders]}
`), nil, config.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	graph, err := lineage.Build(cfg.Catalog.Datasets())
	if err != nil {
		t.Fatal(err)
	}
	open := func(context.Context, string) (jobLineageReader, error) { return w, nil }
	var stderr bytes.Buffer
	if err := mergeJobs(t.Context(), cfg, open, 30*24*time.Hour, graph, &stderr); err != nil {
		t.Fatal(err)
	}
	sg, err := graph.Walk("orders", lineage.Both, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := lineage.Render(&out, sg, "text"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bigquery-jobs,declared", "raw-project.events.orders", "(outside the catalog)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lineage output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "refunds") {
		t.Errorf("a failed job made an edge:\n%s", out.String())
	}
}

// --jobs takes days or a duration, and says what to give otherwise.
func TestParseJobsWindow(t *testing.T) {
	if d, err := parseJobsWindow("30d"); err != nil || d != 30*24*time.Hour {
		t.Errorf("30d: %v, %v", d, err)
	}
	if d, err := parseJobsWindow("48h"); err != nil || d != 48*time.Hour {
		t.Errorf("48h: %v, %v", d, err)
	}
	for _, bad := range []string{"0d", "-3d", "month", "0s"} {
		if _, err := parseJobsWindow(bad); err == nil || !strings.Contains(err.Error(), "30d") {
			t.Errorf("%q: %v; want an error giving the form", bad, err)
		}
	}
}
