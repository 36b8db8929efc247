package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/lineage"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/warehouse"
)

// lineageGraph is the declared lineage of the worker's catalog, built on
// first use; nil without a catalog.
func (s *SLOs) lineageGraph() *lineage.Graph {
	s.graphOnce.Do(func() {
		if s.Catalog != nil {
			// dre.yaml with a cycle does not load, so the error is always nil.
			s.graph, _ = lineage.Build(s.Catalog.Datasets())
		}
	})
	return s.graph
}

// lateUpstreams explains a freshness breach by the dataset's direct
// upstream datasets that are late themselves: "late because
// public.raw_orders is 3h late". Only upstreams that say how fresh they
// are (a freshness_column) are read; each is late past its own tightest
// freshness threshold, or else past the breached SLO's threshold, since a
// table cannot be fresher than what it is computed from. An upstream that
// cannot be read is left out: the explanation is a hint, and the breach
// is reported either way. "" when no upstream is late.
func (s *SLOs) lateUpstreams(ctx context.Context, ds catalog.Dataset, threshold time.Duration) string {
	g := s.lineageGraph()
	if g == nil {
		return ""
	}
	var late []string
	for _, name := range g.Upstream(ds.Name) {
		up, ok := g.Dataset(name)
		if !ok || up.FreshnessColumn == "" {
			continue
		}
		if by, ok := s.upstreamDelay(ctx, up, freshnessThreshold(up, threshold)); ok {
			late = append(late, fmt.Sprintf("%s is %s late", up.Table, roughDuration(by)))
		}
	}
	if len(late) == 0 {
		return ""
	}
	return "late because " + strings.Join(late, " and ")
}

// freshnessThreshold is the tightest freshness SLO threshold of d, or
// fallback when d has none.
func freshnessThreshold(d catalog.Dataset, fallback time.Duration) time.Duration {
	tightest := time.Duration(0)
	for _, o := range d.SLOs {
		if o.Kind == catalog.Freshness && o.Threshold.Duration > 0 && (tightest == 0 || o.Threshold.Duration < tightest) {
			tightest = o.Threshold.Duration
		}
	}
	if tightest == 0 {
		return fallback
	}
	return tightest
}

// upstreamDelay reads how far up's newest row is past threshold; ok is
// false when it is not late or cannot be read.
func (s *SLOs) upstreamDelay(ctx context.Context, up catalog.Dataset, threshold time.Duration) (time.Duration, bool) {
	d := &Diagnosis{Warehouses: s.Warehouses}
	t, err := d.open(ctx, DiagnoseInput{Warehouse: up.Warehouse, Table: up.Table}, up.FreshnessColumn)
	if err != nil {
		return 0, false
	}
	res, nf, err := t.query(ctx, warehouse.Query{SQL: fmt.Sprintf("SELECT MAX(%s) FROM %s", t.quote(up.FreshnessColumn), t.table())})
	if err != nil || nf != nil {
		return 0, false
	}
	latest, ok := asTime(cell(res, 0, 0))
	if !ok {
		return 0, false
	}
	by := time.Since(latest) - threshold
	return by, by > 0
}

// roughDuration prints a delay as people say it: whole hours from an
// hour up, else whole minutes (at least 1m).
func roughDuration(d time.Duration) string {
	if d >= time.Hour {
		return slo.WindowLabel(d.Round(time.Hour))
	}
	return slo.WindowLabel(max(d.Round(time.Minute), time.Minute))
}
