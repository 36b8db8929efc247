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

// cbLevels are the cascade's three daily tables: l1 copies bench.source,
// l2 is computed from l1 and l3 from l2, 2,000 rows a day each.
var cbLevels = []struct{ name, table, from, expr string }{
	{"cb1", "bench.l1", "bench.source", "amount"},
	{"cb2", "bench.l2", "bench.l1", "amount * 2"},
	{"cb3", "bench.l3", "bench.l2", "amount + 1"},
}

// cbSelect is level i's rewrite of one day, bounds as the SQL path binds them.
func cbSelect(i int, from, to string) string {
	l := cbLevels[i]
	return fmt.Sprintf("SELECT day, id, customer, %s FROM %s WHERE day >= %s AND day < %s", l.expr, l.from, from, to)
}

// cbCatalog declares the three levels with their upstream: entries.
func cbCatalog() *catalog.Catalog {
	var ds []catalog.Dataset
	for i, l := range cbLevels {
		d := catalog.Dataset{Name: l.name, Warehouse: "bench", Table: l.table,
			Partition: &catalog.Partition{Column: "day", Granularity: catalog.Day},
			Source:    &catalog.Source{Select: cbSelect(i, "{{ .From }}", "{{ .To }}")}}
		if i > 0 {
			d.Upstream = []string{cbLevels[i-1].name}
		}
		ds = append(ds, d)
	}
	return catalog.New(ds)
}

// BenchmarkBackfillCascade rewrites a year of daily partitions through a
// three-level chain (l1 ← source, l2 ← l1, l3 ← l2) in three ways:
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
	var sql, cascade, levels time.Duration
	for i := 0; b.Loop(); i++ {
		cbVacuum(b, conn)
		sql += cbSQL(b, conn)
		cbVacuum(b, conn)
		cascade += cbCascade(b, i)
		cbVacuum(b, conn)
		levels += cbLevelByLevel(b, i)
	}
	cbCheck(b, conn)
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
	for _, l := range cbLevels {
		sqls = append(sqls, bfTargetSetup(l.table))
	}
	for _, sql := range append(sqls, "VACUUM ANALYZE") {
		if _, err := conn.Exec(b.Context(), sql); err != nil {
			b.Fatalf("setup: %v", err)
		}
	}
	return conn
}

func cbVacuum(b *testing.B, conn *pgx.Conn) {
	for _, l := range cbLevels {
		bfVacuum(b, conn, l.table)
	}
}

// cbSQL is the baseline: every level's days in dependency order.
func cbSQL(b *testing.B, conn *pgx.Conn) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	start := time.Now()
	for i, l := range cbLevels {
		insert := "INSERT INTO " + l.table + " " + cbSelect(i, "$1", "$2")
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

// cbCascade runs the cascade from l1 over the year.
func cbCascade(b *testing.B, i int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	in := workflows.BackfillCascadeInput{Dataset: cbLevels[0].name, From: first, To: first.AddDate(0, 0, bfDays), Concurrency: 1}
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
func cbLevelByLevel(b *testing.B, i int) time.Duration {
	ctx := b.Context()
	first, _ := time.Parse(time.DateOnly, bfFirst)
	cat := cbCatalog()
	start := time.Now()
	for _, l := range cbLevels {
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
func cbCheck(b *testing.B, conn *pgx.Conn) {
	var differ int64
	err := conn.QueryRow(b.Context(), `SELECT count(*) FROM (
		(SELECT day, id, customer, amount * 2 + 1 FROM bench.source EXCEPT ALL SELECT * FROM bench.l3)
		UNION ALL (SELECT * FROM bench.l3 EXCEPT ALL SELECT day, id, customer, amount * 2 + 1 FROM bench.source)) AS d`).Scan(&differ)
	if err != nil || differ != 0 {
		b.Fatalf("bench.l3 differs from the source in %d rows (%v)", differ, err)
	}
}
