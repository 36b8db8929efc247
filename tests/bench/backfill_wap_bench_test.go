package bench

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// wapDays is the year BenchmarkBackfillWAP rewrites; a smaller figure
// shrinks it for a quick look (go test ... -wap-days 30).
var wapDays = flag.Int("wap-days", bfDays, "days BenchmarkBackfillWAP rewrites (default a year)")

// wapCheck is the benchmark's one SQL check, run against the staged rows.
var wapCheck = catalog.SQLCheck{Name: "no_negative_amounts", Select: "SELECT * FROM {{ .Table }} WHERE amount < 0"}

// BenchmarkBackfillWAP rewrites a year of daily partitions of 2,000 rows
// in four ways per iteration, each into its own copy of the source:
//
//   - sequential: the plain SQL loop of BenchmarkBackfill;
//
//   - direct and wap: dre backfill at concurrency 1, publishing directly,
//     and by write-audit-publish with one SQL check (target: wap ≤ 1.3×
//     direct);
//
//   - adapter-direct and adapter-wap (reported as a ratio): the same two
//     rewrites called in a loop without Temporal, the SQL's own share.
//
//     go test -run '^$' -bench BackfillWAP -benchtime 3x ./tests/bench/
func BenchmarkBackfillWAP(b *testing.B) {
	dsn := localpgtest.NewDatabase(b, env.PG)
	raw := bfLoad(b, dsn)
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bench": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	b.Cleanup(registry.Close)
	env.StartWorker(b, worker.Deps{Warehouses: registry})
	adapter := bfAdapter(b, dsn)
	bfBackfillPublish(b, "warmup", "bench.t1", catalog.PublishWAP, 7)
	paths := []bfPath{
		{"sequential", func(_ int, table string) time.Duration { return bfSequential(b, raw, table, *wapDays) }},
		{"direct", func(i int, table string) time.Duration {
			return bfBackfillPublish(b, fmt.Sprintf("direct-%d", i), table, catalog.PublishDirect, *wapDays)
		}},
		{"wap", func(i int, table string) time.Duration {
			return bfBackfillPublish(b, fmt.Sprintf("wap-%d", i), table, catalog.PublishWAP, *wapDays)
		}},
		{"adapter-direct", func(i int, table string) time.Duration {
			return wapAdapterLoop(b, adapter, fmt.Sprintf("loop-%d", i), table, false)
		}},
		{"adapter-wap", func(i int, table string) time.Duration {
			return wapAdapterLoop(b, adapter, fmt.Sprintf("wap-loop-%d", i), table, true)
		}},
	}
	elapsed := map[string]time.Duration{}
	for i := 0; b.Loop(); i++ {
		for k := range paths {
			n := (i + k) % len(paths)
			bfVacuum(b, raw, bfTargets[n])
			elapsed[paths[n].name] += paths[n].run(i, bfTargets[n])
		}
	}
	seq := float64(elapsed["sequential"])
	b.ReportMetric(float64(elapsed["wap"])/float64(elapsed["direct"]), "wap/direct")
	b.ReportMetric(float64(elapsed["wap"])/seq, "wap/sequential")
	b.ReportMetric(float64(elapsed["direct"])/seq, "direct/sequential")
	b.ReportMetric(float64(elapsed["adapter-wap"])/float64(elapsed["adapter-direct"]), "adapter-wap/adapter-direct")
}

// wapAdapterLoop rewrites each partition through the adapter in a plain
// loop, audited with the benchmark's SQL check or directly.
func wapAdapterLoop(b *testing.B, w *postgres.Warehouse, run, table string, audited bool) time.Duration {
	first, _ := time.Parse(time.DateOnly, bfFirst)
	ref, err := warehouse.ParseTableRef(table)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for d := range *wapDays {
		p := warehouse.Partition{Column: "day", Start: first.AddDate(0, 0, d), End: first.AddDate(0, 0, d+1)}
		r := warehouse.Rewrite{Table: ref, Partition: p, Select: bfSelect, RunID: run}
		if !audited {
			if _, err := w.RewritePartition(b.Context(), r); err != nil {
				b.Fatalf("rewrite, day %d: %v", d, err)
			}
			continue
		}
		sql, err := catalog.ExpandCheck(wapCheck.Select, warehouse.StagedRows, "@from", "@to")
		if err != nil {
			b.Fatal(err)
		}
		audit := warehouse.Audit{Checks: []warehouse.Check{{Name: wapCheck.Name, Kind: warehouse.CheckSQL, SQL: sql}}}
		res, err := w.RewriteAudited(b.Context(), r, audit)
		if err != nil || res.Audit == nil || !res.Audit.Passed {
			b.Fatalf("audited rewrite, day %d: %+v, %v", d, res, err)
		}
	}
	return time.Since(start)
}

// bfBackfillPublish runs the Backfill workflow at concurrency 1 over days
// partitions with the given publish mode and the benchmark's SQL check.
func bfBackfillPublish(b *testing.B, name, table, publish string, days int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	in := workflows.BackfillInput{
		// The dataset's own source: a --select would wait for an approval.
		Dataset: catalog.Dataset{Name: "bench-" + name, Warehouse: "bench", Table: table,
			Partition:  &catalog.Partition{Column: "day", Granularity: catalog.Day},
			Validation: &catalog.Validation{SQL: []catalog.SQLCheck{wapCheck}}, Source: &catalog.Source{Select: bfSelect}},
		From: first, To: first.AddDate(0, 0, days), Concurrency: 1, Publish: publish,
	}
	opts := client.StartWorkflowOptions{ID: workflows.BackfillWorkflowID(in.Dataset.Name), TaskQueue: env.TaskQueue}
	start := time.Now()
	run, err := env.Client.ExecuteWorkflow(ctx, opts, workflows.BackfillWorkflowName, in)
	var report workflows.BackfillReport
	if err == nil {
		err = run.Get(ctx, &report)
	}
	elapsed := time.Since(start)
	if err != nil || report.Status != workflows.BackfillDone || report.Done != days || report.Rows != int64(days*bfRows) {
		b.Fatalf("backfill %s: %+v, %v; want all %d partitions done", name, report.BackfillStatus, err, days)
	}
	return elapsed
}
