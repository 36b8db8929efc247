package activities_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/slo/slostore"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// countingConn counts the queries a bootstrap sends to the warehouse.
type countingConn struct {
	warehouse.Conn
	queries *atomic.Int64
}

func (c countingConn) Query(ctx context.Context, q warehouse.Query) (warehouse.QueryResult, error) {
	c.queries.Add(1)
	return c.Conn.Query(ctx, q)
}

// BenchmarkBootstrapSLOHistory reconstructs a 28-day window at a 10-minute
// interval (4,031 slots) for 100 datasets with a freshness and a volume
// SLO each, over tables loaded hourly with 50 rows a day, and reports the
// wall time and warehouse queries of one whole bootstrap. Each op starts
// from an empty state database, so every slot is stored.
func BenchmarkBootstrapSLOHistory(b *testing.B) {
	const datasets = 100
	cluster := localpgtest.Start(b)
	dsn := localpgtest.NewDatabase(b, cluster)
	localpgtest.Exec(b, dsn, `CREATE TABLE public.events (event_date date NOT NULL, loaded_at timestamptz NOT NULL);
INSERT INTO public.events SELECT h::date, h FROM generate_series(timestamptz '2026-10-01 00:00+00', timestamptz '2026-12-01 00:00+00', interval '1 hour') AS h,
	generate_series(1, 2) AS i;`)
	var queries atomic.Int64
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{"local": func(ctx context.Context) (warehouse.Conn, error) {
		c, err := postgres.Open(ctx, dsn)
		return countingConn{Conn: c, queries: &queries}, err
	}})
	b.Cleanup(reg.Close)
	window, interval := catalog.Duration{Duration: 28 * 24 * time.Hour}, catalog.Duration{Duration: 10 * time.Minute}
	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var wall time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store := slostore.New(localpgtest.NewDatabase(b, cluster))
		s := &activities.SLOs{Warehouses: reg, Store: store}
		b.StartTimer()
		start := time.Now()
		for d := range datasets {
			ds := catalog.Dataset{Name: fmt.Sprintf("events_%03d", d), Warehouse: "local", Table: "public.events", FreshnessColumn: "loaded_at",
				Partition: &catalog.Partition{Column: "event_date", Granularity: catalog.Day}, SLOs: []catalog.SLO{
					{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 2 * time.Hour}, Objective: 0.99, Window: window, Interval: interval},
					{Name: "volume", Kind: catalog.Volume, MinRows: 24, Objective: 0.99, Window: window, Interval: interval},
				}}
			h, err := s.BootstrapSLOHistory(context.Background(), activities.BootstrapSLOHistoryInput{Dataset: ds, Until: until})
			if err != nil || h[0].Stored != 4031 || h[1].Stored != 4031 {
				b.Fatalf("bootstrap of %s: %+v, %v; want 4031 readings of each SLO stored", ds.Name, h, err)
			}
		}
		wall += time.Since(start)
		store.Close()
	}
	b.ReportMetric(float64(queries.Load())/float64(b.N), "warehouse-queries/op")
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s/op")
}
