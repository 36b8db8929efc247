package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/slo"
	"github.com/dre-dev/dre/internal/warehouse"
)

// partitionTally are one partition's rows and, for completeness, the
// rows whose SLO column is not null.
type partitionTally struct{ rows, nonNull int64 }

// partitionHistory reads the rows (and non-null values) of every
// partition the window's slots measured, in one grouped query, and judges
// each slot's partition as the live reading would have: volume against
// the bounds and the baseline of the readings before it, completeness
// against max_null_rate.
func (s *SLOs) partitionHistory(ctx context.Context, ds catalog.Dataset, o catalog.SLO, slots []time.Time) ([]slo.Observation, []string, int, error) {
	p := ds.Partition
	columns := []string{p.Column}
	if o.Kind == catalog.Completeness {
		columns = append(columns, o.Column)
	}
	t, err := (&Diagnosis{Warehouses: s.Warehouses}).open(ctx, DiagnoseInput{Warehouse: ds.Warehouse, Table: ds.Table}, columns...)
	if err != nil {
		return nil, nil, 0, err
	}
	previous := func(at time.Time) time.Time {
		return p.Granularity.Truncate(p.Granularity.Truncate(at).Add(-time.Nanosecond))
	}
	from, to := previous(slots[0]), p.Granularity.Truncate(slots[len(slots)-1])
	nonNull := "COUNT(*)"
	if o.Kind == catalog.Completeness {
		nonNull = fmt.Sprintf("COUNT(%s)", t.quote(o.Column))
	}
	col := t.quote(p.Column)
	sql := fmt.Sprintf("SELECT %s, COUNT(*), %s FROM %s WHERE %s >= @from AND %s < @to GROUP BY %s", col, nonNull, t.table(), col, col, col)
	res, err := t.mustQuery(ctx, warehouse.Query{SQL: sql, Params: map[string]any{"from": from, "to": to}, MaxRows: 100_000})
	if err != nil {
		return nil, nil, 1, err
	}
	counts := map[time.Time]partitionTally{}
	for i := range res.Rows {
		if at, ok := asTime(cell(res, i, 0)); ok {
			c := counts[p.Granularity.Truncate(at)]
			counts[p.Granularity.Truncate(at)] = partitionTally{c.rows + asInt(cell(res, i, 1)), c.nonNull + asInt(cell(res, i, 2))}
		}
	}
	obs, whys := slo.PartitionHistory(slots, previous, judgePartition(o, counts))
	return obs, whys, 1, nil
}

// judgePartition is the live measurement's verdict on one partition.
func judgePartition(o catalog.SLO, counts map[time.Time]partitionTally) slo.PartitionJudge {
	return func(partition time.Time, earlier []slo.Observation) (bool, float64, string) {
		c := counts[partition]
		if o.Kind == catalog.Completeness {
			if c.rows == 0 {
				return false, 0, fmt.Sprintf("no rows to measure nulls of %s on", o.Column)
			}
			rate := 1 - float64(c.nonNull)/float64(c.rows)
			return rate <= o.MaxNullRate, rate, fmt.Sprintf("%s is %.2f%% null (max %.2f%%)", o.Column, 100*rate, 100*o.MaxNullRate)
		}
		bounds := slo.VolumeBounds{MinRows: o.MinRows, MaxRows: o.MaxRows}
		bounds.Baseline, bounds.HasBaseline = slo.Baseline(goodOnes(earlier, baselinePoints))
		good, why := bounds.Judge(c.rows)
		return good, float64(c.rows), why
	}
}

// goodOnes are the last n good readings. A reconstructed history has no
// incident marks to keep a gap's empty partitions out of the baseline, so
// only the readings judged good make it: two empty days must not teach
// the baseline that an empty partition is normal.
func goodOnes(obs []slo.Observation, n int) []slo.Observation {
	var out []slo.Observation
	for i := len(obs) - 1; i >= 0 && len(out) < n; i-- {
		if obs[i].Good == obs[i].Total {
			out = append(out, obs[i])
		}
	}
	return out
}
