package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/people"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
	"github.com/dre-dev/dre/internal/worker"
	"github.com/dre-dev/dre/workflows"
)

// cbLevel is one table of a chain: computed from the table before it
// (the first from bench.source), 2,000 rows a day.
type cbLevel struct{ name, table, from, expr string }

// cbVariant is a chain of three levels and what each partition's SELECT
// adds: nothing (the warehouse's CPU is the bound) or a sleep and a
// filter (a remote warehouse's latency is the bound). The sleep is a
// materialized CTE so that it runs once per query, not once per row.
type cbVariant struct {
	levels       []cbLevel
	with, filter string
}

var (
	cbCPU = cbVariant{levels: []cbLevel{
		{"cb1", "bench.l1", "bench.source", "amount"},
		{"cb2", "bench.l2", "bench.l1", "amount * 2"},
		{"cb3", "bench.l3", "bench.l2", "amount + 1"},
	}}
	// cbLatency's partitions hold 20 rows and wait 20 ms each.
	cbLatency = cbVariant{levels: []cbLevel{
		{"cs1", "bench.s1", "bench.source", "amount"},
		{"cs2", "bench.s2", "bench.s1", "amount * 2"},
		{"cs3", "bench.s3", "bench.s2", "amount + 1"},
	}, with: "WITH pause AS MATERIALIZED (SELECT pg_sleep(0.02)) ", filter: " AND id % 100 = 0"}
)

// selectOf is level i's rewrite of one day, bounds as the SQL path binds them.
func (v cbVariant) selectOf(i int, from, to string) string {
	l := v.levels[i]
	pause := ""
	if v.with != "" {
		pause = ", pause"
	}
	return fmt.Sprintf("%sSELECT day, id, customer, %s FROM %s%s WHERE day >= %s AND day < %s%s", v.with, l.expr, l.from, pause, from, to, v.filter)
}

// cbCatalog declares both chains with their upstream: entries.
func cbCatalog() *catalog.Catalog {
	var ds []catalog.Dataset
	for _, v := range []cbVariant{cbCPU, cbLatency} {
		for i, l := range v.levels {
			d := catalog.Dataset{Name: l.name, Warehouse: "bench", Table: l.table,
				Partition: &catalog.Partition{Column: "day", Granularity: catalog.Day},
				Source:    &catalog.Source{Select: v.selectOf(i, "{{ .From }}", "{{ .To }}")}}
			if i > 0 {
				d.Upstream = []string{v.levels[i-1].name}
			}
			ds = append(ds, d)
		}
	}
	return catalog.New(ds)
}

// BenchmarkBackfillCascade rewrites a year of daily partitions through a
// three-level chain (l1 ← source, l2 ← l1, l3 ← l2) in three ways, on
// local PostgreSQL (cpu-bound) and with each partition waiting 20 ms for
// 20 rows (latency-bound, as a remote warehouse):
//
//   - sql: the same rewrites as plain DELETE + INSERT … SELECT
//     transactions on one connection, level after level: the sum of the
//     rewrites in dependency order;
//   - cascade: dre backfill --cascade, each dataset at concurrency 1, a
//     downstream day starting as soon as its upstream day is written
//     (target ≤ 1.3× sql);
//   - levels: the three backfills run one after the other at concurrency
//     1, what the cascade's pipelining is measured against.
//
// Each path is timed once per iteration, after a VACUUM of the tables.
//
//	go test -run '^$' -bench BackfillCascade -benchtime 1x ./tests/bench/
func BenchmarkBackfillCascade(b *testing.B) {
	dsn := localpgtest.NewDatabase(b, env.PG)
	conn := cbLoad(b, dsn)
	registry := warehouse.NewRegistry(map[string]warehouse.Opener{
		"bench": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	b.Cleanup(registry.Close)
	policy := &activities.Policy{Catalog: cbCatalog(), People: people.NewDirectory(nil, nil)}
	env.StartWorker(b, worker.Deps{Warehouses: registry, Policy: policy})
	b.Run("cpu-bound", func(b *testing.B) { cbRun(b, conn, cbCPU) })
	b.Run("latency-bound", func(b *testing.B) { cbRun(b, conn, cbLatency) })
}

// cbRun times the three paths over one chain and reports their ratios.
func cbRun(b *testing.B, conn *pgx.Conn, v cbVariant) {
	var sql, cascade, levels time.Duration
	for i := 0; b.Loop(); i++ {
		cbVacuum(b, conn, v)
		sql += cbSQL(b, conn, v)
		cbVacuum(b, conn, v)
		cascade += cbCascade(b, v)
		cbVacuum(b, conn, v)
		levels += cbLevelByLevel(b, v, i)
	}
	cbCheck(b, conn, v)
	n := float64(b.N)
	b.ReportMetric(sql.Seconds()/n, "sql-s")
	b.ReportMetric(cascade.Seconds()/n, "cascade-s")
	b.ReportMetric(levels.Seconds()/n, "levels-s")
	b.ReportMetric(cascade.Seconds()/sql.Seconds(), "cascade/sql")
	b.ReportMetric(levels.Seconds()/cascade.Seconds(), "pipelining-gain")
}

// cbLoad fills the source and the three levels, and returns a connection.
func cbLoad(b *testing.B, dsn string) *pgx.Conn {
	conn := bfConnect(b, dsn, 1)[0]
	sqls := []string{bfSetup}
	for _, l := range cbCPU.levels {
		sqls = append(sqls, bfTargetSetup(l.table))
	}
	for _, l := range cbLatency.levels {
		// Only the rows the chain keeps, so that no path deletes more.
		sqls = append(sqls, fmt.Sprintf(`CREATE TABLE %[1]s (LIKE bench.source) WITH (autovacuum_enabled = off);
INSERT INTO %[1]s SELECT * FROM bench.source WHERE true%[2]s; CREATE INDEX ON %[1]s (day);`, l.table, cbLatency.filter))
	}
	for _, sql := range append(sqls, "VACUUM ANALYZE") {
		if _, err := conn.Exec(b.Context(), sql); err != nil {
			b.Fatalf("setup: %v", err)
		}
	}
	return conn
}

func cbVacuum(b *testing.B, conn *pgx.Conn, v cbVariant) {
	for _, l := range v.levels {
		bfVacuum(b, conn, l.table)
	}
}

// cbSQL is the baseline: every level's days in dependency order.
func cbSQL(b *testing.B, conn *pgx.Conn, v cbVariant) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	start := time.Now()
	for i, l := range v.levels {
		insert := "INSERT INTO " + l.table + " " + v.selectOf(i, "$1", "$2")
		for d := range bfDays {
			lo, hi := first.AddDate(0, 0, d), first.AddDate(0, 0, d+1)
			err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "DELETE FROM "+l.table+" WHERE day >= $1 AND day < $2", lo, hi); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, insert, lo, hi)
				return err
			})
			if err != nil {
				b.Fatalf("sql %s day %d: %v", l.table, d, err)
			}
		}
	}
	return time.Since(start)
}

// cbCascade runs the cascade from the chain's first level over the year.
func cbCascade(b *testing.B, v cbVariant) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	in := workflows.BackfillCascadeInput{Dataset: v.levels[0].name, From: first, To: first.AddDate(0, 0, bfDays), Concurrency: 1}
	opts := workflows.BackfillCascadeStartOptions(env.TaskQueue, in)
	opts.ID = workflows.BackfillCascadeWorkflowID(in.Dataset) // children trust only this ID
	start := time.Now()
	run, err := env.Client.ExecuteWorkflow(ctx, opts, workflows.BackfillCascadeWorkflowName, in)
	var s workflows.BackfillCascadeStatus
	if err == nil {
		err = run.Get(ctx, &s)
	}
	elapsed := time.Since(start)
	if err != nil || s.Status != workflows.BackfillDone {
		b.Fatalf("cascade: %+v, %v; want done", s, err)
	}
	return elapsed
}

// cbLevelByLevel runs each level's backfill after the one before ends.
func cbLevelByLevel(b *testing.B, v cbVariant, i int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	cat := cbCatalog()
	start := time.Now()
	for _, l := range v.levels {
		ds, _ := cat.Lookup(l.name)
		in := workflows.BackfillInput{Dataset: ds, From: first, To: first.AddDate(0, 0, bfDays), Concurrency: 1}
		opts := client.StartWorkflowOptions{ID: fmt.Sprintf("%s-levels-%d", workflows.BackfillWorkflowID(l.name), i), TaskQueue: env.TaskQueue}
		run, err := env.Client.ExecuteWorkflow(ctx, opts, workflows.BackfillWorkflowName, in)
		var report workflows.BackfillReport
		if err == nil {
			err = run.Get(ctx, &report)
		}
		if err != nil || report.Status != workflows.BackfillDone || report.Done != bfDays {
			b.Fatalf("level %s: %+v, %v; want all %d partitions done", l.name, report.BackfillStatus, err, bfDays)
		}
	}
	return time.Since(start)
}

// cbCheck proves the last level holds the source's rows as the chain
// computes them.
func cbCheck(b *testing.B, conn *pgx.Conn, v cbVariant) {
	var differ int64
	last := v.levels[len(v.levels)-1].table
	ref := "SELECT day, id, customer, amount * 2 + 1 FROM bench.source WHERE true" + v.filter
	err := conn.QueryRow(b.Context(), fmt.Sprintf(`SELECT count(*) FROM (
		(%[1]s EXCEPT ALL SELECT * FROM %[2]s) UNION ALL (SELECT * FROM %[2]s EXCEPT ALL %[1]s)) AS d`, ref, last)).Scan(&differ)
	if err != nil || differ != 0 {
		b.Fatalf("%s differs from the source in %d rows (%v)", last, differ, err)
	}
}
