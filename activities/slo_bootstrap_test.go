package activities_test

import (
	"context"
	"fmt"
	"math"
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

// gappedOrders is a demo table with a known gap: 20 rows a day from
// 2026-10-20 to 2026-11-07, each day loaded at 02:00 the next morning,
// except the partitions of 3 and 4 November, which never arrived; half of
// 6 November's customer_id are null.
const gappedOrders = `
CREATE TABLE public.demo_orders (order_date date NOT NULL, loaded_at timestamptz NOT NULL, customer_id bigint);
INSERT INTO public.demo_orders
SELECT d::date, d + interval '1 day 2 hours', CASE WHEN d = '2026-11-06' AND i <= 10 THEN NULL ELSE i END
FROM generate_series(timestamptz '2026-10-20 00:00+00', timestamptz '2026-11-07 00:00+00', interval '1 day') AS d,
	generate_series(1, 20) AS i
WHERE d::date NOT IN ('2026-11-03', '2026-11-04');`

func TestBootstrapSLOHistoryStartsTheBudgetFromTheWindow(t *testing.T) {
	cluster := localpgtest.Start(t)
	dsn := localpgtest.NewDatabase(t, cluster)
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), "SET TIME ZONE 'UTC';"+gappedOrders); err != nil {
		t.Fatal(err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) }})
	t.Cleanup(reg.Close)
	store := slostore.New(localpgtest.NewDatabase(t, cluster))
	t.Cleanup(store.Close)
	s := &activities.SLOs{Warehouses: reg, Store: store}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(s)

	week, hour := catalog.Duration{Duration: 7 * 24 * time.Hour}, catalog.Duration{Duration: time.Hour}
	ds := catalog.Dataset{Name: "demo_orders", Warehouse: "local", Table: "public.demo_orders", FreshnessColumn: "loaded_at",
		Partition: &catalog.Partition{Column: "order_date", Granularity: catalog.Day}, SLOs: []catalog.SLO{
			{Name: "fresh", Kind: catalog.Freshness, Threshold: catalog.Duration{Duration: 26 * time.Hour}, Objective: 0.7, Window: week, Interval: hour},
			{Name: "volume", Kind: catalog.Volume, MinRows: 10, Objective: 0.7, Window: week, Interval: hour},
			{Name: "complete", Kind: catalog.Completeness, Column: "customer_id", MaxNullRate: 0.1, Objective: 0.7, Window: week, Interval: hour},
			{Name: "custom", Kind: catalog.Custom, SQL: "SELECT 1, 1", Objective: 0.7, Window: week, Interval: hour},
		}}
	until := time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
	// A live reading already taken in the gap is kept, not overwritten.
	live := time.Date(2026, 11, 4, 10, 0, 0, 0, time.UTC)
	if err := store.Record(t.Context(), ds.Name, "fresh", slo.Observation{At: live, Good: 1, Total: 1}, "live"); err != nil {
		t.Fatal(err)
	}
	bootstrap := func() []activities.SLOHistory {
		t.Helper()
		val, err := env.ExecuteActivity(s.BootstrapSLOHistory, activities.BootstrapSLOHistoryInput{Dataset: ds, Until: until})
		if err != nil {
			t.Fatal(err)
		}
		var h []activities.SLOHistory
		if err := val.Get(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	// By hand, over the 167 past hourly slots from 1 Nov 01:00 to 7 Nov 23:00:
	// fresh: the 3 Nov 02:00 load is over 26h old from 4 Nov 05:00 until the
	// 6 Nov 02:00 load, 45 slots (one of them already read live, good);
	// volume: 3 and 4 Nov are empty, read on 4 and 5 Nov, 48 slots;
	// complete: those 48, and 6 Nov, 50% null, read on 7 Nov, 24 more.
	want := map[string]struct {
		bad    int
		stored int64
		badNow int
	}{"fresh": {45, 166, 44}, "volume": {48, 167, 48}, "complete": {72, 167, 72}}
	got := bootstrap()
	if len(got) != 4 || got[3].Skipped == "" || got[3].Stored != 0 {
		t.Fatalf("bootstrap = %+v; want four SLOs, custom skipped with a reason", got)
	}
	for _, h := range got[:3] {
		w := want[h.SLO]
		if h.Slots != 167 || h.Bad != w.bad || h.Stored != w.stored {
			t.Errorf("%s: %+v; want 167 slots, %d bad, %d stored", h.SLO, h, w.bad, w.stored)
		}
	}
	fresh, err := store.Since(t.Context(), ds.Name, "fresh", until.Add(-8*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	reconstructed := 0
	for _, o := range fresh {
		if o.Reconstructed {
			reconstructed++
		}
		if o.At.Equal(live) && (o.Reconstructed || o.Good != 1) {
			t.Errorf("the live reading of %s was replaced: %+v", live, o)
		}
	}
	if len(fresh) != 167 || reconstructed != 166 {
		t.Errorf("fresh holds %d readings, %d reconstructed; want 167, 166", len(fresh), reconstructed)
	}
	for _, h := range bootstrap() {
		if h.Stored != 0 {
			t.Errorf("a second bootstrap stored %d readings of %s; want none (slots already hold one)", h.Stored, h.SLO)
		}
	}
	// The first live evaluation, good, starts from the reconstructed window:
	// budget left = 1 - (bad/168) / (1 - 0.7).
	for _, o := range ds.SLOs[:3] {
		obj := slo.Objective{Target: o.Objective, Window: o.Window.Duration, Interval: o.Interval.Duration}
		in := activities.RecordSLOInput{Dataset: ds.Name, SLO: o.Name, Objective: obj, Rules: slo.ScaleRules(slo.WorkbookRules, time.Hour),
			Obs: slo.Observation{At: until, Good: 1, Total: 1}}
		val, err := env.ExecuteActivity(s.RecordSLO, in)
		if err != nil {
			t.Fatal(err)
		}
		var ev slo.Evaluation
		if err := val.Get(&ev); err != nil {
			t.Fatal(err)
		}
		byHand := 1 - (float64(want[o.Name].badNow)/168)/0.3
		if ev.Total != 168 || math.Abs(ev.BudgetLeft-byHand) > 1e-12 {
			t.Errorf("%s: first live evaluation counts %d readings, budget left %v; want 168 and %v", o.Name, ev.Total, ev.BudgetLeft, byHand)
		}
	}
}

// TestBootstrapSLOHistoryReadsRatioSLOsIntervalByInterval: a ratio SLO's
// good and total run once per past hour of the week, bound to it. By hand:
// loads land at 02:00, so only the slots of 03:00 count rows, on the five
// days whose partition arrived (1, 2, 3, 6 and 7 November); 7 November
// loads 6 November, half of whose customer_id are null.
func TestBootstrapSLOHistoryReadsRatioSLOsIntervalByInterval(t *testing.T) {
	cluster := localpgtest.Start(t)
	dsn := localpgtest.NewDatabase(t, cluster)
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(t.Context(), "SET TIME ZONE 'UTC';"+gappedOrders); err != nil {
		t.Fatal(err)
	}
	reg := warehouse.NewRegistry(map[string]warehouse.Opener{"local": func(ctx context.Context) (warehouse.Conn, error) { return postgres.Open(ctx, dsn) }})
	t.Cleanup(reg.Close)
	store := slostore.New(localpgtest.NewDatabase(t, cluster))
	t.Cleanup(store.Close)
	s := &activities.SLOs{Warehouses: reg, Store: store}
	paid := catalog.SLO{Name: "known-customer", Kind: catalog.Ratio, Objective: 0.9,
		Window: catalog.Duration{Duration: 7 * 24 * time.Hour}, Interval: catalog.Duration{Duration: time.Hour},
		Good:  "SELECT count(*) FROM public.demo_orders WHERE customer_id IS NOT NULL AND loaded_at >= {{ .From }} AND loaded_at < {{ .To }}",
		Total: "SELECT count(*) FROM public.demo_orders WHERE loaded_at >= {{ .From }} AND loaded_at < {{ .To }}"}
	ds := catalog.Dataset{Name: "demo_orders", Warehouse: "local", Table: "public.demo_orders", SLOs: []catalog.SLO{paid}}
	until := time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
	got, err := s.BootstrapSLOHistory(t.Context(), activities.BootstrapSLOHistoryInput{Dataset: ds, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Skipped != "" || got[0].Slots != 167 || got[0].Queries != 2*167 || got[0].Stored != 5 || got[0].Bad != 1 {
		t.Fatalf("bootstrap = %+v; want 167 slots read with two queries each, 5 readings stored, 1 bad", got)
	}
	obs, err := store.Since(t.Context(), ds.Name, paid.Name, until.Add(-8*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var days []string
	for _, o := range obs {
		days = append(days, fmt.Sprintf("%s %d/%d", o.At.Format("01-02T15"), o.Good, o.Total))
		if !o.Reconstructed {
			t.Errorf("reading %+v is not marked reconstructed", o)
		}
	}
	want := "[11-01T03 20/20 11-02T03 20/20 11-03T03 20/20 11-06T03 20/20 11-07T03 10/20]"
	if fmt.Sprint(days) != want {
		t.Errorf("readings %v; want %s", days, want)
	}
}
