package slo

import (
	"fmt"
	"slices"
	"time"
)

// HistorySlots are the evaluation slots of the window ending at until
// that have passed: the multiples of o.Interval in (until-window, until),
// oldest first. The slot holding until is left to the live evaluator.
func HistorySlots(until time.Time, o Objective) []time.Time {
	if o.Interval <= 0 || o.Window < o.Interval {
		return nil
	}
	current := until.UTC().Truncate(o.Interval)
	var out []time.Time
	for s := current.Add(-o.Window).Add(o.Interval); s.Before(current); s = s.Add(o.Interval) {
		out = append(out, s)
	}
	return out
}

// FreshnessHistory reconstructs a freshness SLI at every slot from the
// load times the table holds: at slot s the newest load at or before s is
// the one a live reading would have seen. before is the newest load before
// the first slot, if any; loads are the later ones, in any order.
func FreshnessHistory(slots []time.Time, before *time.Time, loads []time.Time, maxLag time.Duration) []Observation {
	loads = slices.Clone(loads)
	slices.SortFunc(loads, func(a, b time.Time) int { return a.Compare(b) })
	var latest *time.Time
	if before != nil {
		latest = before
	}
	out := make([]Observation, 0, len(slots))
	next := 0
	for _, s := range slots {
		for next < len(loads) && !loads[next].After(s) {
			latest = &loads[next]
			next++
		}
		o := Observation{At: s, Total: 1, Reconstructed: true}
		if latest != nil {
			lag := s.Sub(*latest)
			o.Value = lag.Seconds()
			if lag <= maxLag {
				o.Good = 1
			}
		}
		out = append(out, o)
	}
	return out
}

// PartitionJudge judges the partition a slot reads, given the values of
// the readings before it: good or not, the value to keep, and why.
type PartitionJudge func(partition time.Time, earlier []Observation) (good bool, value float64, why string)

// PartitionHistory reconstructs a per-partition SLI (volume,
// completeness) at every slot: a live reading at slot s measures the last
// complete partition, the one before the partition holding s. It returns
// the readings and the reason of each.
func PartitionHistory(slots []time.Time, previousPartition func(time.Time) time.Time, judge PartitionJudge) ([]Observation, []string) {
	out := make([]Observation, 0, len(slots))
	whys := make([]string, 0, len(slots))
	for _, s := range slots {
		p := previousPartition(s)
		good, value, why := judge(p, out)
		o := Observation{At: s, Total: 1, Value: value, Reconstructed: true}
		if good {
			o.Good = 1
		}
		out = append(out, o)
		whys = append(whys, fmt.Sprintf("reconstructed: partition %s: %s", p.Format(time.RFC3339), why))
	}
	return out, whys
}
