package bench

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/workflows"
)

// bfTargets are the tables BenchmarkBackfill's paths rewrite, one each.
var bfTargets = []string{"bench.t0", "bench.t1", "bench.t2", "bench.t3", "bench.t4", "bench.t5"}

// bfSetup fills bench.source; bfTargetSetup copies it into a target.
var bfSetup = fmt.Sprintf(`
CREATE SCHEMA bench;
CREATE TABLE bench.source (day date NOT NULL, id bigint NOT NULL, customer text, amount double precision);
INSERT INTO bench.source
	SELECT date '%s' + g / %d, g, 'customer ' || g %% 97, (g %% 1000) * 0.25 FROM generate_series(0, %d - 1) AS g;
CREATE INDEX ON bench.source (day);
CREATE TABLE bench.empty (LIKE bench.source);`, bfFirst, bfRows, bfDays*bfRows)

// bfTargetSetup creates a target as a copy of the source. Autovacuum is
// off on it, and bfVacuum runs before each path instead, so that no path
// pays for vacuuming the rows another one deleted.
func bfTargetSetup(table string) string {
	return fmt.Sprintf(`CREATE TABLE %[1]s (LIKE bench.source) WITH (autovacuum_enabled = off);
INSERT INTO %[1]s SELECT * FROM bench.source; CREATE INDEX ON %[1]s (day);`, table)
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
	sqls := []string{bfSetup}
	for _, t := range bfTargets {
		sqls = append(sqls, bfTargetSetup(t))
	}
	for _, sql := range append(sqls, "VACUUM ANALYZE") {
		if _, err := setup.Exec(ctx, sql); err != nil {
			b.Fatalf("setup: %v", err)
		}
	}
	setup.Close(ctx)
	return bfConnect(b, dsn, 1)[0]
}

// bfConnect opens n connections, closed when the benchmark ends.
func bfConnect(b *testing.B, dsn string, n int) []*pgx.Conn {
	conns := make([]*pgx.Conn, n)
	for i := range conns {
		conn, err := pgx.Connect(b.Context(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { conn.Close(context.Background()) })
		conns[i] = conn
	}
	return conns
}

// bfVacuum readies a target for the next path: the deleted rows of the
// last path to write it reclaimed and its dirty pages written, so that
// the next path pays for neither.
func bfVacuum(b *testing.B, conn *pgx.Conn, table string) {
	for _, sql := range []string{"VACUUM " + table, "CHECKPOINT"} {
		if _, err := conn.Exec(b.Context(), sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
}

// bfSequential is the baseline: each partition's DELETE and INSERT …
// SELECT in a transaction, one partition after another.
func bfSequential(b *testing.B, conn *pgx.Conn, table string, days int) time.Duration {
	start := time.Now()
	if err := bfRewriteDays(b.Context(), conn, table, 0, days); err != nil {
		b.Fatalf("sequential loop: %v", err)
	}
	return time.Since(start)
}

// bfParallel runs the baseline's statements from all connections at
// once, each over its share of the year.
func bfParallel(b *testing.B, conns []*pgx.Conn, table string) time.Duration {
	return bfShares(b, len(conns), func(k, from, to int) error {
		return bfRewriteDays(b.Context(), conns[k], table, from, to)
	})
}

// bfShares splits the year into n consecutive shares, runs rewrite on
// each at once, and times them all.
func bfShares(b *testing.B, n int, rewrite func(k, from, to int) error) time.Duration {
	share := (bfDays + n - 1) / n
	start := time.Now()
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			if err := rewrite(k, k*share, min(bfDays, (k+1)*share)); err != nil {
				b.Errorf("share %d of %d: %v", k+1, n, err)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// bfRewriteDays rewrites days [from, to) of the year on conn, each in a
// transaction of DELETE and INSERT … SELECT.
func bfRewriteDays(ctx context.Context, conn *pgx.Conn, table string, from, to int) error {
	first, _ := time.Parse(time.DateOnly, bfFirst)
	ident := pgx.Identifier{"bench", table[len("bench."):]}.Sanitize()
	for d := from; d < to; d++ {
		lo, hi := first.AddDate(0, 0, d), first.AddDate(0, 0, d+1)
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "DELETE FROM "+ident+" WHERE day >= $1 AND day < $2", lo, hi); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+ident+" SELECT day, id, customer, amount FROM bench.source WHERE day >= $1 AND day < $2", lo, hi)
			return err
		})
		if err != nil {
			return fmt.Errorf("day %d: %w", d, err)
		}
	}
	return nil
}

func bfAdapter(b *testing.B, dsn string) *postgres.Warehouse {
	w, err := postgres.Open(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	return w
}

// bfAdapterLoop rewrites each partition through the adapter, ledger
// included, in n concurrent loops over consecutive shares of the year:
// dre's SQL without Temporal.
func bfAdapterLoop(b *testing.B, w *postgres.Warehouse, run, table string, n int) time.Duration {
	first, _ := time.Parse(time.DateOnly, bfFirst)
	ref, err := warehouse.ParseTableRef(table)
	if err != nil {
		b.Fatal(err)
	}
	return bfShares(b, n, func(_, from, to int) error {
		for d := from; d < to; d++ {
			p := warehouse.Partition{Column: "day", Start: first.AddDate(0, 0, d), End: first.AddDate(0, 0, d+1)}
			if _, err := w.RewritePartition(b.Context(), warehouse.Rewrite{Table: ref, Partition: p, Select: bfSelect, RunID: run}); err != nil {
				return fmt.Errorf("adapter, day %d: %w", d, err)
			}
		}
		return nil
	})
}

// bfBackfill runs the Backfill workflow over days partitions and waits
// for its report, which must show every partition written.
func bfBackfill(b *testing.B, name, table, sel string, concurrency, days int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	in := workflows.BackfillInput{
		// The dataset's own source, not a --select, which would wait for
		// an approval (it has no select role).
		Dataset: catalog.Dataset{Name: "bench-" + name, Warehouse: "bench", Table: table,
			Partition: &catalog.Partition{Column: "day", Granularity: catalog.Day}, Source: &catalog.Source{Select: sel}},
		From: first, To: first.AddDate(0, 0, days), Concurrency: concurrency,
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
	for _, table := range bfTargets {
		if n, h := sum(table); n != wantN || h != wantH {
			b.Errorf("%s: %d rows (checksum %s), want the source's %d (checksum %s)", table, n, h, wantN, wantH)
		}
	}
}

// bfCPUSpeedup is how much more work all of the machine's CPUs do at once
// than one does alone (2.0 on two real cores, less on hyperthreads or a
// busy host). The sequential baseline keeps PostgreSQL busy on about one
// CPU, so no concurrency can bring a rewrite below 1/bfCPUSpeedup of it.
func bfCPUSpeedup() float64 {
	spin := func(n int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				x := uint64(1)
				for i := range uint64(300_000_000) {
					x ^= x<<13 ^ i
				}
				bfSink.Add(x)
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	one, all := spin(1), spin(runtime.NumCPU())
	return float64(runtime.NumCPU()) * one.Seconds() / all.Seconds()
}

// bfSink keeps the spin loops from being optimised away.
var bfSink atomic.Uint64
