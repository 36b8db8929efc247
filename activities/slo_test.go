package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/testsuite"

	"github.com/dre-dev/dre/activities"
	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/slo/slostore"
	"github.com/dre-dev/dre/internal/warehouse"
	"github.com/dre-dev/dre/internal/warehouse/postgres"
)

// sloEnv is staleOrders in a warehouse plus a state database.
type sloEnv struct {
	s     *activities.SLOs
	store *slostore.Store
}

func newSLOEnv(t *testing.T) sloEnv {
	cluster := localpgtest.Start(t)
	dsn := localpgtest.NewDatabase(t, cluster)
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), staleOrders); err != nil {
		t.Fatal(err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{
		"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) },
	})
	t.Cleanup(reg.Close)
	store := slostore.New(localpgtest.NewDatabase(t, cluster))
	t.Cleanup(store.Close)
	return sloEnv{s: &activities.SLOs{Warehouses: reg, Store: store}, store: store}
}

// measure runs MeasureSLI on public.orders with one SLO.
func (e sloEnv) measure(t *testing.T, o catalog.SLO) (activities.Measurement, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(e.s)
	ds := catalog.Dataset{Name: "orders", Warehouse: "local", Table: "public.orders", FreshnessColumn: "loaded_at",
		Partition: &catalog.Partition{Column: "order_date", Granularity: catalog.Day}, SLOs: []catalog.SLO{o}}
	val, err := env.ExecuteActivity(e.s.MeasureSLI, activities.MeasureSLIInput{Dataset: ds, SLO: o, At: time.Now().UTC()})
	if err != nil {
		return activities.Measurement{}, err
	}
	var m activities.Measurement
	return m, val.Get(&m)
}

func TestMeasureSLIJudgesEachKind(t *testing.T) {
	e := newSLOEnv(t)
	tests := []struct {
		slo      catalog.SLO
		good     int64
		total    int64
		inDetail string
	}{
		{catalog.SLO{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 26 * time.Hour}}, 0, 1, "threshold 26h"},
		{catalog.SLO{Name: "fresh-loose", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 96 * time.Hour}}, 1, 1, "old"},
		{catalog.SLO{Name: "volume", Kind: catalog.Volume, MinRows: 50}, 0, 1, "6 rows, below min_rows 50"},
		{catalog.SLO{Name: "complete", Kind: catalog.Completeness, Column: "customer_id", MaxNullRate: 0.02}, 0, 1, "customer_id is 33.33% null"},
		{catalog.SLO{Name: "custom", Kind: catalog.Custom, SQL: "SELECT count(*) FILTER (WHERE customer_id IS NOT NULL), count(*) FROM public.orders WHERE loaded_at < @to"}, 2704, 2706, "2704 of 2706 good"},
	}
	for _, tt := range tests {
		m, err := e.measure(t, tt.slo)
		if err != nil || m.Good != tt.good || m.Total != tt.total || !strings.Contains(m.Detail, tt.inDetail) {
			t.Errorf("%s: MeasureSLI = %+v, %v; want %d of %d with %q", tt.slo.Name, m, err, tt.good, tt.total, tt.inDetail)
		}
	}
	if _, err := e.measure(t, catalog.SLO{Name: "bad-sql", Kind: catalog.Custom, SQL: "SELECT 5, 4"}); err == nil || !strings.Contains(err.Error(), "0 <= good <= total") {
		t.Errorf("custom SQL returning good > total: err %v, want a non-retryable explanation", err)
	}
}

func TestMeasureVolumeBaselineIgnoresIncidents(t *testing.T) {
	e := newSLOEnv(t)
	o := catalog.SLO{Name: "volume", Kind: catalog.Volume, MinRows: 1}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range slo.BaselineMinPoints {
		obs := slo.Observation{At: t0.Add(time.Duration(i) * time.Hour), Good: 1, Total: 1, Value: 100, Incident: true}
		if err := e.store.Record(t.Context(), "orders", "volume", obs, ""); err != nil {
			t.Fatal(err)
		}
	}
	// Only incident readings so far: no baseline, and 6 rows pass min_rows 1.
	if m, err := e.measure(t, o); err != nil || m.Good != 1 {
		t.Fatalf("with only incident history: %+v, %v; want good (no baseline)", m, err)
	}
	for i := range slo.BaselineMinPoints {
		obs := slo.Observation{At: t0.Add(time.Duration(100+i) * time.Hour), Good: 1, Total: 1, Value: 100}
		if err := e.store.Record(t.Context(), "orders", "volume", obs, ""); err != nil {
			t.Fatal(err)
		}
	}
	if m, err := e.measure(t, o); err != nil || m.Good != 0 || !strings.Contains(m.Detail, "baseline median 100") {
		t.Errorf("with a healthy baseline of 100: %+v, %v; want 6 rows judged bad against it", m, err)
	}
}

func TestMeasureRatioBindsTheInterval(t *testing.T) {
	e := newSLOEnv(t)
	ratio := func(interval time.Duration) catalog.SLO {
		return catalog.SLO{Name: "paid", Kind: catalog.Ratio, Interval: catalog.Duration{Duration: interval},
			Good:  "SELECT count(*) FROM public.orders WHERE customer_id IS NOT NULL AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}",
			Total: "SELECT sum(1) FROM public.orders WHERE loaded_at >= {{.From}} AND loaded_at < {{.To}}"}
	}
	m, err := e.measure(t, ratio(4*24*time.Hour))
	if err != nil || m.Good != 2704 || m.Total != 2706 || !strings.Contains(m.Detail, "2704 of 2706 good") {
		t.Errorf("ratio over 4 days = %+v, %v; want 2704 of 2706", m, err)
	}
	m, err = e.measure(t, ratio(time.Hour))
	if err != nil || m.Good != 0 || m.Total != 0 || !strings.Contains(m.Detail, "no reading: total counted 0 events") {
		t.Errorf("ratio over the last hour (no rows) = %+v, %v; want no reading", m, err)
	}
	inverted := ratio(4 * 24 * time.Hour)
	inverted.Good, inverted.Total = inverted.Total, inverted.Good
	if _, err := e.measure(t, inverted); err == nil || !strings.Contains(err.Error(), "good (2706) is more than total (2704)") {
		t.Errorf("ratio with good > total: err %v, want a non-retryable explanation", err)
	}
	twoColumns := ratio(time.Hour)
	twoColumns.Total = "SELECT 1, 2"
	if _, err := e.measure(t, twoColumns); err == nil || !strings.Contains(err.Error(), "total must return one row of one non-negative number") {
		t.Errorf("ratio total of two columns: err %v, want an explanation", err)
	}
}
