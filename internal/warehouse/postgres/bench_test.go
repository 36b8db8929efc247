package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// A year of daily partitions of 2,000 rows: a typical backfill.
const (
	benchDays        = 365
	benchRowsPerDay  = 2000
	benchFirstDayStr = "2025-01-01"
)

// benchSetup fills bench.source with a year of rows and creates two
// identical targets, t0 and t1. On each day one path rewrites t0 and the
// other t1, swapping daily, so that neither path always meets the same
// table's bloat and autovacuum.
const benchSetup = `
CREATE SCHEMA bench;
CREATE TABLE bench.source (day date NOT NULL, id bigint NOT NULL, customer text, amount double precision);
INSERT INTO bench.source
	SELECT date '` + benchFirstDayStr + `' + g / 2000, g, 'customer ' || g % 97, (g % 1000) * 0.25
	FROM generate_series(0, 365 * 2000 - 1) AS g;
CREATE INDEX ON bench.source (day);
CREATE TABLE bench.t0 (LIKE bench.source);
CREATE TABLE bench.t1 (LIKE bench.source);
INSERT INTO bench.t0 SELECT * FROM bench.source;
INSERT INTO bench.t1 SELECT * FROM bench.source;
CREATE INDEX ON bench.t0 (day);
CREATE INDEX ON bench.t1 (day);`

// BenchmarkRewritePartitions rewrites a year of daily partitions through
// the adapter and, partition by partition in alternating order, with the
// same statements on one raw pgx connection. x-raw is the adapter's time
// over raw pgx's: the cost of the pool, parameter binding and checks.
//
//	go test -run '^$' -bench Rewrite -benchtime 1x ./internal/warehouse/postgres/
func BenchmarkRewritePartitions(b *testing.B) {
	ctx := b.Context()
	dsn := localpgtest.NewDatabase(b, cluster)
	benchLoad(b, dsn)
	w, raw := benchConnect(b, dsn)
	first, _ := time.Parse(time.DateOnly, benchFirstDayStr)
	// Warm up both paths. On January 1 the adapter goes first and
	// creates dre_meta, which raw pgx then uses.
	if err := benchBoth(ctx, w, raw, "warmup", first, nil); err != nil {
		b.Fatal(err)
	}
	var adapter, direct time.Duration
	b.ResetTimer()
	for i := range b.N {
		for d := range benchDays {
			start := first.AddDate(0, 0, d)
			times := [2]time.Duration{}
			run := fmt.Sprintf("bench-%d", i)
			if err := benchBoth(ctx, w, raw, run, start, &times); err != nil {
				b.Fatal(err)
			}
			adapter, direct = adapter+times[0], direct+times[1]
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(adapter)/float64(direct), "x-raw")
	b.ReportMetric(adapter.Seconds()*1000/float64(benchDays*b.N), "adapter-ms/partition")
	b.ReportMetric(direct.Seconds()*1000/float64(benchDays*b.N), "raw-ms/partition")
}

// benchLoad creates and fills the tables on a connection of its own: a
// backend that has just loaded the tables runs measurably faster on them
// than a fresh one, which would favour whichever path reused it.
func benchLoad(b *testing.B, dsn string) {
	conn, err := pgx.Connect(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	// VACUUM sets the hint bits and visibility maps of the new rows, so the
	// first rewrite of a day does not also pay for that.
	for _, sql := range []string{benchSetup, "VACUUM ANALYZE bench.source, bench.t0, bench.t1"} {
		if _, err := conn.Exec(b.Context(), sql); err != nil {
			b.Fatalf("setup: %v", err)
		}
	}
}

func benchConnect(b *testing.B, dsn string) (*postgres.Warehouse, *pgx.Conn) {
	w, err := postgres.Open(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(w.Close)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	// The settings Open pins, so both sides print rows, and so checksum
	// them, alike.
	for k, v := range map[string]string{"TimeZone": "UTC", "DateStyle": "ISO, YMD", "extra_float_digits": "1"} {
		cfg.RuntimeParams[k] = v
	}
	raw, err := pgx.ConnectConfig(b.Context(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close(context.Background()) })
	return w, raw
}

// benchBoth rewrites one day through both paths and checks they wrote the
// same rows. Which path goes first, and which table each rewrites, change
// from day to day, independently, so neither path always meets a warm
// cache or the bloated table.
func benchBoth(ctx context.Context, w *postgres.Warehouse, raw *pgx.Conn, run string, day time.Time, times *[2]time.Duration) error {
	yd := day.YearDay()
	tables := [2]string{"t0", "t1"}
	if yd%2 == 1 {
		tables = [2]string{"t1", "t0"}
	}
	r := warehouse.Rewrite{
		Table:     warehouse.TableRef{Schema: "bench", Table: tables[0]},
		Partition: warehouse.Partition{Column: "day", Start: day, End: day.AddDate(0, 0, 1)},
		Select:    "SELECT day, id, customer, amount FROM bench.source WHERE day >= @from AND day < @to",
		RunID:     run,
		Checksum:  true,
	}
	var viaAdapter, viaRaw warehouse.RewriteResult
	var errA, errR error
	steps := []func(){
		func() { viaAdapter, errA = w.RewritePartition(ctx, r) },
		func() { viaRaw, errR = rawRewrite(ctx, raw, run, tables[1], r.Partition) },
	}
	order := []int{0, 1}
	if (yd/2)%2 == 1 {
		order = []int{1, 0}
	}
	for _, i := range order {
		start := time.Now()
		steps[i]()
		if times != nil {
			times[i] = time.Since(start)
		}
	}
	if err := errors.Join(errA, errR); err != nil {
		return err
	}
	if viaAdapter.Rows != benchRowsPerDay || viaAdapter.Checksum != viaRaw.Checksum || viaAdapter.Rows != viaRaw.Rows {
		return fmt.Errorf("day %s: adapter wrote %+v, raw pgx %+v", day.Format(time.DateOnly), viaAdapter, viaRaw)
	}
	return nil
}
