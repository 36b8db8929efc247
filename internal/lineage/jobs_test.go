package lineage

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/warehouse"
)

// Job history edges land on datasets by table, share an edge with its
// declaration (both sources kept), keep their job counts, and leave
// tables the catalog does not know as external nodes.
func TestMergeJobsKeepsBothSourcesOnASharedEdge(t *testing.T) {
	g, err := Build(threeLevels())
	if err != nil {
		t.Fatal(err)
	}
	last := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err = g.MergeJobs("local", []warehouse.JobEdge{
		{From: "public.orders", To: "public.revenue", Jobs: 3, LastSeen: last},
		{From: "other.raw.clicks", To: "public.orders", Jobs: 1, LastSeen: last.Add(-time.Hour)},
		{From: "public.orders", To: "public.orders", Jobs: 9, LastSeen: last}, // an UPDATE of itself
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Sources("orders", "revenue"); !slices.Equal(got, []Source{BigQueryJobs, Declared}) {
		t.Errorf("sources of orders -> revenue = %v; want both bigquery-jobs and declared", got)
	}
	if got := g.Sources("other.raw.clicks", "orders"); !slices.Equal(got, []Source{BigQueryJobs}) {
		t.Errorf("sources of other.raw.clicks -> orders = %v; want bigquery-jobs, as an external node", got)
	}
	if g.Sources("orders", "orders") != nil {
		t.Error("a job writing the table it read made a self edge")
	}
	sg, err := g.Walk("orders", Both, 1)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Render(&out, sg, "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Edges []Edge }
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(doc.Edges, func(e Edge) bool { return e.From == "orders" && e.To == "revenue" })
	if i < 0 || doc.Edges[i].Jobs != 3 || doc.Edges[i].LastSeen == nil || !doc.Edges[i].LastSeen.Equal(last) {
		t.Errorf("json edges %+v; want orders -> revenue with 3 jobs, last %v", doc.Edges, last)
	}
	for _, format := range []string{"text", "dot", "mermaid"} {
		out.Reset()
		if err := Render(&out, sg, format); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "bigquery-jobs,declared") {
			t.Errorf("%s output does not name both sources:\n%s", format, out.String())
		}
	}
	if !strings.Contains(out.String(), "(3 jobs)") {
		t.Errorf("mermaid output does not give the job count:\n%s", out.String())
	}
}
