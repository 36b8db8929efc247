package lineage

import (
	"slices"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
)

func TestCascadeOrdersDownstreamAfterEverythingTheyRead(t *testing.T) {
	ds := []catalog.Dataset{
		{Name: "raw", Warehouse: "w", Table: "raw.orders"},
		{Name: "daily", Warehouse: "w", Table: "m.daily", Upstream: []string{"raw"}},
		// monthly reads daily and, through a view outside the catalog, raw.
		{Name: "monthly", Warehouse: "w", Table: "m.monthly", Upstream: []string{"daily", "ext.raw_view"}},
		{Name: "view_reader", Warehouse: "w", Table: "m.vr", Upstream: []string{"ext.raw_view"}},
		{Name: "unrelated", Warehouse: "w", Table: "m.u"},
	}
	g, err := Build(ds)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Merge("w", []TableEdge{{From: "raw.orders", To: "ext.raw_view"}}, PostgresViews); err != nil {
		t.Fatal(err)
	}
	nodes, err := g.Cascade("raw")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range nodes {
		names = append(names, n.Dataset.Name)
	}
	if want := []string{"raw", "daily", "monthly", "view_reader"}; !slices.Equal(names, want) {
		t.Fatalf("order %v, want %v", names, want)
	}
	if got := nodes[2].Upstream; !slices.Equal(got, []string{"daily", "raw"}) {
		t.Errorf("monthly reads %v within the cascade, want daily and (through the view) raw", got)
	}
	if _, err := g.Cascade("ext.raw_view"); err == nil {
		t.Error("a cascade from a table outside the catalog was accepted")
	}
}
