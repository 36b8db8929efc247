package activities_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// The view dependencies of a real PostgreSQL database, merged into the
// declared lineage: an edge both declared and recorded by PostgreSQL keeps
// both sources, and a view nobody declared joins the graph.
func TestViewDependenciesMergeWithDeclaredLineage(t *testing.T) {
	dsn := localpgtest.NewDatabase(t, localpgtest.Start(t))
	localpgtest.Exec(t, dsn, `
		CREATE SCHEMA raw; CREATE SCHEMA mart;
		CREATE TABLE raw.orders (id bigint, amount numeric, day date);
		CREATE VIEW mart.orders AS SELECT id, amount, day FROM raw.orders;
		CREATE VIEW mart.daily AS SELECT day, sum(amount) AS total FROM mart.orders GROUP BY day;`)
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(&activities.Lineage{Warehouses: reg})
	val, err := env.ExecuteActivity((&activities.Lineage{}).ViewDependencies, activities.ViewDependenciesInput{Warehouse: "local"})
	if err != nil {
		t.Fatal(err)
	}
	var edges []lineage.TableEdge
	if err := val.Get(&edges); err != nil {
		t.Fatal(err)
	}
	g, err := lineage.Build([]catalog.Dataset{
		{Name: "raw_orders", Warehouse: "local", Table: "raw.orders"},
		{Name: "orders", Warehouse: "local", Table: "mart.orders", Upstream: []string{"raw_orders"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Merge("local", edges, lineage.PostgresViews); err != nil {
		t.Fatal(err)
	}
	if got := g.Sources("raw_orders", "orders"); !slices.Equal(got, []lineage.Source{lineage.Declared, lineage.PostgresViews}) {
		t.Errorf("raw_orders -> orders learnt from %v, want declared and postgres-views", got)
	}
	if got := g.Downstream("orders"); !slices.Equal(got, []string{"mart.daily"}) {
		t.Errorf("downstream of orders = %v, want the undeclared view mart.daily", got)
	}
	if got := g.Sources("orders", "mart.daily"); !slices.Equal(got, []lineage.Source{lineage.PostgresViews}) {
		t.Errorf("orders -> mart.daily learnt from %v", got)
	}
	_, err = env.ExecuteActivity((&activities.Lineage{}).ViewDependencies, activities.ViewDependenciesInput{Warehouse: "nope"})
	if err == nil {
		t.Error("an unknown warehouse read view dependencies")
	}
}

// The worker's catalog answers which datasets are downstream, at any depth.
func TestDownstreamDatasetsFromTheWorkersCatalog(t *testing.T) {
	l := &activities.Lineage{Catalog: catalog.New([]catalog.Dataset{
		{Name: "orders", Warehouse: "local", Table: "public.orders"},
		{Name: "revenue", Warehouse: "local", Table: "public.revenue", Upstream: []string{"orders"}},
		{Name: "board", Warehouse: "local", Table: "public.board", Upstream: []string{"revenue"}},
	})}
	got, err := l.DownstreamDatasets(t.Context(), "orders")
	if err != nil || len(got) != 2 || got[0].Name != "board" || got[1].Name != "revenue" {
		t.Errorf("downstream of orders = %+v, %v; want board and revenue", got, err)
	}
	none, err := (&activities.Lineage{}).DownstreamDatasets(t.Context(), "orders")
	if err != nil || len(none) != 0 {
		t.Errorf("a worker without a catalog answered %+v, %v; want nothing", none, err)
	}
}

// The postmortem's picture shows two edges each way and nothing further;
// a dataset without declared lineage gets no picture.
func TestNeighbourhoodDrawsTwoEdgesEachWay(t *testing.T) {
	l := &activities.Lineage{Catalog: catalog.New([]catalog.Dataset{
		{Name: "raw", Warehouse: "local", Table: "public.raw", Upstream: []string{"public.landing"}},
		{Name: "orders", Warehouse: "local", Table: "public.orders", Upstream: []string{"raw"}},
		{Name: "revenue", Warehouse: "local", Table: "public.revenue", Upstream: []string{"orders"}},
		{Name: "board", Warehouse: "local", Table: "public.board", Upstream: []string{"revenue"}},
		{Name: "archive", Warehouse: "local", Table: "public.archive", Upstream: []string{"board"}},
		{Name: "alone", Warehouse: "local", Table: "public.alone"},
	})}
	got, err := l.Neighbourhood(t.Context(), activities.NeighbourhoodInput{Dataset: "orders"})
	if err != nil || !strings.HasPrefix(got, "flowchart LR\n") {
		t.Fatalf("picture = %q, %v; want a Mermaid flowchart", got, err)
	}
	for _, want := range []string{`"raw`, `"revenue`, `"board`, "public.landing"} {
		if !strings.Contains(got, want) {
			t.Errorf("picture lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "archive") {
		t.Errorf("picture reaches three edges downstream:\n%s", got)
	}
	if none, err := l.Neighbourhood(t.Context(), activities.NeighbourhoodInput{Dataset: "alone"}); err != nil || none != "" {
		t.Errorf("a dataset without lineage drew %q, %v", none, err)
	}
}
