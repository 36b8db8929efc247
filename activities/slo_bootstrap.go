package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/warehouse"
)

// maxLoadTimes bounds the distinct freshness timestamps a bootstrap reads:
// a column stamped per batch has a few per interval; one stamped per row
// can have millions, and needs a coarser freshness_column.
const maxLoadTimes = 200_000

// BootstrapSLOHistoryInput names the dataset whose SLO history to
// reconstruct, over each SLO's window ending at Until.
type BootstrapSLOHistoryInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	Until   time.Time       `json:"until"`
}

// SLOHistory is what the bootstrap did for one SLO: readings stored (slots
// already holding one are kept), bad ones among those computed, or why
// the SLO's past cannot be read from the warehouse.
type SLOHistory struct {
	SLO     string `json:"slo"`
	Slots   int    `json:"slots"`
	Bad     int    `json:"bad"`
	Stored  int64  `json:"stored"`
	Skipped string `json:"skipped,omitempty"`
	Queries int    `json:"queries"`
}

// BootstrapSLOHistory computes every SLO's SLI for each past interval of
// its window from what the warehouse holds now (freshness_column
// timestamps; row counts and null counts per partition) and stores the
// readings marked reconstructed, so the error budget starts from the
// window's history instead of from the first live evaluation. Row counts
// are as the partitions hold them today, so rows that arrived late count
// as if on time. Ratio SLOs run their good and total SQL once per past
// interval (the latest maxRatioSlots). Custom SQL SLOs and unpartitioned
// volume or completeness SLOs have no history to read, and are skipped
// with the reason.
func (s *SLOs) BootstrapSLOHistory(ctx context.Context, in BootstrapSLOHistoryInput) ([]SLOHistory, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	var out []SLOHistory
	for _, o := range in.Dataset.SLOs {
		h, obs, whys, err := s.reconstruct(ctx, in.Dataset, o, in.Until)
		if err != nil {
			return out, err
		}
		if h.Skipped == "" {
			if h.Stored, err = st.RecordReconstructed(ctx, in.Dataset.Name, o.Name, obs, whys); err != nil {
				return out, err
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// reconstruct computes one SLO's readings over its window.
func (s *SLOs) reconstruct(ctx context.Context, ds catalog.Dataset, o catalog.SLO, until time.Time) (SLOHistory, []slo.Observation, []string, error) {
	h := SLOHistory{SLO: o.Name}
	slots := slo.HistorySlots(until, slo.Objective{Target: o.Objective, Window: o.Window.Duration, Interval: o.Interval.Duration})
	h.Slots = len(slots)
	var obs []slo.Observation
	var whys []string
	var err error
	switch {
	case len(slots) == 0:
		h.Skipped = "no past interval in the window"
	case o.Kind == catalog.Freshness:
		obs, whys, h.Queries, err = s.freshnessHistory(ctx, ds, o, slots)
	case (o.Kind == catalog.Volume || o.Kind == catalog.Completeness) && ds.Partition != nil:
		obs, whys, h.Queries, err = s.partitionHistory(ctx, ds, o, slots)
	case o.Kind == catalog.Custom:
		h.Skipped = "custom SQL reads the table as it is now; its past intervals cannot be told apart"
	case o.Kind == catalog.Ratio:
		obs, whys, h.Queries, err = s.ratioHistory(ctx, ds, o, slots)
		h.Slots = min(h.Slots, maxRatioSlots)
	default:
		h.Skipped = "the table has no partition: column, so its past row counts are unknown"
	}
	for _, ob := range obs {
		if ob.Good < ob.Total {
			h.Bad++
		}
	}
	return h, obs, whys, err
}

// freshnessHistory reads the newest load before the window and every
// distinct load time in it: two queries for the whole window.
func (s *SLOs) freshnessHistory(ctx context.Context, ds catalog.Dataset, o catalog.SLO, slots []time.Time) ([]slo.Observation, []string, int, error) {
	t, err := (&Diagnosis{Warehouses: s.Warehouses}).open(ctx, DiagnoseInput{Warehouse: ds.Warehouse, Table: ds.Table}, ds.FreshnessColumn)
	if err != nil {
		return nil, nil, 0, err
	}
	col, first, last := t.quote(ds.FreshnessColumn), slots[0], slots[len(slots)-1]
	res, err := t.mustQuery(ctx, warehouse.Query{SQL: fmt.Sprintf("SELECT MAX(%s) FROM %s WHERE %s <= @first", col, t.table(), col), Params: map[string]any{"first": first}})
	if err != nil {
		return nil, nil, 1, err
	}
	var before *time.Time
	if v, ok := asTime(cell(res, 0, 0)); ok {
		before = &v
	}
	sql := fmt.Sprintf("SELECT DISTINCT %s FROM %s WHERE %s > @first AND %s <= @last", col, t.table(), col, col)
	res, err = t.mustQuery(ctx, warehouse.Query{SQL: sql, Params: map[string]any{"first": first, "last": last}, MaxRows: maxLoadTimes})
	if err != nil {
		return nil, nil, 2, err
	}
	if res.Truncated {
		return nil, nil, 2, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s has more than %d distinct %s values in the window; point freshness_column at a load timestamp set per batch", ds.Table, maxLoadTimes, ds.FreshnessColumn), errInvalidInput, nil)
	}
	var loads []time.Time
	for i := range res.Rows {
		if v, ok := asTime(cell(res, i, 0)); ok {
			loads = append(loads, v)
		}
	}
	obs := slo.FreshnessHistory(slots, before, loads, o.Threshold.Duration)
	whys := make([]string, len(obs))
	for i, ob := range obs {
		whys[i] = fmt.Sprintf("reconstructed: newest %s was %s old (threshold %s)", ds.FreshnessColumn, (time.Duration(ob.Value) * time.Second).Round(time.Second), o.Threshold)
		if before == nil && ob.Value == 0 && ob.Good == 0 {
			whys[i] = fmt.Sprintf("reconstructed: no %s yet", ds.FreshnessColumn)
		}
	}
	return obs, whys, 2, nil
}

// mustQuery is query with a missing table or column as an error: a
// bootstrap has nothing to reconstruct from then.
func (t target) mustQuery(ctx context.Context, q warehouse.Query) (warehouse.QueryResult, error) {
	res, nf, err := t.query(ctx, q)
	if nf != nil {
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %v", t.ref, nf), errInvalidInput, nf)
	}
	return res, err
}
