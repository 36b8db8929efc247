package slostore

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/localpg/localpgtest"
	"github.com/dre-dev/dre/internal/slo"
)

// november seeds a known November 2026: orders-fresh read hourly, bad from
// 10:00 to 13:00 on the 5th (an incident opened at 12:30) and at 03:00 on
// the 20th (no incident); orders-volume read daily, bad on the 5th to
// the 7th. Bad readings just outside the month must not count.
func november(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	record := func(name string, at time.Time, good bool) {
		o := slo.Observation{At: at, Good: 0, Total: 1}
		if good {
			o.Good = 1
		}
		if err := s.Record(ctx, "orders", name, o, ""); err != nil {
			t.Fatal(err)
		}
	}
	badHour := func(at time.Time) bool {
		d5 := nov.AddDate(0, 0, 4)
		return (!at.Before(d5.Add(10*time.Hour)) && !at.After(d5.Add(13*time.Hour))) || at.Equal(nov.AddDate(0, 0, 19).Add(3*time.Hour))
	}
	for at := nov; at.Before(nov.AddDate(0, 1, 0)); at = at.Add(time.Hour) {
		record("orders-fresh", at, !badHour(at))
	}
	for day := range 30 {
		record("orders-volume", nov.AddDate(0, 0, day), day < 4 || day > 6)
	}
	record("orders-fresh", nov.Add(-time.Hour), false)
	record("orders-fresh", nov.AddDate(0, 1, 0), false)
	record("orders-volume", nov.AddDate(0, 0, -1), false)
}

func TestSLAReportOverAKnownMonth(t *testing.T) {
	s := New(localpgtest.NewDatabase(t, cluster))
	t.Cleanup(s.Close)
	november(t, s)
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, time.UTC) }
	incidents := []slo.Incident{
		{ID: "triage/orders@run-a", Dataset: "orders", Start: at(5, 12, 30), End: at(5, 15, 0)},
		{ID: "triage/orders@run-b", Dataset: "orders", Start: at(25, 8, 0), End: at(25, 9, 0)}, // no bad reading then
		{ID: "triage/customers@run-c", Dataset: "customers", Start: at(20, 2, 0)},              // another dataset, still open
		{ID: "triage/orders@run-old", Dataset: "orders", Start: at(1, 0, 0).AddDate(0, -1, 0), End: at(1, 0, 0).Add(-2 * time.Hour)},
	}
	d := func(x time.Duration) catalog.Duration { return catalog.Duration{Duration: x} }
	ds := catalog.Dataset{Name: "orders", SLOs: []catalog.SLO{
		{Name: "orders-fresh", Kind: catalog.Freshness, Objective: 0.99, Window: d(28 * 24 * time.Hour), Interval: d(time.Hour)},
		{Name: "orders-volume", Kind: catalog.Volume, Objective: 0.95, Window: d(28 * 24 * time.Hour), Interval: d(24 * time.Hour)},
		{Name: "orders-complete", Kind: catalog.Completeness, Objective: 0.99, Window: d(7 * 24 * time.Hour), Interval: d(time.Hour)},
	}}
	p, err := slo.ParsePeriod("2026-11")
	if err != nil {
		t.Fatal(err)
	}
	got, err := slo.SLAReport(context.Background(), s, []catalog.Dataset{ds}, incidents, p)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		good, total int64
		attainment  float64
		spent       float64
		met         bool
		incidents   []string
		unexplained int
	}{
		// 5 bad of 720 hours: 99.31%; the objective allows 7.2 bad hours.
		{715, 720, 715.0 / 720, 5 / 7.2, true, []string{"triage/orders@run-a"}, 1},
		// 3 bad of 30 days: 90%, twice the 1.5 days allowed. The run of
		// bad days began before run-a opened and is credited to it.
		{27, 30, 0.9, 2, false, []string{"triage/orders@run-a"}, 0},
		{0, 0, 1, 0, true, nil, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Good != w.good || g.Total != w.total || math.Abs(g.Attainment-w.attainment) > 1e-12 || math.Abs(g.BudgetSpent-w.spent) > 1e-12 ||
			g.Met() != w.met || !slices.Equal(g.Incidents, w.incidents) || g.Unexplained != w.unexplained {
			t.Errorf("%s: %+v (met %v); want %+v", g.SLO, g, g.Met(), w)
		}
	}
}
