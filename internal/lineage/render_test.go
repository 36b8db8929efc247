package lineage

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// rendered walks orders both ways, merges a view edge and renders it.
func rendered(t *testing.T, format string) string {
	t.Helper()
	gr := g(threeLevels())
	if err := gr.Merge("local", []TableEdge{{From: "public.orders", To: "reporting.orders_v"}}, PostgresViews); err != nil {
		t.Fatal(err)
	}
	sg, err := gr.Walk("orders", Both, 1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, sg, format); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// wantLines fails unless every line is in out.
func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Errorf("output lacks %q:\n%s", l, out)
		}
	}
}

func TestRenderText(t *testing.T) {
	out := rendered(t, "text")
	wantLines(t, out, "DEPTH", "+0  ", "orders", "-1  ", "raw_orders", "+1  ",
		"reporting.orders_v", "(outside the catalog)", "postgres-views", "revenue-team")
	if strings.Contains(out, "board") {
		t.Errorf("depth 1 shows board, two edges away:\n%s", out)
	}
}

func TestRenderJSON(t *testing.T) {
	var sg Subgraph
	if err := json.Unmarshal([]byte(rendered(t, "json")), &sg); err != nil {
		t.Fatal(err)
	}
	if sg.Root != "orders" || len(sg.Nodes) != 5 || len(sg.Edges) != 4 {
		t.Errorf("json = %+v, want orders with 5 nodes and 4 edges", sg)
	}
}

func TestRenderDOT(t *testing.T) {
	wantLines(t, rendered(t, "dot"), "digraph lineage {", "rankdir=LR;",
		`"orders" [label="orders\npublic.orders", style=bold];`,
		`"raw_orders" -> "orders";`,
		`"orders" -> "reporting.orders_v" [style=dashed, label="postgres-views"];`)
}

func TestRenderMermaid(t *testing.T) {
	wantLines(t, rendered(t, "mermaid"), "flowchart LR",
		`n0["orders<br/>public.orders"]`, `[("reporting.orders_v")]`,
		"-.->|postgres-views|", "style n0 stroke-width:3px")
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, Subgraph{}, "svg")
	if err == nil || !strings.Contains(err.Error(), "mermaid") {
		t.Errorf("err = %v, want one listing the formats", err)
	}
}
