package lineage

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dre-dev/dre/internal/catalog"
)

// ds returns a dataset of warehouse local reading upstream.
func ds(name string, upstream ...string) catalog.Dataset {
	return catalog.Dataset{Name: name, Warehouse: "local", Table: "public." + name,
		Owner: catalog.Owner{Team: name + "-team"}, Upstream: upstream}
}

// threeLevels: raw.events -> raw_orders -> orders -> {revenue, churn}; revenue -> board.
func threeLevels() []catalog.Dataset {
	return []catalog.Dataset{
		ds("raw_orders", "raw.events"),
		ds("orders", "raw_orders"),
		ds("revenue", "orders"),
		ds("churn", "orders", "public.raw_orders"),
		ds("board", "revenue"),
	}
}

func TestBuildResolvesTablesToDatasets(t *testing.T) {
	g, err := Build(threeLevels())
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Upstream("churn"); !slices.Equal(got, []string{"orders", "raw_orders"}) {
		t.Errorf("churn's upstream = %v; public.raw_orders should land on the raw_orders dataset", got)
	}
	if got := g.Downstream("orders"); !slices.Equal(got, []string{"churn", "revenue"}) {
		t.Errorf("orders' downstream = %v", got)
	}
	if got := g.Upstream("raw_orders"); !slices.Equal(got, []string{"raw.events"}) {
		t.Errorf("raw_orders' upstream = %v, want the external table", got)
	}
	if g.EdgeCount() != 6 {
		t.Errorf("edges = %d, want 6", g.EdgeCount())
	}
}

func TestWalkDepthAndDirection(t *testing.T) {
	g, _ := Build(threeLevels())
	names := func(sg Subgraph) []string {
		var out []string
		for _, n := range sg.Nodes {
			out = append(out, n.Name)
		}
		return out
	}
	down, err := g.Walk("raw_orders", Down, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(down); !slices.Equal(got, []string{"raw_orders", "churn", "orders", "revenue", "board"}) {
		t.Errorf("downstream = %v", got)
	}
	if d := down.Nodes[len(down.Nodes)-1].Depth; d != 3 {
		t.Errorf("board's depth = %d, want 3", d)
	}
	one, _ := g.Walk("raw_orders", Down, 1)
	if got := names(one); !slices.Equal(got, []string{"raw_orders", "churn", "orders"}) {
		t.Errorf("depth 1 = %v", got)
	}
	up, _ := g.Walk("board", Up, 0)
	if got := names(up); !slices.Equal(got, []string{"board", "raw.events", "raw_orders", "orders", "revenue"}) {
		t.Errorf("upstream = %v", got)
	}
	if up.Nodes[1].Depth != -4 || !up.Nodes[1].External {
		t.Errorf("raw.events = %+v, want depth -4 and external", up.Nodes[1])
	}
	if _, err := g.Walk("nope", Both, 0); err == nil {
		t.Error("walking an unknown node succeeded")
	}
}

func TestCycleIsPlacedAtTheClosingEntry(t *testing.T) {
	sets := threeLevels()
	sets[1].Upstream = append(sets[1].Upstream, "board") // orders reads board, which reads orders
	probs := Check(sets)
	if len(probs) != 1 {
		t.Fatalf("problems = %v, want one cycle", probs)
	}
	p := probs[0]
	onCycle := []string{"datasets[1].upstream[1]", "datasets[2].upstream[0]", "datasets[4].upstream[0]"}
	if !slices.Contains(onCycle, p.Path) {
		t.Errorf("path = %q, want an upstream entry on the cycle: %v", p.Path, onCycle)
	}
	for _, name := range []string{"orders", "revenue", "board"} {
		if !strings.Contains(p.Message, name) {
			t.Errorf("message %q does not name %s", p.Message, name)
		}
	}
	if strings.Contains(p.Message, "churn") {
		t.Errorf("message %q names churn, which is not on the cycle", p.Message)
	}
	if _, err := g(sets).Walk("orders", Both, 0); err != nil {
		t.Errorf("walk over a cycle: %v", err)
	}
}

func TestNoCycleNoProblems(t *testing.T) {
	if probs := Check(threeLevels()); len(probs) != 0 {
		t.Errorf("problems = %v", probs)
	}
}

func TestMergeKeepsEachEdgeSource(t *testing.T) {
	gr, _ := Build(threeLevels())
	err := gr.Merge("local", []TableEdge{
		{From: "public.orders", To: "public.revenue"},     // also declared
		{From: "public.orders", To: "reporting.orders_v"}, // a view outside the catalog
	}, PostgresViews)
	if err != nil {
		t.Fatal(err)
	}
	if got := gr.Sources("orders", "revenue"); !slices.Equal(got, []Source{Declared, PostgresViews}) {
		t.Errorf("orders -> revenue sources = %v", got)
	}
	if got := gr.Sources("orders", "reporting.orders_v"); !slices.Equal(got, []Source{PostgresViews}) {
		t.Errorf("orders -> view sources = %v", got)
	}
	err = gr.Merge("local", []TableEdge{{From: "public.board", To: "public.raw_orders"}}, PostgresViews)
	var ce *CycleError
	if !errors.As(err, &ce) || ce.Cycles[0].At != "" {
		t.Errorf("merging a cycle: %v, want an unplaced *CycleError", err)
	}
}

func TestDownstreamDatasets(t *testing.T) {
	var got []string
	for _, d := range g(threeLevels()).DownstreamDatasets("orders") {
		got = append(got, d.Name)
	}
	if !slices.Equal(got, []string{"board", "churn", "revenue"}) {
		t.Errorf("downstream datasets of orders = %v", got)
	}
}

// g builds a graph, ignoring cycles.
func g(sets []catalog.Dataset) *Graph {
	gr, _ := Build(sets)
	return gr
}
