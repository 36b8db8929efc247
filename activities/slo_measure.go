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

// baselinePoints is how many healthy volume observations make a baseline.
const baselinePoints = 28

// MeasureSLIInput names the SLO to measure and the slot it is measured for.
type MeasureSLIInput struct {
	Dataset catalog.Dataset `json:"dataset"`
	SLO     catalog.SLO     `json:"slo"`
	At      time.Time       `json:"at"`
}

// Measurement is one SLI reading: Good of Total, the raw Value behind it
// (lag seconds, rows, null rate, good events) and a line for humans.
type Measurement struct {
	Good   int64   `json:"good"`
	Total  int64   `json:"total"`
	Value  float64 `json:"value"`
	Detail string  `json:"detail"`
}

// MeasureSLI reads the SLI of one SLO from the warehouse. Freshness,
// volume and completeness give one event per interval, good when the
// table meets the SLO's bound; a custom SQL gives its own good and total.
// A missing table or column is a bad reading, not a failure.
func (s *SLOs) MeasureSLI(ctx context.Context, in MeasureSLIInput) (Measurement, error) {
	ds, o := in.Dataset, in.SLO
	d := &Diagnosis{Warehouses: s.Warehouses}
	columns := map[catalog.SLOKind][]string{
		catalog.Freshness:    {ds.FreshnessColumn},
		catalog.Completeness: {o.Column},
	}[o.Kind]
	if ds.Partition != nil && (o.Kind == catalog.Volume || o.Kind == catalog.Completeness) {
		columns = append(columns, ds.Partition.Column)
	}
	t, err := d.open(ctx, DiagnoseInput{Warehouse: ds.Warehouse, Table: ds.Table}, columns...)
	if err != nil {
		return Measurement{}, err
	}
	switch o.Kind {
	case catalog.Freshness:
		m, err := measureFreshness(ctx, t, ds.FreshnessColumn, o.Threshold.Duration)
		if err == nil && m.Good < m.Total {
			if why := s.lateUpstreams(ctx, ds, o.Threshold.Duration); why != "" {
				m.Detail += "; " + why
			}
		}
		return m, err
	case catalog.Volume:
		return s.measureVolume(ctx, t, ds, o)
	case catalog.Completeness:
		return measureCompleteness(ctx, t, ds, o)
	case catalog.Custom:
		return measureCustom(ctx, t, o, in.At)
	case catalog.Ratio:
		return measureRatio(ctx, t, o, in.At)
	}
	return Measurement{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("SLO %s has unknown kind %q; run dre catalog lint", o.Name, o.Kind), errInvalidInput, nil)
}

// bad is the reading of a table that fails its SLO for a stated reason.
func bad(format string, args ...any) Measurement {
	return Measurement{Good: 0, Total: 1, Detail: fmt.Sprintf(format, args...)}
}

// binary is a one-event reading, good or not.
func binary(good bool, value float64, detail string) Measurement {
	m := Measurement{Total: 1, Value: value, Detail: detail}
	if good {
		m.Good = 1
	}
	return m
}

func measureFreshness(ctx context.Context, t target, column string, maxLag time.Duration) (Measurement, error) {
	res, nf, err := t.query(ctx, warehouse.Query{SQL: fmt.Sprintf("SELECT MAX(%s) FROM %s", t.quote(column), t.table())})
	switch {
	case err != nil:
		return Measurement{}, err
	case nf != nil:
		return bad("%s: %v", t.ref, nf), nil
	}
	latest, ok := asTime(cell(res, 0, 0))
	if !ok {
		return bad("%s has no rows with a %s", t.ref, column), nil
	}
	lag := time.Since(latest)
	detail := fmt.Sprintf("newest %s is %s old (threshold %s)", column, lag.Round(time.Second), maxLag)
	return binary(lag <= maxLag, lag.Seconds(), detail), nil
}

// measureVolume counts the rows of the last complete partition (the whole
// table when it is not partitioned) against the bounds and the baseline
// of earlier healthy readings.
func (s *SLOs) measureVolume(ctx context.Context, t target, ds catalog.Dataset, o catalog.SLO) (Measurement, error) {
	st, err := s.store()
	if err != nil {
		return Measurement{}, err
	}
	sql, params, what := fmt.Sprintf("SELECT COUNT(*) FROM %s", t.table()), map[string]any{}, "the table"
	if p := ds.Partition; p != nil {
		to := p.Granularity.Truncate(time.Now())
		from := p.Granularity.Truncate(to.Add(-time.Nanosecond))
		sql += fmt.Sprintf(" WHERE %s >= @from AND %s < @to", t.quote(p.Column), t.quote(p.Column))
		params["from"], params["to"] = from, to
		what = "partition " + from.Format(time.RFC3339)
	}
	res, nf, err := t.query(ctx, warehouse.Query{SQL: sql, Params: params})
	switch {
	case err != nil:
		return Measurement{}, err
	case nf != nil:
		return bad("%s: %v", t.ref, nf), nil
	}
	history, err := st.Recent(ctx, ds.Name, o.Name, baselinePoints)
	if err != nil {
		return Measurement{}, err
	}
	bounds := slo.VolumeBounds{MinRows: o.MinRows, MaxRows: o.MaxRows}
	bounds.Baseline, bounds.HasBaseline = slo.Baseline(history)
	rows := asInt(cell(res, 0, 0))
	good, why := bounds.Judge(rows)
	return binary(good, float64(rows), what+": "+why), nil
}

// measureCompleteness compares the null rate of the SLO's column in the
// recent partitions with its max_null_rate.
func measureCompleteness(ctx context.Context, t target, ds catalog.Dataset, o catalog.SLO) (Measurement, error) {
	in := DiagnoseInput{}
	if ds.Partition != nil {
		in.PartitionColumn, in.Granularity = ds.Partition.Column, ds.Partition.Granularity
	}
	where, params := t.recentFilter(in)
	sql := fmt.Sprintf("SELECT COUNT(*), COUNT(%s) FROM %s%s", t.quote(o.Column), t.table(), where)
	res, nf, err := t.query(ctx, warehouse.Query{SQL: sql, Params: params})
	switch {
	case err != nil:
		return Measurement{}, err
	case nf != nil:
		return bad("%s: %v", t.ref, nf), nil
	}
	total := asInt(cell(res, 0, 0))
	if total == 0 {
		return bad("%s has no recent rows to measure nulls of %s on", t.ref, o.Column), nil
	}
	rate := 1 - float64(asInt(cell(res, 0, 1)))/float64(total)
	detail := fmt.Sprintf("%s is %.2f%% null (max %.2f%%)", o.Column, 100*rate, 100*o.MaxNullRate)
	return binary(rate <= o.MaxNullRate, rate, detail), nil
}

// measureCustom runs the SLO's own SQL, which may read the interval being
// measured as @from and @to, and takes its first row as good, total.
func measureCustom(ctx context.Context, t target, o catalog.SLO, at time.Time) (Measurement, error) {
	params := map[string]any{"from": at.Add(-o.Interval.Duration), "to": at}
	res, nf, err := t.query(ctx, warehouse.Query{SQL: o.SQL, Params: params, MaxRows: 1})
	switch {
	case err != nil:
		return Measurement{}, err
	case nf != nil:
		return bad("%v", nf), nil
	}
	good, total := asInt(cell(res, 0, 0)), asInt(cell(res, 0, 1))
	if len(res.Columns) < 2 || good < 0 || good > total {
		msg := fmt.Sprintf("SLO %s: sql must return one row of two counts, good then total, with 0 <= good <= total; got %v", o.Name, res.Rows)
		return Measurement{}, temporal.NewNonRetryableApplicationError(msg, errInvalidInput, nil)
	}
	return Measurement{Good: good, Total: total, Value: float64(good), Detail: fmt.Sprintf("%d of %d good", good, total)}, nil
}
