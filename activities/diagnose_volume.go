package activities

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dre-dev/dre/internal/catalog"
	"github.com/dre-dev/dre/internal/warehouse"
)

// Volume defaults: four weeks of baseline, three scaled MADs, and the last
// two complete partitions judged (the current one is still filling up).
const (
	defaultBaselineDays = 28
	defaultMADFactor    = 3.0
	recentPartitions    = 2
	// volumeMaxGroups caps the GROUP BY result; a partition column with more
	// distinct values in the baseline window is a timestamp, not a
	// partition key, and the check says it cannot judge.
	volumeMaxGroups = 20000
)

// DiagnoseVolume counts the rows of each partition of the baseline window
// and flags recent partitions outside k·MAD of the baseline's median, or
// outside the volume SLO's bounds. The baseline of a daily table whose
// history is weekly seasonal is the same weekday's partitions (see
// weeklySeasonal); the finding says which baseline it used.
func (d *Diagnosis) DiagnoseVolume(ctx context.Context, in DiagnoseInput) (Finding, error) {
	if in.PartitionColumn == "" || !in.Granularity.Valid() {
		return skipped(in, CheckVolume, "no partition column in the catalog"), nil
	}
	t, err := d.open(ctx, in, in.PartitionColumn)
	if err != nil {
		return Finding{}, err
	}
	now := time.Now().UTC()
	baselineDays := orDefaultInt(in.BaselineDays, defaultBaselineDays)
	baselineFrom := in.Granularity.Truncate(now.AddDate(0, 0, -baselineDays))
	since := baselineFrom
	if in.Granularity == catalog.Day {
		// Seasonality needs seasonalWeeks of same-weekday partitions before
		// the recent ones, whatever the baseline window.
		if seasonal := in.Granularity.Truncate(now.AddDate(0, 0, -7*seasonalWeeks-recentPartitions)); seasonal.Before(since) {
			since = seasonal
		}
	}
	col := t.quote(in.PartitionColumn)
	res, nf, err := t.query(ctx, warehouse.Query{
		SQL:     fmt.Sprintf("SELECT %s, COUNT(*) FROM %s WHERE %s >= @since GROUP BY %s", col, t.table(), col, col),
		Params:  map[string]any{"since": since},
		MaxRows: volumeMaxGroups,
	})
	if err != nil {
		return Finding{}, err
	}
	if nf != nil {
		return t.notFound(CheckVolume, nf), nil
	}
	if res.Truncated {
		return t.finding(CheckVolume, false, "%s: cannot judge volume, %s has more than %d distinct values since %s",
			t.ref, in.PartitionColumn, volumeMaxGroups, since.Format(time.DateOnly)), nil
	}
	counts := partitionCounts(res, in.Granularity)
	parts := partitionStarts(in.Granularity, since, in.Granularity.Truncate(now))
	return judgeVolume(t, in, parts, counts, baselineFrom), nil
}

// partitionCounts adds the grouped counts up per partition.
func partitionCounts(res warehouse.QueryResult, g catalog.Granularity) map[time.Time]int64 {
	counts := map[time.Time]int64{}
	for i := range res.Rows {
		if at, ok := asTime(cell(res, i, 0)); ok {
			counts[g.Truncate(at)] += asInt(cell(res, i, 1))
		}
	}
	return counts
}

// partitionStarts lists the complete partitions in [from, to).
func partitionStarts(g catalog.Granularity, from, to time.Time) []time.Time {
	var out []time.Time
	for p := g.Truncate(from); p.Before(to); p = g.Next(p) {
		out = append(out, p)
	}
	return out
}

// judgeVolume compares the recent partitions with the ones before them:
// those since baselineFrom, or the same weekday's when the history is
// weekly seasonal.
func judgeVolume(t target, in DiagnoseInput, parts []time.Time, counts map[time.Time]int64, baselineFrom time.Time) Finding {
	if len(parts) <= recentPartitions {
		return t.finding(CheckVolume, false, "%s: too few complete partitions for a baseline", t.ref)
	}
	split := len(parts) - recentPartitions
	history := parts[:split]
	base := plainBaseline(history, counts, baselineFrom)
	if in.Granularity == catalog.Day && weeklySeasonal(history, counts) {
		base = sameWeekdayBaseline(counts)
	}
	k := in.MADFactor
	if k <= 0 {
		k = defaultMADFactor
	}
	var bad, good, flagged []string
	for _, p := range parts[split:] {
		n := counts[p]
		median, mad := medianMAD(base.of(p))
		// 1.4826·MAD estimates a standard deviation; the floor keeps a perfectly
		// regular baseline (MAD 0) from flagging a one-row difference.
		spread := k * math.Max(1.4826*mad, math.Max(0.01*median, 1))
		outlier := math.Abs(float64(n)-median) > spread
		outOfSLO := (in.MinRows > 0 && n < in.MinRows) || (in.MaxRows > 0 && n > in.MaxRows)
		line := fmt.Sprintf("%s has %d rows (baseline median %.0f, allowed ±%.0f)", p.Format(time.RFC3339), n, median, spread)
		if outlier || outOfSLO {
			bad = append(bad, line)
			flagged = append(flagged, p.Format(time.RFC3339))
		} else {
			good = append(good, line)
		}
	}
	if len(bad) == 0 {
		return t.finding(CheckVolume, false, "%s volume is normal: %s; baseline: %s", t.ref, strings.Join(good, "; "), base.name)
	}
	f := t.finding(CheckVolume, true, "%s volume is abnormal: %s; baseline: %s", t.ref, strings.Join(bad, "; "), base.name)
	f.Partitions = flagged
	return f
}

// medianMAD returns the median and the median absolute deviation.
func medianMAD(xs []float64) (median, mad float64) {
	median = medianOf(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - median)
	}
	return median, medianOf(dev)
}

func medianOf(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func orDefaultInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
