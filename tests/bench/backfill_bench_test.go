package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
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

// bfSetup fills bench.source and three identical targets, so that each
// path of an iteration rewrites a table no other path has just bloated.
var bfSetup = fmt.Sprintf(`
CREATE SCHEMA bench;
CREATE TABLE bench.source (day date NOT NULL, id bigint NOT NULL, customer text, amount double precision);
INSERT INTO bench.source
	SELECT date '%s' + g / %d, g, 'customer ' || g %% 97, (g %% 1000) * 0.25 FROM generate_series(0, %d - 1) AS g;
CREATE INDEX ON bench.source (day);
CREATE TABLE bench.t0 (LIKE bench.source); INSERT INTO bench.t0 SELECT * FROM bench.source; CREATE INDEX ON bench.t0 (day);
CREATE TABLE bench.t1 (LIKE bench.source); INSERT INTO bench.t1 SELECT * FROM bench.source; CREATE INDEX ON bench.t1 (day);
CREATE TABLE bench.t2 (LIKE bench.source); INSERT INTO bench.t2 SELECT * FROM bench.source; CREATE INDEX ON bench.t2 (day);
CREATE TABLE bench.t3 (LIKE bench.source); INSERT INTO bench.t3 SELECT * FROM bench.source; CREATE INDEX ON bench.t3 (day);
CREATE TABLE bench.empty (LIKE bench.source);`, bfFirst, bfRows, bfDays*bfRows)

// BenchmarkBackfill rewrites a year of daily partitions of 2,000 rows on
// local PostgreSQL three ways in each iteration: a plain sequential loop
// of DELETE + INSERT … SELECT per partition over one pgx connection (the
// baseline), dre backfill at concurrency 1 (target ≤ 1.25× the baseline)
// and at concurrency 4 (target ≤ 0.6×). dre's path also takes the ledger
// row, the advisory lock and the checksum the baseline skips. A backfill
// of a SELECT that returns no rows gives the orchestration's own rate,
// and the adapter's RewritePartition called in a plain loop, without
// Temporal, splits dre's cost between its SQL and its orchestration.
//
//	go test -run '^$' -bench Backfill -benchtime 1x ./tests/bench/
func BenchmarkBackfill(b *testing.B) {
	dsn := localpgtest.NewDatabase(b, env.PG)
	raw := bfLoad(b, dsn)
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bench": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	b.Cleanup(registry.Close)
	env.StartWorker(b, worker.Deps{Warehouses: registry})
	// Warm up both paths on a week: dre_meta is created, the worker's
	// connections opened, the server's caches filled.
	bfSequential(b, raw, "bench.t0", 7)
	bfBackfill(b, "warmup", "bench.t1", bfSelect, 4, 7)

	adapter := bfAdapter(b, dsn)
	var seq, loop, c1, c4, trivial time.Duration
	for i := 0; b.Loop(); i++ {
		tables := bfRotate(i)
		seq += bfSequential(b, raw, tables[0], bfDays)
		loop += bfAdapterLoop(b, adapter, fmt.Sprintf("loop-%d", i), tables[3])
		c1 += bfBackfill(b, fmt.Sprintf("c1-%d", i), tables[1], bfSelect, 1, bfDays)
		c4 += bfBackfill(b, fmt.Sprintf("c4-%d", i), tables[2], bfSelect, 4, bfDays)
		trivial += bfBackfill(b, fmt.Sprintf("trivial-%d", i), "bench.empty", bfTrivial, 4, bfDays)
	}
	bfCheckTables(b, raw)
	n := float64(b.N)
	b.ReportMetric(seq.Seconds()/n, "sequential-s")
	b.ReportMetric(c1.Seconds()/n, "dre-c1-s")
	b.ReportMetric(c4.Seconds()/n, "dre-c4-s")
	b.ReportMetric(float64(loop)/float64(seq), "adapter-loop/sequential")
	b.ReportMetric(float64(c1)/float64(seq), "c1/sequential")
	b.ReportMetric(float64(c4)/float64(seq), "c4/sequential")
	b.ReportMetric(bfDays*n/trivial.Seconds(), "trivial-partitions/s")
}

// bfRotate gives each path another table in each iteration.
func bfRotate(i int) [4]string {
	t := [4]string{"bench.t0", "bench.t1", "bench.t2", "bench.t3"}
	return [4]string{t[i%4], t[(i+1)%4], t[(i+2)%4], t[(i+3)%4]}
}

func bfAdapter(b *testing.B, dsn string) *postgres.Warehouse {
	w, err := postgres.Open(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	return w
}

// bfAdapterLoop rewrites each partition through the adapter, ledger and
// checksum included, one after another: dre's SQL without Temporal.
func bfAdapterLoop(b *testing.B, w *postgres.Warehouse, run, table string) time.Duration {
	first, _ := time.Parse(time.DateOnly, bfFirst)
	ref, err := warehouse.ParseTableRef(table)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for d := range bfDays {
		p := warehouse.Partition{Column: "day", Start: first.AddDate(0, 0, d), End: first.AddDate(0, 0, d+1)}
		if _, err := w.RewritePartition(b.Context(), warehouse.Rewrite{Table: ref, Partition: p, Select: bfSelect, RunID: run}); err != nil {
			b.Fatalf("adapter loop, day %d: %v", d, err)
		}
	}
	return time.Since(start)
}

// bfLoad creates and fills the tables, and returns the baseline's
// connection, opened after the load so that it starts as cold as the
// worker's.
func bfLoad(b *testing.B, dsn string) *pgx.Conn {
	ctx := b.Context()
	setup, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	for _, sql := range []string{bfSetup, "VACUUM ANALYZE bench.source, bench.t0, bench.t1, bench.t2, bench.t3"} {
		if _, err := setup.Exec(ctx, sql); err != nil {
			b.Fatalf("setup: %v", err)
		}
	}
	setup.Close(ctx)
	raw, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close(context.Background()) })
	return raw
}

// bfSequential is the baseline: each partition's DELETE and INSERT …
// SELECT in a transaction, one partition after another.
func bfSequential(b *testing.B, conn *pgx.Conn, table string, days int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	ident := pgx.Identifier{"bench", table[len("bench."):]}.Sanitize()
	start := time.Now()
	for d := range days {
		from, to := first.AddDate(0, 0, d), first.AddDate(0, 0, d+1)
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "DELETE FROM "+ident+" WHERE day >= $1 AND day < $2", from, to); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+ident+" SELECT day, id, customer, amount FROM bench.source WHERE day >= $1 AND day < $2", from, to)
			return err
		})
		if err != nil {
			b.Fatalf("sequential loop, day %d: %v", d, err)
		}
	}
	return time.Since(start)
}

// bfBackfill runs the Backfill workflow over days partitions and waits
// for its report, which must show every partition written.
func bfBackfill(b *testing.B, name, table, sel string, concurrency, days int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	in := workflows.BackfillInput{
		Dataset: catalog.Dataset{Name: "bench-" + name, Warehouse: "bench", Table: table,
			Partition: &catalog.Partition{Column: "day", Granularity: catalog.Day}},
		From: first, To: first.AddDate(0, 0, days), Select: sel, Concurrency: concurrency,
	}
	opts := client.StartWorkflowOptions{ID: workflows.BackfillWorkflowID(in.Dataset.Name), TaskQueue: env.TaskQueue}
	start := time.Now()
	run, err := env.Client.ExecuteWorkflow(ctx, opts, workflows.BackfillWorkflowName, in)
	var report workflows.BackfillReport
	if err == nil {
		err = run.Get(ctx, &report)
	}
	elapsed := time.Since(start)
	if err != nil || report.Status != workflows.BackfillDone || report.Done != days {
		b.Fatalf("backfill %s: %+v, %v; want all %d partitions done", name, report.BackfillStatus, err, days)
	}
	if want := int64(days * bfRows); sel == bfSelect && report.Rows != want {
		b.Fatalf("backfill %s wrote %d rows, want %d", name, report.Rows, want)
	}
	return elapsed
}

// bfCheckTables proves the paths wrote the same thing: every target holds
// exactly the source's rows, none doubled or lost.
func bfCheckTables(b *testing.B, conn *pgx.Conn) {
	sum := func(table string) (n int64, h string) {
		q := "SELECT count(*), coalesce(sum(hashtext(t::text)::numeric), 0)::text FROM " + table + " AS t"
		if err := conn.QueryRow(b.Context(), q).Scan(&n, &h); err != nil {
			b.Fatal(err)
		}
		return n, h
	}
	wantN, wantH := sum("bench.source")
	for _, table := range []string{"bench.t0", "bench.t1", "bench.t2", "bench.t3"} {
		if n, h := sum(table); n != wantN || h != wantH {
			b.Errorf("%s: %d rows (checksum %s), want the source's %d (checksum %s)", table, n, h, wantN, wantH)
		}
	}
}
