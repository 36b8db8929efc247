package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
)

// A year of daily partitions of 2,000 rows: the backfill of the issue.
const (
	bfDays  = 365
	bfRows  = 2000
	bfFirst = "2025-01-01"
	// bfSelect is one partition's rows; bfTrivial selects none, so that
	// its backfill measures the orchestration alone.
	bfSelect  = "SELECT day, id, customer, amount FROM bench.source WHERE day >= @from AND day < @to"
	bfTrivial = "SELECT day, id, customer, amount FROM bench.source WHERE false AND day >= @from AND day < @to"
)

// BenchmarkBackfill rewrites a year of daily partitions of 2,000 rows on
// local PostgreSQL in six ways in each iteration, each into a target of
// its own:
//
//   - sequential: the baseline, a plain loop of DELETE + INSERT … SELECT
//     per partition in a transaction over one pgx connection;
//   - raw4: the same statements from four connections at once, each over
//     a quarter of the year: the most four-way parallelism gives on this
//     machine, with no orchestration and no ledger;
//   - adapter and adapter4: dre's RewritePartition called in a plain
//     loop, and from four goroutines over a quarter each, without
//     Temporal: they split dre's cost between its SQL and orchestration;
//   - c1 and c4: dre backfill at concurrency 1 (target ≤ 1.25× the
//     baseline) and 4 (target ≤ 0.6×).
//
// dre's paths also take the ledger row and the advisory lock the baseline
// skips. Each iteration starts with another path, so that none always
// goes first. A backfill of a SELECT that returns no rows gives the
// orchestration's own rate, and cpu-speedup what all CPUs at once give
// over one (see bfCPUSpeedup), which bounds what any concurrency can
// gain over the sequential loop.
//
//	go test -run '^$' -bench Backfill -benchtime 5x ./tests/bench/
func BenchmarkBackfill(b *testing.B) {
	dsn := localpgtest.NewDatabase(b, env.PG)
	raw := bfLoad(b, dsn)
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bench": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	b.Cleanup(registry.Close)
	env.StartWorker(b, worker.Deps{Warehouses: registry})
	// Warm up: dre_meta is created, the worker's connections opened, the
	// server's caches filled.
	bfSequential(b, raw, "bench.t0", 7)
	bfBackfill(b, "warmup", "bench.t1", bfSelect, 4, 7)

	paths := bfPaths(b, dsn, raw)
	elapsed := map[string]time.Duration{}
	var trivial time.Duration
	for i := 0; b.Loop(); i++ {
		for k := range paths {
			n := (i + k) % len(paths)
			bfVacuum(b, raw, bfTargets[n])
			elapsed[paths[n].name] += paths[n].run(i, bfTargets[n])
		}
		trivial += bfBackfill(b, fmt.Sprintf("trivial-%d", i), "bench.empty", bfTrivial, 4, bfDays)
	}
	bfCheckTables(b, raw)
	bfReport(b, elapsed, trivial)
	b.ReportMetric(bfCPUSpeedup(), "cpu-speedup")
}

// bfPath is one way of rewriting the year into a table.
type bfPath struct {
	name string
	run  func(iteration int, table string) time.Duration
}

// bfPaths are the ways BenchmarkBackfill compares, in bfTargets' order.
func bfPaths(b *testing.B, dsn string, raw *pgx.Conn) []bfPath {
	adapter := bfAdapter(b, dsn)
	quarters := bfConnect(b, dsn, 4)
	backfill := func(prefix string, concurrency int) func(int, string) time.Duration {
		return func(i int, table string) time.Duration {
			return bfBackfill(b, fmt.Sprintf("%s-%d", prefix, i), table, bfSelect, concurrency, bfDays)
		}
	}
	return []bfPath{
		{"sequential", func(_ int, table string) time.Duration { return bfSequential(b, raw, table, bfDays) }},
		{"raw4", func(_ int, table string) time.Duration { return bfParallel(b, quarters, table) }},
		{"adapter", func(i int, table string) time.Duration {
			return bfAdapterLoop(b, adapter, fmt.Sprintf("loop-%d", i), table, 1)
		}},
		{"adapter4", func(i int, table string) time.Duration {
			return bfAdapterLoop(b, adapter, fmt.Sprintf("loop4-%d", i), table, 4)
		}},
		{"c1", backfill("c1", 1)},
		{"c4", backfill("c4", 4)},
	}
}

// bfReport turns the paths' total times into the ratios.
func bfReport(b *testing.B, elapsed map[string]time.Duration, trivial time.Duration) {
	n, seq := float64(b.N), float64(elapsed["sequential"])
	ratio := func(path string) float64 { return float64(elapsed[path]) / seq }
	b.ReportMetric(seq/float64(time.Second)/n, "sequential-s")
	b.ReportMetric(elapsed["c1"].Seconds()/n, "dre-c1-s")
	b.ReportMetric(elapsed["c4"].Seconds()/n, "dre-c4-s")
	b.ReportMetric(ratio("adapter"), "adapter-loop/sequential")
	b.ReportMetric(ratio("c1"), "c1/sequential")
	b.ReportMetric(ratio("c4"), "c4/sequential")
	b.ReportMetric(ratio("raw4"), "raw4/sequential")
	b.ReportMetric(ratio("adapter4"), "adapter4/sequential")
	b.ReportMetric(float64(elapsed["c4"])/float64(elapsed["raw4"]), "c4/raw4")
	b.ReportMetric(bfDays*n/trivial.Seconds(), "trivial-partitions/s")
}
