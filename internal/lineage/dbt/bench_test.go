package dbt

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/dre-dev/dre/internal/lineage"
)

// generatedManifest returns a v12 manifest of n datasets: a tenth are
// sources, the rest models reading up to three earlier ones, every
// twentieth model ephemeral, so lineage passes through some of them.
func generatedManifest(n int) []byte {
	nodes := map[string]any{}
	sources := map[string]any{}
	ids := make([]string, 0, n)
	for i := range n {
		if i%10 == 0 {
			id := fmt.Sprintf("source.bench.raw.t%d", i)
			sources[id] = map[string]any{
				"unique_id": id, "resource_type": "source", "package_name": "bench", "source_name": "raw",
				"name": fmt.Sprintf("t%d", i), "identifier": fmt.Sprintf("t%d", i), "database": "raw", "schema": "landing",
				"relation_name": fmt.Sprintf(`"raw"."landing"."t%d"`, i), "loaded_at_field": "loaded_at", "meta": map[string]any{},
			}
			ids = append(ids, id)
			continue
		}
		id := fmt.Sprintf("model.bench.m%d", i)
		var deps []string
		for _, back := range []int{1, 7, 31} {
			if i-back >= 0 {
				deps = append(deps, ids[i-back])
			}
		}
		materialized, relation := "table", any(fmt.Sprintf(`"analytics"."marts"."m%d"`, i))
		if i%20 == 1 {
			materialized, relation = "ephemeral", nil
		}
		nodes[id] = map[string]any{
			"unique_id": id, "resource_type": "model", "name": fmt.Sprintf("m%d", i), "package_name": "bench",
			"database": "analytics", "schema": "marts", "alias": fmt.Sprintf("m%d", i), "relation_name": relation,
			"description": "A generated model.", "meta": map[string]any{"owner": fmt.Sprintf("team-%d", i%17)},
			"config":     map[string]any{"materialized": materialized, "unique_key": "id", "partition_by": map[string]any{"field": "day", "data_type": "date"}},
			"depends_on": map[string]any{"macros": []string{}, "nodes": deps},
		}
		ids = append(ids, id)
	}
	data, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "project_name": "bench"},
		"nodes":    nodes, "sources": sources, "groups": map[string]any{},
	})
	if err != nil {
		panic(err)
	}
	return data
}

// BenchmarkLoad5000 reads a 5,000-dataset manifest and builds its graph,
// as dre catalog import dbt and dre.yaml loading do. Target: under 1 s.
func BenchmarkLoad5000(b *testing.B) {
	data := generatedManifest(5000)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var datasets, edges int
	for b.Loop() {
		res, err := Import(data, "wh")
		if err != nil {
			b.Fatal(err)
		}
		g, err := lineage.Build(res.Datasets)
		if err != nil {
			b.Fatal(err)
		}
		datasets, edges = len(res.Datasets), g.EdgeCount()
	}
	b.ReportMetric(float64(datasets), "datasets")
	b.ReportMetric(float64(edges), "edges")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/load")
	b.ReportMetric(retainedMB(b, data), "MB-retained")
}

// retainedMB is the heap the imported datasets and their graph keep once
// loaded: what a worker or CLI holds for a 5,000-dataset catalog.
func retainedMB(b *testing.B, data []byte) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := Import(data, "wh")
	if err != nil {
		b.Fatal(err)
	}
	g, _ := lineage.Build(res.Datasets)
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(g)
	runtime.KeepAlive(res)
	return float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
}
