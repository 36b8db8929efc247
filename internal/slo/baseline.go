package slo

import (
	"fmt"
	"slices"
)

// Volume baselines: a partition is judged against the median of the
// recent healthy ones once there are enough of them, and must lie within a
// factor of it either way. A factor (rather than deviations) tolerates the
// weekly rhythm of most tables without a model of it.
const (
	BaselineMinPoints = 7
	BaselineFactor    = 2.0
)

// Baseline is the median of the values of the observations taken outside
// incidents, so that a baseline never learns from the bad data an incident
// was about. ok is false with fewer than BaselineMinPoints such values.
func Baseline(obs []Observation) (median float64, ok bool) {
	var xs []float64
	for _, o := range obs {
		if !o.Incident {
			xs = append(xs, o.Value)
		}
	}
	if len(xs) < BaselineMinPoints {
		return 0, false
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2], true
	}
	return (xs[n/2-1] + xs[n/2]) / 2, true
}

// VolumeBounds are the rows a partition may hold: the catalog's MinRows
// and MaxRows (0 is unbounded) and, when known, a baseline median.
type VolumeBounds struct {
	MinRows, MaxRows int64
	Baseline         float64
	HasBaseline      bool
}

// Judge says whether rows is within the bounds, and if not why.
func (b VolumeBounds) Judge(rows int64) (good bool, why string) {
	switch {
	case b.MinRows > 0 && rows < b.MinRows:
		return false, fmt.Sprintf("%d rows, below min_rows %d", rows, b.MinRows)
	case b.MaxRows > 0 && rows > b.MaxRows:
		return false, fmt.Sprintf("%d rows, above max_rows %d", rows, b.MaxRows)
	case b.HasBaseline && float64(rows) < b.Baseline/BaselineFactor:
		return false, fmt.Sprintf("%d rows, under 1/%g of the baseline median %.0f", rows, BaselineFactor, b.Baseline)
	case b.HasBaseline && float64(rows) > b.Baseline*BaselineFactor:
		return false, fmt.Sprintf("%d rows, over %g× the baseline median %.0f", rows, BaselineFactor, b.Baseline)
	}
	return true, fmt.Sprintf("%d rows", rows)
}
